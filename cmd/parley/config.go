package main

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/parleyhq/parley/inbox/sla"
	psync "github.com/parleyhq/parley/sync"
	"github.com/parleyhq/parley/tui"
)

// Config is ~/.config/parley/config.toml. TOML via BurntSushi/toml: the
// most used Go TOML library, and it reports line numbers for syntax errors
// and which keys were not understood, which we turn into file:line errors.
type Config struct {
	User           string              `toml:"user"`
	ReplyMarksDone *bool               `toml:"reply_marks_done"`
	Escalation     []string            `toml:"escalation"`
	RecordOnly     []string            `toml:"record_only"` // escalation names that reach nobody, on purpose
	SendHold       string              `toml:"send_hold"`   // how long a reply can be taken back (default 10s, "0" off)
	RepliesDir     string              `toml:"replies_dir"`
	Words          string              `toml:"words"` // negativity word list (TOML)
	Rules          string              `toml:"rules"` // triage rules (TOML)
	DB             string              `toml:"db"`
	Keys           map[string][]string `toml:"keys"`
	Accounts       []AccountConfig     `toml:"account"`
	Serve          ServeConfig         `toml:"serve"`
	Webhooks       WebhooksConfig      `toml:"webhooks"`
	Destinations   []DestinationConfig `toml:"destination"`
	SMTP           SMTPConfig          `toml:"smtp"`
	SLA            SLAConfig           `toml:"sla"`

	slaPolicy *sla.Policy
	sendHold  time.Duration

	path string
}

// AccountConfig is one [[account]] table.
type AccountConfig struct {
	Network string         `toml:"network"`
	Label   string         `toml:"label"`
	Options map[string]any `toml:"options"`
}

// DestinationConfig is one [[destination]]: where an escalation goes.
type DestinationConfig struct {
	Name    string   `toml:"name"`
	Webhook string   `toml:"webhook"` // Slack/Mattermost-compatible or generic JSON receiver
	Email   []string `toml:"email"`   // through [smtp]
	Command string   `toml:"command"` // gets the escalation as JSON on stdin
}

// SLAConfig is the [sla] table: first-reply targets.
type SLAConfig struct {
	Negative      string `toml:"negative"`       // e.g. "30m"
	Default       string `toml:"default"`        // e.g. "4h"
	BusinessHours string `toml:"business_hours"` // e.g. "Mon-Fri 09:00-18:00"; empty: around the clock
	Timezone      string `toml:"timezone"`       // e.g. "Europe/Amsterdam"; default local
}

// SMTPConfig is the [smtp] table for email destinations.
type SMTPConfig struct {
	Host         string `toml:"host"`
	Port         int    `toml:"port"`
	Username     string `toml:"username"`
	PasswordFile string `toml:"password_file"`
	PasswordEnv  string `toml:"password_env"`
	PasswordCmd  string `toml:"password_cmd"`
	From         string `toml:"from"`
	StartTLS     *bool  `toml:"starttls"`
}

// ServeConfig is the [serve] table for `parley serve`.
type ServeConfig struct {
	Listen         string            `toml:"listen"`
	AuthorizedKeys string            `toml:"authorized_keys"`
	IdleTimeout    string            `toml:"idle_timeout"`         // e.g. "30m"; "0" for none
	MaxSessions    int               `toml:"max_sessions_per_key"` // default 5; -1: no cap
	Names          map[string]string `toml:"names"`                // SHA256 fingerprint → manager name
}

// Managers are the names conversations can be assigned to: the config's
// user and the [serve] names, in that order, once each. parley serve adds
// the allow-list's key comments per session.
func (c *Config) Managers() []string {
	out := []string{c.User}
	for _, fp := range slices.Sorted(maps.Keys(c.Serve.Names)) {
		if n := c.Serve.Names[fp]; n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// Paths are where parley keeps things, XDG by default.
type Paths struct {
	ConfigDir, DataDir string
}

func defaultPaths() Paths {
	home, _ := os.UserHomeDir()
	cfg := os.Getenv("XDG_CONFIG_HOME")
	if cfg == "" {
		cfg = filepath.Join(home, ".config")
	}
	data := os.Getenv("XDG_DATA_HOME")
	if data == "" {
		data = filepath.Join(home, ".local", "share")
	}
	return Paths{ConfigDir: filepath.Join(cfg, "parley"), DataDir: filepath.Join(data, "parley")}
}

func expandHome(p string) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		home, _ := os.UserHomeDir()
		return filepath.Join(home, strings.TrimPrefix(p, "~"))
	}
	return p
}

