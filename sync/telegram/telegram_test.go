package telegram

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	psync "github.com/parleyhq/parley/sync"
	"github.com/parleyhq/parley/sync/synctest"
)

// seed fills the fake with what a brand's bot typically has waiting: a
// private chat (a question, then its edit), a channel post forwarded into
// the discussion group with comments under it (one a reply to another),
// a group message with a photo, a forum topic and a service message.
func seed(f *fakeTelegram) (q, fwd, c1, c2 int64) {
	q = f.push("message", map[string]any{"from": lena(), "chat": privChat(lenaID, "Lena"), "text": "Hallo, ist der Shop heute offen?"})
	f.push("edited_message", map[string]any{"message_id": q, "from": lena(), "chat": privChat(lenaID, "Lena"),
		"text": "Hallo, ist der Shop am Sonntag offen?", "edit_date": time.Now().Unix() + 5})
	fwdMsg := map[string]any{"message_id": 900, "from": map[string]any{"id": telegramService, "is_bot": false, "first_name": "Telegram"},
		"sender_chat": channelChat(), "chat": discussionChat(), "is_automatic_forward": true,
		"forward_origin": map[string]any{"type": "channel", "chat": channelChat(), "message_id": 77, "date": 1740900000},
		"text":           "New autumn collection is out!"}
	fwd = f.push("message", fwdMsg)
	c1 = f.push("message", map[string]any{"from": lena(), "chat": discussionChat(), "message_thread_id": fwd,
		"reply_to_message": fwdMsg, "text": "Are the prices the same as last year?"})
	bob := map[string]any{"id": privateUser, "is_bot": false, "first_name": "Bob"}
	c2 = f.push("message", map[string]any{"from": bob, "chat": discussionChat(), "message_thread_id": fwd,
		"reply_to_message": map[string]any{"message_id": c1, "from": lena(), "chat": discussionChat(), "date": 1, "text": "Are the prices…"},
		"text":             "+1, also want to know"})
	// The channel answering under its own post is the brand.
	f.push("message", map[string]any{"from": map[string]any{"id": 136817688, "is_bot": true, "first_name": "Channel"}, "sender_chat": channelChat(),
		"chat": discussionChat(), "message_thread_id": fwd, "reply_to_message": fwdMsg, "text": "Yes, same prices!"})
	f.push("message", map[string]any{"from": bob, "chat": map[string]any{"id": groupID, "type": "supergroup", "title": "Acme Fans", "username": "acmefans"},
		"photo":   []any{map[string]any{"file_id": "s", "file_unique_id": "s", "width": 90, "height": 60}, map[string]any{"file_id": "b", "file_unique_id": "b", "width": 1280, "height": 853}},
		"caption": "My order arrived broken"})
	topic := map[string]any{"message_id": 5, "from": bob, "chat": map[string]any{"id": forumID, "type": "supergroup", "title": "Acme Help", "is_forum": true},
		"date": 1740900000, "message_thread_id": 5, "is_topic_message": true, "forum_topic_created": map[string]any{"name": "Shipping", "icon_color": 7322096}}
	f.push("message", map[string]any{"from": bob, "chat": topic["chat"], "message_thread_id": 5, "is_topic_message": true,
		"reply_to_message": topic, "text": "Where is my parcel?"})
	f.push("message", map[string]any{"from": bob, "chat": map[string]any{"id": groupID, "type": "supergroup", "title": "Acme Fans"},
		"new_chat_members": []any{bob}})
	return q, fwd, c1, c2
}

