// Package sla computes when a conversation's first reply is due: a target
// per kind of conversation (complaints get less time), counted in business
// hours if the team keeps them, and never later than the platform's own
// reply window. Times are computed in the team's time zone, so the clock
// stays right across daylight-saving changes.
package sla

import (
	"fmt"
	"strings"
	"time"
)

// Policy is the [sla] table.
type Policy struct {
	Negative time.Duration // first reply to a complaint
	Default  time.Duration // everything else
	Hours    *Hours        // nil: the clock runs around the clock
}

// Hours are business hours: on these weekdays, from Open to Close.
type Hours struct {
	Days        [7]bool // indexed by time.Weekday
	Open, Close time.Duration
	Loc         *time.Location
}

// ParseHours reads "Mon-Fri 09:00-18:00" (days: Mon..Sun, ranges or commas).
func ParseHours(s string, loc *time.Location) (*Hours, error) {
	days, span, ok := strings.Cut(strings.TrimSpace(s), " ")
	if !ok {
		return nil, fmt.Errorf("business hours %q: use e.g. \"Mon-Fri 09:00-18:00\"", s)
	}
	h := &Hours{Loc: loc}
	names := map[string]time.Weekday{"sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6}
	for _, part := range strings.Split(strings.ToLower(days), ",") {
		a, b, isRange := strings.Cut(part, "-")
		da, okA := names[strings.TrimSpace(a)]
		db := da
		okB := true
		if isRange {
			db, okB = names[strings.TrimSpace(b)]
		}
		if !okA || !okB {
			return nil, fmt.Errorf("business hours %q: days are Mon, Tue, Wed, Thu, Fri, Sat, Sun", s)
		}
		for d := da; ; d = (d + 1) % 7 {
			h.Days[d] = true
			if d == db {
				break
			}
		}
	}
	o, c, ok := strings.Cut(strings.TrimSpace(span), "-")
	to, err1 := time.Parse("15:04", strings.TrimSpace(o))
	tc, err2 := time.Parse("15:04", strings.TrimSpace(c))
	if !ok || err1 != nil || err2 != nil || !tc.After(to) {
		return nil, fmt.Errorf("business hours %q: use e.g. \"Mon-Fri 09:00-18:00\"", s)
	}
	h.Open = time.Duration(to.Hour())*time.Hour + time.Duration(to.Minute())*time.Minute
	h.Close = time.Duration(tc.Hour())*time.Hour + time.Duration(tc.Minute())*time.Minute
	return h, nil
}

// Target is the time allowed for a conversation.
func (p Policy) Target(negative bool) time.Duration {
	if negative && p.Negative > 0 {
		return p.Negative
	}
	return p.Default
}

// Due is when the first reply to a customer waiting since start is due.
// window, if not zero, is when the platform closes the reply window.
func (p Policy) Due(start time.Time, negative bool, window time.Time) time.Time {
	if start.IsZero() {
		return time.Time{}
	}
	due := p.add(start, p.Target(negative))
	if !window.IsZero() && window.Before(due) {
		due = window
	}
	return due
}

func (p Policy) add(start time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return time.Time{}
	}
	if p.Hours == nil {
		return start.Add(d)
	}
	return p.Hours.add(start, d)
}

// add counts d of business time from start.
func (h *Hours) add(start time.Time, d time.Duration) time.Time {
	t := start.In(h.Loc)
	for i := 0; i < 3700; i++ { // ten years of days at most: never loops forever
		y, m, dd := t.Date()
		open := time.Date(y, m, dd, 0, 0, 0, 0, h.Loc).Add(h.Open)
		close := time.Date(y, m, dd, 0, 0, 0, 0, h.Loc).Add(h.Close)
		if h.Days[t.Weekday()] && t.Before(close) {
			if t.Before(open) {
				t = open
			}
			if left := close.Sub(t); d <= left {
				return t.Add(d)
			} else {
				d -= left
			}
		}
		// next day at midnight, in local time (DST-safe: by date, not by 24h)
		t = time.Date(y, m, dd+1, 0, 0, 0, 0, h.Loc)
	}
	return t
}
