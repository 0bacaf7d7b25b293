package sqlite

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/inbox/rules"
)

func TestSpamLeavesTheInboxStaysClosedAndUndoes(t *testing.T) {
	s, acc := open(t)
	ctx := context.Background()
	svc := inbox.NewService(s, inbox.Options{Now: func() time.Time { return t0 }})
	if err := svc.Ingest(ctx, acc, inbox.Batch{Items: []inbox.Inbound{
		in("a", "m1", t0, "cheap followers at example.biz"), in("b", "m2", t0, "hello"),
	}}); err != nil {
		t.Fatal(err)
	}
	a := convByExt(t, s, "a").ID
	view := func(v inbox.View) []string {
		t.Helper()
		rows, err := svc.List(ctx, inbox.Page{View: v, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		return extIDs(rows)
	}
	counts := func() inbox.Counts {
		t.Helper()
		c, err := svc.Counts(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if err := svc.MarkSpam(ctx, "ann", []int64{a}); err != nil {
		t.Fatal(err)
	}
	if got := view(inbox.ViewSpam); !slices.Equal(got, []string{"a"}) || counts()[inbox.ViewSpam] != 1 {
		t.Fatalf("Spam: %v (%d)", got, counts()[inbox.ViewSpam])
	}
	if got := view(inbox.ViewInbox); !slices.Equal(got, []string{"b"}) || counts()[inbox.ViewInbox] != 1 {
		t.Fatalf("Inbox after spam: %v (%d)", got, counts()[inbox.ViewInbox])
	}
	// The spammer writes again: the conversation stays out of the Inbox,
	// and the trigger-kept counts agree.
	if err := svc.Ingest(ctx, acc, inbox.Batch{Items: []inbox.Inbound{in("a", "m3", t0.Add(time.Minute), "still cheap")}}); err != nil {
		t.Fatal(err)
	}
	if c := convByExt(t, s, "a"); c.State != inbox.StateDone {
		t.Fatalf("spam reopened: %s", c.State)
	}
	if got := view(inbox.ViewInbox); !slices.Equal(got, []string{"b"}) || counts()[inbox.ViewInbox] != 1 {
		t.Fatalf("Inbox after the spammer wrote again: %v (%d)", got, counts()[inbox.ViewInbox])
	}
	evs, _ := svc.Journal(ctx, a)
	if len(evs) != 1 || evs[0].Action != "spam" || !evs[0].After.Spam || evs[0].Before.Spam {
		t.Fatalf("journal: %+v", evs)
	}
	if _, err := svc.Undo(ctx, "ann"); err != nil {
		t.Fatal(err)
	}
	if got := view(inbox.ViewInbox); !slices.Equal(got, []string{"a", "b"}) || len(view(inbox.ViewSpam)) != 0 || counts()[inbox.ViewSpam] != 0 {
		t.Fatalf("after undo: Inbox %v, Spam %v", got, view(inbox.ViewSpam))
	}
	// Not spam puts a conversation back; undo marks it spam again.
	if err := svc.MarkSpam(ctx, "ann", []int64{a}); err != nil {
		t.Fatal(err)
	}
	if err := svc.NotSpam(ctx, "ann", []int64{a}); err != nil {
		t.Fatal(err)
	}
	if c := convByExt(t, s, "a"); c.State != inbox.StateOpen || len(view(inbox.ViewSpam)) != 0 {
		t.Fatalf("not spam: %s", c.State)
	}
	if _, err := svc.Undo(ctx, "ann"); err != nil {
		t.Fatal(err)
	}
	if c := convByExt(t, s, "a"); c.State != inbox.StateDone || len(view(inbox.ViewSpam)) != 1 {
		t.Fatalf("undo not spam: %s", c.State)
	}
	plan := queryPlan(t, s, "SELECT c.id FROM conversations c WHERE "+teamViewDefs[inbox.ViewSpam].where+" ORDER BY c.act_key, c.id LIMIT 5")
	if !slices.ContainsFunc(plan, func(p string) bool { return containsAll(p, "conv_spam") }) {
		t.Fatalf("Spam does not use its index: %v", plan)
	}
}

func TestRuleMarksSpam(t *testing.T) {
	s, acc := open(t)
	ctx := context.Background()
	set, err := rules.Parse("rules.toml", "[[rule]]\nname = \"followers\"\nkeywords = [\"followers\"]\nspam = true\n", nil)
	if err != nil {
		t.Fatal(err)
	}
	if d := set.Rules[0].Actions().Describe(); d != "mark spam" {
		t.Fatalf("describe: %q", d)
	}
	svc := inbox.NewService(s, inbox.Options{Now: func() time.Time { return t0 }, Rules: func() (*rules.Set, error) { return set, nil }})
	if err := svc.Ingest(ctx, acc, inbox.Batch{Items: []inbox.Inbound{in("a", "m1", t0, "buy followers now"), in("b", "m2", t0, "hello")}}); err != nil {
		t.Fatal(err)
	}
	if a, b := convByExt(t, s, "a"), convByExt(t, s, "b"); a.State != inbox.StateDone || b.State != inbox.StateOpen {
		t.Fatalf("rule spam: a=%s b=%s", a.State, b.State)
	}
	rows, err := svc.List(ctx, inbox.Page{View: inbox.ViewSpam, Limit: 10})
	if err != nil || !slices.Equal(extIDs(rows), []string{"a"}) {
		t.Fatalf("Spam view: %v %v", extIDs(rows), err)
	}
}
