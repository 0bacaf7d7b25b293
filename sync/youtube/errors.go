package youtube

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"google.golang.org/api/googleapi"

	psync "github.com/parleyhq/parley/sync"
)

// errQuotaExceeded is Google saying the project's quota is gone.
var errQuotaExceeded = errors.New("quotaExceeded")

// mapError turns what the generated client returned into the engine's
// error kinds. Google's error body names a reason per error
// ({"error":{"code":403,"errors":[{"domain":"youtube.quota","reason":"quotaExceeded"}]}}).
func mapError(what string, err error) error {
	if err == nil {
		return nil
	}
	var ge *googleapi.Error
	if !errors.As(err, &ge) {
		return fmt.Errorf("youtube %s: %w", what, err) // transport trouble, a malformed body, ErrAuth from the token: as they are
	}
	reason := ""
	for _, e := range ge.Errors {
		if e.Reason != "" {
			reason = e.Reason
			break
		}
	}
	if reason == "" {
		for _, d := range ge.Details {
			if m, ok := d.(map[string]any); ok {
				if r, ok := m["reason"].(string); ok {
					reason = r
				}
			}
		}
	}
	msg := fmt.Sprintf("youtube %s: %d %s", what, ge.Code, psync.Truncate(ge.Message, 200))
	if reason != "" {
		msg += " (" + reason + ")"
	}
	switch {
	case reason == "quotaExceeded" || reason == "dailyLimitExceeded":
		return fmt.Errorf("%s: %w", msg, errQuotaExceeded)
	case reason == "accessNotConfigured" || reason == "SERVICE_DISABLED":
		return psync.Permanent(fmt.Errorf("%s: the YouTube Data API v3 is not enabled in your Google Cloud project; enable it at https://console.cloud.google.com/apis/library/youtube.googleapis.com and sync again", msg))
	case ge.Code == http.StatusUnauthorized:
		return fmt.Errorf("%w: %s; run parley connect youtube again", psync.ErrAuth, msg)
	case reason == "insufficientPermissions" || reason == "ACCESS_TOKEN_SCOPE_INSUFFICIENT":
		return fmt.Errorf("%w: %s: the sign-in lacks the youtube.force-ssl scope; run parley connect youtube again", psync.ErrAuth, msg)
	case ge.Code == http.StatusTooManyRequests || reason == "rateLimitExceeded" || reason == "userRateLimitExceeded":
		return &psync.RateLimitError{RetryAfter: psync.RetryAfter(ge.Header.Get("Retry-After"), time.Now()), Msg: msg}
	case ge.Code >= 500:
		return errors.New(msg) // retryable
	}
	// 400 (commentTextTooLong, processingFailure…), 403 (forbidden,
	// commentsDisabled), 404 (commentNotFound): retrying will not help.
	return psync.Permanent(errors.New(msg))
}