// loadConfig reads the config; a missing file at the default path is fine
// (defaults apply), a missing file the user named is an error.
func loadConfig(path string, explicit bool, paths Paths) (*Config, error) {
	cfg := &Config{path: path}
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && !explicit:
		return cfg.withDefaults(paths), nil
	case err != nil:
		return nil, fmt.Errorf("config: %w", err)
	}
	md, err := toml.Decode(string(b), cfg)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("%s:%d: %s", path, pe.Position.Line, pe.Message)
		}
		if line, msg, ok := typeError(err); ok {
			return nil, fmt.Errorf("%s:%d: %s", path, line, msg)
		}
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		k := und[0]
		// Options tables belong to connectors; they check them themselves.
		if !(len(k) >= 2 && k[0] == "account" && k[1] == "options") {
			return nil, fmt.Errorf("%s:%d: unknown setting %q (check the spelling; see README \"Configuration\")", path, lineOf(string(b), k[len(k)-1]), k.String())
		}
	}
	if err := cfg.validate(string(b)); err != nil {
		return nil, err
	}
	return cfg.withDefaults(paths), nil
}

func lineOf(text, key string) int {
	re := regexp.MustCompile(`(?m)^[ \t]*("?)` + regexp.QuoteMeta(key) + `("?)[ \t]*=`)
	loc := re.FindStringIndex(text)
	if loc == nil {
		re = regexp.MustCompile(`(?m)^[ \t]*\[+[ \t]*` + regexp.QuoteMeta(key) + `[ \t]*\]+`)
		if loc = re.FindStringIndex(text); loc == nil {
			return 1
		}
	}
	return strings.Count(text[:loc[0]], "\n") + 1
}

func (c *Config) validate(text string) error {
	keys := tui.DefaultKeyMap()
	if err := keys.Rebind(c.Keys); err != nil {
		line := lineOf(text, "keys")
		var ke *tui.KeyError
		if errors.As(err, &ke) {
			line = lineAfter(text, ke.Action, line)
		}
		return fmt.Errorf("%s:%d: [keys]: %v", c.path, line, err)
	}
	if c.Serve.IdleTimeout != "" {
		if _, err := time.ParseDuration(c.Serve.IdleTimeout); err != nil && c.Serve.IdleTimeout != "0" {
			return fmt.Errorf("%s:%d: [serve] idle_timeout %q: use a duration like \"30m\" or \"0\" for none", c.path, lineOf(text, "idle_timeout"), c.Serve.IdleTimeout)
		}
	}
	if err := c.parseSLA(text); err != nil {
		return err
	}
	for _, d := range c.Destinations {
		n := 0
		for _, set := range []bool{d.Webhook != "", len(d.Email) > 0, d.Command != ""} {
			if set {
				n++
			}
		}
		line := lineOf(text, "destination")
		switch {
		case d.Name == "":
			return fmt.Errorf("%s:%d: a [[destination]] needs a name", c.path, line)
		case n != 1:
			return fmt.Errorf("%s:%d: destination %q: give exactly one of webhook, email, command", c.path, line, d.Name)
		case len(d.Email) > 0 && c.SMTP.Host == "":
			return fmt.Errorf("%s:%d: destination %q sends email: add an [smtp] table with host and from", c.path, line, d.Name)
		}
	}
	if err := c.validateWebhooks(text); err != nil {
		return err
	}
	if err := c.checkEscalations(text); err != nil {
		return err
	}
	if c.SendHold != "" {
		d, err := time.ParseDuration(c.SendHold)
		if c.SendHold == "0" {
			d, err = 0, nil
		}
		if err != nil || d < 0 || d > 10*time.Minute {
			return fmt.Errorf("%s:%d: send_hold %q: use a duration up to 10m like \"10s\", or \"0\" to send at once", c.path, lineOf(text, "send_hold"), c.SendHold)
		}
		c.sendHold = d
	}
	blocks := accountBlocks(strings.SplitAfter(text, "\n"))
	for i, a := range c.Accounts {
		line := lineOf(text, "account")
		if i < len(blocks) {
			line = blocks[i].start + 1
		}
		if a.Network == "" {
			return fmt.Errorf("%s:%d: account %d has no network", c.path, line, i+1)
		}
		known, declared := psync.Options(a.Network)
		if !declared {
			continue // the network has not said which options it reads
		}
		names := make([]string, 0, len(a.Options))
		for k := range a.Options {
			names = append(names, k)
		}
		slices.Sort(names)
		for _, k := range names {
			if !slices.Contains(known, k) {
				if i < len(blocks) {
					lines := strings.SplitAfter(text, "\n")
					block := strings.Join(lines[blocks[i].start:blocks[i].end], "")
					line = blocks[i].start + lineAfter(block, k, 1)
				}
				return fmt.Errorf("%s:%d: account %q: unknown %s option %q (it takes: %s)", c.path, line, a.Label, a.Network, k, strings.Join(known, ", "))
			}
		}
	}
	return nil
}

