package vk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	psync "github.com/parleyhq/parley/sync"
	"github.com/parleyhq/parley/sync/synctest"
)

type env struct {
	*synctest.Inbox
	f    *fakeVK
	conn *Connector
}

// callbackDefs names the schema definition of each event type's object.
var callbackDefs = map[string]string{
	"wall_reply_new": "callback_wall_reply_new", "wall_reply_edit": "callback_wall_reply_edit", "wall_reply_restore": "callback_wall_reply_restore",
	"wall_reply_delete": "callback_wall_comment_delete", "board_post_new": "callback_board_post_new", "board_post_edit": "callback_board_post_edit",
	"board_post_restore": "callback_board_post_restore", "board_post_delete": "callback_board_post_delete",
	"market_comment_new": "callback_market_comment", "market_comment_edit": "callback_market_comment",
	"market_comment_restore": "callback_market_comment", "market_comment_delete": "callback_market_comment_delete",
}

type tokens int

const (
	both tokens = iota
	groupOnly
	userOnly
)

func newEnv(t *testing.T, tk tokens) *env {
	t.Helper()
	f := newFake(t)
	conn := f.connector(t, tk)
	in := synctest.New(t, "vk", "Зерно (VK)")
	t.Cleanup(func() {
		// Every answer the fake gave must match the schema's definitions.
		f.mu.Lock()
		defer f.mu.Unlock()
		for _, a := range f.answers {
			for _, p := range f.schema.checkResponse(a.Method, a.Extended, a.Body) {
				t.Errorf("fake answer off-schema: %s", p)
			}
		}
		// So must every Long Poll event's object, by callback/objects.json.
		for _, ev := range f.lpEvents {
			typ, _ := ev["type"].(string)
			def, ok := callbackDefs[typ]
			if !ok {
				continue
			}
			b, _ := json.Marshal(ev["object"])
			var obj any
			_ = json.Unmarshal(b, &obj)
			sch, file := f.schema.resolve("callback/objects.json", "#/definitions/"+def)
			if sch == nil {
				t.Errorf("no schema for %s", def)
			}
			for _, p := range f.schema.check(file, sch, obj, typ) {
				t.Errorf("fake event off-schema: %s", p)
			}
		}
		for _, secret := range []string{f.groupTok, f.userTok, f.lpKey} {
			if strings.Contains(in.Log.String(), secret) {
				t.Errorf("a secret reached the log")
			}
		}
	})
	return &env{Inbox: in, f: f, conn: conn}
}

func (f *fakeVK) connector(t *testing.T, tk tokens) *Connector {
	var g, u func(context.Context) (string, error)
	if tk != userOnly {
		g = func(context.Context) (string, error) { return f.groupTok, nil }
	}
	if tk != groupOnly {
		u = func(context.Context) (string, error) { return f.userTok, nil }
	}
	c, err := New(Options{GroupID: f.groupID, BaseURL: f.srv.URL}, g, u)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []*api{c.group, c.user} {
		if a != nil {
			a.http.Now, a.http.Sleep = f.clock.Now, f.clock.Sleep
		}
	}
	return c
}

func (e *env) sync(t *testing.T) {
	t.Helper()
	if err := e.Sync(e.conn); err != nil {
		t.Fatal(err)
	}
}

