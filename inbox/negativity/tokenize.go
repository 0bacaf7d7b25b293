package negativity

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

type token struct {
	text string // lower case
	caps bool   // written in capitals (3+ letters)
	end  bool   // a clause ends after it (, . ; : ! ?): negation stops there
}

// tokenize splits into words (letters, digits, apostrophes) and notes
// emoji and emoticons on the way.
func tokenize(s string, emojis *[]string) []token {
	return tokenizeInto(s, emojis, make([]token, 0, len(s)/5+1))
}

// tokenizeInto is tokenize appending to toks, so a caller can reuse it.
func tokenizeInto(s string, emojis *[]string, toks []token) []token {
	start, upper, letters, rewrite := -1, 0, 0, false
	// Words that need lower-casing (or ’ straightened, or ё written as
	// е, as most Russian posts do, so "всё" and "все", "ещё" and "еще"
	// are one word to the model and the lexicons) are written into
	// one buffer per message and sliced from it: one allocation for the
	// message instead of one per capitalised word. Most words need
	// neither, and then the token is a slice of s.
	var low strings.Builder
	flush := func(end int) {
		if start < 0 {
			return
		}
		w := s[start:end]
		if upper > 0 || rewrite {
			if low.Cap() == 0 {
				low.Grow(len(s) + 8)
			}
			from := low.Len()
			for _, r := range w {
				switch r {
				case '’':
					r = '\''
				case 'ё', 'Ё':
					r = 'е'
				}
				low.WriteRune(unicode.ToLower(r))
			}
			w = low.String()[from:]
		}
		// French and Italian elisions: l'homme → l' + homme.
		if i := strings.IndexByte(w, '\''); i > 0 && i <= 2 && i < len(w)-1 && !strings.HasSuffix(w, "'t") {
			toks = append(toks, token{text: w[:i+1]})
			w = w[i+1:]
		}
		toks = append(toks, token{text: w, caps: letters >= 3 && upper == letters})
		start, upper, letters, rewrite = -1, 0, 0, false
	}
	fieldStart := -1
	for i, r := range s {
		if unicode.IsSpace(r) {
			flush(i)
			// An emoticon is a whole field: ":(" "<3" ":-)".
			if fieldStart >= 0 {
				if f, ok := emoticon(s[fieldStart:i]); ok {
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
			rewrite = rewrite || r == '’' || r == 'ё' || r == 'Ё'
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
				var b [utf8.UTFMax]byte
				if k := utf8.EncodeRune(b[:], r); emoji[string(b[:k])] != 0 {
					*emojis = append(*emojis, s[i:i+k])
				}
			}
		}
	}
	flush(len(s))
	if fieldStart >= 0 {
		if f, ok := emoticon(s[fieldStart:]); ok {
			*emojis = append(*emojis, f)
		}
	}
	return toks
}

// Fold is how a word from a list (the manager's word list, a lexicon)
// is written to meet the tokens: lower case, and ё as е.
func Fold(w string) string {
	return strings.ReplaceAll(strings.ToLower(w), "ё", "е")
}

// emoticon is a field as its lower-cased emoticon, if it is one; the
// length test comes first so that ordinary words are not lower-cased.
func emoticon(f string) (string, bool) {
	if len(f) < 2 || len(f) > 4 || f[0] >= 0x80 {
		return "", false
	}
	f = strings.ToLower(f)
	return f, isEmoticon(f)
}

// isEmoticon: an ASCII face such as ":(" or "<3" (no letters but d/p).
func isEmoticon(f string) bool {
	if len(f) < 2 || len(f) > 4 || f[0] >= 0x80 {
		return false
	}
	_, ok := emoji[f]
	return ok
}

// punctRun is the longest run of ! and ? together ("?!" is 2). The model
// used to add the longest "!" run to the longest "?" run, so any message
// with a question and an exclamation anywhere read as "repeated !/?", and
// questions in excited tweets leaned negative.
func punctRun(s string) int {
	best, cur := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == '!' || s[i] == '?' {
			cur++
			best = max(best, cur)
		} else {
			cur = 0
		}
	}
	return best
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
