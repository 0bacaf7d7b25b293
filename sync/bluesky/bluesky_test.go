package bluesky

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	psync "github.com/parleyhq/parley/sync"
	"github.com/parleyhq/parley/sync/synctest"
)

// seed: the brand's post with a reply and a reply to that reply, a
// mention, a quote, a like (not asked for), and a DM conversation.
func seed(f *fakePDS) (ours, r1, r2, mention string) {
	now := time.Now().Add(-time.Hour)
	ours, oursCID := f.post(me, myHandle, "3lourpost0000", "Our autumn collection is out!", nil, now)
	r1, r1CID := f.post(joDID, "jo.bsky.social", "3ljoreply0001", "Still broken for me \u202e", map[string]any{"root": ref(ours, oursCID), "parent": ref(ours, oursCID)}, now.Add(time.Minute))
	f.notify("reply", r1, ours, now.Add(time.Minute))
	r2, _ = f.post("did:plc:bob", "bob.bsky.social", "3lbobreply002", "same here 👍🏽", map[string]any{"root": ref(ours, oursCID), "parent": ref(r1, r1CID)}, now.Add(2*time.Minute))
	f.notify("reply", r2, r1, now.Add(2*time.Minute))
	mention, _ = f.post("did:plc:cy", "cy.bsky.social", "3lcymention03", "@acme.bsky.social when do you open?", nil, now.Add(3*time.Minute))
	f.notify("mention", mention, "", now.Add(3*time.Minute))
	q, _ := f.post("did:plc:dee", "dee.bsky.social", "3ldeequote004", "look at this", nil, now.Add(4*time.Minute))
	f.notify("quote", q, ours, now.Add(4*time.Minute))
	f.notify("like", r1, ours, now.Add(5*time.Minute))
	f.with(func() {
		f.convos = []map[string]any{{"id": "convo1", "rev": "3rev00000005", "members": []any{map[string]any{"did": me, "handle": myHandle},
			map[string]any{"did": joDID, "handle": "jo.bsky.social", "displayName": "Jo"}}, "muted": false, "unreadCount": 1,
			"lastMessage": map[string]any{"id": "m2", "rev": "3rev00000005", "text": "hello?", "sender": map[string]any{"did": joDID}, "sentAt": now.Format(time.RFC3339Nano)}}}
		f.messages["convo1"] = []map[string]any{
			{"$type": "chat.bsky.convo.defs#messageView", "id": "m2", "rev": "3rev00000005", "text": "hello?", "sender": map[string]any{"did": joDID}, "sentAt": now.Format(time.RFC3339Nano)},
			{"$type": "chat.bsky.convo.defs#messageView", "id": "m1", "rev": "3rev00000004", "text": "my order #123 is late", "sender": map[string]any{"did": joDID}, "sentAt": now.Add(-time.Minute).Format(time.RFC3339Nano)},
		}
	})
	return ours, r1, r2, mention
}

