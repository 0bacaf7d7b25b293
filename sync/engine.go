package sync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	gosync "sync"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// Account pairs a stored account with its connector.
type Account struct {
	inbox.Account
	Conn Connector
}

// Engine polls every account in its own goroutine and delivers the outbox.
// One failing account never stops the others.
type Engine struct {
	svc      *inbox.Service
	log      *slog.Logger
	backoff  Backoff
	mu       gosync.Mutex
	accounts map[int64]Account
	// Worker delivers the outbox while the engine runs.
	Worker *Worker
	// Once stops after every account is caught up (parley sync --once).
	Once bool
	// Progress, when set, hears what a manager waiting on a sync should
	// know while it runs (parley sync --once prints it): rate-limit waits.
	Progress func(account inbox.Account, msg string)
}

// NewEngine creates an engine over the service.
func NewEngine(svc *inbox.Service, log *slog.Logger) *Engine {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	e := &Engine{svc: svc, log: log, backoff: Backoff{Base: 2 * time.Second, Max: 5 * time.Minute}, accounts: map[int64]Account{}}
	e.Worker = NewWorker(svc, e.connector, log)
	return e
}

// SetBackoff overrides the retry schedule (tests use short ones).
func (e *Engine) SetBackoff(b Backoff) { e.backoff = b }

// Add registers an account to sync.
func (e *Engine) Add(a Account) {
	e.mu.Lock()
	e.accounts[a.ID] = a
	e.mu.Unlock()
}

func (e *Engine) connector(id int64) (Connector, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	a, ok := e.accounts[id]
	return a.Conn, ok
}

// Run syncs every account and delivers the outbox until ctx ends (or, with
// Once, until every account has caught up and the outbox is idle). It
// returns the first error of each account joined, for Once runs.
func (e *Engine) Run(ctx context.Context) error {
	e.mu.Lock()
	accs := make([]Account, 0, len(e.accounts))
	for _, a := range e.accounts {
		accs = append(accs, a)
	}
	e.mu.Unlock()
	var wg gosync.WaitGroup
	errs := make([]error, len(accs))
	for i, a := range accs {
		wg.Go(func() { errs[i] = e.runAccount(ctx, a) })
	}
	if !e.Once {
		wg.Go(func() { e.Worker.Run(ctx) })
	}
	wg.Wait()
	if e.Once {
		// Deliver what is due now, once.
		e.Worker.Drain(ctx)
	}
	return errors.Join(errs...)
}

// runAccount is the loop of one account: fetch a page, commit it with its
// cursor, fetch again at once while the network says there is more, else
// sleep the poll interval; on failure back off.
func (e *Engine) runAccount(ctx context.Context, a Account) error {
	poll := a.Conn.Capabilities().PollInterval
	if poll <= 0 {
		poll = time.Minute
	}
	cursor := a.Cursor
	failures := 0
	for {
		if failures == 0 {
			_ = e.svc.SetAccountStatus(ctx, a.ID, inbox.AccountSyncing, "")
		}
		more, next, err := e.syncPage(WithWaitReporter(ctx, e.waitReporter(ctx, a)), a, cursor)
		var wait time.Duration
		switch {
		case ctx.Err() != nil:
			return nil
		case err == nil:
			failures, cursor = 0, next
			if more {
				continue
			}
			_ = e.svc.SetAccountStatus(ctx, a.ID, inbox.AccountOK, "")
			if e.Once {
				return nil
			}
			wait = poll + rand.N(poll/5+1) // jitter so accounts spread out
		default:
			failures++
			status := inbox.AccountError
			if errors.Is(err, ErrAuth) {
				status = inbox.AccountNeedsReauth
			}
			e.log.Warn("sync failed", "account", a.Label, "network", a.Network, "attempt", failures, "err", err)
			_ = e.svc.SetAccountStatus(ctx, a.ID, status, err.Error())
			if e.Once {
				return fmt.Errorf("%s (%s): %w", a.Label, a.Network, err)
			}
			var rl *RateLimitError
			switch {
			case errors.As(err, &rl) && rl.RetryAfter > 0:
				wait = rl.RetryAfter
				e.waiting(ctx, a, wait)
			case status == inbox.AccountNeedsReauth:
				wait = e.backoff.Max // nothing will change until the manager signs in again
			default:
				wait = e.backoff.Delay(failures)
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
	}
}

// waitReporter is how an account's connector tells that it holds back for
// the server's rate limit (see ReportWait).
func (e *Engine) waitReporter(ctx context.Context, a Account) func(time.Duration) {
	return func(d time.Duration) {
		if d <= 0 {
			_ = e.svc.SetAccountStatus(ctx, a.ID, inbox.AccountSyncing, "")
			return
		}
		e.waiting(ctx, a, d)
	}
}

// waiting logs and shows a rate-limit wait: in the log, on the account (the
// status bar), and to Progress.
func (e *Engine) waiting(ctx context.Context, a Account, d time.Duration) {
	msg := WaitMessage(d)
	e.log.Info("rate limit", "account", a.Label, "network", a.Network, "wait", d.Round(time.Second))
	_ = e.svc.SetAccountStatus(ctx, a.ID, inbox.AccountWaiting, msg)
	if e.Progress != nil {
		e.Progress(a.Account, msg)
	}
}

func (e *Engine) syncPage(ctx context.Context, a Account, cursor string) (more bool, next string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("connector panicked: %v", r)
		}
	}()
	b, err := a.Conn.Fetch(ctx, cursor)
	if err != nil {
		return false, cursor, err
	}
	if err := e.svc.Ingest(ctx, a.ID, b); err != nil {
		return false, cursor, fmt.Errorf("store: %w", err)
	}
	return b.More, b.Cursor, nil
}

// Moderation lists the moderation actions an account's network allows.
func (e *Engine) Moderation(accountID int64) []inbox.ActionKind {
	c, ok := e.connector(accountID)
	if !ok {
		return nil
	}
	return c.Capabilities().Moderation
}

// ReplyWindow is how long an account's network lets the brand answer.
func (e *Engine) ReplyWindow(accountID int64) time.Duration {
	c, ok := e.connector(accountID)
	if !ok {
		return 0
	}
	return c.Capabilities().ReplyWindow
}
