package sync

import (
	"math/rand/v2"
	"time"
)

// Backoff is exponential with full jitter, so many accounts failing at once
// do not retry in lockstep.
type Backoff struct {
	Base, Max time.Duration
}

// Delay for the n-th consecutive failure (n ≥ 1).
func (b Backoff) Delay(n int) time.Duration {
	if n < 1 {
		n = 1
	}
	d := b.Base
	for i := 1; i < n && d < b.Max; i++ {
		d *= 2
	}
	d = min(d, b.Max)
	// Half fixed, half random: never zero, never more than the cap.
	return d/2 + rand.N(d/2+1)
}
