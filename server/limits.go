package server

import (
	"net"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limit is a per-source-address allowance: Burst at once, then one more
// every Every. golang.org/x/time/rate does the token bucket (wish's
// ratelimiter middleware limits sessions only after authentication; these
// must hold before it).
type Limit struct {
	Burst int
	Every time.Duration
}

// perAddress keeps one token bucket per source IP.
type perAddress struct {
	limit Limit
	mu    sync.Mutex
	m     map[string]*bucket
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

func newPerAddress(l Limit) *perAddress { return &perAddress{limit: l, m: map[string]*bucket{}} }

// allow spends one token for addr's IP, false when there is none left.
func (p *perAddress) allow(addr net.Addr) bool {
	ip := addr.String()
	if t, ok := addr.(*net.TCPAddr); ok {
		ip = t.IP.String()
	} else if h, _, err := net.SplitHostPort(ip); err == nil {
		ip = h
	}
	now := time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.m) > 4096 { // forget addresses whose bucket has long refilled
		for k, b := range p.m {
			if now.Sub(b.seen) > time.Duration(p.limit.Burst+1)*p.limit.Every {
				delete(p.m, k)
			}
		}
	}
	b := p.m[ip]
	if b == nil {
		b = &bucket{lim: rate.NewLimiter(rate.Every(p.limit.Every), p.limit.Burst)}
		p.m[ip] = b
	}
	b.seen = now
	return b.lim.AllowN(now, 1)
}
