package inbox

import (
	"strings"
	"testing"
	"time"
)

func TestParseSnoozeNamed(t *testing.T) {
	// Thursday 26 Nov 2026, 15:00.
	now := time.Date(2026, 11, 26, 15, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"tomorrow":          time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC),
		"Tomorrow  Morning": time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC),
		"tomorrow evening":  time.Date(2026, 11, 27, 19, 0, 0, 0, time.UTC),
		"tomorrow 14:30":    time.Date(2026, 11, 27, 14, 30, 0, 0, time.UTC),
		"tonight":           time.Date(2026, 11, 26, 19, 0, 0, 0, time.UTC),
		"next week":         time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC),
		"2d":                now.Add(48 * time.Hour),
	} {
		got, err := ParseSnooze(in, now)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseSnooze(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	late := time.Date(2026, 11, 26, 20, 0, 0, 0, time.UTC)
	if got, _ := ParseSnooze("tonight", late); !got.Equal(time.Date(2026, 11, 27, 19, 0, 0, 0, time.UTC)) {
		t.Errorf("tonight after 19:00 = %v", got)
	}
	if _, err := ParseSnooze("tomorrow 25:00", now); err == nil || !strings.Contains(err.Error(), "tomorrow") {
		t.Errorf("bad time after tomorrow: %v", err)
	}
}
