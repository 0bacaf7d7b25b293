package facebook

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	psync "github.com/parleyhq/parley/sync"
)

// live runs the engine over the account with a receiver listening and an
// hour's poll interval: anything stored during the test came by a push.
func (e *env) live(t *testing.T) *psync.Engine {
	t.Helper()
	psync.Webhooks.Listen()
	e.conn.opts.PollInterval = time.Hour
	eng := psync.NewEngine(e.svc, slog.New(slog.NewTextHandler(e.log, nil)))
	accs, _ := e.svc.Accounts(context.Background())
	eng.Add(psync.Account{Account: accs[0], Conn: e.conn})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { eng.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	e.g.changed.Follow(t, e.svc) // what the engine stores and whether it is live
	return eng
}

func (g *fakeGraph) count(prefix string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := 0
	for _, r := range g.requests {
		if strings.HasPrefix(r, prefix) {
			n++
		}
	}
	return n
}

func TestFeedWebhookFetchesTheNewComment(t *testing.T) {
	e := newEnv(t)
	now := time.Now()
	p := e.g.addPost("Winter blend is here", now.Add(-time.Hour))
	eng := e.live(t)
	feed := "GET /v25.0/" + e.g.pageID + "/feed"
	// The first fetch, and the catch-up the stream's connect asks for.
	e.g.changed.Until(t, "the account to go live and catch up", func() bool { return eng.Feed(e.acc.ID).Live && e.g.count(feed) >= 2 })
	before := e.g.count(feed)

	c := e.g.addComment(p, "", "610", "Ana Ruiz", "Is it decaf?", now)
	// What Meta posts for a new comment: the payload is a hint; the
	// comment is read from the Graph API.
	value, _ := json.Marshal(map[string]any{"item": "comment", "verb": "add", "comment_id": c, "post_id": p,
		"from": map[string]string{"id": "610", "name": "Ana Ruiz"}, "message": "(not trusted)", "created_time": now.Unix()})
	if n := psync.Webhooks.Publish(psync.Push{Object: "page", ID: e.g.pageID, Field: "feed", Value: value}); n != 1 {
		t.Fatalf("the push reached %d connectors", n)
	}
	e.g.changed.Until(t, "the comment fetched after the webhook", func() bool {
		th, ok := e.threads(t)["comment:"+c]
		return ok && e.g.count(feed) > before && len(th.Messages) == 1 && th.Messages[0].Text == "Is it decaf?"
	})
}

func TestInstagramMentionWebhookReadsTheComment(t *testing.T) {
	e := newEnv(t)
	e.conn.opts.IGUserID = e.g.igID
	now := time.Now()
	e.g.igMentioned = map[string]igMention{"17858893269000001": {
		comment: igComment{ID: "17858893269000001", Text: "@acme.store my cup arrived cracked", Timestamp: ts(now)},
		media:   igMedia{ID: "17895695668004550", Permalink: "https://www.instagram.com/p/xyz/"}}}
	eng := e.live(t)
	e.g.changed.Until(t, "the account to go live", func() bool { return eng.Feed(e.acc.ID).Live })
	value := json.RawMessage(`{"media_id":"17895695668004550","comment_id":"17858893269000001"}`)
	if n := psync.Webhooks.Publish(psync.Push{Object: "instagram", ID: e.g.igID, Field: "mentions", Value: value}); n != 1 {
		t.Fatalf("the push reached %d connectors", n)
	}
	var th inbox.Thread
	e.g.changed.Until(t, "the mention stored", func() bool {
		var ok bool
		th, ok = e.threads(t)["mention:17895695668004550"]
		return ok && len(th.Messages) == 1
	})
	if m := th.Messages[0]; m.Text != "@acme.store my cup arrived cracked" || m.Permalink != "https://www.instagram.com/p/xyz/" || th.Conversation.Kind != inbox.KindMention {
		t.Fatalf("mention: %+v", m)
	}
	// An unknown id (deleted before we asked) stores nothing and does not
	// break the stream.
	psync.Webhooks.Publish(psync.Push{Object: "instagram", ID: e.g.igID, Field: "mentions", Value: json.RawMessage(`{"media_id":"1","comment_id":"2"}`)})
	// Answering it replies under the comment.
	if _, err := e.conn.Perform(context.Background(), psync.Action{Kind: inbox.ActionReply, ConversationID: "mention:17895695668004550",
		TargetID: "17858893269000001", Body: "So sorry! A new one is on its way."}); err != nil {
		t.Fatal(err)
	}
	e.g.mu.Lock()
	defer e.g.mu.Unlock()
	last := e.g.posted[len(e.g.posted)-1]
	if last.Get("comment_id") != "17858893269000001" || last.Get("media_id") != "17895695668004550" {
		t.Fatalf("mention reply form: %v", last)
	}
}
