package sqlite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
)

var t0 = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

func open(t *testing.T) (*Store, int64) {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	a, err := s.UpsertAccount(ctx, inbox.Account{Network: "demo-facebook", Label: "Brand", Status: inbox.AccountOK})
	if err != nil {
		t.Fatal(err)
	}
	return s, a.ID
}

// rollBack runs stmts on the store at path, undoing a migration as an
// older parley left the database, and reopens it, so Open migrates it
// again.
func rollBack(t *testing.T, s *Store, path string, stmts ...string) *Store {
	t.Helper()
	for _, q := range stmts {
		if _, err := s.w.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func in(conv, id string, at time.Time, text string) inbox.Inbound {
	return inbox.Inbound{ConversationID: conv, Kind: inbox.KindComment, Message: inbox.Message{
		ExternalID: id, Direction: inbox.In, Text: text, CreatedAt: at,
		Author: inbox.Author{ID: "u-" + conv, Name: "Customer " + conv},
	}}
}

func ingest(t *testing.T, s *Store, acc int64, cursor string, items ...inbox.Inbound) []int64 {
	t.Helper()
	res, err := s.Ingest(context.Background(), acc, inbox.Batch{Items: items, Cursor: cursor}, t0)
	if err != nil {
		t.Fatal(err)
	}
	return res.Conversations
}

func convByExt(t *testing.T, s *Store, ext string) inbox.Conversation {
	t.Helper()
	var id int64
	if err := s.r.QueryRow(`SELECT id FROM conversations WHERE external_id = ?`, ext).Scan(&id); err != nil {
		t.Fatalf("conversation %s: %v", ext, err)
	}
	c, err := s.Conversation(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestMigrateFromEmptyAndReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "p.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := s.UpsertAccount(ctx, inbox.Account{Network: "demo-vk", Label: "x", Status: inbox.AccountOK})
	ingest(t, s, a.ID, "c1", in("1", "m1", t0, "hello"))
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if st, err := os.Stat(p); err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("%s: mode %v, %v; want 0600", p, st.Mode(), err)
		}
	}
	s.Close()

	s, err = Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	accs, _ := s.Accounts(ctx)
	if len(accs) != 1 || accs[0].Cursor != "c1" {
		t.Fatalf("after reopen accounts = %+v", accs)
	}
	// A database from a newer parley is refused with a clear message.
	if _, err := s.w.Exec(`INSERT INTO schema_migrations (version, name) VALUES (999, 'future')`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Open(ctx, path); err == nil || !strings.Contains(err.Error(), "newer than this parley") {
		t.Fatalf("opening a newer schema: err = %v", err)
	}
}

func TestIngestIsIdempotent(t *testing.T) {
	s, acc := open(t)
	items := []inbox.Inbound{in("a", "m1", t0, "first"), in("a", "m2", t0.Add(time.Minute), "second"), in("b", "m3", t0, "other")}
	ingest(t, s, acc, "p1", items...)
	ingest(t, s, acc, "p1", items...) // the same page again, as after a crash before the cursor moved
	var convs, msgs, fts int
	s.r.QueryRow(`SELECT count(*) FROM conversations`).Scan(&convs)
	s.r.QueryRow(`SELECT count(*) FROM messages`).Scan(&msgs)
	s.r.QueryRow(`SELECT count(*) FROM messages_fts`).Scan(&fts)
	if convs != 2 || msgs != 3 || fts != 3 {
		t.Fatalf("after re-ingest: %d conversations, %d messages, %d fts rows; want 2, 3, 3", convs, msgs, fts)
	}
	c := convByExt(t, s, "a")
	if c.Messages != 2 || c.Preview != "second" || !c.NeedsReply || !c.WaitSince.Equal(t0) {
		t.Fatalf("conversation a = %+v", c)
	}
}

func TestIngestEditUpdatesTextAndSearch(t *testing.T) {
	s, acc := open(t)
	ingest(t, s, acc, "", in("a", "m1", t0, "original wording"))
	ingest(t, s, acc, "", in("a", "m1", t0, "edited wording"))
	// A new message edited within its own batch is indexed once, as edited.
	ingest(t, s, acc, "", in("b", "m2", t0, "first draft"), in("b", "m2", t0, "second draft"))
	var n int
	s.r.QueryRow(`SELECT count(*) FROM messages_fts`).Scan(&n)
	if n != 2 {
		t.Fatalf("%d index rows for 2 messages", n)
	}
	if got, _ := s.Search(context.Background(), "second", 10); len(got) != 1 {
		t.Fatalf("in-batch edit not searchable: %v", ids(got))
	}
	res, err := s.Search(context.Background(), "edited", 10)
	if err != nil || len(res) != 1 {
		t.Fatalf("search edited: %v %v", res, err)
	}
	res, _ = s.Search(context.Background(), "original", 10)
	if len(res) != 0 {
		t.Fatalf("old text still found: %v", res)
	}
}

func TestIngestCommitsCursorAtomically(t *testing.T) {
	s, acc := open(t)
	bad := inbox.Batch{Items: []inbox.Inbound{in("a", "m1", t0, "ok"), {ConversationID: "a"}}, Cursor: "moved"}
	if _, err := s.Ingest(context.Background(), acc, bad, t0); err == nil {
		t.Fatal("a batch with an item without id must fail")
	}
	accs, _ := s.Accounts(context.Background())
	var n int
	s.r.QueryRow(`SELECT count(*) FROM messages`).Scan(&n)
	if accs[0].Cursor != "" || n != 0 {
		t.Fatalf("failed batch left cursor %q and %d messages", accs[0].Cursor, n)
	}
}

func TestLowRatingIsAutoNegativeAndManualWins(t *testing.T) {
	s, acc := open(t)
	ctx := context.Background()
	r := in("r", "rv1", t0, "awful")
	r.Kind, r.Message.Rating = inbox.KindReview, 1
	ingest(t, s, acc, "", r)
	c := convByExt(t, s, "r")
	if !c.Negative || c.NegSource != inbox.NegAuto || c.Rating != 1 || c.Kind != inbox.KindReview {
		t.Fatalf("1-star review: %+v", c)
	}
	// Manager says it is not negative; a later edit to 2 stars must not override.
	if err := s.Apply(ctx, "ann", "unmark_negative", []int64{c.ID}, t0, func(tr *inbox.Triage) {
		tr.Negative, tr.NegSource = false, inbox.NegManual
	}); err != nil {
		t.Fatal(err)
	}
	r.Message.Rating, r.Message.Text = 2, "still awful"
	ingest(t, s, acc, "", r)
	if c = convByExt(t, s, "r"); c.Negative || c.NegSource != inbox.NegManual {
		t.Fatalf("manual mark lost: %+v", c)
	}
	// A 4-star review is not negative.
	g := in("g", "rv2", t0, "nice")
	g.Kind, g.Message.Rating = inbox.KindReview, 4
	ingest(t, s, acc, "", g)
	if c = convByExt(t, s, "g"); c.Negative {
		t.Fatalf("4-star review marked negative")
	}
}

func TestInboundReopensDoneAndSnoozed(t *testing.T) {
	s, acc := open(t)
	ctx := context.Background()
	ingest(t, s, acc, "", in("a", "m1", t0, "hi"), in("b", "m2", t0, "hi"))
	a, b := convByExt(t, s, "a"), convByExt(t, s, "b")
	s.Apply(ctx, "ann", "done", []int64{a.ID}, t0, func(tr *inbox.Triage) { tr.State = inbox.StateDone })
	s.Apply(ctx, "ann", "snooze", []int64{b.ID}, t0, func(tr *inbox.Triage) {
		tr.State, tr.SnoozeUntil = inbox.StateSnoozed, t0.Add(24*time.Hour).UnixMilli()
	})
	ingest(t, s, acc, "", in("a", "m3", t0.Add(time.Hour), "hello again"), in("b", "m4", t0.Add(time.Hour), "?"))
	for _, ext := range []string{"a", "b"} {
		if c := convByExt(t, s, ext); c.State != inbox.StateOpen || c.SnoozeUntil.UnixMilli() > 0 {
			t.Fatalf("%s not reopened: %+v", ext, c)
		}
	}
	evs, _ := s.Journal(ctx, a.ID)
	if last := evs[len(evs)-1]; last.Action != "reopen" || last.Actor != "system" {
		t.Fatalf("reopen not journalled: %+v", evs)
	}
}

func ids(cs []inbox.Conversation) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.ExternalID)
	}
	return out
}

