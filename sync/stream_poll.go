package sync

import "time"

// pollPacer chooses the wait between polls of an account that is not
// streaming: the network's interval at first, shorter while polls bring
// new messages (a conversation is going on: halve it, down to a quarter,
// never below minPoll), longer while they come back empty (half again,
// up to twice the interval). Going faster never breaks the server's
// budget: the HTTP client holds requests back on the X-RateLimit-*,
// Retry-After and Graph usage signals before the limit is hit, and a
// rate-limited poll waits the server's time.
type pollPacer struct {
	base, cur time.Duration
}

// minPoll is the shortest poll interval a manager may configure.
const minPoll = 5 * time.Second

func newPollPacer(base time.Duration) *pollPacer { return &pollPacer{base: base, cur: base} }

func (p *pollPacer) fastest() time.Duration {
	if p.base <= minPoll {
		return p.base
	}
	return max(p.base/4, minPoll)
}

func (p *pollPacer) slowest() time.Duration { return 2 * p.base }

// next is the interval after a poll that did (or did not) bring new
// messages.
func (p *pollPacer) next(news bool) time.Duration {
	if news {
		p.cur = max(p.cur/2, p.fastest())
	} else {
		p.cur = min(p.cur+p.cur/2, p.slowest())
	}
	return p.cur
}
