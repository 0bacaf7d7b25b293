package sqlite

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/inbox/negativity"
	"github.com/parleyhq/parley/inbox/rules"
)

const shopRules = `
[[rule]]
name = "refunds"
keywords = ["refund"]
tag = ["refund"]
escalate = "support"
note = "money"

[[rule]]
name = "angry"
negative = true
priority = "high"
hide = true

[[rule]]
name = "thanks"
keywords = ["thanks"]
done = true
`

func TestRulesRunAtIngestAreJournalledAndUndoable(t *testing.T) {
	s, acc := open(t)
	ctx := context.Background()
	set, err := rules.Parse("rules.toml", shopRules, []string{"support"})
	if err != nil {
		t.Fatal(err)
	}
	svc := inbox.NewService(s, inbox.Options{Detector: negativity.New(""), Now: func() time.Time { return t0 },
		Rules: func() (*rules.Set, error) { return set, nil }})
	svc.SetModeration(func(int64) []inbox.ActionKind { return []inbox.ActionKind{inbox.ActionHide} })
	// A dry run first: nothing stored yet, nothing changes.
	ingestPlain := inbox.NewService(s, inbox.Options{})
	ingestPlain.Ingest(ctx, acc, inbox.Batch{Items: []inbox.Inbound{in("old", "o1", t0.Add(-time.Hour), "where is my refund")}})
	reps, n, err := svc.TestRules(ctx, set, t0.Add(-24*time.Hour))
	if err != nil || n != 1 || reps[0].Matches != 1 || reps[0].Does != "tag #refund, escalate to support (money)" || len(reps[0].Examples) != 1 {
		t.Fatalf("dry run: %+v n=%d err=%v", reps, n, err)
	}
	if c := convByExt(t, s, "old"); len(c.Tags) != 0 || c.EscDest != "" {
		t.Fatalf("dry run changed the conversation: %+v", c)
	}
	// Live: rules act on new arrivals only.
	err = svc.Ingest(ctx, acc, inbox.Batch{Items: []inbox.Inbound{
		in("r", "m1", t0, "This is terrible, I want a refund"),
		in("k", "m2", t0, "thanks, all good"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	r := convByExt(t, s, "r")
	if !slices.Equal(r.Tags, []string{"priority-high", "refund"}) || r.EscDest != "support" || r.EscNote != "money" || !r.Negative {
		t.Fatalf("refund complaint after rules: %+v", r)
	}
	th, _ := svc.Open(ctx, r.ID)
	if len(th.Actions) != 1 || th.Actions[0].Action != inbox.ActionHide {
		t.Fatalf("hide not queued: %+v", th.Actions)
	}
	if k := convByExt(t, s, "k"); k.State != inbox.StateDone {
		t.Fatalf("thanks not done: %s", k.State)
	}
	evs, _ := svc.Journal(ctx, r.ID)
	if e := evs[len(evs)-2]; e.Actor != "rules" || e.Action != "rule: refunds, angry" {
		t.Fatalf("journal: %+v", e)
	}
	// Re-ingesting the same page runs no rule twice.
	svc.Ingest(ctx, acc, inbox.Batch{Items: []inbox.Inbound{in("r", "m1", t0, "This is terrible, I want a refund")}})
	if evs2, _ := svc.Journal(ctx, r.ID); len(evs2) != len(evs) {
		t.Fatalf("rules ran again on a duplicate: %d → %d events", len(evs), len(evs2))
	}
	// Undo the rules' work, newest first.
	if _, err := svc.Undo(ctx, "rules"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Undo(ctx, "rules"); err != nil {
		t.Fatal(err)
	}
	if r := convByExt(t, s, "r"); len(r.Tags) != 0 || r.EscDest != "" {
		t.Fatalf("after undo: %+v", r)
	}
	if k := convByExt(t, s, "k"); k.State != inbox.StateOpen {
		t.Fatalf("after undo: %s", k.State)
	}
	if _, err := svc.Undo(ctx, "rules"); !errors.Is(err, inbox.ErrNothingToUndo) {
		t.Fatalf("third undo: %v", err)
	}
}
