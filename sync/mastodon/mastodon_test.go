package mastodon

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	psync "github.com/parleyhq/parley/sync"
	"github.com/parleyhq/parley/sync/synctest"
)

type env struct {
	*synctest.Inbox
	f    *fakeServer
	conn *Connector
	svc  *inbox.Service
	acc  inbox.Account
	log  *bytes.Buffer
}

func newEnv(t *testing.T) *env {
	f := newFake(t)
	tok := f.token // what the manager configured
	conn, err := New(Options{Server: f.srv.URL, PollInterval: time.Minute, Backlog: 7 * 24 * time.Hour},
		func(context.Context) (string, error) { return tok, nil })
	if err != nil {
		t.Fatal(err)
	}
	in := synctest.New(t, "mastodon", "acme@m.example")
	return &env{Inbox: in, f: f, conn: conn, svc: in.Svc, acc: in.Acc, log: in.Log}
}

// sync runs the engine once over the account, as `parley sync --once`.
func (e *env) sync(t *testing.T) error { t.Helper(); return e.Sync(e.conn) }

func (e *env) convs(t *testing.T) map[string]inbox.Thread { return e.Threads(t) }

func (e *env) messages(t *testing.T) int {
	n := 0
	for _, th := range e.convs(t) {
		n += len(th.Messages)
	}
	return n
}

func TestFirstSyncBoundedBacklogThenIncremental(t *testing.T) {
	e := newEnv(t)
	alice := e.f.account("alice", "Alice")
	// 100 mentions, one every 2.4 h: the last 7 days hold 70 of them.
	for i := 0; i < 100; i++ {
		e.f.post(alice, "<p>@acme question "+string(rune('A'+i%26))+"</p>", "public", nil, e.f.now.Add(-time.Duration(100-i)*144*time.Minute), true)
	}
	if err := e.sync(t); err != nil {
		t.Fatal(err)
	}
	if n := len(e.convs(t)); n < 69 || n > 70 {
		t.Fatalf("first sync stored %d mentions, want the 70 of the last 7 days", n)
	}
	// Nothing new: one request above the newest id, nothing stored.
	e.f.requests = nil
	if err := e.sync(t); err != nil {
		t.Fatal(err)
	}
	if len(e.f.requests) != 1 || !strings.Contains(e.f.requests[0], "min_id=") {
		t.Fatalf("incremental poll requests: %v", e.f.requests)
	}
	e.f.post(alice, "<p>@acme one more</p>", "public", nil, e.f.now, true)
	e.f.post(alice, "<p>@acme and another</p>", "public", nil, e.f.now, true)
	if err := e.sync(t); err != nil {
		t.Fatal(err)
	}
	if n := len(e.convs(t)); n < 71 || n > 72 {
		t.Fatalf("after two new mentions: %d conversations", n)
	}
}

func TestIncrementalPagesOldestFirst(t *testing.T) {
	e := newEnv(t)
	bob := e.f.account("bob", "Bob")
	e.f.post(bob, "<p>@acme first</p>", "public", nil, e.f.now.Add(-time.Hour), true)
	if err := e.sync(t); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 95; i++ { // more than two pages arrive between polls
		e.f.post(bob, "<p>@acme burst</p>", "public", nil, e.f.now, true)
	}
	if err := e.sync(t); err != nil {
		t.Fatal(err)
	}
	if n := len(e.convs(t)); n != 96 {
		t.Fatalf("%d conversations after a burst of 95, want 96", n)
	}
}

func TestRestartMidPaginationNoDuplicates(t *testing.T) {
	e := newEnv(t)
	carol := e.f.account("carol", "Carol")
	for i := 0; i < 90; i++ {
		e.f.post(carol, "<p>@acme hi</p>", "public", nil, e.f.now.Add(-time.Duration(90-i)*time.Minute), true)
	}
	// The second page of the first sync fails: the first page is committed.
	e.f.faults = []fault{{path: "/api/v1/notifications", skip: 1, status: 500}}
	err := e.sync(t)
	if err == nil || !strings.Contains(err.Error(), "500") {
		t.Fatalf("sync with a failing page: %v", err)
	}
	accs, _ := e.svc.Accounts(context.Background())
	if !strings.Contains(accs[0].Cursor, `"phase":"backlog"`) || !strings.Contains(accs[0].Cursor, `"max_id"`) {
		t.Fatalf("cursor after the failure: %s", accs[0].Cursor)
	}
	if n := e.messages(t); n != 40 {
		t.Fatalf("%d messages after one good page, want 40", n)
	}
	if err := e.sync(t); err != nil { // restart: continue below max_id
		t.Fatal(err)
	}
	if n := e.messages(t); n != 90 {
		t.Fatalf("%d messages after resuming, want 90 (no duplicates, none lost)", n)
	}
}

