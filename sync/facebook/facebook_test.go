package facebook

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	psync "github.com/parleyhq/parley/sync"
	"github.com/parleyhq/parley/sync/synctest"
)

type env struct {
	*synctest.Inbox
	g    *fakeGraph
	conn *Connector
	svc  *inbox.Service
	acc  inbox.Account
	log  *bytes.Buffer
}

func newEnv(t *testing.T) *env {
	g := newGraph(t)
	tok := g.token
	conn, err := New(Options{PageID: g.pageID, Version: "v25.0", BaseURL: g.srv.URL}, func(context.Context) (string, error) { return tok, nil })
	if err != nil {
		t.Fatal(err)
	}
	in := synctest.New(t, "facebook", "Acme Store")
	return &env{Inbox: in, g: g, conn: conn, svc: in.Svc, acc: in.Acc, log: in.Log}
}

func (e *env) sync(t *testing.T) error { t.Helper(); return e.Sync(e.conn) }

func (e *env) threads(t *testing.T) map[string]inbox.Thread { return e.Threads(t) }

func TestCommentsBecomeConversationsWithPostContext(t *testing.T) {
	e := newEnv(t)
	now := time.Now()
	p := e.g.addPost("Winter blend is here ☕", now.Add(-48*time.Hour))
	ana := e.g.addComment(p, "", "610", "Ana Ruiz", "Where is my order #1182? 😡", now.Add(-3*time.Hour))
	e.g.addComment(p, ana, e.g.pageID, "Acme Store", "We sent you a DM, Ana!", now.Add(-2*time.Hour))
	reply := e.g.addComment(p, ana, "610", "Ana Ruiz", "Nothing arrived 🙄", now.Add(-time.Hour))
	e.g.addComment(p, reply, "", "", "same here", now.Add(-50*time.Minute)) // reply to a reply, author hidden
	e.g.addComment(p, "", "611", "Бори́с", "Отличный кофе! 👍🏽", now.Add(-30*time.Minute))
	if err := e.sync(t); err != nil {
		t.Fatal(err)
	}
	ths := e.threads(t)
	th, ok := ths["comment:"+ana]
	if !ok || len(ths) != 2 {
		t.Fatalf("conversations: %v", len(ths))
	}
	if th.Post == nil || th.Post.Text != "Winter blend is here ☕" || len(th.Messages) != 4 {
		t.Fatalf("ana's thread: post %+v, %d messages", th.Post, len(th.Messages))
	}
	if th.Messages[1].Direction != inbox.Out || th.Messages[3].Author.Name != "Facebook user" || th.Messages[0].Text != "Where is my order #1182? 😡" {
		t.Fatalf("messages: %+v", th.Messages)
	}
	if !th.Conversation.NeedsReply {
		t.Fatal("the customer answered after the Page: the conversation waits for a reply")
	}
	accs, _ := e.svc.Accounts(context.Background())
	if !strings.Contains(accs[0].Notice, "reviews are not available") || accs[0].Status != inbox.AccountOK {
		t.Fatalf("deprecated reviews must be a note, not a failure: %+v", accs[0])
	}
}

func TestPagingIncrementalEditsAndDeletedPost(t *testing.T) {
	e := newEnv(t)
	now := time.Now()
	p1 := e.g.addPost("post one", now.Add(-24*time.Hour))
	p2 := e.g.addPost("post two", now.Add(-20*time.Hour))
	for i := 0; i < 7; i++ { // more than two pages of three
		e.g.addComment(p1, "", "7"+string(rune('0'+i)), "Fan", "hello", now.Add(-time.Duration(10-i)*time.Minute))
	}
	e.g.deleted[p2] = false
	if err := e.sync(t); err != nil {
		t.Fatal(err)
	}
	if n := len(e.threads(t)); n != 7 {
		t.Fatalf("%d conversations after paging, want 7", n)
	}
	// Next poll: one new comment, one edited, and a post deleted between the
	// listing and the fetch of its comments.
	first := e.g.comments[p1][0].ID
	e.g.comments[p1][0].Message = "hello (edited)"
	e.g.comments[p1][0].Created = ts(now.Add(-10 * time.Minute))
	e.g.addComment(p1, "", "799", "Late Fan", "new one", now.Add(time.Second))
	e.g.faults = []graphFault{{path: p2 + "/comments", status: 400, code: 100, sub: 33}}
	e.g.requests = nil
	if err := e.sync(t); err != nil {
		t.Fatal(err)
	}
	ths := e.threads(t)
	if len(ths) != 8 {
		t.Fatalf("%d conversations after the second poll", len(ths))
	}
	for _, r := range e.g.requests {
		if strings.Contains(r, "/comments?") && !strings.Contains(r, "since=") {
			t.Fatalf("incremental poll without since: %s", r)
		}
	}
	if got := ths["comment:"+first].Messages[0].Text; got != "hello (edited)" {
		t.Fatalf("edited comment: %q", got)
	}
	if len(e.g.faults) != 0 {
		t.Fatal("the deleted post's comments were never asked for")
	}
}

