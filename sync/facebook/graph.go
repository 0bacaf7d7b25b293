package facebook

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	psync "github.com/parleyhq/parley/sync"
)

// graphError is the Graph API error object.
type graphError struct {
	Error struct {
		Message   string `json:"message"`
		Type      string `json:"type"`
		Code      int    `json:"code"`
		Subcode   int    `json:"error_subcode"`
		UserTitle string `json:"error_user_title"`
		UserMsg   string `json:"error_user_msg"`
		FBTraceID string `json:"fbtrace_id"`
	} `json:"error"`
}

// apiError is a Graph error object with its code and subcode kept, so a
// caller can tell a deleted object from a missing permission.
type apiError struct {
	Code, Subcode int
	desc          string
}

func (e *apiError) Error() string { return e.desc }

func graphErrorOf(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	return nil
}

// isGone is Graph's documented "object does not exist" (100/33): the post
// or comment was deleted between a listing and the next call. Nothing else
// means deleted.
func isGone(err error) bool {
	ae := graphErrorOf(err)
	return ae != nil && ae.Code == 100 && ae.Subcode == 33
}

// isAccessDenied is a permission error (10, 200–299) or missing access
// (1/99: Advanced Access, business verification): the app or token lacks
// something the manager must grant; retrying will not help.
func isAccessDenied(err error) bool {
	ae := graphErrorOf(err)
	if ae == nil {
		return false
	}
	switch {
	case ae.Code == 1 && ae.Subcode == 99:
		return true
	case ae.Code == 10 && (ae.Subcode == subMessengerWindow || ae.Subcode == subInstagramWindow || ae.Subcode == subPrivateReplyUsed):
		return false // a refusal of one message, not of the account's access
	}
	return ae.Code == 10 || (ae.Code >= 200 && ae.Code < 300)
}

// Subcodes of code 10 that refuse one message rather than the app: Messenger
// outside its window (documented), and Instagram outside its window and a
// comment's one private reply already used (seen in production code; Meta's
// error table does not list them).
const (
	subMessengerWindow  = 2018278
	subInstagramWindow  = 2534022
	subPrivateReplyUsed = 2534025
)

// mapError turns a Graph error object into the engine's error kinds, with
// the code, subcode and fbtrace_id kept for support requests.
func mapError(status int, h http.Header, body []byte) error {
	var ge graphError
	if json.Unmarshal(body, &ge) != nil || ge.Error.Code == 0 {
		return nil // not a Graph error object: the generic mapping applies
	}
	e := ge.Error
	msg := e.Message
	if e.UserMsg != "" {
		msg = e.UserMsg
	}
	desc := fmt.Sprintf("graph error %d", e.Code)
	if e.Subcode != 0 {
		desc += fmt.Sprintf("/%d", e.Subcode)
	}
	desc += ": " + msg
	if e.FBTraceID != "" {
		desc += " (fbtrace_id " + e.FBTraceID + ")"
	}
	ae := &apiError{Code: e.Code, Subcode: e.Subcode, desc: desc}
	switch {
	case e.Code == 190 || e.Code == 102:
		// Expired, revoked or changed-password tokens.
		return fmt.Errorf("%w: %w — connect the account again", psync.ErrAuth, ae)
	case e.Code == 4 || e.Code == 17 || e.Code == 32 || e.Code == 613 || (e.Code >= 80001 && e.Code <= 80014):
		return &psync.RateLimitError{RetryAfter: regainAccess(h), Msg: desc}
	case e.Code == 1 && e.Subcode == 99:
		return psync.Permanent(fmt.Errorf("missing access (the app may need Advanced Access, business verification or a permission): %w", ae))
	case e.Code == 1 || e.Code == 2:
		return ae // temporary: retried (a send gives up on code 2 sooner, see sendError)
	case e.Code == 10 && e.Subcode == subMessengerWindow:
		return psync.Permanent(fmt.Errorf("the reply window has closed: %w", ae))
	case e.Code == 10 && e.Subcode == subInstagramWindow:
		return psync.Permanent(fmt.Errorf("Instagram's reply window has closed: %w", ae))
	case e.Code == 10 && e.Subcode == subPrivateReplyUsed:
		return psync.Permanent(fmt.Errorf("this comment's one private reply has already been used: %w", ae))
	case e.Code == 10 || (e.Code >= 200 && e.Code < 300):
		return psync.Permanent(fmt.Errorf("missing permission: %w", ae))
	case e.Code == 551:
		return psync.Permanent(fmt.Errorf("this person cannot be reached (blocked the Page or left): %w", ae))
	}
	if status >= 500 {
		return ae
	}
	return psync.Permanent(ae)
}

// usage is one entry of X-App-Usage or X-Business-Use-Case-Usage: shares
// of the limit used, in percent.
type usage struct {
	CallCount    float64 `json:"call_count"`
	TotalTime    float64 `json:"total_time"`
	TotalCPUTime float64 `json:"total_cputime"`
	RegainMin    float64 `json:"estimated_time_to_regain_access"`
}

func (u usage) peak() float64 { return max(u.CallCount, u.TotalTime, u.TotalCPUTime) }

// readUsage collects every usage entry the response reports: the app's
// (X-App-Usage), the Page's (X-Page-Usage, same shape, sent on calls made
// with a Page token) and the business use cases'.
func readUsage(h http.Header) []usage {
	var out []usage
	for _, name := range []string{"X-App-Usage", "X-Page-Usage"} {
		if v := h.Get(name); v != "" {
			var u usage
			if json.Unmarshal([]byte(v), &u) == nil {
				out = append(out, u)
			}
		}
	}
	if v := h.Get("X-Business-Use-Case-Usage"); v != "" {
		var m map[string][]usage
		if json.Unmarshal([]byte(v), &m) == nil {
			for _, us := range m {
				out = append(out, us...)
			}
		}
	}
	return out
}

// pace slows the connector down as usage nears the limit: nothing below
// 75 %, then a growing pause, and the regain time once Graph names one.
func pace(h http.Header) time.Duration {
	var wait time.Duration
	for _, u := range readUsage(h) {
		if u.RegainMin > 0 {
			wait = max(wait, time.Duration(u.RegainMin*float64(time.Minute)))
		}
		if p := u.peak(); p >= 75 {
			wait = max(wait, time.Duration((p-74)*float64(2*time.Second)))
		}
	}
	return wait
}

func regainAccess(h http.Header) time.Duration {
	wait := time.Duration(0)
	for _, u := range readUsage(h) {
		wait = max(wait, time.Duration(u.RegainMin*float64(time.Minute)))
	}
	if wait == 0 {
		wait = 5 * time.Minute
	}
	return wait
}
