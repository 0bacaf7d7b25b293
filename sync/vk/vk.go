// Package vk connects a VKontakte community (network "vk") through the VK
// API 5.199: wall posts and their two-level comment threads, discussion
// boards and community messages in; wall, board and message replies,
// comment deletion and bans out. New items arrive through the Bots Long
// Poll API; walls and boards are read by polling.
//
// VK decides per method which credential it accepts, so an account has
// two: a community token (messages, Long Poll, wall replies as the
// community) and an admin user token (reading the wall and boards, deleting
// comments, board replies, bans). Either may be missing; what it alone
// enables is then all that is offered, and the account's note says what
// is off.
package vk

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
	psync.Register("vk", factory, "group_id", "base_url", "user_token_file", "user_token_env", "user_token_cmd")
}

// Options are an account's [account.options].
type Options struct {
	GroupID      int64         // the community's id (positive)
	BaseURL      string        // https://api.vk.com (tests: a local server)
	PollInterval time.Duration // walls and boards are polled this often; default 1m
	Backlog      time.Duration // how far back the first sync reaches; default 7 days
	// UserRate and GroupRate are requests per second per token: VK allows
	// 3 for a user token and 20 for a community token.
	UserRate, GroupRate int
}

func factory(cfg psync.AccountConfig) (psync.Connector, error) {
	o := Options{BaseURL: "https://api.vk.com"}
	var err error
	if o.PollInterval, o.Backlog, err = psync.Schedule(cfg); err != nil {
		return nil, err
	}
	switch v := cfg.Options["group_id"].(type) {
	case int64:
		o.GroupID = v
	case string:
		fmt.Sscan(strings.TrimPrefix(v, "-"), &o.GroupID)
	}
	if o.GroupID <= 0 {
		return nil, fmt.Errorf("account %q: group_id is missing: the community's numeric id (parley connect vk sets it)", cfg.Label)
	}
	if v, ok := cfg.Options["base_url"].(string); ok {
		o.BaseURL = v
	}
	group, user, err := tokenSources(cfg)
	if err != nil {
		return nil, err
	}
	return New(o, group, user)
}

// tokenSources reads the two credentials: token_file/token_env/token_cmd
// for the community token and user_token_file/user_token_env/
// user_token_cmd for the admin user token. At least one must be set.
func tokenSources(cfg psync.AccountConfig) (group, user func(context.Context) (string, error), err error) {
	userOpts := map[string]any{}
	groupSet := false
	for k, v := range cfg.Options {
		if rest, ok := strings.CutPrefix(k, "user_"); ok && strings.HasPrefix(rest, "token_") {
			userOpts[rest] = v
		} else if strings.HasPrefix(k, "token_") {
			groupSet = true
		}
	}
	if groupSet {
		if group, err = psync.TokenSource(cfg.Label, cfg.Options); err != nil {
			return nil, nil, err
		}
	}
	if len(userOpts) > 0 {
		if user, err = psync.TokenSource(cfg.Label+" (user token)", userOpts); err != nil {
			return nil, nil, err
		}
	}
	if group == nil && user == nil {
		return nil, nil, fmt.Errorf("account %q: no token: set token_file (community token) and/or user_token_file (admin user token); parley connect vk does this for you", cfg.Label)
	}
	return group, user, nil
}

// Connector is one VK community.
type Connector struct {
	opts  Options
	group *api // nil without a community token
	user  *api // nil without a user token

	mu      gosync.Mutex
	people  *people
	started bool // a Fetch has run in this process
	lp      map[string]*psync.HTTPClient
}

// New builds a connector; group or user may be nil, not both.
func New(o Options, group, user func(context.Context) (string, error)) (*Connector, error) {
	if o.GroupID <= 0 {
		return nil, fmt.Errorf("vk: group_id must be the community's positive id")
	}
	if group == nil && user == nil {
		return nil, fmt.Errorf("vk: give a community token, a user token, or both")
	}
	if o.BaseURL == "" {
		o.BaseURL = "https://api.vk.com"
	}
	if o.PollInterval <= 0 {
		o.PollInterval = time.Minute
	}
	if o.Backlog <= 0 {
		o.Backlog = 7 * 24 * time.Hour
	}
	if o.UserRate <= 0 {
		o.UserRate = 3
	}
	if o.GroupRate <= 0 {
		o.GroupRate = 20
	}
	c := &Connector{opts: o, people: newPeople(), lp: map[string]*psync.HTTPClient{}}
	var err error
	if group != nil {
		if c.group, err = newAPI(o.BaseURL, groupToken, group, o.GroupRate); err != nil {
			return nil, err
		}
	}
	if user != nil {
		if c.user, err = newAPI(o.BaseURL, userToken, user, o.UserRate); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Capabilities implements sync.Connector. With a community token the
// account long-polls: Fetch itself waits for VK's events (or for the next
// wall poll), so the engine calls it again at once.
func (c *Connector) Capabilities() psync.Capabilities {
	// messages.send takes at most 9,000 characters (the 5.199 schema's
	// maxLength); VK states no limit for wall and board comments.
	caps := psync.Capabilities{Reply: true, PollInterval: c.opts.PollInterval,
		DMLimit: inbox.TextLimit{Max: 9000, Unit: inbox.CountChars}}
	if c.group != nil {
		caps.PollInterval = time.Millisecond
	}
	if c.user != nil {
		caps.Delete = true
		caps.Moderation = []inbox.ActionKind{inbox.ActionDelete, inbox.ActionBlock}
	}
	return caps
}

// reader is the credential that may read walls and boards: only a user
// (or service) token; a community token gets error 27.
func (c *Connector) reader() *api { return c.user }

// any is whichever credential exists, the community's first (it has the
// larger rate budget).
func (c *Connector) anyAPI() *api {
	if c.group != nil {
		return c.group
	}
	return c.user
}

func (c *Connector) ownerID() int64 { return -c.opts.GroupID }

// The external ids parley stores. VK comment ids are unique per wall, but
// the post and topic ride along so actions know where to go.
func wallConv(post int, top int64) string     { return fmt.Sprintf("wall:%d:%d", post, top) }
func wallMsg(post int, id int64) string       { return fmt.Sprintf("wall:%d:%d", post, id) }
func boardConv(topic int) string              { return fmt.Sprintf("board:%d", topic) }
func boardMsg(topic int, id int64) string     { return fmt.Sprintf("board:%d:%d", topic, id) }
func dmConv(peer int64) string                { return fmt.Sprintf("dm:%d", peer) }
func dmMsg(id int64) string                   { return fmt.Sprintf("msg:%d", id) }
func (c *Connector) postID(post int) string   { return fmt.Sprintf("wall%d_%d", c.ownerID(), post) }
func (c *Connector) topicID(topic int) string { return fmt.Sprintf("topic%d_%d", c.ownerID(), topic) }

func (c *Connector) wallLink(post int, id, top int64) string {
	u := fmt.Sprintf("https://vk.com/wall%d_%d?reply=%d", c.ownerID(), post, id)
	if top != 0 && top != id {
		u += fmt.Sprintf("&thread=%d", top)
	}
	return u
}

func (c *Connector) boardLink(topic int, id int64) string {
	return fmt.Sprintf("https://vk.com/topic%d_%d?post=%d", c.ownerID(), topic, id)
}

func (c *Connector) dmLink(peer int64) string {
	return fmt.Sprintf("https://vk.com/gim%d?sel=%d", c.opts.GroupID, peer)
}
