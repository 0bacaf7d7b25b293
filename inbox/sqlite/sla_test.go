package sqlite

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/inbox/rules"
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
	dm := in("e", "5", t0, "dm")
	dm.Kind = inbox.KindDM
	svc.Ingest(ctx, acc, inbox.Batch{Items: []inbox.Inbound{dm, in("f", "6", t0, "a public comment")}})
	if e := convByExt(t, s, "e"); !e.DueAt.Equal(t0.Add(30 * time.Minute)) {
		t.Fatalf("window: due %s", e.DueAt)
	}
	if f := convByExt(t, s, "f"); !f.DueAt.Equal(t0.Add(4 * time.Hour)) {
		t.Fatalf("a comment has no platform window: due %s", f.DueAt)
	}
	// Answering clears the deadline.
	svc.Reply(ctx, "ann", convByExt(t, s, "d").ID, "on it")
	if d := convByExt(t, s, "d"); !d.DueAt.IsZero() {
		t.Fatalf("answered conversation still due %s", d.DueAt)
	}
}

func TestBreachedRuleEscalatesOnce(t *testing.T) {
	s, acc := open(t)
	ctx := context.Background()
	now := t0
	set, err := rules.Parse("rules.toml", `
[[rule]]
name = "late complaints to support"
breached = true
negative = true
escalate = "support"
note = "SLA breached"

[[rule]]
name = "tag on arrival"
tag = ["new"]
`, []string{"support"})
	if err != nil {
		t.Fatal(err)
	}
	svc := inbox.NewService(s, inbox.Options{SLA: &sla.Policy{Negative: 30 * time.Minute, Default: 4 * time.Hour},
		Now: func() time.Time { return now }, Rules: func() (*rules.Set, error) { return set, nil }})
	bad := in("c", "1", t0.Add(-10*time.Minute), "awful")
	bad.Message.Sentiment = "negative"
	if err := svc.Ingest(ctx, acc, inbox.Batch{Items: []inbox.Inbound{bad, in("q", "2", t0.Add(-10*time.Minute), "question")}}); err != nil {
		t.Fatal(err)
	}
	if c := convByExt(t, s, "c"); c.EscDest != "" || !slices.Equal(c.Tags, []string{"new"}) {
		t.Fatalf("on arrival: %+v", c)
	}
	svc.CheckBreaches(ctx) // 20 minutes left: nothing
	if c := convByExt(t, s, "c"); c.EscDest != "" {
		t.Fatal("escalated before the deadline")
	}
	now = t0.Add(25 * time.Minute)
	svc.CheckBreaches(ctx)
	c := convByExt(t, s, "c")
	if c.EscDest != "support" || c.EscNote != "SLA breached" {
		t.Fatalf("after the deadline: %+v", c)
	}
	if q := convByExt(t, s, "q"); q.EscDest != "" {
		t.Fatal("a question within its 4h target was escalated")
	}
	evs, _ := svc.Journal(ctx, c.ID)
	n := len(evs)
	svc.CheckBreaches(ctx)
	if evs, _ = svc.Journal(ctx, c.ID); len(evs) != n {
		t.Fatalf("breach rule applied twice: %d → %d events", n, len(evs))
	}
}
