package x

import (
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	psync "github.com/parleyhq/parley/sync"
	"github.com/parleyhq/parley/sync/synctest"
)

// seed: the brand's post with two replies to it (a thread), a mention in
// someone else's thread, and a post that does not mention the brand.
func seed(f *fakeX) (ours, r1, r2, mention string) {
	ours, r1, r2, mention = postID(1), postID(2), postID(3), postID(5)
	f.add(ours, brandID, brandUser, "Our autumn collection is out!", ours, "", "")
	f.add(r1, "2001", "jo", "@acme Still broken for me &amp; my mum \u202e", ours, ours, brandID)
	f.add(r2, "2002", "bob", "@jo @acme same here 👍🏽", ours, r1, "2001")
	f.add(postID(4), "2003", "cy", "root of cy's thread", postID(4), "", "")
	f.add(mention, "2004", "dee", "@cy ask @acme, they know", postID(4), postID(4), "2003")
	f.add(postID(6), "2005", "eve", "nothing to see", postID(6), "", "")
	return
}

func TestMentionsSyncAndRestartWithoutDuplicates(t *testing.T) {
	f := newFake(t)
	ours, r1, r2, mention := seed(f)
	in := synctest.New(t, "x", "Acme")
	c := newConn(t, f, Options{})
	c.pageMax = 5
	if err := in.Sync(c); err != nil {
		t.Fatal(err)
	}
	th := in.Threads(t)
	thread := th[convID(ours)]
	if thread.Conversation.Kind != inbox.KindComment || len(thread.Messages) != 2 {
		t.Fatalf("thread under our post: %+v (have %d conversations)", thread.Conversation, len(th))
	}
	if thread.Post == nil || !strings.Contains(thread.Post.Text, "autumn collection") {
		t.Errorf("thread context: %+v", thread.Post)
	}
	m0, m1 := thread.Messages[0], thread.Messages[1]
	if m0.ExternalID != r1 || !strings.Contains(m0.Text, "& my mum") || strings.ContainsRune(m0.Text, '\u202e') {
		t.Errorf("first reply (unescaped, sanitised): %+v", m0)
	}
	if m1.ExternalID != r2 || m1.ParentID != r1 || m1.Author.Handle != "@bob" || m1.Permalink != "https://x.com/bob/status/"+r2 {
		t.Errorf("second reply: %+v", m1)
	}
	if c := th[convID(postID(4))]; c.Conversation.Kind != inbox.KindMention || len(c.Messages) != 1 || c.Messages[0].ExternalID != mention {
		t.Errorf("mention: %+v %+v", c.Conversation, c.Messages)
	}
	if len(th) != 2 {
		t.Errorf("conversations: %d, want 2", len(th))
	}
	// 3 mentions and the 3 posts they answer (6 × $0.005), 3 authors (3 × $0.010).
	if n := accountOf(t, in).Notice; n != "X: estimated spend this month $0.06 of max_monthly_spend $25.00" {
		t.Errorf("note: %q", n)
	}
	if l := in.Log.String(); strings.Contains(l, "access-secret") || strings.Contains(l, "refresh-secret") {
		t.Errorf("a token in the log:\n%s", l)
	}
	// A new process with the stored cursor: one new mention, read with
	// since_id; nothing twice.
	f.add(postID(7), "2001", "jo", "@acme any news?", ours, ours, brandID)
	c2 := newConn(t, f, Options{TokenFile: c.opts.TokenFile})
	if err := in.Sync(c2); err != nil {
		t.Fatal(err)
	}
	var last map[string][]string
	f.with(func() { last = f.queries[len(f.queries)-1] })
	if last["since_id"] == nil || last["since_id"][0] != mention {
		t.Errorf("the second sync asked %v, want since_id=%s", last, mention)
	}
	th = in.Threads(t)
	if n := len(th[convID(ours)].Messages); n != 3 || len(th) != 2 {
		t.Errorf("after restart: %d messages in the thread, %d conversations", n, len(th))
	}
}

