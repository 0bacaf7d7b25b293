package sqlite

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/inbox/sla"
)

func TestInboxOrdersByDeadline(t *testing.T) {
	s, acc := open(t)
	ctx := context.Background()
	svc := inbox.NewService(s, inbox.Options{SLA: &sla.Policy{Negative: 30 * time.Minute, Default: 4 * time.Hour}, Now: func() time.Time { return t0 }})
	neg := func(it inbox.Inbound) inbox.Inbound { it.Message.Sentiment = "negative"; return it }
	if err := svc.Ingest(ctx, acc, inbox.Batch{Items: []inbox.Inbound{
		in("a", "1", t0.Add(-3*time.Hour), "question"),          // due t0+1h
		in("b", "2", t0.Add(-time.Hour), "question"),            // due t0+3h
		neg(in("c", "3", t0.Add(-10*time.Minute), "complaint")), // due t0+20m
		neg(in("d", "4", t0.Add(-2*time.Hour), "complaint")),    // due t0-1h30: overdue
	}}); err != nil {
		t.Fatal(err)
	}
	order := func() []string {
		cs, _ := s.List(ctx, inbox.Page{View: inbox.ViewInbox, Limit: 10})
		return ids(cs)
	}
	if got := order(); !slices.Equal(got, []string{"d", "c", "a", "b"}) {
		t.Fatalf("inbox order %v, want overdue complaint, complaint, then earliest deadline", got)
	}
	if c := convByExt(t, s, "a"); !c.DueAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("due of a: %s", c.DueAt)
	}
	// Marking b a complaint shortens its deadline to t0-30m.
	b := convByExt(t, s, "b")
	svc.SetNegative(ctx, "ann", []int64{b.ID}, true)
	if got := order(); !slices.Equal(got, []string{"d", "b", "c", "a"}) {
		t.Fatalf("after marking b negative: %v", got)
	}
	// A platform window closes before the SLA: it wins.
	svc.SetReplyWindows(func(int64) time.Duration { return 30 * time.Minute })
	svc.Ingest(ctx, acc, inbox.Batch{Items: []inbox.Inbound{in("e", "5", t0, "dm")}})
	if e := convByExt(t, s, "e"); !e.DueAt.Equal(t0.Add(30 * time.Minute)) {
		t.Fatalf("window: due %s", e.DueAt)
	}
	// Answering clears the deadline.
	svc.Reply(ctx, "ann", convByExt(t, s, "d").ID, "on it")
	if d := convByExt(t, s, "d"); !d.DueAt.IsZero() {
		t.Fatalf("answered conversation still due %s", d.DueAt)
	}
}
