package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/parleyhq/parley/inbox/sanitize"
)

// Emoji sequences on which terminals, tmux and the renderer disagree are
// shown as parts every one of them measures alike.
func TestPlainEmoji(t *testing.T) {
	for in, want := range map[string]string{
		"👍🏿 ok":       "👍 ok",
		"👩🏽‍💻":        "👩💻",
		"👨‍👩‍👧‍👦":     "👨👩👧👦",
		"🤦🏾‍♀️ sigh":  "🤦 sigh",
		"❤️ love":     "❤ love",
		"❤️‍🔥":        "❤🔥",
		"🏴󠁧󠁢󠁳󠁣󠁴󠁿":     "🏴",
		"🇧🇪 België":   "🇧🇪 België",
		"plain":       "plain",
		"\x1b[31mred": "red", // still sanitised
	} {
		if got := screenLine(in); got != want {
			t.Errorf("screenLine(%q) = %q, want %q", in, got, want)
		}
	}
	// Text that is not emoji is left as sanitize leaves it.
	for _, s := range []string{"क्‍ष", "مرحبا", "山田"} {
		if got := screenLine(s); got != sanitize.Line(s) {
			t.Errorf("screenLine(%q) = %q, sanitize.Line gives %q", s, got, sanitize.Line(s))
		}
	}
	for _, s := range []string{"👩💻", "👨👩👧👦", "🤦", "❤🔥", "🇧🇪"} {
		if wc, g := ansi.WcWidth.StringWidth(s), ansi.GraphemeWidth.StringWidth(s); wc != g {
			t.Errorf("%q: %d cells by code point, %d by cluster", s, wc, g)
		}
	}
}

// At 80 columns every row keeps its age column by the renderer's own
// measure when the terminal does not join clusters (tmux): per code point.
func TestHostileRowsKeepTheAge(t *testing.T) {
	d := newDriver(t, nil, hostileConvs()...)
	d.process(tea.WindowSizeMsg{Width: 80, Height: 24})
	d.settle()
	lines := strings.Split(d.screen(), "\n")
	for _, l := range lines[1 : 1+len(hostileConvs())] {
		if w := ansi.WcWidth.StringWidth(l); w > 80 {
			t.Errorf("row is %d cells by code point:\n%s", w, l)
		}
		f := strings.Fields(l)
		if age := f[len(f)-1]; !strings.HasSuffix(age, "m") && !strings.HasSuffix(age, "h") {
			t.Errorf("row lost its age column: %q", l)
		}
	}
}
