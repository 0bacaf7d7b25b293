// Package x connects an X (formerly Twitter) account (network "x") over
// the X API v2: mentions of the brand come in from
// GET /2/users/:id/mentions, one conversation per thread
// (conversation_id), with the thread's first post as context when X
// returns it; direct messages from GET /2/dm_events, one conversation per
// dm_conversation_id. Replies go out with POST /2/tweets or as DMs, and a
// reply under one of the brand's own threads can be hidden.
//
// X charges for every resource read and written (pay-per-use credits).
// Every call's cost is estimated from a price list the account can
// override, recorded in the cursor (a month's ledger), and reads stop —
// never sends — when max_monthly_spend is reached or the day's share of
// it is spent.
//
// Sign-in is OAuth 2.0 user context with PKCE; X rotates refresh tokens
// on every refresh, so the new one is written back to token_file at once.
package x

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/parleyhq/parley/inbox"
	psync "github.com/parleyhq/parley/sync"
)

func init() {
	psync.Register("x", factory, "user_id", "username", "client_id", "client_secret_file", "base_url", "token_url",
		"max_monthly_spend", "price_post_read", "price_user_read", "price_post_create", "price_post_create_url", "price_content_manage",
		"price_dm_read", "price_dm_create", "direct_messages", "dm_poll_interval")
}

// DefaultBase is the API root; DefaultTokenURL and DefaultAuthURL are
// X's OAuth 2.0 endpoints.
const (
	DefaultBase     = "https://api.x.com"
	DefaultTokenURL = "https://api.x.com/2/oauth2/token"
	DefaultAuthURL  = "https://x.com/i/oauth2/authorize"
)

// DefaultMonthlySpend is max_monthly_spend when none is set, in US
// dollars: enough for about 50 mentions a day with their authors.
const DefaultMonthlySpend = 25.0

// DefaultPoll is how often mentions are read. X's pricing page bills
// resources returned, not requests, so an empty poll (since_id, nothing
// new) should cost nothing — the page does not say so in as many words;
// the interval trades how soon a mention shows against the mentions rate
// limit (300 requests per 15 minutes per user).
const DefaultPoll = 5 * time.Minute

// Options are an account's [account.options].
type Options struct {
	UserID   string // the brand account's numeric id
	Username string
	ClientID string
	// ClientSecret is empty for a public (PKCE-only) client.
	ClientSecret string
	Base         string
	TokenURL     string
	// TokenFile keeps the refresh token; X rotates it on every refresh.
	TokenFile string
	MaxSpend  float64 // US dollars a month
	// DirectMessages: read and answer DMs (default true); they need the
	// dm.read and dm.write scopes of a sign-in made since parley asks
	// for them.
	DirectMessages bool
	DMInterval     time.Duration // how often DMs are read (DefaultDMInterval)
	Prices         Prices
	Backlog        time.Duration
	Poll           time.Duration
	// HTTP replaces the transport (tests).
	HTTP *http.Client
}

