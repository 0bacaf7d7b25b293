package negativity

import (
	"slices"
	"testing"
)

// Latin-script languages are told apart by the model's identifier, not by
// stop words: each of these was read as another language by the voting
// (German as Dutch on "die", "was", "ich"; French as Spanish or Dutch;
// Spanish as French), and then scored by that language's words.
func TestLanguageIdentifier(t *testing.T) {
	m := embedded()
	var a analysis
	for _, c := range []struct{ text, lang string }{
		{"Die Wahl in Bayern wird spannend, mal sehen was passiert.", "de"},
		{"Ich habe gerade die neue Folge gesehen. Was haltet ihr davon?", "de"},
		{"@SNCF Le train de 8h12 pour Lyon part de quel quai ?", "fr"},
		{"Les élections municipales auront lieu en mars.", "fr"},
		{"Pas de souci, je repasserai demain.", "fr"},
		{"Esta noche Madrid contra Barça a las 21h #ElClasico", "es"},
		{"No funciona.", "es"},
		{"Hoe laat gaat de winkel op zondag open?", "nl"},
		{"Tot morgen, de bestelling is binnen", "nl"},
		{"It stopped working after two days.", "en"},
		{"uzhasno plokho, never again", "ru"}, // transliterated Russian still wins on its words
		{"Опять связь пропала(", "ru"},
	} {
		m.analyse(c.text, "", &a)
		if a.lang != c.lang {
			t.Errorf("%q: language %s, want %s", c.text, a.lang, c.lang)
		}
	}
	// Nothing with a letter: no language.
	if m.analyse("12345 😡", "", &a); a.lang != "und" {
		t.Errorf("digits and an emoji: language %s, want und", a.lang)
	}
	// A model file without the identifier's counts still decides by votes.
	bare := *m
	bare.langCount, bare.langLogP, bare.langSeen = nil, nil, nil
	if bare.analyse("Die Lieferung war pünktlich da", "", &a); a.lang != "de" {
		t.Errorf("without the identifier: language %s, want de", a.lang)
	}
}

// "!!", "??" and "?!" are emphasis; a question and an exclamation apart
// are not (they were counted together, so every excited question read as
// "repeated !/?").
func TestEmphasisIsARun(t *testing.T) {
	for s, want := range map[string]int{
		"Hat jemand das Spiel gesehen? Wahnsinn!": 1, "late!!!": 3, "what?!": 2, "no": 0, "¿¡Qué?!": 2,
	} {
		if got := punctRun(s); got != want {
			t.Errorf("punctRun(%q) = %d, want %d", s, got, want)
		}
	}
	var a analysis
	embedded().analyse("War das Spiel schlecht? Wahnsinn!", "de", &a)
	for _, f := range a.feats {
		if f.id == idEmphNeg {
			t.Error("a question and an exclamation apart emphasised schlecht")
		}
	}
	embedded().analyse("Das Spiel war schlecht!!", "de", &a)
	if !slices.ContainsFunc(a.feats, func(f feature) bool { return f.id == idEmphNeg }) {
		t.Error(`"schlecht!!" is not emphasised`)
	}
}

// "ничего" negates like "nothing", "nichts", "rien", "nada": "Ничего
// страшного" is "no worries", not fear.
func TestRussianNothingNegates(t *testing.T) {
	var a analysis
	embedded().analyse("Ничего страшного, подожду до понедельника.", "", &a)
	if !a.negated[1] {
		t.Fatalf("страшного after ничего is not negated: %v", a.negated)
	}
}
