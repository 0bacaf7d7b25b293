package x

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	psync "github.com/parleyhq/parley/sync"
)

// apiError is an X API v2 failure. X answers in two shapes: a problem
// {"title","detail","type","status"[,"reason"]} and the older
// {"errors":[{"message","code"}]} (453 and friends). It never holds a token.
type apiError struct {
	Status int
	Title  string `json:"title"`
	Detail string `json:"detail"`
	Type   string `json:"type"`
	Reason string `json:"reason"`
	Errors []struct {
		Message string `json:"message"`
		Code    int    `json:"code"`
		Title   string `json:"title"`
		Detail  string `json:"detail"`
	} `json:"errors"`
}

func (e *apiError) Error() string {
	msg := e.Title
	if e.Detail != "" && e.Detail != e.Title {
		msg += ": " + e.Detail
	}
	for _, x := range e.Errors {
		if x.Message != "" {
			msg += "; " + x.Message
		} else if x.Detail != "" {
			msg += "; " + x.Detail
		}
	}
	return fmt.Sprintf("%d %s", e.Status, psync.Truncate(strings.TrimPrefix(msg, "; "), 240))
}

func (e *apiError) code(n int) bool {
	for _, x := range e.Errors {
		if x.Code == n {
			return true
		}
	}
	return false
}

// errUnauthorized: the access token was refused; one fresh token and one
// more try follow before the account is marked as needing a sign-in.
var errUnauthorized = errors.New("X refused the access token")

// errPlan is a refusal because of the developer App's access, not a bug.
var errPlan = errors.New("the X developer App's access does not cover this call")

// mapError is the shared client's MapError hook.
func mapError(status int, h http.Header, body []byte) error {
	xe := &apiError{Status: status}
	if json.Unmarshal(body, xe) != nil {
		xe.Title = http.StatusText(status)
	}
	if xe.Title == "" && len(xe.Errors) == 0 {
		xe.Title = http.StatusText(status)
	}
	detail := strings.ToLower(xe.Detail + " " + xe.Title)
	switch {
	case status == http.StatusTooManyRequests:
		return &psync.RateLimitError{RetryAfter: resetWait(h, time.Now()), Msg: xe.Error()}
	case status == http.StatusUnauthorized:
		return fmt.Errorf("%w: %w: %v", psync.ErrAuth, errUnauthorized, xe)
	case xe.Reason == "client-not-enrolled" || strings.Contains(xe.Type, "client-forbidden"):
		return psync.Permanent(fmt.Errorf("%w (%v): in the X developer console the App must be inside a Project and the account must have API credits (pay-per-use) — a plan problem, not a parley bug", errPlan, xe))
	case xe.code(453):
		return psync.Permanent(fmt.Errorf("%w (%v): the App's access level lacks this endpoint (the old Free tier only posts); move it to pay-per-use in the developer console", errPlan, xe))
	case status == http.StatusPaymentRequired || strings.Contains(detail, "credits"):
		return psync.Permanent(fmt.Errorf("%w (%v): the X developer account has no credits left; buy credits in the developer console", errPlan, xe))
	case status >= 500:
		return xe // retryable
	}
	return psync.Permanent(xe)
}

// resetWait reads x-rate-limit-reset (unix seconds) into a wait; a 429
// without it earns a polite pause.
func resetWait(h http.Header, now time.Time) time.Duration {
	if n, err := strconv.ParseInt(strings.TrimSpace(h.Get("x-rate-limit-reset")), 10, 64); err == nil && n > 0 {
		return min(max(time.Unix(n, 0).Sub(now), time.Second), 24*time.Hour)
	}
	return time.Minute
}

// lowWater is how many requests of a window are kept in reserve.
const lowWater = 1

func isStatus(err error, status int) bool {
	var xe *apiError
	return errors.As(err, &xe) && xe.Status == status
}