func TestEmptyPageWithNextLinkAndDuplicates(t *testing.T) {
	e := newEnv(t)
	dan := e.f.account("dan", "Dan")
	for i := 0; i < 50; i++ {
		e.f.post(dan, "<p>@acme x</p>", "public", nil, e.f.now.Add(-time.Duration(50-i)*time.Minute), true)
	}
	// First page: empty but with a next link (filtered notifications).
	newest := e.f.notifs[len(e.f.notifs)-1].ID
	e.f.faults = []fault{{path: "/api/v1/notifications", status: 200, body: "[]",
		link: "<" + e.f.srv.URL + "/api/v1/notifications?limit=40&max_id=" + newest + "1>; rel=\"next\""}}
	if err := e.sync(t); err != nil {
		t.Fatal(err)
	}
	if n := e.messages(t); n != 50 {
		t.Fatalf("%d messages, want 50 after an empty first page", n)
	}
}

func TestDuplicatesAcrossPagesStoredOnce(t *testing.T) {
	e := newEnv(t)
	dan := e.f.account("dan", "Dan")
	for i := 0; i < 60; i++ {
		e.f.post(dan, "<p>@acme x</p>", "public", nil, e.f.now.Add(-time.Duration(60-i)*time.Minute), true)
	}
	// The second page overlaps the first by five items (a server whose
	// list moved between requests), then paging goes on from its end.
	sorted := append([]notification(nil), e.f.notifs...)
	sort.Slice(sorted, func(i, j int) bool { return idLess(sorted[j].ID, sorted[i].ID) })
	overlap, _ := json.Marshal(sorted[35:45])
	e.f.faults = []fault{{path: "/api/v1/notifications", skip: 1, status: 200, body: string(overlap),
		link: "<" + e.f.srv.URL + "/api/v1/notifications?limit=40&max_id=" + sorted[44].ID + ">; rel=\"next\""}}
	if err := e.sync(t); err != nil {
		t.Fatal(err)
	}
	if n := e.messages(t); n != 60 {
		t.Fatalf("%d messages, want 60 once each", n)
	}
}

func TestDMsGroupedByParticipants(t *testing.T) {
	e := newEnv(t)
	erin, finn := e.f.account("erin", "Erin"), e.f.account("finn", "Finn")
	d1 := e.f.post(erin, "<p>@acme my order is late</p>", "direct", nil, e.f.now.Add(-3*time.Hour), true)
	e.f.post(erin, "<p>@acme hello??</p>", "direct", nil, e.f.now.Add(-2*time.Hour), true)
	e.f.post(erin, "<p>@acme still waiting</p>", "direct", d1, e.f.now.Add(-time.Hour), true)
	e.f.post(finn, "<p>@acme other person</p>", "direct", nil, e.f.now.Add(-time.Hour), true)
	if err := e.sync(t); err != nil {
		t.Fatal(err)
	}
	cs := e.convs(t)
	th, ok := cs["dm:erin@other.example"]
	if !ok || len(th.Messages) != 3 || th.Conversation.Kind != inbox.KindDM {
		t.Fatalf("erin's DMs: %+v (all: %v)", th.Conversation, keys(cs))
	}
	if _, ok := cs["dm:finn@other.example"]; !ok || len(cs) != 2 {
		t.Fatalf("conversations: %v", keys(cs))
	}
	if th.Messages[0].Text != "@acme my order is late" {
		t.Fatalf("html not converted: %q", th.Messages[0].Text)
	}
}

func keys(m map[string]inbox.Thread) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestRepliesToOurPostBecomeComments(t *testing.T) {
	e := newEnv(t)
	gia, hal := e.f.account("gia", "Gia"), e.f.account("hal", "Hal")
	ours := e.f.post(e.f.me, "<p>New roast is out! <a href=\"https://acme.example/roast\" class=\"\">acme.example/roast</a></p>", "public", nil, e.f.now.Add(-5*time.Hour), false)
	r1 := e.f.post(gia, "<p><span class=\"h-card\"><a href=\"https://m.example/@acme\" class=\"u-url mention\">@<span>acme</span></a></span> is it decaf?</p>", "public", ours, e.f.now.Add(-4*time.Hour), true)
	e.f.post(hal, "<p>@acme @gia same question</p>", "public", r1, e.f.now.Add(-3*time.Hour), true)
	// A mention that is not about our post.
	e.f.post(hal, "<p>Loving <a href=\"https://m.example/tags/coffee\" class=\"mention hashtag\">#coffee</a> from @acme</p>", "public", nil, e.f.now.Add(-time.Hour), true)
	if err := e.sync(t); err != nil {
		t.Fatal(err)
	}
	cs := e.convs(t)
	th, ok := cs["reply:"+r1.ID]
	if !ok {
		t.Fatalf("no comment conversation: %v", keys(cs))
	}
	if th.Conversation.Kind != inbox.KindComment || th.Post == nil || th.Post.ExternalID != ours.ID || len(th.Messages) != 2 {
		t.Fatalf("comment conversation: kind %s post %+v messages %d", th.Conversation.Kind, th.Post, len(th.Messages))
	}
	if th.Post.Text != "New roast is out! https://acme.example/roast" {
		t.Fatalf("post text: %q", th.Post.Text)
	}
	if th.Messages[0].Text != "@acme is it decaf?" {
		t.Fatalf("mention text: %q", th.Messages[0].Text)
	}
	if len(cs) != 2 {
		t.Fatalf("conversations: %v", keys(cs))
	}
}