// seed is a small Russian-speaking community: a post with a two-level
// thread longer than the ten replies VK sends along, a board topic and a
// private conversation.
func seed(f *fakeVK) (p *fPost, ana *fComment) {
	now := f.clock.Now()
	f.addUser(3141592, "Анна", "Смирнова")
	f.addUser(2718281, "Борис", "Ёлкин")
	old := f.addPost("Правила сообщества", now.Add(-400*24*time.Hour))
	old.Pinned = true
	f.addComment(old, nil, 2718281, "А где меню?", now.Add(-2*time.Hour))
	p = f.addPost("Новый сезонный кофе 🍂 [club1234567|Зерно]", now.Add(-48*time.Hour))
	ana = f.addComment(p, nil, 3141592, "Когда будет доставка? 😡 [id2718281|Борис], ты знаешь?", now.Add(-3*time.Hour))
	f.addComment(p, ana, -f.groupID, "Завтра до 18:00", now.Add(-170*time.Minute))
	for i := 0; i < 11; i++ {
		f.addComment(p, ana, 2718281, fmt.Sprintf("тоже жду %d", i), now.Add(-time.Duration(160-i)*time.Minute))
	}
	ph := f.addComment(p, nil, 2718281, "вот фото", now.Add(-time.Hour))
	ph.Photo = "https://sun9-1.userapi.com/photo.jpg"
	gone := f.addComment(p, nil, 2718281, "спам", now.Add(-50*time.Minute))
	gone.Deleted = true
	tp := f.addTopic("Вопросы о доставке", now.Add(-30*time.Hour))
	f.addBoardComment(tp, 3141592, "Доставляете в Казань?", now.Add(-20*time.Hour))
	f.addMessage(3141592, 3141592, "Здравствуйте! Заказ #1182 не пришёл", now.Add(-90*time.Minute))
	f.addMessage(3141592, -f.groupID, "Проверим и ответим", now.Add(-80*time.Minute))
	f.addPost("Старый пост", now.Add(-30*24*time.Hour)) // beyond the backlog
	return p, ana
}

func TestFirstSyncReadsWallBoardsAndMessages(t *testing.T) {
	e := newEnv(t, both)
	p, ana := seed(e.f)
	e.sync(t)
	ths := e.Threads(t)
	th, ok := ths[wallConv(p.ID, ana.ID)]
	if !ok {
		t.Fatalf("no conversation for Анна's comment; have %d: %v", len(ths), keys(ths))
	}
	if th.Post == nil || th.Post.Text != "Новый сезонный кофе 🍂 Зерно" {
		t.Fatalf("post context: %+v", th.Post)
	}
	if len(th.Messages) != 13 {
		t.Fatalf("thread has %d messages, want the comment and all 12 replies (more than the 10 sent along)", len(th.Messages))
	}
	m0 := th.Messages[0]
	if m0.Text != "Когда будет доставка? 😡 Борис, ты знаешь?" || m0.Author.Name != "Анна Смирнова" || m0.Direction != inbox.In {
		t.Fatalf("first message: %+v", m0)
	}
	if th.Messages[1].Direction != inbox.Out || th.Messages[1].ParentID != wallMsg(p.ID, ana.ID) {
		t.Fatalf("the community's reply: %+v", th.Messages[1])
	}
	if !th.Conversation.NeedsReply {
		t.Fatal("customers wrote after the community: needs a reply")
	}
	var photo, dm, board, pinned bool
	for id, th := range ths {
		for _, m := range th.Messages {
			photo = photo || (len(m.Attachments) == 1 && m.Attachments[0].Kind == inbox.AttachImage &&
				m.Attachments[0].URL == "https://sun9-1.userapi.com/photo.jpg" && m.Attachments[0].Width == 604 && !strings.Contains(m.Text, "[photo]"))
			if m.Text == "" || strings.Contains(m.Text, "спам") {
				t.Fatalf("deleted placeholder stored: %q in %s", m.Text, id)
			}
		}
		dm = dm || (strings.HasPrefix(id, "dm:") && len(th.Messages) == 2 && th.Messages[1].Direction == inbox.Out)
		board = board || (strings.HasPrefix(id, "board:") && th.Post != nil && th.Post.Text == "Вопросы о доставке")
		pinned = pinned || (th.Post != nil && th.Post.Text == "Правила сообщества")
	}
	if !photo || !dm || !board || !pinned {
		t.Fatalf("photo %v, dm %v, board %v, pinned %v: %v", photo, dm, board, pinned, keys(ths))
	}
	for _, c := range e.f.callsOf("wall.getComments") {
		if c.Token != "user" {
			t.Fatal("wall.getComments must go with the user token")
		}
	}
	for _, c := range e.f.callsOf("messages.getHistory") {
		if c.Token != "group" {
			t.Fatal("messages with the community token")
		}
	}
	accs, _ := e.Svc.Accounts(context.Background())
	if accs[0].Status != inbox.AccountOK || !strings.Contains(accs[0].Notice, "Long Poll") {
		t.Fatalf("account: %+v", accs[0])
	}
}

