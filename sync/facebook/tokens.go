package facebook

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	gosync "sync"
	"time"

	psync "github.com/parleyhq/parley/sync"
)

// Meta's tokens: a user token from Graph API Explorer or a login flow is
// short-lived (about an hour) and so is a Page token derived from it. With
// the app's id and secret the user token is exchanged for a long-lived one
// (about 60 days), and Page tokens derived from that do not expire.
// Instagram Login tokens live an hour, are exchanged for 60-day tokens and
// must be refreshed (at least a day old, not yet expired) to stay alive.

// Token is an access token and when it stops working (zero: never, or not
// known).
type Token struct {
	Value     string
	ExpiresAt time.Time
}

// tokenAnswer is what Meta's token endpoints return.
type tokenAnswer struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
}

func (t tokenAnswer) token(now time.Time) (Token, error) {
	if t.AccessToken == "" {
		return Token{}, errors.New("the token endpoint answered without a token")
	}
	tok := Token{Value: t.AccessToken}
	if t.ExpiresIn > 0 {
		tok.ExpiresAt = now.Add(time.Duration(t.ExpiresIn) * time.Second)
	}
	return tok, nil
}

// tokenClient calls a token endpoint: the secrets travel in the query, as
// Meta documents, and never in an error (errors name only the path).
func tokenClient(baseURL string) (*psync.HTTPClient, error) {
	c, err := psync.NewHTTPClient(strings.TrimRight(baseURL, "/"), false, nil)
	if err != nil {
		return nil, err
	}
	c.MapError, c.Pace = mapError, pace
	return c, nil
}

// ExchangeUserToken trades a (short-lived) user token for a long-lived one:
// GET /oauth/access_token?grant_type=fb_exchange_token.
func ExchangeUserToken(ctx context.Context, baseURL, version, appID, appSecret, userToken string) (Token, error) {
	if appID == "" || appSecret == "" {
		return Token{}, errors.New("exchanging the token needs the app id and app secret (App Dashboard → App settings → Basic)")
	}
	c, err := tokenClient(baseURL)
	if err != nil {
		return Token{}, err
	}
	var res tokenAnswer
	if _, err := c.Do(ctx, psync.Request{Method: "GET", Path: "/" + version + "/oauth/access_token", Query: url.Values{
		"grant_type": {"fb_exchange_token"}, "client_id": {appID}, "client_secret": {appSecret}, "fb_exchange_token": {userToken}}}, &res); err != nil {
		return Token{}, fmt.Errorf("exchanging for a long-lived token: %w", err)
	}
	return res.token(c.Now())
}

// TokenInfo is what /debug_token says about a token.
type TokenInfo struct {
	Valid     bool
	Type      string    // USER, PAGE, APP
	ExpiresAt time.Time // zero: does not expire
	// DataAccessExpiresAt is when the user's data access lapses (90 days
	// after they last used the app) even if the token itself does not.
	DataAccessExpiresAt time.Time
	Scopes              []string
}

// DebugToken asks GET /debug_token about a token. Meta documents the app
// token (app_id|app_secret) as the caller; without the app's secret the
// token itself is used, which Graph accepts for user and Page tokens of
// the same app [unverified for every token type].
func DebugToken(ctx context.Context, baseURL, version, input, appID, appSecret string) (TokenInfo, error) {
	c, err := tokenClient(baseURL)
	if err != nil {
		return TokenInfo{}, err
	}
	caller := input
	if appID != "" && appSecret != "" {
		caller = appID + "|" + appSecret
	}
	c.Token = func(context.Context) (string, error) { return caller, nil }
	var res struct {
		Data struct {
			Type       string   `json:"type"`
			IsValid    bool     `json:"is_valid"`
			ExpiresAt  int64    `json:"expires_at"`
			DataAccess int64    `json:"data_access_expires_at"`
			Scopes     []string `json:"scopes"`
		} `json:"data"`
	}
	if _, err := c.Do(ctx, psync.Request{Method: "GET", Path: "/" + version + "/debug_token",
		Query: url.Values{"input_token": {input}}}, &res); err != nil {
		return TokenInfo{}, err
	}
	d := res.Data
	info := TokenInfo{Valid: d.IsValid, Type: d.Type, Scopes: d.Scopes}
	if d.ExpiresAt > 0 {
		info.ExpiresAt = time.Unix(d.ExpiresAt, 0)
	}
	if d.DataAccess > 0 {
		info.DataAccessExpiresAt = time.Unix(d.DataAccess, 0)
	}
	return info, nil
}

