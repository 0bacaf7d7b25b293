package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/parleyhq/parley/inbox"
)

func (d *driver) flashed(want string) func() bool {
	return func() bool { return strings.HasPrefix(d.m.flash, want) }
}

func (d *driver) cursorOn(ext string) func() bool {
	return func() bool {
		c, ok := d.m.list.selected()
		return ok && c.ExternalID == ext
	}
}

// n says which way it went and to whom.
func TestNegativeSaysMarkedOrUnmarked(t *testing.T) {
	d := newDriver(t, nil, threeConvs()...)
	d.key("j") // Alice
	waitOn(d, "Alice selected", d.cursorOn("a"))
	d.key("n")
	waitOn(d, "the mark", d.flashed("marked negative: Alice"))
	waitOn(d, "Alice negative", func() bool { c, ok := d.m.list.selected(); return ok && c.ExternalID == "a" && c.Negative })
	d.key("n")
	waitOn(d, "the unmark", d.flashed("unmarked negative: Alice"))
}

// Bulk actions say how many; undo says what it undid and to whom, and the
// cursor goes to the conversation it brought back.
func TestBulkAndUndoSayWhat(t *testing.T) {
	d := newDriver(t, nil, threeConvs()...)
	d.key("space", "space")
	d.key(":")
	d.typeText("tag vip")
	d.key("enter")
	waitOn(d, "the bulk tag", d.flashed("tagged #vip: 2 conversations"))
	d.key("u")
	waitOn(d, "the undo", d.flashed("undid: tag on 2 conversations"))

	d.key("g")
	waitOn(d, "Mallory selected", d.cursorOn("rev"))
	d.key("d")
	waitOn(d, "done", d.flashed("done: Mallory"))
	waitOn(d, "Mallory gone", func() bool { c, ok := d.m.list.selected(); return ok && c.ExternalID != "rev" })
	d.key("j")
	d.key("u")
	waitOn(d, "the undo of done", d.flashed("undid: done on Mallory"))
	waitOn(d, "the cursor on Mallory", d.cursorOn("rev"))
}

// :snooze says until when; a custom snooze takes "tomorrow"; z in a
// conversation stays in it.
func TestSnoozeSaysUntilWhen(t *testing.T) {
	d := newDriver(t, nil, threeConvs()...)
	d.key(":")
	d.typeText("snooze 2d")
	// The minute may turn while the command runs: either side is right.
	when := func() string { return d.svc.Now().Add(48 * time.Hour).Local().Format("Mon 2 Jan 15:04") }
	before := when()
	d.key("enter")
	after := when()
	waitOn(d, "the snooze", func() bool {
		return d.flashed("snoozed until "+before+": Mallory")() || d.flashed("snoozed until "+after+": Mallory")()
	})

	d.key("enter") // open the top row
	waitOn(d, "a conversation", func() bool { return d.m.conv != nil && d.m.conv.thread != nil })
	d.key("z")
	d.typeText("custom")
	d.key("enter")
	d.typeText("tomorrow")
	d.key("enter")
	waitOn(d, "the custom snooze", d.flashed("snoozed until "))
	if d.m.flashErr || d.m.conv == nil {
		t.Fatalf("custom snooze: flash %q, still in the conversation: %v", d.m.flash, d.m.conv != nil)
	}
}

// A long error is not cut at half the width.
func TestErrorFlashNotCut(t *testing.T) {
	d := newDriver(t, nil, threeConvs()...)
	d.key(":")
	d.typeText("snooze someday")
	d.key("enter")
	waitOn(d, "the error", func() bool { return d.m.flashErr })
	if !strings.Contains(d.screen(), "2026-12-01 10:00") {
		t.Fatalf("error cut off: %q\n%s", d.m.flash, d.screen())
	}
}

// A row marked negative because of an earlier message says so.
func TestNegativeFromEarlierMessage(t *testing.T) {
	st := NewStyles(true)
	c := inbox.Conversation{ID: 1, Network: "facebook", Kind: inbox.KindComment, Negative: true, NegSource: inbox.NegAuto,
		NegReasons: []string{"terrible"}, Messages: 2, Preview: "Do you ship to Belgium?", Author: inbox.Author{Name: "Noor"}}
	rc := rowCtx{st: &st, marked: func(int64) bool { return false }}
	if row := ansi.Strip(renderRow(rc, c, 100, rowKey{id: 1}, nil)); !strings.Contains(row, "!↑") {
		t.Fatalf("earlier negative not shown: %q", row)
	}
	c.Preview = "Terrible service"
	if row := ansi.Strip(renderRow(rc, c, 100, rowKey{id: 1}, nil)); strings.Contains(row, "!↑") || !strings.Contains(row, "! ") {
		t.Fatalf("negative shown message marked as earlier: %q", row)
	}
}

// A guessed name says where to set it, once, at start.
func TestUserNoteAtStart(t *testing.T) {
	d := newDriver(t, func(o *Options) { o.UserNote = "you are ann · set user in config.toml" }, threeConvs()...)
	d.wantScreen("you are ann · set user in config.toml")
	d.key("j")
	if strings.Contains(d.screen(), "you are ann") {
		t.Fatal("the note outlived the first key")
	}
}