func TestPagesFailuresAndResume(t *testing.T) {
	f := newFake(t)
	for i := 1; i <= 12; i++ {
		f.add(postID(i), "2001", "jo", "@acme number "+postID(i), postID(i), "", "")
	}
	in := synctest.New(t, "x", "Acme")
	c := newConn(t, f, Options{})
	c.pageMax = 5
	// A 503, a truncated page and malformed JSON: each fetch fails, the
	// cursor stays, and the next one reads on.
	f.failNext("GET /2/users/:id/mentions", fault{status: 503, body: `{"title":"Service Unavailable","detail":"Service Unavailable","type":"about:blank","status":503}`})
	if err := in.Sync(c); err == nil || psync.IsPermanent(err) {
		t.Fatalf("a 503 should fail the fetch and be retried: %v", err)
	}
	f.failNext("GET /2/users/:id/mentions", fault{truncate: true})
	if err := in.Sync(c); err == nil || !strings.Contains(err.Error(), "malformed JSON") {
		t.Fatalf("a truncated page: %v", err)
	}
	if err := in.Sync(c); err != nil {
		t.Fatal(err)
	}
	if th := in.Threads(t); len(th) != 12 {
		t.Fatalf("after recovery: %d conversations, want 12", len(th))
	}
	// A page served twice (the server repeats a pagination token): the
	// fetch stops there, files nothing twice, and the next one reads on.
	for i := 13; i <= 24; i++ {
		f.add(postID(i), "2002", "bob", "@acme again "+postID(i), postID(i), "", "")
	}
	f.with(func() { f.repeat = true })
	if err := in.Sync(c); err != nil {
		t.Fatal(err)
	}
	if th := in.Threads(t); len(th) != 17 {
		t.Fatalf("after a repeated page: %d conversations, want 17 (12 and the first page of 5)", len(th))
	}
	if err := in.Sync(c); err != nil {
		t.Fatal(err)
	}
	th := in.Threads(t)
	if len(th) != 24 {
		t.Fatalf("%d conversations, want 24", len(th))
	}
	for id, c := range th {
		if len(c.Messages) != 1 {
			t.Errorf("%s has %d messages", id, len(c.Messages))
		}
	}
	var last map[string][]string
	f.with(func() { last = f.queries[len(f.queries)-1] })
	f.add(postID(25), "2002", "bob", "@acme last", postID(25), "", "")
	if err := in.Sync(c); err != nil {
		t.Fatal(err)
	}
	f.with(func() { last = f.queries[len(f.queries)-1] })
	if got := last["since_id"]; len(got) != 1 || got[0] != postID(24) || last["pagination_token"] != nil {
		t.Errorf("after the pass: %v", last)
	}
}

func TestSpendCapPausesReadsNotSends(t *testing.T) {
	f := newFake(t)
	ours, r1, _, _ := seed(f)
	in := synctest.New(t, "x", "Acme")
	// A cent: enough for one page of five, no more.
	c := newConn(t, f, Options{MaxSpend: 0.01})
	if err := in.Sync(c); err != nil {
		t.Fatal(err)
	}
	before := f.count("GET /2/users/:id/mentions")
	if before != 1 {
		t.Fatalf("mentions read %d times with a one-cent budget, want once", before)
	}
	acc := accountOf(t, in)
	if !strings.Contains(acc.Notice, "max_monthly_spend $0.01") || !strings.Contains(acc.Notice, "replies still go out") || !strings.Contains(acc.Notice, "estimated spend this month $0.") {
		t.Fatalf("notice: %q", acc.Notice)
	}
	if err := in.Sync(c); err != nil {
		t.Fatal(err)
	}
	if n := f.count("GET /2/users/:id/mentions"); n != before {
		t.Errorf("reads went on past the cap: %d calls", n)
	}
	if left, _ := c.QuotaLeft(acc.Cursor, time.Now()); left != 0 {
		t.Errorf("QuotaLeft = %d after the cap", left)
	}
	r, err := c.Perform(context.Background(), psync.Action{Kind: inbox.ActionReply, ConversationID: convID(ours), TargetID: r1, Body: "Sorry! DM us.", Attempt: 1, Queued: time.Now()})
	if err != nil || r.ExternalID == "" {
		t.Fatalf("a reply past the cap: %v %+v", err, r)
	}
	// The ledger matches what the fake returned.
	var posts, users int
	f.with(func() { posts, users = f.read.posts, f.read.users })
	l := c.spend.snapshot(time.Now())
	want := dollars(float64(posts)*DefaultPrices.PostRead + float64(users)*DefaultPrices.UserRead + DefaultPrices.PostCreate)
	if l.Spent != want {
		t.Errorf("ledger %s, want %s (%d posts, %d users, one reply)", l.Spent, want, posts, users)
	}
}

