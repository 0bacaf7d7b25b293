package negativity

import (
	"strings"
	"unicode"
)

// clean drops what carries no sentiment and misleads language detection:
// links (also a bare "http", what is left of a link that was cut off or
// anonymised, as retweets and shared datasets do), @mentions and the # of
// hashtags, whose words are split where
// their case changes (#NeverAgain → "Never Again", #НеРаботает →
// "Не Работает"). Text without any of them is returned as is.
func clean(s string) string {
	if !strings.ContainsAny(s, "@#/") && !strings.Contains(s, "www.") && !strings.Contains(s, "http") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for field := range strings.FieldsSeq(s) {
		low := field
		switch {
		case strings.HasPrefix(low, "http://"), strings.HasPrefix(low, "https://"), strings.HasPrefix(low, "www."),
			bareLink(low),
			strings.HasPrefix(low, "@") && len(low) > 1:
			// A trailing sad face or stop after a link still counts.
			if i := strings.LastIndexAny(field, "(.!?"); i > 0 && (field[i] == '(' || i == len(field)-1) {
				b.WriteString(field[i:])
			}
			b.WriteByte(' ')
			continue
		case strings.HasPrefix(low, "#") && len(low) > 1:
			prev := rune(0)
			for _, r := range field[1:] {
				switch {
				case r == '_' || r == '#':
					b.WriteByte(' ')
				case unicode.IsUpper(r) && unicode.IsLower(prev):
					b.WriteByte(' ')
					b.WriteRune(r)
				default:
					b.WriteRune(r)
				}
				prev = r
			}
			b.WriteByte(' ')
			continue
		}
		b.WriteString(field)
		b.WriteByte(' ')
	}
	return b.String()
}

// bareLink: "http", "https" or "http…" standing alone, with at most a
// stop or a cut-off mark after it.
func bareLink(f string) bool {
	f = strings.TrimRight(f, ".,;:!?…")
	return f == "http" || f == "https" || f == "HTTP" || f == "http:" || f == "https:"
}

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

// detectLang decides the language of cleaned text. A message with a fair
// share of Cyrillic letters is Russian even when it mixes in Latin words
// ("мой order опоздал"); Latin text votes by stop words, lexicon words and
// tell-tale letters; when nothing votes, the lexicons of all languages are
// asked, and only then is the answer "und".
func detectLang(s string, toks []token, m *Model) string {
	cyr, lat := 0, 0
	for _, r := range s {
		switch {
		case r < 0x80:
			if r|0x20 >= 'a' && r|0x20 <= 'z' {
				lat++
			}
		case unicode.Is(unicode.Cyrillic, r):
			cyr++
		case unicode.Is(unicode.Latin, r):
			lat++
		}
	}
	if cyr > 0 && cyr*3 >= lat {
		return "ru"
	}
	var votes voteBox
	for _, t := range toks {
		v, ok := wordVotes[t.text]
		if !ok {
			continue
		}
		for i := range 5 {
			votes[i] += v[i]
		}
		if cyr == 0 {
			votes[5] += v[5] // transliterated Russian
		}
	}
	// Transliterated Russian wins on its words; other Latin text is told
	// apart by the identifier the model carries (langid.go), and by the
	// votes below only without one.
	if m != nil && votes[5] <= max(votes[0], votes[1], votes[2], votes[3], votes[4]) {
		if l := m.identify(toks); l != "" {
			return l
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
	if tied(&votes) {
		// "No funciona.": "no" is English and Spanish alike; the language
		// whose complaint patterns read the message breaks the tie.
		var hits [8]patternHit
		for i, code := range langOrder[:5] {
			if len(complaints(code, toks, hits[:0])) > 0 {
				votes[i]++
			}
		}
	}
	if best := pick(&votes); best != "und" {
		return best
	}
	if cyr > 0 {
		return "ru"
	}
	// The fallback: the language whose lexicons know most of the words.
	if m != nil {
		for _, t := range toks {
			for i, code := range langOrder[:5] {
				if _, ok := m.lex[code][t.text]; ok {
					votes[i]++
				}
			}
		}
	}
	return pick(&votes)
}

// tied is whether two languages share the highest vote.
func tied(v *voteBox) bool {
	top, n := 0.0, 0
	for _, x := range v {
		switch {
		case x > top:
			top, n = x, 1
		case x == top && x > 0:
			n++
		}
	}
	return n > 1
}

func pick(v *voteBox) string {
	best, bestV := "und", 0.0
	for i, code := range langOrder {
		if v[i] > bestV {
			best, bestV = code, v[i]
		}
	}
	return best
}

// wordVotes is what one word votes for each language in detectLang, all
// of it in one map so that a word costs one lookup, not eleven: 1 for a
// stop word of en…es, 0.5 for a lexicon word of nl…es, and 1.5 for Russian
// when a Russian lexicon word is written in Latin letters. It is built
// once the lexicons are (at the end of lexscore.go's init).
var wordVotes map[string]voteBox

func buildWordVotes() {
	wordVotes = map[string]voteBox{}
	add := func(w string, i int, n float64) {
		v := wordVotes[w]
		v[i] += n
		wordVotes[w] = v
	}
	for i, code := range langOrder[:5] {
		for w := range stopSets[i] {
			add(w, i, 1)
		}
		if code != "en" {
			for w := range langs[code].words {
				add(w, i, 0.5)
			}
		}
	}
	for w := range langs["ru"].words {
		add(w, 5, 1.5)
	}
}

var stopSets = func() (out [5]map[string]bool) {
	for i, code := range langOrder[:5] {
		out[i] = map[string]bool{}
		for _, w := range stopwords[code] {
			out[i][w] = true
		}
	}
	return
}()

// bracketFaces reads the parentheses Russian-speaking writers use as
// faces: "((("/")))", and a single "(" or ")" right after Cyrillic text
// ("Опять связь пропала(") that opens or closes nothing.
func bracketFaces(s string) (sad, happy bool) {
	if maxRun(s, '(') >= 2 {
		return true, false
	}
	if maxRun(s, ')') >= 2 {
		return false, true
	}
	opens, prevCyr := 0, false
	for i, r := range s {
		switch r {
		case '(':
			if prevCyr && !strings.ContainsRune(s[i+1:], ')') {
				sad = true
			}
			opens++
		case ')':
			if opens == 0 && prevCyr {
				happy = true
			}
			opens = max(opens-1, 0)
		}
		if r == ' ' {
			continue
		}
		prevCyr = unicode.Is(unicode.Cyrillic, r)
	}
	return sad, happy
}

// laughter is never negated: "НИЧЕГО НЕ ПОНИМАЮ АХАХАХ" is amused.
func laughter(w string) bool {
	// Every prefix starts with one of these bytes (а and х are 0xd0 0xb0
	// and 0xd1 0x85): most words are told apart by their first byte alone,
	// which matters because analyse asks for every word.
	if len(w) < 2 {
		return false
	}
	switch w[0] {
	case 'h', 'j', 'l', 'm', 'x', 'p', 0xd0, 0xd1:
	default:
		return false
	}
	for _, p := range [...]string{"ахах", "хаха", "хах", "haha", "hihi", "jaja", "jeje", "lol", "mdr", "xd", "ptdr"} {
		if strings.HasPrefix(w, p) {
			return true
		}
	}
	return false
}
