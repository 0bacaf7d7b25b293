package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/rivo/uniseg"

	"github.com/parleyhq/parley/inbox"
)

// networkBadge is the short column label of a network.
func networkBadge(n string) string {
	switch strings.TrimPrefix(n, "demo-") {
	case "facebook":
		return "fb"
	case "instagram":
		return "ig"
	case "vk":
		return "vk"
	case "google":
		return "gr"
	case "mastodon":
		return "md"
	case "odnoklassniki":
		return "ok"
	case "youtube":
		return "yt"
	case "twitter", "x":
		return "x"
	case "telegram":
		return "tg"
	case "bluesky":
		return "bs"
	}
	if len(n) > 2 {
		return n[:2]
	}
	return n
}

func kindLabel(c inbox.Conversation) string {
	switch c.Kind {
	case inbox.KindDM:
		return "DM"
	case inbox.KindReview:
		return "review"
	}
	return string(c.Kind)
}

func stars(n int) string {
	if n < 1 || n > 5 {
		return ""
	}
	return strings.Repeat("★", n) + strings.Repeat("☆", 5-n)
}

// age is a compact "how long ago".
func age(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "now"
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d/time.Hour))
	case d < 60*24*time.Hour:
		return fmt.Sprintf("%dd", int(d/(24*time.Hour)))
	}
	return t.Format("Jan 06")
}

// ago is age for sentences: "just now", "3m ago".
func ago(t, now time.Time) string {
	switch a := age(t, now); {
	case a == "now":
		return "just now"
	case now.Sub(t) >= 60*24*time.Hour:
		return "on " + t.Format("2 Jan 2006")
	default:
		return a + " ago"
	}
}

// until is a compact "in how long".
func until(t, now time.Time) string {
	d := t.Sub(now)
	switch {
	case d <= 0:
		return "due"
	case d < time.Hour:
		return fmt.Sprintf("in %dm", int(d/time.Minute)+1)
	case d < 48*time.Hour:
		return fmt.Sprintf("in %dh", int(d/time.Hour))
	}
	return t.Format("Mon 2 Jan 15:04")
}

// clusterWidth is how wide any terminal may draw one grapheme cluster.
// x/ansi (the renderer's measure) counts an emoji sequence — skin tone,
// ZWJ family, flag — as one wide cell, but tmux and older terminals draw
// each part; taking the larger keeps the right-hand columns on screen in
// both, at the cost of a little slack in the terminals that join them.
func clusterWidth(c string) int {
	w := ansi.StringWidth(c)
	if len(c) <= 4 { // one rune
		return w
	}
	sum := 0
	for _, r := range c {
		sum += uniseg.StringWidth(string(r))
	}
	return max(w, sum)
}

// cellWidth is the conservative display width of plain text.
func cellWidth(s string) int {
	w := 0
	g := uniseg.NewGraphemes(s)
	for g.Next() {
		w += clusterWidth(g.Str())
	}
	return w
}

// fitCell cuts plain text to at most w columns by conservative width,
// ending in "…" when cut, and pads it with spaces to w.
func fitCell(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if n := cellWidth(s); n <= w {
		return s + strings.Repeat(" ", w-n)
	}
	var b strings.Builder
	used := 0
	g := uniseg.NewGraphemes(s)
	for g.Next() {
		cw := clusterWidth(g.Str())
		if used+cw > w-1 {
			break
		}
		b.WriteString(g.Str())
		used += cw
	}
	b.WriteString("…")
	used++
	return b.String() + strings.Repeat(" ", max(w-used, 0))
}

// cutCell is fitCell without the padding.
func cutCell(s string, w int) string {
	if cellWidth(s) <= w {
		return s
	}
	return fitCell(s, w)
}
