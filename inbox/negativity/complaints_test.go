package negativity

import (
	"slices"
	"strings"
	"testing"
)

// Each complaint pattern, in each language, is found, and the messages the
// issue lists are flagged.
func TestComplaintPatternsPerLanguage(t *testing.T) {
	m := embedded()
	cases := []struct{ lang, kind, text string }{
		{"en", "broken", "It stopped working after two days."},
		{"en", "broken", "Doesn't work."},
		{"en", "too", "Too small, sent it back."},
		{"en", "return", "Too small, sent it back."},
		{"en", "described", "Not as described."},
		{"en", "still", "Still waiting for my parcel"},
		{"en", "churn", "never again"},
		{"en", "noanswer", "no reply from anyone"},
		{"en", "outage", "the internet is down"},
		{"nl", "broken", "Werkt al weken niet."},
		{"nl", "rude", "Wat een onbeschofte medewerker."},
		{"nl", "churn", "nooit meer"},
		{"nl", "return", "ik wil mijn geld terug"},
		{"de", "broken", "Funktioniert nicht mehr."},
		{"de", "too", "viel zu teuer"},
		{"de", "noanswer", "keine Antwort seit Tagen"},
		{"de", "churn", "nie wieder"},
		{"fr", "broken", "Ne marche pas."},
		{"fr", "still", "toujours pas de nouvelles"},
		{"fr", "churn", "plus jamais"},
		{"fr", "return", "je veux un remboursement"},
		{"es", "broken", "No funciona."},
		{"es", "outage", "sin internet desde ayer"},
		{"es", "churn", "nunca más"},
		{"es", "billing", "me han cobrado dos veces"},
		{"ru", "broken", "Не работает интернет"},
		{"ru", "outage", "Опять связь пропала("},
		{"ru", "churn", "больше не закажу"},
		{"ru", "still", "до сих пор не пришёл"},
		// ё and е are one letter to the detector: posts write either.
		{"ru", "still", "Всё ещё не работает"},
		{"ru", "still", "все еще не работает"},
		{"ru", "broken", "Перестаёт работать через час"},
		{"ru", "wait", "Ждём уже три дня"},
	}
	var a analysis
	for _, c := range cases {
		m.analyse(c.text, c.lang, &a)
		var kinds []string
		for _, p := range a.patterns {
			kinds = append(kinds, p.kind)
		}
		if !slices.Contains(kinds, c.kind) {
			t.Errorf("%s %q: patterns %v, want %s", c.lang, c.text, kinds, c.kind)
		}
	}
	d := New("")
	for _, s := range []string{"It stopped working after two days.", "Doesn't work.", "Too small, sent it back.", "Not as described.",
		"Не работает интернет", "Опять связь пропала(", "No funciona.", "Werkt al weken niet.", "Wat een onbeschofte medewerker.",
		"Ne marche pas.", "Funktioniert nicht mehr."} {
		if r := d.Classify(s, 0); r.Label != Negative {
			t.Errorf("%q: %+v, want negative", s, r)
		}
	}
}

