package tui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/parleyhq/parley/inbox"
)

// hostileConvs are rows whose text is hard to measure: skin-tone and ZWJ
// emoji, CJK, right-to-left text, a 200-character name, combining marks
// and zero-width characters.
func hostileConvs() []inbox.Inbound {
	long := strings.Repeat("Bartholomew ", 17)[:200]
	items := []inbox.Inbound{
		msgIn("emoji", "Zoë 👩🏽‍💻👨‍👩‍👧‍👦", "👍🏿👍🏿👍🏿 thanks 🎉🎉🎉 family 👨‍👩‍👧‍👦👨‍👩‍👧‍👦 flags 🇧🇪🇯🇵", 5*time.Minute),
		msgIn("cjk", "山田太郎", "注文した商品がまだ届いていません。いつ届きますか？返金をお願いします。", 20*time.Minute),
		msgIn("rtl", "محمد علي", "مرحبا، طلبي لم يصل بعد. هل يمكنكم المساعدة؟ שלום עולם", 40*time.Minute),
		msgIn("long", long, strings.Repeat("very long preview text ", 20), 90*time.Minute),
		msgIn("marks", "Z̤͔ͧ̑̓ä͖̭\u0308̇lͮ̒ͫǒ̗\u0308\u0301 Ne\u200bw\u2060t\ufeffon", "Ç̷̡a\u0338͓ ne mar\u200bche pa\u200ds \u202egnp.exe\u202c — nai\u0308ve cafe\u0301 Ω\u0338", 60*time.Minute),
	}
	items[3].Message.Author.Name = long
	return items
}

var layoutSizes = [][2]int{{80, 24}, {100, 30}, {120, 40}, {160, 48}}

// checkWidth fails when a line of the screen is wider than the terminal or
// the screen has more lines than it.
func checkWidth(t *testing.T, d *driver, what string, w, h int) {
	t.Helper()
	s := d.screen()
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		t.Errorf("%s at %dx%d: %d lines", what, w, h, len(lines))
	}
	for i, l := range lines {
		// Both the renderer's measure and the widest a terminal may draw.
		if n, c := ansi.StringWidth(l), cellWidth(l); n > w || c > w {
			t.Errorf("%s at %dx%d: line %d is %d wide (%d drawn apart):\n%s", what, w, h, i, n, c, s)
			return
		}
	}
}

// Every pane fits every common terminal size, whatever the data holds.
func TestLayoutFitsWidth(t *testing.T) {
	for _, sz := range layoutSizes {
		w, h := sz[0], sz[1]
		t.Run(fmt.Sprintf("%dx%d", w, h), func(t *testing.T) {
			d := newDriver(t, nil, append(hostileConvs(), threeConvs()...)...)
			d.process(tea.WindowSizeMsg{Width: w, Height: h})
			d.settle()
			checkWidth(t, d, "list", w, h)
			d.key("?")
			checkWidth(t, d, "help", w, h)
			d.key("esc")
			d.key("S")
			waitOn(d, "stats", d.onScreen("Stats"))
			checkWidth(t, d, "stats", w, h)
			for _, l := range strings.Split(d.screen(), "\n") {
				if strings.Contains(l, "demo-facebook") && strings.Count(l, "%") != 2 ||
					strings.Trim(l, "│ ") == "answered" || strings.Trim(l, "│ ") == "reports)" {
					t.Errorf("stats row wraps at %d: %q", w, l)
				}
			}
			d.key("esc")
			d.key("enter")
			waitOn(d, "conversation", func() bool { return d.m.conv != nil && d.m.conv.thread != nil })
			checkWidth(t, d, "conversation", w, h)
			d.key("r")
			waitOn(d, "composer", func() bool { return d.m.conv != nil && d.m.conv.composer != nil })
			checkWidth(t, d, "composer", w, h)
		})
	}
}

// At 80 columns the header keeps every view tab and the network filter,
// and help keeps the whole triage column.
func TestNarrowHeaderAndHelp(t *testing.T) {
	d := newDriver(t, nil, append(hostileConvs(), threeConvs()...)...)
	d.process(tea.WindowSizeMsg{Width: 80, Height: 24})
	d.settle()
	header := strings.SplitN(d.screen(), "\n", 2)[0]
	for _, want := range []string{"1 Inbox", "2 Neg", "3 Esc", "4 Snoozed", "5 Done", "6 All", "[all]"} {
		if !strings.Contains(header, want) {
			t.Fatalf("header lacks %q: %q", want, header)
		}
	}
	d.key("?")
	for _, want := range []string{"reply", "tag", "escalate", "snooze", "done", "undo"} {
		if !strings.Contains(d.screen(), " "+want) {
			t.Fatalf("help at 80x24 lacks %q:\n%s", want, d.screen())
		}
	}
}

