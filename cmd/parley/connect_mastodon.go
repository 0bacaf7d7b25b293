package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/spf13/pflag"

	"github.com/parleyhq/parley/sync/mastodon"
)

// parley connect mastodon SERVER: without a token, parley registers itself
// with the server and asks for the code the server shows after sign-in.
func init() {
	registerConnector(connector{
		network: "mastodon",
		args:    "SERVER",
		nargs:   1,
		example: "parley connect mastodon https://mastodon.social",
		short:   "connect a Mastodon (or compatible) account",
		long: "Signs in on the server (or takes an existing token with --token-file or --token-env),\n" +
			"checks it, and adds the account to the config. The label defaults to @user@server.",
		flags: func(fs *pflag.FlagSet) {
			fs.Bool("insecure", false, "skip TLS verification (local test servers only)")
		},
		signIn: func(ctx context.Context, r *connectRun) (string, error) {
			server := mastodonServer(r)
			app, err := mastodon.RegisterApp(ctx, server, r.Bool("insecure"))
			if err != nil {
				return "", err
			}
			link := app.AuthorizeURL()
			fmt.Fprintf(r.Out, "Open this address, sign in and approve parley (%s):\n\n  \x1b]8;;%s\x1b\\%s\x1b]8;;\x1b\\\n\n", mastodon.Scopes, link, link)
			fmt.Fprint(r.Out, "Then paste the code the server shows: ")
			line, err := r.In.ReadString('\n')
			if err != nil && line == "" {
				return "", errors.New("no code read; run the command again when you have it")
			}
			return app.Exchange(ctx, line, r.Bool("insecure"))
		},
		verify: func(ctx context.Context, r *connectRun) ([]connected, error) {
			server := mastodonServer(r)
			acct, err := mastodon.Verify(ctx, server, r.Token, r.Bool("insecure"))
			if err != nil {
				return nil, err
			}
			host := "server"
			if u, err := url.Parse(server); err == nil {
				host = u.Host
			}
			opts := map[string]any{"server": server}
			if r.Bool("insecure") {
				opts["insecure_skip_verify"] = true
			}
			return []connected{{ID: acct + "-" + host, Label: "@" + acct, Options: opts, Token: r.Token,
				Done: "parley syncs it from now on."}}, nil
		},
	})
}

func mastodonServer(r *connectRun) string {
	server := r.Args[0]
	if !strings.Contains(server, "://") {
		server = "https://" + server
	}
	return strings.TrimRight(server, "/")
}
