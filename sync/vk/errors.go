package vk

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	psync "github.com/parleyhq/parley/sync"
)

// apiError is VK's error object, sent inside an HTTP 200 answer:
// {"error":{"error_code":6,"error_msg":"…","request_params":[…]}}.
// request_params echo what we sent, so they are never shown (they may hold
// the token when it went as a parameter).
type apiError struct {
	Code       int    `json:"error_code"`
	Msg        string `json:"error_msg"`
	CaptchaSID string `json:"captcha_sid"`
	CaptchaImg string `json:"captcha_img"`
}

// Error codes from the schema's errors.json that change what we do.
const (
	errUnknown     = 1
	errAuth        = 5
	errTooMany     = 6
	errPermission  = 7
	errFlood       = 9
	errInternal    = 10
	errCaptcha     = 14
	errAccess      = 15
	errValidation  = 17
	errGroupAuth   = 27
	errAppAuth     = 28
	errRateLimit   = 29
	errParam       = 100
	errUserID      = 113
	errGroupAccess = 203
	errWallComment = 211
	errWallReplies = 212
	errAddReply    = 213
	errLinks       = 222
	errTooManyRepl = 223
	errNotFound    = 104
	errMarketOff   = 1438
	errMarketGone  = 1525
	errMsgBlocked  = 900
	errMsgNoPerm   = 901
	errMsgPrivacy  = 902
)

// callError is one failed API call: which method, with which credential,
// and what VK said. Tokens are never part of it.
type callError struct {
	Method string
	Token  tokenKind
	Err    apiError
}

func (e *callError) Error() string {
	return fmt.Sprintf("vk %s (%s): error %d: %s", e.Method, e.Token.what(), e.Err.Code, psync.Truncate(e.Err.Msg, 200))
}

// mapError turns a VK error into the engine's error kinds. Errors 6 and 10
// are retried by call itself first; what reaches here is what is left.
func mapError(method string, tok tokenKind, ae apiError) error {
	ce := &callError{Method: method, Token: tok, Err: ae}
	switch ae.Code {
	case errAuth:
		return fmt.Errorf("%w: %v — the %s was refused (expired or revoked); create a new one and run: parley connect vk", psync.ErrAuth, ce, tok.what())
	case errCaptcha:
		// parley never solves captchas: a person has to use the account.
		return fmt.Errorf("%w: %v — VK wants a captcha for the %s: sign in to vk.com with it, act there once, then let parley retry", psync.ErrAuth, ce, tok.what())
	case errValidation:
		return fmt.Errorf("%w: %v — VK wants the account owner to validate the sign-in on vk.com", psync.ErrAuth, ce)
	case errTooMany:
		return &psync.RateLimitError{RetryAfter: 2 * time.Second, Msg: ce.Error()}
	case errFlood:
		// Flood control counts identical actions; a minute is VK's usual cool-down.
		return &psync.RateLimitError{RetryAfter: time.Minute, Msg: ce.Error()}
	case errRateLimit:
		// The per-method daily quota: nothing helps until it refills.
		return &psync.RateLimitError{RetryAfter: time.Hour, Msg: ce.Error()}
	case errUnknown, errInternal:
		return ce // retryable
	case errGroupAuth:
		return psync.Permanent(fmt.Errorf("%v — configuration problem: %s does not accept a community token; add an admin user token with: parley connect vk --user-token-file F", ce, method))
	case errAppAuth:
		return psync.Permanent(fmt.Errorf("%v — configuration problem: %s needs a user token, not a service key", ce, method))
	case errPermission, errAccess, errGroupAccess, errWallComment, errWallReplies, errAddReply:
		return psync.Permanent(&permissionError{ce: ce, right: missingRight(method, tok)})
	}
	return psync.Permanent(ce)
}

// permissionError is a refusal that a manager can fix by granting a right.
type permissionError struct {
	ce    *callError
	right string
}

func (e *permissionError) Error() string {
	return fmt.Sprintf("%v — missing right: %s", e.ce, e.right)
}

// missingRight names what to grant so that method works with that token.
func missingRight(method string, tok tokenKind) string {
	switch {
	case strings.HasPrefix(method, "messages."):
		return "the community token needs the \"messages\" right, and community messages must be on (Manage → Messages)"
	case strings.HasPrefix(method, "groups.getLongPoll"), strings.HasPrefix(method, "groups.setLongPoll"):
		return "the community token needs the \"manage\" right for Long Poll"
	case strings.HasPrefix(method, "market."):
		return "the user token needs the scope market (besides wall, groups and offline), and its owner must administer the community"
	case method == "groups.ban":
		return "the user token's owner must be an administrator or moderator of the community (scope groups)"
	case tok == userToken:
		return "the user token needs the scopes wall, groups and offline, and its owner must administer the community"
	}
	return "the community token must belong to this community"
}

// isPermission reports whether err is a refusal for lack of a right or of
// the right kind of token: a configuration problem, not a failure to retry.
func isPermission(err error) bool {
	var pe *permissionError
	var ce *callError
	return errors.As(err, &pe) || (errors.As(err, &ce) && (ce.Err.Code == errGroupAuth || ce.Err.Code == errAppAuth))
}

// httpError maps an answer that is not VK's usual HTTP 200 (a proxy's 5xx,
// a 429 from the front end) through the shared client's generic mapping.
func httpError(status int, h http.Header, body []byte) error {
	var env struct {
		Error *apiError `json:"error"`
	}
	if json.Unmarshal(body, &env) == nil && env.Error != nil && env.Error.Code != 0 {
		return mapError("request", anyToken, *env.Error)
	}
	return nil
}

// marketOff reports whether the community has no shop to read: VK answers
// "market not enabled" or "market is disabled" to every market call then.
func marketOff(err error) bool {
	var ce *callError
	return errors.As(err, &ce) && (ce.Err.Code == errMarketOff || ce.Err.Code == errMarketGone)
}