func TestReplyRoundTrip(t *testing.T) {
	e := newEnv(t)
	ivy := e.f.account("ivy", "Ivy")
	e.f.post(ivy, "<p>@acme refund please</p>", "direct", nil, e.f.now.Add(-time.Hour), true)
	e.f.post(ivy, "<p>@acme public question</p>", "public", nil, e.f.now.Add(-time.Hour), true)
	if err := e.sync(t); err != nil {
		t.Fatal(err)
	}
	cs := e.convs(t)
	ctx := context.Background()
	if _, err := e.svc.Reply(ctx, "ann", cs["dm:ivy@other.example"].Conversation.ID, "Refund sent!"); err != nil {
		t.Fatal(err)
	}
	var pub inbox.Thread
	for k, th := range cs {
		if strings.HasPrefix(k, "mention:") {
			pub = th
		}
	}
	if _, err := e.svc.Reply(ctx, "ann", pub.Conversation.ID, "Yes, we ship there."); err != nil {
		t.Fatal(err)
	}
	w := psync.NewWorker(e.svc, func(int64) (psync.Connector, bool) { return e.conn, true }, nil)
	w.Drain(ctx)
	if len(e.f.posts) != 2 {
		t.Fatalf("%d posts", len(e.f.posts))
	}
	dm, public := e.f.posts[0], e.f.posts[1]
	if dm.Get("visibility") != "direct" || dm.Get("status") != "@ivy@other.example Refund sent!" || dm.Get("in_reply_to_id") == "" {
		t.Fatalf("DM reply form: %v", dm)
	}
	if public.Get("visibility") != "public" || !strings.HasPrefix(public.Get("status"), "@ivy@other.example ") {
		t.Fatalf("public reply form: %v", public)
	}
	th, _ := e.svc.Open(ctx, cs["dm:ivy@other.example"].Conversation.ID)
	last := th.Messages[len(th.Messages)-1]
	if last.Delivery != inbox.DeliverySent || !strings.HasPrefix(last.Permalink, "https://m.example/@acme/") || strings.HasPrefix(last.ExternalID, "local:") {
		t.Fatalf("sent reply: %+v", last)
	}
	// The next sync sees our reply in the thread; it is not shown twice.
	e.f.post(ivy, "<p>@acme thanks!</p>", "direct", e.f.statuses[last.ExternalID], time.Now().Add(time.Second), true)
	if err := e.sync(t); err != nil {
		t.Fatal(err)
	}
	th, _ = e.svc.Open(ctx, th.Conversation.ID)
	if len(th.Messages) != 3 || th.Conversation.State != inbox.StateOpen {
		t.Fatalf("after the customer's answer: %d messages, state %s", len(th.Messages), th.Conversation.State)
	}
}

func TestRetryNeverDoublePosts(t *testing.T) {
	e := newEnv(t)
	jo := e.f.account("jo", "Jo")
	e.f.post(jo, "<p>@acme hi</p>", "public", nil, e.f.now.Add(-time.Hour), true)
	if err := e.sync(t); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, th := range e.convs(t) {
		e.svc.Reply(ctx, "ann", th.Conversation.ID, "hello")
	}
	// The server posts, then the answer is lost (a 502 after the work).
	e.f.mu.Lock()
	e.f.faults = []fault{{path: "/api/v1/statuses", afterWork: true, status: 500}}
	e.f.mu.Unlock()
	w := psync.NewWorker(e.svc, func(int64) (psync.Connector, bool) { return e.conn, true }, nil)
	w.Backoff = psync.Backoff{} // a retry is due at once, so this one drain makes it
	w.Drain(ctx)
	if len(e.f.posts) != 1 {
		t.Fatalf("%d posts after a retried send; the Idempotency-Key must prevent a second", len(e.f.posts))
	}
	for _, th := range e.convs(t) {
		th, _ = e.svc.Open(ctx, th.Conversation.ID)
		if last := th.Messages[len(th.Messages)-1]; last.Delivery != inbox.DeliverySent {
			t.Fatalf("after retry: %+v", last)
		}
	}
}

