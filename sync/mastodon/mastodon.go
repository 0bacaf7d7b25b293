// Package mastodon connects parley to Mastodon and every server that speaks
// its client API (GoToSocial, Pleroma, Akkoma): mentions, replies to our
// posts and direct messages in; replies and moderation out.
package mastodon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
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
	return &Connector{opts: o, http: c}, nil
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
	return psync.Capabilities{Reply: true, PollInterval: c.opts.PollInterval,
		Moderation: []inbox.ActionKind{inbox.ActionDismiss, inbox.ActionMute, inbox.ActionBlock, inbox.ActionReport}}
}

// Me verifies the token and returns the account it belongs to.
func (c *Connector) Me(ctx context.Context) (account, error) {
	var me account
	_, err := c.http.Do(ctx, psync.Request{Method: "GET", Path: "/api/v1/accounts/verify_credentials"}, &me)
	if err == nil && me.ID == "" {
		err = errors.New("verify_credentials: the server returned no account id")
	}
	return me, err
}

// cursor is the account's sync position, committed with each page.
type cursor struct {
	Me     string `json:"me"`               // our account id, verified once
	Phase  string `json:"phase"`            // "backlog" (first sync, walking back) or "live"
	MaxID  string `json:"max_id,omitempty"` // backlog: the page below this id comes next
	Newest string `json:"newest,omitempty"` // highest notification id stored
}

const pageLimit = 40

// Fetch implements sync.Connector. The first sync walks back through the
// notifications (newest first, following Link rel="next") until the backlog
// limit, committing each page; after that each poll asks only for what is
// newer than the newest stored (min_id), oldest page first.
func (c *Connector) Fetch(ctx context.Context, raw string) (inbox.Batch, error) {
	var cur cursor
	if raw != "" {
		if err := json.Unmarshal([]byte(raw), &cur); err != nil {
			return inbox.Batch{}, psync.Permanent(fmt.Errorf("mastodon: unreadable cursor %q", raw))
		}
	}
	if cur.Me == "" {
		me, err := c.Me(ctx)
		if err != nil {
			return inbox.Batch{}, err
		}
		cur = cursor{Me: me.ID, Phase: "backlog"}
	}
	q := url.Values{"types[]": {"mention", "quote"}, "limit": {strconv.Itoa(pageLimit)}}
	if cur.Phase == "backlog" && cur.MaxID != "" {
		q.Set("max_id", cur.MaxID)
	}
	if cur.Phase == "live" && cur.Newest != "" {
		q.Set("min_id", cur.Newest)
	}
	var ns []notification
	res, err := c.http.Do(ctx, psync.Request{Method: "GET", Path: "/api/v1/notifications", Query: q}, &ns)
	if err != nil {
		return inbox.Batch{}, err
	}
	b := inbox.Batch{}
	tc := &threadCache{m: map[string]threadContext{}}
	oldest := time.Time{}
	for _, n := range ns {
		if n.ID == "" {
			continue
		}
		if cur.Newest == "" || idLess(cur.Newest, n.ID) {
			cur.Newest = n.ID
		}
		if oldest.IsZero() || n.CreatedAt.Before(oldest) {
			oldest = n.CreatedAt
		}
		if n.Status == nil || (n.Type != "mention" && n.Type != "quote") {
			continue
		}
		if cur.Phase == "backlog" && n.CreatedAt.Before(c.http.Now().Add(-c.opts.Backlog)) {
			continue // older than the first sync reaches back
		}
		if err := c.add(ctx, &b, cur.Me, n, tc); err != nil {
			return inbox.Batch{}, err
		}
	}
	switch cur.Phase {
	case "backlog":
		next := res.Links["next"]
		nextMax := ""
		if u, err := url.Parse(next); err == nil {
			nextMax = u.Query().Get("max_id")
		}
		tooOld := !oldest.IsZero() && oldest.Before(c.http.Now().Add(-c.opts.Backlog))
		if next == "" || nextMax == "" || nextMax == cur.MaxID || tooOld {
			cur.Phase, cur.MaxID = "live", ""
		} else {
			// An empty page can still have a next link: keep walking.
			cur.MaxID = nextMax
			b.More = true
		}
	case "live":
		b.More = len(ns) >= pageLimit
	}
	enc, _ := json.Marshal(cur)
	b.Cursor = string(enc)
	return b, nil
}

