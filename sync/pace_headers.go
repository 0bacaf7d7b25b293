package sync

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// PaceRemaining is a Pace hook for a network that counts its rate-limit
// window down in a header of its own spelling (the shared client reads only
// X-RateLimit-*): once the requests left fall to lowWater, the next request
// is held for resetWait, the connector's reading of when the window resets
// (the same reading its 429 mapping uses, so both agree). A response
// without the header, or with a value that is not a number, holds nothing.
func PaceRemaining(remaining string, lowWater int, resetWait func(h http.Header, now time.Time) time.Duration, now func() time.Time) func(http.Header) time.Duration {
	return func(h http.Header) time.Duration {
		n, err := strconv.Atoi(strings.TrimSpace(h.Get(remaining)))
		if err != nil || n > lowWater {
			return 0
		}
		return resetWait(h, now())
	}
}