func TestRateLimitsObeyed(t *testing.T) {
	e := newEnv(t)
	var slept []time.Duration
	e.conn.http.Sleep = func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil }
	e.f.remaining, e.f.resetIn = 3, 90*time.Second
	if _, err := e.conn.Me(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Two left now: the next request waits for the window to reset first.
	if _, err := e.conn.Me(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(slept) != 1 || slept[0] < 80*time.Second || slept[0] > 91*time.Second {
		t.Fatalf("waits before the limit: %v", slept)
	}
	// 429 with Retry-After: the engine gets the delay.
	e.f.faults = []fault{{path: "/api/v1/accounts", status: 429, retryAfter: "7"}}
	_, err := e.conn.Me(context.Background())
	var rl *psync.RateLimitError
	if !errors.As(err, &rl) || rl.RetryAfter != 7*time.Second {
		t.Fatalf("429: %v", err)
	}
}

func TestAuthFailureMarksReauthAndHidesToken(t *testing.T) {
	e := newEnv(t)
	e.f.token = "rotated-elsewhere"
	err := e.sync(t)
	if !errors.Is(err, psync.ErrAuth) {
		t.Fatalf("401: %v", err)
	}
	accs, _ := e.svc.Accounts(context.Background())
	if accs[0].Status != inbox.AccountNeedsReauth || !strings.Contains(accs[0].LastError, "access token is invalid") {
		t.Fatalf("account after 401: %+v", accs[0])
	}
	for _, s := range []string{err.Error(), accs[0].LastError, e.log.String()} {
		if strings.Contains(s, "s3cr3t") {
			t.Fatalf("token leaked: %s", s)
		}
	}
}

func TestServerErrorsAndMalformedJSON(t *testing.T) {
	e := newEnv(t)
	kim := e.f.account("kim", "Kim")
	e.f.post(kim, "<p>@acme hi</p>", "public", nil, e.f.now, true)
	e.f.faults = []fault{{path: "/api/v1/accounts", status: 200, body: `{"id": 12`}}
	err := e.sync(t)
	if err == nil || !strings.Contains(err.Error(), "malformed JSON") || psync.IsPermanent(err) {
		t.Fatalf("malformed JSON: %v", err)
	}
	e.f.faults = []fault{{path: "/api/v1/accounts", status: 503}}
	if err := e.sync(t); err == nil || psync.IsPermanent(err) {
		t.Fatalf("503 must be retryable: %v", err)
	}
	if err := e.sync(t); err != nil {
		t.Fatal(err)
	}
	if n := e.messages(t); n != 1 {
		t.Fatalf("%d messages", n)
	}
}

func TestModerationActions(t *testing.T) {
	e := newEnv(t)
	lee := e.f.account("lee", "Lee")
	s := e.f.post(lee, "<p>@acme spam spam</p>", "public", nil, e.f.now, true)
	ctx := context.Background()
	for _, k := range []inbox.ActionKind{inbox.ActionMute, inbox.ActionBlock, inbox.ActionReport, inbox.ActionDismiss} {
		if _, err := e.conn.Perform(ctx, psync.Action{Kind: k, TargetID: s.ID, Body: "spam account", IdempotencyKey: "k"}); err != nil {
			t.Fatalf("%s: %v", k, err)
		}
	}
	want := []string{lee.ID + "/mute", lee.ID + "/block", "report " + lee.ID + " " + s.ID + " spam account", "dismiss " + e.f.notifs[0].ID}
	if strings.Join(e.f.actions, "|") != strings.Join(want, "|") {
		t.Fatalf("actions = %q, want %q", e.f.actions, want)
	}
	if _, err := e.conn.Perform(ctx, psync.Action{Kind: inbox.ActionMute, TargetID: "999999"}); !psync.IsPermanent(err) {
		t.Fatalf("acting on a deleted status must fail for good: %v", err)
	}
}

func TestPlainHTTPOnlyForLoopback(t *testing.T) {
	tok := func(context.Context) (string, error) { return "", nil }
	if _, err := New(Options{Server: "http://127.0.0.1:3000"}, tok); err != nil {
		t.Fatalf("loopback http refused: %v", err)
	}
	if _, err := New(Options{Server: "http://mastodon.example"}, tok); err == nil {
		t.Fatal("plain http to a remote server accepted")
	}
	if _, err := New(Options{Server: "mastodon.example"}, tok); err == nil {
		t.Fatal("a server without scheme accepted")
	}
}
