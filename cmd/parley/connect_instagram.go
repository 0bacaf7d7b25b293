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
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := c.load("parley.db"); err != nil {
		return err
	}
	tok, err := tokenFrom(*tokenFile, *tokenEnv, "Paste an Instagram user access token (Instagram Login): ", bufio.NewReader(stdin), stdout)
	if err != nil {
		return err
	}
	id, user, err := facebook.InstagramLoginAccount(context.Background(), *base, *version, tok)
	if err != nil {
		return err
	}
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
