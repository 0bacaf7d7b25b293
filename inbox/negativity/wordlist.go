package negativity

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/BurntSushi/toml"
)

// Detector classifies messages. It is safe for concurrent use; the
// workspace word list is re-read when its file changes, without a restart.
type Detector struct {
	path  string
	model *Model
	local local

	mu      sync.RWMutex
	extra   map[string]float64 // the manager's terms: negative -2.5, positive +2.5
	ignore  []string           // phrases removed before scoring (a brand name that looks negative)
	mod     time.Time
	checked time.Time
	err     error
}

// WordList is the TOML file format:
//
//	negative = ["rip-off", "chargeback"]
//	positive = ["lekker bakkie"]
//	ignore   = ["killer coffee"]
type WordList struct {
	Negative []string `toml:"negative"`
	Positive []string `toml:"positive"`
	Ignore   []string `toml:"ignore"`
}

// New returns a detector; path is the optional word list ("" for none).
func New(path string) *Detector {
	d := &Detector{path: path, model: embedded()}
	d.reload(true)
	return d
}

// NewWithModel is a detector over a model other than the embedded one
// (the training command measures the model it has just built).
func NewWithModel(m *Model) *Detector {
	return &Detector{model: m}
}

// Err is the last problem reading the word list (the previous list stays
// in use meanwhile).
func (d *Detector) Err() error {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.err
}

func (d *Detector) words() (map[string]float64, []string) {
	d.reload(false)
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.extra, d.ignore
}

// reload re-reads the list if it changed; checks at most every 2 seconds.
func (d *Detector) reload(force bool) {
	if d.path == "" {
		return
	}
	now := time.Now()
	d.mu.RLock()
	fresh := !force && now.Sub(d.checked) < 2*time.Second
	d.mu.RUnlock()
	if fresh {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.checked = now
	st, err := os.Stat(d.path)
	if errors.Is(err, fs.ErrNotExist) {
		d.extra, d.ignore, d.err, d.mod = nil, nil, nil, time.Time{}
		return
	}
	if err != nil {
		d.err = err
		return
	}
	if !force && st.ModTime().Equal(d.mod) {
		return
	}
	var wl WordList
	md, err := toml.DecodeFile(d.path, &wl)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			d.err = fmt.Errorf("%s:%d: %s", d.path, pe.Position.Line, pe.Message)
		} else {
			d.err = fmt.Errorf("%s: %v", d.path, err)
		}
		return
	}
	if und := md.Undecoded(); len(und) > 0 {
		d.err = fmt.Errorf("%s: unknown key %q (use negative, positive, ignore)", d.path, und[0].String())
		return
	}
	extra := map[string]float64{}
	for _, w := range wl.Negative {
		extra[Fold(strings.TrimSpace(w))] = -2.5
	}
	for _, w := range wl.Positive {
		extra[Fold(strings.TrimSpace(w))] = 2.5
	}
	var ignore []string
	for _, w := range wl.Ignore {
		if w = Fold(strings.TrimSpace(w)); w != "" {
			ignore = append(ignore, w)
		}
	}
	d.extra, d.ignore, d.mod, d.err = extra, ignore, st.ModTime(), nil
}
