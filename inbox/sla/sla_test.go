package sla

import (
	"testing"
	"time"
)

func TestDueAroundTheClock(t *testing.T) {
	p := Policy{Negative: 30 * time.Minute, Default: 4 * time.Hour}
	start := time.Date(2026, 11, 26, 23, 50, 0, 0, time.UTC)
	if got := p.Due(start, true, time.Time{}); !got.Equal(start.Add(30 * time.Minute)) {
		t.Fatalf("negative: %s", got)
	}
	if got := p.Due(start, false, time.Time{}); !got.Equal(start.Add(4 * time.Hour)) {
		t.Fatalf("default: %s", got)
	}
	// The platform's window closes first.
	window := start.Add(time.Hour)
	if got := p.Due(start, false, window); !got.Equal(window) {
		t.Fatalf("window: %s", got)
	}
}

func TestBusinessHoursAndDST(t *testing.T) {
	ams, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Skip("no tz database:", err)
	}
	h, err := ParseHours("Mon-Fri 09:00-18:00", ams)
	if err != nil {
		t.Fatal(err)
	}
	p := Policy{Negative: 30 * time.Minute, Default: 4 * time.Hour, Hours: h}
	cases := []struct {
		name  string
		start time.Time
		neg   bool
		want  time.Time
	}{
		{"inside hours", time.Date(2026, 11, 26, 10, 0, 0, 0, ams), false, time.Date(2026, 11, 26, 14, 0, 0, 0, ams)},
		{"crosses the evening", time.Date(2026, 11, 26, 16, 0, 0, 0, ams), false, time.Date(2026, 11, 27, 11, 0, 0, 0, ams)},
		{"before opening", time.Date(2026, 11, 26, 7, 0, 0, 0, ams), true, time.Date(2026, 11, 26, 9, 30, 0, 0, ams)},
		{"friday evening to monday", time.Date(2026, 11, 27, 17, 45, 0, 0, ams), true, time.Date(2026, 11, 30, 9, 15, 0, 0, ams)},
		{"weekend", time.Date(2026, 11, 28, 12, 0, 0, 0, ams), false, time.Date(2026, 11, 30, 13, 0, 0, 0, ams)},
		// Clocks go back on Sunday 25 Oct 2026: Monday 09:00 is still 09:00.
		{"over the autumn DST change", time.Date(2026, 10, 23, 17, 0, 0, 0, ams), false, time.Date(2026, 10, 26, 12, 0, 0, 0, ams)},
		// Clocks go forward on Sunday 29 Mar 2026.
		{"over the spring DST change", time.Date(2026, 3, 27, 17, 45, 0, 0, ams), true, time.Date(2026, 3, 30, 9, 15, 0, 0, ams)},
	}
	for _, c := range cases {
		if got := p.Due(c.start, c.neg, time.Time{}); !got.Equal(c.want) {
			t.Errorf("%s: due %s, want %s", c.name, got.In(ams), c.want)
		}
	}
	for _, bad := range []string{"weekdays", "Mon-Fri 18:00-09:00", "Mon-Xyz 09:00-17:00", "Mon 9-5"} {
		if _, err := ParseHours(bad, ams); err == nil {
			t.Errorf("ParseHours(%q) accepted", bad)
		}
	}
}
