package inbox

import (
	"strings"
	"testing"
)

func TestTextLimitCountsLikeEachNetwork(t *testing.T) {
	family := "👨\u200d👩\u200d👧" // one family emoji: 5 code points, one grapheme
	cases := []struct {
		unit CountUnit
		text string
		want int
	}{
		{CountChars, "héllo", 5},
		{CountChars, "e\u0301", 2}, // e + combining acute: two code points
		{CountGraphemes, "e\u0301", 1},
		{CountGraphemes, family, 1},
		{CountGraphemes, "👍🏽👍🏽", 2},
		{CountGraphemes, "Привет!", 7},
		{CountBytes, "héllo", 6},
		{CountBytes, "Привет", 12},
		{CountWeighted, "hello", 5},
		{CountWeighted, "こんにちは", 10},
		{CountWeighted, "see https://example.com/a/very/long/path/that/goes/on?and=on", 4 + 23},
		{CountWeighted, family, 2},
		{CountWeighted, "👍🏽", 2},
	}
	for _, c := range cases {
		if got := (TextLimit{Max: 1, Unit: c.unit}).Count(c.text); got != c.want {
			t.Errorf("%s %q: %d, want %d", c.unit, c.text, got, c.want)
		}
	}
}

func TestTextLimitOverAndMessage(t *testing.T) {
	bsky := TextLimit{Max: 300, Unit: CountGraphemes}
	if bsky.Over(strings.Repeat("👨\u200d👩\u200d👧", 300)) {
		t.Fatal("300 family emoji are 300 graphemes: within Bluesky's limit")
	}
	if !bsky.Over(strings.Repeat("e\u0301", 301)) {
		t.Fatal("301 accented e are over 300 graphemes")
	}
	if (TextLimit{}).Over(strings.Repeat("x", 100000)) {
		t.Fatal("no limit stated: nothing is over")
	}
	err := TextLimit{Max: 1000, Unit: CountBytes}.CheckLength("instagram", strings.Repeat("я", 501))
	if err == nil || err.Error() != "the reply is 2 over instagram's limit of 1000 bytes; shorten it (the draft is kept): invalid" {
		t.Fatalf("message: %v", err)
	}
}
