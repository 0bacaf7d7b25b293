package negativity

// The lexicon detector as it was before the learned model (commit cfcf3d6),
// kept apart from names so the quality test and the benchmark compare
// against it on the same rows.

import (
	"fmt"
	"math"
	"strings"
	"unicode"
)

const (
	negThreshold = -0.5
	posThreshold = 1.5
)

func oldDetectLang(s string, toks []token) string {
	cyr, lat := 0, 0
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Cyrillic, r):
			cyr++
		case unicode.Is(unicode.Latin, r):
			lat++
		}
	}
	if cyr > lat {
		return "ru"
	}
	var votes voteBox
	for _, t := range toks {
		for code, l := range langs {
			if l.stop[t.text] {
				votes.add(code, 1)
			}
			if code != "en" && code != "ru" {
				if _, ok := l.words[t.text]; ok {
					votes.add(code, 0.5)
				}
			}
		}
		if _, ok := langs["ru"].words[t.text]; ok && cyr == 0 {
			votes.add("ru", 1.5) // transliterated Russian
		}
	}
	if strings.ContainsAny(s, "ñ¿¡Ñ") {
		votes.add("es", 2)
	}
	if strings.ContainsAny(s, "ßäöüÄÖÜ") {
		votes.add("de", 2)
	}
	if strings.ContainsAny(s, "çœêâàèùûÇÊÂÀÈ") {
		votes.add("fr", 2)
	}
	if strings.Contains(s, "ij") || strings.Contains(s, "IJ") {
		votes.add("nl", 0.5)
	}
	best, bestV := "und", 0.0
	for i, code := range langOrder {
		if votes[i] > bestV {
			best, bestV = code, votes[i]
		}
	}
	return best
}

// Classify scores one message; rating is 1–5 for reviews, else 0.
func (d *Detector) legacyClassify(text string, rating int) Result {
	extra, ignore := d.words()
	low := strings.ToLower(text)
	for _, ig := range ignore {
		if strings.Contains(low, ig) {
			low = strings.ReplaceAll(low, ig, " ")
			text = low // casing is lost, but the ignored term must not count
		}
	}
	var emojis []string
	toks := tokenize(text, &emojis)
	code := oldDetectLang(text, toks)
	r := Result{Lang: code}
	primary := langs[code]
	if primary == nil {
		primary = langs["en"]
	}
	sources := []*lang{primary}
	if primary != langs["en"] {
		sources = append(sources, langs["en"]) // English words turn up everywhere
	}
	score := 0.0
	add := func(w float64, why string) {
		score += w
		if len(r.Reasons) < 8 {
			r.Reasons = append(r.Reasons, why)
		}
	}
	negated, mult := 0, 1.0
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		isNeg, isInt := false, 0.0
		for _, l := range sources {
			isNeg = isNeg || l.negators[t.text]
			if v, ok := l.intensify[t.text]; ok && isInt == 0 {
				isInt = v
			}
		}
		if isNeg {
			negated = 3
			if t.end {
				negated = 0
			}
			continue
		}
		if isInt != 0 && i+1 < len(toks) {
			mult *= isInt
			continue
		}
		w, what, ok := 0.0, t.text, false
		if w, ok = extra[t.text]; ok {
			what = "list: " + t.text
		}
		if !ok && i+1 < len(toks) {
			pair := t.text + " " + toks[i+1].text
			for _, l := range sources {
				if pw, found := l.phrases[pair]; found {
					w, what, ok = pw, pair, true
					i++
					break
				}
			}
			if pw, found := extra[pair]; !ok && found {
				w, what, ok = pw, "list: "+pair, true
				i++
			}
		}
		for _, l := range sources {
			if ok {
				break
			}
			w, ok = l.oldLookup(t.text)
		}
		if ok && w == 0 {
			ok = false // a neutral phrase, listed to stop a word inside it counting
		}
		if ok {
			if t.caps {
				w *= 1.5
				what += " (CAPS)"
			}
			w *= mult
			if negated > 0 {
				if w > 0 {
					w, what = -0.9*w, "not "+what
				} else {
					w, what = -0.4*w, "not "+what
				}
			}
			add(w, fmt.Sprintf("%q %+.1f", what, w))
			mult, negated = 1, 0 // a negation turns one opinion word
		}
		if negated > 0 {
			negated--
		}
		if t.end {
			negated, mult = 0, 1
		}
	}
	for _, e := range emojis {
		add(emoji[e], fmt.Sprintf("%s %+.1f", e, emoji[e]))
	}
	// "(((" is a sad face and ")))" a smile in Russian-speaking chats.
	if n := maxRun(text, '('); n >= 2 {
		add(-1.5, "(((")
	} else if n := maxRun(text, ')'); n >= 2 {
		add(1.5, ")))")
	}
	if score != 0 {
		if n := maxRun(text, '!') + maxRun(text, '?'); n >= 2 {
			score *= 1.3
			r.Reasons = append(r.Reasons, "repeated !/?")
		}
		if shouting(text) {
			score *= 1.3
			r.Reasons = append(r.Reasons, "ALL CAPS")
		}
	}
	switch rating {
	case 1:
		add(-4, "rating 1★")
	case 2:
		add(-3, "rating 2★")
	case 3:
		// three stars is the middle: it decides nothing by itself
	case 4:
		add(2, "rating 4★")
	case 5:
		add(3, "rating 5★")
	}
	r.Score = math.Round(math.Tanh(score/3)*1000) / 1000
	switch {
	case score <= negThreshold:
		r.Label = Negative
	case score >= posThreshold:
		r.Label = Positive
	default:
		r.Label = Neutral
	}
	if r.Reasons == nil {
		r.Reasons = []string{}
	}
	return r
}

// oldLookup is lookup before whole-word stems: any word starting with a
// stem matched it.
func (l *lang) oldLookup(tok string) (float64, bool) {
	if w, ok := l.words[tok]; ok {
		return w, true
	}
	if len(tok) < 2 {
		return 0, false
	}
	for _, s := range l.stems[tok[:2]] {
		if strings.HasPrefix(tok, s.prefix) {
			return s.weight, true
		}
	}
	return 0, false
}
