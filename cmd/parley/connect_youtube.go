package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	gosync "sync"

	"github.com/spf13/pflag"
	"golang.org/x/oauth2"

	"github.com/parleyhq/parley/sync/googleauth"
	"github.com/parleyhq/parley/sync/youtube"
)

// parley connect youtube: sign in with Google (the OAuth client of the
// manager's Cloud project), pick the channel, keep the refresh token
// (0600) and the client secret (0600 beside it).
func init() {
	registerConnector(connector{
		network: "youtube",
		example: "parley connect youtube --client-id 1234-abc.apps.googleusercontent.com",
		short:   "connect a YouTube channel (comments under its videos)",
		long: "Needs an OAuth client of type \"Desktop app\" in a Google Cloud project with the YouTube\n" +
			"Data API v3 enabled (its id and secret). Prints a Google sign-in address; over SSH paste\n" +
			"back the address of the page the browser ends on. The refresh token is kept 0600, or give\n" +
			"one you already have with --token-file/--token-env.",
		flags: func(fs *pflag.FlagSet) {
			googleFlags(fs)
			fs.String("channel", "", "the channel id to connect (default: ask, or the only one)")
			fs.String("base-url", "", "YouTube API root (tests use a local one)")
		},
		signIn: func(ctx context.Context, r *connectRun) (string, error) {
			return googleSignIn(ctx, r, googleauth.ScopeYouTube)
		},
		verify: verifyYouTube,
	})
}

func verifyYouTube(ctx context.Context, r *connectRun) ([]connected, error) {
	gc, err := googleClient(r, googleauth.ScopeYouTube)
	if err != nil {
		return nil, err
	}
	tr := &googleauth.Transport{Config: gc.cfg, Network: "youtube", Refresh: func(context.Context) (string, error) { return r.Token, nil }}
	chans, err := youtube.Channels(ctx, r.String("base-url"), tr.Client())
	if err != nil {
		return nil, err
	}
	if len(chans) == 0 {
		return nil, errors.New("this Google account has no YouTube channel (sign in with the brand account that owns it)")
	}
	names := make([]string, len(chans))
	for i, c := range chans {
		names[i] = c.Title
		if c.Handle != "" {
			names[i] += " " + c.Handle
		}
		names[i] += " (" + c.ID + ")"
	}
	i, err := pick(r, "channel", names, func(i int) bool { return chans[i].ID == r.String("channel") }, r.String("channel"))
	if err != nil {
		return nil, err
	}
	ch := chans[i]
	opts, err := gc.options(r)
	if err != nil {
		return nil, err
	}
	opts["channel_id"] = ch.ID
	if b := r.String("base-url"); b != "" {
		opts["base_url"] = b
	}
	return []connected{{ID: ch.ID, Label: ch.Title + " (YouTube)", Options: opts, Key: []string{"channel_id"}, Token: r.Token,
		Done: "Its comments sync from now on; parley accounts shows the day's quota (10,000 units by default)."}}, nil
}

// googleFlags are the OAuth client flags both Google networks take.
func googleFlags(fs *pflag.FlagSet) {
	fs.String("client-id", "", "OAuth client id of your Google Cloud project (default: ask)")
	fs.String("client-secret-file", "", "read the OAuth client secret from this file (mode 0600)")
	fs.String("client-secret-env", "", "read the OAuth client secret from this environment variable")
	fs.String("token-url", "", "Google's token endpoint (tests use a local one)")
	fs.String("auth-url", "", "Google's sign-in address (tests use a local one)")
	_ = fs.MarkHidden("token-url")
	_ = fs.MarkHidden("auth-url")
}

// googleConn is the OAuth client of one connect run, asked for once and
// used by the sign-in and the verify that follows it.
type googleConn struct {
	cfg    *oauth2.Config
	secret string
}

var googleConns gosync.Map // *connectRun → *googleConn

func googleClient(r *connectRun, scope string) (*googleConn, error) {
	if c, ok := googleConns.Load(r); ok {
		return c.(*googleConn), nil
	}
	id := r.String("client-id")
	if id == "" {
		id = r.Ask("OAuth client id (Google Cloud console → APIs & Services → Credentials, a \"Desktop app\" client): ")
	}
	secret, err := r.Secret("client-secret-file", "client-secret-env", "OAuth client secret (same page; stored 0600, never shown): ")
	if err != nil || id == "" {
		return nil, errors.New("the OAuth client id and secret of your Google Cloud project are needed (APIs & Services → Credentials → Create credentials → OAuth client ID → Desktop app)")
	}
	c := &googleConn{cfg: googleauth.NewConfig(id, secret, scope, r.String("auth-url"), r.String("token-url")), secret: secret}
	googleConns.Store(r, c)
	return c, nil
}

// options are the account options naming the OAuth client: the secret
// stays where the manager keeps it, or is saved 0600.
func (g *googleConn) options(r *connectRun) (map[string]any, error) {
	opts := map[string]any{"client_id": g.cfg.ClientID}
	switch {
	case r.String("client-secret-env") != "":
		opts["client_secret_env"] = r.String("client-secret-env")
	case r.String("client-secret-file") != "":
		opts["client_secret_file"] = r.String("client-secret-file")
	default:
		path, err := r.SaveSecret("google-client-"+g.cfg.ClientID, g.secret)
		if err != nil {
			return nil, err
		}
		opts["client_secret_file"] = path
	}
	if u := r.String("token-url"); u != "" {
		opts["token_url"] = u
	}
	return opts, nil
}

// googleSignIn runs the browser sign-in and returns the refresh token.
func googleSignIn(ctx context.Context, r *connectRun, scope string) (string, error) {
	gc, err := googleClient(r, scope)
	if err != nil {
		return "", err
	}
	tok, err := googleauth.SignIn{Config: gc.cfg, In: r.In, Out: r.Out}.Run(ctx)
	if err != nil {
		return "", err
	}
	return tok.RefreshToken, nil
}

// pick chooses one of names: the one the flag names (match), the only
// one, or the manager's answer.
func pick(r *connectRun, what string, names []string, match func(int) bool, flag string) (int, error) {
	if flag != "" {
		for i := range names {
			if match(i) {
				return i, nil
			}
		}
		return 0, fmt.Errorf("the signed-in account has no %s %s", what, flag)
	}
	if len(names) == 1 {
		return 0, nil
	}
	for i, n := range names {
		fmt.Fprintf(r.Out, "%d) %s\n", i+1, n)
	}
	ans := r.Ask("Which " + what + "? ")
	n, err := strconv.Atoi(strings.TrimSpace(ans))
	if err != nil || n < 1 || n > len(names) {
		return 0, fmt.Errorf("no %s number %q", what, ans)
	}
	return n - 1, nil
}