// At 50×12 the reply box takes the lower half, and the message being
// answered stays in view above it even when a long note and the brand's
// reply come after it in the thread.
func TestShortTerminalKeepsTheMessageAnswered(t *testing.T) {
	d := newDriver(t, nil, msgIn("q", "Noor", "Do you ship to Belgium? I need it by Friday", 30*time.Minute))
	id := d.conv("q").ID
	if _, err := d.svc.AddNote(d.m.ctx, "bob", id, strings.Repeat("checked with the warehouse, ", 12)); err != nil {
		t.Fatal(err)
	}
	d.process(tea.WindowSizeMsg{Width: 50, Height: 12})
	d.settle()
	d.key("enter")
	d.until(func() bool { return d.m.conv != nil && d.m.conv.thread != nil }, "the conversation")
	d.key("r")
	d.until(func() bool { return d.m.conv.composer != nil }, "the composer")
	checkWidth(t, d, "composer", 50, 12)
	d.wantScreen("Noor", "Do you ship to Belgium?", "Write a reply")
	// A thread reload while writing (the draft saved, a colleague's note)
	// keeps it there.
	d.typeText("Yes, ")
	if _, err := d.svc.AddNote(d.m.ctx, "cy", id, "another note"); err != nil {
		t.Fatal(err)
	}
	d.until(func() bool { return len(d.m.conv.thread.Notes) == 2 }, "the second note")
	d.wantScreen("Do you ship to Belgium?")
	// The saved replies open over it whole, bottom border and all.
	for _, f := range []string{"sorry.txt", "thanks.txt", "refund.txt", "late.txt"} {
		if err := os.WriteFile(filepath.Join(d.m.opt.RepliesDir, f), []byte("Hi {{first_name}}, "+strings.Repeat("sorry ", 30)), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	d.key("ctrl+r")
	d.until(func() bool { return d.m.overlay != nil }, "the saved replies")
	checkWidth(t, d, "saved replies", 50, 12)
	d.wantScreen("Saved replies", "Preview for Noor", "╰")
}

// Help at 80×24 shows every key with its whole description; where it is
// taller than the screen (60 columns, 50×12) it scrolls, says so in its
// title, and reaches the last key.
func TestHelpReadableAndScrolls(t *testing.T) {
	d := newDriver(t, nil, threeConvs()...)
	d.process(tea.WindowSizeMsg{Width: 80, Height: 24})
	d.settle()
	d.key("?")
	checkWidth(t, d, "help", 80, 24)
	if s := d.screen(); strings.Contains(s, "…") || strings.Contains(s, "scroll") {
		t.Fatalf("help at 80x24 cuts or scrolls:\n%s", s)
	}
	for _, b := range d.m.keys.FullHelp() {
		for _, k := range b {
			d.wantScreen(" " + k.Help().Desc)
		}
	}
	d.key("esc")
	for _, sz := range [][2]int{{60, 24}, {50, 12}} {
		w, h := sz[0], sz[1]
		d.process(tea.WindowSizeMsg{Width: w, Height: h})
		d.key("?")
		checkWidth(t, d, "help", w, h)
		d.wantScreen("j/k", "scroll", " reply") // triage first
		if strings.Contains(d.screen(), "profile: (un)link") {
			t.Fatalf("help at %dx%d fits after all:\n%s", w, h, d.screen())
		}
		d.key("G")
		checkWidth(t, d, "help scrolled", w, h)
		d.wantScreen("profile: (un)link")
		d.key("k")
		if d.m.overlay == nil {
			t.Fatalf("k closed the help at %dx%d instead of scrolling", w, h)
		}
		d.key("x")
		if d.m.overlay != nil {
			t.Fatalf("x did not close the help at %dx%d", w, h)
		}
	}
}

// Stats on a terminal too short for it scrolls like help instead of losing
// its bottom; where it fits, any key closes it as before.
func TestStatsScrollsWhenShort(t *testing.T) {
	d := newDriver(t, nil, threeConvs()...)
	d.process(tea.WindowSizeMsg{Width: 80, Height: 24})
	d.settle()
	d.key("S")
	d.untilScreen("Stats, last 30 days", "any key closes", "╰")
	d.key("j")
	if d.m.overlay != nil {
		t.Fatal("j did not close stats that fit the screen")
	}
	d.process(tea.WindowSizeMsg{Width: 50, Height: 12})
	d.key("S")
	d.untilScreen("Stats, last 30 days", "j/k", "╰")
	checkWidth(t, d, "stats", 50, 12)
	if strings.Contains(d.screen(), "per day") {
		t.Fatalf("stats fits at 50x12 after all:\n%s", d.screen())
	}
	d.key("G")
	d.wantScreen("per day", "╰")
	checkWidth(t, d, "stats scrolled", 50, 12)
	d.key("x")
	if d.m.overlay != nil {
		t.Fatal("x did not close the stats")
	}
}
