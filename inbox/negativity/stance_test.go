package negativity

import "testing"

func hasFeature(a *analysis, id uint32) bool {
	for _, f := range a.feats {
		if f.id == id {
			return true
		}
	}
	return false
}

// Who a message is about, per language, and laughter: each decides which
// stance features a message gets, and a negative word gets its
// "no person" or "laughing" copy only then.
func TestStanceFeatures(t *testing.T) {
	m := embedded()
	var a analysis
	for _, c := range []struct {
		lang, text     string
		first, second  bool
		impersonal     bool
		laugh, lexNone bool
	}{
		{"en", "The debt crisis explained in five charts", false, false, true, false, true},
		{"en", "my parcel is damaged", true, false, false, false, false},
		{"en", "your app is broken", false, true, false, false, false},
		{"nl", "ik ga kapot van deze serie 😂", true, false, false, true, false},
		{"de", "Die Krise ist heute Thema in Brüssel", false, false, true, false, true},
		{"de", "ich lach mich tot haha", true, false, false, true, false},
		{"fr", "j'ai grave kiffé le film", true, false, false, false, false},
		{"fr", "vous avez perdu mon colis", true, true, false, false, false},
		{"es", "nuestro portero ha tenido una noche para olvidar", true, false, false, false, false},
		{"es", "jajaja qué desastre", false, false, true, true, true},
		{"ru", "мне заблокировали карту", true, false, false, false, false},
		{"ru", "Рейс задержали на два часа", false, false, true, false, true},
	} {
		m.analyse(c.text, c.lang, &a)
		got := [5]bool{hasFeature(&a, idFirst), hasFeature(&a, idSecond), hasFeature(&a, idNoPerson), hasFeature(&a, idLaugh),
			hasFeature(&a, idLexNegNone) || hasFeature(&a, idExtNegNone)}
		want := [5]bool{c.first, c.second, c.impersonal, c.laugh, c.lexNone}
		if got != want {
			t.Errorf("%s %q: I/we, you, no person, laughter, negative word with no person = %v, want %v", c.lang, c.text, got, want)
		}
	}
	// Reported news: a reporting word, in each language.
	for _, c := range []struct{ lang, text string }{
		{"en", "Police say the road is closed after the crash"}, {"nl", "De weg is dicht na een ongeluk, meldt de politie"},
		{"de", "Laut Polizei ist die Straße nach dem Unfall gesperrt"}, {"fr", "La route est fermée après l'accident, selon la police"},
		{"es", "La carretera sigue cortada tras el accidente, según la policía"}, {"ru", "Дорога перекрыта после аварии, сообщает ГИБДД"},
	} {
		if m.analyse(c.text, c.lang, &a); !hasFeature(&a, idNews) {
			t.Errorf("%s %q is not read as reported news", c.lang, c.text)
		}
	}
	if m.analyse("The road outside my house has been closed for a week", "en", &a); hasFeature(&a, idNews) {
		t.Error("a complaint without a reporting word is read as news")
	}
	m.analyse("haha I'm dead, this video", "en", &a)
	if !hasFeature(&a, idLexNegLol) {
		t.Error(`"dead" in a laughing message has no "lex- laughing" feature`)
	}
	m.analyse("I'm not dead", "en", &a)
	if hasFeature(&a, idLexNegLol) || hasFeature(&a, idLexNegNone) {
		t.Error("a negated negative word got a stance copy")
	}
}