// ExchangeInstagramToken trades a short-lived Instagram Login token for a
// 60-day one: GET graph.instagram.com/access_token?grant_type=ig_exchange_token.
func ExchangeInstagramToken(ctx context.Context, baseURL, appSecret, token string) (Token, error) {
	if appSecret == "" {
		return Token{}, errors.New("exchanging the token needs the Instagram app secret (App Dashboard → Instagram → API setup with Instagram login)")
	}
	c, err := tokenClient(baseURL)
	if err != nil {
		return Token{}, err
	}
	var res tokenAnswer
	if _, err := c.Do(ctx, psync.Request{Method: "GET", Path: "/access_token", Query: url.Values{
		"grant_type": {"ig_exchange_token"}, "client_secret": {appSecret}, "access_token": {token}}}, &res); err != nil {
		return Token{}, fmt.Errorf("exchanging for a long-lived Instagram token: %w", err)
	}
	return res.token(c.Now())
}

// RefreshInstagramToken renews a long-lived Instagram Login token for
// another 60 days: GET graph.instagram.com/refresh_access_token.
func RefreshInstagramToken(ctx context.Context, baseURL, token string) (Token, error) {
	c, err := tokenClient(baseURL)
	if err != nil {
		return Token{}, err
	}
	var res tokenAnswer
	if _, err := c.Do(ctx, psync.Request{Method: "GET", Path: "/refresh_access_token", Query: url.Values{
		"grant_type": {"ig_refresh_token"}, "access_token": {token}}}, &res); err != nil {
		return Token{}, fmt.Errorf("refreshing the Instagram token: %w", err)
	}
	return res.token(c.Now())
}

// Instagram Login tokens live 60 days from their exchange or last refresh.
// parley refreshes a token it keeps in a file once the file is a week old,
// so it always has more than seven weeks left, and reads the expiry from
// the file's time (the file is written exactly when a token is obtained).
const (
	igTokenLife      = 60 * 24 * time.Hour
	igRefreshAge     = 7 * 24 * time.Hour
	igRefreshMinAge  = 24 * time.Hour // Meta refuses to refresh a younger token
	igRefreshBackoff = time.Hour      // after a failed refresh
)

// tokenKeeper is the connector's token: read from the account's source,
// replaced in memory and on disk when refreshed.
type tokenKeeper struct {
	source func(context.Context) (string, error)
	file   string // token_file, if that is the source: refreshed tokens are written back

	mu        gosync.Mutex
	current   string
	lastTried time.Time
}

func (k *tokenKeeper) get(ctx context.Context) (string, error) {
	k.mu.Lock()
	cur := k.current
	k.mu.Unlock()
	if cur != "" {
		return cur, nil
	}
	return k.source(ctx)
}

// obtained is when the kept token was written, from its file.
func (k *tokenKeeper) obtained() (time.Time, bool) {
	if k.file == "" {
		return time.Time{}, false
	}
	st, err := os.Stat(expandHome(k.file))
	if err != nil {
		return time.Time{}, false
	}
	return st.ModTime(), true
}

