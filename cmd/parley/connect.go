package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/BurntSushi/toml"

	psync "github.com/parleyhq/parley/sync"
	"github.com/parleyhq/parley/sync/mastodon"
)

// runConnect is `parley connect NETWORK …`: sign in, verify, save the token
// in a 0600 file of its own and the account in the config.
func runConnect(args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) > 0 && args[0] == "facebook" {
		return runConnectFacebook(args[1:], stdin, stdout)
	}
	if len(args) > 0 && args[0] == "instagram" {
		return runConnectInstagram(args[1:], stdin, stdout)
	}
	if len(args) == 0 || args[0] != "mastodon" {
		return errors.New("usage: parley connect mastodon https://your.server [--label L] [--token-file F | --token-env VAR]\n       parley connect facebook [--token-file F | --token-env VAR] [--page ID] [--instagram]\n       parley connect instagram [--token-file F | --token-env VAR]")
	}
	args = args[1:]
	server := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		server, args = args[0], args[1:]
	}
	var c common
	fs := flag.NewFlagSet("parley connect mastodon", flag.ContinueOnError)
	c.flags(fs)
	label := fs.String("label", "", "name of the account in parley (default @user@server)")
	tokenFile := fs.String("token-file", "", "use an existing token from this file (mode 0600)")
	tokenEnv := fs.String("token-env", "", "use an existing token from this environment variable")
	insecure := fs.Bool("insecure", false, "skip TLS verification (local test servers only)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if server == "" && fs.NArg() > 0 {
		server = fs.Arg(0)
	}
	if server == "" {
		return errors.New("connect mastodon: give the server, e.g. parley connect mastodon https://mastodon.social")
	}
	if !strings.Contains(server, "://") {
		server = "https://" + server
	}
	if err := c.load("parley.db"); err != nil {
		return err
	}
	ctx := context.Background()
	opts := map[string]any{"server": strings.TrimRight(server, "/")}
	if *insecure {
		opts["insecure_skip_verify"] = true
	}
	var tok string
	var err error
	switch {
	case *tokenFile != "" || *tokenEnv != "":
		abs := ""
		if *tokenFile != "" {
			abs, _ = filepath.Abs(*tokenFile)
			opts["token_file"] = abs
		} else {
			opts["token_env"] = *tokenEnv
		}
		if tok, err = tokenFrom(abs, *tokenEnv, "", nil, stdout); err != nil {
			return err
		}
	default:
		app, err := mastodon.RegisterApp(ctx, server, *insecure)
		if err != nil {
			return err
		}
		link := app.AuthorizeURL()
		fmt.Fprintf(stdout, "Open this address, sign in and approve parley (%s):\n\n  \x1b]8;;%s\x1b\\%s\x1b]8;;\x1b\\\n\n", mastodon.Scopes, link, link)
		fmt.Fprint(stdout, "Then paste the code the server shows: ")
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && line == "" {
			return errors.New("no code read; run the command again when you have it")
		}
		if tok, err = app.Exchange(ctx, line, *insecure); err != nil {
			return err
		}
	}
	acct, err := mastodon.Verify(ctx, server, tok, *insecure)
	if err != nil {
		return err
	}
	if *label == "" {
		*label = "@" + acct
	}
	for _, a := range c.cfg.Accounts {
		if a.Label == *label {
			return fmt.Errorf("an account labelled %q is already in %s; remove it first: parley accounts remove %q", *label, c.cfg.path, *label)
		}
	}
	if _, ok := opts["token_file"]; !ok && opts["token_env"] == nil {
		host := "server"
		if u, err := url.Parse(server); err == nil {
			host = u.Host
		}
		path := filepath.Join(c.paths.ConfigDir, "secrets", safeName("mastodon-"+acct+"-"+host)+".token")
		if err := psync.WriteSecretFile(path, tok); err != nil {
			return fmt.Errorf("saving the token: %w", err)
		}
		opts["token_file"] = path
	}
	if err := appendAccount(c.cfg.path, AccountConfig{Network: "mastodon", Label: *label, Options: opts}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Connected %s as %q. parley syncs it from now on (saved in %s).\n", acct, *label, c.cfg.path)
	return nil
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._@-]+`)

func safeName(s string) string { return unsafeChars.ReplaceAllString(s, "_") }

// appendAccount adds an [[account]] table at the end of the config, creating
// the file (0600) if needed; the rest of the file is left as it was.
func appendAccount(path string, a AccountConfig) error {
	var b strings.Builder
	b.WriteString("\n[[account]]\n")
	enc := toml.NewEncoder(&b)
	if err := enc.Encode(map[string]any{"network": a.Network, "label": a.Label}); err != nil {
		return err
	}
	b.WriteString("[account.options]\n")
	if err := enc.Encode(a.Options); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	_, err = f.WriteString(b.String())
	return err
}

// tokenFrom reads a token from --token-file (refused if others can read
// it) or --token-env, or else asks for it to be pasted.
func tokenFrom(file, env, prompt string, in *bufio.Reader, out io.Writer) (string, error) {
	switch {
	case file != "":
		return psync.ReadSecretFile(file)
	case env != "":
		tok := strings.TrimSpace(os.Getenv(env))
		if tok == "" {
			return "", fmt.Errorf("environment variable %s is empty or unset", env)
		}
		return tok, nil
	}
	fmt.Fprint(out, prompt)
	line, _ := in.ReadString('\n')
	tok := strings.TrimSpace(line)
	if tok == "" {
		return "", errors.New("no token given")
	}
	return tok, nil
}
