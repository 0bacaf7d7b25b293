package negativity

import (
	"sort"
	"strings"
	"unicode/utf8"
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
	marks     map[string]uint8 // negator, person and reporting words (stance.go)
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
		l.marks = stanceMarks(code)
		for _, n := range negators[code] {
			l.negators[n] = true
			l.marks[n] |= markNegator
		}
		for _, s := range stopwords[code] {
			l.stop[s] = true
		}
		langs[code] = l
	}
	buildWordVotes()
}

// lookup finds a word, or a stem that the word inflects: the rest of the
// word is a short ending, not another word ("problemlos" is not a problem,
// "slechts" is not "slecht"), and the word is not a listed exception.
func (l *lang) lookup(tok string) (float64, bool) {
	if w, ok := l.words[tok]; ok {
		return w, true
	}
	if len(tok) < 2 || stemExceptions[tok] {
		return 0, false
	}
	for _, s := range l.stems[tok[:2]] {
		if !strings.HasPrefix(tok, s.prefix) {
			continue
		}
		rest := tok[len(s.prefix):]
		if utf8.RuneCountInString(rest) > 5 || privative(rest) {
			return 0, false
		}
		return s.weight, true
	}
	return 0, false
}

// privative endings turn a stem into its opposite: problem-los, pain-less.
func privative(rest string) bool {
	for _, p := range [...]string{"los", "loos", "less", "frei", "vrij"} {
		if strings.HasPrefix(rest, p) {
			return true
		}
	}
	return false
}

// stemExceptions are words a stem would catch that mean something else.
var stemExceptions = map[string]bool{
	"slechts": true,                                   // nl "only"
	"killer":  true, "killers": true, "crystal": true, // en "kill*", "cry*"
	"lieber": true, "sorgfältig": true, "sorgfalt": true, // de "rather", "care"
	"contentieux": true, "retardataire": true, // fr
}
