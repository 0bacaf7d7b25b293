package sqlite

import (
	"context"
	"testing"

	"github.com/parleyhq/parley/inbox"
)

// Ingest names the assigned conversations a customer wrote again on, with
// their owner; not new conversations, not our own messages, not re-fetched
// ones, not spam.
func TestIngestNamesNewMessagesForTheAssignee(t *testing.T) {
	s, acc := open(t)
	ctx := context.Background()
	ingest(t, s, acc, "", in("a", "m1", t0, "hi"), in("b", "m2", t0, "hello"), in("c", "m3", t0, "buy followers"))
	a, b, c := convByExt(t, s, "a").ID, convByExt(t, s, "b").ID, convByExt(t, s, "c").ID
	if err := s.Apply(ctx, "ann", "assign", []int64{a}, t0, func(tr *inbox.Triage) { tr.Assignee = "bob" }); err != nil {
		t.Fatal(err)
	}
	if err := s.Apply(ctx, "ann", "assign", []int64{c}, t0, func(tr *inbox.Triage) { tr.Assignee = "bob"; tr.Spam = true }); err != nil {
		t.Fatal(err)
	}
	out := in("a", "o1", t0.Add(1), "we are on it")
	out.Message.Direction = inbox.Out
	batch := inbox.Batch{Items: []inbox.Inbound{in("a", "m1", t0, "hi"), out, in("a", "m4", t0.Add(2), "thanks"),
		in("b", "m5", t0.Add(2), "and?"), in("c", "m6", t0.Add(2), "cheap followers")}}
	res, err := s.Ingest(ctx, acc, batch, t0)
	if err != nil {
		t.Fatal(err)
	}
	want := inbox.AssignedArrival{ConversationID: a, Assignee: "bob", From: "Customer a", Network: "demo-facebook"}
	if len(res.ForAssignee) != 1 || res.ForAssignee[0] != want {
		t.Fatalf("for the assignee: %+v (b is %d)", res.ForAssignee, b)
	}
	// The same page again tells nobody anything.
	if res, err := s.Ingest(ctx, acc, batch, t0); err != nil || len(res.ForAssignee) != 0 {
		t.Fatalf("re-fetch: %+v %v", res.ForAssignee, err)
	}
}
