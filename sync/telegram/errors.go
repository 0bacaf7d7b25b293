package telegram

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	psync "github.com/parleyhq/parley/sync"
)

// apiError is a Bot API refusal: its code and Telegram's description
// (remote text, cut short). It never holds the token.
type apiError struct {
	Code        int
	Description string
	RetryAfter  int
	MigrateTo   int64
}

func (e *apiError) Error() string {
	return fmt.Sprintf("error %d: %s", e.Code, psync.Truncate(e.Description, 200))
}

// mapHTTPError is the shared client's MapError hook: Telegram answers
// failures with a non-2xx status and its own body.
func mapHTTPError(status int, _ http.Header, body []byte) error {
	var env envelope
	if json.Unmarshal(body, &env) != nil || env.OK || (env.ErrorCode == 0 && env.Description == "") {
		return nil // not Telegram's shape (a proxy's page): the generic mapping
	}
	if env.ErrorCode == 0 {
		env.ErrorCode = status
	}
	return mapError(env)
}

// mapError turns Telegram's error into the engine's kinds.
func mapError(env envelope) error {
	ae := &apiError{Code: env.ErrorCode, Description: env.Description}
	if env.Parameters != nil {
		ae.RetryAfter, ae.MigrateTo = env.Parameters.RetryAfter, env.Parameters.MigrateToChatID
	}
	desc := strings.ToLower(env.Description)
	switch {
	case ae.Code == 429:
		wait := time.Duration(ae.RetryAfter) * time.Second
		if ae.RetryAfter <= 0 {
			wait = 5 * time.Second // a 429 without retry_after: a short, polite pause
		}
		return &psync.RateLimitError{RetryAfter: wait, Msg: ae.Error()}
	case ae.Code == 401 || ae.Code == 404 && desc == "not found":
		// A revoked or mistyped token: Telegram answers 401 Unauthorized
		// (and 404 Not Found for a token that never existed).
		return fmt.Errorf("%w: %v — the bot token was refused (revoked in @BotFather, or mistyped); get the current token from @BotFather and run: parley connect telegram", psync.ErrAuth, ae)
	case ae.Code == 409:
		if strings.Contains(desc, "webhook") {
			return psync.Permanent(fmt.Errorf("%v — a webhook is set for this bot, so it cannot be polled; remove it (parley connect telegram --delete-webhook) or stop the program that set it", ae))
		}
		return fmt.Errorf("%v — another program is polling this bot at the same time; only one may (stop the other one, or give parley its own bot)", ae)
	case ae.Code == 403:
		return psync.Permanent(&blockedError{ae: ae})
	case ae.MigrateTo != 0:
		return psync.Permanent(fmt.Errorf("%v — the group became a supergroup (new id %d); its new messages arrive as a new conversation, answer there", ae, ae.MigrateTo))
	case ae.Code >= 500:
		return ae // retryable
	}
	return psync.Permanent(ae)
}

// blockedError is a 403: the person blocked the bot, or the bot was
// removed from the group or lacks a right there. Retrying cannot help.
type blockedError struct{ ae *apiError }

func (e *blockedError) Error() string {
	d := strings.ToLower(e.ae.Description)
	why := "the bot lacks the right for this in that chat"
	switch {
	case strings.Contains(d, "blocked by the user"):
		why = "the person blocked the bot; it can write to them again only after they unblock it"
	case strings.Contains(d, "kicked"), strings.Contains(d, "not a member"):
		why = "the bot is no longer in that chat; add it back (as an administrator) to answer there"
	case strings.Contains(d, "can't initiate"):
		why = "a bot cannot write first: the person must open the bot and press Start"
	case strings.Contains(d, "deactivated"):
		why = "the person's Telegram account is deleted"
	}
	return fmt.Sprintf("%v — %s", e.ae, why)
}

func isCode(err error, code int, substr string) bool {
	var ae *apiError
	if !errors.As(err, &ae) {
		var be *blockedError
		if !errors.As(err, &be) {
			return false
		}
		ae = be.ae
	}
	return ae.Code == code && strings.Contains(strings.ToLower(ae.Description), substr)
}
