// Package ok connects an Odnoklassniki (OK.ru) group (network "ok"):
// comments under the group's topics through the REST API, signed as OK
// requires, and the group's chats through the Bot API; replies in both,
// and deleting or reporting a topic comment.
//
// An account has up to two credentials, as OK splits them: an access
// token of a group administrator for the REST API, which works only with
// the application's key and secret key (the signature), and the group's
// Bot API token for chats. Either may be missing; what is off is then
// said in the account's note.
package ok

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/parleyhq/parley/inbox"
	psync "github.com/parleyhq/parley/sync"
)

func init() {
	psync.Register("ok", factory, "group_id", "application_key", "app_secret_file", "app_secret_env", "app_secret_cmd",
		"session_secret_file", "session_secret_env", "session_secret_cmd", "bot_token_file", "bot_token_env", "bot_token_cmd", "base_url")
}

// Options are an account's [account.options].
type Options struct {
	GroupID      string        // the group's numeric id
	AppKey       string        // the application's public key
	BaseURL      string        // https://api.ok.ru (tests: a local server)
	PollInterval time.Duration // default 1m
	Backlog      time.Duration // default 7 days
	Rate         int           // REST requests per second; default 3
}

func factory(cfg psync.AccountConfig) (psync.Connector, error) {
	o := Options{BaseURL: "https://api.ok.ru"}
	var err error
	if o.PollInterval, o.Backlog, err = psync.Schedule(cfg); err != nil {
		return nil, err
	}
	switch v := cfg.Options["group_id"].(type) {
	case int64:
		o.GroupID = fmt.Sprint(v)
	case string:
		o.GroupID = strings.TrimPrefix(v, "group:")
	}
	if !digits(o.GroupID) {
		return nil, fmt.Errorf("account %q: group_id is missing or not a number: the group's numeric id (parley connect ok sets it)", cfg.Label)
	}
	o.AppKey, _ = cfg.Options["application_key"].(string)
	if v, ok := cfg.Options["base_url"].(string); ok {
		o.BaseURL = v
	}
	src, err := sources(cfg)
	if err != nil {
		return nil, err
	}
	return New(o, src)
}

// Sources are where an account's secrets come from; nil when not given.
type Sources struct {
	Token, AppSecret, SessionSecret, Bot func(context.Context) (string, error)
}

// sources reads token_*, app_secret_*, session_secret_* and bot_token_*.
func sources(cfg psync.AccountConfig) (Sources, error) {
	var s Sources
	pick := func(prefix, what string) (func(context.Context) (string, error), error) {
		opts := map[string]any{}
		for _, k := range []string{"file", "env", "cmd"} {
			if v, ok := cfg.Options[prefix+k]; ok {
				opts["token_"+k] = v
			}
		}
		if len(opts) == 0 {
			return nil, nil
		}
		return psync.TokenSource(cfg.Label+" ("+what+")", opts)
	}
	var err error
	if s.Token, err = pick("token_", "access token"); err != nil {
		return s, err
	}
	if s.AppSecret, err = pick("app_secret_", "application secret key"); err != nil {
		return s, err
	}
	if s.SessionSecret, err = pick("session_secret_", "session secret key"); err != nil {
		return s, err
	}
	if s.Bot, err = pick("bot_token_", "Bot API token"); err != nil {
		return s, err
	}
	switch {
	case s.Token == nil && s.Bot == nil:
		return s, fmt.Errorf("account %q: no token: set token_file (a group administrator's access token) and/or bot_token_file (the group's Bot API token); parley connect ok does this for you", cfg.Label)
	case s.Token != nil && (s.AppSecret == nil && s.SessionSecret == nil):
		return s, fmt.Errorf("account %q: the access token needs the application's secret key to sign requests: set app_secret_file (parley connect ok does this)", cfg.Label)
	case s.Token != nil:
		if ak, _ := cfg.Options["application_key"].(string); ak == "" {
			return s, fmt.Errorf("account %q: application_key is missing: the application's public key (ok.ru → your application → settings)", cfg.Label)
		}
	}
	return s, nil
}

// Connector is one OK group.
type Connector struct {
	opts Options
	rest *rest // nil without an access token
	bot  *bot  // nil without a Bot API token
}

// New builds a connector from options and secret sources.
func New(o Options, s Sources) (*Connector, error) {
	if !digits(o.GroupID) {
		return nil, fmt.Errorf("ok: group_id must be the group's numeric id")
	}
	if s.Token == nil && s.Bot == nil {
		return nil, fmt.Errorf("ok: give an access token, a Bot API token, or both")
	}
	if o.BaseURL == "" {
		o.BaseURL = "https://api.ok.ru"
	}
	if o.PollInterval <= 0 {
		o.PollInterval = time.Minute
	}
	if o.Backlog <= 0 {
		o.Backlog = 7 * 24 * time.Hour
	}
	if o.Rate <= 0 {
		o.Rate = 3
	}
	c := &Connector{opts: o}
	var err error
	if s.Token != nil {
		if c.rest, err = newREST(o.BaseURL, o.AppKey, s.Token, s.AppSecret, s.SessionSecret, o.Rate); err != nil {
			return nil, err
		}
	}
	if s.Bot != nil {
		if c.bot, err = newBot(o.BaseURL, s.Bot); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Capabilities implements sync.Connector. OK publishes no text limits:
// 4096 characters for a comment is a cautious assumption, and 4000 for a
// chat message is the limit of the TamTam Bot API that OK's follows; both
// are unconfirmed against the live API.
func (c *Connector) Capabilities() psync.Capabilities {
	caps := psync.Capabilities{Reply: true, PollInterval: c.opts.PollInterval,
		TextLimit: inbox.TextLimit{Max: 4096, Unit: inbox.CountChars}, DMLimit: inbox.TextLimit{Max: 4000, Unit: inbox.CountChars}}
	if c.rest != nil {
		// The Bot API cannot delete chat messages: only comments are offered.
		caps.Delete = true
		caps.Moderation = []inbox.ActionKind{inbox.ActionDelete, inbox.ActionReport}
	}
	return caps
}

func (c *Connector) now() time.Time {
	if c.rest != nil {
		return c.rest.http.Now()
	}
	return c.bot.http.Now()
}

// The external ids parley stores. A comment's topic rides along so that
// actions know where to go.
func topicConv(topic, top string) string        { return "topic:" + topic + ":" + top }
func topicMsg(topic, id string) string          { return "topic:" + topic + ":" + id }
func chatConv(chatID string) string             { return chatID } // "chat:…"
func chatMsg(mid string) string                 { return mid }    // "mid:…"
func (c *Connector) postID(topic string) string { return "group" + c.opts.GroupID + "_topic" + topic }

func (c *Connector) topicLink(topic string) string {
	return "https://ok.ru/group/" + c.opts.GroupID + "/topic/" + topic
}

func (c *Connector) chatLink(chatID string) string {
	return "https://ok.ru/group/" + c.opts.GroupID + "/messages/" + strings.TrimPrefix(chatID, "chat:")
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
