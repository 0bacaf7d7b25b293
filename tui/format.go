package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/rivo/uniseg"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/inbox/sanitize"
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

// clusterWidth is how wide the renderer may count one grapheme cluster:
// Bubble Tea measures per code point (wcwidth) unless the terminal says it
// joins clusters (mode 2027), when it measures the cluster. Taking the
// larger keeps the right-hand columns on screen either way. Text reaches
// here through screenText, which has already taken apart the emoji
// sequences on which the two (and tmux) disagree most.
func clusterWidth(c string) int {
	if len(c) == 1 {
		return ansi.StringWidth(c)
	}
	return max(ansi.WcWidth.StringWidth(c), ansi.GraphemeWidth.StringWidth(c))
}

// screenText is remote text made safe to show (sanitize.Text) and made
// measurable: terminals, tmux and the renderer disagree on the width of
// emoji sequences — 👍🏿 is 2 cells or 4, 👨‍👩‍👧‍👦 is 2 or 8, ❤️ is 1 or 2 —
// and where they disagree, the columns after one shift and the row's age
// falls off the screen. So skin-tone modifiers, variation selectors and
// tag characters are dropped, and a ZWJ sequence shows its parts side by
// side (👨👩👧👦; a narrow part such as ♀ is dropped with its joiner), on
// which everyone agrees. Only the screen changes: stored text, replies and
// exports keep every code point.
func screenText(s string) string { return plainEmoji(sanitize.Text(s)) }

// screenLine is screenText on one line (sanitize.Line).
func screenLine(s string) string { return plainEmoji(sanitize.Line(s)) }

func plainEmoji(s string) string {
	if !hasEmojiSequence(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	var prev rune
	joined := false // the last rune kept followed a dropped joiner
	for _, r := range s {
		switch {
		case isEmojiModifier(r):
			continue
		case r == '\u200d' && pictographic(prev):
			joined = true
			continue
		}
		if joined {
			joined = false
			if ansi.StringWidth(string(r)) < 2 {
				continue // ♀, ♂, ⚕ only qualified the emoji before
			}
		}
		b.WriteRune(r)
		prev = r
	}
	return b.String()
}

func hasEmojiSequence(s string) bool {
	for _, r := range s {
		if r == '\u200d' || isEmojiModifier(r) {
			return true
		}
	}
	return false
}

// isEmojiModifier: skin tones, variation selectors 15/16, tag characters.
func isEmojiModifier(r rune) bool {
	return (r >= 0x1F3FB && r <= 0x1F3FF) || r == 0xFE0E || r == 0xFE0F || (r >= 0xE0020 && r <= 0xE007F)
}

// pictographic is a rough Extended_Pictographic: the blocks emoji come
// from. A joiner after anything else (Indic, Arabic) is left alone.
func pictographic(r rune) bool {
	switch {
	case r >= 0x1F000 && r <= 0x1FAFF, r >= 0x2600 && r <= 0x27BF, r >= 0x2B00 && r <= 0x2BFF,
		r >= 0x2190 && r <= 0x23FF, r >= 0x25A0 && r <= 0x25FF, r == 0xA9, r == 0xAE, r == 0x203C, r == 0x2049,
		r == 0x2122, r == 0x2139, r == 0x3030, r == 0x303D, r == 0x3297, r == 0x3299:
		return true
	}
	return false
}

// cellWidth is the conservative display width of plain text.
func cellWidth(s string) int {
	if printableASCII(s) {
		return len(s) // most lines: one cell a byte, no clusters to read
	}
	w := 0
	g := uniseg.NewGraphemes(s)
	for g.Next() {
		w += clusterWidth(g.Str())
	}
	return w
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
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

// ansiCut cuts styled text (a pane's line, a title) to at most w columns
// by the same conservative width as fitCell, ending in "…" when cut: the
// renderer's Truncate counts clusters, so a cluster it counts narrower
// than a terminal that counts code points would push a box's border or
// the next column out. Every pane cuts its lines here.
func ansiCut(s string, w int) string {
	w = max(w, 1)
	if styledWidth(s) <= w {
		return s
	}
	for t := w; ; {
		c := ansi.Truncate(s, t, "…")
		n := styledWidth(c)
		if n <= w || t <= 1 {
			return c
		}
		t -= n - w
	}
}

// styledWidth is cellWidth of text that may carry styles.
func styledWidth(s string) int {
	if strings.IndexByte(s, '\x1b') >= 0 {
		s = ansi.Strip(s)
	}
	return cellWidth(s)
}

// cutLines is ansiCut on every line of s: wrapped remote text (a note, a
// preview) after lipgloss has wrapped it by its own measure.
func cutLines(s string, w int) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = ansiCut(l, w)
	}
	return strings.Join(lines, "\n")
}

// nameLimit is the most cells a person's name takes in a sentence (a
// flash, a picker item, a question): enough to tell people apart, never
// the whole line.
const nameLimit = 32

// shortName is a remote name made safe to show and cut to nameLimit.
func shortName(s string) string { return cutCell(screenLine(s), nameLimit) }