// checkEscalations refuses an escalation name that would reach nobody: it
// needs a [[destination]] that delivers it, or to be listed in record_only
// as a deliberate choice.
func (c *Config) checkEscalations(text string) error {
	for _, name := range c.RecordOnly {
		if !slices.Contains(c.Escalation, name) {
			return fmt.Errorf("%s:%d: record_only names %q, which is not in escalation = [...]", c.path, lineOf(text, "record_only"), name)
		}
	}
	for _, name := range c.Escalation {
		if slices.Contains(c.RecordOnly, name) || slices.ContainsFunc(c.Destinations, func(d DestinationConfig) bool { return d.Name == name }) {
			continue
		}
		return fmt.Errorf("%s:%d: escalation %q reaches nobody: add a destination for it\n"+
			"    [[destination]]\n    name = %q\n    webhook = \"https://hooks.slack.com/services/…\"   # or email = [\"…\"], or command = \"…\"\n"+
			"or, to only record such escalations in parley, add record_only = [%q]", c.path, lineOf(text, "escalation"), name, name, name)
	}
	return nil
}

// lineAfter is the line of key = … in text, or def when it is not there.
func lineAfter(text, key string, def int) int {
	re := regexp.MustCompile(`(?m)^[ \t]*("?)` + regexp.QuoteMeta(key) + `("?)[ \t]*=`)
	loc := re.FindStringIndex(text)
	if loc == nil {
		return def
	}
	return strings.Count(text[:loc[0]], "\n") + 1
}

func (c *Config) withDefaults(p Paths) *Config {
	if c.User == "" {
		c.User = os.Getenv("USER")
		if c.User == "" {
			c.User = "manager"
		}
	}
	if c.ReplyMarksDone == nil {
		t := true
		c.ReplyMarksDone = &t
	}
	if len(c.Escalation) == 0 && len(c.Destinations) == 0 {
		// With nothing configured, escalations are recorded in parley only,
		// and the TUI says so each time.
		c.Escalation = []string{"support", "legal", "pr"}
		c.RecordOnly = slices.Clone(c.Escalation)
	}
	if c.SendHold == "" {
		c.sendHold = 10 * time.Second
	}
	for _, d := range c.Destinations {
		if !slices.Contains(c.Escalation, d.Name) {
			c.Escalation = append(c.Escalation, d.Name)
		}
	}
	if c.RepliesDir == "" {
		c.RepliesDir = filepath.Join(p.ConfigDir, "replies")
	}
	c.RepliesDir = expandHome(c.RepliesDir)
	if c.Words == "" {
		c.Words = filepath.Join(p.ConfigDir, "words.toml")
	}
	c.Words = expandHome(c.Words)
	if c.Rules == "" {
		c.Rules = filepath.Join(p.ConfigDir, "rules.toml")
	}
	c.Rules = expandHome(c.Rules)
	c.DB = expandHome(c.DB)
	if c.Serve.Listen == "" {
		c.Serve.Listen = ":2222"
	}
	if c.Serve.AuthorizedKeys == "" {
		c.Serve.AuthorizedKeys = filepath.Join(p.ConfigDir, "authorized_keys")
	}
	c.Serve.AuthorizedKeys = expandHome(c.Serve.AuthorizedKeys)
	if c.Serve.IdleTimeout == "" {
		c.Serve.IdleTimeout = "30m"
	}
	for i := range c.Accounts {
		if c.Accounts[i].Label == "" {
			c.Accounts[i].Label = c.Accounts[i].Network
		}
	}
	return c
}

// parseSLA turns [sla] into a policy (none when the table is absent).
func (c *Config) parseSLA(text string) error {
	s := c.SLA
	if s == (SLAConfig{}) {
		return nil
	}
	p := &sla.Policy{}
	for _, f := range []struct {
		key, val string
		dst      *time.Duration
	}{{"negative", s.Negative, &p.Negative}, {"default", s.Default, &p.Default}} {
		if f.val == "" {
			continue
		}
		d, err := time.ParseDuration(f.val)
		if err != nil || d <= 0 {
			return fmt.Errorf("%s:%d: [sla] %s %q: use a duration such as \"30m\" or \"4h\"", c.path, lineOf(text, f.key), f.key, f.val)
		}
		*f.dst = d
	}
	loc := time.Local
	if s.Timezone != "" {
		l, err := time.LoadLocation(s.Timezone)
		if err != nil {
			return fmt.Errorf("%s:%d: [sla] timezone %q: %v", c.path, lineOf(text, "timezone"), s.Timezone, err)
		}
		loc = l
	}
	if s.BusinessHours != "" {
		h, err := sla.ParseHours(s.BusinessHours, loc)
		if err != nil {
			return fmt.Errorf("%s:%d: [sla] %v", c.path, lineOf(text, "business_hours"), err)
		}
		p.Hours = h
	}
	c.slaPolicy = p
	return nil
}