// refreshIfDue renews an Instagram Login token once its file is a week old
// and writes the new one back (0600). A failed refresh of a token that still
// works is reported, not fatal; one Meta refuses outright is ErrAuth.
func (c *Connector) refreshIfDue(ctx context.Context) (notice string, err error) {
	k := c.tok
	if k == nil || !c.opts.IGLogin {
		return "", nil
	}
	got, ok := k.obtained()
	if !ok {
		return "", nil // token_env or token_cmd: parley cannot keep a refreshed token
	}
	now := c.http.Now()
	k.mu.Lock()
	recent := now.Sub(k.lastTried) < igRefreshBackoff
	k.mu.Unlock()
	if now.Sub(got) < igRefreshAge || recent {
		return "", nil
	}
	k.mu.Lock()
	k.lastTried = now
	k.mu.Unlock()
	old, err := k.get(ctx)
	if err != nil {
		return "", err
	}
	fresh, err := RefreshInstagramToken(ctx, c.opts.BaseURL, old)
	switch {
	case errors.Is(err, psync.ErrAuth):
		return "", err
	case err != nil:
		expires := got.Add(igTokenLife)
		return fmt.Sprintf("the Instagram token could not be refreshed (%v); it expires about %s — parley tries again hourly",
			err, expires.Format("2006-01-02")), nil
	}
	if err := psync.WriteSecretFile(expandHome(k.file), fresh.Value); err != nil {
		// The new token works but could not be kept: use it now, say so.
		k.mu.Lock()
		k.current = fresh.Value
		k.mu.Unlock()
		return fmt.Sprintf("the refreshed Instagram token could not be saved to %s: %v", k.file, err), nil
	}
	k.mu.Lock()
	k.current = fresh.Value
	k.mu.Unlock()
	return "", nil
}

// TokenExpiry says when the account's token stops working (zero: never),
// for parley accounts: /debug_token for Facebook tokens, the token file's
// age for Instagram Login tokens (graph.instagram.com has no debug_token).
func (c *Connector) TokenExpiry(ctx context.Context) (time.Time, error) {
	if c.opts.IGLogin {
		got, ok := c.tok.obtained()
		if !ok {
			return time.Time{}, errors.New("unknown: the token is not kept in a file parley refreshes")
		}
		return got.Add(igTokenLife), nil
	}
	tok, err := c.tok.get(ctx)
	if err != nil {
		return time.Time{}, err
	}
	secret := ""
	if c.opts.AppSecret != nil {
		if secret, err = c.opts.AppSecret(ctx); err != nil {
			return time.Time{}, err
		}
	}
	info, err := DebugToken(ctx, c.opts.BaseURL, c.opts.Version, tok, c.opts.AppID, secret)
	if err != nil {
		return time.Time{}, err
	}
	if !info.Valid {
		return time.Time{}, fmt.Errorf("%w: Meta says the token is no longer valid", psync.ErrAuth)
	}
	return info.ExpiresAt, nil
}

// proofTransport adds appsecret_proof (hex HMAC-SHA256 of the access token,
// keyed with the app secret) to every call, as apps with "Require App
// Secret" demand. It reads the token from the request's bearer header, so
// paging links and every endpoint get it too.
type proofTransport struct {
	base   http.RoundTripper
	secret func(context.Context) (string, error)
}

func (t *proofTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || tok == "" {
		return t.base.RoundTrip(r)
	}
	secret, err := t.secret(r.Context())
	if err != nil {
		return nil, fmt.Errorf("app secret: %w", err)
	}
	r = r.Clone(r.Context())
	q := r.URL.Query()
	q.Set("appsecret_proof", appSecretProof(tok, secret))
	r.URL.RawQuery = q.Encode()
	return t.base.RoundTrip(r)
}

func appSecretProof(token, secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(token))
	return hex.EncodeToString(m.Sum(nil))
}

// secretSource reads the app secret from app_secret_file (0600) or
// app_secret_env, once, when first needed.
func secretSource(label string, opts map[string]any) (func(context.Context) (string, error), error) {
	file, _ := opts["app_secret_file"].(string)
	env, _ := opts["app_secret_env"].(string)
	switch {
	case file == "" && env == "":
		return nil, nil
	case file != "" && env != "":
		return nil, fmt.Errorf("account %q: set only one of app_secret_file, app_secret_env", label)
	}
	var mu gosync.Mutex
	var cached string
	return func(context.Context) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		if cached != "" {
			return cached, nil
		}
		var v string
		var err error
		if file != "" {
			v, err = psync.ReadSecretFile(file)
		} else if v = strings.TrimSpace(os.Getenv(env)); v == "" {
			err = fmt.Errorf("account %q: environment variable %s (app secret) is empty or unset", label, env)
		}
		if err == nil {
			cached = v
		}
		return v, err
	}, nil
}

func expandHome(p string) string {
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			return home + "/" + rest
		}
	}
	return p
}
