package tui

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sahilm/fuzzy"

	"github.com/parleyhq/parley/inbox"
)

// fold lower-cases text and strips diacritics (België → belgie), so the
// filter finds a name however it is typed. orig[i] is the byte offset in s
// of the rune that folded byte i came from, to map matches back.
func fold(s string) (string, []int) {
	var b strings.Builder
	orig := make([]int, 0, len(s))
	for i, r := range s {
		start := b.Len()
		inbox.FoldRune(&b, r)
		for range b.Len() - start {
			orig = append(orig, i)
		}
	}
	return b.String(), orig
}

// unfoldOffsets maps byte offsets into fold(s) back to offsets into s.
func unfoldOffsets(s string, idx []int) []int {
	_, orig := fold(s)
	out := make([]int, 0, len(idx))
	for _, i := range idx {
		if i >= 0 && i < len(orig) && (len(out) == 0 || out[len(out)-1] != orig[i]) {
			out = append(out, orig[i])
		}
	}
	return out
}

// rankMatches puts the matches a person means first: the query as a
// whole word, then at the start of a word (a name typed from its
// beginning), then anywhere as typed, then letters merely in order. Within each
// rank the fuzzy order stands; a whole-word match highlights the word, not
// scattered letters.
func rankMatches(q string, ms fuzzy.Matches, targets []string) fuzzy.Matches {
	if q == "" {
		return ms
	}
	rank := make(map[int]int, len(ms))
	for k := range ms {
		m := &ms[k]
		t := targets[m.Index]
		at, whole := wordStart(t, q)
		switch {
		case whole:
			rank[m.Index] = 0
		case at >= 0:
			rank[m.Index] = 1
		case strings.Contains(t, q):
			rank[m.Index], at = 2, strings.Index(t, q)
		default:
			rank[m.Index] = 3
			continue
		}
		m.MatchedIndexes = m.MatchedIndexes[:0]
		for i := at; i < at+len(q); i++ {
			m.MatchedIndexes = append(m.MatchedIndexes, i)
		}
	}
	slices.SortStableFunc(ms, func(a, b fuzzy.Match) int { return rank[a.Index] - rank[b.Index] })
	return ms
}

// wordStart is the offset of q at the start of a word of t (-1: none),
// preferring a place where q is the whole word.
func wordStart(t, q string) (at int, whole bool) {
	at = -1
	for from := 0; from < len(t); {
		i := strings.Index(t[from:], q)
		if i < 0 {
			break
		}
		i += from
		from = i + 1
		if i > 0 {
			if prev, _ := utf8.DecodeLastRuneInString(t[:i]); isWordRune(prev) {
				continue
			}
		}
		next, _ := utf8.DecodeRuneInString(t[i+len(q):])
		if i+len(q) == len(t) || !isWordRune(next) {
			return i, true
		}
		if at < 0 {
			at = i
		}
	}
	return at, false
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
