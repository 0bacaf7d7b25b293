package x

import (
	"fmt"
	"math"
	gosync "sync"
	"time"
)

// Prices are X's pay-per-use prices in US dollars per resource, from the
// pricing page (docs.x.com, 2026): what is read or written is billed, not
// the request. Each can be overridden in the account options when X
// changes them.
type Prices struct {
	PostRead      float64 // a post returned (mentions, the brand's own timeline, referenced posts)
	UserRead      float64 // a user object returned (the authors expanded with a page)
	PostCreate    float64 // a post created (a reply)
	PostCreateURL float64 // a post created that carries a link
	ContentManage float64 // hiding a reply
	DMRead        float64 // a DM event returned
	DMCreate      float64 // a direct message sent
}

// DefaultPrices are the documented prices. Reads of the app owner's own
// account can be billed lower ("owned reads"); parley does not assume so.
var DefaultPrices = Prices{PostRead: 0.005, UserRead: 0.010, PostCreate: 0.015, PostCreateURL: 0.200, ContentManage: 0.005,
	DMRead: 0.010, DMCreate: 0.015}

// micro is a dollar amount in millionths, so sums do not drift.
type micro int64

func dollars(d float64) micro { return micro(math.Round(d * 1e6)) }

func (m micro) String() string { return fmt.Sprintf("$%.2f", float64(m)/1e6) }

// Ledger is the estimated spend of one UTC month and day. It travels in
// the account's cursor, so a restart (or `parley sync --once` from cron)
// keeps counting.
type Ledger struct {
	Month    string `json:"month"`             // 2026-11
	Spent    micro  `json:"spent"`             // the month's estimate, all calls
	Day      string `json:"day"`               // 2026-11-27
	DaySpent micro  `json:"day_spent"`         // today's estimate, all calls
	DayReads micro  `json:"day_reads"`         // today's reads
	Stopped  string `json:"stopped,omitempty"` // why reads stopped (the notice shown), "" when they run
}

// ledgerBox is the connector's live ledger; sends (from the outbox) and
// fetches book into it from different goroutines.
type ledgerBox struct {
	mu     gosync.Mutex
	max    float64
	ledger Ledger
}

func (b *ledgerBox) roll(now time.Time) {
	now = now.UTC()
	if m := now.Format("2006-01"); b.ledger.Month != m {
		b.ledger = Ledger{Month: m}
	}
	if d := now.Format(time.DateOnly); b.ledger.Day != d {
		b.ledger.Day, b.ledger.DaySpent, b.ledger.DayReads = d, 0, 0
	}
}

// restore takes what a stored cursor recorded: the larger count wins, so
// nothing spent is forgotten.
func (b *ledgerBox) restore(l Ledger, now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.roll(now)
	if l.Month != b.ledger.Month {
		return
	}
	b.ledger.Spent = max(b.ledger.Spent, l.Spent)
	if l.Day == b.ledger.Day {
		b.ledger.DaySpent = max(b.ledger.DaySpent, l.DaySpent)
		b.ledger.DayReads = max(b.ledger.DayReads, l.DayReads)
	}
}

// book records a call's estimated cost.
func (b *ledgerBox) book(d float64, read bool, now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.roll(now)
	m := dollars(d)
	b.ledger.Spent += m
	b.ledger.DaySpent += m
	if read {
		b.ledger.DayReads += m
	}
}

func (b *ledgerBox) snapshot(now time.Time) Ledger {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.roll(now)
	return b.ledger
}

// dayAllowance is today's share of what is left of the month for reads:
// the rest spread evenly over the days left, today included, so a busy
// day cannot spend the month.
func (b *ledgerBox) dayAllowance(now time.Time) float64 {
	l := b.snapshot(now)
	left := dollars(b.max) - (l.Spent - l.DaySpent)
	if left <= 0 {
		return 0
	}
	return float64(left) / 1e6 / float64(daysLeft(now))
}

// readsLeft is what reads may still spend today.
func (b *ledgerBox) readsLeft(now time.Time) float64 {
	l := b.snapshot(now)
	monthLeft := float64(dollars(b.max)-l.Spent) / 1e6
	return max(min(b.dayAllowance(now)-float64(l.DayReads)/1e6, monthLeft), 0)
}

// readStop says why reads must wait ("" when they may go on).
func (b *ledgerBox) readStop(now time.Time) string {
	l := b.snapshot(now)
	switch {
	case l.Spent >= dollars(b.max):
		next := time.Date(now.UTC().Year(), now.UTC().Month()+1, 1, 0, 0, 0, 0, time.UTC)
		return fmt.Sprintf("X: reading paused: the month's estimated spend %s reached max_monthly_spend %s; it resumes on %s (raise max_monthly_spend to go on now); replies still go out",
			l.Spent, dollars(b.max), next.Format("2 Jan"))
	case b.readsLeft(now) <= 0:
		return fmt.Sprintf("X: reading paused until 00:00 UTC: today's share of max_monthly_spend (%s) is spent; replies still go out", dollars(b.dayAllowance(now)))
	}
	return ""
}

// daysLeft counts the days of the UTC month from now's, today included.
func daysLeft(now time.Time) int {
	n := now.UTC()
	last := time.Date(n.Year(), n.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
	return last - n.Day() + 1
}