func TestFirstSyncGroupsChatsCommentsAndTopics(t *testing.T) {
	f := newFake(t)
	q, fwd, c1, c2 := seed(f)
	in := synctest.New(t, "telegram", "Acme bot")
	if err := in.Sync(newConn(t, f)); err != nil {
		t.Fatal(err)
	}
	th := in.Threads(t)
	dm := th[dmConv(lenaID)]
	if dm.Conversation.Kind != inbox.KindDM || len(dm.Messages) != 1 {
		t.Fatalf("private chat: %+v", dm)
	}
	m := dm.Messages[0]
	if m.Text != "Hallo, ist der Shop am Sonntag offen?" || !m.Edited() || m.Author.Handle != "@lena_k" || m.Author.Name != "Lena K" ||
		m.ExternalID != msgID(lenaID, q, lenaID) {
		t.Fatalf("private message: %+v", m)
	}
	cm := th[threadConv(discussion, fwd)]
	if cm.Post == nil || cm.Post.Text != "New autumn collection is out!" || cm.Post.Permalink != "https://t.me/acme_news/77" || cm.Post.Author.Handle != "@acme_news" {
		t.Fatalf("comment thread context: %+v", cm.Post)
	}
	if cm.Conversation.Kind != inbox.KindComment || len(cm.Messages) != 3 {
		t.Fatalf("comments under the post: %d messages, kind %s", len(cm.Messages), cm.Conversation.Kind)
	}
	var out, in2 int
	for _, m := range cm.Messages {
		if m.Direction == inbox.Out {
			out++
			if m.Text != "Yes, same prices!" {
				t.Errorf("outbound is %q", m.Text)
			}
		} else {
			in2++
		}
		if m.ExternalID == msgID(discussion, c2, privateUser) && m.ParentID != msgID(discussion, c1, lenaID) {
			t.Errorf("reply to a comment: parent %q", m.ParentID)
		}
	}
	if out != 1 || in2 != 2 {
		t.Errorf("directions: %d out, %d in", out, in2)
	}
	if _, ok := th[threadConv(discussion, 900)]; !ok || len(th) != 4 {
		t.Errorf("conversations: %v", keys(th))
	}
	var last int64
	f.with(func() { last = f.nextMsg[groupID] })
	g := th[threadConv(groupID, last-1)] // the last is the service message
	if len(g.Messages) != 1 || g.Messages[0].Text != "My order arrived broken" || len(g.Messages[0].Attachments) != 1 ||
		g.Messages[0].Attachments[0].Width != 1280 || g.Messages[0].Attachments[0].URL != "" || !strings.HasPrefix(g.Messages[0].Permalink, "https://t.me/acmefans/") {
		t.Errorf("group message: %+v", g.Messages)
	}
	tp := th[topicConv(forumID, 5)]
	if tp.Post == nil || tp.Post.Text != "Topic: Shipping" || len(tp.Messages) != 1 {
		t.Errorf("forum topic: %+v", tp)
	}
	// The first call in a process does not wait; the kinds are explicit.
	gu := f.callsOf("getUpdates")
	if len(gu) == 0 || num(gu[0].Body["timeout"]) != 0 || fmt.Sprint(gu[0].Body["allowed_updates"]) != "[message edited_message]" {
		t.Errorf("first getUpdates: %+v", gu)
	}
	accs, _ := in.Svc.Accounts(context.Background())
	if !strings.Contains(accs[0].Notice, "@acme_support_bot") || !strings.Contains(accs[0].Notice, "privacy mode is on") {
		t.Errorf("notice: %q", accs[0].Notice)
	}
}

func keys(m map[string]inbox.Thread) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestOffsetIsCommittedAndRestartsDoNotDuplicate(t *testing.T) {
	f := newFake(t)
	seed(f)
	in := synctest.New(t, "telegram", "Acme bot")
	if err := in.Sync(newConn(t, f)); err != nil {
		t.Fatal(err)
	}
	count := func() int {
		n := 0
		for _, th := range in.Threads(t) {
			n += len(th.Messages)
		}
		return n
	}
	before := count()
	// A crash after Telegram answered but before the page was stored:
	// the same page comes again (nothing was confirmed) and is stored once.
	c := newConn(t, f)
	acc, _ := in.Svc.Accounts(context.Background())
	if _, err := c.Fetch(context.Background(), acc[0].Cursor); err != nil {
		t.Fatal(err)
	}
	f.push("message", map[string]any{"from": lena(), "chat": privChat(lenaID, "Lena"), "text": "Noch da?"})
	if err := in.Sync(newConn(t, f)); err != nil {
		t.Fatal(err)
	}
	if got := count(); got != before+1 {
		t.Fatalf("after restart: %d messages, want %d", got, before+1)
	}
	gu := f.callsOf("getUpdates")
	last := gu[len(gu)-1]
	var next int64
	f.with(func() { next = f.nextID })
	if num(last.Body["offset"]) != next-1 {
		t.Errorf("offset %d, want the update before the last one (%d): the last page is confirmed by the next call", num(last.Body["offset"]), next-1)
	}
	// The next poll confirms everything.
	if err := in.Sync(newConn(t, f)); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	left := len(f.updates)
	f.mu.Unlock()
	if left != 0 {
		t.Errorf("%d updates left unconfirmed", left)
	}
}