func TestGraphErrorsAndUsage(t *testing.T) {
	e := newEnv(t)
	var slept []time.Duration
	e.conn.http.Sleep = func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil }
	e.g.addPost("p", time.Now().Add(-time.Hour))
	cases := []struct {
		code, sub int
		check     func(error) bool
		what      string
	}{
		{190, 463, func(err error) bool { return errors.Is(err, psync.ErrAuth) }, "expired token → re-auth"},
		{4, 0, func(err error) bool { var rl *psync.RateLimitError; return errors.As(err, &rl) }, "app throttled"},
		{17, 0, func(err error) bool { var rl *psync.RateLimitError; return errors.As(err, &rl) }, "user throttled"},
		{2, 0, func(err error) bool { return err != nil && !psync.IsPermanent(err) }, "temporary"},
		{100, 0, func(err error) bool { return psync.IsPermanent(err) }, "bad request"},
	}
	for _, c := range cases {
		e.g.faults = []graphFault{{path: e.g.pageID + "/feed", status: 400, code: c.code, sub: c.sub}}
		_, err := e.conn.Fetch(context.Background(), "")
		if !c.check(err) || !strings.Contains(err.Error(), "fbtrace_id AbCdEf123") {
			t.Errorf("%s: %v", c.what, err)
		}
		if strings.Contains(err.Error(), e.g.token) {
			t.Fatal("token in an error")
		}
	}
	// Usage near the limit slows the next request down before Graph refuses.
	e.g.usage = `{"call_count":92,"total_time":40,"total_cputime":30}`
	e.conn.Fetch(context.Background(), "")
	e.g.usage = ""
	slept = nil
	e.conn.Fetch(context.Background(), "")
	if len(slept) == 0 || slept[0] < 30*time.Second {
		t.Fatalf("no pause at 92%% usage: %v", slept)
	}
}

func TestReplyHideAndRetryWithoutDoublePost(t *testing.T) {
	e := newEnv(t)
	now := time.Now()
	p := e.g.addPost("p", now.Add(-time.Hour))
	c1 := e.g.addComment(p, "", "610", "Ana", "help?", now.Add(-30*time.Minute))
	if err := e.sync(t); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	th := e.threads(t)["comment:"+c1]
	if _, err := e.svc.Reply(ctx, "ann", th.Conversation.ID, "On it, Ana"); err != nil {
		t.Fatal(err)
	}
	// Graph posts the reply, then the answer is lost.
	e.g.faults = []graphFault{{path: c1 + "/comments", status: 500, code: 2, afterWork: true}}
	w := psync.NewWorker(e.svc, func(int64) (psync.Connector, bool) { return e.conn, true }, nil)
	w.Backoff = psync.Backoff{} // a retry is due at once, so this one drain makes it
	w.Drain(ctx)
	if len(e.g.posted) != 1 {
		t.Fatalf("%d posts; a retry must find the first one", len(e.g.posted))
	}
	t2, _ := e.svc.Open(ctx, th.Conversation.ID)
	if last := t2.Messages[len(t2.Messages)-1]; last.Delivery != inbox.DeliverySent || strings.HasPrefix(last.ExternalID, "local:") {
		t.Fatalf("reply: %+v", last)
	}
	// Hide and unhide round trip.
	if _, err := e.conn.Perform(ctx, psync.Action{Kind: inbox.ActionHide, TargetID: c1}); err != nil || !e.g.hidden[c1] {
		t.Fatalf("hide: %v %v", err, e.g.hidden[c1])
	}
	if _, err := e.conn.Perform(ctx, psync.Action{Kind: inbox.ActionUnhide, TargetID: c1}); err != nil || e.g.hidden[c1] {
		t.Fatalf("unhide: %v", err)
	}
}