func keys(m map[string]inbox.Thread) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestLongPollDeliversNewItems(t *testing.T) {
	e := newEnv(t, both)
	p, ana := seed(e.f)
	e.sync(t)
	checks := len(e.f.callsOf("wall.getComments"))
	now := e.f.clock.Now()
	c := e.f.addComment(p, ana, 3141592, "Спасибо!", now)
	e.f.mu.Lock()
	obj := e.f.commentObj(c, false, p)
	e.f.mu.Unlock()
	e.f.event("wall_reply_new", obj)
	e.f.addUser(99, "Дарья", "Новикова")
	e.f.mu.Lock()
	m := e.f.addMessageLocked(99, 99, "Привет 👋", now, 0)
	mo := e.f.msgObj(m)
	e.f.mu.Unlock()
	e.f.event("message_new", map[string]any{"message": mo, "client_info": map[string]any{"button_actions": []string{"text"}}})
	e.f.event("wall_reply_delete", map[string]any{"owner_id": -e.f.groupID, "id": 1, "user_id": 2, "post_id": p.ID})
	e.sync(t)
	ths := e.Threads(t)
	if th := ths[wallConv(p.ID, ana.ID)]; th.Messages[len(th.Messages)-1].Text != "Спасибо!" {
		t.Fatal("the Long Poll reply is not in Анна's thread")
	}
	if th := ths[dmConv(99)]; len(th.Messages) != 1 || th.Messages[0].Author.Name != "Дарья Новикова" {
		t.Fatalf("new conversation from Long Poll: %+v", th.Messages)
	}
	if n := len(e.f.callsOf("wall.getComments")); n != checks {
		t.Fatalf("live sync polled the wall again (%d calls)", n-checks)
	}
}

// A new comment reaches the inbox within 2 s of VK delivering the event,
// with the engine running as parley does.
func TestLongPollLatency(t *testing.T) {
	e := newEnv(t, both)
	p, ana := seed(e.f)
	e.sync(t)
	accs, _ := e.Svc.Accounts(context.Background())
	eng := psync.NewEngine(e.Svc, nil)
	eng.Add(psync.Account{Account: accs[0], Conn: e.conn})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { eng.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	e.f.changed.Follow(t, e.Svc) // the reply stored
	// Wait until the engine is inside a long poll, then deliver.
	e.f.changed.Until(t, "a long poll in flight", func() bool { e.f.mu.Lock(); defer e.f.mu.Unlock(); return e.f.lpChecks >= 2 })
	c := e.f.addComment(p, ana, 3141592, "Живой ответ", e.f.clock.Now())
	e.f.mu.Lock()
	obj := e.f.commentObj(c, false, p)
	e.f.mu.Unlock()
	start := time.Now()
	e.f.event("wall_reply_new", obj)
	e.f.changed.Until(t, "the reply in the inbox", func() bool {
		th := e.Threads(t)[wallConv(p.ID, ana.ID)]
		return len(th.Messages) > 0 && th.Messages[len(th.Messages)-1].Text == "Живой ответ"
	})
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("took %s", d)
	}
}

