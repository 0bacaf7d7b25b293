package vk

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	psync "github.com/parleyhq/parley/sync"
)

// Attachments arrive as the inbox's own attachments and a poll as its
// poll, not as lines of text.
func TestAttachmentsAndPolls(t *testing.T) {
	e := newEnv(t, both)
	p, ana := seed(e.f)
	now := e.f.clock.Now()
	c := e.f.addComment(p, ana, 2718281, "смотрите", now.Add(-30*time.Minute))
	c.Atts = []any{
		map[string]any{"type": "video", "video": map[string]any{"id": 456239017, "owner_id": 2718281, "title": "Распаковка 📦", "image": []any{
			map[string]any{"url": "https://sun9-3.userapi.com/v130.jpg", "width": 130, "height": 96}}}},
		map[string]any{"type": "doc", "doc": map[string]any{"id": 1, "owner_id": 2718281, "title": "чек.pdf", "size": 1024, "ext": "pdf",
			"url": "https://vk.com/doc2718281_1", "type": 1}},
		map[string]any{"type": "audio", "audio": map[string]any{"id": 2, "owner_id": 2718281, "artist": "Кино", "title": "Кукушка", "duration": 200}},
	}
	m := e.f.addMessage(3141592, 3141592, "", now.Add(-20*time.Minute))
	_ = m
	e.f.mu.Lock()
	pollAtt := map[string]any{"type": "poll", "poll": map[string]any{"id": 1, "owner_id": 3141592, "question": "Какой кофе взять?",
		"votes": 5, "multiple": false, "end_date": 0, "closed": false, "answers": []any{
			map[string]any{"id": 1, "text": "Раф", "votes": 3, "rate": 60}, map[string]any{"id": 2, "text": "Флэт уайт", "votes": 2, "rate": 40}}}}
	sticker := map[string]any{"type": "sticker", "sticker": map[string]any{"inner_type": "base_sticker_new", "sticker_id": 163, "product_id": 4, "images": []any{
		map[string]any{"url": "https://vk.com/sticker/1-163-64", "width": 64, "height": 64},
		map[string]any{"url": "https://vk.com/sticker/1-163-512", "width": 512, "height": 512}}}}
	e.f.msgAtts = map[int64][]any{m.ID: {sticker, pollAtt}}
	e.f.mu.Unlock()
	e.sync(t)
	th := e.Threads(t)[wallConv(p.ID, ana.ID)]
	var got *inbox.Message
	for i := range th.Messages {
		if th.Messages[i].ExternalID == wallMsg(p.ID, c.ID) {
			got = &th.Messages[i]
		}
	}
	if got == nil || got.Text != "смотрите" || len(got.Attachments) != 3 {
		t.Fatalf("comment with attachments: %+v", got)
	}
	want := []inbox.Attachment{
		{Kind: inbox.AttachVideo, URL: "https://vk.com/video2718281_456239017", PreviewURL: "https://sun9-3.userapi.com/v130.jpg", Description: "Распаковка 📦"},
		{Kind: inbox.AttachFile, URL: "https://vk.com/doc2718281_1", Description: "чек.pdf"},
		{Kind: inbox.AttachAudio, Description: "Кино — Кукушка"},
	}
	for i, w := range want {
		if got.Attachments[i] != w {
			t.Errorf("attachment %d: %+v, want %+v", i, got.Attachments[i], w)
		}
	}
	dm := e.Threads(t)[dmConv(3141592)]
	last := dm.Messages[len(dm.Messages)-1]
	if last.Poll == nil || len(last.Poll.Options) != 2 || last.Poll.Options[0] != (inbox.PollOption{Title: "Раф", Votes: 3}) ||
		last.Poll.Voters != 5 || !last.Poll.ExpiresAt.IsZero() || last.Text != "Какой кофе взять?" || len(last.Attachments) != 1 ||
		last.Attachments[0] != (inbox.Attachment{Kind: inbox.AttachSticker, URL: "https://vk.com/sticker/1-163-512", PreviewURL: "https://vk.com/sticker/1-163-64",
			Width: 512, Height: 512, Description: "sticker 163"}) {
		t.Fatalf("poll message: %q %+v %+v", last.Text, last.Poll, last.Attachments)
	}
	if dm.Conversation.Preview != "Какой кофе взять?" {
		t.Fatalf("preview %q", dm.Conversation.Preview)
	}
}

