package sqlite

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// clock is a settable time for the service.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }
func newClock(t time.Time) *clock    { return &clock{t: t} }

func sendSvc(t *testing.T, hold time.Duration) (*inbox.Service, *Store, int64, *clock) {
	t.Helper()
	s, acc := open(t)
	clk := newClock(t0)
	svc := inbox.NewService(s, inbox.Options{ReplyMarksDone: true, Now: clk.now, SendHold: hold,
		Deliverable: func(d string) bool { return d == "support" }})
	ingest(t, s, acc, "", in("a", "m1", t0.Add(-time.Hour), "Where is my order?"))
	return svc, s, acc, clk
}

// Two managers who both saw the same thread send at once: exactly one
// reply is queued, the other is stopped with who replied and what.
func TestSendTimeCheckLetsOneOfTwoRacingRepliesThrough(t *testing.T) {
	svc, s, _, _ := sendSvc(t, 0)
	ctx := context.Background()
	id := convByExt(t, s, "a").ID
	th, err := svc.Open(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	for round := 0; round < 20; round++ {
		seen := th.OutSeq
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, who := range []string{"ann", "bob"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = svc.Send(ctx, inbox.ReplyRequest{Actor: who, Conversation: id, Body: who + " says sorry", Seen: seen})
			}()
		}
		wg.Wait()
		var conflict *inbox.ReplyConflict
		ok, stopped := 0, 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case errors.As(err, &conflict) && errors.Is(err, inbox.ErrConflict):
				stopped++
			default:
				t.Fatalf("round %d: unexpected error %v", round, err)
			}
		}
		if ok != 1 || stopped != 1 {
			t.Fatalf("round %d: %d sent, %d stopped; want one each", round, ok, stopped)
		}
		if conflict.By != "ann" && conflict.By != "bob" || conflict.Text == "" || conflict.Seq != seen+1 {
			t.Fatalf("conflict says %+v", conflict)
		}
		if th, err = svc.Open(ctx, id); err != nil {
			t.Fatal(err)
		}
		if th.OutSeq != seen+1 {
			t.Fatalf("round %d: out_seq %d, want %d", round, th.OutSeq, seen+1)
		}
	}
	// Having seen the reply, the manager may still send (Seen = Seq).
	if _, err := svc.Send(ctx, inbox.ReplyRequest{Actor: "bob", Conversation: id, Body: "and one more thing", Seen: th.OutSeq}); err != nil {
		t.Fatalf("send after seeing the other reply: %v", err)
	}
}

// A reply synced from the network (posted from another app) counts too.
func TestSendTimeCheckSeesRepliesFromOtherApps(t *testing.T) {
	svc, s, acc, _ := sendSvc(t, 0)
	ctx := context.Background()
	id := convByExt(t, s, "a").ID
	th, _ := svc.Open(ctx, id)
	out := in("a", "brand-1", t0, "Answered from the phone app")
	out.Message.Direction = inbox.Out
	ingest(t, s, acc, "", out)
	_, err := svc.Send(ctx, inbox.ReplyRequest{Actor: "ann", Conversation: id, Body: "Sorry!", Seen: th.OutSeq})
	var c *inbox.ReplyConflict
	if !errors.As(err, &c) || c.Text != "Answered from the phone app" {
		t.Fatalf("want a conflict naming the app's reply, got %v", err)
	}
}

