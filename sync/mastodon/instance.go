package mastodon

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/parleyhq/parley/inbox"
	psync "github.com/parleyhq/parley/sync"
)

// defaultMaxChars is Mastodon's own status length, used until the server
// says otherwise (and for servers that never say).
const defaultMaxChars = 500

// discover reads GET /api/v1/instance once per process: where the
// streaming API is served (it may be another host) and how long a status
// may be. A server without the endpoint is taken at its defaults.
func (c *Connector) discover(ctx context.Context) (instance, error) {
	c.mu.Lock()
	if c.inst != nil {
		in := *c.inst
		c.mu.Unlock()
		return in, nil
	}
	c.mu.Unlock()
	var in instance
	res, err := c.http.Do(ctx, psync.Request{Method: "GET", Path: "/api/v1/instance"}, &in)
	if err != nil && (res == nil || res.Status != http.StatusNotFound) {
		return instance{}, err
	}
	c.mu.Lock()
	c.inst = &in
	c.mu.Unlock()
	return in, nil
}

// textLimit is the longest status the server accepts, once discovered.
func (c *Connector) textLimit() inbox.TextLimit {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := defaultMaxChars
	if c.inst != nil {
		switch {
		case c.inst.Configuration.Statuses.MaxCharacters > 0:
			n = c.inst.Configuration.Statuses.MaxCharacters
		case c.inst.MaxTootChars > 0:
			n = c.inst.MaxTootChars
		}
	}
	return inbox.TextLimit{Max: n, Unit: inbox.CountChars}
}

// streamURLs are the WebSocket endpoint (both user and direct streams over
// one connection) and the server-sent-events endpoint of the user stream,
// on the host the instance names. The token goes to that host, so it must
// be reached over TLS, or be this machine.
func (c *Connector) streamURLs(in instance) (ws, sse string, err error) {
	raw := in.Configuration.URLs.Streaming
	if raw == "" {
		raw = in.URLs.StreamingAPI
	}
	u := *c.http.Base
	if raw != "" {
		p, err := url.Parse(raw)
		if err != nil || p.Host == "" {
			return "", "", fmt.Errorf("mastodon: the server names an unusable streaming URL %q", raw)
		}
		u = *p
	}
	secure := u.Scheme == "wss" || u.Scheme == "https"
	if !secure && !((u.Scheme == "ws" || u.Scheme == "http") && isLoopback(u.Hostname())) {
		return "", "", fmt.Errorf("mastodon: the server names the streaming URL %q; only wss:// (or ws:// on this machine) carries the token safely, so the account is polled: %w", raw, psync.ErrNoStream)
	}
	u.RawQuery, u.Fragment, u.User = "", "", nil
	u.Path = strings.TrimSuffix(strings.TrimRight(u.Path, "/"), "/api/v1/streaming") + "/api/v1/streaming"
	w, s := u, u
	w.Scheme, s.Scheme = "ws", "http"
	if secure {
		w.Scheme, s.Scheme = "wss", "https"
	}
	w.RawQuery = url.Values{"stream": {"user"}}.Encode()
	s.Path += "/user"
	return w.String(), s.String(), nil
}