func TestFirstSyncAndRestartWithoutDuplicates(t *testing.T) {
	f := newFake(t)
	ours, r1, r2, mention := seed(f)
	in := synctest.New(t, "bluesky", "Acme")
	if err := in.Sync(newConn(t, f, Options{})); err != nil {
		t.Fatal(err)
	}
	th := in.Threads(t)
	thread := th[threadConv(ours)]
	if thread.Conversation.Kind != inbox.KindComment || len(thread.Messages) != 2 {
		t.Fatalf("thread under our post: %+v (have %v)", thread.Conversation, sortedKeys(th))
	}
	if thread.Post == nil || !strings.Contains(thread.Post.Text, "autumn collection") {
		t.Errorf("thread context: %+v", thread.Post)
	}
	if m := thread.Messages[1]; m.ExternalID != r2 || m.ParentID != r1 || m.Author.Handle != "@bob.bsky.social" || !strings.HasPrefix(m.Permalink, "https://bsky.app/profile/bob.bsky.social/post/") {
		t.Errorf("second reply: %+v", m)
	}
	if strings.ContainsRune(thread.Messages[0].Text, '\u202e') {
		t.Errorf("a bidi override survived ingest: %q", thread.Messages[0].Text)
	}
	if c := th[postConv(mention)]; c.Conversation.Kind != inbox.KindMention || len(c.Messages) != 1 {
		t.Errorf("mention: %+v", c.Conversation)
	}
	dm := th[dmConv("convo1")]
	if dm.Conversation.Kind != inbox.KindDM || len(dm.Messages) != 2 || dm.Messages[0].Text != "my order #123 is late" || dm.Messages[0].Author.Name != "Jo" {
		t.Fatalf("DM: %+v %+v", dm.Conversation, dm.Messages)
	}
	if len(th) != 4 {
		t.Errorf("conversations: %v (the like must not be one)", sortedKeys(th))
	}
	// A new process: the kept cursor and a new reply; nothing twice.
	now := time.Now()
	later, _ := f.post(joDID, "jo.bsky.social", "3ljolater0005", "any news?", map[string]any{"root": ref(ours, "bafy-3lourpost0000"), "parent": ref(ours, "bafy-3lourpost0000")}, now)
	f.notify("reply", later, ours, now)
	f.with(func() {
		f.n = 9
		f.logs = append(f.logs, map[string]any{"$type": "chat.bsky.convo.defs#logCreateMessage", "rev": "3rev00000009", "convoId": "convo1",
			"message": map[string]any{"$type": "chat.bsky.convo.defs#messageView", "id": "m3", "rev": "3rev00000009", "text": "still there?", "sender": map[string]any{"did": joDID}, "sentAt": now.Format(time.RFC3339Nano)}},
			map[string]any{"$type": "chat.bsky.convo.defs#logDeleteMessage", "rev": "3rev00000010", "convoId": "convo1",
				"message": map[string]any{"$type": "chat.bsky.convo.defs#deletedMessageView", "id": "m2", "rev": "3rev00000010", "sender": map[string]any{"did": joDID}, "sentAt": now.Format(time.RFC3339Nano)}})
	})
	if err := in.Sync(newConn(t, f, Options{})); err != nil {
		t.Fatal(err)
	}
	th = in.Threads(t)
	if n := len(th[threadConv(ours)].Messages); n != 3 {
		t.Errorf("thread after restart has %d messages, want 3", n)
	}
	dm = th[dmConv("convo1")]
	if len(dm.Messages) != 3 || !dm.Messages[1].Deleted() {
		t.Errorf("DM after the log: %d messages, m2 deleted: %v", len(dm.Messages), len(dm.Messages) > 1 && dm.Messages[1].Deleted())
	}
	if len(th) != 4 {
		t.Errorf("conversations after restart: %v", sortedKeys(th))
	}
}

func TestExpiredTokenIsRefreshedAndSessionKept(t *testing.T) {
	f := newFake(t)
	seed(f)
	dir := t.TempDir()
	file := filepath.Join(dir, "s", "bluesky.session")
	in := synctest.New(t, "bluesky", "Acme")
	if err := in.Sync(newConn(t, f, Options{SessionFile: file})); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(file); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("session file: %v %v", st, err)
	}
	f.with(func() { f.expired = true })
	// A new process reads the kept session, finds it expired, refreshes.
	if err := in.Sync(newConn(t, f, Options{SessionFile: file})); err != nil {
		t.Fatal(err)
	}
	if n := f.count("com.atproto.server.createSession"); n != 1 {
		t.Errorf("createSession called %d times, want 1 (sessions are kept and refreshed)", n)
	}
	if n := f.count("com.atproto.server.refreshSession"); n != 1 {
		t.Errorf("refreshSession called %d times, want 1", n)
	}
	// Both tokens gone (revoked): a new sign-in with the app password.
	f.with(func() { f.access, f.refresh = "other", "other" })
	if err := in.Sync(newConn(t, f, Options{SessionFile: file})); err != nil {
		t.Fatal(err)
	}
	if n := f.count("com.atproto.server.createSession"); n != 2 {
		t.Errorf("after revocation createSession called %d times, want 2", n)
	}
	if strings.Contains(in.Log.String(), "secret") || strings.Contains(in.Log.String(), appPass) {
		t.Errorf("a token reached the log:\n%s", in.Log)
	}
}

