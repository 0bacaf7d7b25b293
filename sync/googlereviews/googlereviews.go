// Package googlereviews syncs the reviews of a brand's Google Business
// Profile locations through the v4 accounts.locations.reviews API (still
// the only one with reviews; google.golang.org/api has no v4 mybusiness
// package) on the shared HTTP client, and answers them.
package googlereviews

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/parleyhq/parley/inbox"
	psync "github.com/parleyhq/parley/sync"
	"github.com/parleyhq/parley/sync/googleauth"
)

func init() {
	psync.Register("google-reviews", factory, append([]string{"account", "locations", "base_url"}, googleauth.Options...)...)
}

// replyLimit: a review reply is at most 4,096 bytes.
var replyLimit = inbox.TextLimit{Max: 4096, Unit: inbox.CountBytes}

// DefaultBase is the v4 API host.
const DefaultBase = "https://mybusiness.googleapis.com"

// Options configure a connector.
type Options struct {
	Account   string   // accounts/1234
	Locations []string // locations/5678, as the Business Information API names them
	Base      string
	Poll      time.Duration
	Backlog   time.Duration
	Transport http.RoundTripper // adds the OAuth token
	Now       func() time.Time
}

// Connector is one Business Profile account and the locations it follows.
type Connector struct {
	opts Options
	http *psync.HTTPClient
}

func factory(cfg psync.AccountConfig) (psync.Connector, error) {
	acct, _ := cfg.Options["account"].(string)
	locs, err := locations(cfg.Options["locations"])
	if err != nil || acct == "" || len(locs) == 0 {
		return nil, fmt.Errorf("account %q: set account = \"accounts/…\" and locations = [\"locations/…\", …] (parley connect google-reviews does this)", cfg.Label)
	}
	poll, backlog, err := psync.Schedule(cfg)
	if err != nil {
		return nil, err
	}
	if _, set := cfg.Options["poll_interval"]; !set {
		poll = 5 * time.Minute // reviews come slowly; each poll costs a call per location
	}
	tr, err := googleauth.NewTransport(cfg.Label, "google-reviews", cfg.Options, googleauth.ScopeBusiness)
	if err != nil {
		return nil, err
	}
	base, _ := cfg.Options["base_url"].(string)
	return New(Options{Account: acct, Locations: locs, Base: base, Poll: poll, Backlog: backlog, Transport: tr})
}

// locations reads the option: a list, or one string with commas.
func locations(v any) ([]string, error) {
	var raw []string
	switch v := v.(type) {
	case string:
		raw = strings.Split(v, ",")
	case []string:
		raw = v
	case []any:
		for _, x := range v {
			s, ok := x.(string)
			if !ok {
				return nil, fmt.Errorf("locations: %v is not a string", x)
			}
			raw = append(raw, s)
		}
	}
	var out []string
	for _, s := range raw {
		if s = strings.TrimSpace(s); s != "" {
			if !strings.HasPrefix(s, "locations/") {
				s = "locations/" + s
			}
			out = append(out, s)
		}
	}
	return out, nil
}

// New builds a connector.
func New(o Options) (*Connector, error) {
	if o.Base == "" {
		o.Base = DefaultBase
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Poll <= 0 {
		o.Poll = 5 * time.Minute
	}
	if o.Backlog <= 0 {
		o.Backlog = 7 * 24 * time.Hour
	}
	if !strings.HasPrefix(o.Account, "accounts/") {
		o.Account = "accounts/" + o.Account
	}
	c, err := newHTTP(o.Base, o.Transport)
	if err != nil {
		return nil, err
	}
	c.Now = o.Now
	return &Connector{opts: o, http: c}, nil
}

// newHTTP is the shared client with Google's error mapping, its token
// added by the OAuth transport underneath.
func newHTTP(base string, tr http.RoundTripper) (*psync.HTTPClient, error) {
	c, err := psync.NewHTTPClient(base, false, nil)
	if err != nil {
		return nil, err
	}
	if t, ok := tr.(*googleauth.Transport); ok && t.Base == nil {
		t.Base = c.HTTP.Transport
	}
	if tr != nil {
		c.HTTP.Transport = tr
	}
	c.MapError = mapError
	return c, nil
}

// Capabilities implements sync.Connector. The business can answer a
// review, change its answer (a reply overwrites) and delete it; it can
// neither hide nor delete the review itself, so no moderation is offered.
func (c *Connector) Capabilities() psync.Capabilities {
	// A business cannot hide or delete a review, only its own answer.
	return psync.Capabilities{Reply: true, ReviewReply: true, PollInterval: c.opts.Poll, TextLimit: replyLimit,
		Moderation: []inbox.ActionKind{inbox.ActionDelete}}
}
