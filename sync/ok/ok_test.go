package ok

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	psync "github.com/parleyhq/parley/sync"
	"github.com/parleyhq/parley/sync/synctest"
)

type env struct {
	*synctest.Inbox
	f    *fakeOK
	conn *Connector
}

type creds int

const (
	both creds = iota
	restOnly
	botOnly
)

func newEnv(t *testing.T, c creds) *env {
	t.Helper()
	f := newFake(t)
	in := synctest.New(t, "ok", "Колосок (OK)")
	t.Cleanup(func() {
		for _, secret := range []string{f.token, f.botToken, f.appSecret} {
			if strings.Contains(in.Log.String(), secret) {
				t.Errorf("a secret reached the log")
			}
		}
	})
	return &env{Inbox: in, f: f, conn: f.connector(t, c)}
}

func static(s string) func(context.Context) (string, error) {
	return func(context.Context) (string, error) { return s, nil }
}

func (f *fakeOK) connector(t *testing.T, c creds) *Connector {
	var s Sources
	if c != botOnly {
		s.Token, s.AppSecret = static(f.token), static(f.appSecret)
	}
	if c != restOnly {
		s.Bot = static(f.botToken)
	}
	conn, err := New(Options{GroupID: f.groupID, AppKey: f.appKey, BaseURL: f.srv.URL}, s)
	if err != nil {
		t.Fatal(err)
	}
	if conn.rest != nil {
		conn.rest.http.Now, conn.rest.http.Sleep = f.clock.Now, f.clock.Sleep
	}
	if conn.bot != nil {
		conn.bot.http.Now, conn.bot.http.Sleep = f.clock.Now, f.clock.Sleep
	}
	return conn
}

func (e *env) sync(t *testing.T) {
	t.Helper()
	if err := e.Sync(e.conn); err != nil {
		t.Fatal(err)
	}
}

// seed is a small Russian-speaking group: a topic with a thread of
// replies (one dated only in Moscow time), an old topic beyond the
// backlog, and a chat with a customer.
func seed(f *fakeOK) (tp *fTopic, q *fComment, ch *fChat) {
	now := f.clock.Now()
	f.users["910000000001"] = "Анна Смирнова"
	f.users["910000000002"] = "Борис Ёлкин"
	tp = f.addTopic("Новинка: хлеб на закваске 🍞", now.Add(-48*time.Hour))
	q = f.addComment(tp, "910000000001", "Почему вчера не было доставки? 😡\u202e", now.Add(-3*time.Hour), nil)
	r := f.addComment(tp, f.groupID, "Извините, курьер заболел", now.Add(-150*time.Minute), q)
	rr := f.addComment(tp, "910000000002", "У меня тоже не привезли", now.Add(-140*time.Minute), r)
	rr.DateOnly = true
	f.addComment(tp, "910000000002", "А с маком есть?", now.Add(-time.Hour), nil)
	old := f.addTopic("Старая новость", now.Add(-40*24*time.Hour))
	f.addComment(old, "910000000001", "давно", now.Add(-39*24*time.Hour), nil)
	ch = f.addChat("chat:C3ecb9d02a600", "DIALOG", "Анна Смирнова")
	f.addChatMsg(ch, "user:910000000001", "Анна Смирнова", "Здравствуйте! Заказ №77 где?", now.Add(-2*time.Hour))
	img := f.addChatMsg(ch, "user:910000000001", "Анна Смирнова", "", now.Add(-119*time.Minute))
	img.Image = "https://i.mycdn.me/i?r=photo"
	f.addChatMsg(ch, "group:"+f.groupID, "Пекарня «Колосок» 🥖", "Уже едет", now.Add(-100*time.Minute))
	return tp, q, ch
}

