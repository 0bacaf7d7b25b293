package youtube

import (
	"fmt"
	gosync "sync"
	"time"
	_ "time/tzdata" // Pacific time must be known on machines without a zoneinfo database
)

// Quota costs in units, from Google's quota calculator: every request
// costs at least one, invalid ones too.
const (
	costList       = 1  // commentThreads.list, comments.list, videos.list, channels.list
	costInsert     = 50 // comments.insert
	costModerate   = 50 // comments.setModerationStatus
	costDelete     = 50 // comments.delete
	defaultQuota   = 10000
	pollShareOfDay = 4 // polling may spend at most 3/4 of the day's units; the rest is kept for replies and moderation
)

// pacific is where YouTube's quota day starts and ends.
var pacific = func() *time.Location {
	l, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		panic("youtube: no America/Los_Angeles time zone: " + err.Error())
	}
	return l
}()

// quotaDay is the Pacific date a moment's units count against.
func quotaDay(t time.Time) string { return t.In(pacific).Format(time.DateOnly) }

// quotaReset is the next midnight in Pacific time after t: the day's
// length follows daylight saving (23 or 25 hours on the switch days).
func quotaReset(t time.Time) time.Time {
	p := t.In(pacific)
	return time.Date(p.Year(), p.Month(), p.Day()+1, 0, 0, 0, 0, pacific)
}

// Ledger is the units spent on one Pacific day. It travels in the
// account's cursor, so the store keeps it with what it paid for and a
// restart (or `parley sync --once` from cron) carries on counting.
type Ledger struct {
	Day  string `json:"day"`
	Used int    `json:"used"`
}

// errQuotaSpent says the day's budget is gone until the reset.
type errQuotaSpent struct{ reset time.Time }

func (e errQuotaSpent) Error() string {
	return fmt.Sprintf("YouTube quota for today is spent; calls resume at midnight Pacific (%s)", e.reset.Local().Format("Mon 15:04 MST"))
}

// quota is the connector's view of the day's budget.
type quota struct {
	mu     gosync.Mutex
	limit  int
	ledger Ledger
}

// roll starts a new ledger when the Pacific day changed.
func (q *quota) roll(now time.Time) {
	if d := quotaDay(now); q.ledger.Day != d {
		q.ledger = Ledger{Day: d}
	}
}

// restore takes units recorded in a stored cursor for the same day: the
// larger count wins, so nothing spent is forgotten.
func (q *quota) restore(l Ledger, now time.Time) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.roll(now)
	if l.Day == q.ledger.Day && l.Used > q.ledger.Used {
		q.ledger.Used = l.Used
	}
}

// spend books units before a call; polling may not dip into the share
// kept for actions.
func (q *quota) spend(units int, poll bool, now time.Time) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.roll(now)
	limit := q.limit
	if poll {
		limit -= q.limit / pollShareOfDay
	}
	if q.ledger.Used+units > limit {
		return errQuotaSpent{reset: quotaReset(now)}
	}
	q.ledger.Used += units
	return nil
}

// exhausted records Google's own word that the quota is gone (another
// app on the same project spent it, or the limit is lower than set).
func (q *quota) exhausted(now time.Time) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.roll(now)
	q.ledger.Used = max(q.ledger.Used, q.limit)
}

func (q *quota) snapshot(now time.Time) Ledger {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.roll(now)
	return q.ledger
}

// pollFloor is the shortest poll interval the remaining polling budget
// can pay for until the reset, at cost units a poll.
func (q *quota) pollFloor(now time.Time, cost float64) time.Duration {
	l := q.snapshot(now)
	left := q.limit - q.limit/pollShareOfDay - l.Used
	until := quotaReset(now).Sub(now)
	if left <= 0 {
		return until
	}
	return time.Duration(float64(until) * max(cost, 1) / float64(left))
}
