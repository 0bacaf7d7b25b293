package tui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/inbox/rules"
)

func threeConvs() []inbox.Inbound {
	review := msgIn("rev", "Mallory", "One star. Awful.", 10*time.Minute)
	review.Kind, review.Message.Rating = inbox.KindReview, 1
	return []inbox.Inbound{
		msgIn("a", "Alice", "Where is my order?", 3*time.Hour),
		msgIn("b", "Bob", "Love the new roast", 2*time.Hour),
		review,
	}
}

func TestListOrderAndRows(t *testing.T) {
	d := newDriver(t, nil, threeConvs()...)
	s := d.screen()
	// The complaint (auto-negative 1-star review) comes first, then the longest wait.
	iM, iA, iB := strings.Index(s, "Mallory"), strings.Index(s, "Alice"), strings.Index(s, "Bob")
	if !(iM < iA && iA < iB) || iM < 0 {
		t.Fatalf("order wrong:\n%s", s)
	}
	d.wantScreen("1 Inbox 3", "2 Negative 1", "★☆☆☆☆", "! fb", "comment", "3h", "● fb")
}

func TestOpenShowsContextAndMessages(t *testing.T) {
	items := threeConvs()
	items[0].PostID = "post-1"
	d := newDriver(t, nil, items...)
	d.svc.Ingest(context.Background(), d.acc.ID, inbox.Batch{Posts: []inbox.Post{{ExternalID: "post-1", Text: "Our winter blend is here", Author: inbox.Author{Name: "Brand"}}},
		Items: []inbox.Inbound{items[0]}})
	d.settle()
	d.key("j", "enter")
	d.wantScreen("Where is my order?", "on the post by Brand", "Our winter blend is here", "https://net.example/a", "@alice")
	d.key("esc")
	d.wantScreen("1 Inbox")
}

func TestReplyQueuesAndMarksDone(t *testing.T) {
	d := newDriver(t, nil, threeConvs()...)
	d.key("j", "r")
	d.typeText("Sorry Alice, ")
	d.key("esc") // closing keeps the draft
	th, _ := d.svc.Open(context.Background(), d.conv("a").ID)
	if th.DraftBody("ann") != "Sorry Alice, " {
		t.Fatalf("draft not saved: %q", th.DraftBody("ann"))
	}
	d.wantScreen("unsent draft")
	d.key("r")
	d.typeText("it ships today.")
	d.key("ctrl+s")
	th, _ = d.svc.Open(context.Background(), d.conv("a").ID)
	last := th.Messages[len(th.Messages)-1]
	if last.Direction != inbox.Out || last.Text != "Sorry Alice, it ships today." || last.Delivery != inbox.DeliveryQueued {
		t.Fatalf("reply = %+v", last)
	}
	if th.DraftBody("ann") != "" || th.Conversation.State != inbox.StateDone {
		t.Fatalf("after send: draft %q state %s", th.DraftBody("ann"), th.Conversation.State)
	}
	d.wantScreen("… queued", "Sorry Alice, it ships today.")
}

func TestSavedReplyFillsPlaceholders(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "thanks.txt"), []byte("Thanks {{first_name}}! — {{me}}"), 0o600)
	d := newDriver(t, func(o *Options) { o.RepliesDir = dir }, threeConvs()...)
	d.key("j", "j", "r", "ctrl+r")
	d.wantScreen("Saved replies", "thanks")
	d.key("enter")
	if got := d.m.conv.composer.value(); got != "Thanks Bob! — ann" {
		t.Fatalf("composer = %q", got)
	}
}

