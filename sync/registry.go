package sync

import (
	"fmt"
	"sort"
	gosync "sync"
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
)

// Register makes a network available by name. Connector packages call it
// from init; registering a name twice is a programming error.
func Register(network string, f Factory) {
	regMu.Lock()
	defer regMu.Unlock()
	if _, dup := registry[network]; dup {
		panic("sync: network registered twice: " + network)
	}
	registry[network] = f
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