func TestLongPollFailedResumes(t *testing.T) {
	e := newEnv(t, both)
	p, ana := seed(e.f)
	e.sync(t)
	// failed 2: the key expired. A new key, the same ts: the event waiting
	// is delivered, nothing polled again.
	e.f.mu.Lock()
	e.f.lpKey = "lpkey-2"
	e.f.mu.Unlock()
	c := e.f.addComment(p, ana, 3141592, "после смены ключа", e.f.clock.Now())
	e.f.mu.Lock()
	obj := e.f.commentObj(c, false, p)
	e.f.mu.Unlock()
	e.f.event("wall_reply_new", obj)
	servers := len(e.f.callsOf("groups.getLongPollServer"))
	for i := 0; i < 2; i++ {
		b, err := e.conn.Fetch(context.Background(), e.cursor(t))
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Svc.Ingest(context.Background(), e.Acc.ID, b); err != nil {
			t.Fatal(err)
		}
	}
	if len(e.f.callsOf("groups.getLongPollServer")) != servers+1 {
		t.Fatal("failed 2 must fetch a new key")
	}
	th := e.Threads(t)[wallConv(p.ID, ana.ID)]
	if th.Messages[len(th.Messages)-1].Text != "после смены ключа" {
		t.Fatal("the event waiting under the old ts was lost")
	}
	// failed 1: history lost; the connector takes the new ts and catches up
	// by polling, so a comment whose event was trimmed still arrives.
	lost := e.f.addComment(p, nil, 2718281, "пропущенный комментарий", e.f.clock.Now())
	e.f.mu.Lock()
	e.f.lpFail = 1
	e.f.mu.Unlock()
	e.sync(t)
	if _, ok := e.Threads(t)[wallConv(p.ID, lost.ID)]; !ok {
		t.Fatal("failed 1: the catch-up pass did not find the comment")
	}
}

func (e *env) cursor(t *testing.T) string {
	accs, err := e.Svc.Accounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return accs[0].Cursor
}

// A restart in the middle of the first sync resumes from the stored
// cursor: nothing twice, nothing lost.
func TestRestartMidBacklog(t *testing.T) {
	e := newEnv(t, both)
	seed(e.f)
	now := e.f.clock.Now()
	for i := 0; i < 25; i++ {
		p := e.f.addPost(fmt.Sprintf("пост %d", i), now.Add(-time.Duration(i+1)*time.Hour))
		e.f.addComment(p, nil, 2718281, fmt.Sprintf("комментарий %d", i), now.Add(-time.Duration(i)*time.Hour))
	}
	b, err := e.conn.Fetch(context.Background(), "")
	if err != nil || !b.More {
		t.Fatalf("first page: more=%v err=%v", b.More, err)
	}
	if err := e.Svc.Ingest(context.Background(), e.Acc.ID, b); err != nil {
		t.Fatal(err)
	}
	first := len(e.Threads(t))
	e.conn = e.f.connector(t, both) // a new process
	e.sync(t)
	ths := e.Threads(t)
	if first == 0 || len(ths) <= first {
		t.Fatalf("%d conversations after one page, %d after resuming", first, len(ths))
	}
	n := 0
	for _, th := range ths {
		if strings.HasPrefix(th.Conversation.ExternalID, "wall:") && len(th.Messages) == 1 && strings.HasPrefix(th.Messages[0].Text, "комментарий") {
			n++
		}
	}
	if n != 25 {
		t.Fatalf("%d of 25 single comments stored", n)
	}
	if gets := e.f.callsOf("wall.get"); gets[1].Params.Get("offset") != "10" {
		t.Fatalf("the resumed run started over at offset %s", gets[1].Params.Get("offset"))
	}
}