func TestTriageKeysAndUndo(t *testing.T) {
	d := newDriver(t, nil, threeConvs()...)
	d.key("j") // Alice
	// negative
	d.key("n")
	if c := d.conv("a"); !c.Negative || c.NegSource != inbox.NegManual {
		t.Fatalf("n: %+v", c)
	}
	// tag, created inline
	d.key("t")
	d.typeText("late delivery")
	d.key("enter")
	if c := d.conv("a"); !slices.Equal(c.Tags, []string{"late-delivery"}) {
		t.Fatalf("t: %v", c.Tags)
	}
	d.wantScreen("#late-delivery")
	// escalate with a note
	d.key("e")
	d.wantScreen("Escalate", "support", "legal")
	d.key("down", "enter")
	d.typeText("threatens to sue")
	d.key("enter")
	if c := d.conv("a"); c.EscDest != "legal" || c.EscNote != "threatens to sue" {
		t.Fatalf("e: %+v", c)
	}
	d.wantScreen("↑legal", "3 Escalated 1")
	// snooze one hour
	d.key("z", "enter")
	c := d.conv("a")
	if c.State != inbox.StateSnoozed || c.SnoozeUntil.Sub(time.Now()) < 50*time.Minute {
		t.Fatalf("z: %+v", c)
	}
	// undo: snooze, escalation, tag, negative, one at a time
	d.key("u")
	if c := d.conv("a"); c.State != inbox.StateOpen {
		t.Fatalf("undo snooze: %s", c.State)
	}
	d.key("u", "u", "u")
	if cv := d.conv("a"); cv.Negative || len(cv.Tags) > 0 || cv.EscDest != "" {
		t.Fatalf("after undo ×4: %+v", cv)
	}
	d.key("u")
	d.wantScreen("nothing to undo")
	// done removes it from the Inbox
	d.key("g", "j", "d")
	if c := d.conv("a"); c.State != inbox.StateDone {
		t.Fatalf("d: %s", c.State)
	}
	d.wantScreen("1 Inbox 2", "5 Done 1")
}

func TestCustomSnooze(t *testing.T) {
	d := newDriver(t, nil, threeConvs()...)
	d.key("z", "k", "enter") // custom… is the last item; k from the top wraps? no: go down to it
	if d.m.overlay == nil {
		d.key("z")
		for i := 0; i < 4; i++ {
			d.key("down")
		}
		d.key("enter")
	}
	d.typeText("2d")
	d.key("enter")
	c := d.conv("rev")
	if c.State != inbox.StateSnoozed || c.SnoozeUntil.Sub(time.Now()) < 47*time.Hour {
		t.Fatalf("custom snooze: %+v", c)
	}
}

func TestBulkSelectionActsOnAll(t *testing.T) {
	d := newDriver(t, nil, threeConvs()...)
	d.key("space", "space") // marks the first two and moves down
	d.wantScreen("2 selected")
	d.key("d")
	if d.conv("rev").State != inbox.StateDone || d.conv("a").State != inbox.StateDone || d.conv("b").State != inbox.StateOpen {
		t.Fatal("bulk done hit the wrong rows")
	}
	d.key("u")
	if d.conv("rev").State != inbox.StateOpen || d.conv("a").State != inbox.StateOpen {
		t.Fatal("undo of a bulk action must restore all of it")
	}
	// visual range: v, move, act
	d.key("g", "v", "j", "j", "n")
	for _, e := range []string{"a", "b"} {
		if !d.conv(e).Negative {
			t.Fatalf("visual range missed %s", e)
		}
	}
}

func TestFilterAndSearch(t *testing.T) {
	d := newDriver(t, nil, threeConvs()...)
	d.key("/")
	d.typeText("bob")
	s := d.screen()
	if !strings.Contains(s, "Bob") || strings.Contains(s, "Mallory") {
		t.Fatalf("filter bob:\n%s", s)
	}
	d.key("enter", "n") // act on the filtered row
	if !d.conv("b").Negative {
		t.Fatal("action in filtered list hit the wrong row")
	}
	d.key("esc")
	d.wantScreen("Mallory", "Alice")
	// full-text search, with input that would be FTS syntax
	d.key("s")
	d.typeText(`order" OR (`)
	d.key("enter")
	d.wantScreen("Search:", "Alice")
	d.key("esc")
	d.key("s")
	d.typeText("roast")
	d.key("enter")
	s = d.screen()
	if !strings.Contains(s, "Bob") || strings.Contains(s, "Alice") {
		t.Fatalf("search roast:\n%s", s)
	}
}

func TestViewsAndNetworkFilter(t *testing.T) {
	d := newDriver(t, nil, threeConvs()...)
	d.key("2")
	s := d.screen()
	if !strings.Contains(s, "Mallory") || strings.Contains(s, "Alice") {
		t.Fatalf("Negative view:\n%s", s)
	}
	d.key("tab", "tab", "tab", "tab")
	d.wantScreen("Alice", "Bob", "Mallory") // All
	d.key(":")
	d.typeText("network mastodon")
	d.key("enter")
	d.wantScreen("unknown network")
	d.key("f", "down", "enter")
	d.wantScreen("[demo-facebook]", "Alice")
}