func TestDuplicatePageIsSkipped(t *testing.T) {
	f := newFake(t)
	seed(f)
	c := newConn(t, f)
	b, err := c.Fetch(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	f.inject("getUpdates", fault{replay: true})
	f.mu.Lock()
	f.updates = append([]map[string]any{{"update_id": int64(1), "message": map[string]any{"message_id": 1, "chat": privChat(1, "Old"), "text": "old", "date": 1}}}, f.updates...)
	f.mu.Unlock()
	b2, err := c.Fetch(context.Background(), b.Cursor)
	if err != nil {
		t.Fatal(err)
	}
	if len(b2.Items) != 0 || b2.Cursor != b.Cursor {
		t.Errorf("a page served again gave %d items, cursor %s → %s", len(b2.Items), b.Cursor, b2.Cursor)
	}
}

func TestLongPollDeliversWithinTwoSeconds(t *testing.T) {
	f := newFake(t)
	f.holdCap = 20 * time.Second // longer than the wait below: only the update may end the poll
	in := synctest.New(t, "telegram", "Acme bot")
	accs, _ := in.Svc.Accounts(context.Background())
	eng := psync.NewEngine(in.Svc, slog.New(slog.NewTextHandler(in.Log, nil)))
	eng.Add(psync.Account{Account: accs[0], Conn: newConn(t, f)})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { eng.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	f.changed.Follow(t, in.Svc) // the message stored
	f.changed.Until(t, "a long poll in flight", func() bool {
		for _, c := range f.callsOf("getUpdates") {
			if num(c.Body["timeout"]) == int64(pollTimeout/time.Second) {
				return true
			}
		}
		return false
	})
	sent := time.Now()
	f.push("message", map[string]any{"from": lena(), "chat": privChat(lenaID, "Lena"), "text": "Ping"})
	f.changed.Until(t, "the message in the inbox", func() bool { return len(in.Threads(t)[dmConv(lenaID)].Messages) == 1 })
	if d := time.Since(sent); d > 2*time.Second {
		t.Errorf("the message took %s to arrive", d)
	}
}

func TestGapLongerThanRetentionIsSaidOnce(t *testing.T) {
	f := newFake(t)
	f.holdCap = time.Millisecond // nothing arrives: the long polls end at once
	c := newConn(t, f)
	now := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	c.api.http.Now = func() time.Time { return now }
	raw := fmt.Sprintf(`{"offset":5,"polled":%d,"about":"x","note":"Telegram: x"}`, now.Add(-30*time.Hour).Unix())
	b, err := c.Fetch(context.Background(), raw)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.Notice, "longer than the 24 h") || !strings.Contains(b.Notice, "2026-03-01 06:00 UTC") {
		t.Fatalf("notice: %q", b.Notice)
	}
	now = now.Add(time.Minute)
	b2, err := c.Fetch(context.Background(), b.Cursor)
	if err != nil {
		t.Fatal(err)
	}
	if b2.Notice != "" {
		t.Errorf("said again: %q", b2.Notice)
	}
	// A week on (polling all along), the note drops the gap.
	now = now.Add(8 * 24 * time.Hour)
	raw3 := strings.Replace(b2.Cursor, fmt.Sprintf(`"polled":%d`, now.Add(-8*24*time.Hour).Unix()), fmt.Sprintf(`"polled":%d`, now.Add(-time.Minute).Unix()), 1)
	b3, _ := c.Fetch(context.Background(), raw3)
	if strings.Contains(b3.Notice, "away") || b3.Notice == "" {
		t.Errorf("an old gap is still mentioned (or the note is not refreshed): %q", b3.Notice)
	}
}

func TestReplyQuotesTheMessageAsPlainText(t *testing.T) {
	f := newFake(t)
	_, fwd, c1, _ := seed(f)
	c := newConn(t, f)
	body := "Yes — *same* prices_ [link](x) <b>"
	r, err := c.Perform(context.Background(), psync.Action{Kind: inbox.ActionReply, ConversationID: threadConv(discussion, fwd),
		TargetID: msgID(discussion, c1, lenaID), Body: body, IdempotencyKey: "k1", Attempt: 1})
	if err != nil {
		t.Fatal(err)
	}
	s := f.sentMessages()[0]
	rp, _ := s["reply_parameters"].(map[string]any)
	if s["text"] != body || num(s["chat_id"]) != discussion || num(rp["message_id"]) != c1 || rp["allow_sending_without_reply"] != nil {
		t.Errorf("sent %+v", s)
	}
	if _, ok := s["message_thread_id"]; ok {
		t.Errorf("message_thread_id sent: a reply finds its thread itself")
	}
	if !strings.HasPrefix(r.ExternalID, fmt.Sprintf("msg:%d:", discussion)) || !strings.HasSuffix(r.ExternalID, fmt.Sprintf(":%d", botID)) {
		t.Errorf("receipt %+v", r)
	}
	// A private chat: quoting may fall back to a plain message.
	if _, err := c.Perform(context.Background(), psync.Action{Kind: inbox.ActionReply, ConversationID: dmConv(lenaID),
		TargetID: msgID(lenaID, 999, lenaID), Body: "Ja!", IdempotencyKey: "k2", Attempt: 1}); err != nil {
		t.Fatal(err)
	}
	// Over the limit in UTF-16 units, though not in code points.
	long := strings.Repeat("😀", 2100)
	_, err = c.Perform(context.Background(), psync.Action{Kind: inbox.ActionReply, ConversationID: dmConv(lenaID), Body: long, IdempotencyKey: "k3", Attempt: 1})
	if !psync.IsPermanent(err) || !strings.Contains(err.Error(), "4096") {
		t.Errorf("long reply: %v", err)
	}
}

func TestAmbiguousSendIsNotRepeated(t *testing.T) {
	f := newFake(t)
	seed(f)
	c := newConn(t, f)
	a := psync.Action{Kind: inbox.ActionReply, ConversationID: dmConv(lenaID), Body: "Wir haben offen.", IdempotencyKey: "amb", Attempt: 1}
	f.inject("sendMessage", fault{after: true})
	if _, err := c.Perform(context.Background(), a); err == nil || psync.IsPermanent(err) {
		t.Fatalf("a lost answer must be retryable: %v", err)
	}
	a.Attempt = 2
	_, err := c.Perform(context.Background(), a)
	if !psync.IsPermanent(err) || !strings.Contains(err.Error(), "may have been delivered") {
		t.Fatalf("second attempt: %v", err)
	}
	if len(f.sentMessages()) != 1 {
		t.Fatalf("sent %d times", len(f.sentMessages()))
	}
	// A clear refusal (429) is retried: nothing was sent.
	b := psync.Action{Kind: inbox.ActionReply, ConversationID: dmConv(lenaID), Body: "Noch etwas?", IdempotencyKey: "rl", Attempt: 1}
	f.inject("sendMessage", fault{status: 429, body: `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}}`})
	_, err = c.Perform(context.Background(), b)
	var rl *psync.RateLimitError
	if !errors.As(err, &rl) || rl.RetryAfter != 7*time.Second {
		t.Fatalf("429: %v", err)
	}
	b.Attempt = 2
	if _, err := c.Perform(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	if len(f.sentMessages()) != 2 {
		t.Fatalf("sent %d", len(f.sentMessages()))
	}
}

func TestDeleteAndBan(t *testing.T) {
	f := newFake(t)
	_, fwd, c1, _ := seed(f)
	c := newConn(t, f)
	conv := threadConv(discussion, fwd)
	target := msgID(discussion, c1, lenaID)
	if _, err := c.Perform(context.Background(), psync.Action{Kind: inbox.ActionDelete, ConversationID: conv, TargetID: target}); err != nil {
		t.Fatal(err)
	}
	// Deleting again: already gone is done.
	if _, err := c.Perform(context.Background(), psync.Action{Kind: inbox.ActionDelete, ConversationID: conv, TargetID: target}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Perform(context.Background(), psync.Action{Kind: inbox.ActionBlock, ConversationID: conv, TargetID: target}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Perform(context.Background(), psync.Action{Kind: inbox.ActionBlock, ConversationID: conv, TargetID: msgID(discussion, 3, channelID)}); err != nil {
		t.Fatal(err)
	}
	want := []string{fmt.Sprintf("banChatMember %d:%d", discussion, lenaID), fmt.Sprintf("banChatSenderChat %d:%d", discussion, channelID)}
	f.with(func() {
		if fmt.Sprint(f.banned) != fmt.Sprint(want) || len(f.deleted) != 1 {
			t.Errorf("banned %v, deleted %v", f.banned, f.deleted)
		}
	})
	_, err := c.Perform(context.Background(), psync.Action{Kind: inbox.ActionBlock, ConversationID: dmConv(lenaID), TargetID: msgID(lenaID, 1, lenaID)})
	if !psync.IsPermanent(err) || !strings.Contains(err.Error(), "private chat") {
		t.Errorf("block in a private chat: %v", err)
	}
}

func TestErrorsAreMapped(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		setup  func(f *fakeTelegram)
		check  func(err error) bool
		expect string
	}{
		{"revoked token", func(f *fakeTelegram) { f.with(func() { f.revoked = true }) }, func(err error) bool { return errors.Is(err, psync.ErrAuth) }, "@BotFather"},
		{"unknown token", func(f *fakeTelegram) { f.with(func() { f.token = "999:other" }) }, func(err error) bool { return errors.Is(err, psync.ErrAuth) }, "refused"},
		{"webhook set", func(f *fakeTelegram) { f.with(func() { f.webhook = "https://hooks.example/secret-path" }) }, psync.IsPermanent, "--delete-webhook"},
		{"429", func(f *fakeTelegram) {
			f.inject("getUpdates", fault{status: 429, body: `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 35","parameters":{"retry_after":35}}`})
		}, func(err error) bool {
			var rl *psync.RateLimitError
			return errors.As(err, &rl) && rl.RetryAfter == 35*time.Second
		}, "retry after 35"},
		{"5xx", func(f *fakeTelegram) {
			f.inject("getUpdates", fault{status: 502, body: `<html>Bad Gateway</html>`})
		}, func(err error) bool { return !psync.IsPermanent(err) }, "502"},
		{"telegram 500", func(f *fakeTelegram) {
			f.inject("getUpdates", fault{status: 500, body: `{"ok":false,"error_code":500,"description":"Internal Server Error"}`})
		}, func(err error) bool { return !psync.IsPermanent(err) }, "Internal"},
		{"malformed JSON", func(f *fakeTelegram) {
			f.inject("getUpdates", fault{status: 200, body: `{"ok":true,"result":[{"update_id":`})
		},
			func(err error) bool { return !psync.IsPermanent(err) }, "malformed"},
		{"truncated body", func(f *fakeTelegram) {
			f.inject("getUpdates", fault{truncate: true, body: `{"ok":true,"result":[{"update_id":1,"mess`})
		},
			func(err error) bool { return !psync.IsPermanent(err) }, "will retry"},
		{"wrong shape", func(f *fakeTelegram) {
			f.inject("getUpdates", fault{status: 200, body: `{"ok":true,"result":{"update_id":1}}`})
		},
			func(err error) bool { return !psync.IsPermanent(err) }, "unexpected result"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			c := newConn(t, f)
			tc.setup(f)
			_, err := c.Fetch(ctx, `{"offset":1}`)
			if err == nil || !tc.check(err) || !strings.Contains(err.Error(), tc.expect) {
				t.Fatalf("got %v", err)
			}
			if strings.Contains(err.Error(), testToken) || strings.Contains(err.Error(), "AAH-test") || strings.Contains(err.Error(), "secret-path") {
				t.Fatalf("error leaks a secret: %v", err)
			}
		})
	}
}

func TestSendErrorsAreClear(t *testing.T) {
	f := newFake(t)
	seed(f)
	f.with(func() { f.blocked[lenaID] = true })
	c := newConn(t, f)
	_, err := c.Perform(context.Background(), psync.Action{Kind: inbox.ActionReply, ConversationID: dmConv(lenaID), Body: "Hallo", IdempotencyKey: "b", Attempt: 1})
	if !psync.IsPermanent(err) || !strings.Contains(err.Error(), "blocked the bot") {
		t.Errorf("blocked: %v", err)
	}
	_, err = c.Perform(context.Background(), psync.Action{Kind: inbox.ActionReply, ConversationID: threadConv(discussion, 900),
		TargetID: msgID(discussion, 4242, lenaID), Body: "Hallo", IdempotencyKey: "g", Attempt: 1})
	if !psync.IsPermanent(err) || !strings.Contains(err.Error(), "was deleted") {
		t.Errorf("deleted target: %v", err)
	}
}

func TestEngineRunLeaksNoToken(t *testing.T) {
	f := newFake(t)
	seed(f)
	f.with(func() { f.revoked = true })
	in := synctest.New(t, "telegram", "Acme bot")
	err := in.Sync(newConn(t, f))
	if !errors.Is(err, psync.ErrAuth) {
		t.Fatalf("got %v", err)
	}
	accs, _ := in.Svc.Accounts(context.Background())
	if accs[0].Status != inbox.AccountNeedsReauth {
		t.Errorf("status %s", accs[0].Status)
	}
	for _, s := range []string{in.Log.String(), accs[0].LastError, err.Error()} {
		if strings.Contains(s, "AAH-test") {
			t.Fatalf("token leaked: %s", s)
		}
	}
}

func TestHostileTextIsInert(t *testing.T) {
	f := newFake(t)
	f.push("message", map[string]any{"from": map[string]any{"id": 7, "first_name": "\x1b]0;pwned\x07Eve\u202e"}, "chat": privChat(7, "Eve"),
		"text": "hi\x1b[2J\x1b]52;c;ZXZpbA==\x07 \u202egnp.exe\u200b"})
	in := synctest.New(t, "telegram", "Acme bot")
	if err := in.Sync(newConn(t, f)); err != nil {
		t.Fatal(err)
	}
	m := in.Threads(t)[dmConv(7)].Messages[0]
	for _, s := range []string{m.Text, m.Author.Name} {
		if strings.ContainsAny(s, "\x1b\x07\u202e\u200b") {
			t.Errorf("not inert: %q", s)
		}
	}
}

func TestPacerSpacesSendsPerChat(t *testing.T) {
	now := time.Unix(1000, 0)
	var slept []time.Duration
	p := newSendPacer(func() time.Time { return now }, func(_ context.Context, d time.Duration) error { slept = append(slept, d); now = now.Add(d); return nil })
	ctx := context.Background()
	p.wait(ctx, 1, false)
	p.wait(ctx, 2, false) // another chat: at once
	p.wait(ctx, 1, false) // same chat: a second later
	p.wait(ctx, -5, true)
	p.wait(ctx, -5, true) // a group: three seconds later
	if fmt.Sprint(slept) != "[1s 3s]" {
		t.Errorf("slept %v", slept)
	}
	slept = nil
	for i := range 31 {
		p.wait(ctx, int64(100+i), false)
	}
	if len(slept) != 1 {
		t.Errorf("the 31st send in a second should wait: %v", slept)
	}
}

func TestReplyRoundTripThroughTheOutbox(t *testing.T) {
	f := newFake(t)
	f.holdCap = 10 * time.Millisecond // the second sync's long poll finds nothing
	_, fwd, _, c2 := seed(f)
	in := synctest.New(t, "telegram", "Acme bot")
	conn := newConn(t, f)
	if err := in.Sync(conn); err != nil {
		t.Fatal(err)
	}
	th := in.Threads(t)[threadConv(discussion, fwd)]
	if _, err := in.Svc.Reply(context.Background(), "ann", th.Conversation.ID, "Same prices, yes 🙂"); err != nil {
		t.Fatal(err)
	}
	if err := in.Sync(conn); err != nil { // --once delivers the outbox after the sync
		t.Fatal(err)
	}
	sent := f.sentMessages()
	if len(sent) != 1 {
		t.Fatalf("sent %d", len(sent))
	}
	rp, _ := sent[0]["reply_parameters"].(map[string]any)
	if num(rp["message_id"]) != c2 {
		t.Errorf("quoted %v, want the latest comment %d", rp["message_id"], c2)
	}
	th = in.Threads(t)[threadConv(discussion, fwd)]
	last := th.Messages[len(th.Messages)-1]
	if last.Direction != inbox.Out || last.Delivery != inbox.DeliverySent || !strings.HasSuffix(last.ExternalID, fmt.Sprintf(":%d", botID)) {
		t.Errorf("stored reply: %+v", last)
	}
}
