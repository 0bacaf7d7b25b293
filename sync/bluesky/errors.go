package bluesky

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

// xrpcError is an XRPC failure: {"error":"Name","message":"…"} with an
// HTTP status. It never holds a token (remote text, cut short).
type xrpcError struct {
	Status  int
	Name    string `json:"error"`
	Message string `json:"message"`
}

func (e *xrpcError) Error() string {
	msg := e.Name
	if e.Message != "" {
		msg += ": " + psync.Truncate(e.Message, 200)
	}
	return fmt.Sprintf("%d %s", e.Status, msg)
}

var (
	// errExpired: the access token is past its life; refreshSession
	// gives a new one and the call is repeated.
	errExpired = errors.New("session expired")
	// errSessionGone: the server no longer knows the session (revoked,
	// or the app password deleted); a new sign-in may still work.
	errSessionGone = errors.New("session refused")
	// errNoChat: the app password was created without DM access.
	errNoChat = errors.New("the app password has no access to direct messages")
)

// mapError is the shared client's MapError hook.
func mapError(status int, h http.Header, body []byte) error {
	xe := &xrpcError{Status: status}
	_ = json.Unmarshal(body, xe)
	if xe.Name == "" && status != http.StatusTooManyRequests {
		return nil // not an XRPC body (a proxy's page): the generic mapping
	}
	msg := strings.ToLower(xe.Message)
	switch {
	case xe.Name == "ExpiredToken":
		return fmt.Errorf("%w: %v", errExpired, xe)
	case status == http.StatusTooManyRequests || xe.Name == "RateLimitExceeded":
		return &psync.RateLimitError{RetryAfter: resetWait(h, time.Now()), Msg: xe.Error()}
	case xe.Name == "InvalidToken" && (strings.Contains(msg, "bad token method") || strings.Contains(msg, "bad token scope")):
		return psync.Permanent(fmt.Errorf("%w (%v): create an app password with “Allow access to your direct messages” ticked (Settings → Privacy and security → App passwords) and run: parley connect bluesky", errNoChat, xe))
	case xe.Name == "AccountTakedown", xe.Name == "AccountDeactivated":
		return fmt.Errorf("%w: %v — the account is suspended or deactivated on Bluesky", psync.ErrAuth, xe)
	case xe.Name == "InvalidToken", xe.Name == "AuthenticationRequired", xe.Name == "AuthRequired", status == http.StatusUnauthorized:
		return fmt.Errorf("%w: %w: %v — sign in again: parley connect bluesky", psync.ErrAuth, errSessionGone, xe)
	case status >= 500:
		return xe // retryable
	}
	return psync.Permanent(xe)
}

// resetWait reads RateLimit-Reset (unix seconds) into a wait; a 429
// without it earns a short, polite pause.
func resetWait(h http.Header, now time.Time) time.Duration {
	if n, err := strconv.ParseInt(strings.TrimSpace(h.Get("RateLimit-Reset")), 10, 64); err == nil && n > 0 {
		return min(max(time.Unix(n, 0).Sub(now), time.Second), 15*time.Minute)
	}
	if n, err := strconv.Atoi(strings.TrimSpace(h.Get("Retry-After"))); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	return 30 * time.Second
}

// lowWater is how many requests of a window are kept in reserve.
const lowWater = 3

func isXRPC(err error, name string) bool {
	var xe *xrpcError
	return errors.As(err, &xe) && xe.Name == name
}