func TestReplyRoundTripAndLookBeforeRetry(t *testing.T) {
	f := newFake(t)
	ours, r1, _, _ := seed(f)
	c := newConn(t, f, Options{})
	ctx := context.Background()
	a := psync.Action{Kind: inbox.ActionReply, ConversationID: convID(ours), TargetID: r1, Body: "@jo Sorry & thanks — fixed now", Attempt: 1, Queued: time.Now()}
	// The post is made, the answer is lost.
	f.failNext("POST /2/tweets", fault{after: true})
	if _, err := c.Perform(ctx, a); err == nil || psync.IsPermanent(err) {
		t.Fatalf("a lost answer should be retryable: %v", err)
	}
	a.Attempt = 2
	r, err := c.Perform(ctx, a)
	if err != nil || r.ExternalID == "" {
		t.Fatalf("retry: %v", err)
	}
	if n := len(f.brandPosts()); n != 2 {
		t.Fatalf("the brand has %d posts after a retried reply, want 2 (its own and one reply)", n)
	}
	if r.ExternalID != f.brandPosts()[1]["id"] || r.Permalink != "https://x.com/acme/status/"+r.ExternalID {
		t.Errorf("receipt %+v", r)
	}
	// A reply to a post that is gone is refused for good.
	_, err = c.Perform(ctx, psync.Action{Kind: inbox.ActionReply, ConversationID: convID(postID(99)), TargetID: postID(99), Body: "hello", Attempt: 1})
	if !psync.IsPermanent(err) || !strings.Contains(err.Error(), "deleted or not visible") {
		t.Errorf("reply to a deleted post: %v", err)
	}
	// Too long in X's weighting (CJK counts 2): refused before any call.
	calls := f.count("POST /2/tweets")
	_, err = c.Perform(ctx, psync.Action{Kind: inbox.ActionReply, ConversationID: convID(ours), TargetID: r1, Body: strings.Repeat("日", 141), Attempt: 1})
	if !psync.IsPermanent(err) || f.count("POST /2/tweets") != calls {
		t.Errorf("an over-long reply: %v", err)
	}
}

func TestHide(t *testing.T) {
	f := newFake(t)
	_, r1, _, mention := seed(f)
	c := newConn(t, f, Options{})
	ctx := context.Background()
	if _, err := c.Perform(ctx, psync.Action{Kind: inbox.ActionHide, TargetID: r1}); err != nil {
		t.Fatal(err)
	}
	f.with(func() {
		if !f.hidden[r1] {
			t.Error("the reply was not hidden")
		}
	})
	if _, err := c.Perform(ctx, psync.Action{Kind: inbox.ActionHide, TargetID: mention}); !psync.IsPermanent(err) || !strings.Contains(err.Error(), "brand's own posts") {
		t.Errorf("hiding a reply in someone else's thread: %v", err)
	}
}

