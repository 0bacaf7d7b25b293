// Package googleauth is the OAuth side that parley's Google networks
// (YouTube, Business Profile reviews) share: the OAuth client of the
// manager's Google Cloud project, an HTTP client that carries an access
// token obtained from the stored refresh token (renewed before it
// expires, and once more when Google answers 401), and the sign-in that
// obtains the refresh token over SSH as well as locally.
//
// Token handling is golang.org/x/oauth2's; this package only decides
// where the refresh token lives (sync.TokenSource: token_file 0600,
// token_env or token_cmd) and what a refusal means (sync.ErrAuth).
package googleauth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	gosync "sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/endpoints"

	psync "github.com/parleyhq/parley/sync"
)

// Scopes parley asks for. youtube.force-ssl is the one the comment calls
// (list, insert, setModerationStatus, delete) document; business.manage
// is the only Business Profile scope.
const (
	ScopeYouTube  = "https://www.googleapis.com/auth/youtube.force-ssl"
	ScopeBusiness = "https://www.googleapis.com/auth/business.manage"
)

// Options are the [account.options] this package reads, besides the
// token options every network has (the token is the refresh token).
var Options = []string{"client_id", "client_secret_file", "client_secret_env", "auth_url", "token_url"}

// EarlyRefresh is how long before its expiry an access token is renewed,
// so a long sync page or a slow reply never starts with a token about to
// lapse.
const EarlyRefresh = 5 * time.Minute

// Config builds the OAuth client of the account's Cloud project from its
// options: client_id and the client secret (client_secret_file, mode
// 0600, or client_secret_env). auth_url and token_url replace Google's
// endpoints (tests point them at a local server).
func Config(label string, opts map[string]any, scope string) (*oauth2.Config, error) {
	id, _ := opts["client_id"].(string)
	if id == "" {
		return nil, fmt.Errorf("account %q: no client_id: the OAuth client of your Google Cloud project is needed (parley connect sets it)", label)
	}
	file, _ := opts["client_secret_file"].(string)
	env, _ := opts["client_secret_env"].(string)
	var secret string
	switch {
	case file != "" && env != "":
		return nil, fmt.Errorf("account %q: set only one of client_secret_file, client_secret_env", label)
	case file != "":
		s, err := psync.ReadSecretFile(file)
		if err != nil {
			return nil, fmt.Errorf("account %q: client secret: %w", label, err)
		}
		secret = s
	case env != "":
		secret = strings.TrimSpace(os.Getenv(env))
		if secret == "" {
			return nil, fmt.Errorf("account %q: environment variable %s (client secret) is empty or unset", label, env)
		}
	default:
		return nil, fmt.Errorf("account %q: no client secret: set client_secret_file or client_secret_env", label)
	}
	return NewConfig(id, secret, scope, str(opts, "auth_url"), str(opts, "token_url")), nil
}

// NewConfig is an OAuth client for Google's endpoints (or the given ones).
func NewConfig(clientID, secret, scope, authURL, tokenURL string) *oauth2.Config {
	ep := endpoints.Google
	if authURL != "" {
		ep.AuthURL = authURL
	}
	if tokenURL != "" {
		ep.TokenURL = tokenURL
	}
	ep.AuthStyle = oauth2.AuthStyleInParams
	return &oauth2.Config{ClientID: clientID, ClientSecret: secret, Endpoint: ep, Scopes: []string{scope}}
}

func str(opts map[string]any, k string) string { s, _ := opts[k].(string); return s }

// Transport adds a Google access token to every request. The token comes
// from the refresh token through oauth2's token source, renewed
// EarlyRefresh before it expires. A 401 (a token revoked early, a clock
// that drifted) gets one fresh token and one retry; a refresh Google
// refuses is sync.ErrAuth, so the account shows "needs re-auth".
type Transport struct {
	Config  *oauth2.Config
	Refresh func(context.Context) (string, error) // the stored refresh token
	Base    http.RoundTripper
	// Network names the network in "run parley connect …" advice.
	Network string

	mu gosync.Mutex
	ts oauth2.TokenSource
}

