package sync

import (
	"fmt"
	"sort"
	gosync "sync"
	"time"
)

// AccountConfig is what a connector factory gets from the config file.
type AccountConfig struct {
	Network string
	Label   string
	Options map[string]any // network-specific settings
}

// Factory builds a connector for an account.
type Factory func(AccountConfig) (Connector, error)

var (
	regMu    gosync.RWMutex
	registry = map[string]Factory{}
	options  = map[string][]string{}
)

// CommonOptions are the [account.options] every network reads through
// TokenSource and Schedule.
var CommonOptions = []string{"token_file", "token_env", "token_cmd", "poll_interval", "backlog_days"}

// Register makes a network available by name. Connector packages call it
// from init; registering a name twice is a programming error. options, if
// given, are the [account.options] the network reads besides CommonOptions:
// the config then refuses any other (a misspelling) with its line.
func Register(network string, f Factory, options ...string) {
	regMu.Lock()
	defer regMu.Unlock()
	if _, dup := registry[network]; dup {
		panic("sync: network registered twice: " + network)
	}
	registry[network] = f
	if len(options) > 0 {
		setOptions(network, options)
	}
}

func setOptions(network string, names []string) {
	options[network] = append(append([]string{}, CommonOptions...), names...)
	sort.Strings(options[network])
}

// Options are the option names a network accepts, and false when it
// declared none (so nothing can be checked).
func Options(network string) ([]string, bool) {
	regMu.RLock()
	defer regMu.RUnlock()
	o, ok := options[network]
	return o, ok
}

// New builds the connector for an account's network.
func New(cfg AccountConfig) (Connector, error) {
	regMu.RLock()
	f, ok := registry[cfg.Network]
	regMu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("account %q: unknown network %q (known: %v)", cfg.Label, cfg.Network, Networks())
	}
	return f(cfg)
}

// Networks lists registered network names.
func Networks() []string {
	regMu.RLock()
	defer regMu.RUnlock()
	var out []string
	for n := range registry {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Schedule reads the options every polling connector shares: poll_interval
// (a duration of at least 5s, default 1m) and backlog_days (how far the
// first sync reaches back, 0–365, default 7).
func Schedule(cfg AccountConfig) (poll, backlog time.Duration, err error) {
	poll, backlog = time.Minute, 7*24*time.Hour
	if v, ok := cfg.Options["poll_interval"].(string); ok {
		d, err := time.ParseDuration(v)
		if err != nil || d < 5*time.Second {
			return 0, 0, fmt.Errorf("account %q: poll_interval %q: use a duration of at least 5s, e.g. \"1m\"", cfg.Label, v)
		}
		poll = d
	}
	if v, ok := cfg.Options["backlog_days"].(int64); ok {
		if v < 0 || v > 365 {
			return 0, 0, fmt.Errorf("account %q: backlog_days must be between 0 and 365", cfg.Label)
		}
		backlog = time.Duration(v) * 24 * time.Hour
	}
	return poll, backlog, nil
}
