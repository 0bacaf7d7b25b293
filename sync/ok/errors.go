package ok

import (
	"errors"
	"fmt"
	"time"

	psync "github.com/parleyhq/parley/sync"
)

// apiError is OK's error object: {"error_code":104,"error_msg":
// "PARAM_SIGNATURE : Invalid signature …","error_data":null}. REST and
// Bot API answers use the same fields.
type apiError struct {
	Code int    `json:"error_code"`
	Msg  string `json:"error_msg"`
}

// OK's error codes (apiok.ru error list, as mirrored by the OK clients in
// PHP, Python and C#) that change what parley does.
const (
	errUnknown          = 1
	errService          = 2
	errMethod           = 3
	errActionBlocked    = 7
	errFlood            = 8
	errIPBlocked        = 9
	errPermissionDenied = 10
	errLimitReached     = 11
	errNotOwner         = 24
	errNotAdmin         = 50
	errParam            = 100
	errAPIKey           = 101
	errSessionExpired   = 102
	errSessionKey       = 103
	errSignature        = 104
	errResignature      = 105
	errGroupID          = 160
	errPermission       = 200
	errAppDisabled      = 210
	errNotFound         = 300
	errCaptcha          = 402
	errCensor           = 454
	errGroupRestriction = 456
	errVerification     = 514
	errSystem           = 9999
)

// callError is one failed call: which method and what OK said. Tokens and
// secrets are never part of it.
type callError struct {
	Method string
	Err    apiError
}

func (e *callError) Error() string {
	return fmt.Sprintf("ok %s: error %d: %s", e.Method, e.Err.Code, psync.Truncate(e.Err.Msg, 200))
}

// mapError turns an OK error into the engine's kinds.
func mapError(method string, ae apiError) error {
	ce := &callError{Method: method, Err: ae}
	switch ae.Code {
	case errSessionExpired, errSessionKey:
		return fmt.Errorf("%w: %v — the access token expired or was revoked; get a new one and run: parley connect ok", psync.ErrAuth, ce)
	case errAPIKey, errAppDisabled:
		return fmt.Errorf("%w: %v — the application key is wrong or the application is disabled (ok.ru/dk?st.cmd=appsInfoMyDevList)", psync.ErrAuth, ce)
	case errSignature, errResignature:
		// Only a wrong secret makes a signature OK refuses: retrying cannot help.
		return fmt.Errorf("%w: %v — OK refused the request signature: the application secret key (or the token's session secret) does not belong to this application and token; run: parley connect ok", psync.ErrAuth, ce)
	case errCaptcha, errVerification:
		return fmt.Errorf("%w: %v — OK wants the account owner to confirm it is a person: sign in on ok.ru, then let parley retry", psync.ErrAuth, ce)
	case errFlood, errActionBlocked:
		return &psync.RateLimitError{RetryAfter: 5 * time.Minute, Msg: ce.Error()}
	case errLimitReached:
		// A method's call budget is spent (users.getCallsLeft tells how much is left).
		return &psync.RateLimitError{RetryAfter: time.Hour, Msg: ce.Error()}
	case errIPBlocked:
		return &psync.RateLimitError{RetryAfter: time.Hour, Msg: ce.Error() + " — OK blocked this address for suspicious activity"}
	case errUnknown, errService, errSystem:
		return ce // retryable
	case errPermissionDenied, errPermission:
		return psync.Permanent(&permissionError{ce: ce, right: "the application needs the VALUABLE_ACCESS and GROUP_CONTENT permissions (asked for by e-mail to api-support@ok.ru) and the token must be granted them"})
	case errNotAdmin, errNotOwner, errGroupRestriction:
		return psync.Permanent(&permissionError{ce: ce, right: "the token's owner must be an administrator or moderator of the group"})
	case errCensor:
		return psync.Permanent(fmt.Errorf("%v — OK's filter refused the text; reword it", ce))
	}
	return psync.Permanent(ce)
}

// permissionError is a refusal a manager fixes by granting a right.
type permissionError struct {
	ce    *callError
	right string
}

func (e *permissionError) Error() string {
	return fmt.Sprintf("%v — missing right: %s", e.ce, e.right)
}

func isPermission(err error) bool {
	var pe *permissionError
	return errors.As(err, &pe)
}

func codeOf(err error) int {
	var ce *callError
	if errors.As(err, &ce) {
		return ce.Err.Code
	}
	var pe *permissionError
	if errors.As(err, &pe) {
		return pe.ce.Err.Code
	}
	return 0
}
