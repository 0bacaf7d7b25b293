package mastodon

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"

	"github.com/coder/websocket"
)

// streamHub is the fake's streaming server, on a host of its own as
// urls.streaming_api may name one: a multiplexed WebSocket at
// /api/v1/streaming (stream= on the URL, then subscribe messages) and the
// user stream as server-sent events at /api/v1/streaming/user. Events are
// pushed as Mastodon does: {"stream":[…],"event":…,"payload":"<JSON as a
// string>"}. Only connected clients hear an event: one posted while a
// client is away reaches it through the notifications list alone.
type streamHub struct {
	f   *fakeServer
	srv *httptest.Server

	mu       sync.Mutex
	ws, sse  bool // the transports offered
	refuse   bool // answer 503 to new connections (the streaming server restarts)
	conns    map[*hubConn]bool
	connects int
	urls     []string // every streaming request's URL, to check no token is in one
}

type hubConn struct {
	mu      sync.Mutex
	streams map[string]bool
	out     chan []byte
	gone    chan struct{}
	once    sync.Once
}

func (c *hubConn) close() { c.once.Do(func() { close(c.gone) }) }

func (c *hubConn) subscribed(stream string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.streams[stream]
}

// withStreaming gives the fake a streaming server.
func (f *fakeServer) withStreaming(ws, sse bool) *streamHub {
	h := &streamHub{f: f, ws: ws, sse: sse, conns: map[*hubConn]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/v1/streaming", h.websocket)
	mux.HandleFunc("/api/v1/streaming/user", h.events)
	h.srv = httptest.NewServer(mux)
	f.t.Cleanup(func() { h.drop(); h.srv.Close() })
	f.mu.Lock()
	f.hub = h
	f.streamingAPI = "ws" + strings.TrimPrefix(h.srv.URL, "http")
	f.mu.Unlock()
	return h
}

func (h *streamHub) authorized(r *http.Request) bool {
	tok := h.f.token
	return r.Header.Get("Authorization") == "Bearer "+tok || r.Header.Get("Sec-WebSocket-Protocol") == tok || r.URL.Query().Get("access_token") == tok
}

// admit checks a new connection; false when it was answered already.
func (h *streamHub) admit(w http.ResponseWriter, r *http.Request, offered bool) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.urls = append(h.urls, r.URL.String())
	switch {
	case !offered:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(404)
		w.Write([]byte(`{"error":"Not Found"}`))
	case h.refuse:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(503)
		w.Write([]byte(`<html><body>503 Service Temporarily Unavailable</body></html>`))
	case !h.authorized(r):
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(401)
		w.Write([]byte(`{"error":"Error: Invalid access token"}`))
	default:
		return true
	}
	return false
}

func (h *streamHub) join(streams ...string) *hubConn {
	c := &hubConn{streams: map[string]bool{}, out: make(chan []byte, 256), gone: make(chan struct{})}
	for _, s := range streams {
		c.streams[s] = true
	}
	h.mu.Lock()
	h.conns[c] = true
	h.connects++
	h.mu.Unlock()
	h.f.changed.Notify()
	return c
}

func (h *streamHub) leave(c *hubConn) {
	c.close()
	h.mu.Lock()
	delete(h.conns, c)
	h.mu.Unlock()
	h.f.changed.Notify()
}

func (h *streamHub) websocket(w http.ResponseWriter, r *http.Request) {
	if !h.admit(w, r, h.ws) {
		return
	}
	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{h.f.token}})
	if err != nil {
		return
	}
	defer ws.CloseNow()
	c := h.join(r.URL.Query().Get("stream"))
	defer h.leave(c)
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	go func() { // subscribe and unsubscribe messages
		defer c.close()
		for {
			_, data, err := ws.Read(ctx)
			if err != nil {
				return
			}
			var m struct{ Type, Stream string }
			if json.Unmarshal(data, &m) != nil {
				continue
			}
			if m.Stream != "user" && m.Stream != "direct" && m.Stream != "user:notification" {
				ws.Write(ctx, websocket.MessageText, []byte(`{"error":"Unknown stream type","status":400}`))
				continue
			}
			c.mu.Lock()
			c.streams[m.Stream] = m.Type == "subscribe"
			c.mu.Unlock()
			h.f.changed.Notify()
		}
	}()
	for {
		select {
		case <-c.gone:
			return // dropped, as a network fault would: no close frame
		case msg := <-c.out:
			if ws.Write(ctx, websocket.MessageText, msg) != nil {
				return
			}
		}
	}
}

func (h *streamHub) events(w http.ResponseWriter, r *http.Request) {
	if !h.admit(w, r, h.sse) {
		return
	}
	c := h.join("user")
	defer h.leave(c)
	w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(200)
	fmt.Fprint(w, ":)\n")
	w.(http.Flusher).Flush()
	for {
		select {
		case <-c.gone:
			return
		case <-r.Context().Done():
			return
		case msg := <-c.out:
			var env struct {
				Event   string `json:"event"`
				Payload string `json:"payload"`
			}
			json.Unmarshal(msg, &env)
			fmt.Fprintf(w, ":thump\nevent: %s\ndata: %s\n\n", env.Event, env.Payload)
			w.(http.Flusher).Flush()
		}
	}
}

// push sends an event to every client subscribed to the stream; a client
// too slow to take it is dropped, as a real server drops it.
func (h *streamHub) push(stream, event string, payload any) {
	var p string
	if s, ok := payload.(string); ok {
		p = s
	} else {
		b, _ := json.Marshal(payload)
		p = string(b)
	}
	msg, _ := json.Marshal(map[string]any{"stream": []string{stream}, "event": event, "payload": p})
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.conns {
		if !c.subscribed(stream) {
			continue
		}
		select {
		case c.out <- msg:
		default:
			c.close()
		}
	}
}

// drop cuts every connection.
func (h *streamHub) drop() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.conns {
		c.close()
	}
}

func (h *streamHub) state() (conns, connects int, direct bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.conns {
		direct = direct || c.subscribed("direct")
	}
	return len(h.conns), h.connects, direct
}

func (h *streamHub) setRefuse(v bool) {
	h.mu.Lock()
	h.refuse = v
	h.mu.Unlock()
}

// streamNotification, called with f.mu held, pushes what Mastodon pushes
// for a new notification: the notification on the user stream and, for a
// direct message, the conversation on the direct stream.
func (f *fakeServer) streamNotification(n notification) {
	if f.hub == nil {
		return
	}
	f.hub.push("user", "notification", n)
	if n.Status != nil && n.Status.Visibility == "direct" {
		f.hub.push("direct", "conversation", conversation{ID: "c" + n.Status.ID, Accounts: []account{n.Status.Account}, LastStatus: n.Status})
	}
}

// remove deletes a status as its author would.
func (f *fakeServer) remove(s *status) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.statuses, s.ID)
	if f.hub != nil {
		f.hub.push("user", "delete", s.ID)
	}
}
