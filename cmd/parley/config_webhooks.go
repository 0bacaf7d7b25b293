package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/parleyhq/parley/sync/facebook"
)

// WebhooksConfig is the [webhooks] table: where `parley serve` receives
// Meta's webhooks for the facebook and instagram accounts, behind the
// user's HTTPS reverse proxy.
type WebhooksConfig struct {
	Listen          string `toml:"listen"`            // e.g. "127.0.0.1:8089"; empty: no receiver
	Path            string `toml:"path"`              // default "/webhooks/meta"
	VerifyTokenFile string `toml:"verify_token_file"` // the verify token given in the app's webhook settings
	VerifyTokenEnv  string `toml:"verify_token_env"`
}

// metaSecrets are the app secrets of the facebook and instagram accounts.
func (c *Config) metaSecrets() ([]func(context.Context) (string, error), error) {
	var out []func(context.Context) (string, error)
	for _, a := range c.Accounts {
		if a.Network != "facebook" && a.Network != "instagram" {
			continue
		}
		s, err := facebook.AppSecret(a.Label, a.Options)
		if err != nil {
			return nil, err
		}
		if s != nil {
			out = append(out, s)
		}
	}
	return out, nil
}

func (c *Config) validateWebhooks(text string) error {
	w := &c.Webhooks
	if w.Listen == "" {
		return nil
	}
	line := lineOf(text, "webhooks")
	if w.Path == "" {
		w.Path = "/webhooks/meta"
	}
	if !strings.HasPrefix(w.Path, "/") {
		return fmt.Errorf("%s:%d: [webhooks] path %q: start it with /", c.path, line, w.Path)
	}
	if (w.VerifyTokenFile == "") == (w.VerifyTokenEnv == "") {
		return fmt.Errorf("%s:%d: [webhooks]: set one of verify_token_file, verify_token_env (the verify token you give Meta in the app's webhook settings)", c.path, line)
	}
	secrets, err := c.metaSecrets()
	if err != nil {
		return fmt.Errorf("%s: %w", c.path, err)
	}
	if len(secrets) == 0 {
		return fmt.Errorf("%s:%d: [webhooks]: no facebook or instagram account has app_secret_file or app_secret_env, so no webhook signature could be checked; add the app secret to those accounts", c.path, line)
	}
	return nil
}