func TestTokensRotateExpireAndStaySecret(t *testing.T) {
	f := newFake(t)
	seed(f)
	c := newConn(t, f, Options{})
	ctx := context.Background()
	if _, err := c.Fetch(ctx, ""); err != nil {
		t.Fatal(err)
	}
	saved, _ := os.ReadFile(c.opts.TokenFile)
	var cur string
	f.with(func() { cur = f.refresh })
	if strings.TrimSpace(string(saved)) != cur || cur == "refresh-0" {
		t.Fatalf("token_file holds %q, X's current refresh token is %q", saved, cur)
	}
	if st, _ := os.Stat(c.opts.TokenFile); st.Mode().Perm() != 0o600 {
		t.Errorf("token_file mode %v", st.Mode().Perm())
	}
	// The access token is refused early: one refresh, one retry.
	f.with(func() { f.expired = true })
	if _, err := c.Fetch(ctx, ""); err != nil {
		t.Fatalf("after an expired access token: %v", err)
	}
	// The token endpoint is down for a moment: retried, not "needs re-auth".
	f.with(func() { f.expired = true })
	f.failNext("token", fault{status: 503, body: `{"title":"Service Unavailable"}`})
	if _, err := c.Fetch(ctx, ""); err == nil || errors.Is(err, psync.ErrAuth) || psync.IsPermanent(err) {
		t.Fatalf("a token endpoint that is down: %v", err)
	}
	if _, err := c.Fetch(ctx, ""); err != nil {
		t.Fatalf("after the token endpoint came back: %v", err)
	}
	// Revoked: the refresh token is refused too.
	f.with(func() { f.expired, f.refresh = true, "revoked" })
	_, err := c.Fetch(ctx, "")
	if !errors.Is(err, psync.ErrAuth) || !strings.Contains(err.Error(), "parley connect x") {
		t.Fatalf("a revoked sign-in: %v", err)
	}
	if strings.Contains(err.Error(), "secret") {
		t.Errorf("a token in the error: %v", err)
	}
}

func TestErrorsMapped(t *testing.T) {
	f := newFake(t)
	c := newConn(t, f, Options{})
	ctx := context.Background()
	reset := time.Now().Add(90 * time.Second).Unix()
	f.failNext("GET /2/users/:id/mentions", fault{status: 429, body: `{"title":"Too Many Requests","detail":"Too Many Requests","type":"about:blank","status":429}`,
		header: map[string]string{"x-rate-limit-remaining": "0", "x-rate-limit-reset": itoa(reset)}})
	_, err := c.Fetch(ctx, "")
	var rl *psync.RateLimitError
	if !errors.As(err, &rl) || rl.RetryAfter < 60*time.Second || rl.RetryAfter > 91*time.Second {
		t.Fatalf("429: %v", err)
	}
	f.failNext("GET /2/users/:id/mentions", fault{status: 403, body: `{"client_id":"123","detail":"When authenticating requests to the Twitter API v2 endpoints, you must use keys and tokens from a Twitter developer App that is attached to a Project. You can create a project via the developer portal.","registration_url":"https://developer.twitter.com/en/docs/projects/overview","title":"Client Forbidden","required_enrollment":"Appropriate Level of API Access","reason":"client-not-enrolled","type":"https://api.twitter.com/2/problems/client-forbidden"}`})
	if _, err := c.Fetch(ctx, ""); !psync.IsPermanent(err) || !errors.Is(err, errPlan) || !strings.Contains(err.Error(), "Project") {
		t.Errorf("client-not-enrolled: %v", err)
	}
	f.failNext("GET /2/users/:id/mentions", fault{status: 403, body: `{"errors":[{"message":"You currently have access to a subset of Twitter API v2 endpoints and limited v1.1 endpoints (e.g. media post, oauth) only. If you need access to this endpoint, you may need a different access level.","code":453}]}`})
	if _, err := c.Fetch(ctx, ""); !errors.Is(err, errPlan) || !strings.Contains(err.Error(), "access level") {
		t.Errorf("453: %v", err)
	}
	f.failNext("GET /2/users/:id/mentions", fault{status: 502, body: `<html>Bad Gateway</html>`})
	if _, err := c.Fetch(ctx, ""); err == nil || psync.IsPermanent(err) {
		t.Errorf("an HTML 502 should be retryable: %v", err)
	}
	// The window's last request: the next one waits for its reset.
	var slept []time.Duration
	c = newConn(t, f, Options{})
	c.api.hc.Sleep = func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil }
	f.with(func() { f.remaining = 3 })
	if _, err := c.Fetch(ctx, ""); err != nil { // the refresh, then remaining 2
		t.Fatal(err)
	}
	if len(slept) != 0 {
		t.Fatalf("waited before the window ran low: %v", slept)
	}
	if _, err := c.Fetch(ctx, ""); err != nil { // remaining 1: the next waits
		t.Fatal(err)
	}
	if _, err := c.Fetch(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if len(slept) != 1 || slept[0] < 14*time.Minute || slept[0] > 15*time.Minute {
		t.Errorf("waits at x-rate-limit-remaining 1: %v", slept)
	}
	if _, err := c.Fetch(ctx, `{"since_id":`); !psync.IsPermanent(err) {
		t.Errorf("a broken cursor: %v", err)
	}
}

