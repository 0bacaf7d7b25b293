package negativity

import (
	"math"
	"sync"
)

// local is the workspace's own layer: a logistic correction on the
// model's negative log-odds, learned online from the manager's marks, so
// the brand's vocabulary ("the app logs me out", product names) counts.
// It is small (a map of the hashed features its examples had) and each
// mark costs a few microseconds.
type local struct {
	mu   sync.RWMutex
	w    map[uint32]float64
	n    int
	last int64 // id of the last stored mark taken
}

const (
	localRate  = 1.0  // step size per example
	localSteps = 8    // passes over a new example until it is learned
	localDecay = 1e-3 // shrinks the weights an example touches
)

// margin is the layer's correction to the negative log-odds.
func (l *local) margin(f []feature) float64 {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if len(l.w) == 0 {
		return 0
	}
	s := 0.0
	for _, x := range f {
		if x.src != srcNone {
			s += float64(x.v) * l.w[x.id]
		}
	}
	return s
}

// Learn takes one of the manager's marks: this text is (or is not)
// negative. It changes later verdicts in this workspace only.
func (d *Detector) Learn(text string, negative bool) {
	a := analyses.Get().(*analysis)
	defer analyses.Put(a)
	d.model.analyse(text, "", a)
	z := d.model.scores(a.feats)
	base := z[classNeg] - math.Log(math.Exp(z[classNeu])+math.Exp(z[classPos]))
	y := 0.0
	if negative {
		y = 1
	}
	l := &d.local
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.w == nil {
		l.w = map[uint32]float64{}
	}
	l.n++
	for range localSteps {
		s := base
		norm := 0.0
		for _, x := range a.feats {
			if x.src != srcNone {
				s += float64(x.v) * l.w[x.id]
				norm += float64(x.v) * float64(x.v)
			}
		}
		p := 1 / (1 + math.Exp(-s))
		g := p - y
		if math.Abs(g) < 0.2 {
			break // learned: leave the rest to later examples
		}
		step := localRate / math.Max(norm, 1e-3)
		for _, x := range a.feats {
			if x.src == srcNone {
				continue // length and punctuation say nothing about the brand
			}
			w := l.w[x.id]
			l.w[x.id] = w - step*g*float64(x.v) - localDecay*w
		}
	}
}

// Learned is how many marks the workspace layer has taken.
func (d *Detector) Learned() int {
	d.local.mu.RLock()
	defer d.local.mu.RUnlock()
	return d.local.n
}

// LearnMark is Learn for a stored mark with its row id: marks are taken
// once each, in id order, so replaying the store after a restart or after
// each new mark teaches nothing twice.
func (d *Detector) LearnMark(id int64, text string, negative bool) {
	d.local.mu.RLock()
	seen := id <= d.local.last
	d.local.mu.RUnlock()
	if seen {
		return
	}
	d.Learn(text, negative)
	d.local.mu.Lock()
	d.local.last = max(d.local.last, id)
	d.local.mu.Unlock()
}

// LastMark is the id of the last stored mark taken (0: none).
func (d *Detector) LastMark() int64 {
	d.local.mu.RLock()
	defer d.local.mu.RUnlock()
	return d.local.last
}
