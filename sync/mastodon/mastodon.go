// Package mastodon connects parley to Mastodon and every server that speaks
// its client API (GoToSocial, Pleroma, Akkoma): mentions, replies to our
// posts and direct messages in; replies and moderation out.
package mastodon

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	gosync "sync"
	"time"

	"github.com/parleyhq/parley/inbox"
	psync "github.com/parleyhq/parley/sync"
)

func init() { psync.Register("mastodon", factory, "server", "insecure_skip_verify") }

// Options are an account's [account.options].
type Options struct {
	Server       string        // https://mastodon.social, or http://127.0.0.1:PORT for a local server
	Insecure     bool          // skip TLS verification (local test servers only)
	PollInterval time.Duration // default 60s
	Backlog      time.Duration // how far back the first sync reaches; default 7 days
}

func factory(cfg psync.AccountConfig) (psync.Connector, error) {
	var o Options
	var err error
	if o.PollInterval, o.Backlog, err = psync.Schedule(cfg); err != nil {
		return nil, err
	}
	o.Server, _ = cfg.Options["server"].(string)
	o.Insecure, _ = cfg.Options["insecure_skip_verify"].(bool)
	tok, err := psync.TokenSource(cfg.Label, cfg.Options)
	if err != nil {
		return nil, err
	}
	return New(o, tok)
}

// Connector is one Mastodon account.
type Connector struct {
	opts Options
	http *psync.HTTPClient

	mu        gosync.Mutex
	me        string           // our account id, once known
	places    map[string]place // where each status seen belongs (see thread.go)
	known     map[string]status
	histOK    map[string]bool // edit histories already read
	inst      *instance       // what the server said about itself, once asked
	instTried bool            // Fetch asked (it asks once, whatever the answer)
}

// New builds a connector. Plain http is accepted only for loopback servers:
// elsewhere the token would cross the network in clear.
func New(o Options, token func(context.Context) (string, error)) (*Connector, error) {
	u, err := url.Parse(o.Server)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("mastodon: server %q: give a full URL such as https://mastodon.social", o.Server)
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return nil, fmt.Errorf("mastodon: server %q: plain http is only allowed for a server on this machine; use https", o.Server)
	}
	c, err := psync.NewHTTPClient(o.Server, o.Insecure, token)
	if err != nil {
		return nil, err
	}
	if o.PollInterval <= 0 {
		o.PollInterval = time.Minute
	}
	c.Sleep = psync.ReportingSleep(c.Sleep)
	return &Connector{opts: o, http: c, places: map[string]place{}, known: map[string]status{}, histOK: map[string]bool{}}, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Capabilities implements sync.Connector.
func (c *Connector) Capabilities() psync.Capabilities {
	// Mastodon keeps an Idempotency-Key for an hour, but other servers of
	// the same API ignore it: sends are not guaranteed idempotent.
	return psync.Capabilities{Reply: true, PollInterval: c.opts.PollInterval, IdempotentSends: false,
		Moderation: []inbox.ActionKind{inbox.ActionDismiss, inbox.ActionMute, inbox.ActionBlock, inbox.ActionReport},
		// 500 until /api/v1/instance says what this server allows.
		TextLimit: c.textLimit()}
}

// Me verifies the token and returns the account it belongs to.
func (c *Connector) Me(ctx context.Context) (account, error) {
	var me account
	_, err := c.http.Do(ctx, psync.Request{Method: "GET", Path: "/api/v1/accounts/verify_credentials"}, &me)
	if err == nil && me.ID == "" {
		err = errors.New("verify_credentials: the server returned no account id")
	}
	if err == nil {
		c.mu.Lock()
		c.me = me.ID
		c.mu.Unlock()
	}
	return me, err
}

// myID is our account id, asked for once.
func (c *Connector) myID(ctx context.Context) (string, error) {
	c.mu.Lock()
	me := c.me
	c.mu.Unlock()
	if me != "" {
		return me, nil
	}
	a, err := c.Me(ctx)
	return a.ID, err
}