// Deleted comments are marked deleted (their text kept), whether VK says
// so by a Long Poll event or by the placeholder it lists; an edit keeps
// the text it replaced.
func TestDeletionsAndEdits(t *testing.T) {
	e := newEnv(t, both)
	p, ana := seed(e.f)
	now := e.f.clock.Now()
	tp := e.f.addTopic("Отзывы", now.Add(-5*time.Hour))
	bc := e.f.addBoardComment(tp, 2718281, "плохой сервис", now.Add(-4*time.Hour))
	spam := e.f.addComment(p, nil, 2718281, "купи подписчиков", now.Add(-10*time.Minute))
	e.f.addComment(p, spam, 3141592, "это спам", now.Add(-9*time.Minute))
	e.sync(t)
	msg := func(conv, id string) inbox.Message {
		t.Helper()
		for _, m := range e.Threads(t)[conv].Messages {
			if m.ExternalID == id {
				return m
			}
		}
		t.Fatalf("%s not in %s", id, conv)
		return inbox.Message{}
	}
	if msg(wallConv(p.ID, ana.ID), wallMsg(p.ID, ana.ID)).Deleted() {
		t.Fatal("deleted before anything happened")
	}
	// Events: an edit, a wall deletion, a board deletion, and one for
	// another community's wall (ignored).
	ana.Text = "Когда будет доставка? Уже не надо."
	e.f.mu.Lock()
	edit := e.f.commentObj(ana, false, p)
	e.f.mu.Unlock()
	e.f.event("wall_reply_edit", edit)
	e.f.event("wall_reply_delete", map[string]any{"owner_id": -e.f.groupID, "id": ana.ID, "user_id": 3141592, "post_id": p.ID})
	e.f.event("board_post_delete", map[string]any{"topic_owner_id": e.f.groupID, "topic_id": tp.ID, "id": bc.ID})
	e.f.event("wall_reply_delete", map[string]any{"owner_id": -42, "id": spam.ID, "user_id": 1, "post_id": p.ID})
	e.sync(t)
	a := msg(wallConv(p.ID, ana.ID), wallMsg(p.ID, ana.ID))
	if a.Text != "Когда будет доставка? Уже не надо." || a.PreviousText != "Когда будет доставка? 😡 Борис, ты знаешь?" || !a.Edited() {
		t.Fatalf("edit: %q was %q at %v", a.Text, a.PreviousText, a.EditedAt)
	}
	if !a.Deleted() {
		t.Fatal("wall_reply_delete did not mark the comment deleted")
	}
	if b := msg(boardConv(tp.ID), boardMsg(tp.ID, bc.ID)); !b.Deleted() || b.Text != "плохой сервис" {
		t.Fatalf("board deletion: %+v", b)
	}
	if msg(wallConv(p.ID, spam.ID), wallMsg(p.ID, spam.ID)).Deleted() {
		t.Fatal("another community's deletion applied here")
	}
	// Deleted without an event (Long Poll was off): the next pass finds
	// VK's placeholder, which keeps its replies.
	spam.Deleted = true
	e.f.mu.Lock()
	e.f.lpFail = 3
	e.f.mu.Unlock()
	e.sync(t)
	if s := msg(wallConv(p.ID, spam.ID), wallMsg(p.ID, spam.ID)); !s.Deleted() || s.Text != "купи подписчиков" {
		t.Fatalf("placeholder: %+v", s)
	}
	// The community restores the deleted comment: it is shown again.
	e.f.event("wall_reply_restore", edit)
	e.sync(t)
	if a := msg(wallConv(p.ID, ana.ID), wallMsg(p.ID, ana.ID)); a.Deleted() {
		t.Fatal("wall_reply_restore left the comment deleted")
	}
}