func factory(cfg psync.AccountConfig) (psync.Connector, error) {
	o := Options{Base: DefaultBase, TokenURL: DefaultTokenURL, MaxSpend: DefaultMonthlySpend, Prices: DefaultPrices, DirectMessages: true, DMInterval: DefaultDMInterval}
	str := func(k string) string { s, _ := cfg.Options[k].(string); return strings.TrimSpace(s) }
	o.UserID, o.Username, o.ClientID = str("user_id"), str("username"), str("client_id")
	if v := str("base_url"); v != "" {
		o.Base = v
	}
	if v := str("token_url"); v != "" {
		o.TokenURL = v
	}
	if o.UserID == "" || o.ClientID == "" {
		return nil, fmt.Errorf("account %q: set user_id and client_id; parley connect x does this for you", cfg.Label)
	}
	if f := str("client_secret_file"); f != "" {
		s, err := psync.ReadSecretFile(f)
		if err != nil {
			return nil, fmt.Errorf("account %q: client secret: %w", cfg.Label, err)
		}
		o.ClientSecret = s
	}
	o.TokenFile = str("token_file")
	if o.TokenFile == "" {
		return nil, fmt.Errorf("account %q: X needs token_file (not token_env or token_cmd): it replaces the refresh token on every refresh and parley must write the new one back", cfg.Label)
	}
	var err error
	if o.MaxSpend, err = money(cfg, "max_monthly_spend", o.MaxSpend); err != nil {
		return nil, err
	}
	for _, p := range []struct {
		name string
		to   *float64
	}{{"price_post_read", &o.Prices.PostRead}, {"price_user_read", &o.Prices.UserRead}, {"price_post_create", &o.Prices.PostCreate},
		{"price_post_create_url", &o.Prices.PostCreateURL}, {"price_content_manage", &o.Prices.ContentManage},
		{"price_dm_read", &o.Prices.DMRead}, {"price_dm_create", &o.Prices.DMCreate}} {
		if *p.to, err = money(cfg, p.name, *p.to); err != nil {
			return nil, err
		}
	}
	if v, ok := cfg.Options["direct_messages"].(bool); ok {
		o.DirectMessages = v
	}
	if v, ok := cfg.Options["dm_poll_interval"].(string); ok {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Minute {
			return nil, fmt.Errorf("account %q: dm_poll_interval %q: use a duration of at least 1m (X allows 15 DM reads per 15 minutes), e.g. \"5m\"", cfg.Label, v)
		}
		o.DMInterval = d
	}
	poll, backlog, err := psync.Schedule(cfg)
	if err != nil {
		return nil, err
	}
	if _, set := cfg.Options["poll_interval"]; !set {
		poll = DefaultPoll
	}
	o.Poll, o.Backlog = poll, backlog
	return New(o)
}

// money reads a dollar amount (TOML integer or float, not negative).
func money(cfg psync.AccountConfig, k string, def float64) (float64, error) {
	switch v := cfg.Options[k].(type) {
	case nil:
		return def, nil
	case int64:
		if v >= 0 {
			return float64(v), nil
		}
	case float64:
		if v >= 0 {
			return v, nil
		}
	}
	return 0, fmt.Errorf("account %q: %s must be an amount in US dollars, e.g. 25 or 0.005", cfg.Label, k)
}

// Connector is one X account.
type Connector struct {
	opts  Options
	api   *api
	spend *ledgerBox
	// pageMax caps a mentions page below X's 100 (tests page with it).
	pageMax int
	// now is the clock the DM interval is kept by (tests move it).
	now func() time.Time
}

// New builds a connector.
func New(o Options) (*Connector, error) {
	if o.Base == "" {
		o.Base = DefaultBase
	}
	if o.Poll == 0 {
		o.Poll = DefaultPoll
	}
	if o.Prices == (Prices{}) {
		o.Prices = DefaultPrices
	}
	if o.DMInterval == 0 {
		o.DMInterval = DefaultDMInterval
	}
	c := &Connector{opts: o, spend: &ledgerBox{max: o.MaxSpend}, now: time.Now}
	a, err := newAPI(o)
	if err != nil {
		return nil, err
	}
	c.api = a
	return c, nil
}

// postLimit is X's: 280 in twitter-text's weighting (a standard account).
var postLimit = inbox.TextLimit{Max: 280, Unit: inbox.CountWeighted}

// Capabilities implements sync.Connector.
func (c *Connector) Capabilities() psync.Capabilities {
	return psync.Capabilities{Reply: true, Hide: true, PollInterval: c.opts.Poll, TextLimit: postLimit, DMLimit: dmLimit}
}

// QuotaLeft says how many mentions (with their authors) today's share of
// the monthly spend still pays for; `parley accounts` shows it.
func (c *Connector) QuotaLeft(cursor string, now time.Time) (left, limit int) {
	cur, _ := parseCursor(cursor)
	b := &ledgerBox{max: c.opts.MaxSpend}
	b.restore(cur.Spend, now)
	each := c.opts.Prices.PostRead + c.opts.Prices.UserRead
	if each <= 0 {
		return 0, 0
	}
	return int(b.readsLeft(now) / each), int(b.dayAllowance(now) / each)
}

// The external ids parley stores: posts are their numeric ids,
// conversations the thread's conversation_id.
func convID(conversation string) string { return "conv:" + conversation }

func permalink(username, id string) string {
	if username == "" {
		return "https://x.com/i/web/status/" + id
	}
	return "https://x.com/" + username + "/status/" + id
}
