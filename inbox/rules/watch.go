package rules

import (
	"os"
	"sync"
	"time"
)

// Watcher hands out the current rules, re-reading the file when it changes
// (checked at most every two seconds), so edits apply without a restart.
// A file that stops parsing keeps the last good rules in force.
type Watcher struct {
	path  string
	dests []string

	mu      sync.Mutex
	set     *Set
	err     error
	mod     time.Time
	checked time.Time
}

// Watch starts watching a rules file.
func Watch(path string, destinations []string) *Watcher {
	return &Watcher{path: path, dests: destinations}
}

// Current returns the rules in force and the last error reading them.
func (w *Watcher) Current() (*Set, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	now := time.Now()
	if w.set != nil && now.Sub(w.checked) < 2*time.Second {
		return w.set, w.err
	}
	w.checked = now
	st, err := os.Stat(w.path)
	mod := time.Time{}
	if err == nil {
		mod = st.ModTime()
	}
	if w.set != nil && mod.Equal(w.mod) {
		return w.set, w.err
	}
	set, err := Load(w.path, w.dests)
	if err != nil {
		w.err = err
		if w.set == nil {
			w.set = &Set{Path: w.path}
		}
		return w.set, err
	}
	w.set, w.err, w.mod = set, nil, mod
	return set, nil
}
