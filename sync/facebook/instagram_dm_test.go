package facebook

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	psync "github.com/parleyhq/parley/sync"
)

// Finding 3: Instagram conversations read through a Page (Facebook Login)
// have {username, id} senders and the business is its Instagram account
// id, not the Page's: direction, author, reply target and window follow.
func TestInstagramConversationsTheRightWayRound(t *testing.T) {
	e := newEnv(t)
	e.conn.opts.IGUserID = e.g.igID
	now := time.Now()
	// Kai asked 30 h ago; the shop answered from the Instagram app 2 h ago.
	e.g.addIGDM("ig_t_1", "IGSID-5", "kai.moves", "is the blue mug back?", now.Add(-30*time.Hour), false)
	ours := e.g.addIGDM("ig_t_1", "IGSID-5", "kai.moves", "Friday!", now.Add(-2*time.Hour), true)
	// Lena asked 3 h ago, the shop answered 1 h ago, Lena is waiting on more.
	e.g.addIGDM("ig_t_2", "IGSID-9", "lena.b", "do you ship to Oslo?", now.Add(-3*time.Hour), false)
	ourLast := e.g.addIGDM("ig_t_2", "IGSID-9", "lena.b", "Yes — which size?", now.Add(-time.Hour), true)
	if err := e.sync(t); err != nil {
		t.Fatal(err)
	}
	ths := e.threads(t)
	kai := ths["dm:ig_t_1"]
	if len(kai.Messages) != 2 || kai.Messages[0].Direction != inbox.In || kai.Messages[1].Direction != inbox.Out {
		t.Fatalf("directions: %+v", kai.Messages)
	}
	if a := kai.Messages[0].Author; a.Handle != "@kai.moves" || a.Name != "kai.moves" || a.ID != "IGSID-5" {
		t.Fatalf("author: %+v", a)
	}
	if kai.Conversation.NeedsReply {
		t.Fatal("the business answered last: nothing is waiting")
	}
	ctx := context.Background()
	// Answering under our own message still goes to the customer, inside
	// the window measured from the customer's message.
	if _, err := e.conn.Perform(ctx, psync.Action{Kind: inbox.ActionReply, ConversationID: "dm:ig_t_2", TargetID: ourLast, Body: "M, please"}); err != nil {
		t.Fatal(err)
	}
	if r := e.g.sent[0]["recipient"].(map[string]any); r["id"] != "IGSID-9" || e.g.sent[0]["messaging_type"] != "RESPONSE" {
		t.Fatalf("send body: %v", e.g.sent[0])
	}
	// Kai's last message is 30 h old: our own later message does not open a window.
	_, err := e.conn.Perform(ctx, psync.Action{Kind: inbox.ActionReply, ConversationID: "dm:ig_t_1", TargetID: ours, Body: "still there?"})
	if !psync.IsPermanent(err) || !strings.Contains(err.Error(), "within 24 hours") || len(e.g.sent) != 1 {
		t.Fatalf("outside the window: %v", err)
	}
}

// Finding 6: the error table. Instagram's window-closed and
// private-reply-used refusals are not "missing permission"; 1/99 is
// missing access and final; 2 is retried, but a send gives up.
func TestGraphErrorTable(t *testing.T) {
	body := func(code, sub int) []byte {
		return fmt.Appendf(nil, `{"error":{"message":"m","type":"OAuthException","code":%d,"error_subcode":%d,"fbtrace_id":"T1"}}`, code, sub)
	}
	cases := []struct {
		code, sub int
		permanent bool
		says      string
	}{
		{10, 2534022, true, "Instagram's reply window has closed"},
		{10, 2534025, true, "one private reply has already been used"},
		{10, 2018278, true, "reply window has closed"},
		{1, 99, true, "Advanced Access, business verification"},
		{1, 0, false, "graph error 1"},
		{2, 0, false, "graph error 2"},
		{551, 0, true, "cannot be reached"},
		{200, 0, true, "missing permission"},
	}
	for _, c := range cases {
		err := mapError(400, http.Header{}, body(c.code, c.sub))
		if psync.IsPermanent(err) != c.permanent || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%d/%d: %v (permanent %v)", c.code, c.sub, err, psync.IsPermanent(err))
		}
		if c.sub > 1000 && strings.Contains(err.Error(), "missing permission") {
			t.Errorf("%d/%d reported as a missing permission: %v", c.code, c.sub, err)
		}
	}
	// Code 2 on a send: retried twice, then final with the likely reason.
	e := newEnv(t)
	dm := e.g.addDM("t_100", "7712", "Ana", "hi", time.Now().Add(-time.Hour))
	for attempt := 1; attempt <= sendGiveUp; attempt++ {
		e.g.faults = []graphFault{{path: e.g.pageID + "/messages", status: 500, code: 2}}
		_, err := e.conn.Perform(context.Background(), psync.Action{Kind: inbox.ActionReply, ConversationID: "dm:t_100", TargetID: dm, Body: "hello", Attempt: attempt})
		if attempt < sendGiveUp && (err == nil || psync.IsPermanent(err)) {
			t.Fatalf("attempt %d: %v", attempt, err)
		}
		if attempt == sendGiveUp && (!psync.IsPermanent(err) || !strings.Contains(err.Error(), "blocked")) {
			t.Fatalf("attempt %d must be final: %v", attempt, err)
		}
	}
	var pe *psync.PermanentError
	if err := mapError(400, http.Header{}, body(190, 460)); !errors.Is(err, psync.ErrAuth) || errors.As(err, &pe) {
		t.Fatalf("190: %v", err)
	}
}