func TestViewOrders(t *testing.T) {
	s, acc := open(t)
	ctx := context.Background()
	// waits: a oldest, b, c newest; c is a complaint.
	ingest(t, s, acc, "", in("a", "1", t0, "a"), in("b", "2", t0.Add(time.Minute), "b"), in("c", "3", t0.Add(2*time.Minute), "c"),
		in("d", "4", t0.Add(3*time.Minute), "d"), in("e", "5", t0.Add(4*time.Minute), "e"))
	conv := map[string]int64{}
	for _, e := range []string{"a", "b", "c", "d", "e"} {
		conv[e] = convByExt(t, s, e).ID
	}
	apply := func(action string, id int64, at time.Time, f func(*inbox.Triage)) {
		if err := s.Apply(ctx, "ann", action, []int64{id}, at, f); err != nil {
			t.Fatal(err)
		}
	}
	apply("neg", conv["c"], t0, func(tr *inbox.Triage) { tr.Negative, tr.NegSource = true, inbox.NegManual })
	apply("esc", conv["b"], t0, func(tr *inbox.Triage) { tr.EscDest = "legal" })
	apply("done", conv["d"], t0.Add(time.Hour), func(tr *inbox.Triage) { tr.State = inbox.StateDone })
	apply("done", conv["a"], t0.Add(2*time.Hour), func(tr *inbox.Triage) { tr.State = inbox.StateDone })
	apply("snooze", conv["e"], t0, func(tr *inbox.Triage) {
		tr.State, tr.SnoozeUntil = inbox.StateSnoozed, t0.Add(time.Hour).UnixMilli()
	})
	want := map[inbox.View][]string{
		inbox.ViewInbox:     {"c", "b"}, // complaint first, then longest wait
		inbox.ViewNegative:  {"c"},
		inbox.ViewEscalated: {"b"},
		inbox.ViewSnoozed:   {"e"},
		inbox.ViewDone:      {"a", "d"}, // most recently done first
		inbox.ViewAll:       {"e", "d", "c", "b", "a"},
	}
	for v, w := range want {
		got, err := s.List(ctx, inbox.Page{View: v, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(ids(got), w) {
			t.Errorf("%s = %v, want %v", v, ids(got), w)
		}
	}
	counts, err := s.Counts(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if counts[inbox.ViewInbox] != 2 || counts[inbox.ViewAll] != 5 || counts[inbox.ViewDone] != 2 {
		t.Fatalf("counts = %v", counts)
	}
	if n, _ := s.Counts(ctx, "mastodon"); n[inbox.ViewAll] != 0 {
		t.Fatalf("network filter ignored in counts: %v", n)
	}
}

func TestKeysetPaging(t *testing.T) {
	s, acc := open(t)
	ctx := context.Background()
	var items []inbox.Inbound
	for i := 0; i < 25; i++ {
		items = append(items, in(fmt.Sprintf("c%02d", i), fmt.Sprintf("m%02d", i), t0.Add(time.Duration(i)*time.Second), "x"))
	}
	ingest(t, s, acc, "", items...)
	var all []string
	var anchor *inbox.Cursor
	for {
		page, err := s.List(ctx, inbox.Page{View: inbox.ViewInbox, Anchor: anchor, Limit: 7})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		all = append(all, ids(page)...)
		last := page[len(page)-1]
		anchor = &inbox.Cursor{Key: last.Key, ID: last.ID}
	}
	if len(all) != 25 || all[0] != "c00" || all[24] != "c24" {
		t.Fatalf("forward paging = %v", all)
	}
	// Backwards from the end returns the last rows in view order.
	page, _ := s.List(ctx, inbox.Page{View: inbox.ViewInbox, Before: true, Limit: 3})
	if !slices.Equal(ids(page), []string{"c22", "c23", "c24"}) {
		t.Fatalf("last page = %v", ids(page))
	}
	before, _ := s.List(ctx, inbox.Page{View: inbox.ViewInbox, Before: true, Anchor: &inbox.Cursor{Key: page[0].Key, ID: page[0].ID}, Limit: 2})
	if !slices.Equal(ids(before), []string{"c20", "c21"}) {
		t.Fatalf("page before = %v", ids(before))
	}
}

func TestUndoEachAction(t *testing.T) {
	s, acc := open(t)
	ctx := context.Background()
	ingest(t, s, acc, "", in("a", "1", t0, "x"), in("b", "2", t0, "y"))
	a, b := convByExt(t, s, "a").ID, convByExt(t, s, "b").ID
	steps := []struct {
		action string
		f      func(*inbox.Triage)
		check  func(c inbox.Conversation) bool
	}{
		{"tag", func(tr *inbox.Triage) { tr.Tags = append(tr.Tags, "billing") }, func(c inbox.Conversation) bool { return slices.Equal(c.Tags, []string{"billing"}) }},
		{"neg", func(tr *inbox.Triage) { tr.Negative, tr.NegSource = true, inbox.NegManual }, func(c inbox.Conversation) bool { return c.Negative }},
		{"esc", func(tr *inbox.Triage) { tr.EscDest, tr.EscNote = "support", "refund" }, func(c inbox.Conversation) bool { return c.EscDest == "support" }},
		{"snooze", func(tr *inbox.Triage) { tr.State, tr.SnoozeUntil = inbox.StateSnoozed, t0.Add(time.Hour).UnixMilli() }, func(c inbox.Conversation) bool { return c.State == inbox.StateSnoozed }},
		{"done", func(tr *inbox.Triage) { tr.State, tr.SnoozeUntil = inbox.StateDone, 0 }, func(c inbox.Conversation) bool { return c.State == inbox.StateDone }},
	}
	var history [][]inbox.Conversation
	snap := func() []inbox.Conversation {
		ca, _ := s.Conversation(ctx, a)
		cb, _ := s.Conversation(ctx, b)
		return []inbox.Conversation{ca, cb}
	}
	for _, st := range steps {
		history = append(history, snap())
		if err := s.Apply(ctx, "ann", st.action, []int64{a, b}, t0, st.f); err != nil {
			t.Fatal(err)
		}
		for _, c := range snap() {
			if !st.check(c) {
				t.Fatalf("%s not applied: %+v", st.action, c)
			}
		}
	}
	// Someone else's action is not undone by ann.
	s.Apply(ctx, "bob", "tag", []int64{a}, t0, func(tr *inbox.Triage) { tr.Tags = append(tr.Tags, "vip") })
	for i := len(steps) - 1; i >= 0; i-- {
		if _, err := s.Undo(ctx, "ann", t0); err != nil {
			t.Fatalf("undo %s: %v", steps[i].action, err)
		}
		got, want := snap(), history[i]
		for j := range got {
			wantTags := want[j].Tags
			if j == 0 {
				wantTags = append(slices.Clone(wantTags), "vip")
				slices.Sort(wantTags)
			}
			if got[j].State != want[j].State || got[j].Negative != want[j].Negative || got[j].EscDest != want[j].EscDest ||
				!slices.Equal(got[j].Tags, wantTags) || !got[j].SnoozeUntil.Equal(want[j].SnoozeUntil) {
				t.Fatalf("after undoing %s: %+v, want %+v", steps[i].action, got[j], want[j])
			}
		}
	}
	if _, err := s.Undo(ctx, "ann", t0); !errors.Is(err, inbox.ErrNothingToUndo) {
		t.Fatalf("undo past the start: %v", err)
	}
}

func TestSearchSurvivesHostileInput(t *testing.T) {
	s, acc := open(t)
	ctx := context.Background()
	ingest(t, s, acc, "", in("a", "1", t0, "The refund never arrived"), in("b", "2", t0, "Доставка опоздала"), in("c", "3", t0, "café au lait"))
	for _, q := range []string{`"`, `""`, `*`, `refund"`, `AND`, `OR NOT`, `NEAR(a b)`, `text:refund`, `-refund`, `^refund`,
		`(`, `)`, `{a b}`, `'`, `\`, `refund OR`, "\x00", `a"b"c`, `***`, `+`, `: : :`, `🙂`, `%`, `_`} {
		if _, err := s.Search(ctx, q, 10); err != nil {
			t.Errorf("Search(%q): %v", q, err)
		}
	}
	cases := map[string]string{"refund": "a", "REFU": "a", "доставка": "b", "cafe": "c", `refund"`: "a", "never arrived": "a"}
	for q, want := range cases {
		got, err := s.Search(ctx, q, 10)
		if err != nil || len(got) != 1 || got[0].ExternalID != want {
			t.Errorf("Search(%q) = %v, %v; want [%s]", q, ids(got), err, want)
		}
	}
	// Our own replies are searchable too, once.
	if _, err := s.Reply(ctx, inbox.ReplyRequest{Actor: "ann", Conversation: convByExt(t, s, "c").ID, Body: "Oat milk cappuccino incoming", Force: true}, false, 0, t0); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Search(ctx, "cappuccino", 10); len(got) != 1 || got[0].ExternalID != "c" {
		t.Errorf("search own reply = %v", ids(got))
	}
	var fts, msgs int
	s.r.QueryRow(`SELECT count(*) FROM messages_fts`).Scan(&fts)
	s.r.QueryRow(`SELECT count(*) FROM messages`).Scan(&msgs)
	if fts != msgs {
		t.Errorf("%d index rows for %d messages", fts, msgs)
	}
	if got, _ := s.Search(ctx, "refund arrived-not-there", 10); len(got) != 0 {
		t.Errorf("all words must match: %v", ids(got))
	}
}

func TestOutboxLifecycle(t *testing.T) {
	s, acc := open(t)
	ctx := context.Background()
	ingest(t, s, acc, "", in("a", "m1", t0, "where is my order"))
	c := convByExt(t, s, "a")
	if err := s.SaveDraft(ctx, c.ID, "ann", "draft text", t0); err != nil {
		t.Fatal(err)
	}
	th, _ := s.Thread(ctx, c.ID)
	if th.DraftBody("ann") != "draft text" {
		t.Fatalf("draft = %q", th.DraftBody("ann"))
	}
	e, err := s.Reply(ctx, inbox.ReplyRequest{Actor: "ann", Conversation: c.ID, Body: "On its way!", Force: true}, true, 0, t0)
	if err != nil {
		t.Fatal(err)
	}
	if e.TargetID != "m1" || e.ConvExternalID != "a" || e.IdempotencyKey == "" {
		t.Fatalf("entry = %+v", e)
	}
	th, _ = s.Thread(ctx, c.ID)
	if th.DraftBody("ann") != "" || th.Conversation.State != inbox.StateDone || th.Conversation.NeedsReply || th.Conversation.Queued != 1 {
		t.Fatalf("after reply: %+v draft %q", th.Conversation, th.DraftBody("ann"))
	}
	claimed, _ := s.ClaimOutbox(ctx, t0, 10)
	if len(claimed) != 1 || claimed[0].Attempts != 1 {
		t.Fatalf("claimed = %+v", claimed)
	}
	if again, _ := s.ClaimOutbox(ctx, t0, 10); len(again) != 0 {
		t.Fatalf("claimed twice: %+v", again)
	}
	// Crash while sending: recovery requeues it.
	s.RequeueStale(ctx, t0)
	claimed, _ = s.ClaimOutbox(ctx, t0, 10)
	if len(claimed) != 1 || claimed[0].Attempts != 2 {
		t.Fatalf("after recovery claimed = %+v", claimed)
	}
	// Retryable failure: back in the queue later, reason kept.
	s.FailOutbox(ctx, e.ID, "503 from network", t0.Add(time.Minute), t0)
	if got, _ := s.ClaimOutbox(ctx, t0, 10); len(got) != 0 {
		t.Fatal("claimed before its retry time")
	}
	claimed, _ = s.ClaimOutbox(ctx, t0.Add(time.Minute), 10)
	if len(claimed) != 1 {
		t.Fatal("not retried")
	}
	// Permanent failure: visible on the message and the row, retry by hand.
	s.FailOutbox(ctx, e.ID, "text too long", time.Time{}, t0)
	th, _ = s.Thread(ctx, c.ID)
	out := th.Messages[len(th.Messages)-1]
	if out.Delivery != inbox.DeliveryFailed || out.Error != "text too long" || th.Conversation.Failed != 1 || out.OutboxID != e.ID {
		t.Fatalf("failed reply: %+v conv %+v", out, th.Conversation)
	}
	if _, err := s.RetryOutbox(ctx, e.ID, t0); err != nil {
		t.Fatal(err)
	}
	claimed, _ = s.ClaimOutbox(ctx, t0, 10)
	// The network echoes our reply in a sync before we record the send.
	echo := inbox.Inbound{ConversationID: "a", Message: inbox.Message{ExternalID: "net-77", Direction: inbox.Out, Text: "On its way!", CreatedAt: t0}}
	ingest(t, s, acc, "", echo)
	if _, err := s.CompleteOutbox(ctx, e.ID, "net-77", "https://example/77", t0); err != nil {
		t.Fatal(err)
	}
	th, _ = s.Thread(ctx, c.ID)
	if len(th.Messages) != 2 || th.Conversation.Messages != 2 {
		t.Fatalf("echo not folded: %d messages (count %d)", len(th.Messages), th.Conversation.Messages)
	}
	out = th.Messages[1]
	if out.Delivery != inbox.DeliverySent || out.ExternalID != "net-77" || out.Permalink != "https://example/77" || out.Error != "" {
		t.Fatalf("sent reply: %+v", out)
	}
	// Undo of the reply's "done" is possible.
	if _, err := s.Undo(ctx, "ann", t0); err != nil {
		t.Fatal(err)
	}
	if c = convByExt(t, s, "a"); c.State != inbox.StateOpen {
		t.Fatalf("undo of reply-done: %s", c.State)
	}
}

func TestWakeSnoozed(t *testing.T) {
	s, acc := open(t)
	ctx := context.Background()
	ingest(t, s, acc, "", in("a", "1", t0, "x"))
	a := convByExt(t, s, "a").ID
	s.Apply(ctx, "ann", "snooze", []int64{a}, t0, func(tr *inbox.Triage) {
		tr.State, tr.SnoozeUntil = inbox.StateSnoozed, t0.Add(time.Hour).UnixMilli()
	})
	if ids, _ := s.WakeSnoozed(ctx, t0.Add(59*time.Minute)); len(ids) != 0 {
		t.Fatal("woke early")
	}
	if ids, _ := s.WakeSnoozed(ctx, t0.Add(time.Hour)); len(ids) != 1 {
		t.Fatal("did not wake")
	}
	if c := convByExt(t, s, "a"); c.State != inbox.StateOpen {
		t.Fatalf("state %s", c.State)
	}
}
