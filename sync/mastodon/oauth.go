package mastodon

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	psync "github.com/parleyhq/parley/sync"
)

// The out-of-band redirect: the server shows the code for the user to paste.
const oob = "urn:ietf:wg:oauth:2.0:oob"

// Scopes parley asks for.
const Scopes = "read write"

// App is a registered OAuth application on one server.
type App struct {
	Server       string
	ClientID     string
	ClientSecret string
}

func anon(server string, insecure bool) (*psync.HTTPClient, error) {
	if _, err := New(Options{Server: server}, nil); err != nil {
		return nil, err // the same URL rules as for syncing
	}
	return psync.NewHTTPClient(server, insecure, nil)
}

// RegisterApp registers parley with the server (POST /api/v1/apps).
func RegisterApp(ctx context.Context, server string, insecure bool) (App, error) {
	c, err := anon(server, insecure)
	if err != nil {
		return App{}, err
	}
	var a app
	form := url.Values{"client_name": {"parley"}, "redirect_uris": {oob}, "scopes": {Scopes},
		"website": {"https://github.com/parleyhq/parley"}}
	if _, err := c.Do(ctx, psync.Request{Method: "POST", Path: "/api/v1/apps", Form: form}, &a); err != nil {
		return App{}, fmt.Errorf("registering parley with %s: %w", server, err)
	}
	if a.ClientID == "" || a.ClientSecret == "" {
		return App{}, fmt.Errorf("registering parley with %s: the server returned no client credentials", server)
	}
	return App{Server: strings.TrimRight(server, "/"), ClientID: a.ClientID, ClientSecret: a.ClientSecret}, nil
}

// AuthorizeURL is where the user signs in and approves parley.
func (a App) AuthorizeURL() string {
	q := url.Values{"response_type": {"code"}, "client_id": {a.ClientID}, "redirect_uri": {oob}, "scope": {Scopes}}
	return a.Server + "/oauth/authorize?" + q.Encode()
}

// Exchange trades the code the user pasted for an access token.
func (a App) Exchange(ctx context.Context, code string, insecure bool) (string, error) {
	c, err := anon(a.Server, insecure)
	if err != nil {
		return "", err
	}
	code = strings.TrimSpace(code)
	if code == "" {
		return "", errors.New("no code given")
	}
	var t token
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {a.ClientID},
		"client_secret": {a.ClientSecret}, "redirect_uri": {oob}, "scope": {Scopes}}
	if _, err := c.Do(ctx, psync.Request{Method: "POST", Path: "/oauth/token", Form: form}, &t); err != nil {
		return "", fmt.Errorf("exchanging the code: %w", err)
	}
	if t.AccessToken == "" {
		return "", errors.New("exchanging the code: the server returned no token")
	}
	return t.AccessToken, nil
}

// Verify checks a token and returns the account's handle (user@host).
func Verify(ctx context.Context, server, tok string, insecure bool) (string, error) {
	c, err := New(Options{Server: server, Insecure: insecure}, func(context.Context) (string, error) { return tok, nil })
	if err != nil {
		return "", err
	}
	me, err := c.Me(ctx)
	if err != nil {
		return "", fmt.Errorf("verifying the token: %w", err)
	}
	acct := me.Acct
	if !strings.Contains(acct, "@") {
		acct += "@" + c.http.Base.Host
	}
	return acct, nil
}