// A reply whose answer is lost (truncated body after VK did the work) is
// retried with the same random_id / guid and looked for first: sent once.
func TestRepliesAreIdempotentUnderAmbiguousFailure(t *testing.T) {
	e := newEnv(t, both)
	p, ana := seed(e.f)
	e.sync(t)
	ctx := context.Background()
	e.f.fault(fFault{method: "messages.send", raw: `{"response": 9`, after: true})
	a := psync.Action{Kind: inbox.ActionReply, ConversationID: dmConv(3141592), TargetID: "msg:1", Body: "Отправили повторно 📦", IdempotencyKey: "outbox-17", Attempt: 1, Queued: e.f.clock.Now()}
	if _, err := e.conn.Perform(ctx, a); err == nil || psync.IsPermanent(err) {
		t.Fatalf("a truncated answer must be retryable: %v", err)
	}
	a.Attempt = 2
	r, err := e.conn.Perform(ctx, a)
	if err != nil || !strings.HasPrefix(r.ExternalID, "msg:") {
		t.Fatalf("retry: %v %+v", err, r)
	}
	sent := 0
	for _, m := range e.f.dialogs[3141592] {
		if m.Text == a.Body {
			sent++
		}
	}
	if sent != 1 || len(e.f.callsOf("messages.send")) != 1 {
		t.Fatalf("sent %d times, %d sends", sent, len(e.f.callsOf("messages.send")))
	}
	// The same for a wall reply: guid and a look before the resend.
	e.f.fault(fFault{method: "wall.createComment", code: errInternal, after: true})
	e.f.fault(fFault{method: "wall.createComment", code: errInternal, after: true})
	w := psync.Action{Kind: inbox.ActionReply, ConversationID: wallConv(p.ID, ana.ID), TargetID: wallMsg(p.ID, ana.ID), Body: "Курьер уже в пути", IdempotencyKey: "outbox-18", Attempt: 1}
	if _, err := e.conn.Perform(ctx, w); err == nil {
		t.Fatal("internal error after the work must fail the attempt")
	}
	w.Attempt = 2
	r, err = e.conn.Perform(ctx, w)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range p.Comments {
		if c.Text == w.Body {
			n++
			if c.FromID != -e.f.groupID || c.Top != ana.ID || r.ExternalID != wallMsg(p.ID, c.ID) {
				t.Fatalf("reply %+v, receipt %+v", c, r)
			}
		}
	}
	if n != 1 {
		t.Fatalf("posted %d times", n)
	}
	for _, c := range e.f.callsOf("wall.createComment") {
		if c.Token != "group" || c.Params.Get("from_group") != fmt.Sprint(e.f.groupID) || c.Params.Get("guid") == "" {
			t.Fatalf("wall reply call: %+v", c)
		}
	}
}

func TestModerationUsesTheUserToken(t *testing.T) {
	e := newEnv(t, both)
	p, ana := seed(e.f)
	e.sync(t)
	ctx := context.Background()
	if _, err := e.conn.Perform(ctx, psync.Action{Kind: inbox.ActionDelete, ConversationID: wallConv(p.ID, ana.ID), TargetID: wallMsg(p.ID, ana.ID)}); err != nil {
		t.Fatal(err)
	}
	if !ana.Deleted || e.f.callsOf("wall.deleteComment")[0].Token != "user" {
		t.Fatal("not deleted with the user token")
	}
	if _, err := e.conn.Perform(ctx, psync.Action{Kind: inbox.ActionBlock, ConversationID: wallConv(p.ID, ana.ID), TargetID: wallMsg(p.ID, ana.ID)}); err != nil {
		t.Fatal(err)
	}
	if bans := e.f.callsOf("groups.ban"); len(bans) != 1 || bans[0].Params.Get("owner_id") != "3141592" {
		t.Fatalf("ban: %+v", bans)
	}
	// With the community token alone nothing is offered that needs the user's.
	g := e.f.connector(t, groupOnly)
	if caps := g.Capabilities(); caps.Delete || len(caps.Moderation) != 0 || !caps.Reply {
		t.Fatalf("community token only: %+v", caps)
	}
	_, err := g.Perform(ctx, psync.Action{Kind: inbox.ActionDelete, ConversationID: wallConv(p.ID, ana.ID), TargetID: wallMsg(p.ID, ana.ID)})
	if !psync.IsPermanent(err) || !strings.Contains(err.Error(), "user token") {
		t.Fatalf("delete without a user token: %v", err)
	}
}

func TestCommunityTokenAloneSaysWhatIsOff(t *testing.T) {
	e := newEnv(t, groupOnly)
	seed(e.f)
	e.sync(t)
	accs, _ := e.Svc.Accounts(context.Background())
	n := accs[0].Notice
	if !strings.Contains(n, "no user token: wall comments are not read back") || !strings.Contains(n, "board topics are not synced") {
		t.Fatalf("notice: %q", n)
	}
	if len(e.f.callsOf("wall.get")) != 0 {
		t.Fatal("wall.get with a community token gets error 27: not to be called")
	}
	if len(e.Threads(t)) != 1 {
		t.Fatalf("messages still sync: %v", keys(e.Threads(t)))
	}
}

