package inbox

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// SnoozeOption is one choice in the snooze picker.
type SnoozeOption struct {
	Label string
	Until time.Time
}

// Hours used by the presets, in the manager's local time.
const (
	morningHour = 9
	eveningHour = 19
)

// SnoozePresets are the usual choices: an hour, tonight, tomorrow morning,
// next Monday morning. "Tonight" after the evening has begun means
// tomorrow evening.
func SnoozePresets(now time.Time) []SnoozeOption {
	day := func(t time.Time, d, h int) time.Time {
		return time.Date(t.Year(), t.Month(), t.Day()+d, h, 0, 0, 0, t.Location())
	}
	tonight := day(now, 0, eveningHour)
	tonightLabel := "tonight"
	if !tonight.After(now.Add(30 * time.Minute)) {
		tonight, tonightLabel = day(now, 1, eveningHour), "tomorrow evening"
	}
	daysToMonday := (8 - int(now.Weekday())) % 7
	if daysToMonday == 0 {
		daysToMonday = 7
	}
	return []SnoozeOption{
		{"1 hour", now.Add(time.Hour)},
		{tonightLabel, tonight},
		{"tomorrow morning", day(now, 1, morningHour)},
		{"next week", day(now, daysToMonday, morningHour)},
	}
}

// ParseSnooze reads a custom snooze: a preset's name ("tonight",
// "tomorrow", "tomorrow evening", "next week"), "tomorrow 14:00", a
// duration ("45m", "3h", "2d", "1w", "1h30m"), a weekday ("mon", "friday": that day at 9:00), a time today or
// tomorrow ("17:30"), or a date and time ("2026-12-01 10:00", "2026-12-01").
func ParseSnooze(s string, now time.Time) (time.Time, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return time.Time{}, fmt.Errorf("empty snooze: type e.g. 3h, 2d, tomorrow, mon, 17:30 or 2026-12-01 10:00")
	}
	if t, ok := parseNamed(s, now); ok {
		return t, nil
	}
	if d, ok := parseDays(s); ok {
		return now.Add(d), nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		if d <= 0 {
			return time.Time{}, fmt.Errorf("snooze %q: must be in the future", s)
		}
		return now.Add(d), nil
	}
	loc := now.Location()
	for i := 1; i <= 7; i++ {
		d := now.AddDate(0, 0, i)
		wd := strings.ToLower(d.Weekday().String())
		if s == wd || (len(s) >= 3 && strings.HasPrefix(wd, s)) {
			return time.Date(d.Year(), d.Month(), d.Day(), morningHour, 0, 0, 0, loc), nil
		}
	}
	if t, err := time.ParseInLocation("15:04", s, loc); err == nil {
		at := time.Date(now.Year(), now.Month(), now.Day(), t.Hour(), t.Minute(), 0, 0, loc)
		if !at.After(now) {
			at = at.AddDate(0, 0, 1)
		}
		return at, nil
	}
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			if layout == "2006-01-02" {
				t = t.Add(morningHour * time.Hour)
			}
			if !t.After(now) {
				return time.Time{}, fmt.Errorf("snooze %q: that is in the past", s)
			}
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("cannot read snooze %q: type e.g. 3h, 2d, tomorrow, mon, 17:30 or 2026-12-01 10:00", s)
}

// parseDays reads "2d" and "1w", which time.ParseDuration lacks.
func parseDays(s string) (time.Duration, bool) {
	if len(s) < 2 {
		return 0, false
	}
	unit := map[byte]time.Duration{'d': 24 * time.Hour, 'w': 7 * 24 * time.Hour}[s[len(s)-1]]
	n, err := strconv.Atoi(s[:len(s)-1])
	if unit == 0 || err != nil || n <= 0 {
		return 0, false
	}
	return time.Duration(n) * unit, true
}

// parseNamed reads the words the presets use, so what the picker offers can
// also be typed.
func parseNamed(s string, now time.Time) (time.Time, bool) {
	s = strings.Join(strings.Fields(s), " ")
	day := func(d, h, m int) time.Time {
		return time.Date(now.Year(), now.Month(), now.Day()+d, h, m, 0, 0, now.Location())
	}
	switch s {
	case "tomorrow", "tomorrow morning":
		return day(1, morningHour, 0), true
	case "tomorrow evening", "tomorrow night":
		return day(1, eveningHour, 0), true
	case "tonight", "this evening":
		if t := day(0, eveningHour, 0); t.After(now) {
			return t, true
		}
		return day(1, eveningHour, 0), true
	case "next week":
		p := SnoozePresets(now)
		return p[len(p)-1].Until, true
	}
	if rest, ok := strings.CutPrefix(s, "tomorrow "); ok {
		if t, err := time.ParseInLocation("15:04", rest, now.Location()); err == nil {
			return day(1, t.Hour(), t.Minute()), true
		}
	}
	return time.Time{}, false
}
