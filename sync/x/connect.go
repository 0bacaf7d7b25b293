package x

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"

	psync "github.com/parleyhq/parley/sync"
)

// The sign-in side, for `parley connect x`: OAuth 2.0 authorization code
// with PKCE (S256). X needs the callback address registered exactly in
// the App's settings, so it is fixed (not a random loopback port); the
// manager pastes back the address the browser ends on, which works over
// SSH as well.

// DefaultRedirect is the callback parley asks the manager to register.
const DefaultRedirect = "http://127.0.0.1:8976/callback"

// Authorization is one sign-in in progress.
type Authorization struct {
	Link     string // where the manager signs in
	state    string
	verifier string
	cfg      oauth2.Config
}

// Authorize starts a sign-in with the App's OAuth client.
func Authorize(cfg *oauth2.Config, redirect string) Authorization {
	c := *cfg
	c.RedirectURL = redirect
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	a := Authorization{state: hex.EncodeToString(b), verifier: oauth2.GenerateVerifier(), cfg: c}
	a.Link = c.AuthCodeURL(a.state, oauth2.S256ChallengeOption(a.verifier))
	return a
}

// Finish trades the pasted callback address (or the bare code) for
// tokens.
func (a Authorization) Finish(ctx context.Context, pasted string, hc *http.Client) (*oauth2.Token, error) {
	code, err := a.code(strings.TrimSpace(pasted))
	if err != nil {
		return nil, err
	}
	if hc != nil {
		ctx = context.WithValue(ctx, oauth2.HTTPClient, hc)
	}
	tok, err := a.cfg.Exchange(ctx, code, oauth2.VerifierOption(a.verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			return nil, fmt.Errorf("X refused the sign-in code (%s): sign in again; codes last 30 seconds and work once", orWord(re.ErrorCode, "refused"))
		}
		return nil, fmt.Errorf("trading the sign-in code with X: %v", err)
	}
	if tok.RefreshToken == "" {
		return nil, errors.New("X gave no refresh token: the App's OAuth 2.0 settings must allow offline.access")
	}
	return tok, nil
}

func (a Authorization) code(s string) (string, error) {
	if !strings.Contains(s, "code=") && !strings.Contains(s, "error=") {
		if s == "" {
			return "", errors.New("nothing pasted: paste the address the browser ended on after signing in")
		}
		return s, nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", errors.New("that is not an address: paste the whole address the browser ended on")
	}
	q := u.Query()
	if e := q.Get("error"); e != "" {
		return "", fmt.Errorf("X did not authorise parley (%s)", psync.Truncate(e, 60))
	}
	if q.Get("state") != a.state {
		return "", errors.New("the pasted address belongs to another sign-in (state does not match); start again")
	}
	return q.Get("code"), nil
}

// Account is who signed in.
type Account struct {
	ID       string
	Username string
	Name     string
	// Refresh is the refresh token to keep: checking the account
	// refreshes once, and X rotates the token when it does.
	Refresh string
}

// Check renews the token once and reads who it belongs to (GET
// /2/users/me: one user read).
func Check(ctx context.Context, cfg *oauth2.Config, base, refresh string, hc *http.Client) (Account, error) {
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	t := &tokens{cfg: cfg, http: hc, tok: &oauth2.Token{RefreshToken: strings.TrimSpace(refresh)}, file: ""}
	access, err := t.access(ctx) // no file: connect saves the new refresh token
	if err != nil {
		return Account{}, err
	}
	if base == "" {
		base = DefaultBase
	}
	c, err := psync.NewHTTPClient(base, false, func(context.Context) (string, error) { return access, nil })
	if err != nil {
		return Account{}, err
	}
	c.HTTP, c.MapError = hc, mapError
	var m me
	if _, err := c.Do(ctx, psync.Request{Method: "GET", Path: "/2/users/me", Query: url.Values{"user.fields": {userFields}}}, &m); err != nil {
		return Account{}, fmt.Errorf("x: %w", err)
	}
	if !numeric(m.Data.ID) {
		return Account{}, errors.New("x: /2/users/me named no account")
	}
	return Account{ID: m.Data.ID, Username: m.Data.Username, Name: m.Data.Name, Refresh: t.tok.RefreshToken}, nil
}