// Client is an HTTP client over the transport.
func (t *Transport) Client() *http.Client {
	return &http.Client{Transport: t, Timeout: 60 * time.Second}
}

func (t *Transport) base() http.RoundTripper {
	if t.Base != nil {
		return t.Base
	}
	return http.DefaultTransport
}

// source is the current token source; fresh discards it first so the
// next token is a newly refreshed one.
func (t *Transport) source(ctx context.Context, fresh bool) (oauth2.TokenSource, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if fresh {
		t.ts = nil
	}
	if t.ts != nil {
		return t.ts, nil
	}
	rt, err := t.Refresh(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", psync.ErrAuth, err)
	}
	// Refreshes outlive the request that triggered them: they run on
	// their own context with the same transport (never the default one,
	// so tests and proxies see them too).
	rctx := context.WithValue(context.Background(), oauth2.HTTPClient, &http.Client{Transport: t.base(), Timeout: 30 * time.Second})
	t.ts = oauth2.ReuseTokenSourceWithExpiry(nil, t.Config.TokenSource(rctx, &oauth2.Token{RefreshToken: rt}), EarlyRefresh)
	return t.ts, nil
}

func (t *Transport) token(ctx context.Context, fresh bool) (*oauth2.Token, error) {
	ts, err := t.source(ctx, fresh)
	if err != nil {
		return nil, err
	}
	tok, err := ts.Token()
	if err != nil {
		return nil, t.refreshError(err)
	}
	return tok, nil
}

// refreshError says what a failed refresh means without repeating
// Google's body (it never holds the token, but we keep to the rule).
func (t *Transport) refreshError(err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return fmt.Errorf("renewing the Google access token: %v", err) // network trouble: retryable
	}
	again := "run parley connect " + t.Network + " again"
	switch {
	case re.ErrorCode == "invalid_grant":
		return fmt.Errorf("%w: Google no longer accepts the saved sign-in (invalid_grant: access was revoked, the password changed, or an unverified app's 7-day grant ran out); %s", psync.ErrAuth, again)
	case re.ErrorCode == "invalid_client" || re.ErrorCode == "unauthorized_client":
		return fmt.Errorf("%w: Google refused the OAuth client (%s): check client_id and the client secret of your Cloud project, then %s", psync.ErrAuth, re.ErrorCode, again)
	case re.Response != nil && re.Response.StatusCode >= 500:
		return fmt.Errorf("renewing the Google access token: Google answered %d; will retry", re.Response.StatusCode)
	case re.Response != nil && re.Response.StatusCode == http.StatusTooManyRequests:
		return &psync.RateLimitError{RetryAfter: time.Minute, Msg: "Google's token endpoint asked us to slow down"}
	}
	code := re.ErrorCode
	if code == "" && re.Response != nil {
		code = re.Response.Status
	}
	return fmt.Errorf("%w: Google refused to renew the access token (%s); %s", psync.ErrAuth, code, again)
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	tok, err := t.token(req.Context(), false)
	if err != nil {
		return nil, err
	}
	resp, err := t.base().RoundTrip(withToken(req, tok))
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		return resp, err
	}
	// One retry with a token refreshed now, if the body can be sent again.
	if req.Body != nil && req.GetBody == nil {
		return resp, nil
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
	tok, err = t.token(req.Context(), true)
	if err != nil {
		return nil, err
	}
	again := req.Clone(req.Context())
	if req.GetBody != nil {
		if again.Body, err = req.GetBody(); err != nil {
			return nil, err
		}
	}
	return t.base().RoundTrip(withToken(again, tok))
}

func withToken(req *http.Request, tok *oauth2.Token) *http.Request {
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	return r
}

// NewTransport builds the transport for an account from its options: the
// OAuth client (Config) and the refresh token (sync.TokenSource).
func NewTransport(label, network string, opts map[string]any, scope string) (*Transport, error) {
	cfg, err := Config(label, opts, scope)
	if err != nil {
		return nil, err
	}
	rt, err := psync.TokenSource(label, opts)
	if err != nil {
		return nil, err
	}
	return &Transport{Config: cfg, Refresh: rt, Network: network}, nil
}