func TestSignMatchesTheDocumentedRule(t *testing.T) {
	// Worked out by hand from apiok.ru's rule: md5 of the sorted k=v pairs
	// and md5(access_token + application secret key).
	p := url.Values{"application_key": {"CBAKLMNOPQ"}, "format": {"json"}, "method": {"group.getInfo"}, "uids": {"55348644610059"},
		"fields": {"uid,name"}, "access_token": {"tkn1aBcD"}}
	if got := Sign(p, "tkn1aBcD", "APPSECRET0123", ""); got != "eef3729b628d05ada9b6d0a24c0c07e4" {
		t.Fatalf("server-flow signature %s", got)
	}
	p2 := url.Values{"application_key": {"CBAKLMNOPQ"}, "format": {"json"}, "method": {"discussions.addDiscussionComment"},
		"comment": {"Привет 👋"}, "entityId": {"1"}, "session_key": {"x"}}
	if got := Sign(p2, "ignored", "ignored", "sessionsecret"); got != "186052fe92e587ca09f62f4097d2787f" {
		t.Fatalf("session-secret signature %s", got)
	}
}

func TestFirstSyncReadsCommentsAndChats(t *testing.T) {
	e := newEnv(t, both)
	tp, q, ch := seed(e.f)
	e.sync(t)
	ths := e.Threads(t)
	th, ok := ths[topicConv(tp.ID, q.ID)]
	if !ok {
		t.Fatalf("no conversation for Анна's comment: %v", keys(ths))
	}
	if th.Post == nil || th.Post.Text != "Новинка: хлеб на закваске 🍞" || th.Post.Permalink != "https://ok.ru/group/"+e.f.groupID+"/topic/"+tp.ID {
		t.Fatalf("topic context: %+v", th.Post)
	}
	if len(th.Messages) != 3 {
		t.Fatalf("thread has %d messages, want the comment and the two replies folded in: %+v", len(th.Messages), th.Messages)
	}
	m0, m1, m2 := th.Messages[0], th.Messages[1], th.Messages[2]
	if m0.Author.Name != "Анна Смирнова" || m0.Direction != inbox.In || !strings.HasPrefix(m0.Text, "Почему вчера") {
		t.Fatalf("first: %+v", m0)
	}
	if strings.ContainsRune(m0.Text, '\u202e') {
		t.Fatal("a bidi override survived ingest")
	}
	if m1.Direction != inbox.Out || m1.ParentID != topicMsg(tp.ID, q.ID) {
		t.Fatalf("the group's reply: %+v", m1)
	}
	// A date given only in Moscow time is read as Moscow time.
	if want := e.f.clock.Now().Add(-140 * time.Minute).Truncate(time.Second); !m2.CreatedAt.Equal(want) || m2.Author.Name != "Борис Ёлкин" {
		t.Fatalf("date-only comment: %v want %v (%+v)", m2.CreatedAt, want, m2)
	}
	if len(ths) != 3 {
		t.Fatalf("want Анна's thread, Борис's question and the chat (not the old topic): %v", keys(ths))
	}
	chat := ths[chatConv(ch.ID)]
	if chat.Conversation.Kind != inbox.KindDM || len(chat.Messages) != 3 || chat.Messages[2].Direction != inbox.Out ||
		len(chat.Messages[1].Attachments) != 1 || chat.Messages[1].Attachments[0].Kind != inbox.AttachImage {
		t.Fatalf("chat: %+v", chat.Messages)
	}
	accs, _ := e.Svc.Accounts(context.Background())
	if accs[0].Status != inbox.AccountOK || accs[0].Notice != "OK: topic comments and group chats synced" {
		t.Fatalf("account: %+v", accs[0])
	}
	e.f.mu.Lock()
	defer e.f.mu.Unlock()
	if e.f.badSigs != 0 || e.f.floods != 0 {
		t.Fatalf("%d bad signatures, %d floods", e.f.badSigs, e.f.floods)
	}
}

func keys(m map[string]inbox.Thread) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// The next pass reads each topic from the anchor the last one stopped at:
// only new comments come, and an unchanged topic costs no comment call.
func TestIncrementalSyncUsesAnchors(t *testing.T) {
	e := newEnv(t, both)
	tp, q, ch := seed(e.f)
	e.sync(t)
	before := len(e.f.callsOf("discussions.getComments"))
	e.sync(t)
	if n := len(e.f.callsOf("discussions.getComments")); n != before {
		t.Fatalf("an unchanged topic was read again (%d calls)", n-before)
	}
	e.f.clock.Sleep(context.Background(), 5*time.Minute)
	r := e.f.addComment(tp, "910000000001", "Спасибо, получила!", e.f.clock.Now(), q)
	e.f.addChatMsg(ch, "user:910000000001", "Анна Смирнова", "И ещё вопрос", e.f.clock.Now())
	e.sync(t)
	calls := e.f.callsOf("discussions.getComments")
	last := calls[len(calls)-1]
	if last.Params.Get("anchor") == "" {
		t.Fatal("the incremental read did not start from the stored anchor")
	}
	th := e.Threads(t)[topicConv(tp.ID, q.ID)]
	if got := th.Messages[len(th.Messages)-1]; got.ExternalID != topicMsg(tp.ID, r.ID) || got.Text != "Спасибо, получила!" {
		t.Fatalf("new reply: %+v", got)
	}
	if c := e.Threads(t)[chatConv(ch.ID)]; len(c.Messages) != 4 {
		t.Fatalf("chat after the new message: %d", len(c.Messages))
	}
}