func TestErrorsAreMapped(t *testing.T) {
	e := newEnv(t, both)
	seed(e.f)
	ctx := context.Background()
	cases := []struct {
		code  int
		check func(error) bool
		what  string
	}{
		{errAuth, func(err error) bool {
			return errors.Is(err, psync.ErrAuth) && strings.Contains(err.Error(), "user token was refused")
		}, "5 → re-auth"},
		{errCaptcha, func(err error) bool { return errors.Is(err, psync.ErrAuth) && strings.Contains(err.Error(), "captcha") }, "14 → stop with a clear message"},
		{errFlood, func(err error) bool { var rl *psync.RateLimitError; return errors.As(err, &rl) && rl.RetryAfter > 0 }, "9 → wait"},
		{errRateLimit, func(err error) bool {
			var rl *psync.RateLimitError
			return errors.As(err, &rl) && rl.RetryAfter >= time.Hour
		}, "29 → wait long"},
		{errParam, func(err error) bool { return psync.IsPermanent(err) }, "100 → permanent"},
		{errUserID, func(err error) bool { return psync.IsPermanent(err) }, "113 → permanent"},
	}
	for _, c := range cases {
		e.f.fault(fFault{method: "wall.get", code: c.code})
		cur := `{"phase":"wall","since":1,"start":1}`
		_, err := e.conn.Fetch(ctx, cur)
		if err == nil || !c.check(err) {
			t.Errorf("%s: %v", c.what, err)
			continue
		}
		if strings.Contains(err.Error(), e.f.userTok) || strings.Contains(err.Error(), e.f.groupTok) {
			t.Fatal("token in an error")
		}
	}
	// 6 and 10 are retried in place: the sync succeeds.
	e.f.fault(fFault{method: "wall.get", code: errTooMany})
	e.f.fault(fFault{method: "wall.getComments", code: errInternal})
	if _, err := e.conn.Fetch(ctx, `{"phase":"wall","since":1,"start":1}`); err != nil {
		t.Fatalf("6 and 10 must be waited out: %v", err)
	}
	// Malformed and truncated bodies, and a proxy's 502: retried.
	for _, f := range []fFault{{method: "wall.get", raw: `{"response": {"count": 1, "items": [`}, {method: "wall.get", raw: "<html>", status: 502}} {
		e.f.fault(f)
		_, err := e.conn.Fetch(ctx, `{"phase":"wall","since":1,"start":1}`)
		if err == nil || psync.IsPermanent(err) {
			t.Errorf("%q: %v", f.raw, err)
		}
	}
	// A missing right stops that source with a note, not the account.
	e.f.fault(fFault{method: "board.getTopics", code: errAccess})
	b, err := e.conn.Fetch(ctx, `{"phase":"board","since":1,"start":1}`)
	if err != nil || !strings.Contains(strings.Join(mustCursor(t, b.Cursor).Notes, " "), "missing right: the user token needs the scopes wall, groups") {
		t.Fatalf("permission error: %v %q", err, b.Cursor)
	}
}

func mustCursor(t *testing.T, raw string) cursor {
	var c cursor
	if err := jsonUnmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// Requests are paced below VK's 3 per second per user token: the fake,
// which answers error 6 to a fourth call within a second, never has to.
func TestPacingKeepsUnderTheLimit(t *testing.T) {
	e := newEnv(t, userOnly)
	now := e.f.clock.Now()
	for i := 0; i < 12; i++ {
		p := e.f.addPost("пост", now.Add(-time.Duration(i+1)*time.Minute))
		e.f.addComment(p, nil, 2718281, "ок", now.Add(-time.Duration(i)*time.Minute))
	}
	start := e.f.clock.Now()
	e.sync(t)
	calls := len(e.f.calls)
	if calls < 12 {
		t.Fatalf("only %d calls", calls)
	}
	if el := e.f.clock.Now().Sub(start); el < time.Duration(calls/3-1)*time.Second {
		t.Fatalf("%d calls in %s of API time", calls, el)
	}
	e.f.mu.Lock()
	defer e.f.mu.Unlock()
	if e.f.tooMany != 0 {
		t.Fatalf("hit the rate limit %d times", e.f.tooMany)
	}
}
