package mastodon

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	psync "github.com/parleyhq/parley/sync"
)

// live runs the engine over the account until the test ends, with the poll
// interval so long that anything arriving during the test comes through
// the stream, or through the catch-up fetch after a reconnect.
func (e *env) live(t *testing.T) *psync.Engine {
	t.Helper()
	e.conn.opts.PollInterval = time.Hour
	eng := psync.NewEngine(e.svc, slog.New(slog.NewTextHandler(e.log, nil)))
	eng.SetBackoff(psync.Backoff{Base: time.Millisecond, Max: 20 * time.Millisecond})
	accs, _ := e.svc.Accounts(context.Background())
	eng.Add(psync.Account{Account: accs[0], Conn: e.conn})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { eng.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	e.f.changed.Follow(t, e.svc) // what the engine stores and whether it is live
	return eng
}

// message finds a stored message by external id, and how many rows hold it.
func (e *env) message(t *testing.T, id string) (inbox.Message, int) {
	var found inbox.Message
	n := 0
	for _, th := range e.convs(t) {
		for _, m := range th.Messages {
			if m.ExternalID == id {
				found = m
				n++
			}
		}
	}
	return found, n
}

func (e *env) stored(t *testing.T, id string) bool { _, n := e.message(t, id); return n > 0 }

func TestStreamDeliversDropsResumesAndStoresEveryEventOnce(t *testing.T) {
	e := newEnv(t)
	hub := e.f.withStreaming(true, false)
	e.f.maxChars = 5000
	alice := e.f.account("alice", "Alice")
	bob := e.f.account("bob", "Bob")
	m0 := e.f.post(alice, "<p>@acme before we started</p>", "public", nil, e.f.now.Add(-time.Minute), true)

	eng := e.live(t)
	isLive := func() bool { return eng.Feed(e.acc.ID).Live }
	subscribed := func() bool { conns, _, direct := hub.state(); return conns == 1 && direct }
	e.f.changed.Until(t, "the stream to connect and subscribe to direct messages", func() bool { return isLive() && subscribed() })
	e.f.changed.Until(t, "the backlog", func() bool { return e.stored(t, m0.ID) })

	// Pushed: a mention and a direct message.
	m1 := e.f.post(alice, "<p>@acme my order is late</p>", "public", nil, e.f.now, true)
	m2 := e.f.post(bob, "<p>@acme private: refund?</p>", "direct", nil, e.f.now, true)
	e.f.changed.Until(t, "the pushed mention and DM", func() bool { return e.stored(t, m1.ID) && e.stored(t, m2.ID) })
	// Pushed: an edit (status.update and an update notification).
	e.f.edit(m1, "<p>@acme my order is VERY late</p>", e.f.now.Add(time.Minute))
	e.f.changed.Until(t, "the pushed edit", func() bool {
		m, _ := e.message(t, m1.ID)
		return strings.Contains(m.Text, "VERY") && m.Edited()
	})

	// The connection drops; while the streaming server is away a mention
	// arrives that only the notifications list holds.
	hub.setRefuse(true)
	hub.drop()
	e.f.changed.Until(t, "the engine to notice the drop", func() bool { conns, _, _ := hub.state(); return conns == 0 && !isLive() })
	m3 := e.f.post(alice, "<p>@acme hello? anyone?</p>", "public", nil, e.f.now, true)
	hub.setRefuse(false)
	e.f.changed.Until(t, "the reconnect and its catch-up fetch", func() bool { return isLive() && subscribed() && e.stored(t, m3.ID) })

	// Pushed after the resume: a new mention and a deletion, which
	// polling never sees.
	m4 := e.f.post(bob, "<p>@acme thanks, sorted</p>", "public", nil, e.f.now, true)
	e.f.remove(m2)
	e.f.changed.Until(t, "the mention and the deletion after the resume", func() bool {
		m, _ := e.message(t, m2.ID)
		return e.stored(t, m4.ID) && m.Deleted()
	})

	for _, s := range []*status{m0, m1, m2, m3, m4} {
		if _, n := e.message(t, s.ID); n != 1 {
			t.Errorf("status %s stored %d times", s.ID, n)
		}
	}
	if n := e.messages(t); n != 5 {
		t.Fatalf("%d messages stored for 5 statuses", n)
	}
	if _, connects, _ := hub.state(); connects < 2 {
		t.Fatalf("%d connections: the stream never resumed", connects)
	}
	hub.mu.Lock()
	defer hub.mu.Unlock()
	for _, u := range hub.urls {
		if strings.Contains(u, e.f.token) || strings.Contains(u, "access_token") {
			t.Fatalf("the token is in a streaming URL: %s", u)
		}
	}
	if strings.Contains(e.log.String(), e.f.token) {
		t.Fatal("the token reached the log")
	}
	if got := e.conn.Capabilities().TextLimit.Max; got != 5000 {
		t.Fatalf("text limit %d, want the instance's 5000", got)
	}
}

func TestStreamFallsBackToServerSentEvents(t *testing.T) {
	e := newEnv(t)
	hub := e.f.withStreaming(false, true) // a proxy that passes no WebSocket upgrade
	carol := e.f.account("carol", "Carol")
	eng := e.live(t)
	e.f.changed.Until(t, "the event stream to connect", func() bool { conns, _, _ := hub.state(); return conns == 1 && eng.Feed(e.acc.ID).Live })
	m := e.f.post(carol, "<p>@acme does the SSE path work?</p>", "public", nil, e.f.now, true)
	e.f.changed.Until(t, "the mention over server-sent events", func() bool { return e.stored(t, m.ID) })
	e.f.remove(m)
	e.f.changed.Until(t, "the deletion over server-sent events", func() bool { got, _ := e.message(t, m.ID); return got.Deleted() })
}

func TestNoStreamingEndpointFallsBackToPolling(t *testing.T) {
	e := newEnv(t) // no streaming server: the instance names the REST host, which has no streaming endpoints
	dave := e.f.account("dave", "Dave")
	e.f.post(dave, "<p>@acme hi</p>", "public", nil, e.f.now, true)
	err := e.conn.Stream(context.Background(), func() { t.Error("connected to a stream that does not exist") },
		func(inbox.Batch) error { return nil })
	if !errors.Is(err, psync.ErrNoStream) {
		t.Fatalf("stream on a server without one: %v", err)
	}
	// Through the engine: polled, and not shown as live.
	e.conn.opts.PollInterval = 10 * time.Millisecond
	eng := psync.NewEngine(e.svc, nil)
	accs, _ := e.svc.Accounts(context.Background())
	eng.Add(psync.Account{Account: accs[0], Conn: e.conn})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { eng.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	polls := func() int {
		e.f.mu.Lock()
		defer e.f.mu.Unlock()
		n := 0
		for _, r := range e.f.requests {
			if strings.HasPrefix(r, "GET /api/v1/notifications") {
				n++
			}
		}
		return n
	}
	e.f.changed.Until(t, "polling", func() bool { return polls() >= 3 })
	if eng.Feed(e.acc.ID).Live {
		t.Fatal("an account without a stream shows live")
	}
}

func TestStreamURLOnlyOverTLSOrLoopback(t *testing.T) {
	c, err := New(Options{Server: "https://m.example"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var in instance
	in.URLs.StreamingAPI = "wss://streaming.m.example"
	ws, sse, err := c.streamURLs(in)
	if err != nil || ws != "wss://streaming.m.example/api/v1/streaming?stream=user" || sse != "https://streaming.m.example/api/v1/streaming/user" {
		t.Fatalf("wss: %q %q %v", ws, sse, err)
	}
	in.URLs.StreamingAPI = "ws://streaming.m.example"
	if _, _, err := c.streamURLs(in); !errors.Is(err, psync.ErrNoStream) {
		t.Fatalf("plain ws to another machine must not carry the token: %v", err)
	}
	in.URLs.StreamingAPI = ""
	in.Configuration.URLs.Streaming = "wss://m.example/"
	if ws, _, _ := c.streamURLs(in); ws != "wss://m.example/api/v1/streaming?stream=user" {
		t.Fatalf("v2 configuration.urls.streaming: %q", ws)
	}
}

func TestStreamAuthFailureIsAuth(t *testing.T) {
	e := newEnv(t)
	e.f.withStreaming(true, false)
	// Known from earlier: who we are and where the stream is.
	if _, err := e.conn.Me(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := e.conn.discover(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.conn.http.Token = func(context.Context) (string, error) { return "revoked-token-xyz", nil }
	err := e.conn.Stream(context.Background(), func() {}, func(inbox.Batch) error { return nil })
	if !errors.Is(err, psync.ErrAuth) || strings.Contains(err.Error(), "revoked-token-xyz") {
		t.Fatalf("stream with a revoked token: %v", err)
	}
}
