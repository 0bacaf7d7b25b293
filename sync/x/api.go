package x

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	gosync "sync"
	"time"

	"golang.org/x/oauth2"

	psync "github.com/parleyhq/parley/sync"
)

// Scopes parley asks for: reading mentions and users, replying, hiding
// replies, reading and answering DMs, and offline.access for a refresh
// token. Accounts connected before DMs were read lack dm.*: a refused DM
// read says to connect again.
var Scopes = []string{"tweet.read", "users.read", "tweet.write", "tweet.moderate.write", "dm.read", "dm.write", "offline.access"}

// OAuthConfig is the OAuth 2.0 client of the manager's X developer App.
// A confidential client authenticates to the token endpoint with Basic
// auth; a public one (no secret) sends its client_id with PKCE.
func OAuthConfig(clientID, secret, authURL, tokenURL string) *oauth2.Config {
	ep := oauth2.Endpoint{AuthURL: DefaultAuthURL, TokenURL: DefaultTokenURL, AuthStyle: oauth2.AuthStyleInHeader}
	if authURL != "" {
		ep.AuthURL = authURL
	}
	if tokenURL != "" {
		ep.TokenURL = tokenURL
	}
	if secret == "" {
		ep.AuthStyle = oauth2.AuthStyleInParams
	}
	return &oauth2.Config{ClientID: clientID, ClientSecret: secret, Endpoint: ep, Scopes: Scopes}
}

// tokens keeps the access token (two hours) and the refresh token.
// Refresh is golang.org/x/oauth2's; X rotates the refresh token on every
// refresh, so the new one is written to token_file before it is used:
// losing it would need a new sign-in.
type tokens struct {
	cfg  *oauth2.Config
	file string
	http *http.Client

	mu  gosync.Mutex
	tok *oauth2.Token
}

// earlyRefresh renews an access token this long before it lapses.
const earlyRefresh = 2 * time.Minute

func (t *tokens) access(ctx context.Context) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tok != nil && t.tok.AccessToken != "" && time.Until(t.tok.Expiry) > earlyRefresh {
		return t.tok.AccessToken, nil
	}
	rt := ""
	if t.tok != nil {
		rt = t.tok.RefreshToken
	}
	if rt == "" {
		var err error
		if rt, err = psync.ReadSecretFile(t.file); err != nil {
			return "", fmt.Errorf("%w: the X refresh token: %v", psync.ErrAuth, err)
		}
	}
	// Refreshes outlive the request that asked: their own context, the
	// same transport.
	rctx := context.WithValue(context.Background(), oauth2.HTTPClient, t.http)
	tok, err := t.cfg.TokenSource(rctx, &oauth2.Token{RefreshToken: rt}).Token()
	if err != nil {
		return "", refreshError(err)
	}
	if tok.RefreshToken == "" {
		tok.RefreshToken = rt
	}
	if tok.RefreshToken != rt && t.file != "" {
		if err := psync.WriteSecretFile(t.file, tok.RefreshToken); err != nil {
			t.tok = tok // kept in memory: this run goes on
			return "", fmt.Errorf("%w: X replaced the refresh token but writing it to %s failed (%v): fix the file's folder, or run parley connect x after this run", psync.ErrAuth, t.file, err)
		}
	}
	t.tok = tok
	return tok.AccessToken, nil
}

// forget drops the access token after X refused it.
func (t *tokens) forget(stale string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tok != nil && t.tok.AccessToken == stale {
		t.tok.AccessToken = ""
	}
}

// refreshError says what a failed refresh means without repeating X's body.
func refreshError(err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return fmt.Errorf("renewing the X access token: %v", err) // network trouble: retryable
	}
	switch {
	case re.Response != nil && re.Response.StatusCode >= 500:
		return fmt.Errorf("renewing the X access token: X answered %d; will retry", re.Response.StatusCode)
	case re.Response != nil && re.Response.StatusCode == http.StatusTooManyRequests:
		return &psync.RateLimitError{RetryAfter: time.Minute, Msg: "X's token endpoint asked us to slow down"}
	case re.ErrorCode == "unauthorized_client" || re.ErrorCode == "invalid_client":
		return fmt.Errorf("%w: X refused the OAuth client (%s): check client_id and the client secret of your developer App, then run parley connect x", psync.ErrAuth, re.ErrorCode)
	}
	return fmt.Errorf("%w: X no longer accepts the saved sign-in (%s: revoked, or a refresh token already used); run parley connect x", psync.ErrAuth, orWord(re.ErrorCode, "refused"))
}

func orWord(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// api calls X API v2 with the account's user token.
type api struct {
	hc  *psync.HTTPClient
	tok *tokens
}

type tokenKey struct{}

func newAPI(o Options) (*api, error) {
	t := &tokens{cfg: OAuthConfig(o.ClientID, o.ClientSecret, "", o.TokenURL), file: o.TokenFile, http: o.HTTP}
	if t.http == nil {
		t.http = &http.Client{Timeout: 30 * time.Second}
	}
	hc, err := psync.NewHTTPClient(o.Base, false, func(ctx context.Context) (string, error) {
		tok, err := t.access(ctx)
		if p, ok := ctx.Value(tokenKey{}).(*string); ok {
			*p = tok
		}
		return tok, err
	})
	if err != nil {
		return nil, fmt.Errorf("x base_url: %w", err)
	}
	if o.HTTP != nil {
		hc.HTTP = o.HTTP
	}
	hc.MapError = mapError
	hc.Pace = psync.PaceRemaining("x-rate-limit-remaining", lowWater, resetWait, hc.Now)
	hc.Sleep = psync.ReportingSleep(hc.Sleep)
	return &api{hc: hc, tok: t}, nil
}

// do runs one call; a refused access token gets one fresh token and one
// more try.
func (a *api) do(ctx context.Context, r psync.Request, out any) error {
	for try := 0; ; try++ {
		// The token first: the shared client would call any failure to
		// get one an authentication failure, and a token endpoint that is
		// briefly down is not that.
		if _, err := a.tok.access(ctx); err != nil {
			return fmt.Errorf("x: %w", err)
		}
		var used string
		_, err := a.hc.Do(context.WithValue(ctx, tokenKey{}, &used), r, out)
		if err == nil {
			return nil
		}
		if try == 0 && errors.Is(err, errUnauthorized) {
			a.tok.forget(used)
			continue
		}
		return fmt.Errorf("x: %w", err)
	}
}
