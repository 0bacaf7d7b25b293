package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/inbox/rules"
)

// A customer writing again on a conversation a manager owns: that
// manager's session says so at once; the other manager's session shows
// the new message in its list and says nothing.
func TestNewMessageOnAssignedConversationTellsTheAssignee(t *testing.T) {
	d := newDriver(t, func(o *Options) { o.Managers = []string{"bob"} }, threeConvs()...)
	bob := d.peer("bob")
	ctx := context.Background()
	if err := d.svc.Assign(ctx, "ann", []int64{d.conv("a").ID}, "ann"); err != nil {
		t.Fatal(err)
	}
	if err := d.svc.Assign(ctx, "ann", []int64{d.conv("b").ID}, "bob"); err != nil {
		t.Fatal(err)
	}
	d.settle()
	bob.settle()
	write := func(conv, author, text string, ago time.Duration) {
		t.Helper()
		if err := d.svc.Ingest(ctx, d.acc.ID, inbox.Batch{Items: []inbox.Inbound{msgIn(conv, author, text, ago)}}); err != nil {
			t.Fatal(err)
		}
	}
	const toAnn = "new message from Alice on Facebook — assigned to you · 7 Mine"
	write("a", "Alice", "Hello?? anyone there", time.Minute)
	d.untilScreen(toAnn)
	bob.untilScreen("Hello?? anyone there") // bob heard the change...
	if s := bob.screen(); strings.Contains(s, "assigned to you") {
		t.Fatalf("bob was told of ann's conversation:\n%s", s)
	}
	// ...and hears of his own.
	write("b", "Bob", "Do you ship to Ghent?", 30*time.Second)
	bob.untilScreen("new message from Bob on Facebook — assigned to you · 7 Mine")
	d.untilScreen("Do you ship to Ghent?")
	if s := d.screen(); strings.Contains(s, "new message from Bob") {
		t.Fatalf("ann was told of bob's conversation:\n%s", s)
	}
	// Our own reply synced from the network, and a message on the
	// conversation ann is reading, tell her nothing new.
	d.key("esc")
	for i := 0; i < 5; i++ {
		if c, ok := d.m.list.selected(); ok && c.ExternalID == "a" {
			break
		}
		d.key("j")
	}
	d.key("enter")
	d.until(func() bool { return d.m.conv != nil && d.m.conv.thread != nil }, "the conversation open")
	write("a", "Alice", "still here, by the way", 10*time.Second)
	d.untilScreen("still here, by the way")
	if strings.Contains(d.screen(), "assigned to you") {
		t.Fatalf("told of the conversation she is reading:\n%s", d.screen())
	}
	d.key("esc")
	out := msgIn("a", "Brand", "We are on it", 5*time.Second)
	out.Message.Direction = inbox.Out
	if err := d.svc.Ingest(ctx, d.acc.ID, inbox.Batch{Items: []inbox.Inbound{out}}); err != nil {
		t.Fatal(err)
	}
	d.settle()
	if strings.Contains(d.screen(), "assigned to you") {
		t.Fatalf("told of our own reply:\n%s", d.screen())
	}
}

// A rule that assigns the conversation a new message starts (or lands in)
// tells the manager it assigned at once, as a message on a conversation
// they already owned would; a rule that also marks it spam tells nobody.
func TestRuleAssignmentTellsTheAssignee(t *testing.T) {
	set, err := rules.Parse("rules.toml", `
[[rule]]
name = "belgium"
keywords = ["ghent"]
assign = "bob"

[[rule]]
name = "followers"
keywords = ["followers"]
spam = true
`, nil)
	if err != nil {
		t.Fatal(err)
	}
	so := inbox.Options{ReplyMarksDone: true, Rules: func() (*rules.Set, error) { return set, nil }}
	d := newDriverService(t, so, func(o *Options) { o.Managers = []string{"bob"} }, threeConvs()...)
	bob := d.peer("bob")
	ctx := context.Background()
	write := func(items ...inbox.Inbound) {
		t.Helper()
		if err := d.svc.Ingest(ctx, d.acc.ID, inbox.Batch{Items: items}); err != nil {
			t.Fatal(err)
		}
	}
	write(msgIn("b", "Bob", "Do you ship to Ghent?", time.Minute))
	bob.untilScreen("new message from Bob on Facebook — assigned to you · 7 Mine", "7 Mine 1")
	d.untilScreen("Do you ship to Ghent?", "@bob")
	if s := d.screen(); strings.Contains(s, "assigned to you") {
		t.Fatalf("ann was told of bob's conversation:\n%s", s)
	}
	if c := d.conv("b"); c.Assignee != "bob" {
		t.Fatalf("assignee %q", c.Assignee)
	}
	// Assigned and marked spam by the same batch's rules: closed, so no
	// notice. settle handles the change Ingest announced before returning.
	write(msgIn("s", "Spammy", "Ghent followers cheap", 30*time.Second))
	bob.settle()
	if c := d.conv("s"); c.Assignee != "bob" || c.State != inbox.StateDone {
		t.Fatalf("spam rule: %+v", c)
	}
	if sp, err := d.svc.List(ctx, inbox.Page{View: inbox.ViewSpam, Limit: 5}); err != nil || len(sp) != 1 || sp[0].ExternalID != "s" {
		t.Fatalf("Spam view: %+v %v", sp, err)
	}
	if s := bob.screen(); strings.Contains(s, "Spammy") {
		t.Fatalf("bob was told of spam:\n%s", s)
	}
	// A rule leaves a conversation ann owns to ann, and she hears of it.
	if err := d.svc.Assign(ctx, "ann", []int64{d.conv("a").ID}, "ann"); err != nil {
		t.Fatal(err)
	}
	write(msgIn("a", "Alice", "I moved to Ghent, where is my order?", 10*time.Second))
	d.untilScreen("new message from Alice on Facebook — assigned to you · 7 Mine")
	bob.settle()
	if c := d.conv("a"); c.Assignee != "ann" {
		t.Fatalf("a rule took ann's conversation: %q", c.Assignee)
	}
	if s := bob.screen(); strings.Contains(s, "new message from Alice") {
		t.Fatalf("bob was told of ann's conversation:\n%s", s)
	}
}
