package negativity

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestNegationIntensifiersPerLanguage(t *testing.T) {
	d := New("")
	cases := []struct {
		text string
		lang string
		want Label
	}{
		{"This is terrible, worst service ever", "en", Negative},

		{"not good, not good at all", "en", Negative},
		{"very good coffee, thank you", "en", Positive},
		{"Het eten was slecht en de bediening onvriendelijk", "nl", Negative},
		{"niet slecht, eigenlijk wel lekker", "nl", Positive},
		{"heel erg lekker, bedankt!", "nl", Positive},
		{"Hoe laat gaat de winkel op zondag open?", "nl", Neutral}, // "hoe laat" asks the time
		{"Mijn pakket is te laat", "nl", Negative},
		{"Это ужасно, заказ опоздал", "ru", Negative},
		{"не плохо, мне понравилось", "ru", Positive},
		{"очень вкусно, спасибо", "ru", Positive},
		{"Das ist wirklich schlecht und die Lieferung ist verspätet", "de", Negative},
		{"nicht schlecht, sehr lecker", "de", Positive},
		{"C'est vraiment nul, je suis déçu", "fr", Negative},
		{"pas mal du tout, très bon", "fr", Positive},
		{"Es una estafa, el pedido llegó roto", "es", Negative},
		{"muy bueno, gracias", "es", Positive},
	}
	if r := d.Classify("not bad at all", 0); r.Label == Negative {
		t.Errorf("negation made praise negative: %+v", r)
	}
	for _, c := range cases {
		r := d.Classify(c.text, 0)
		if r.Lang != c.lang || r.Label != c.want {
			t.Errorf("%q: %s/%s (score %.2f, %v), want %s/%s", c.text, r.Lang, r.Label, r.Score, r.Reasons, c.lang, c.want)
		}
	}
}

func TestSignalsEmojiCapsPunctuationRatings(t *testing.T) {
	d := New("")
	base := d.Classify("the order was late", 0)
	loud := d.Classify("THE ORDER WAS LATE!!!", 0)
	_, why := d.Explain("THE ORDER WAS LATE!!!", 0)
	if !(loud.Score < base.Score) || !strings.Contains(fmt.Sprint(why), "ALL CAPS") {
		t.Fatalf("caps/punctuation: %+v vs %+v", loud, base)
	}
	if r := d.Classify("ok 😡😡", 0); r.Label != Negative {
		t.Fatalf("angry emoji: %+v", r)
	}
	if r := d.Classify("thanks 👍", 0); r.Label != Positive {
		t.Fatalf("thumbs up: %+v", r)
	}
	if r := d.Classify("", 1); r.Label != Negative || r.Reasons[0] != "rating 1★" {
		t.Fatalf("1 star: %+v", r)
	}
	if r := d.Classify("Do you have gift cards?", 3); r.Label != Neutral {
		t.Fatalf("3 stars decide nothing: %+v", r)
	}
	if r := d.Classify("nice place", 5); r.Label != Positive {
		t.Fatalf("5 stars: %+v", r)
	}
	if r := d.Classify("ну что за дела(((", 0); r.Label != Negative {
		t.Fatalf("(((: %+v", r)
	}
}

func TestMixedTransliteratedAndHostileDoNotCrash(t *testing.T) {
	d := New("")
	for _, s := range []string{"uzhasno plokho, never again", "мой order опоздал again!!!", "\x1b[2J\u202e💩💩", strings.Repeat("a", 20000), "", "   ", "'''", "l'", "(((((((("} {
		r := d.Classify(s, 0)
		if r.Label == "" || r.Score < -1 || r.Score > 1 {
			t.Fatalf("%q → %+v", s, r)
		}
	}
	if r := d.Classify("uzhasno plokho", 0); r.Lang != "ru" || r.Label != Negative {
		t.Fatalf("transliterated: %+v", r)
	}
}

func TestWordListAppliesWithoutRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "words.toml")
	d := New(path)
	if r := d.Classify("Killer Coffee is my favourite", 0); r.Label == Negative {
		t.Fatalf("before: %+v", r)
	}
	os.WriteFile(path, []byte("negative = [\"chargeback\"]\nignore = [\"killer coffee\"]\npositive = [\"lekker bakkie\"]\n"), 0o600)
	d.mu.Lock()
	d.checked = time.Time{} // skip the 2-second re-check delay
	d.mu.Unlock()
	if r := d.Classify("I will file a chargeback", 0); r.Label != Negative || !strings.Contains(r.Reasons[0], "list: chargeback") {
		t.Fatalf("extra negative term: %+v", r)
	}
	if r := d.Classify("that killer coffee is so good", 0); r.Label == Negative {
		t.Fatalf("ignored brand still counted: %+v", r)
	}
	if r := d.Classify("wat een lekker bakkie", 0); r.Label != Positive {
		t.Fatalf("extra positive phrase: %+v", r)
	}
	os.WriteFile(path, []byte("negativ = [\"x\"]\n"), 0o600)
	d.mu.Lock()
	d.checked, d.mod = time.Time{}, time.Time{}
	d.mu.Unlock()
	d.Classify("x", 0)
	if err := d.Err(); err == nil || !strings.Contains(err.Error(), "unknown key") {
		t.Fatalf("typo in the word list: %v", err)
	}
	if r := d.Classify("I will file a chargeback", 0); r.Label != Negative {
		t.Fatal("a broken word list must keep the previous one in use")
	}
	os.WriteFile(path, []byte("negative = [\"тормозит\", \"Пиздёж\"]\n"), 0o600)
	d.mu.Lock()
	d.checked, d.mod = time.Time{}, time.Time{}
	d.mu.Unlock()
	for _, s := range []string{"опять пиздеж в рекламе", "Опять ПИЗДЁЖ в рекламе"} {
		if r := d.Classify(s, 0); r.Label != Negative || !slices.Contains(r.Reasons, "list: пиздеж") {
			t.Fatalf("a listed word written with ё matches either spelling: %q %+v", s, r)
		}
	}
}
