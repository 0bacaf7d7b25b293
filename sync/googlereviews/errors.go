package googlereviews

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	psync "github.com/parleyhq/parley/sync"
)

// accessAdvice is what to do when Google has not opened the API to the
// project: its quota is 0 until the access request is approved.
const accessAdvice = "Google has not enabled the Business Profile API for this project yet: request access at " +
	"https://developers.google.com/my-business/content/prereqs (the \"Application for Basic API Access\" form), " +
	"then enable the Google My Business API, My Business Account Management API and My Business Business Information API " +
	"in the Cloud console; until then Google answers every call with quota 0"

// googleError is Google's JSON error body.
type googleError struct {
	Error struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Status  string `json:"status"`
		Errors  []struct {
			Reason string `json:"reason"`
		} `json:"errors"`
		Details []struct {
			Type       string            `json:"@type"`
			Reason     string            `json:"reason"`
			Metadata   map[string]string `json:"metadata"`
			Violations []struct {
				Subject     string `json:"subject"`
				Description string `json:"description"`
			} `json:"violations"`
		} `json:"details"`
	} `json:"error"`
}

// mapError reads Google's error body into the engine's kinds, and says
// plainly when the project has no access to the API (quota 0).
func mapError(status int, h http.Header, body []byte) error {
	var ge googleError
	if json.Unmarshal(body, &ge) != nil || ge.Error.Code == 0 && ge.Error.Message == "" {
		return nil // not Google's shape: the generic mapping
	}
	e := ge.Error
	reasons := []string{e.Status}
	zeroQuota := false
	for _, r := range e.Errors {
		reasons = append(reasons, r.Reason)
	}
	for _, d := range e.Details {
		reasons = append(reasons, d.Reason)
		if v, ok := d.Metadata["quota_limit_value"]; ok && v == "0" {
			zeroQuota = true
		}
	}
	has := func(r string) bool {
		for _, x := range reasons {
			if x == r {
				return true
			}
		}
		return false
	}
	msg := fmt.Sprintf("%d %s: %s", status, e.Status, psync.Truncate(e.Message, 300))
	disabled := has("SERVICE_DISABLED") || has("accessNotConfigured") ||
		strings.Contains(e.Message, "has not been used in project") || strings.Contains(e.Message, "it is disabled")
	switch {
	case disabled || zeroQuota:
		return psync.Permanent(fmt.Errorf("%s (%s)", accessAdvice, msg))
	case status == http.StatusUnauthorized:
		return fmt.Errorf("%w: %s; run parley connect google-reviews again", psync.ErrAuth, msg)
	case has("ACCESS_TOKEN_SCOPE_INSUFFICIENT") || has("insufficientPermissions"):
		return fmt.Errorf("%w: %s: the sign-in lacks the business.manage scope; run parley connect google-reviews again", psync.ErrAuth, msg)
	case status == http.StatusTooManyRequests || e.Status == "RESOURCE_EXHAUSTED":
		return &psync.RateLimitError{RetryAfter: psync.RetryAfter(h.Get("Retry-After"), time.Now()), Msg: msg}
	case status == http.StatusForbidden:
		return psync.Permanent(fmt.Errorf("%s (the signed-in user does not manage this location, or it is not verified)", msg))
	case status == http.StatusNotFound:
		return psync.Permanent(fmt.Errorf("%s (no such location or review; reviews exist only for verified locations)", msg))
	case status >= 500:
		return errors.New(msg)
	}
	return psync.Permanent(errors.New(msg))
}
