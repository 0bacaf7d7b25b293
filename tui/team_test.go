package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/parleyhq/parley/inbox"
)

// The assignment picker offers "me" first, then the other managers; the
// row and the conversation show the owner; undo gives it back; Mine and
// Unassigned list what they should; the other session sees it live.
func TestAssignThroughTheTUI(t *testing.T) {
	d := newDriver(t, func(o *Options) { o.Managers = []string{"ann", "bob", "cy", "bob"} }, threeConvs()...)
	bob := d.peer("bob")
	d.key("a")
	waitOn(d, "the picker", d.onScreen("Assign conversation to", "me (ann)", "bob", "cy", "nobody (unassign)"))
	if s := d.screen(); strings.Index(s, "me (ann)") > strings.Index(s, "› bob") && strings.Count(s, "  bob") > 1 {
		t.Fatalf("me is not first or bob is listed twice:\n%s", s)
	}
	d.typeText("bob")
	d.key("enter")
	first, _ := d.m.list.selected()
	waitOn(d, "the owner on the row", func() bool { return d.conv(first.ExternalID).Assignee == "bob" && strings.Contains(d.screen(), "@bob") })
	d.wantScreen("assigned to bob — u to undo")
	// Bob sees it live, and in his Mine view.
	waitOn(bob, "the assignment in bob's session", bob.onScreen("@bob"))
	bob.key("7")
	waitOn(bob, "bob's Mine view", func() bool {
		return len(bob.m.list.rows) == 1 && bob.m.list.rows[0].ID == first.ID && strings.Contains(bob.screen(), "7 Mine 1")
	})
	// Undo gives it back to nobody; bob's Mine empties live.
	d.key("u")
	waitOn(d, "undone", func() bool { return d.conv(first.ExternalID).Assignee == "" && !strings.Contains(d.screen(), "@bob") })
	waitOn(bob, "bob's Mine emptied", func() bool { return len(bob.m.list.rows) == 0 && strings.Contains(bob.screen(), "7 Mine 0") })

	// Assign to me from the open conversation: the header says so.
	d.key("j", "enter")
	second, _ := d.m.list.selected()
	d.key("a", "enter")
	waitOn(d, "the owner in the header", d.onScreen("@ assigned to ann"))
	d.key("esc", "8")
	waitOn(d, "Unassigned lacks it", func() bool {
		if len(d.m.list.rows) != 2 || !strings.Contains(d.screen(), "8 Unassigned 2") {
			return false
		}
		for _, r := range d.m.list.rows {
			if r.ID == second.ID {
				return false
			}
		}
		return true
	})
	d.key("7")
	waitOn(d, "ann's Mine", func() bool { return len(d.m.list.rows) == 1 && d.m.list.rows[0].ID == second.ID })
	// Unassign from the picker.
	d.key("a")
	d.typeText("nobody")
	d.key("enter")
	waitOn(d, "unassigned", func() bool { return d.conv(second.ExternalID).Assignee == "" && len(d.m.list.rows) == 0 })
	d.key(":")
	d.typeText("view unassigned")
	d.key("enter")
	waitOn(d, "the view command", d.onScreen("8 Unassigned 3"))
}

