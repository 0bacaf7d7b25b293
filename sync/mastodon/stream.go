package mastodon

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/coder/websocket"

	"github.com/parleyhq/parley/inbox"
	psync "github.com/parleyhq/parley/sync"
)

// The streaming API pushes what the notifications list would show a poll
// later. One WebSocket carries the user stream (notifications, our home
// timeline's new statuses, edits, deletions) and the direct stream
// (conversations); a server without WebSocket gets server-sent events of
// the user stream instead; a server with neither is polled.

// Liveness: a connection that carries nothing, not even the server's
// heartbeat, for this long is taken as dead (a half-open TCP connection
// never says so itself).
var (
	pingEvery   = 30 * time.Second // WebSocket: our ping, answered by any server
	pingTimeout = 20 * time.Second
	sseIdle     = 2 * time.Minute // SSE: Mastodon sends ":thump" every 15 s
)

// maxEvent bounds one event: a status with long text, many mentions and
// media is tens of kilobytes; the WebSocket library's default is 32 KiB.
const maxEvent = 4 << 20

// Stream implements sync.Streamer.
func (c *Connector) Stream(ctx context.Context, connected func(), deliver func(inbox.Batch) error) error {
	me, err := c.myID(ctx)
	if err != nil {
		return err
	}
	in, err := c.discover(ctx)
	if err != nil {
		return err
	}
	ws, sse, err := c.streamURLs(in)
	if err != nil {
		return err
	}
	tok, err := c.http.Token(ctx)
	if err != nil {
		return fmt.Errorf("%w: %v", psync.ErrAuth, err)
	}
	s := &streamConn{c: c, me: me, tok: tok, connected: connected, deliver: deliver}
	err = s.websocket(ctx, ws)
	if errors.Is(err, errNoWebSocket) {
		err = s.events(ctx, sse)
	}
	if ctx.Err() != nil {
		return nil
	}
	return s.scrub(err)
}

// errNoWebSocket: the server answered the upgrade with something else.
var errNoWebSocket = errors.New("no WebSocket")

// streamConn is one connection's worth of streaming.
type streamConn struct {
	c         *Connector
	me        string
	tok       string
	connected func()
	deliver   func(inbox.Batch) error
}

// scrub keeps the token out of an error, whatever a library or a server
// put in it.
func (s *streamConn) scrub(err error) error {
	if err == nil || s.tok == "" || !strings.Contains(err.Error(), s.tok) {
		return err
	}
	msg := strings.ReplaceAll(err.Error(), s.tok, "[token]")
	if errors.Is(err, psync.ErrAuth) {
		return fmt.Errorf("%w: %s", psync.ErrAuth, msg)
	}
	return errors.New(msg)
}

func (s *streamConn) headers() http.Header {
	h := http.Header{}
	h.Set("Authorization", "Bearer "+s.tok)
	h.Set("User-Agent", s.c.http.UserAgent)
	return h
}

// refused maps a streaming endpoint's HTTP answer: auth and rate limits as
// for any request; what says "no such endpoint" as missing.
func (s *streamConn) refused(what string, resp *http.Response, missing error) error {
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return fmt.Errorf("%w: %s: %d (sign in again: parley connect)", psync.ErrAuth, what, resp.StatusCode)
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return fmt.Errorf("%s: %d %s", what, resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	return missing
}

// websocket streams over one WebSocket until it drops.
func (s *streamConn) websocket(ctx context.Context, u string) error {
	hc := *s.c.http.HTTP // its Timeout bounds the handshake only
	// The token goes in the Authorization header, as Mastodon prefers, and
	// as the subprotocol, which some servers of the API read instead; never
	// in the URL, where proxies log it.
	conn, resp, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPClient: &hc, HTTPHeader: s.headers(), Subprotocols: []string{s.tok}})
	if err != nil {
		if resp != nil {
			return s.refused("mastodon streaming (WebSocket)", resp, errNoWebSocket)
		}
		return fmt.Errorf("mastodon streaming: %w", err)
	}
	defer conn.CloseNow()
	conn.SetReadLimit(maxEvent)
	sub, _ := json.Marshal(map[string]string{"type": "subscribe", "stream": "direct"})
	if err := conn.Write(ctx, websocket.MessageText, sub); err != nil {
		return fmt.Errorf("mastodon streaming: subscribing to direct messages: %w", err)
	}
	s.connected()

	pingCtx, stopPing := context.WithCancel(ctx)
	defer stopPing()
	go func() {
		t := time.NewTicker(pingEvery)
		defer t.Stop()
		for {
			select {
			case <-pingCtx.Done():
				return
			case <-t.C:
			}
			pc, cancel := context.WithTimeout(pingCtx, pingTimeout)
			err := conn.Ping(pc)
			cancel()
			if err != nil && pingCtx.Err() == nil {
				conn.Close(websocket.StatusGoingAway, "no answer to ping")
				return
			}
		}
	}()

	for {
		_, data, err := conn.Read(ctx)
		if err != nil {
			return fmt.Errorf("mastodon streaming: connection lost: %w", err)
		}
		var env struct {
			Event   string          `json:"event"`
			Payload json.RawMessage `json:"payload"`
			Error   string          `json:"error"`
			Status  int             `json:"status"`
		}
		if json.Unmarshal(data, &env) != nil {
			continue // not an event: the catch-up fetch covers whatever it was
		}
		if env.Error != "" {
			if env.Status == http.StatusUnauthorized || env.Status == http.StatusForbidden {
				return fmt.Errorf("%w: mastodon streaming: %s", psync.ErrAuth, env.Error)
			}
			continue // e.g. an older server without the direct stream: the user stream still runs
		}
		// The payload is a JSON document inside a JSON string (an id for
		// delete); some servers send the object itself.
		payload := []byte(env.Payload)
		var str string
		if json.Unmarshal(env.Payload, &str) == nil {
			payload = []byte(str)
		}
		if err := s.event(ctx, env.Event, payload); err != nil {
			return err
		}
	}
}

