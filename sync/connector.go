// Package sync moves data between networks and the inbox: the Connector
// interface every network implements, a registry of connectors by network
// name, the engine that polls each account, and the outbox worker that
// delivers replies.
package sync

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// Capabilities say what a network allows, so the TUI can hide what it lacks.
type Capabilities struct {
	Reply        bool
	PrivateReply bool
	Hide         bool
	Delete       bool
	ReviewReply  bool
	ReplyWindow  time.Duration // 0: no platform window
	PollInterval time.Duration // how often to fetch when caught up
	// Moderation lists the moderation actions the network allows (mute,
	// block, report, dismiss…); the TUI offers only these.
	Moderation []inbox.ActionKind
	// TextLimit is the longest reply the network accepts, and how it
	// counts; DMLimit overrides it in private conversations where the
	// network's messaging API has its own (zero: same as TextLimit).
	TextLimit inbox.TextLimit
	DMLimit   inbox.TextLimit
	// IdempotentSends: the network's API guarantees that a resend with the
	// same IdempotencyKey posts once (VK random_id, the demo). Where it
	// does not (Mastodon-API servers may ignore Idempotency-Key; Graph has
	// no key), the connector looks for an earlier attempt's post before
	// sending again (Action.Attempt > 1).
	IdempotentSends bool
}

// Limit is the text limit for a kind of conversation.
func (c Capabilities) Limit(kind inbox.Kind) inbox.TextLimit {
	if kind == inbox.KindDM && c.DMLimit.Max > 0 {
		return c.DMLimit
	}
	return c.TextLimit
}

// Action is one thing to do on a network, from the outbox.
type Action struct {
	Kind           inbox.ActionKind
	ConversationID string // external id
	TargetID       string // external id of the message answered
	Body           string
	IdempotencyKey string
	// Attempt counts sends of this action (1 the first time). A network
	// without idempotency keys checks on later attempts whether an earlier
	// one went through before sending again.
	Attempt int
	// Queued is when the action was asked for.
	Queued time.Time
}

// Receipt is what a network says about a performed action.
type Receipt struct {
	ExternalID string
	Permalink  string
}

// Connector is one account on one network.
type Connector interface {
	Capabilities() Capabilities
	// Fetch returns the page after cursor ("" for the first sync).
	Fetch(ctx context.Context, cursor string) (inbox.Batch, error)
	// Perform carries out an action. It must be safe to call again with the
	// same IdempotencyKey after an ambiguous failure.
	Perform(ctx context.Context, a Action) (Receipt, error)
}

// ErrAuth means the network refused our credentials: the account needs the
// manager to sign in again; retrying will not help.
var ErrAuth = errors.New("authentication refused")

// RateLimitError asks the engine to wait before the next request.
type RateLimitError struct {
	RetryAfter time.Duration
	Msg        string
}

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("rate limited (retry in %s): %s", e.RetryAfter.Round(time.Second), e.Msg)
}

// PermanentError is a failure that retrying cannot fix (a rejected reply,
// a deleted target). Anything not marked permanent or auth is retried.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// Permanent marks err as not worth retrying.
func Permanent(err error) error { return &PermanentError{Err: err} }

// IsPermanent reports whether err should not be retried.
func IsPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p) || errors.Is(err, ErrAuth)
}

// waitKey carries, in a fetch's or send's context, who to tell about a
// rate-limit wait.
type waitKey struct{}

// WithWaitReporter returns a context under which ReportWait calls report:
// with how long a connector is about to hold back for the server's rate
// limit, then with 0 when it carries on.
func WithWaitReporter(ctx context.Context, report func(time.Duration)) context.Context {
	return context.WithValue(ctx, waitKey{}, report)
}

// ReportWait tells whoever runs the connector that it waits d for the
// server's rate limit (0: the wait is over). Waiting silently looked like a
// hang.
func ReportWait(ctx context.Context, d time.Duration) {
	if f, ok := ctx.Value(waitKey{}).(func(time.Duration)); ok {
		f(d)
	}
}

// ReportingSleep wraps an HTTP client's Sleep so that every wait for the
// rate limit is reported (see ReportWait). Short pauses are not news.
func ReportingSleep(sleep func(context.Context, time.Duration) error) func(context.Context, time.Duration) error {
	return func(ctx context.Context, d time.Duration) error {
		if d < time.Second {
			return sleep(ctx, d)
		}
		ReportWait(ctx, d)
		defer ReportWait(ctx, 0)
		return sleep(ctx, d)
	}
}

// WaitMessage is how a rate-limit wait is said to the manager.
func WaitMessage(d time.Duration) string {
	return fmt.Sprintf("waiting %s for the server's rate limit", d.Round(time.Second))
}

// Streamer is implemented by connectors whose network pushes: a long-lived
// connection delivering batches (Mastodon streaming, VK Long Poll, Telegram
// getUpdates). The engine runs Stream beside the Fetch loop, reconnects it
// with backoff, and after every (re)connect catches up through Fetch from
// the stored cursor, so nothing is lost between a drop and the resume;
// duplicates are harmless (upserts). While the stream is down the account
// is polled.
type Streamer interface {
	// Stream connects, calls connected once the connection is up, then
	// deliver with each batch pushed, until the connection drops (return
	// why) or ctx ends. A batch's Cursor, when set, becomes the account's
	// cursor (a long poll's offset); when empty the stored one is kept (a
	// push that says nothing about the Fetch position). If deliver fails,
	// return its error: the engine reconnects and catches up.
	Stream(ctx context.Context, connected func(), deliver func(inbox.Batch) error) error
}

// ErrNoStream is returned by Stream when the server offers no stream: the
// account is polled from then on.
var ErrNoStream = errors.New("the server offers no stream")

// Feed is how an account receives messages right now, for the status bar.
type Feed struct {
	Live      bool          // a stream is connected
	PollEvery time.Duration // how often it is polled while not live
	LastEvent time.Time     // when new messages last arrived, pushed or polled (zero: never)
}