// A note is written in its own pane, shown in the thread with its author,
// found by search, marked for the colleague it names, and never sent.
func TestInternalNoteThroughTheTUI(t *testing.T) {
	d := newDriver(t, func(o *Options) { o.Managers = []string{"bob"} }, threeConvs()...)
	bob := d.peer("bob")
	d.key("enter")
	open, _ := d.m.list.selected()
	waitOn(d, "the conversation", func() bool { return d.m.conv != nil && d.m.conv.thread != nil })
	d.key("N")
	waitOn(d, "the note pane", d.onScreen("Internal note", "never sent to the customer", "@bob"))
	d.typeText("Called her twice, ")
	d.process(tea.PasteMsg{Content: "@bob please follow up"})
	d.key("enter") // a new line, not a save
	d.typeText("courier ref 4471")
	if d.m.overlay == nil {
		t.Fatal("enter closed the note pane")
	}
	d.key("ctrl+s")
	waitOn(d, "the note in the thread", d.onScreen("internal note · ann", "for @bob", "@bob please follow up", "courier ref 4471"))
	th := d.thread(open.ExternalID)
	if len(th.Notes) != 1 || th.Notes[0].Author != "ann" || len(th.Actions) != 0 {
		t.Fatalf("stored: notes %+v actions %+v", th.Notes, th.Actions)
	}
	for _, m := range th.Messages {
		if m.Direction == inbox.Out {
			t.Fatalf("a note became a message: %+v", m)
		}
	}
	// Bob's Mentions view has it, live.
	bob.key("9")
	waitOn(bob, "bob's mentions", func() bool {
		return len(bob.m.list.rows) == 1 && bob.m.list.rows[0].ID == open.ID && strings.Contains(bob.screen(), "9 Mentions 1")
	})
	// Journalled, and undo passes over it.
	evs, _ := d.svc.Journal(context.Background(), open.ID)
	if last := evs[len(evs)-1]; last.Action != "note" || last.Actor != "ann" {
		t.Fatalf("journal: %+v", evs)
	}
	d.key("u")
	waitOn(d, "nothing to undo", d.onScreen("nothing to undo"))
	// Search finds the note's words.
	d.key("esc", "s")
	d.typeText("courier 4471")
	d.key("enter")
	waitOn(d, "the search hit", func() bool { return len(d.m.list.rows) == 1 && d.m.list.rows[0].ID == open.ID })
}

// The activity log shows the journal: who did what, newest first, with
// what was undone marked.
func TestActivityLogThroughTheTUI(t *testing.T) {
	d := newDriver(t, func(o *Options) { o.Managers = []string{"bob"} }, threeConvs()...)
	d.key("enter")
	waitOn(d, "the conversation", func() bool { return d.m.conv != nil && d.m.conv.thread != nil })
	d.key("t")
	d.typeText("vip")
	d.key("enter")
	waitOn(d, "tagged", d.onScreen("#vip"))
	d.key("a")
	d.typeText("bob")
	d.key("enter")
	waitOn(d, "assigned", d.onScreen("assigned to bob"))
	d.key("u")
	waitOn(d, "undone", func() bool { return !strings.Contains(d.screen(), "assigned to bob") })
	d.key("N")
	d.typeText("she prefers mail")
	d.key("ctrl+s")
	waitOn(d, "the note", d.onScreen("she prefers mail"))
	d.key("L")
	waitOn(d, "the activity log", d.onScreen("Activity", "ann", "wrote an internal note", "undid: unassigned bob", "assigned to bob (undone)", "tagged #vip"))
	s := d.screen()
	if !(strings.Index(s, "wrote an internal note") < strings.Index(s, "undid") && strings.Index(s, "undid") < strings.Index(s, "tagged #vip")) {
		t.Fatalf("not newest first:\n%s", s)
	}
	d.key("esc")
	waitOn(d, "closed", func() bool { return d.m.overlay == nil && d.m.conv != nil })
}

// The profile gathers every conversation with one person on the network,
// their tags, mood over time and the notes about them.
func TestCustomerProfileThroughTheTUI(t *testing.T) {
	older := msgIn("a0", "Alice", "Cold coffee again!!! terrible", 50*time.Hour)
	d := newDriver(t, nil, append(threeConvs(), older)...)
	ctx := context.Background()
	d.svc.Tag(ctx, "ann", []int64{d.conv("a0").ID}, "refund")
	d.svc.AddNote(ctx, "bob", d.conv("a0").ID, "Gave her a voucher last time")
	for i := 0; i < 5; i++ {
		if c, ok := d.m.list.selected(); ok && c.ExternalID == "a" {
			break
		}
		d.key("j")
	}
	if c, _ := d.m.list.selected(); c.ExternalID != "a" {
		t.Fatalf("cursor on %q", c.ExternalID)
	}
	d.key("p")
	waitOn(d, "the profile", d.onScreen("Customer", "Alice", "@alice", "conversation ×2", "#refund ×1", "Gave her a voucher last time", "Cold coffee again", "Where is my order?"))
	if pp, ok := d.m.overlay.(*profilePane); !ok || pp.p.Total != 2 || len(pp.p.Conversations) != 2 || pp.p.Conversations[0].ExternalID != "a" {
		t.Fatalf("profile: %+v", d.m.overlay)
	}
	d.key("esc")
	waitOn(d, "closed", func() bool { return d.m.overlay == nil })
}
