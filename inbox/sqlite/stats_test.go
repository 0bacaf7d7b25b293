package sqlite

import (
	"context"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/inbox/sla"
)

// Stats on a known fixture: three conversations, two answered after 10 and
// 30 minutes by ann and bob, one complaint still waiting.
func TestStatsOnAKnownFixture(t *testing.T) {
	s, acc := open(t)
	ctx := context.Background()
	now := t0.Add(2 * time.Hour)
	svc := inbox.NewService(s, inbox.Options{Now: func() time.Time { return now },
		SLA: &sla.Policy{Negative: 30 * time.Minute, Default: 4 * time.Hour}})
	out := func(conv, id, who string, at time.Time) inbox.Inbound {
		return inbox.Inbound{ConversationID: conv, Kind: inbox.KindComment, Message: inbox.Message{ExternalID: id,
			Direction: inbox.Out, Text: "hi", CreatedAt: at, Author: inbox.Author{Name: who}}}
	}
	bad := in("c", "m5", t0.Add(20*time.Minute), "awful")
	bad.Message.Sentiment = "negative"
	if err := svc.Ingest(ctx, acc, inbox.Batch{Items: []inbox.Inbound{
		in("a", "m1", t0, "q1"), out("a", "m2", "ann", t0.Add(10*time.Minute)),
		in("b", "m3", t0.Add(time.Minute), "q2"), out("b", "m4", "bob", t0.Add(31*time.Minute)),
		bad,
	}}); err != nil {
		t.Fatal(err)
	}
	svc.SetNegative(ctx, "ann", []int64{convByExt(t, s, "c").ID}, true)
	st, err := svc.Stats(ctx, t0.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if st.Conversations != 3 || st.Answered != 2 || st.Negative != 1 || st.Waiting != 1 || st.Overdue != 1 || st.Inbound != 3 {
		t.Fatalf("totals: %+v", st)
	}
	if st.FirstMedian != 10*time.Minute || st.FirstP90 != 30*time.Minute {
		t.Fatalf("first response p50 %s p90 %s", st.FirstMedian, st.FirstP90)
	}
	if len(st.PerManager) != 2 || st.PerManager[0].Manager != "ann" || st.PerManager[1].FirstMedian != 30*time.Minute {
		t.Fatalf("per manager: %+v", st.PerManager)
	}
	if len(st.PerNetwork) != 1 || st.PerNetwork[0].Inbound != 3 || st.PerNetwork[0].ResponseRate < 0.66 || st.PerNetwork[0].ResponseRate > 0.67 {
		t.Fatalf("per network: %+v", st.PerNetwork)
	}
	if len(st.PerDay) != 1 || st.PerDay[0].Inbound != 3 || st.PerDay[0].Negative != 1 {
		t.Fatalf("per day: %+v", st.PerDay)
	}
}

// The detector's agreement with the manager, on a fixture of marks and
// unmarks: a flag left standing is confirmed, a flag unmarked is a false
// alarm, a hand mark on an unflagged conversation is a miss, the last mark
// wins, and conversations from before the period do not count.
func TestStatsAgreementWithTheManager(t *testing.T) {
	s, acc := open(t)
	ctx := context.Background()
	svc := inbox.NewService(s, inbox.Options{Now: func() time.Time { return t0.Add(time.Hour) }})
	flagged := func(conv, id string, at time.Time) inbox.Inbound {
		m := in(conv, id, at, "it broke")
		m.Message.Sentiment = "negative"
		return m
	}
	if err := svc.Ingest(ctx, acc, inbox.Batch{Items: []inbox.Inbound{
		flagged("kept1", "m1", t0), flagged("kept2", "m2", t0), flagged("unmarked", "m3", t0),
		flagged("remarked", "m4", t0), in("missed1", "m5", t0, "meh"), in("missed2", "m6", t0, "meh"),
		in("quiet", "m7", t0, "thanks"), flagged("old", "m8", t0.Add(-48*time.Hour)),
	}}); err != nil {
		t.Fatal(err)
	}
	id := func(ext string) []int64 { return []int64{convByExt(t, s, ext).ID} }
	st, err := svc.Stats(ctx, t0.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if a := st.Agreement; a.Marks != 0 || a.Flagged != 4 || a.Summary() != "no manual marks yet" {
		t.Fatalf("before any mark: %+v %q", a, a.Summary())
	}
	for _, m := range []struct {
		ext string
		neg bool
	}{{"unmarked", false}, {"remarked", false}, {"remarked", true}, {"missed1", true}, {"missed2", true}, {"old", false}} {
		if err := svc.SetNegative(ctx, "ann", id(m.ext), m.neg); err != nil {
			t.Fatal(err)
		}
	}
	if st, err = svc.Stats(ctx, t0.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	a := st.Agreement
	want := inbox.Agreement{Flagged: 4, Unmarked: 1, Missed: 2, Marks: 4, Precision: 0.75, Recall: 0.6}
	if a != want {
		t.Fatalf("agreement %+v, want %+v", a, want)
	}
	const line = "precision 75% (1 of 4 flags unmarked) · recall 60% (2 missed)"
	if a.Summary() != line {
		t.Fatalf("summary %q", a.Summary())
	}
}
