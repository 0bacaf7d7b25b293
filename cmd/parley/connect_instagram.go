package main

import (
	"context"

	"github.com/spf13/pflag"

	"github.com/parleyhq/parley/sync/facebook"
)

// parley connect instagram: an Instagram professional account through
// Instagram Login (no Facebook Page). For a Page-linked account use
// parley connect facebook --instagram.
func init() {
	registerConnector(connector{
		network: "instagram",
		example: "parley connect instagram --token-env IG_TOKEN",
		short:   "connect an Instagram professional account (Instagram Login)",
		long:    "For an Instagram account linked to a Facebook Page use parley connect facebook --instagram.",
		prompt:  "Paste an Instagram user access token (Instagram Login): ",
		flags: func(fs *pflag.FlagSet) {
			fs.String("api-version", "v25.0", "Graph API version to pin")
			fs.String("base-url", "https://graph.instagram.com", "Instagram Graph address (tests use a local one)")
		},
		verify: func(ctx context.Context, r *connectRun) ([]connected, error) {
			version, base := r.String("api-version"), r.String("base-url")
			id, user, err := facebook.InstagramLoginAccount(ctx, base, version, r.Token)
			if err != nil {
				return nil, err
			}
			opts := map[string]any{"page_id": id, "ig_user_id": id, "instagram_login": true, "api_version": version, "base_url": base}
			return []connected{{ID: id, Label: "@" + user + " (Instagram)", Options: opts, Key: []string{"ig_user_id"},
				Token: r.Token, Done: "Comments, tagged posts and direct messages sync from now on."}}, nil
		},
	})
}