func TestHostileTextRendersInert(t *testing.T) {
	evil := msgIn("x", "\x1b]0;pwned\x07Eve\u202e", "\x1b[2J\x1b]52;c;cm0=\x07hi\u200b there\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\", time.Minute)
	d := newDriver(t, nil, evil)
	raw := d.m.View().Content
	for _, bad := range []string{"\x1b]0;", "\x1b]52", "\x1b]8;;http://evil", "\x1b[2J", "\a", "\u202e", "\u200b"} {
		if strings.Contains(raw, bad) {
			t.Fatalf("list view contains %q", bad)
		}
	}
	d.key("enter")
	raw = d.m.View().Content
	for _, bad := range []string{"\x1b]0;", "\x1b]52", "\x1b]8;;http://evil", "\x1b[2J", "\a", "\u202e"} {
		if strings.Contains(raw, bad) {
			t.Fatalf("conversation view contains %q", bad)
		}
	}
	d.wantScreen("hi there", "Eve")
	if d.m.View().WindowTitle != "parley" {
		t.Fatal("window title must never come from remote text")
	}
}

func TestVirtualListPagesThroughLargeView(t *testing.T) {
	var items []inbox.Inbound
	for i := 0; i < 500; i++ {
		items = append(items, msgIn(fmt.Sprintf("c%03d", i), fmt.Sprintf("U%03d", i), "hello", time.Duration(500-i)*time.Minute))
	}
	d := newDriver(t, nil, items...)
	if n := len(d.m.list.rows); n > 100 {
		t.Fatalf("loaded %d rows up front; the list must load a window", n)
	}
	for i := 0; i < 150; i++ {
		d.process(keyMsg("j"))
	}
	d.settle()
	if c, _ := d.m.list.selected(); c.ExternalID != "c150" {
		t.Fatalf("after 150 × j: on %s", c.ExternalID)
	}
	d.key("G")
	if c, _ := d.m.list.selected(); c.ExternalID != "c499" {
		t.Fatalf("G: on %s", c.ExternalID)
	}
	d.wantScreen("U499")
	d.key("g")
	if c, _ := d.m.list.selected(); c.ExternalID != "c000" {
		t.Fatalf("g: on %s", c.ExternalID)
	}
	if n := len(d.m.list.rows); n > d.m.list.maxRows() {
		t.Fatalf("window grew to %d rows", n)
	}
}

func TestLiveUpdatesAndFailedSendRetry(t *testing.T) {
	d := newDriver(t, nil, threeConvs()...)
	ctx := context.Background()
	d.svc.Ingest(ctx, d.acc.ID, inbox.Batch{Items: []inbox.Inbound{msgIn("new", "Nadia", "Just arrived", time.Second)}})
	d.settle()
	d.wantScreen("Nadia", "1 Inbox 4")
	// A reply fails for good; the thread shows why and R retries it.
	id := d.conv("b").ID
	e, err := d.svc.Reply(ctx, "ann", id, "thanks!")
	if err != nil {
		t.Fatal(err)
	}
	d.svc.ClaimOutbox(ctx, 10)
	d.svc.FailOutbox(ctx, e.ID, fmt.Errorf("rejected: duplicate content"), time.Time{})
	d.settle()
	d.key("5") // Done view (reply marked it done)
	d.wantScreen("✗ send failed")
	d.key("enter")
	d.wantScreen("✗ failed: rejected: duplicate content — R to retry")
	d.key("R")
	d.wantScreen("… queued")
}

func TestAccountErrorShowsInStatusBar(t *testing.T) {
	d := newDriver(t, nil, threeConvs()...)
	d.svc.SetAccountStatus(context.Background(), d.acc.ID, inbox.AccountError, "503 from graph.facebook.com")
	d.settle()
	d.wantScreen("✗ fb error: 503 from graph.facebook.com")
}

func TestHelpListsKeys(t *testing.T) {
	d := newDriver(t, nil, threeConvs()...)
	d.key("?")
	d.wantScreen("Keys", "reply", "snooze", "full-text search", "select range", "$EDITOR")
	d.key("x")
	if d.m.overlay != nil {
		t.Fatal("help did not close")
	}
}

func TestRebindKeys(t *testing.T) {
	d := newDriver(t, func(o *Options) { o.Keys = map[string][]string{"done": {"D"}} }, threeConvs()...)
	d.key("d")
	if d.conv("rev").State == inbox.StateDone {
		t.Fatal("old key still bound")
	}
	d.key("D")
	if d.conv("rev").State != inbox.StateDone {
		t.Fatal("rebound key did nothing")
	}
	if _, err := New(Options{Service: d.svc, Keys: map[string][]string{"dnoe": {"x"}}}); err == nil || !strings.Contains(err.Error(), "unknown key action") {
		t.Fatalf("typo in [keys]: %v", err)
	}
}

func TestDraftSurvivesQuit(t *testing.T) {
	d := newDriver(t, nil, threeConvs()...)
	d.key("j", "r")
	d.typeText("half a thought")
	d.key("ctrl+c")
	if !d.quit {
		t.Fatal("ctrl+c in the composer did not quit")
	}
	th, _ := d.svc.Open(context.Background(), d.conv("a").ID)
	if th.DraftBody("ann") != "half a thought" {
		t.Fatalf("draft after quit = %q", th.DraftBody("ann"))
	}
	// Reopening the composer continues the draft.
	m, _ := New(d.m.opt)
	d.m = m
	d.start()
	d.key("j", "r")
	if got := d.m.conv.composer.value(); got != "half a thought" {
		t.Fatalf("composer after restart = %q", got)
	}
}

func TestPresenceAndCollisionWarning(t *testing.T) {
	ann := newDriver(t, nil, threeConvs()...)
	bob := ann.peer("bob")
	ann.key("j", "enter") // Alice's conversation
	bob.settle()
	bob.wantScreen("👁 ann")
	ann.key("r")
	bob.settle()
	bob.wantScreen("✎ ann")
	bob.key("j", "enter")
	bob.wantScreen("also here: ann (replying)")
	bob.key("r")
	bob.wantScreen("ann is already replying to this conversation.", "Reply anyway?")
	bob.key("n")
	if bob.m.conv.composer != nil {
		t.Fatal("composer opened after declining")
	}
	bob.key("r", "y")
	if bob.m.conv.composer == nil {
		t.Fatal("composer did not open after confirming")
	}
	ann.settle()
	ann.wantScreen("also here: bob (replying)")
	// ann leaves: bob no longer sees her.
	ann.key("esc", "esc")
	bob.settle()
	if strings.Contains(bob.screen(), "ann") {
		t.Fatalf("ann still shown after leaving:\n%s", bob.screen())
	}
	ann.key("ctrl+c")
	if len(ann.svc.Presence()) != 1 {
		t.Fatalf("presence after ann quit: %+v", ann.svc.Presence())
	}
}

func TestModerationOnlyWhatTheNetworkAllows(t *testing.T) {
	d := newDriver(t, nil, threeConvs()...)
	d.key("j", "enter")
	d.key("m")
	d.wantScreen("no moderation on demo-facebook")
	d.svc.SetModeration(func(int64) []inbox.ActionKind { return []inbox.ActionKind{inbox.ActionBlock, inbox.ActionReport} })
	d.key("m")
	s := d.screen()
	if !strings.Contains(s, "block @alice") || !strings.Contains(s, "report the latest message") || strings.Contains(s, "mute") {
		t.Fatalf("moderation picker:\n%s", s)
	}
	d.key("enter") // block…
	d.wantScreen("block @alice?")
	d.key("n")
	th, _ := d.svc.Open(context.Background(), d.conv("a").ID)
	if len(th.Actions) != 0 {
		t.Fatal("declined block was queued")
	}
	d.key("m", "enter", "y")
	d.wantScreen("⚑ block: queued")
	d.key("m", "down", "enter")
	d.typeText("spam links")
	d.key("enter")
	th, _ = d.svc.Open(context.Background(), d.conv("a").ID)
	if len(th.Actions) != 2 || th.Actions[1].Action != inbox.ActionReport || th.Actions[1].Body != "spam links" || th.Actions[0].TargetID == "" {
		t.Fatalf("actions: %+v", th.Actions)
	}
	evs, _ := d.svc.Journal(context.Background(), d.conv("a").ID)
	if evs[len(evs)-1].Action != "moderate:report" || evs[len(evs)-1].Actor != "ann" {
		t.Fatalf("journal: %+v", evs[len(evs)-1])
	}
	// Moderation is not undone by u (it went to the network).
	d.key("u")
	d.wantScreen("nothing to undo")
}

func TestDeadlinesShowOnRowsAndConversation(t *testing.T) {
	d := newDriver(t, nil, threeConvs()...)
	// A two-hour platform reply window (no SLA configured).
	d.svc.SetReplyWindows(func(int64) time.Duration { return 2 * time.Hour })
	dmIn := func(conv, who, text string, ago time.Duration) inbox.Inbound {
		m := msgIn(conv, who, text, ago)
		m.Kind = inbox.KindDM // platform windows apply to private conversations
		return m
	}
	d.svc.Ingest(context.Background(), d.acc.ID, inbox.Batch{Items: []inbox.Inbound{dmIn("w", "Wendy", "Any news?", 3*time.Hour)}})
	d.settle()
	d.wantScreen("late ")
	d.svc.Ingest(context.Background(), d.acc.ID, inbox.Batch{Items: []inbox.Inbound{dmIn("x", "Xavi", "Hello?", time.Minute)}})
	d.settle()
	d.wantScreen("due 5") // 59m or 58m: the fixture's clock is an hour back
	d.key("/")
	d.typeText("wendy")
	d.key("enter", "enter")
	d.wantScreen("reply overdue by")
}

func TestStatsView(t *testing.T) {
	d := newDriver(t, nil, threeConvs()...)
	d.key("j", "r")
	d.typeText("hello")
	d.key("ctrl+s", "esc", "S")
	d.wantScreen("Stats, last 30 days", "3 conversations", "33% answered", "first response: median", "demo-facebook", "ann",
		"detector vs manager: no manual marks yet",
		"no SLA set") // the deadlines are the platforms' only, and the manager must know
	d.key("x")
	if d.m.overlay != nil {
		t.Fatal("stats did not close")
	}
}

func TestBrokenRulesFileShowsInStatusBar(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rules.toml")
	os.WriteFile(path, []byte("[[rule]]\nname = \"x\"\nregex = \"(\"\ndone = true\n"), 0o600)
	d := newDriver(t, nil, threeConvs()...)
	w := rules.Watch(path, nil)
	svc := inbox.NewService(nil, inbox.Options{Rules: w.Current})
	if p := svc.Problems(); len(p) != 1 || !strings.Contains(p[0], "rules.toml:3: regex") {
		t.Fatalf("problems: %v", p)
	}
	d.m.problems = svc.Problems()
	d.wantScreen("⚠", "rules.toml:3: regex")
}

func TestReplyOutsideTheWindowIsRefusedAndKept(t *testing.T) {
	dm := msgIn("dm", "Dora", "hello?", 30*time.Hour)
	dm.Kind = inbox.KindDM
	d := newDriver(t, nil, dm)
	d.svc.SetReplyWindows(func(int64) time.Duration { return 24 * time.Hour })
	d.key("enter")
	d.wantScreen("reply window closed")
	d.key("r")
	d.typeText("Sorry for the wait")
	d.key("ctrl+s")
	d.wantScreen("allows a reply within 24h")
	th, _ := d.svc.Open(context.Background(), d.conv("dm").ID)
	if th.DraftBody("ann") != "Sorry for the wait" || len(th.Messages) != 1 {
		t.Fatalf("refused reply: draft %q, %d messages", th.DraftBody("ann"), len(th.Messages))
	}
}

func TestDeleteAsksAndPrivateReplyTakesText(t *testing.T) {
	d := newDriver(t, nil, threeConvs()...)
	d.svc.SetModeration(func(int64) []inbox.ActionKind {
		return []inbox.ActionKind{inbox.ActionDelete, inbox.ActionPrivateReply}
	})
	d.key("j", "enter", "m")
	d.wantScreen("delete the comment", "reply privately")
	d.key("enter")
	d.wantScreen("Delete the comment?")
	d.key("n", "m", "down", "enter")
	d.typeText("Can you DM us your order number?")
	d.key("enter")
	th, _ := d.svc.Open(context.Background(), d.conv("a").ID)
	if len(th.Actions) != 1 || th.Actions[0].Action != inbox.ActionPrivateReply || th.Actions[0].Body != "Can you DM us your order number?" {
		t.Fatalf("actions: %+v", th.Actions)
	}
}
