// Package bluesky connects a Bluesky account (network "bluesky") over
// XRPC: replies, mentions and quotes of the brand come in from
// listNotifications, one conversation per thread (replies) or per post
// (mentions, quotes), with the thread's root post as context; direct
// messages come from the chat service behind the account's PDS. Replies
// go out as posts with correct reply refs and facets, or as chat
// messages; replies in the brand's threads can be hidden (threadgate
// hiddenReplies), and mute, block and report are offered.
//
// Sign-in is by handle and app password: the session it opens is kept
// (in session_file when set) and refreshed, never re-created on every
// start, because createSession is tightly rate-limited.
package bluesky

import (
	"context"
	"fmt"
	"strings"
	gosync "sync"
	"time"

	"github.com/parleyhq/parley/inbox"
	psync "github.com/parleyhq/parley/sync"
)

func init() {
	psync.Register("bluesky", factory, "handle", "service", "did", "session_file", "direct_messages")
}

// DefaultService is where sessions are opened for Bluesky-hosted accounts
// (the entryway); the PDS that serves the account comes from the
// session's DID document.
const DefaultService = "https://bsky.social"

// Options are an account's [account.options].
type Options struct {
	Handle  string // the identifier to sign in with (handle or DID)
	Service string // where createSession goes (default bsky.social)
	// DID is the account the app password was connected for: a session
	// for another account is refused.
	DID string
	// SessionFile keeps the session (its refresh token) between runs,
	// mode 0600; empty: in memory only.
	SessionFile string
	// DirectMessages: read and answer DMs (default true); they need an
	// app password created with DM access.
	DirectMessages bool
	Backlog        time.Duration
	Poll           time.Duration
}

func factory(cfg psync.AccountConfig) (psync.Connector, error) {
	o := Options{Service: DefaultService, DirectMessages: true}
	o.Handle, _ = cfg.Options["handle"].(string)
	if v, ok := cfg.Options["service"].(string); ok && v != "" {
		o.Service = v
	}
	o.DID, _ = cfg.Options["did"].(string)
	o.SessionFile, _ = cfg.Options["session_file"].(string)
	if v, ok := cfg.Options["direct_messages"].(bool); ok {
		o.DirectMessages = v
	}
	if strings.TrimSpace(o.Handle) == "" {
		return nil, fmt.Errorf("account %q: set handle (e.g. \"acme.bsky.social\"); parley connect bluesky does this for you", cfg.Label)
	}
	poll, backlog, err := psync.Schedule(cfg)
	if err != nil {
		return nil, err
	}
	o.Poll, o.Backlog = poll, backlog
	pw, err := psync.TokenSource(cfg.Label, cfg.Options)
	if err != nil {
		return nil, err
	}
	return New(o, pw)
}

// Connector is one Bluesky account.
type Connector struct {
	opts Options
	api  *api

	mu    gosync.Mutex
	roots map[string]bool // thread roots whose post was fetched in this process
}

// New builds a connector; password yields the app password.
func New(o Options, password func(context.Context) (string, error)) (*Connector, error) {
	if o.Service == "" {
		o.Service = DefaultService
	}
	if o.Poll == 0 {
		o.Poll = time.Minute
	}
	a, err := newAPI(o, password)
	if err != nil {
		return nil, err
	}
	c := &Connector{opts: o, api: a}
	c.roots = map[string]bool{}
	return c, nil
}

// postLimit is app.bsky.feed.post's text limit: 300 graphemes (and 3000
// bytes, checked when sending). dmLimit is chat.bsky's: 1000 graphemes.
var (
	postLimit = inbox.TextLimit{Max: 300, Unit: inbox.CountGraphemes}
	dmLimit   = inbox.TextLimit{Max: 1000, Unit: inbox.CountGraphemes}
)

const postMaxBytes = 3000

// Capabilities implements sync.Connector.
func (c *Connector) Capabilities() psync.Capabilities {
	return psync.Capabilities{Reply: true, Hide: true, PollInterval: c.opts.Poll, TextLimit: postLimit, DMLimit: dmLimit,
		Moderation: []inbox.ActionKind{inbox.ActionHide, inbox.ActionUnhide, inbox.ActionMute, inbox.ActionBlock, inbox.ActionReport}}
}

// The external ids parley stores. Posts are their at-uris; chat messages
// carry their conversation and sender, because mute and block need the
// sender and chat has no way to look a message up by id.
func threadConv(root string) string        { return "thread:" + root }
func postConv(uri string) string           { return "post:" + uri }
func dmConv(convo string) string           { return "dm:" + convo }
func dmMsgID(convo, id, did string) string { return "dmmsg:" + convo + ":" + id + ":" + did }

// splitDMMsg reads "dmmsg:CONVO:ID:DID" (a DID has colons of its own).
func splitDMMsg(id string) (convo, msg, did string, ok bool) {
	rest, ok := strings.CutPrefix(id, "dmmsg:")
	if !ok {
		return "", "", "", false
	}
	parts := strings.SplitN(rest, ":", 3)
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || !strings.HasPrefix(parts[2], "did:") {
		return "", "", "", false
	}
	return parts[0], parts[1], parts[2], true
}

// atURI is at://AUTHORITY/COLLECTION/RKEY.
type atURI struct{ Repo, Collection, RKey string }

func parseATURI(s string) (atURI, bool) {
	rest, ok := strings.CutPrefix(s, "at://")
	if !ok {
		return atURI{}, false
	}
	p := strings.Split(rest, "/")
	if len(p) != 3 || p[0] == "" || p[1] == "" || p[2] == "" {
		return atURI{}, false
	}
	return atURI{p[0], p[1], p[2]}, true
}

// permalink is the bsky.app address of a post.
func permalink(uri, handle string) string {
	u, ok := parseATURI(uri)
	if !ok || u.Collection != "app.bsky.feed.post" {
		return ""
	}
	who := u.Repo
	if handle != "" && handle != "handle.invalid" {
		who = handle
	}
	return "https://bsky.app/profile/" + who + "/post/" + u.RKey
}
