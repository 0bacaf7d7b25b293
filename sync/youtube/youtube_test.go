package youtube

import (
	"context"
	"errors"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	psync "github.com/parleyhq/parley/sync"
	"github.com/parleyhq/parley/sync/googleauth"
	"github.com/parleyhq/parley/sync/synctest"
)

type clock struct {
	mu sync
	t  time.Time
}

type sync = gosync.Mutex

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// t0 is a Tuesday afternoon in Pacific time.
var t0 = time.Date(2025, 3, 4, 15, 0, 0, 0, pacific)

func connector(t *testing.T, f *fakeYouTube, clk *clock) *Connector {
	t.Helper()
	tr := &googleauth.Transport{Config: googleauth.NewConfig("cid", "csecret", googleauth.ScopeYouTube, "", f.srv.URL+"/token"),
		Refresh: func(context.Context) (string, error) { return "rt-1", nil }, Network: "youtube"}
	c, err := New(context.Background(), Options{ChannelID: "UCbrand", Base: f.srv.URL, HTTP: tr.Client(), Now: clk.now,
		PollMin: time.Minute, Backlog: 30 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func setup(t *testing.T) (*fakeYouTube, *clock, *Connector, *synctest.Inbox) {
	f := newFake(t)
	clk := &clock{t: t0}
	return f, clk, connector(t, f, clk), synctest.New(t, "youtube", "Brand (YouTube)")
}

func account(t *testing.T, in *synctest.Inbox) inbox.Account {
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

func TestSyncThreadsWithAllRepliesAndTheVideo(t *testing.T) {
	f, _, c, in := setup(t)
	a := f.addThread("Ugz1", "vid1", t0.Add(-3*time.Hour), "maria", "Great tutorial! 🎉👍🏽")
	for i := range 4 { // the thread carries two; comments.list pages the rest
		f.addReply(a, t0.Add(-2*time.Hour+time.Duration(i)*time.Minute), "UCfan", "@fan", "me too "+string(rune('a'+i)))
	}
	mine := f.addReply(a, t0.Add(-time.Hour), "UCbrand", "@brand", "Thanks!")
	f.addThread("Ugz2", "vid1", t0.Add(-2*time.Hour), "samir", "\u202eالمنتج رائع\u202c \x1b[31mred\x1b[0m")
	f.addThread("Ugz3", "vid2", t0.Add(-time.Hour), "tom", "Where is part 2?")
	f.addThread("UgzOld", "vid2", t0.Add(-40*24*time.Hour), "old", "before the backlog")

	if err := in.Sync(c); err != nil {
		t.Fatal(err)
	}
	ths := in.Threads(t)
	if len(ths) != 3 {
		t.Fatalf("%d conversations, want 3 (the one older than the backlog is left)", len(ths))
	}
	th := ths["Ugz1"]
	if len(th.Messages) != 6 {
		t.Fatalf("Ugz1 has %d messages, want the comment and all 5 replies", len(th.Messages))
	}
	if th.Post == nil || th.Post.Text != "Video vid1" || th.Post.Permalink != "https://www.youtube.com/watch?v=vid1" {
		t.Fatalf("context: %+v", th.Post)
	}
	for _, m := range th.Messages {
		if want := m.ExternalID == mine; (m.Direction == inbox.Out) != want {
			t.Errorf("%s direction %s", m.ExternalID, m.Direction)
		}
		if m.ExternalID != "Ugz1" && m.ParentID != "Ugz1" {
			t.Errorf("%s parent %q", m.ExternalID, m.ParentID)
		}
	}
	if m := th.Messages[0]; m.Text != "Great tutorial! 🎉👍🏽" || m.Author.Handle != "@maria" || m.Author.ID != "UCmaria" ||
		m.Permalink != "https://www.youtube.com/watch?v=vid1&lc=Ugz1" {
		t.Fatalf("top comment: %+v", m)
	}
	if txt := ths["Ugz2"].Messages[0].Text; strings.ContainsAny(txt, "\x1b\u202e") || !strings.Contains(txt, "المنتج رائع") {
		t.Fatalf("remote text not sanitised or mangled: %q", txt)
	}
	// Every unit Google counted is in the ledger the store keeps.
	got, limit := c.QuotaLeft(account(t, in).Cursor, t0)
	if limit != 10000 || got != 10000-f.units {
		t.Fatalf("quota left %d of %d, fake spent %d", got, limit, f.units)
	}
}

func TestPollsWithinTheBudgetAndStopsAtTheNewest(t *testing.T) {
	f, clk, c, in := setup(t)
	f.addThread("Ugz1", "vid1", t0.Add(-time.Hour), "maria", "first")
	if err := in.Sync(c); err != nil {
		t.Fatal(err)
	}
	before := f.count("GET")
	// Not due yet: nothing is spent.
	if err := in.Sync(c); err != nil || f.count("GET") != before {
		t.Fatalf("a fetch before the next poll called YouTube (%d calls, %v)", f.count("GET")-before, err)
	}
	for i := range 5 {
		f.addThread("UgzOlder"+string(rune('a'+i)), "vid1", t0.Add(-50*time.Hour), "x", "already stored or too old")
	}
	clk.add(time.Minute)
	f.addThread("Ugz2", "vid1", clk.now(), "tom", "new")
	before = f.count("GET /youtube/v3/commentThreads")
	if err := in.Sync(c); err != nil {
		t.Fatal(err)
	}
	if n := f.count("GET /youtube/v3/commentThreads") - before; n != 1 {
		t.Fatalf("walk took %d pages, want 1: it stops at the newest stored comment", n)
	}
	if _, ok := in.Threads(t)["Ugz2"]; !ok {
		t.Fatal("new comment not synced")
	}
	// Quiet walks space out: 1m, 2m, 4m …
	cur := decodeCursor(account(t, in).Cursor)
	for _, want := range []time.Duration{2 * time.Minute, 4 * time.Minute} {
		clk.t = cur.NextPoll
		if err := in.Sync(c); err != nil {
			t.Fatal(err)
		}
		cur = decodeCursor(account(t, in).Cursor)
		if cur.Interval != want {
			t.Fatalf("quiet interval %s, want %s", cur.Interval, want)
		}
	}
}

func TestPollFloorSpreadsTheRestOfTheDay(t *testing.T) {
	q := &quota{limit: 10000}
	now := time.Date(2025, 3, 4, 12, 0, 0, 0, pacific) // 12 hours to the reset
	q.restore(Ledger{Day: quotaDay(now), Used: 7500 - 720}, now)
	// 720 polling units left for 12 hours at 2 units a poll: one every 2 minutes.
	if got := q.pollFloor(now, 2); got != 2*time.Minute {
		t.Fatalf("floor %s, want 2m", got)
	}
	q.restore(Ledger{Day: quotaDay(now), Used: 7600}, now)
	if got := q.pollFloor(now, 2); got != 12*time.Hour {
		t.Fatalf("with the polling share spent the next poll is the reset, got %s", got)
	}
	// Actions still have their share.
	if err := q.spend(50, false, now); err != nil {
		t.Fatalf("reply refused while the action share is left: %v", err)
	}
	if err := q.spend(1, true, now); err == nil {
		t.Fatal("polling dipped into the share kept for actions")
	}
}

func TestQuotaResetIsMidnightPacificAcrossDaylightSaving(t *testing.T) {
	for _, tc := range []struct {
		at, reset time.Time
		hours     float64
	}{
		// Spring forward (2 a.m. 9 March 2025): that day has 23 hours.
		{time.Date(2025, 3, 9, 0, 30, 0, 0, pacific), time.Date(2025, 3, 10, 7, 0, 0, 0, time.UTC), 23},
		// Fall back (2 a.m. 2 November 2025): 25 hours.
		{time.Date(2025, 11, 2, 0, 30, 0, 0, pacific), time.Date(2025, 11, 3, 8, 0, 0, 0, time.UTC), 25},
		// Just before midnight PST, given in UTC.
		{time.Date(2025, 1, 15, 7, 59, 59, 0, time.UTC), time.Date(2025, 1, 15, 8, 0, 0, 0, time.UTC), 0},
	} {
		if got := quotaReset(tc.at); !got.Equal(tc.reset) {
			t.Errorf("reset after %s = %s, want %s", tc.at, got.UTC(), tc.reset)
		}
		if tc.hours > 0 {
			start := time.Date(tc.at.Year(), tc.at.Month(), tc.at.Day(), 0, 0, 0, 0, pacific)
			if h := quotaReset(tc.at).Sub(start).Hours(); h != tc.hours {
				t.Errorf("day of %s lasts %vh, want %v", tc.at, h, tc.hours)
			}
		}
	}
	// The ledger rolls over at the reset and not before.
	q := &quota{limit: 100}
	late := time.Date(2025, 3, 8, 23, 59, 0, 0, pacific)
	if err := q.spend(60, false, late); err != nil {
		t.Fatal(err)
	}
	if err := q.spend(60, false, late.Add(59*time.Second)); err == nil {
		t.Fatal("overspent before the reset")
	}
	if err := q.spend(60, false, late.Add(time.Minute)); err != nil {
		t.Fatalf("refused after the reset: %v", err)
	}
}

func TestQuotaExceededWaitsForTheResetWithoutFailing(t *testing.T) {
	f, clk, c, in := setup(t)
	f.addThread("Ugz1", "vid1", t0.Add(-time.Hour), "maria", "hello")
	f.quota = 0 // another app on the project spent it
	if err := in.Sync(c); err != nil {
		t.Fatalf("a spent quota failed the sync: %v", err)
	}
	acc := account(t, in)
	if acc.Status != inbox.AccountOK || !strings.Contains(acc.Notice, "quota for today is spent") {
		t.Fatalf("status %s, note %q", acc.Status, acc.Notice)
	}
	if left, _ := c.QuotaLeft(acc.Cursor, clk.now()); left != 0 {
		t.Fatalf("ledger says %d left after quotaExceeded", left)
	}
	// Replies wait too: a rate limit until midnight Pacific.
	_, err := c.Perform(context.Background(), psync.Action{Kind: inbox.ActionReply, ConversationID: "Ugz1", TargetID: "Ugz1", Body: "hi", Attempt: 1})
	var rl *psync.RateLimitError
	if !errors.As(err, &rl) || rl.RetryAfter != quotaReset(clk.now()).Sub(clk.now()) {
		t.Fatalf("reply with the quota spent: %v", err)
	}
	calls := len(f.calls)
	clk.add(30 * time.Minute)
	if err := in.Sync(c); err != nil || len(f.calls) != calls {
		t.Fatalf("called YouTube before the reset (%d calls, %v)", len(f.calls)-calls, err)
	}
	// After midnight Pacific the day starts afresh.
	clk.t = quotaReset(clk.now()).Add(time.Second)
	f.mu.Lock()
	f.quota, f.units = 10000, 0
	f.mu.Unlock()
	if err := in.Sync(c); err != nil {
		t.Fatal(err)
	}
	if _, ok := in.Threads(t)["Ugz1"]; !ok {
		t.Fatal("nothing synced after the reset")
	}
	if acc := account(t, in); acc.Notice != "YouTube quota available again" {
		t.Fatalf("note after the reset: %q", acc.Notice)
	}
}

func TestReplyRoundTripAndRetryDoesNotPostTwice(t *testing.T) {
	f, clk, c, in := setup(t)
	f.addThread("Ugz1", "vid1", t0.Add(-time.Hour), "maria", "Is it waterproof?")
	ctx := context.Background()
	r, err := c.Perform(ctx, psync.Action{Kind: inbox.ActionReply, ConversationID: "Ugz1", TargetID: "Ugz1", Body: "Yes — up to 50 m 🌊", Attempt: 1, Queued: clk.now()})
	if err != nil || !strings.HasPrefix(r.ExternalID, "Ugz1.") || r.Permalink != "https://www.youtube.com/watch?v=vid1&lc="+r.ExternalID {
		t.Fatalf("receipt %+v, %v", r, err)
	}
	// A retry after a lost answer finds the reply instead of posting again.
	again, err := c.Perform(ctx, psync.Action{Kind: inbox.ActionReply, ConversationID: "Ugz1", TargetID: "Ugz1", Body: "Yes — up to 50 m 🌊", Attempt: 2, Queued: clk.now()})
	if err != nil || again.ExternalID != r.ExternalID || f.count("POST /youtube/v3/comments") != 1 {
		t.Fatalf("retry: %+v %v, %d inserts", again, err, f.count("POST /youtube/v3/comments"))
	}
	if err := in.Sync(c); err != nil {
		t.Fatal(err)
	}
	msgs := in.Threads(t)["Ugz1"].Messages
	if len(msgs) != 2 || msgs[1].ExternalID != r.ExternalID || msgs[1].Direction != inbox.Out || msgs[1].Text != "Yes — up to 50 m 🌊" {
		t.Fatalf("synced thread: %+v", msgs)
	}
	if left, _ := c.QuotaLeft(account(t, in).Cursor, clk.now()); left != 10000-f.units {
		t.Fatalf("ledger %d left, fake spent %d", left, f.units)
	}
}

func TestModeration(t *testing.T) {
	f, _, c, _ := setup(t)
	th := f.addThread("Ugz1", "vid1", t0.Add(-time.Hour), "troll", "spam spam")
	ours := f.addReply(th, t0, "UCbrand", "@brand", "oops")
	ctx := context.Background()
	for _, a := range []psync.Action{
		{Kind: inbox.ActionHide, TargetID: "Ugz1"},
		{Kind: inbox.ActionUnhide, TargetID: "Ugz1"},
		{Kind: inbox.ActionBlock, TargetID: "Ugz1"},
		{Kind: inbox.ActionDelete, TargetID: "Ugz1"},
		{Kind: inbox.ActionDelete, TargetID: ours},
	} {
		if _, err := c.Perform(ctx, a); err != nil {
			t.Fatalf("%s: %v", a.Kind, err)
		}
	}
	want := "[Ugz1 heldForReview false Ugz1 published false Ugz1 rejected true Ugz1 rejected false]"
	if got := strings.Join(f.moderated, " "); "["+got+"]" != want {
		t.Fatalf("moderation calls %q, want %s", got, want)
	}
	if len(f.deleted) != 1 || f.deleted[0] != ours {
		t.Fatalf("deleted %v, want our own reply", f.deleted)
	}
	if _, err := c.Perform(ctx, psync.Action{Kind: inbox.ActionMute, TargetID: "Ugz1"}); !psync.IsPermanent(err) {
		t.Fatalf("mute: %v", err)
	}
}

func TestUnauthorizedRefreshesAndRetries(t *testing.T) {
	f, _, c, in := setup(t)
	f.addThread("Ugz1", "vid1", t0.Add(-time.Hour), "maria", "hello")
	if err := in.Sync(c); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	f.dropTokens = true // Google revoked the access token early
	f.mu.Unlock()
	_, err := c.Perform(context.Background(), psync.Action{Kind: inbox.ActionReply, ConversationID: "Ugz1", Body: "hi", Attempt: 1})
	if err != nil {
		t.Fatalf("reply after a 401: %v", err)
	}
	if f.refreshes != 2 {
		t.Fatalf("%d refreshes, want 2", f.refreshes)
	}
}

func TestRevokedGrantNeedsReauth(t *testing.T) {
	f, _, c, in := setup(t)
	f.revoked = true
	err := in.Sync(c)
	if !errors.Is(err, psync.ErrAuth) {
		t.Fatalf("err = %v", err)
	}
	if acc := account(t, in); acc.Status != inbox.AccountNeedsReauth || !strings.Contains(acc.LastError, "parley connect youtube") {
		t.Fatalf("status %s: %s", acc.Status, acc.LastError)
	}
	if strings.Contains(in.Log.String(), "rt-1") || strings.Contains(in.Log.String(), "at-") {
		t.Fatal("a token reached the log")
	}
}

func TestErrorsMapToWhatTheEngineDoes(t *testing.T) {
	for _, tc := range []struct {
		status int
		body   string
		check  func(error) bool
		words  string
	}{
		{500, googleError(500, "backendError", "global", "Backend Error"), func(e error) bool { return !psync.IsPermanent(e) }, "500"},
		{200, `{"kind":"youtube#commentThreadListResponse","items":[{"id":`, func(e error) bool { return !psync.IsPermanent(e) }, "commentThreads"},
		{403, googleError(403, "accessNotConfigured", "usageLimits", "YouTube Data API v3 has not been used in project 123 before or it is disabled."), psync.IsPermanent, "enable it at"},
		{403, googleError(403, "insufficientPermissions", "global", "Request had insufficient authentication scopes."), func(e error) bool { return errors.Is(e, psync.ErrAuth) }, "youtube.force-ssl"},
		{403, googleError(403, "rateLimitExceeded", "youtube.quota", "slow down"), func(e error) bool { var rl *psync.RateLimitError; return errors.As(e, &rl) }, "rate"},
		{403, googleError(403, "commentsDisabled", "youtube.commentThread", "The video has disabled comments."), psync.IsPermanent, "commentsDisabled"},
	} {
		f, _, c, _ := setup(t)
		f.failNext("/youtube/v3/commentThreads", tc.status, tc.body)
		_, err := c.Fetch(context.Background(), "")
		if err == nil || !tc.check(err) || !strings.Contains(err.Error(), tc.words) {
			t.Errorf("%d %s: %v", tc.status, tc.body[:min(len(tc.body), 60)], err)
		}
	}
}

func TestDuplicatePagesDoNotDuplicate(t *testing.T) {
	f, clk, c, in := setup(t)
	for i := range 5 {
		f.addThread("Ugz"+string(rune('a'+i)), "vid1", t0.Add(-time.Duration(i+1)*time.Hour), "u", "hello")
	}
	if err := in.Sync(c); err != nil {
		t.Fatal(err)
	}
	// The same comments served again (a stale page, a walk restarted).
	clk.add(time.Hour)
	if err := in.Sync(connector(t, f, clk)); err != nil {
		t.Fatal(err)
	}
	cs := in.Threads(t)
	if len(cs) != 5 {
		t.Fatalf("%d conversations", len(cs))
	}
	for id, th := range cs {
		if len(th.Messages) != 1 {
			t.Fatalf("%s has %d messages", id, len(th.Messages))
		}
	}
}
