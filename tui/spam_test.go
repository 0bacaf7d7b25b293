package tui

import (
	"context"
	"strings"
	"testing"

	"github.com/parleyhq/parley/inbox"
)

// Spam leaves the Inbox for the Spam view, offers the network's hide and
// block (asking first), is undone with u, and "not spam" brings it back.
func TestSpamThroughTheTUI(t *testing.T) {
	d := newDriver(t, nil, threeConvs()...)
	d.svc.SetModeration(func(int64) []inbox.ActionKind {
		return []inbox.ActionKind{inbox.ActionHide, inbox.ActionBlock, inbox.ActionReport}
	})
	d.key("j")
	if c, _ := d.m.list.selected(); c.ExternalID != "a" {
		t.Fatalf("selected %q, want a", c.ExternalID)
	}
	d.key("!")
	d.untilScreen("Marked spam. On", "nothing more", "also hide the comment", "also block @alice", "also hide the comment and block @alice")
	d.until(func() bool { return d.conv("a").State == inbox.StateDone && strings.Contains(d.screen(), "0 Spam 1") }, "a marked spam")
	d.key("down", "down", "enter")
	d.untilScreen("block @alice?")
	d.key("y")
	d.until(func() bool {
		th, err := d.svc.Open(context.Background(), d.conv("a").ID)
		return err == nil && len(th.Actions) == 1 && th.Actions[0].Action == inbox.ActionBlock
	}, "the block queued")
	d.until(func() bool {
		return strings.Contains(d.screen(), "1 Inbox 2") && !strings.Contains(d.screen(), "Alice")
	}, "a gone from the Inbox")

	// The Spam view lists it; ! there means not spam.
	d.key("0")
	d.until(func() bool { return len(d.m.list.rows) == 1 && d.m.list.rows[0].ExternalID == "a" }, "the Spam view")
	d.key("!")
	d.until(func() bool { return d.conv("a").State == inbox.StateOpen && len(d.m.list.rows) == 0 }, "not spam")
	// u marks it spam again; u again undoes the first mark.
	d.key("u")
	d.until(func() bool { return d.conv("a").State == inbox.StateDone && len(d.m.list.rows) == 1 }, "not spam undone")
	d.key("u")
	d.until(func() bool { return d.conv("a").State == inbox.StateOpen && len(d.m.list.rows) == 0 }, "spam undone")

	// Several at once, from the command line, with no question asked.
	d.key("1", "space", "space")
	d.key(":")
	d.typeText("spam")
	d.key("enter")
	d.until(func() bool {
		return strings.Contains(d.screen(), "0 Spam 2") && strings.Contains(d.screen(), "1 Inbox 1")
	}, "two marked spam")
	if strings.Contains(d.screen(), "On fb too?") {
		t.Fatalf("asked about moderation for several:\n%s", d.screen())
	}
}

// On a network that can neither hide nor block, spam asks nothing.
func TestSpamWithoutModerationAsksNothing(t *testing.T) {
	d := newDriver(t, nil, threeConvs()...)
	d.key("!")
	d.until(func() bool { return strings.Contains(d.screen(), "0 Spam 1") && d.m.overlay == nil }, "marked spam, no picker")
}
