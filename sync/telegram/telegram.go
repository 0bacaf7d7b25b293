// Package telegram connects a Telegram bot the brand owns (network
// "telegram") through the Bot API: private chats with the bot, the brand
// channel's discussion group (comments under each channel post, with the
// post as context) and groups the bot administers come in by long polling
// getUpdates; replies, deletions and bans go out.
//
// A bot cannot read chat history: it sees only what arrives as updates, and
// Telegram keeps undelivered updates for about 24 hours. parley therefore
// long-polls all the time and says so when it was away longer than that.
package telegram

import (
	"context"
	"fmt"
	gosync "sync"
	"time"

	"github.com/parleyhq/parley/inbox"
	psync "github.com/parleyhq/parley/sync"
)

func init() { psync.Register("telegram", factory, "base_url", "bot_id") }

// DefaultBaseURL is the Bot API server.
const DefaultBaseURL = "https://api.telegram.org"

// pollTimeout is how long getUpdates holds the request open when nothing
// happens (Telegram allows up to 50 s; proxies often cut idle requests
// near 60 s).
const pollTimeout = 30 * time.Second

// Options are an account's [account.options].
type Options struct {
	BaseURL string // https://api.telegram.org (tests: a local server)
	// BotID is the bot the account was connected with (0: not checked):
	// a token of another bot would read another queue.
	BotID int64
}

func factory(cfg psync.AccountConfig) (psync.Connector, error) {
	o := Options{BaseURL: DefaultBaseURL}
	if v, ok := cfg.Options["base_url"].(string); ok && v != "" {
		o.BaseURL = v
	}
	if v, ok := cfg.Options["bot_id"].(int64); ok {
		o.BotID = v
	}
	tok, err := psync.TokenSource(cfg.Label, cfg.Options)
	if err != nil {
		return nil, err
	}
	return New(o, tok)
}

// Connector is one bot.
type Connector struct {
	opts Options
	api  *api
	pace *sendPacer

	mu      gosync.Mutex
	started bool // a Fetch has run in this process
	drain   bool // the last page was full: ask again without waiting
	// sends remembers, per outbox key, whether an attempt may have
	// reached Telegram (see Perform).
	sends map[string]sendState
}

// New builds a connector for a bot token source.
func New(o Options, token func(context.Context) (string, error)) (*Connector, error) {
	if o.BaseURL == "" {
		o.BaseURL = DefaultBaseURL
	}
	a, err := newAPI(o.BaseURL, token)
	if err != nil {
		return nil, err
	}
	c := &Connector{opts: o, api: a, sends: map[string]sendState{}}
	c.pace = newSendPacer(func() time.Time { return a.http.Now() }, func(ctx context.Context, d time.Duration) error { return a.http.Sleep(ctx, d) })
	return c, nil
}

// textLimit is sendMessage's limit: 4096 characters after entity parsing
// (parley sends plain text, so the text as typed).
var textLimit = inbox.TextLimit{Max: 4096, Unit: inbox.CountChars}

// Capabilities implements sync.Connector. Fetch long-polls (it waits in
// getUpdates until something happens), so the engine calls it again at once.
func (c *Connector) Capabilities() psync.Capabilities {
	return psync.Capabilities{Reply: true, Delete: true, PollInterval: time.Millisecond,
		Moderation: []inbox.ActionKind{inbox.ActionDelete, inbox.ActionBlock}, TextLimit: textLimit}
}

func (c *Connector) now() time.Time { return c.api.http.Now() }

// The external ids parley stores. Message ids are unique only within a
// chat, so the chat rides along; the sender too, because a ban needs it
// and a bot cannot look a message up later.
func dmConv(chat int64) string             { return fmt.Sprintf("dm:%d", chat) }
func threadConv(chat, root int64) string   { return fmt.Sprintf("thread:%d:%d", chat, root) }
func topicConv(chat, topic int64) string   { return fmt.Sprintf("topic:%d:%d", chat, topic) }
func postID(chat, fwd int64) string        { return fmt.Sprintf("post:%d:%d", chat, fwd) }
func msgID(chat, id, sender int64) string  { return fmt.Sprintf("msg:%d:%d:%d", chat, id, sender) }
func topicPostID(chat, topic int64) string { return fmt.Sprintf("topic:%d:%d", chat, topic) }
func unix(s int64) time.Time               { return time.Unix(s, 0).UTC() }