// Within the hold nothing can be claimed, and undo takes the reply back:
// the outbox is empty, the message gone, the draft restored, the
// conversation as it was.
func TestUndoWithinTheHoldCancelsTheSend(t *testing.T) {
	svc, s, _, clk := sendSvc(t, 10*time.Second)
	ctx := context.Background()
	id := convByExt(t, s, "a").ID
	before, _ := s.Conversation(ctx, id)
	th, _ := svc.Open(ctx, id)
	e, err := svc.Send(ctx, inbox.ReplyRequest{Actor: "ann", Conversation: id, Body: "Refund sent", Seen: th.OutSeq})
	if err != nil {
		t.Fatal(err)
	}
	if !e.NextAttemptAt.Equal(t0.Add(10 * time.Second)) {
		t.Fatalf("held until %v", e.NextAttemptAt)
	}
	th, _ = svc.Open(ctx, id)
	if last := th.Messages[len(th.Messages)-1]; !last.HoldUntil.Equal(t0.Add(10*time.Second)) || last.Delivery != inbox.DeliveryQueued {
		t.Fatalf("held message: %+v", last)
	}
	clk.add(9 * time.Second)
	if es, _ := svc.ClaimOutbox(ctx, 10); len(es) != 0 {
		t.Fatalf("claimed during the hold: %+v", es)
	}
	u, err := svc.Undo(ctx, "ann")
	if err != nil {
		t.Fatal(err)
	}
	if u.Action != "reply" || u.Restored != id || u.Describe() != "undid reply — send cancelled, nothing reached the network; your draft is back" {
		t.Fatalf("undone: %+v %q", u, u.Describe())
	}
	clk.add(time.Hour)
	if es, _ := svc.ClaimOutbox(ctx, 10); len(es) != 0 {
		t.Fatalf("a cancelled reply was claimed: %+v", es)
	}
	th, _ = svc.Open(ctx, id)
	after := th.Conversation
	if len(th.Messages) != 1 || th.DraftBody("ann") != "Refund sent" || after.State != inbox.StateOpen || !after.NeedsReply ||
		after.Messages != before.Messages || !after.WaitSince.Equal(before.WaitSince) || !after.LastOutAt.Equal(before.LastOutAt) {
		t.Fatalf("after undo: %d messages, draft %q, %+v (before %+v)", len(th.Messages), th.DraftBody("ann"), after, before)
	}
}

// After the hold, once a worker has claimed the reply, undo only reopens
// and says the reply could not be taken back.
func TestUndoAfterTheHoldSaysTheReplyWent(t *testing.T) {
	svc, s, _, clk := sendSvc(t, 10*time.Second)
	ctx := context.Background()
	id := convByExt(t, s, "a").ID
	if _, err := svc.Send(ctx, inbox.ReplyRequest{Actor: "ann", Conversation: id, Body: "On its way", Force: true}); err != nil {
		t.Fatal(err)
	}
	clk.add(11 * time.Second)
	es, _ := svc.ClaimOutbox(ctx, 10)
	if len(es) != 1 {
		t.Fatalf("claimed %d after the hold", len(es))
	}
	u, err := svc.Undo(ctx, "ann")
	if err != nil || u.Restored != 0 || len(u.Notes) != 1 || u.Notes[0] != "the reply had already gone to the network and cannot be taken back" {
		t.Fatalf("undo after the hold: %+v %v", u, err)
	}
	th, _ := svc.Open(ctx, id)
	if len(th.Messages) != 2 || th.Conversation.State != inbox.StateOpen || th.DraftBody("ann") != "" {
		t.Fatalf("after undo: %d messages, %s, draft %q", len(th.Messages), th.Conversation.State, th.DraftBody("ann"))
	}
}

// Drafts belong to their manager: two managers' drafts live side by side,
// and a discarded draft comes back with undo.
func TestDraftsPerManagerAndDiscardUndo(t *testing.T) {
	svc, s, _, _ := sendSvc(t, 0)
	ctx := context.Background()
	id := convByExt(t, s, "a").ID
	if err := svc.SaveDraft(ctx, "ann", id, "Ann's words"); err != nil {
		t.Fatal(err)
	}
	if err := svc.SaveDraft(ctx, "bob", id, "Bob's words"); err != nil {
		t.Fatal(err)
	}
	th, _ := svc.Open(ctx, id)
	if th.DraftBody("ann") != "Ann's words" || th.DraftBody("bob") != "Bob's words" || len(th.OthersDrafts("bob")) != 1 || th.OthersDrafts("bob")[0].Owner != "ann" {
		t.Fatalf("drafts: %+v", th.Drafts)
	}
	// Ann's send clears Ann's draft, not Bob's.
	if _, err := svc.Send(ctx, inbox.ReplyRequest{Actor: "ann", Conversation: id, Body: "Ann's words", Seen: th.OutSeq}); err != nil {
		t.Fatal(err)
	}
	if err := svc.DiscardDraft(ctx, "bob", id); err != nil {
		t.Fatal(err)
	}
	if err := svc.DiscardDraft(ctx, "bob", id); !errors.Is(err, inbox.ErrNotFound) {
		t.Fatalf("discarding nothing: %v", err)
	}
	th, _ = svc.Open(ctx, id)
	if len(th.Drafts) != 0 {
		t.Fatalf("drafts after send and discard: %+v", th.Drafts)
	}
	u, err := svc.Undo(ctx, "bob")
	if err != nil || u.Action != "discard draft" || u.Restored != id {
		t.Fatalf("undo discard: %+v %v", u, err)
	}
	th, _ = svc.Open(ctx, id)
	if th.DraftBody("bob") != "Bob's words" {
		t.Fatalf("restored draft %q", th.DraftBody("bob"))
	}
}

