package demo

import (
	"fmt"
	"strings"
)

// Template is one demo message as the connector would post it, with the
// mood it was written in: "complaint", "praise" or "neutral". Customer
// follow-ups count as praise when the customer is content and as a
// complaint when not. Exported so that the negativity detector's tests can
// check it reads the demo the way it was meant (it cannot import this
// package's tests).
type Template struct {
	Lang, Mood, Text string
}

// Templates lists every demo text in a fixed order, a placeholder filled
// with an order number. The terminal attacks and the overlong line are
// left out: they test rendering, not mood.
func Templates() []Template {
	moodName := map[mood]string{complaint: "complaint", praise: "praise", neutral: "neutral"}
	var out []Template
	for _, l := range []lang{en, nl, ru} {
		for _, m := range []mood{complaint, praise, neutral} {
			for _, s := range texts[l][m] {
				if strings.Contains(s, "%d") {
					s = fmt.Sprintf(s, 48213)
				}
				out = append(out, Template{string(l), moodName[m], s})
			}
		}
		for _, content := range []bool{true, false} {
			m := "complaint"
			if content {
				m = "praise"
			}
			for _, s := range followUps[l][content] {
				out = append(out, Template{string(l), m, s})
			}
		}
	}
	return out
}
