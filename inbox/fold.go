package inbox

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// foldExtra are letters that do not decompose into a base and a mark.
var foldExtra = map[rune]string{
	'ø': "o", 'ł': "l", 'đ': "d", 'ħ': "h", 'ı': "i", 'ß': "ss", 'æ': "ae", 'œ': "oe", 'þ': "th",
}

// FoldRune writes r as parley compares text: lower case, without its
// diacritics (é → e), and letters that do not decompose spelt out (ß → ss,
// ø → o); a combining mark writes nothing. The list filter and the
// matching of a customer's names across networks both fold through here,
// so "België" and "belgie", "José" and "Jose" are one spelling everywhere.
func FoldRune(b *strings.Builder, r rune) {
	if r < utf8.RuneSelf {
		b.WriteRune(unicode.ToLower(r))
		return
	}
	for _, d := range norm.NFD.String(string(r)) {
		if unicode.Is(unicode.Mn, d) {
			continue
		}
		d = unicode.ToLower(d)
		if x, ok := foldExtra[d]; ok {
			b.WriteString(x)
			continue
		}
		b.WriteRune(d)
	}
}
