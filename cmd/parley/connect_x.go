package main

import (
	"context"
	"fmt"
	gosync "sync"

	"github.com/spf13/pflag"

	"github.com/parleyhq/parley/sync/x"
)

// parley connect x: OAuth 2.0 with PKCE through the manager's X developer
// App; the refresh token is kept 0600 and rewritten on every refresh (X
// rotates it).
func init() {
	registerConnector(connector{
		network: "x",
		example: "parley connect x --client-id T0xY…",
		short:   "connect an X account (mentions, DMs and replies; billed per use by X)",
		long: "Needs an X developer App (in a Project, with pay-per-use credits) whose User authentication\n" +
			"settings enable OAuth 2.0 and list the callback " + x.DefaultRedirect + ". Prints an X sign-in\n" +
			"address; paste back the address the browser ends on (it need not load).",
		flags: func(fs *pflag.FlagSet) {
			fs.String("client-id", "", "OAuth 2.0 client id of your X App (default: ask)")
			fs.String("client-secret-file", "", "read the OAuth 2.0 client secret from this file (confidential clients)")
			fs.String("client-secret-env", "", "read the OAuth 2.0 client secret from this environment variable")
			fs.String("redirect-uri", x.DefaultRedirect, "the callback registered in the App's settings")
			fs.String("base-url", "", "X API root (tests use a local one)")
			fs.String("token-url", "", "X's token endpoint (tests use a local one)")
			fs.String("auth-url", "", "X's sign-in address (tests use a local one)")
			for _, h := range []string{"base-url", "token-url", "auth-url"} {
				_ = fs.MarkHidden(h)
			}
		},
		signIn: signInX,
		verify: verifyX,
	})
}

// xClients keeps the OAuth client of a connect run from the sign-in to
// the verify that follows it.
var xClients gosync.Map // *connectRun → [2]string{id, secret}

// xClient asks for the App's client id and secret (empty for a public client).
func xClient(r *connectRun) (id, secret string) {
	id = r.String("client-id")
	if id == "" {
		id = r.Ask("OAuth 2.0 client id (developer console → your App → Keys and tokens): ")
	}
	if r.String("client-secret-file") != "" || r.String("client-secret-env") != "" {
		secret, _ = r.Secret("client-secret-file", "client-secret-env", "")
	} else {
		secret = r.Ask("OAuth 2.0 client secret (stored 0600; leave empty for a public client): ")
	}
	return id, secret
}

func signInX(ctx context.Context, r *connectRun) (string, error) {
	id, secret := xClient(r)
	if id == "" {
		return "", fmt.Errorf("the OAuth 2.0 client id of your X App is needed")
	}
	xClients.Store(r, [2]string{id, secret})
	a := x.Authorize(x.OAuthConfig(id, secret, r.String("auth-url"), r.String("token-url")), r.String("redirect-uri"))
	fmt.Fprintf(r.Out, "Open this address, sign in as the brand account and authorise the App:\n\n  %s\n\n", a.Link)
	tok, err := a.Finish(ctx, r.Ask("Paste the address the browser ended on: "), nil)
	if err != nil {
		return "", err
	}
	return tok.RefreshToken, nil
}

func verifyX(ctx context.Context, r *connectRun) ([]connected, error) {
	var id, secret string
	if v, ok := xClients.Load(r); ok {
		id, secret = v.([2]string)[0], v.([2]string)[1]
	} else {
		id, secret = xClient(r)
	}
	acc, err := x.Check(ctx, x.OAuthConfig(id, secret, r.String("auth-url"), r.String("token-url")), r.String("base-url"), r.Token, nil)
	if err != nil {
		return nil, err
	}
	opts := map[string]any{"user_id": acc.ID, "username": acc.Username, "client_id": id}
	if secret != "" {
		path := r.String("client-secret-file")
		if path == "" {
			if path, err = r.SaveSecret("x-client-"+id, secret); err != nil {
				return nil, err
			}
		}
		opts["client_secret_file"] = path
	}
	for flag, opt := range map[string]string{"base-url": "base_url", "token-url": "token_url"} {
		if v := r.String(flag); v != "" {
			opts[opt] = v
		}
	}
	fmt.Fprintf(r.Out, "Signed in as @%s (%s).\n", acc.Username, acc.ID)
	return []connected{{ID: acc.ID, Label: "@" + acc.Username + " (X)", Options: opts, Key: []string{"user_id"}, Token: acc.Refresh,
		Done: fmt.Sprintf("Mentions are read every %s and direct messages every %s within max_monthly_spend ($%.0f a month by default); parley accounts shows what today's share still reads.", x.DefaultPoll, x.DefaultDMInterval, x.DefaultMonthlySpend)}}, nil
}