func TestVersionPinnedAndPageRequired(t *testing.T) {
	tok := func(context.Context) (string, error) { return "", nil }
	if _, err := New(Options{PageID: "1", Version: "25", BaseURL: "https://graph.facebook.com"}, tok); err == nil {
		t.Fatal("an unpinned version accepted")
	}
	if _, err := factory(psync.AccountConfig{Label: "x", Options: map[string]any{"token_env": "X"}}); err == nil {
		t.Fatal("missing page_id accepted")
	}
}

func TestMessengerSyncAndReplyWindows(t *testing.T) {
	e := newEnv(t)
	now := time.Now()
	e.g.addDM("t_100", "7712", "Ana Ruiz", "Hi, my parcel?", now.Add(-2*time.Hour))
	recent := e.g.addDM("t_100", "7712", "Ana Ruiz", "Hello??", now.Add(-time.Hour))
	old := e.g.addDM("t_200", "8813", "Bo", "old question", now.Add(-30*time.Hour))
	if err := e.sync(t); err != nil {
		t.Fatal(err)
	}
	ths := e.threads(t)
	ana, ok := ths["dm:t_100"]
	if !ok || len(ana.Messages) != 2 || ana.Conversation.Kind != inbox.KindDM || ana.Messages[0].Text != "Hi, my parcel?" {
		t.Fatalf("messenger conversations: %v", ths)
	}
	ctx := context.Background()
	// Inside 24 h: a standard RESPONSE to the person's PSID.
	if _, err := e.conn.Perform(ctx, psync.Action{Kind: inbox.ActionReply, ConversationID: "dm:t_100", TargetID: recent, Body: "On its way"}); err != nil {
		t.Fatal(err)
	}
	sent := e.g.sent[0]
	if sent["messaging_type"] != "RESPONSE" || sent["recipient"].(map[string]any)["id"] != "7712" {
		t.Fatalf("send body: %v", sent)
	}
	// After 30 h: refused before any call, and for good.
	_, err := e.conn.Perform(ctx, psync.Action{Kind: inbox.ActionReply, ConversationID: "dm:t_200", TargetID: old, Body: "sorry"})
	if !psync.IsPermanent(err) || !strings.Contains(err.Error(), "within 24 hours") || len(e.g.sent) != 1 {
		t.Fatalf("outside the window: %v (sent %d)", err, len(e.g.sent))
	}
	// With the human agent feature: tagged, up to 7 days.
	e.conn.opts.HumanAgent = true
	if _, err := e.conn.Perform(ctx, psync.Action{Kind: inbox.ActionReply, ConversationID: "dm:t_200", TargetID: old, Body: "sorry"}); err != nil {
		t.Fatal(err)
	}
	if s := e.g.sent[1]; s["messaging_type"] != "MESSAGE_TAG" || s["tag"] != "HUMAN_AGENT" {
		t.Fatalf("human agent send: %v", s)
	}
	if e.conn.Capabilities().ReplyWindow != 7*24*time.Hour {
		t.Fatal("the reply window must follow the human agent setting")
	}
}

func TestPrivateReplyOnlyOnce(t *testing.T) {
	e := newEnv(t)
	p := e.g.addPost("p", time.Now().Add(-time.Hour))
	c1 := e.g.addComment(p, "", "610", "Ana", "my order is wrong", time.Now().Add(-30*time.Minute))
	ctx := context.Background()
	if _, err := e.conn.Perform(ctx, psync.Action{Kind: inbox.ActionPrivateReply, TargetID: c1, Body: "Let's sort this out in private"}); err != nil {
		t.Fatal(err)
	}
	if r := e.g.sent[0]["recipient"].(map[string]any); r["comment_id"] != c1 {
		t.Fatalf("private reply body: %v", e.g.sent[0])
	}
	_, err := e.conn.Perform(ctx, psync.Action{Kind: inbox.ActionPrivateReply, TargetID: c1, Body: "again"})
	if !psync.IsPermanent(err) || !strings.Contains(err.Error(), "2018278") {
		t.Fatalf("second private reply: %v", err)
	}
}