// events streams the user stream as server-sent events until it drops.
func (s *streamConn) events(ctx context.Context, u string) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", u, nil)
	if err != nil {
		return err
	}
	req.Header = s.headers()
	req.Header.Set("Accept", "text/event-stream")
	hc := *s.c.http.HTTP
	hc.Timeout = 0 // the response lasts as long as the stream; the idle watchdog ends dead ones
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("mastodon streaming (server-sent events): %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		return s.refused("mastodon streaming (server-sent events)", resp,
			fmt.Errorf("mastodon: the server offers neither WebSocket nor server-sent events streaming (HTTP %d): %w", resp.StatusCode, psync.ErrNoStream))
	}
	s.connected()

	idle := time.AfterFunc(sseIdle, cancel)
	defer idle.Stop()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), maxEvent)
	var event string
	var data bytes.Buffer
	for sc.Scan() {
		idle.Reset(sseIdle)
		line := sc.Text()
		switch {
		case line == "":
			if event != "" {
				if err := s.event(ctx, event, bytes.TrimSuffix(data.Bytes(), []byte("\n"))); err != nil {
					return err
				}
			}
			event = ""
			data.Reset()
		case strings.HasPrefix(line, ":"): // a heartbeat
		case strings.HasPrefix(line, "event:"):
			event = strings.TrimSpace(strings.TrimPrefix(line, "event:"))
		case strings.HasPrefix(line, "data:"):
			data.WriteString(strings.TrimPrefix(strings.TrimPrefix(line, "data:"), " "))
			data.WriteByte('\n')
		}
	}
	err = sc.Err()
	if err == nil {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("mastodon streaming (server-sent events): connection lost: %w", err)
}

// event files one pushed event and hands what it holds to the engine.
// Placing a status may cost a request (its thread's context); if that
// fails the stream drops, and the catch-up fetch after the reconnect reads
// it again.
func (s *streamConn) event(ctx context.Context, name string, payload []byte) error {
	c := s.c
	tb := &threadBatch{Batch: &inbox.Batch{}, me: s.me, posts: map[string]bool{}}
	var err error
	switch name {
	case "notification":
		var n notification
		if json.Unmarshal(payload, &n) == nil {
			err = c.addNotification(ctx, tb, n)
		}
	case "update":
		var st status
		if json.Unmarshal(payload, &st) == nil {
			err = c.addTimelineStatus(ctx, tb, st)
		}
	case "status.update":
		var st status
		if json.Unmarshal(payload, &st) == nil && st.ID != "" {
			// An edit changes what is stored and starts nothing.
			if _, known := c.placed(st.ID); known || st.Visibility == "direct" {
				err = c.add(ctx, tb, st, true)
			}
		}
	case "conversation":
		var cv conversation
		if json.Unmarshal(payload, &cv) == nil && cv.LastStatus != nil && cv.LastStatus.ID != "" && cv.LastStatus.Visibility == "direct" {
			err = c.add(ctx, tb, *cv.LastStatus, false)
		}
	case "delete":
		// Only the stream says a status was deleted: polling never sees it.
		if id := strings.Trim(strings.TrimSpace(string(payload)), `"`); id != "" {
			tb.Deletions = append(tb.Deletions, inbox.Deletion{ExternalID: id, At: c.http.Now()})
		}
	}
	if err != nil {
		return err
	}
	if len(tb.Items) == 0 && len(tb.Posts) == 0 && len(tb.Deletions) == 0 {
		return nil
	}
	return s.deliver(*tb.Batch)
}

// addTimelineStatus files a new status from the home timeline: ours when
// it answers someone (a reply sent from another app), a direct message,
// or a reply inside a conversation already stored. The rest of the home
// timeline is not the inbox, and costs no request.
func (c *Connector) addTimelineStatus(ctx context.Context, tb *threadBatch, s status) error {
	switch {
	case s.ID == "" || s.Reblog != nil:
		return nil
	case s.Account.ID == tb.me:
		return c.addOwnStatus(ctx, tb, s)
	case s.Visibility == "direct":
		return c.add(ctx, tb, s, false)
	}
	if p, ok := c.placed(s.replyTo()); ok && !p.root {
		return c.add(ctx, tb, s, true)
	}
	return nil
}