// An undone escalation is withdrawn at its destination: cancelled if not
// yet delivered, followed by a retraction if it was.
func TestUndoneEscalationIsWithdrawn(t *testing.T) {
	svc, s, _, _ := sendSvc(t, 0)
	ctx := context.Background()
	id := convByExt(t, s, "a").ID
	if err := svc.Escalate(ctx, "ann", []int64{id}, "support", "angry about refund"); err != nil {
		t.Fatal(err)
	}
	if u, err := svc.Undo(ctx, "ann"); err != nil || len(u.Notes) != 1 || u.Notes[0] != "the escalation to support had not been delivered and was cancelled" {
		t.Fatalf("undo before delivery: %+v %v", u, err)
	}
	if es, _ := svc.ClaimOutbox(ctx, 10); len(es) != 0 {
		t.Fatalf("a cancelled escalation was claimed: %+v", es)
	}
	if err := svc.Escalate(ctx, "ann", []int64{id}, "support", "angry about refund"); err != nil {
		t.Fatal(err)
	}
	es, _ := svc.ClaimOutbox(ctx, 10)
	if len(es) != 1 {
		t.Fatalf("claimed %d", len(es))
	}
	if err := svc.CompleteOutbox(ctx, es[0].ID, "", ""); err != nil {
		t.Fatal(err)
	}
	if u, err := svc.Undo(ctx, "ann"); err != nil || len(u.Notes) != 1 || u.Notes[0] != "a retraction is on its way to support" {
		t.Fatalf("undo after delivery: %+v %v", u, err)
	}
	es, _ = svc.ClaimOutbox(ctx, 10)
	if len(es) != 1 || es[0].Action != inbox.RetractFrom("support") || es[0].Body != "withdrawn by ann" {
		t.Fatalf("retraction: %+v", es)
	}
	if d, ok := es[0].Action.Retraction(); !ok || d != "support" {
		t.Fatalf("retraction destination %q %v", d, ok)
	}
}

// Replying to an escalated conversation keeps it in Escalated until the
// escalation is resolved.
func TestEscalatedUntilResolved(t *testing.T) {
	svc, s, _, _ := sendSvc(t, 0)
	ctx := context.Background()
	id := convByExt(t, s, "a").ID
	if err := svc.Escalate(ctx, "ann", []int64{id}, "legal", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Reply(ctx, "ann", id, "Our legal team will contact you."); err != nil {
		t.Fatal(err)
	}
	esc, _ := svc.List(ctx, inbox.Page{View: inbox.ViewEscalated, Limit: 10})
	if len(esc) != 1 || esc[0].State != inbox.StateDone {
		t.Fatalf("escalated after reply: %+v", esc)
	}
	if err := svc.Resolve(ctx, "ann", []int64{id}); err != nil {
		t.Fatal(err)
	}
	if esc, _ = svc.List(ctx, inbox.Page{View: inbox.ViewEscalated, Limit: 10}); len(esc) != 0 {
		t.Fatalf("escalated after resolve: %+v", esc)
	}
	if u, err := svc.Undo(ctx, "ann"); err != nil || u.Action != "resolve" {
		t.Fatalf("undo resolve: %+v %v", u, err)
	}
	if esc, _ = svc.List(ctx, inbox.Page{View: inbox.ViewEscalated, Limit: 10}); len(esc) != 1 {
		t.Fatalf("escalated after undoing resolve: %d", len(esc))
	}
}

// The service refuses a reply over the network's limit before queueing.
func TestReplyOverTheLimitIsRefused(t *testing.T) {
	svc, s, _, _ := sendSvc(t, 0)
	ctx := context.Background()
	svc.SetLimits(func(int64, inbox.Kind) inbox.TextLimit { return inbox.TextLimit{Max: 5, Unit: inbox.CountGraphemes} })
	id := convByExt(t, s, "a").ID
	if _, err := svc.Reply(ctx, "ann", id, "👍🏽👍🏽👍🏽👍🏽👍🏽"); err != nil {
		t.Fatalf("5 graphemes refused: %v", err)
	}
	_, err := svc.Reply(ctx, "ann", id, "héllo!")
	if !errors.Is(err, inbox.ErrInvalid) || err.Error() != "reply: the reply is 1 over demo-facebook's limit of 5 characters (as seen); shorten it (the draft is kept): invalid" {
		t.Fatalf("over the limit: %v", err)
	}
}