func TestFactoryOptions(t *testing.T) {
	dir := t.TempDir()
	tok := dir + "/t"
	os.WriteFile(tok, []byte("r"), 0o600)
	_, err := psync.New(psync.AccountConfig{Network: "x", Label: "A", Options: map[string]any{"user_id": "1", "client_id": "c", "token_env": "X"}})
	if err == nil || !strings.Contains(err.Error(), "token_file") {
		t.Errorf("token_env: %v", err)
	}
	_, err = psync.New(psync.AccountConfig{Network: "x", Label: "A", Options: map[string]any{"user_id": "1", "client_id": "c", "token_file": tok, "max_monthly_spend": "lots"}})
	if err == nil || !strings.Contains(err.Error(), "max_monthly_spend") {
		t.Errorf("a bad amount: %v", err)
	}
	conn, err := psync.New(psync.AccountConfig{Network: "x", Label: "A", Options: map[string]any{"user_id": "1", "client_id": "c", "token_file": tok,
		"max_monthly_spend": int64(40), "price_user_read": 0.02}})
	if err != nil {
		t.Fatal(err)
	}
	xc := conn.(*Connector)
	if xc.opts.MaxSpend != 40 || xc.opts.Prices.UserRead != 0.02 || xc.opts.Prices.PostRead != DefaultPrices.PostRead || xc.Capabilities().PollInterval != DefaultPoll {
		t.Errorf("options: %+v", xc.opts)
	}
	if names, ok := psync.Options("x"); !ok || len(names) < 10 {
		t.Errorf("declared options: %v", names)
	}
}

func TestDayShareAndMonthRoll(t *testing.T) {
	b := &ledgerBox{max: 30}
	day := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC) // 30 days left, today included
	if a := b.dayAllowance(day); a < 0.999 || a > 1.001 {
		t.Fatalf("allowance on the 1st of a 30-day month with $30: %v", a)
	}
	b.book(1, true, day)
	if s := b.readStop(day); !strings.Contains(s, "today's share") {
		t.Errorf("after the day's share: %q", s)
	}
	next := day.Add(24 * time.Hour)
	if s := b.readStop(next); s != "" {
		t.Errorf("the next day: %q", s)
	}
	if a := b.dayAllowance(next); a < 0.999 || a > 1.001 {
		t.Errorf("allowance on the 2nd after spending $1: %v", a)
	}
	b.book(29, false, next)
	if s := b.readStop(next); !strings.Contains(s, "resumes on 1 Dec") {
		t.Errorf("month spent: %q", s)
	}
	spent := b.snapshot(next)
	if s := b.readStop(time.Date(2026, 12, 1, 0, 0, 1, 0, time.UTC)); s != "" {
		t.Errorf("a new month: %q", s)
	}
	b2 := &ledgerBox{max: 30}
	b2.restore(spent, next)
	if b2.snapshot(next).Spent != dollars(30) {
		t.Errorf("restore lost spend: %+v", b2.snapshot(next))
	}
}

func accountOf(t *testing.T, in *synctest.Inbox) inbox.Account {
	t.Helper()
	accs, err := in.Svc.Accounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range accs {
		if a.ID == in.Acc.ID {
			return a
		}
	}
	t.Fatal("account gone")
	return inbox.Account{}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
