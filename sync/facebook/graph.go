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
	switch {
	case e.Code == 190 || e.Code == 102:
		// Expired, revoked or changed-password tokens.
		return fmt.Errorf("%w: %s — connect the Page again", psync.ErrAuth, desc)
	case e.Code == 4 || e.Code == 17 || e.Code == 32 || e.Code == 613 || (e.Code >= 80001 && e.Code <= 80014):
		return &psync.RateLimitError{RetryAfter: regainAccess(h), Msg: desc}
	case e.Code == 1 || e.Code == 2:
		return errors.New(desc) // temporary: retried
	case e.Code == 10 && e.Subcode == 2018278:
		return psync.Permanent(fmt.Errorf("the reply window has closed: %s", desc))
	case e.Code == 10 || (e.Code >= 200 && e.Code < 300):
		return psync.Permanent(fmt.Errorf("missing permission: %s", desc))
	}
	if status >= 500 {
		return errors.New(desc)
	}
	return psync.Permanent(errors.New(desc))
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

// readUsage collects every usage entry the response reports.
func readUsage(h http.Header) []usage {
	var out []usage
	if v := h.Get("X-App-Usage"); v != "" {
		var u usage
		if json.Unmarshal([]byte(v), &u) == nil {
			out = append(out, u)
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