func TestReplyRefsFacetsAndRetry(t *testing.T) {
	f := newFake(t)
	ours, r1, r2, _ := seed(f)
	c := newConn(t, f, Options{})
	body := "🎉 Thanks @jo.bsky.social! See https://acme.example/help. #support"
	queued := time.Now()
	f.inject("com.atproto.repo.createRecord", fault{after: true}) // the answer is lost
	a := psync.Action{Kind: inbox.ActionReply, ConversationID: threadConv(ours), TargetID: r2, Body: body, IdempotencyKey: "k1", Attempt: 1, Queued: queued}
	if _, err := c.Perform(context.Background(), a); err == nil {
		t.Fatal("a lost answer must be an error")
	}
	a.Attempt = 2
	rc, err := c.Perform(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	created := f.createdRec
	f.mu.Unlock()
	if len(created) != 1 || !strings.HasPrefix(rc.ExternalID, "at://"+me+"/app.bsky.feed.post/") {
		t.Fatalf("posted %d times, receipt %+v", len(created), rc)
	}
	rec := created[0]["record"].(map[string]any)
	reply := rec["reply"].(map[string]any)
	if reply["root"].(map[string]any)["uri"] != ours || reply["parent"].(map[string]any)["uri"] != r2 || reply["parent"].(map[string]any)["cid"] != "bafy-3lbobreply002" {
		t.Errorf("reply refs: %v", reply)
	}
	fs := rec["facets"].([]any)
	want := map[string]string{"#mention": "@jo.bsky.social", "#link": "https://acme.example/help", "#tag": "#support"}
	for _, x := range fs {
		fc := x.(map[string]any)
		idx := fc["index"].(map[string]any)
		s, e := int(idx["byteStart"].(float64)), int(idx["byteEnd"].(float64))
		typ := fc["features"].([]any)[0].(map[string]any)["$type"].(string)
		key := typ[strings.Index(typ, "#"):]
		if body[s:e] != want[key] {
			t.Errorf("facet %s covers %q, want %q", key, body[s:e], want[key])
		}
		delete(want, key)
	}
	if len(want) > 0 {
		t.Errorf("facets missing: %v", want)
	}
	_ = r1
}

func TestGraphemeLimit(t *testing.T) {
	f := newFake(t)
	ours, _, _, _ := seed(f)
	c := newConn(t, f, Options{})
	family := "👨‍👩‍👧" // one grapheme, 18 bytes
	if got := c.Capabilities().TextLimit; got != (inbox.TextLimit{Max: 300, Unit: inbox.CountGraphemes}) {
		t.Fatalf("text limit %+v", got)
	}
	ok := strings.Repeat("é", 299) + family
	if _, err := c.Perform(context.Background(), psync.Action{Kind: inbox.ActionReply, ConversationID: threadConv(ours), Body: ok, IdempotencyKey: "a", Attempt: 1, Queued: time.Now()}); err != nil {
		t.Fatalf("300 graphemes refused: %v", err)
	}
	_, err := c.Perform(context.Background(), psync.Action{Kind: inbox.ActionReply, ConversationID: threadConv(ours), Body: ok + "!", IdempotencyKey: "b", Attempt: 1, Queued: time.Now()})
	if !psync.IsPermanent(err) || !strings.Contains(err.Error(), "1 over") {
		t.Fatalf("301 graphemes: %v", err)
	}
}

func TestDMReplyNeedsTheProxyAndDMAccess(t *testing.T) {
	f := newFake(t)
	ours, _, _, _ := seed(f)
	c := newConn(t, f, Options{})
	rc, err := c.Perform(context.Background(), psync.Action{Kind: inbox.ActionReply, ConversationID: dmConv("convo1"), Body: "Sorry! It ships today.", IdempotencyKey: "d1", Attempt: 1, Queued: time.Now()})
	if err != nil || !strings.HasPrefix(rc.ExternalID, "dmmsg:convo1:") {
		t.Fatalf("DM reply: %+v %v", rc, err)
	}
	// A retry after a lost answer finds the message instead of sending twice.
	if _, err := c.Perform(context.Background(), psync.Action{Kind: inbox.ActionReply, ConversationID: dmConv("convo1"), Body: "Sorry! It ships today.", IdempotencyKey: "d1", Attempt: 2, Queued: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if n := len(f.sent); n != 1 {
		t.Errorf("sent %d times", n)
	}
	// An app password without DM access: notifications still sync, the
	// account says why DMs are missing.
	f2 := newFake(t)
	seed(f2)
	f2.with(func() { f2.noChat = true })
	in := synctest.New(t, "bluesky", "Acme")
	if err := in.Sync(newConn(t, f2, Options{})); err != nil {
		t.Fatal(err)
	}
	accs, _ := in.Svc.Accounts(context.Background())
	if !strings.Contains(accs[0].Notice, "direct messages") || !strings.Contains(accs[0].Notice, "App passwords") {
		t.Errorf("notice: %q", accs[0].Notice)
	}
	if th := in.Threads(t); len(th[threadConv(ours)].Messages) != 2 {
		t.Errorf("notifications were not synced without DM access")
	}
}

func TestErrorsAreMapped(t *testing.T) {
	f := newFake(t)
	seed(f)
	ctx := context.Background()
	c := newConn(t, f, Options{})
	c.api.password = func(context.Context) (string, error) { return "wrong-pass", nil }
	_, err := c.Fetch(ctx, "")
	if !errors.Is(err, psync.ErrAuth) || strings.Contains(err.Error(), "wrong-pass") || !strings.Contains(err.Error(), "parley connect bluesky") {
		t.Fatalf("wrong app password: %v", err)
	}
	c = newConn(t, f, Options{})
	f.inject("app.bsky.notification.listNotifications", fault{status: 429, body: `{"error":"RateLimitExceeded","message":"Rate Limit Exceeded"}`,
		header: map[string]string{"RateLimit-Remaining": "0", "RateLimit-Reset": strconv64(time.Now().Add(90 * time.Second).Unix())}})
	_, err = c.Fetch(ctx, "")
	var rl *psync.RateLimitError
	if !errors.As(err, &rl) || rl.RetryAfter < 60*time.Second || rl.RetryAfter > 91*time.Second {
		t.Fatalf("429: %v", err)
	}
	for _, fl := range []fault{{status: 502, body: "<html>bad gateway</html>"}, {status: 200, body: `{"notifications":[{`}, {truncate: true}} {
		f.inject("app.bsky.notification.listNotifications", fl)
		if _, err := c.Fetch(ctx, ""); err == nil || psync.IsPermanent(err) {
			t.Errorf("fault %+v: %v (want a retryable error)", fl, err)
		}
	}
	f.inject("app.bsky.notification.listNotifications", fault{status: 400, body: `{"error":"AccountTakedown","message":"Account has been taken down"}`})
	if _, err := c.Fetch(ctx, ""); !errors.Is(err, psync.ErrAuth) {
		t.Errorf("takedown: %v", err)
	}
	if _, err := c.Fetch(ctx, "{not json"); !psync.IsPermanent(err) {
		t.Errorf("bad cursor: %v", err)
	}
}

func TestDeletedPostsAndModeration(t *testing.T) {
	f := newFake(t)
	ours, r1, _, mention := seed(f)
	f.with(func() { delete(f.posts, ours) })
	c := newConn(t, f, Options{})
	b, err := c.Fetch(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Deletions) == 0 || b.Deletions[0].ExternalID != ours {
		t.Errorf("deleted root not reported: %+v", b.Deletions)
	}
	_, err = c.Perform(context.Background(), psync.Action{Kind: inbox.ActionReply, ConversationID: threadConv(ours), Body: "hi", IdempotencyKey: "x", Attempt: 1, Queued: time.Now()})
	if !psync.IsPermanent(err) || !strings.Contains(err.Error(), "deleted") {
		t.Errorf("reply to a deleted post: %v", err)
	}
	for _, k := range []inbox.ActionKind{inbox.ActionMute, inbox.ActionBlock, inbox.ActionReport} {
		if _, err := c.Perform(context.Background(), psync.Action{Kind: k, ConversationID: postConv(mention), TargetID: r1, Body: "spam", IdempotencyKey: string(k), Attempt: 1, Queued: time.Now()}); err != nil {
			t.Errorf("%s: %v", k, err)
		}
	}
	if len(f.muted) != 1 || f.muted[0] != joDID || len(f.reports) != 1 {
		t.Errorf("muted %v, reports %v", f.muted, f.reports)
	}
	if len(f.createdRec) != 1 || f.createdRec[0]["collection"] != "app.bsky.graph.block" {
		t.Errorf("block record: %v", f.createdRec)
	}
}

func TestReplyRoundTripThroughTheOutbox(t *testing.T) {
	f := newFake(t)
	ours, _, _, _ := seed(f)
	in := synctest.New(t, "bluesky", "Acme")
	c := newConn(t, f, Options{})
	if err := in.Sync(c); err != nil {
		t.Fatal(err)
	}
	th := in.Threads(t)[threadConv(ours)]
	if _, err := in.Svc.Reply(context.Background(), "ann", th.Conversation.ID, "We are on it! 🙂"); err != nil {
		t.Fatal(err)
	}
	if err := in.Sync(c); err != nil { // --once delivers the outbox after the sync
		t.Fatal(err)
	}
	if len(f.createdRec) != 1 {
		t.Fatalf("posted %d", len(f.createdRec))
	}
	th = in.Threads(t)[threadConv(ours)]
	last := th.Messages[len(th.Messages)-1]
	if last.Direction != inbox.Out || last.Delivery != inbox.DeliverySent || !strings.HasPrefix(last.ExternalID, "at://"+me+"/app.bsky.feed.post/") {
		t.Errorf("stored reply: %+v", last)
	}
	// The next sync must not bring it back as someone else's message.
	if err := in.Sync(c); err != nil {
		t.Fatal(err)
	}
	if n := len(in.Threads(t)[threadConv(ours)].Messages); n != len(th.Messages) {
		t.Errorf("messages after another sync: %d, want %d", n, len(th.Messages))
	}
}

func strconv64(n int64) string { return strconv.FormatInt(n, 10) }