func TestMarketComments(t *testing.T) {
	e := newEnv(t, both)
	seed(e.f)
	now := e.f.clock.Now()
	it := e.f.addItem("Зерно «Эфиопия» 250 г", "Светлая обжарка", now.Add(-60*24*time.Hour))
	q := e.f.addItemComment(it, 3141592, "А есть помол для турки?", now.Add(-2*time.Hour))
	e.f.addItemComment(e.f.addItem("Старый товар", "", now.Add(-90*24*time.Hour)), 2718281, "давно", now.Add(-30*24*time.Hour))
	e.sync(t)
	ths := e.Threads(t)
	th, ok := ths[marketConv(it.ID)]
	if !ok || len(th.Messages) != 1 || th.Messages[0].Text != q.Text || th.Post == nil || !strings.HasPrefix(th.Post.Text, "Зерно «Эфиопия» 250 г") {
		t.Fatalf("market conversation: %+v (have %v)", th, keys(ths))
	}
	if len(ths) != 6 {
		t.Fatalf("a comment beyond the backlog was read: %v", keys(ths))
	}
	// A new comment through Long Poll, in the schema's form.
	c := e.f.addItemComment(it, 2718281, "И мне интересно", now)
	e.f.event("market_comment_new", map[string]any{"id": c.ID, "from_id": c.FromID, "date": c.Date, "text": c.Text,
		"market_owner_id": -e.f.groupID, "photo_id": it.ID})
	e.sync(t)
	th = e.Threads(t)[marketConv(it.ID)]
	if len(th.Messages) != 2 || th.Messages[1].Author.Name != "Борис Ёлкин" {
		t.Fatalf("market_comment_new: %+v", th.Messages)
	}
	// A reply as the community, its answer lost: retried, posted once.
	ctx := context.Background()
	e.f.fault(fFault{method: "market.createComment", raw: `{"response":`, after: true})
	a := psync.Action{Kind: inbox.ActionReply, ConversationID: marketConv(it.ID), TargetID: marketMsg(it.ID, q.ID), Body: "Да, мелем под турку",
		IdempotencyKey: "outbox-31", Attempt: 1, Queued: e.f.clock.Now()}
	if _, err := e.conn.Perform(ctx, a); err == nil || psync.IsPermanent(err) {
		t.Fatalf("lost answer: %v", err)
	}
	a.Attempt = 2
	r, err := e.conn.Perform(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, x := range it.Comments {
		if x.Text == a.Body {
			n++
			if x.FromID != -e.f.groupID || x.ReplyTo != q.ID || r.ExternalID != marketMsg(it.ID, x.ID) {
				t.Fatalf("reply %+v receipt %+v", x, r)
			}
		}
	}
	if n != 1 {
		t.Fatalf("posted %d times", n)
	}
	// Delete, then the event VK sends for it.
	if _, err := e.conn.Perform(ctx, psync.Action{Kind: inbox.ActionDelete, ConversationID: marketConv(it.ID), TargetID: marketMsg(it.ID, c.ID)}); err != nil {
		t.Fatal(err)
	}
	if !c.Deleted {
		t.Fatal("market.deleteComment not called")
	}
	e.f.event("market_comment_delete", map[string]any{"owner_id": -e.f.groupID, "id": c.ID, "user_id": 777, "item_id": it.ID})
	e.sync(t)
	for _, m := range e.Threads(t)[marketConv(it.ID)].Messages {
		if m.ExternalID == marketMsg(it.ID, c.ID) && !m.Deleted() {
			t.Fatal("market_comment_delete not applied")
		}
	}
	for _, call := range e.f.calls {
		if strings.HasPrefix(call.Method, "market.") && call.Token != "user" {
			t.Fatalf("%s with the %s token", call.Method, call.Token)
		}
	}
}

// A community without a shop: the market is skipped without a word.
func TestMarketOff(t *testing.T) {
	e := newEnv(t, both)
	seed(e.f)
	e.f.marketOn = false
	e.sync(t)
	accs, _ := e.Svc.Accounts(context.Background())
	if accs[0].Status != inbox.AccountOK || strings.Contains(accs[0].Notice, "arket") && !strings.Contains(accs[0].Notice, "market and messages synced") {
		t.Fatalf("account: %+v", accs[0])
	}
	if len(e.Threads(t)) != 5 {
		t.Fatalf("the rest still syncs: %v", keys(e.Threads(t)))
	}
}
