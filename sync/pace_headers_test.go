package sync

import (
	"net/http"
	"testing"
	"time"
)

func TestPaceRemainingHoldsAtTheLowWaterMark(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	var readAt time.Time
	reset := func(h http.Header, at time.Time) time.Duration {
		readAt = at
		if h.Get("Window-Reset") == "" {
			return time.Minute
		}
		return 90 * time.Second
	}
	pace := PaceRemaining("Window-Remaining", 2, reset, func() time.Time { return now })
	for _, tc := range []struct {
		remaining, reset string
		want             time.Duration
	}{
		{"", "1", 0},                   // no window reported
		{"many", "1", 0},               // not a number: nothing to go by
		{"3", "1", 0},                  // above the mark
		{" 2 ", "1", 90 * time.Second}, // at the mark: held until the reset
		{"0", "1", 90 * time.Second},
		{"0", "", time.Minute}, // the connector's own default when no reset is named
	} {
		h := http.Header{}
		if tc.remaining != "" {
			h.Set("Window-Remaining", tc.remaining)
		}
		if tc.reset != "" {
			h.Set("Window-Reset", tc.reset)
		}
		if got := pace(h); got != tc.want {
			t.Errorf("remaining %q reset %q: hold %v, want %v", tc.remaining, tc.reset, got, tc.want)
		}
	}
	if !readAt.Equal(now) {
		t.Errorf("the reset was read at %v, want the client's clock %v", readAt, now)
	}
	// The shared client's own spelling is not this network's.
	if got := pace(http.Header{"X-Ratelimit-Remaining": {"0"}}); got != 0 {
		t.Errorf("held %v on another header's count", got)
	}
}