func TestInstagramCommentsRepliesHideAndDMs(t *testing.T) {
	e := newEnv(t)
	e.conn.opts.IGUserID = e.g.igID
	now := time.Now()
	e.g.igMedia = []igMedia{{ID: "17900001", Caption: "New mugs 🫖", Permalink: "https://www.instagram.com/p/abc/", Timestamp: ts(now.Add(-24 * time.Hour)), Username: "acme.store"}}
	e.g.igComms["17900001"] = []igComment{{ID: "17873440459141021", Text: "Does this come in blue?", Timestamp: ts(now.Add(-3 * time.Hour)),
		Username: "kai.moves", From: &igUser{ID: "17841400000000009", Username: "kai.moves"},
		Replies: igReplies{Data: []igComment{{ID: "17870913679156914", Text: "@kai.moves yes, from Friday!", Timestamp: ts(now.Add(-2 * time.Hour)),
			Username: "acme.store", ParentID: "17873440459141021"}}}}}
	e.g.addIGDM("ig_t_1", "IGSID-5", "kai.moves", "hi from instagram", now.Add(-time.Hour), false)
	if err := e.sync(t); err != nil {
		t.Fatal(err)
	}
	if e.g.platform != "instagram" {
		t.Fatalf("conversations asked for platform %q", e.g.platform)
	}
	ths := e.threads(t)
	th := ths["comment:17873440459141021"]
	if th.Post == nil || th.Post.Text != "New mugs 🫖" || len(th.Messages) != 2 || th.Messages[1].Direction != inbox.Out || th.Messages[0].Author.Handle != "@kai.moves" {
		t.Fatalf("ig comment conversation: %+v / %+v", th.Post, th.Messages)
	}
	if _, ok := ths["dm:ig_t_1"]; !ok {
		t.Fatal("instagram DM missing")
	}
	ctx := context.Background()
	r, err := e.conn.Perform(ctx, psync.Action{Kind: inbox.ActionReply, ConversationID: "comment:17873440459141021", Body: "Blue is back!"})
	if err != nil || r.ExternalID == "" || e.g.posted[0].Get("message") != "Blue is back!" {
		t.Fatalf("ig reply: %v %v", r, err)
	}
	// A retry after a lost answer finds the reply instead of posting again.
	r2, err := e.conn.Perform(ctx, psync.Action{Kind: inbox.ActionReply, ConversationID: "comment:17873440459141021", Body: "Blue is back!",
		Attempt: 2, Queued: now})
	if err != nil || r2.ExternalID != r.ExternalID || len(e.g.posted) != 1 {
		t.Fatalf("ig retry: %v %v (%d posts)", r2, err, len(e.g.posted))
	}
	if _, err := e.conn.Perform(ctx, psync.Action{Kind: inbox.ActionHide, TargetID: "17873440459141021"}); err != nil || !e.g.hidden["17873440459141021"] {
		t.Fatalf("ig hide: %v", err)
	}
}

func TestEmptyPageWithNextLinkAndTokenExpiryMidSync(t *testing.T) {
	e := newEnv(t)
	now := time.Now()
	p := e.g.addPost("p", now.Add(-time.Hour))
	e.g.addComment(p, "", "610", "Ana", "hi", now.Add(-30*time.Minute))
	e.g.emptyFirst = true
	if err := e.sync(t); err != nil {
		t.Fatal(err)
	}
	if n := len(e.threads(t)); n != 1 {
		t.Fatalf("%d conversations after an empty first page", n)
	}
	// The token is revoked between the feed and the comments.
	e.g.addComment(p, "", "611", "Bo", "hello", now)
	e.g.faults = []graphFault{{path: p + "/comments", status: 400, code: 190, sub: 460}}
	err := e.sync(t)
	if !errors.Is(err, psync.ErrAuth) {
		t.Fatalf("revoked mid-sync: %v", err)
	}
	accs, _ := e.svc.Accounts(context.Background())
	if accs[0].Status != inbox.AccountNeedsReauth || strings.Contains(accs[0].LastError+e.log.String(), e.g.token) {
		t.Fatalf("account: %+v", accs[0])
	}
	if n := len(e.threads(t)); n != 1 {
		t.Fatal("a half-read page must not be stored")
	}
}