// The collisions the issue names.
func TestCollisions(t *testing.T) {
	m := embedded()
	var a analysis
	// Words are looked up in the detected language only: German "die" and
	// "war", Dutch "tot" do not score.
	for _, c := range []struct{ lang, text, word string }{
		{"de", "Die Lieferung war pünktlich da", "die"}, {"de", "Die Lieferung war pünktlich da", "war"},
		{"nl", "Tot morgen, de bestelling is binnen", "tot"},
	} {
		m.analyse(c.text, "", &a)
		if a.lang != c.lang {
			t.Errorf("%q: language %s, want %s", c.text, a.lang, c.lang)
		}
		for _, f := range a.feats {
			if f.src >= 0 && a.toks[f.src].text == c.word && (f.id == idLexNeg || f.id == idLexPos) {
				t.Errorf("%q: %q scored by a lexicon", c.text, c.word)
			}
		}
	}
	// Stems are whole words with an ending, and exceptions hold.
	for _, c := range []struct{ lang, word string }{{"de", "problemlos"}, {"nl", "slechts"}, {"en", "killer"}} {
		if _, ok := langs[c.lang].lookup(c.word); ok {
			t.Errorf("%s %q matched a stem", c.lang, c.word)
		}
	}
	if _, ok := langs["de"].lookup("problems"); !ok {
		t.Error("de problem* no longer matches an inflection")
	}
	// Laughter is not negated.
	m.analyse("НИЧЕГО НЕ ПОНИМАЮ АХАХАХ", "", &a)
	if a.negated[len(a.negated)-1] {
		t.Error("laughter after a negation is negated")
	}
	// Language detection ignores @mentions, links and #hashtags and sees
	// Russian in mixed script.
	for _, c := range []struct{ text, lang string }{
		{"@user @support_team почему опять нет связи http://t.co/abc", "ru"},
		{"@user https://t.co/x мой order опоздал again", "ru"},
		{"#НеРаботаетИнтернет @mts", "ru"},
		{"@KLM #NeverAgain lost my bag", "en"},
		{"Die Lieferung ist schon wieder zu spät @DHL_Paket https://dhl.de", "de"},
	} {
		m.analyse(c.text, "", &a)
		if a.lang != c.lang {
			t.Errorf("%q: language %s, want %s", c.text, a.lang, c.lang)
		}
	}
	for in, want := range map[string]string{
		"Species threatened by the dam http": "Species threatened by the dam ",
		"read this http… via someone":        "read this via someone ",
		"Comment? https":                     "Comment? ",
	} {
		if got := clean(in); strings.Join(strings.Fields(got), " ") != strings.Join(strings.Fields(want), " ") {
			t.Errorf("clean(%q) = %q, want %q", in, got, want)
		}
	}
	if got := clean("#NeverAgain #НеРаботает"); got != "Never Again Не Работает " {
		t.Errorf("hashtags split as %q", got)
	}
	// A lone "(" after Cyrillic is a sad face; one that opens a bracket is not.
	if sad, _ := bracketFaces("Опять связь пропала("); !sad {
		t.Error("lone ( after Cyrillic is not a sad face")
	}
	if sad, _ := bracketFaces("роутер (модель из коробки)"); sad {
		t.Error("a bracket pair read as a sad face")
	}
}

// The manager's marks teach the workspace's own vocabulary, and only that
// workspace's detector.
func TestLearnFromMarks(t *testing.T) {
	d, other := New(""), New("")
	text := "the Zorbix app logs me out"
	if r := d.Classify("Zorbix logs me out again", 0); r.Label == Negative {
		t.Skipf("already negative before learning: %+v", r)
	}
	d.Learn(text, true)
	r, why := d.Explain("Zorbix logs me out again", 0)
	if r.Label != Negative || d.Learned() != 1 {
		t.Fatalf("after one mark: %+v %v", r, why)
	}
	if !slices.ContainsFunc(why, func(c Contribution) bool { return c.What == "learned in this workspace" }) {
		t.Fatalf("the workspace layer is not in the explanation: %v", why)
	}
	if r := other.Classify("Zorbix logs me out again", 0); r.Label == Negative {
		t.Fatalf("another workspace learned it too: %+v", r)
	}
	// An unmark teaches the other way.
	d.Learn("Zorbix logs me out again", false)
	if r := d.Classify("Zorbix logs me out again", 0); r.Label == Negative {
		t.Fatalf("after unmark: %+v", r)
	}
	// Unrelated messages barely move.
	if r := d.Classify("Thanks, great service!", 0); r.Label != Positive {
		t.Fatalf("praise changed: %+v", r)
	}
}

// Tokens are folded (Fold: lower case, ё as е), so a word written with ё
// or a capital in one of the hand-made lists could never match.
func TestHandListsAreFolded(t *testing.T) {
	check := func(where, w string) {
		for _, part := range strings.Split(strings.ReplaceAll(w, "*", ""), "|") {
			for _, word := range strings.Fields(part) {
				if strings.HasPrefix(word, "~") || word == "ADJ" { // the pattern syntax's gap and slot
					continue
				}
				if Fold(word) != word {
					t.Errorf("%s: %q is not folded (want %q)", where, word, Fold(word))
				}
			}
		}
	}
	for code := range lexicons {
		for w := range lexicons[code] {
			check("lexicons["+code+"]", w)
		}
		for _, spec := range complaintSpecs[code] {
			check("complaintSpecs["+code+"]", spec[1])
		}
		for _, list := range personLists[code] {
			for _, w := range list {
				check("personLists["+code+"]", w)
			}
		}
		for _, w := range reportWords[code] {
			check("reportWords["+code+"]", w)
		}
		for _, w := range negators[code] {
			check("negators["+code+"]", w)
		}
		for _, w := range functionWords[code] {
			check("functionWords["+code+"]", w)
		}
	}
}