// A restart in the middle of the first sync resumes from the stored
// cursor: nothing twice, nothing lost.
func TestRestartMidBacklog(t *testing.T) {
	e := newEnv(t, restOnly)
	now := e.f.clock.Now()
	for i := 0; i < 25; i++ {
		tp := e.f.addTopic("пост", now.Add(-time.Duration(i+1)*time.Hour))
		e.f.addComment(tp, "910000000002", "комментарий", now.Add(-time.Duration(i)*time.Hour), nil)
	}
	b, err := e.conn.Fetch(context.Background(), "")
	if err != nil || !b.More {
		t.Fatalf("first page: more=%v err=%v", b.More, err)
	}
	if err := e.Svc.Ingest(context.Background(), e.Acc.ID, b); err != nil {
		t.Fatal(err)
	}
	first := len(e.Threads(t))
	e.conn = e.f.connector(t, restOnly) // a new process
	e.sync(t)
	if n := len(e.Threads(t)); first != topicsPerPage || n != 25 {
		t.Fatalf("%d conversations after one page, %d after resuming", first, n)
	}
	gets := e.f.callsOf("mediatopic.getTopics")
	if gets[1].Params.Get("anchor") == "" {
		t.Fatal("the resumed run started the listing over")
	}
}

// A reply whose answer is lost is looked for before it is sent again:
// posted once.
func TestRepliesAreNotDoubledUnderAmbiguousFailure(t *testing.T) {
	e := newEnv(t, both)
	tp, q, ch := seed(e.f)
	e.sync(t)
	ctx := context.Background()
	e.f.fault(fFault{method: "discussions.addDiscussionComment", raw: `"MTU`, after: true})
	a := psync.Action{Kind: inbox.ActionReply, ConversationID: topicConv(tp.ID, q.ID), TargetID: topicMsg(tp.ID, q.ID),
		Body: "Доставка завтра до 12:00 🚚", IdempotencyKey: "outbox-5", Attempt: 1, Queued: e.f.clock.Now()}
	if _, err := e.conn.Perform(ctx, a); err == nil || psync.IsPermanent(err) {
		t.Fatalf("a truncated answer must be retryable: %v", err)
	}
	a.Attempt = 2
	r, err := e.conn.Perform(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range tp.Comments {
		if c.Text == a.Body {
			n++
			if c.Author != e.f.groupID || c.ReplyTo != q.ID || r.ExternalID != topicMsg(tp.ID, c.ID) {
				t.Fatalf("reply %+v receipt %+v", c, r)
			}
		}
	}
	if n != 1 || len(e.f.callsOf("discussions.addDiscussionComment")) != 1 {
		t.Fatalf("posted %d times", n)
	}
	// The same in a chat, through the Bot API.
	e.f.fault(fFault{method: "bot POST messages", status: 502, raw: "<html>Bad Gateway</html>", after: true})
	c := psync.Action{Kind: inbox.ActionReply, ConversationID: chatConv(ch.ID), Body: "Курьер у двери", IdempotencyKey: "outbox-6", Attempt: 1,
		Queued: e.f.clock.Now()}
	if _, err := e.conn.Perform(ctx, c); err == nil || psync.IsPermanent(err) {
		t.Fatalf("a 502 must be retryable: %v", err)
	}
	c.Attempt = 2
	if r, err = e.conn.Perform(ctx, c); err != nil || !strings.HasPrefix(r.ExternalID, "mid:") {
		t.Fatalf("chat retry: %v %+v", err, r)
	}
	sent := 0
	for _, m := range ch.Messages {
		if m.Text == c.Body {
			sent++
		}
	}
	if sent != 1 {
		t.Fatalf("chat message sent %d times", sent)
	}
}

func TestModeration(t *testing.T) {
	e := newEnv(t, both)
	tp, q, ch := seed(e.f)
	e.sync(t)
	ctx := context.Background()
	caps := e.conn.Capabilities()
	if !caps.Delete || len(caps.Moderation) != 2 || caps.TextLimit.Max != 4096 || caps.Limit(inbox.KindDM).Max != 4000 {
		t.Fatalf("capabilities: %+v", caps)
	}
	if _, err := e.conn.Perform(ctx, psync.Action{Kind: inbox.ActionReport, ConversationID: topicConv(tp.ID, q.ID), TargetID: topicMsg(tp.ID, q.ID)}); err != nil || !q.Spam {
		t.Fatalf("report: %v", err)
	}
	del := psync.Action{Kind: inbox.ActionDelete, ConversationID: topicConv(tp.ID, q.ID), TargetID: topicMsg(tp.ID, q.ID)}
	if _, err := e.conn.Perform(ctx, del); err != nil || !q.Deleted {
		t.Fatalf("delete: %v", err)
	}
	if _, err := e.conn.Perform(ctx, del); err != nil {
		t.Fatalf("deleting what is gone is done: %v", err)
	}
	// Chat messages cannot be deleted through the Bot API: refused, not tried.
	_, err := e.conn.Perform(ctx, psync.Action{Kind: inbox.ActionDelete, ConversationID: chatConv(ch.ID), TargetID: ch.Messages[0].MID})
	if !psync.IsPermanent(err) || !strings.Contains(err.Error(), "Bot API cannot delete") {
		t.Fatalf("chat delete: %v", err)
	}
	// With the Bot API token alone nothing is offered that needs the other.
	if caps := e.f.connector(t, botOnly).Capabilities(); caps.Delete || len(caps.Moderation) != 0 || !caps.Reply {
		t.Fatalf("bot token only: %+v", caps)
	}
	// Without GROUP_CONTENT a reply is a named configuration problem.
	e.f.perms["GROUP_CONTENT"] = false
	_, err = e.conn.Perform(ctx, psync.Action{Kind: inbox.ActionReply, ConversationID: topicConv(tp.ID, q.ID), Body: "x", Attempt: 1})
	if !psync.IsPermanent(err) || !strings.Contains(err.Error(), "GROUP_CONTENT") {
		t.Fatalf("no GROUP_CONTENT: %v", err)
	}
}

func TestOnlyOneCredentialSaysWhatIsOff(t *testing.T) {
	e := newEnv(t, botOnly)
	seed(e.f)
	e.sync(t)
	accs, _ := e.Svc.Accounts(context.Background())
	if n := accs[0].Notice; !strings.Contains(n, "no access token: topic comments are not synced") {
		t.Fatalf("notice: %q", n)
	}
	if len(e.f.callsOf("mediatopic.getTopics")) != 0 || len(e.Threads(t)) != 1 {
		t.Fatalf("bot token only: %v", keys(e.Threads(t)))
	}
	r := newEnv(t, restOnly)
	seed(r.f)
	r.sync(t)
	accs, _ = r.Svc.Accounts(context.Background())
	if n := accs[0].Notice; !strings.Contains(n, "no Bot API token: group chats are not synced") {
		t.Fatalf("notice: %q", n)
	}
}

func TestErrorsAreMapped(t *testing.T) {
	e := newEnv(t, both)
	seed(e.f)
	ctx := context.Background()
	cur := `{"phase":"topics","since":1,"start":1}`
	cases := []struct {
		code  int
		check func(error) bool
		what  string
	}{
		{errSessionExpired, func(err error) bool {
			return errors.Is(err, psync.ErrAuth) && strings.Contains(err.Error(), "parley connect ok")
		}, "102 → re-auth"},
		{errSignature, func(err error) bool {
			return errors.Is(err, psync.ErrAuth) && strings.Contains(err.Error(), "secret key")
		}, "104 → re-auth, names the secret"},
		{errVerification, func(err error) bool {
			return errors.Is(err, psync.ErrAuth) && strings.Contains(err.Error(), "sign in on ok.ru")
		}, "514 → stop"},
		{errFlood, func(err error) bool { var rl *psync.RateLimitError; return errors.As(err, &rl) && rl.RetryAfter > 0 }, "8 → wait"},
		{errLimitReached, func(err error) bool {
			var rl *psync.RateLimitError
			return errors.As(err, &rl) && rl.RetryAfter >= time.Hour
		}, "11 → wait long"},
		{errParam, func(err error) bool { return psync.IsPermanent(err) }, "100 → permanent"},
		{errUnknown, func(err error) bool { return !psync.IsPermanent(err) }, "1 → retry"},
	}
	for _, c := range cases {
		e.f.fault(fFault{method: "mediatopic.getTopics", code: c.code})
		_, err := e.conn.Fetch(ctx, cur)
		if err == nil || !c.check(err) {
			t.Errorf("%s: %v", c.what, err)
			continue
		}
		for _, s := range []string{e.f.token, e.f.appSecret, e.f.botToken} {
			if strings.Contains(err.Error(), s) {
				t.Fatal("a secret in an error")
			}
		}
	}
	// SERVICE is waited out once in place.
	e.f.fault(fFault{method: "mediatopic.getTopics", code: errService})
	if _, err := e.conn.Fetch(ctx, cur); err != nil {
		t.Fatalf("2 must be retried: %v", err)
	}
	// Malformed, truncated, a proxy's 5xx and a 429: retried later.
	for _, f := range []fFault{{method: "mediatopic.getTopics", raw: `{"media_topics":[{"id":`}, {method: "mediatopic.getTopics", raw: "<html>", status: 502},
		{method: "mediatopic.getTopics", raw: "", status: 429}} {
		e.f.fault(f)
		_, err := e.conn.Fetch(ctx, cur)
		if err == nil || psync.IsPermanent(err) {
			t.Errorf("%q %d: %v", f.raw, f.status, err)
		}
	}
	// A wrong application secret: every request's signature is refused.
	bad := e.f.connector(t, restOnly)
	bad.rest.appSecret = static("not-the-secret")
	_, err := bad.Fetch(ctx, cur)
	if !errors.Is(err, psync.ErrAuth) || !strings.Contains(err.Error(), "PARAM_SIGNATURE") || strings.Contains(err.Error(), "not-the-secret") {
		t.Fatalf("wrong secret: %v", err)
	}
	// A missing permission stops that source with a note, not the account.
	e.f.fault(fFault{method: "mediatopic.getTopics", code: errPermission})
	b, err := e.conn.Fetch(ctx, cur)
	if err != nil || !strings.Contains(b.Cursor, "VALUABLE_ACCESS") {
		t.Fatalf("permission: %v %s", err, b.Cursor)
	}
}

// Requests keep a steady pace: the fake, which answers FLOOD_BLOCKED to a
// sixth call within a second, never has to.
func TestPacingAvoidsFloodControl(t *testing.T) {
	e := newEnv(t, restOnly)
	now := e.f.clock.Now()
	for i := 0; i < 15; i++ {
		tp := e.f.addTopic("пост", now.Add(-time.Duration(i+1)*time.Minute))
		e.f.addComment(tp, "910000000002", "ок", now.Add(-time.Duration(i)*time.Minute), nil)
	}
	e.sync(t)
	e.f.mu.Lock()
	defer e.f.mu.Unlock()
	if e.f.floods != 0 || len(e.f.calls) < 15 {
		t.Fatalf("%d floods in %d calls", e.f.floods, len(e.f.calls))
	}
}

// A server that keeps answering the same page (has_more forever) ends the
// read after one repeat, with nothing stored twice.
func TestRepeatedPageEndsTheRead(t *testing.T) {
	e := newEnv(t, restOnly)
	tp, q, _ := seed(e.f)
	e.f.stuck = true
	e.sync(t)
	th := e.Threads(t)[topicConv(tp.ID, q.ID)]
	if len(th.Messages) != 2 {
		t.Fatalf("%d messages from a repeated page of two", len(th.Messages))
	}
	if n := len(e.f.callsOf("discussions.getComments")); n != 2 {
		t.Fatalf("%d reads of a topic whose pages repeat", n)
	}
}
