// Package youtube syncs the comments under a YouTube channel's videos
// through Google's generated client for the Data API v3: one conversation
// per top-level comment, its replies folded in, the video as context.
// Quota, not rate, is what limits YouTube: every call is booked in a
// per-day ledger kept in the account's cursor, polling is spaced to fit
// what is left of the day, and when it is spent calls wait for midnight
// Pacific time.
package youtube

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	gosync "sync"
	"time"

	"google.golang.org/api/option"
	yt "google.golang.org/api/youtube/v3"

	"github.com/parleyhq/parley/inbox"
	psync "github.com/parleyhq/parley/sync"
	"github.com/parleyhq/parley/sync/googleauth"
)

func init() {
	psync.Register("youtube", factory, append([]string{"channel_id", "base_url", "quota_per_day"}, googleauth.Options...)...)
}

// commentLimit is the longest comment YouTube takes (commentTextTooLong
// beyond it).
var commentLimit = inbox.TextLimit{Max: 10000, Unit: inbox.CountChars}

// Options configure a connector.
type Options struct {
	ChannelID string
	// Base is the API root (default https://youtube.googleapis.com/).
	Base string
	// QuotaPerDay is the project's daily units (default 10,000). Accounts
	// sharing one Cloud project should split it between them.
	QuotaPerDay int
	// PollMin is the engine's tick and the shortest interval while
	// comments are arriving; PollMax the longest when it is quiet.
	PollMin, PollMax time.Duration
	Backlog          time.Duration
	HTTP             *http.Client // carries the OAuth token
	Now              func() time.Time
}

// Connector is one YouTube channel.
type Connector struct {
	opts  Options
	svc   *yt.Service
	quota *quota

	mu     gosync.Mutex
	titles map[string]inbox.Post // video id → its context, fetched once
	loaded bool                  // the stored ledger was merged
}

func factory(cfg psync.AccountConfig) (psync.Connector, error) {
	channel, _ := cfg.Options["channel_id"].(string)
	if channel == "" {
		return nil, fmt.Errorf("account %q: no channel_id (parley connect youtube sets it)", cfg.Label)
	}
	poll, backlog, err := psync.Schedule(cfg)
	if err != nil {
		return nil, err
	}
	q := defaultQuota
	if v, ok := cfg.Options["quota_per_day"].(int64); ok {
		if v < 100 || v > 100_000_000 {
			return nil, fmt.Errorf("account %q: quota_per_day must be between 100 and 100000000", cfg.Label)
		}
		q = int(v)
	}
	tr, err := googleauth.NewTransport(cfg.Label, "youtube", cfg.Options, googleauth.ScopeYouTube)
	if err != nil {
		return nil, err
	}
	base, _ := cfg.Options["base_url"].(string)
	return New(context.Background(), Options{ChannelID: channel, Base: base, QuotaPerDay: q, PollMin: poll,
		Backlog: backlog, HTTP: tr.Client()})
}

// New builds a connector.
func New(ctx context.Context, o Options) (*Connector, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.QuotaPerDay <= 0 {
		o.QuotaPerDay = defaultQuota
	}
	if o.PollMin <= 0 {
		o.PollMin = time.Minute
	}
	if o.PollMax <= 0 {
		o.PollMax = max(15*time.Minute, o.PollMin)
	}
	if o.Backlog <= 0 {
		o.Backlog = 7 * 24 * time.Hour
	}
	svc, err := service(ctx, o.Base, o.HTTP)
	if err != nil {
		return nil, err
	}
	return &Connector{opts: o, svc: svc, quota: &quota{limit: o.QuotaPerDay}, titles: map[string]inbox.Post{}}, nil
}

// service is the generated client on our HTTP client (which carries the
// token), at base when given.
func service(ctx context.Context, base string, hc *http.Client) (*yt.Service, error) {
	opts := []option.ClientOption{option.WithHTTPClient(hc), option.WithUserAgent("parley (+https://github.com/parleyhq/parley)")}
	if base != "" {
		opts = append(opts, option.WithEndpoint(strings.TrimRight(base, "/")+"/"))
	}
	return yt.NewService(ctx, opts...)
}

// Capabilities implements sync.Connector. Hide is "hold for review",
// unhide "publish", delete rejects someone else's comment (or deletes our
// own), block rejects it and bans its author from the channel.
// markAsSpam is not offered: YouTube no longer supports it.
func (c *Connector) Capabilities() psync.Capabilities {
	return psync.Capabilities{Reply: true, Hide: true, Delete: true, PollInterval: c.opts.PollMin,
		Moderation: []inbox.ActionKind{inbox.ActionHide, inbox.ActionUnhide, inbox.ActionDelete, inbox.ActionBlock},
		TextLimit:  commentLimit}
}

// cursor is what the store keeps for the account between fetches.
type cursor struct {
	// Newest is the publish time of the newest top-level comment synced:
	// the next walk stops at it (YouTube has no "since").
	Newest time.Time `json:"newest,omitzero"`
	// Walk is set while a walk through the pages is under way.
	Walk *walk `json:"walk,omitempty"`
	// Replies is the reply count last seen per recent thread, so the
	// missing replies of a thread are fetched only when it grew.
	Replies map[string]int64 `json:"replies,omitempty"`
	Ledger  Ledger           `json:"quota"`
	// NextPoll is when the next walk may start; Interval the spacing
	// chosen last; Cost the units a walk took on average.
	NextPoll time.Time     `json:"next_poll,omitzero"`
	Interval time.Duration `json:"interval,omitempty"`
	Cost     float64       `json:"cost,omitempty"`
	Spent    bool          `json:"spent,omitempty"` // the last fetch found the quota spent
}

type walk struct {
	Page   string    `json:"page,omitempty"`
	Stop   time.Time `json:"stop"`
	Newest time.Time `json:"newest,omitzero"`
	Units  int       `json:"units,omitempty"`
	Found  int       `json:"found,omitempty"` // comments newer than Stop
}

func decodeCursor(s string) cursor {
	var c cursor
	if s != "" {
		// A cursor we cannot read starts a fresh sync: stored messages
		// are keyed, so nothing doubles.
		_ = json.Unmarshal([]byte(s), &c)
	}
	return c
}

func (c cursor) encode() string {
	b, _ := json.Marshal(c)
	return string(b)
}

// QuotaLeft reads the units left today from a stored cursor, for
// `parley accounts`.
func (c *Connector) QuotaLeft(stored string, now time.Time) (left, limit int) {
	l := decodeCursor(stored).Ledger
	if l.Day != quotaDay(now) {
		l.Used = 0
	}
	return max(c.opts.QuotaPerDay-l.Used, 0), c.opts.QuotaPerDay
}
