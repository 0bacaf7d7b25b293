package mastodon

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	psync "github.com/parleyhq/parley/sync"
)

// deliverAll runs the outbox worker until nothing is queued or sending,
// retrying at once (a deadline, not a sleep, bounds it).
func (e *env) deliverAll(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	w := psync.NewWorker(e.svc, func(int64) (psync.Connector, bool) { return e.conn, true }, nil)
	w.Backoff = psync.Backoff{} // a retry is due at once, so each drain makes it
	deadline := time.Now().Add(10 * time.Second)
	for {
		w.Drain(ctx)
		pending := 0
		for _, th := range e.convs(t) {
			pending += th.Conversation.Queued
		}
		if pending == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d outbox entries still pending", pending)
		}
	}
}

func (e *env) only(t *testing.T, prefix string) inbox.Thread {
	t.Helper()
	var found []inbox.Thread
	for k, th := range e.convs(t) {
		if strings.HasPrefix(k, prefix) {
			found = append(found, th)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d conversations %s*: %v", len(found), prefix, keys(e.convs(t)))
	}
	return found[0]
}

func TestRetryOnServerIgnoringIdempotencyKeyPostsOnce(t *testing.T) {
	e := newEnv(t)
	jo := e.f.account("jo", "Jo")
	e.f.post(jo, "<p>@acme is the Harbour St shop open today?</p>", "public", nil, e.f.now.Add(-time.Hour), true)
	if err := e.sync(t); err != nil {
		t.Fatal(err)
	}
	th := e.only(t, "mention:")
	if _, err := e.svc.Reply(context.Background(), "ann", th.Conversation.ID, "Yes, until 18:00."); err != nil {
		t.Fatal(err)
	}
	// The server posts, then the answer is lost; it ignores Idempotency-Key.
	e.f.mu.Lock()
	e.f.ignoreIdem = true
	e.f.faults = []fault{{method: "POST", path: "/api/v1/statuses", afterWork: true, status: 502}}
	e.f.mu.Unlock()
	e.deliverAll(t)
	if len(e.f.posts) != 1 {
		t.Fatalf("%d posts after a retried send on a server that ignores Idempotency-Key; want 1", len(e.f.posts))
	}
	th, _ = e.svc.Open(context.Background(), th.Conversation.ID)
	last := th.Messages[len(th.Messages)-1]
	var posted string
	for id, s := range e.f.statuses {
		if s.Account.ID == e.f.me.ID {
			posted = id
		}
	}
	if last.Delivery != inbox.DeliverySent || last.ExternalID != posted {
		t.Fatalf("the retried reply was not matched to the first post %s: %+v", posted, last)
	}
}

func TestRetryAfterFailureBeforePostingSendsOnce(t *testing.T) {
	e := newEnv(t)
	jo := e.f.account("jo", "Jo")
	e.f.post(jo, "<p>@acme hi</p>", "public", nil, e.f.now.Add(-time.Hour), true)
	if err := e.sync(t); err != nil {
		t.Fatal(err)
	}
	e.svc.Reply(context.Background(), "ann", e.only(t, "mention:").Conversation.ID, "hello")
	// This time nothing was posted: the look finds nothing and sends.
	e.f.mu.Lock()
	e.f.ignoreIdem = true
	e.f.faults = []fault{{method: "POST", path: "/api/v1/statuses", status: 503}}
	e.f.mu.Unlock()
	e.deliverAll(t)
	if len(e.f.posts) != 1 {
		t.Fatalf("%d posts; want exactly 1", len(e.f.posts))
	}
}

func TestGroupDMReplyAddressesEveryoneAndKeepsTheWarning(t *testing.T) {
	e := newEnv(t)
	alice, bob := e.f.account("alice", "Alice"), e.f.account("bob", "Bob")
	dm := e.f.post(alice, "<p>@acme @bob our joint order never came</p>", "direct", nil, e.f.now.Add(-time.Hour), true)
	dm.Mentions = append(dm.Mentions, mention{ID: bob.ID, Username: "bob", Acct: bob.Acct, URL: bob.URL})
	dm.SpoilerText = "order trouble"
	if err := e.sync(t); err != nil {
		t.Fatal(err)
	}
	th := e.only(t, "dm:")
	if th.Conversation.ExternalID != "dm:alice@other.example,bob@other.example" {
		t.Fatalf("group DM conversation: %s", th.Conversation.ExternalID)
	}
	if !strings.HasPrefix(th.Messages[0].Text, "CW: order trouble\n") {
		t.Fatalf("content warning not shown: %q", th.Messages[0].Text)
	}
	if _, err := e.svc.Reply(context.Background(), "ann", th.Conversation.ID, "So sorry, @bob@other.example — resending today."); err != nil {
		t.Fatal(err)
	}
	e.deliverAll(t)
	form := e.f.posts[0]
	if got := form.Get("status"); got != "@alice@other.example So sorry, @bob@other.example — resending today." {
		t.Fatalf("reply text %q: every participant once", got)
	}
	if form.Get("visibility") != "direct" || form.Get("spoiler_text") != "order trouble" {
		t.Fatalf("reply form: %v", form)
	}
	// Our reply comes back in the same conversation, not a new one.
	if err := e.sync(t); err != nil {
		t.Fatal(err)
	}
	th = e.only(t, "dm:")
	if len(th.Messages) != 2 || th.Conversation.NeedsReply {
		t.Fatalf("after sync: %d messages, needs reply %v", len(th.Messages), th.Conversation.NeedsReply)
	}
}

func TestEditsAndEditHistory(t *testing.T) {
	e := newEnv(t)
	kim := e.f.account("kim", "Kim")
	s := e.f.post(kim, "<p>@acme my parcel is late</p>", "public", nil, e.f.now.Add(-time.Hour), true)
	// Edited before we ever saw it: the history gives the earlier words.
	s2 := e.f.post(kim, "<p>@acme second question</p>", "public", nil, e.f.now.Add(-50*time.Minute), true)
	e.f.edit(s2, "<p>@acme second question, rephrased</p>", e.f.now.Add(-40*time.Minute))
	if err := e.sync(t); err != nil {
		t.Fatal(err)
	}
	e.f.edit(s, "<p>@acme my parcel is two weeks late</p>", e.f.now.Add(-time.Minute))
	if err := e.sync(t); err != nil {
		t.Fatal(err)
	}
	cs := e.convs(t)
	m := cs["mention:"+s.ID].Messages[0]
	if m.Text != "@acme my parcel is two weeks late" || m.PreviousText != "@acme my parcel is late" || m.EditedAt.IsZero() {
		t.Fatalf("edit: text %q previous %q edited %v", m.Text, m.PreviousText, m.EditedAt)
	}
	m2 := cs["mention:"+s2.ID].Messages[0]
	if m2.Text != "@acme second question, rephrased" || m2.PreviousText != "@acme second question" {
		t.Fatalf("edited before first sight: text %q previous %q", m2.Text, m2.PreviousText)
	}
	if len(cs) != 2 {
		t.Fatalf("an edit made a conversation of its own: %v", keys(cs))
	}
}

func TestAttachmentsPollsAndPictureOnlyDM(t *testing.T) {
	e := newEnv(t)
	lee := e.f.account("lee", "Lee")
	dm := e.f.post(lee, `<p><span class="h-card"><a href="https://m.example/@acme" class="u-url mention">@<span>acme</span></a></span></p>`, "direct", nil, e.f.now.Add(-time.Hour), true)
	alt, prev := "A crushed box, beans everywhere", "https://files.m.example/small/1.png"
	dm.MediaAttachments = []media{{ID: "9", Type: "image", URL: "https://files.m.example/original/1.png", PreviewURL: &prev, Description: &alt}}
	dm.MediaAttachments[0].Meta.Original = &struct {
		Width  int `json:"width"`
		Height int `json:"height"`
	}{1600, 1200}
	pub := e.f.post(lee, "<p>@acme which roast?</p>", "public", nil, e.f.now.Add(-time.Hour), true)
	three, exp := 3, e.f.now.Add(time.Hour)
	pub.Poll = &poll{ID: "p1", ExpiresAt: &exp, VotesCount: 3, VotersCount: &three}
	pub.Poll.Options = append(pub.Poll.Options, struct {
		Title      string `json:"title"`
		VotesCount *int   `json:"votes_count"`
	}{"Dark", &three}, struct {
		Title      string `json:"title"`
		VotesCount *int   `json:"votes_count"`
	}{"Light", nil})
	if err := e.sync(t); err != nil {
		t.Fatal(err)
	}
	th := e.only(t, "dm:")
	m := th.Messages[0]
	want := inbox.Attachment{Kind: inbox.AttachImage, URL: "https://files.m.example/original/1.png", PreviewURL: prev, Description: alt, Width: 1600, Height: 1200}
	if m.Text != "" || len(m.Attachments) != 1 || m.Attachments[0] != want {
		t.Fatalf("picture-only DM: text %q attachments %+v", m.Text, m.Attachments)
	}
	if th.Conversation.Preview != "[image: "+alt+"]" {
		t.Fatalf("preview %q", th.Conversation.Preview)
	}
	p := e.only(t, "mention:").Messages[0].Poll
	if p == nil || len(p.Options) != 2 || p.Options[0].Votes != 3 || !p.CountsHidden || p.Voters != 3 || !p.ExpiresAt.Equal(exp) {
		t.Fatalf("poll: %+v", p)
	}
}

func TestOwnRepliesFromOtherAppsAreSynced(t *testing.T) {
	e := newEnv(t)
	max := e.f.account("max", "Max")
	q := e.f.post(max, "<p>@acme do you ship to Norway?</p>", "public", nil, e.f.now.Add(-2*time.Hour), true)
	if err := e.sync(t); err != nil {
		t.Fatal(err)
	}
	if th := e.only(t, "mention:"); !th.Conversation.NeedsReply {
		t.Fatal("a fresh question must need a reply")
	}
	// The brand answers from its phone, and also chats with a stranger.
	e.f.post(e.f.me, "<p>@max yes, in 3–5 days</p>", "public", q, e.f.now.Add(-time.Hour), false)
	other := e.f.post(e.f.account("nora", "Nora"), "<p>nice weather</p>", "public", nil, e.f.now.Add(-time.Hour), false)
	e.f.post(e.f.me, "<p>@nora indeed!</p>", "public", other, e.f.now.Add(-time.Hour), false)
	if err := e.sync(t); err != nil {
		t.Fatal(err)
	}
	th := e.only(t, "mention:")
	if th.Conversation.NeedsReply || len(th.Messages) != 2 || th.Messages[1].Direction != inbox.Out {
		t.Fatalf("our reply from another app: needs reply %v, %d messages", th.Conversation.NeedsReply, len(th.Messages))
	}
	if n := len(e.convs(t)); n != 1 {
		t.Fatalf("%d conversations: our chat outside the inbox made one", n)
	}

	// A fresh database finds our earlier replies on its first sync.
	fresh := newEnv(t)
	fresh.f = e.f
	fresh.conn, _ = New(Options{Server: e.f.srv.URL, PollInterval: time.Minute, Backlog: 7 * 24 * time.Hour},
		func(context.Context) (string, error) { return e.f.token, nil })
	if err := fresh.sync(t); err != nil {
		t.Fatal(err)
	}
	if th := fresh.only(t, "mention:"); th.Conversation.NeedsReply || len(th.Messages) != 2 {
		t.Fatalf("fresh database: needs reply %v, %d messages", th.Conversation.NeedsReply, len(th.Messages))
	}
}

func TestFirstSyncOfABusyPostIsCheap(t *testing.T) {
	e := newEnv(t)
	post := e.f.post(e.f.me, "<p>Big news: a new shop!</p>", "public", nil, e.f.now.Add(-72*time.Hour), false)
	var people []account
	for i := 0; i < 30; i++ {
		people = append(people, e.f.account("fan"+string(rune('a'+i%26))+string(rune('a'+i/26)), "Fan"))
	}
	var firsts []*status
	for i := 0; i < 300; i++ {
		at := e.f.now.Add(-48*time.Hour + time.Duration(i)*time.Minute)
		if i%10 == 9 { // some answer each other under the post
			e.f.post(people[i%30], "<p>@acme @fan me too</p>", "public", firsts[len(firsts)-1], at, true)
			continue
		}
		firsts = append(firsts, e.f.post(people[i%30], "<p>@acme congrats!</p>", "public", post, at, true))
	}
	e.f.requests = nil
	if err := e.sync(t); err != nil {
		t.Fatal(err)
	}
	pages := 300/pageLimit + 2 // notifications, the last one short, and one to find the end
	contexts := 0
	for _, r := range e.f.requests {
		if strings.Contains(r, "/context") {
			contexts++
		}
	}
	// The first reply seen places the post; the nested answers' parents are
	// first-level replies seen before them (newest first) or placed by
	// one context each at most.
	if bound := pages + 30 + 5; len(e.f.requests) > bound {
		t.Fatalf("%d requests (%d context) for a 300-reply backlog; want at most %d", len(e.f.requests), contexts, bound)
	}
	if n := len(e.convs(t)); n != 270 {
		t.Fatalf("%d comment threads, want 270", n)
	}
	t.Logf("%d requests, %d of them context, for 300 replies", len(e.f.requests), contexts)
}

func TestRateLimitWaitIsLoggedAndShown(t *testing.T) {
	e := newEnv(t)
	var waits []time.Duration
	e.conn.http.Sleep = psync.ReportingSleep(func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil })
	e.f.remaining, e.f.resetIn = 2, 130*time.Second
	kim := e.f.account("kim", "Kim")
	e.f.post(kim, "<p>@acme hi</p>", "public", nil, e.f.now.Add(-time.Hour), true)
	var logBuf bytes.Buffer
	eng := psync.NewEngine(e.svc, slog.New(slog.NewTextHandler(&logBuf, nil)))
	eng.Once = true
	var said []string
	eng.Progress = func(a inbox.Account, msg string) { said = append(said, a.Label+": "+msg) }
	accs, _ := e.svc.Accounts(context.Background())
	eng.Add(psync.Account{Account: accs[0], Conn: e.conn})
	if err := eng.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(waits) == 0 || len(said) == 0 {
		t.Fatalf("waits %v, said %v", waits, said)
	}
	if !strings.HasPrefix(said[0], "acme@m.example: waiting 2m") || !strings.HasSuffix(said[0], "for the server's rate limit") {
		t.Fatalf("progress line %q", said[0])
	}
	if !strings.Contains(logBuf.String(), "rate limit") {
		t.Fatalf("the wait was not logged: %s", logBuf.String())
	}
}