type threadCache struct {
	mu gosync.Mutex
	m  map[string]threadContext
}

// thread returns a status's ancestors, nil if the status is gone.
func (c *Connector) thread(ctx context.Context, id string, tc *threadCache) ([]status, error) {
	tc.mu.Lock()
	t, ok := tc.m[id]
	tc.mu.Unlock()
	if ok {
		return t.Ancestors, nil
	}
	_, err := c.http.Do(ctx, psync.Request{Method: "GET", Path: "/api/v1/statuses/" + url.PathEscape(id) + "/context"}, &t)
	var pe *psync.PermanentError
	if errors.As(err, &pe) {
		return nil, nil // deleted or hidden: no context, not an error
	}
	if err != nil {
		return nil, err
	}
	tc.mu.Lock()
	tc.m[id] = t
	tc.mu.Unlock()
	return t.Ancestors, nil
}

// add turns one notification into conversation items.
//   - direct: a DM, grouped with every earlier DM among the same people;
//   - a reply under one of our posts: a comment conversation per top-level
//     reply, with our post as context;
//   - any other mention or quote: a mention conversation per thread.
func (c *Connector) add(ctx context.Context, b *inbox.Batch, me string, n notification, tc *threadCache) error {
	s := *n.Status
	if s.Visibility == "direct" {
		b.Items = append(b.Items, item("dm:"+participants(s, me), inbox.KindDM, "", s, me))
		return nil
	}
	var ancestors []status
	if s.replyTo() != "" {
		var err error
		if ancestors, err = c.thread(ctx, s.ID, tc); err != nil {
			return err
		}
	}
	if len(ancestors) == 0 {
		b.Items = append(b.Items, item("mention:"+s.ID, inbox.KindMention, "", s, me))
		return nil
	}
	root := ancestors[0]
	if root.Account.ID == me {
		top := s
		if len(ancestors) > 1 {
			top = ancestors[1]
		}
		b.Posts = append(b.Posts, inbox.Post{ExternalID: root.ID, Author: author(root.Account),
			Text: htmlToText(root.Content), Permalink: root.URL, CreatedAt: root.CreatedAt})
		conv := "reply:" + top.ID
		for _, a := range ancestors[1:] {
			b.Items = append(b.Items, item(conv, inbox.KindComment, root.ID, a, me))
		}
		b.Items = append(b.Items, item(conv, inbox.KindComment, root.ID, s, me))
		return nil
	}
	conv := "mention:" + root.ID
	for _, a := range ancestors {
		b.Items = append(b.Items, item(conv, inbox.KindMention, "", a, me))
	}
	b.Items = append(b.Items, item(conv, inbox.KindMention, "", s, me))
	return nil
}

func author(a account) inbox.Author {
	return inbox.Author{ID: a.ID, Handle: "@" + a.Acct, Name: a.DisplayName, URL: a.URL}
}

func item(conv string, kind inbox.Kind, post string, s status, me string) inbox.Inbound {
	dir := inbox.In
	if s.Account.ID == me {
		dir = inbox.Out
	}
	text := htmlToText(s.Content)
	if s.SpoilerText != "" {
		text = "CW: " + s.SpoilerText + "\n" + text
	}
	link := s.URL
	if link == "" {
		link = s.URI
	}
	return inbox.Inbound{ConversationID: conv, Kind: kind, PostID: post, Message: inbox.Message{
		ExternalID: s.ID, ParentID: s.replyTo(), Direction: dir, Author: author(s.Account),
		Text: text, CreatedAt: s.CreatedAt, Permalink: link}}
}

// participants names a DM conversation by everyone in it but us, so all
// direct messages among the same people form one conversation.
func participants(s status, me string) string {
	var accts []string
	add := func(id, acct string) {
		if id != me && acct != "" && !slices.Contains(accts, acct) {
			accts = append(accts, acct)
		}
	}
	add(s.Account.ID, s.Account.Acct)
	for _, m := range s.Mentions {
		add(m.ID, m.Acct)
	}
	slices.Sort(accts)
	return strings.Join(accts, ",")
}