func TestPrivateReplyRefusedAfterSevenDays(t *testing.T) {
	e := newEnv(t)
	p := e.g.addPost("p", time.Now().Add(-10*24*time.Hour))
	old := e.g.addComment(p, "", "610", "Ana", "old", time.Now().Add(-8*24*time.Hour))
	_, err := e.conn.Perform(context.Background(), psync.Action{Kind: inbox.ActionPrivateReply, TargetID: old, Body: "hi"})
	if !psync.IsPermanent(err) || !strings.Contains(err.Error(), "within 7 days") || len(e.g.sent) != 0 {
		t.Fatalf("8-day-old comment: %v (sent %d)", err, len(e.g.sent))
	}
}

// Finding 5: /{ig-user}/tags lists media the account is tagged in, and Meta
// does not let an app comment on those; they are read-only conversations.
func TestInstagramTaggedMediaReadOnlyAndInstagramLogin(t *testing.T) {
	e := newEnv(t)
	e.conn.opts.IGUserID, e.conn.opts.IGLogin = e.g.igID, true
	now := time.Now()
	e.g.igTags = []igMedia{{ID: "17955555", Caption: "Morning coffee with @acme.store ☕", Permalink: "https://www.instagram.com/p/zzz/",
		Timestamp: ts(now.Add(-time.Hour)), Username: "lena.b"}}
	e.g.addIGDM("ig_t_9", "IGSID-9", "lena.b", "do you ship to Oslo?", now.Add(-time.Hour), false)
	if err := e.sync(t); err != nil {
		t.Fatal(err)
	}
	ths := e.threads(t)
	m, ok := ths["tagged:17955555"]
	if !ok || m.Conversation.Kind != inbox.KindMention || m.Messages[0].Author.Handle != "@lena.b" || m.Messages[0].Permalink == "" {
		t.Fatalf("tagged media: %+v", ths)
	}
	if e.g.platform != "ig-login:instagram" {
		t.Fatalf("with Instagram Login conversations belong to the IG account: %q", e.g.platform)
	}
	ctx := context.Background()
	for _, k := range []inbox.ActionKind{inbox.ActionReply, inbox.ActionPrivateReply, inbox.ActionHide} {
		_, err := e.conn.Perform(ctx, psync.Action{Kind: k, ConversationID: "tagged:17955555", TargetID: "17955555", Body: "Thanks Lena!"})
		if !psync.IsPermanent(err) || !strings.Contains(err.Error(), "only tagged in") {
			t.Fatalf("%s on tagged media: %v", k, err)
		}
	}
	if len(e.g.posted) != 0 || len(e.g.hidden) != 0 {
		t.Fatalf("a refused action reached Graph: %v", e.g.posted)
	}
	dm := ths["dm:ig_t_9"]
	if _, err := e.conn.Perform(ctx, psync.Action{Kind: inbox.ActionReply, ConversationID: "dm:ig_t_9", TargetID: dm.Messages[0].ExternalID, Body: "Yes!"}); err != nil {
		t.Fatal(err)
	}
	if len(e.g.sent) != 1 || e.g.sent[0]["recipient"].(map[string]any)["id"] != "IGSID-9" {
		t.Fatalf("the DM reply did not go to Lena through the IG account's messages edge: %v", e.g.sent)
	}
}

// The Send API has no idempotency key: when the answer to a send is lost,
// the retry finds the delivered message instead of sending it again.
func TestMessengerResendAfterLostAnswerSendsOnce(t *testing.T) {
	e := newEnv(t)
	now := time.Now()
	recent := e.g.addDM("t_100", "7712", "Ana Ruiz", "Hello??", now.Add(-time.Hour))
	if err := e.sync(t); err != nil {
		t.Fatal(err)
	}
	e.g.mu.Lock()
	e.g.faults = []graphFault{{path: e.g.pageID + "/messages", status: 500, code: 2, afterWork: true}}
	e.g.mu.Unlock()
	ctx := context.Background()
	a := psync.Action{Kind: inbox.ActionReply, ConversationID: "dm:t_100", TargetID: recent, Body: "On its way", Attempt: 1, Queued: now}
	if _, err := e.conn.Perform(ctx, a); err == nil {
		t.Fatal("the lost answer was not an error")
	}
	a.Attempt = 2
	r, err := e.conn.Perform(ctx, a)
	if err != nil || r.ExternalID == "" || len(e.g.sent) != 1 {
		t.Fatalf("resend: %+v %v, %d sends", r, err, len(e.g.sent))
	}
}
