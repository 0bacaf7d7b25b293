// Package negativity scores messages on the machine, in-process, in
// English, Dutch, German, French, Spanish and Russian: a lexicon per
// language with negation, intensifiers, emoji, ALL CAPS, repeated
// punctuation and star ratings, plus a word list the manager can extend.
// Everything it knows is in this package; nothing is downloaded.
package negativity

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Label is the verdict.
type Label string

// Labels.
const (
	Negative Label = "negative"
	Neutral  Label = "neutral"
	Positive Label = "positive"
)

// Result is a verdict with what decided it.
type Result struct {
	Label   Label    `json:"label"`
	Score   float64  `json:"score"` // -1 (very negative) … +1
	Lang    string   `json:"lang"`  // en, nl, de, fr, es, ru, or und
	Reasons []string `json:"reasons"`
}

// Thresholds on the raw sum of weights; tuned on the development half of
// the evaluation data only (see quality_test.go).
const (
	negThreshold = -0.5
	posThreshold = 1.5
)

type stem struct {
	prefix string
	weight float64
}

type lang struct {
	words     map[string]float64
	stems     map[string][]stem  // by their first two bytes, longest first
	phrases   map[string]float64 // two or three words
	negators  map[string]bool
	intensify map[string]float64
	stop      map[string]bool
}

var langs = map[string]*lang{}

func init() {
	for code, lex := range lexicons {
		l := &lang{words: map[string]float64{}, stems: map[string][]stem{}, phrases: map[string]float64{}, negators: map[string]bool{},
			intensify: intensifiers[code], stop: map[string]bool{}}
		for k, w := range lex {
			switch {
			case strings.Contains(k, " "):
				l.phrases[k] = w
			case strings.HasSuffix(k, "*"):
				p := strings.TrimSuffix(k, "*")
				if len(p) < 2 {
					panic("negativity: stem too short: " + k)
				}
				l.stems[p[:2]] = append(l.stems[p[:2]], stem{p, w})
			default:
				l.words[k] = w
			}
		}
		for _, ss := range l.stems {
			sort.Slice(ss, func(i, j int) bool { return len(ss[i].prefix) > len(ss[j].prefix) })
		}
		for _, n := range negators[code] {
			l.negators[n] = true
		}
		for _, s := range stopwords[code] {
			l.stop[s] = true
		}
		langs[code] = l
	}
}

func (l *lang) lookup(tok string) (float64, bool) {
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

type token struct {
	text string // lower case
	caps bool   // written in capitals (3+ letters)
	end  bool   // a clause ends after it (, . ; : ! ?): negation stops there
}

// tokenize splits into words (letters, digits, apostrophes) and notes
// emoji and emoticons on the way.
func tokenize(s string, emojis *[]string) []token {
	toks := make([]token, 0, len(s)/5+1)
	start, upper, letters, curly := -1, 0, 0, false
	flush := func(end int) {
		if start < 0 {
			return
		}
		w := s[start:end]
		// Lower-case (and straighten ’) only when needed: most words need
		// neither, and then the token is a slice of s, with no allocation.
		if upper > 0 || curly {
			w = strings.ToLower(w)
			if curly {
				w = strings.ReplaceAll(w, "’", "'")
			}
		}
		// French and Italian elisions: l'homme → l' + homme.
		if i := strings.IndexByte(w, '\''); i > 0 && i <= 2 && i < len(w)-1 && !strings.HasSuffix(w, "'t") {
			toks = append(toks, token{text: w[:i+1]})
			w = w[i+1:]
		}
		toks = append(toks, token{text: w, caps: letters >= 3 && upper == letters})
		start, upper, letters, curly = -1, 0, 0, false
	}
	fieldStart := -1
	for i, r := range s {
		if unicode.IsSpace(r) {
			flush(i)
			// An emoticon is a whole field: ":(" "<3" ":-)".
			if fieldStart >= 0 {
				if f := strings.ToLower(s[fieldStart:i]); isEmoticon(f) {
					*emojis = append(*emojis, f)
				}
			}
			fieldStart = -1
			continue
		}
		if fieldStart < 0 {
			fieldStart = i
		}
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\'' || r == '’':
			if start < 0 {
				start = i
			}
			curly = curly || r == '’'
			if unicode.IsLetter(r) {
				letters++
				if unicode.IsUpper(r) {
					upper++
				}
			}
		default:
			flush(i)
			if strings.ContainsRune(",.;:!?", r) && len(toks) > 0 {
				toks[len(toks)-1].end = true
			}
			if r >= 0x2000 { // emoji and symbols; ASCII punctuation is handled as emoticons
				if e := string(r); emoji[e] != 0 {
					*emojis = append(*emojis, e)
				}
			}
		}
	}
	flush(len(s))
	if fieldStart >= 0 {
		if f := strings.ToLower(s[fieldStart:]); isEmoticon(f) {
			*emojis = append(*emojis, f)
		}
	}
	return toks
}

// isEmoticon: an ASCII face such as ":(" or "<3" (no letters but d/p).
func isEmoticon(f string) bool {
	if len(f) < 2 || len(f) > 4 || f[0] >= 0x80 {
		return false
	}
	_, ok := emoji[f]
	return ok
}

// detectLang decides the language: Cyrillic script means Russian; Latin
// text votes by stop words, lexicon hits and tell-tale letters.
// langOrder is the order languages win ties in.
var langOrder = [6]string{"en", "nl", "de", "fr", "es", "ru"}

// voteBox counts votes per language without allocating.
type voteBox [6]float64

func (v *voteBox) add(code string, n float64) {
	for i, c := range langOrder {
		if c == code {
			v[i] += n
			return
		}
	}
}

func detectLang(s string, toks []token) string {
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
func (d *Detector) Classify(text string, rating int) Result {
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
	code := detectLang(text, toks)
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
			w, ok = l.lookup(t.text)
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

func maxRun(s string, c rune) int {
	best, cur := 0, 0
	for _, r := range s {
		if r == c {
			cur++
			best = max(best, cur)
		} else {
			cur = 0
		}
	}
	return best
}

// shouting: mostly capital letters over a meaningful stretch of text.
func shouting(s string) bool {
	up, letters := 0, 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			letters++
			if unicode.IsUpper(r) {
				up++
			}
		}
	}
	return letters >= 8 && up*10 >= letters*7 && utf8.RuneCountInString(s) > 0
}
