package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	psync "github.com/parleyhq/parley/sync"
	"github.com/parleyhq/parley/sync/facebook"
)

// runConnectInstagram is `parley connect instagram`: an Instagram
// professional account through Instagram Login (no Facebook Page). For a
// Page-linked account use parley connect facebook --instagram.
func runConnectInstagram(args []string, stdin io.Reader, stdout io.Writer) error {
	var c common
	fs := flag.NewFlagSet("parley connect instagram", flag.ContinueOnError)
	c.flags(fs)
	tokenFile := fs.String("token-file", "", "read the Instagram user token from this file (mode 0600)")
	tokenEnv := fs.String("token-env", "", "read the token from this environment variable")
	version := fs.String("api-version", "v25.0", "Graph API version to pin")
	base := fs.String("base-url", "https://graph.instagram.com", "Instagram Graph address (tests use a local one)")
	secretFile := fs.String("app-secret-file", "", "read the Instagram app secret from this file (mode 0600)")
	secretEnv := fs.String("app-secret-env", "", "read the Instagram app secret from this environment variable")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := c.load("parley.db"); err != nil {
		return err
	}
	in := bufio.NewReader(stdin)
	tok, err := tokenFrom(*tokenFile, *tokenEnv, "Paste an Instagram user access token (Instagram Login): ", in, stdout)
	if err != nil {
		return err
	}
	ctx := context.Background()
	id, user, err := facebook.InstagramLoginAccount(ctx, *base, *version, tok)
	if err != nil {
		return err
	}
	// The secret turns a one-hour login token into a 60-day one; it is
	// used here only, not stored (refreshing needs no secret).
	appSecret, _ := tokenFrom(*secretFile, *secretEnv, "Instagram app secret (App Dashboard → Instagram → API setup; Enter to skip for a 60-day dashboard token): ", in, stdout)
	long, note := facebook.LongLivedInstagramToken(ctx, *base, appSecret, tok)
	tok = long.Value
	fmt.Fprintf(stdout, "Token: %s.\n", note)
	secret := filepath.Join(c.paths.ConfigDir, "secrets", safeName("instagram-"+id)+".token")
	if err := psync.WriteSecretFile(secret, tok); err != nil {
		return fmt.Errorf("saving the token: %w", err)
	}
	label := "@" + user + " (Instagram)"
	opts := map[string]any{"page_id": id, "ig_user_id": id, "instagram_login": true, "api_version": *version,
		"base_url": *base, "token_file": secret}
	if err := appendAccount(c.cfg.path, AccountConfig{Network: "instagram", Label: label, Options: opts}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Connected %q. Comments, tagged posts and direct messages sync from now on.\n", label)
	return nil
}
