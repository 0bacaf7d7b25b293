package inbox

import (
	"fmt"
	"regexp"
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

// CountUnit says how a network measures the length of a post: each one
// counts differently, and a reply the network would truncate or refuse must
// be caught before it is queued.
type CountUnit string

// The units networks count in.
const (
	CountChars     CountUnit = "chars"     // Unicode code points (most APIs)
	CountGraphemes CountUnit = "graphemes" // what a reader sees as one character (Bluesky)
	CountBytes     CountUnit = "bytes"     // UTF-8 bytes (Instagram DMs, Google review replies)
	CountWeighted  CountUnit = "weighted"  // X's weighted count: CJK and emoji 2, links 23
)

// TextLimit is the longest text a network accepts for one reply. The zero
// value means the network states no limit.
type TextLimit struct {
	Max  int
	Unit CountUnit
}

// Count measures s in the limit's unit.
func (l TextLimit) Count(s string) int {
	switch l.Unit {
	case CountGraphemes:
		return uniseg.GraphemeClusterCount(s)
	case CountBytes:
		return len(s)
	case CountWeighted:
		return weightedLength(s)
	default:
		return utf8.RuneCountInString(s)
	}
}

// Over reports whether s is longer than the network accepts.
func (l TextLimit) Over(s string) bool { return l.Max > 0 && l.Count(s) > l.Max }

// String is the limit as the composer states it: "500 characters".
func (l TextLimit) String() string {
	if l.Max == 0 {
		return "no limit"
	}
	unit := map[CountUnit]string{CountGraphemes: "characters (as seen)", CountBytes: "bytes",
		CountWeighted: "characters (X weighting)"}[l.Unit]
	if unit == "" {
		unit = "characters"
	}
	return fmt.Sprintf("%d %s", l.Max, unit)
}

// CheckLength refuses a text over the limit, saying by how much.
func (l TextLimit) CheckLength(network, s string) error {
	if !l.Over(s) {
		return nil
	}
	return fmt.Errorf("the reply is %d over %s's limit of %s; shorten it (the draft is kept): %w",
		l.Count(s)-l.Max, network, l, ErrInvalid)
}

var urlRE = regexp.MustCompile(`https?://[^\s]+`)

// weightedLength follows twitter-text's v3 configuration: code points in the
// Latin, general punctuation and similar ranges weigh 1, everything else
// (CJK, most emoji) 2, an emoji sequence counts once, and every link counts
// as 23 whatever its length (t.co wrapping).
func weightedLength(s string) int {
	n, prev := 0, 0
	for _, loc := range urlRE.FindAllStringIndex(s, -1) {
		n += weightedPlain(s[prev:loc[0]]) + 23
		prev = loc[1]
	}
	return n + weightedPlain(s[prev:])
}

func weightedPlain(s string) int {
	n := 0
	g := uniseg.NewGraphemes(s)
	for g.Next() {
		rs := g.Runes()
		if len(rs) > 1 && isEmojiCluster(rs) {
			n += 2
			continue
		}
		for _, r := range rs {
			if r <= 4351 || (r >= 8192 && r <= 8205) || (r >= 8208 && r <= 8223) || (r >= 8242 && r <= 8247) {
				n++
			} else {
				n += 2
			}
		}
	}
	return n
}

// isEmojiCluster: a multi-rune cluster joined by ZWJ or carrying a variation
// selector or skin tone is one emoji for X.
func isEmojiCluster(rs []rune) bool {
	for _, r := range rs {
		if r == 0x200D || r == 0xFE0F || (r >= 0x1F3FB && r <= 0x1F3FF) || r >= 0x1F000 {
			return true
		}
	}
	return false
}
