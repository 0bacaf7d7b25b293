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
	feeds    map[int64]Feed
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
	e := &Engine{svc: svc, log: log, backoff: Backoff{Base: 2 * time.Second, Max: 5 * time.Minute}, accounts: map[int64]Account{}, feeds: map[int64]Feed{}}
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
	// Messages older than one interval before the start are backlog, not
	// a conversation going on.
	st := &accountState{cursor: a.Cursor, kick: make(chan struct{}, 1), newest: e.svc.Now().Add(-poll)}
	pace := newPollPacer(poll)
	e.setFeed(a.ID, func(f *Feed) { f.PollEvery = poll })
	if s, ok := a.Conn.(Streamer); ok && !e.Once {
		go e.runStream(ctx, a, s, st)
	}
	failures := 0
	for {
		if failures == 0 {
			_ = e.svc.SetAccountStatus(ctx, a.ID, inbox.AccountSyncing, "")
		}
		more, news, err := e.syncPage(WithWaitReporter(ctx, e.waitReporter(ctx, a)), a, st)
		st.news = st.news || news
		var wait time.Duration
		switch {
		case ctx.Err() != nil:
			return nil
		case err == nil:
			failures = 0
			if more {
				continue
			}
			_ = e.svc.SetAccountStatus(ctx, a.ID, inbox.AccountOK, "")
			if e.Once {
				return nil
			}
			if e.Feed(a.ID).Live {
				// The stream brings what is new; an occasional fetch is
				// the safety net for anything it missed.
				wait = 10 * poll
				st.news = false
				break
			}
			every := pace.next(st.news)
			st.news = false
			e.setFeed(a.ID, func(f *Feed) { f.PollEvery = every })
			wait = every + rand.N(every/5+1) // jitter so accounts spread out
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
		case <-st.kick: // the stream (re)connected: catch up now
		}
	}
}

// accountState is what an account's fetch loop and its stream share: the
// cursor, and the lock that keeps their commits in order.
type accountState struct {
	mu     gosync.Mutex
	cursor string
	kick   chan struct{} // asks the fetch loop to catch up now
	news   bool          // the fetch loop's pages since its last wait brought messages
	newest time.Time     // the latest message creation time seen by a poll
}

// runStream keeps an account's stream connected until ctx ends,
// reconnecting with backoff; after every connect the fetch loop catches up.
func (e *Engine) runStream(ctx context.Context, a Account, s Streamer, st *accountState) {
	failures := 0
	for ctx.Err() == nil {
		err := e.stream(ctx, a, s, st, func() { failures = 0 })
		e.setFeed(a.ID, func(f *Feed) { f.Live = false })
		if ctx.Err() != nil {
			return
		}
		if errors.Is(err, ErrNoStream) {
			e.log.Info("no stream on this server; polling", "account", a.Label, "network", a.Network, "why", err)
			return
		}
		failures++
		wait := e.backoff.Delay(failures)
		e.log.Warn("stream dropped; polling until it is back", "account", a.Label, "network", a.Network,
			"attempt", failures, "retry_in", wait, "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

func (e *Engine) stream(ctx context.Context, a Account, s Streamer, st *accountState, connected func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("stream panicked: %v", r)
		}
	}()
	kick := func() {
		select {
		case st.kick <- struct{}{}:
		default:
		}
	}
	return s.Stream(context.WithValue(ctx, catchUpKey{}, kick), func() {
		connected()
		e.setFeed(a.ID, func(f *Feed) { f.Live = true })
		e.log.Info("stream connected", "account", a.Label, "network", a.Network)
		kick()
	}, func(b inbox.Batch) error {
		st.mu.Lock()
		defer st.mu.Unlock()
		if b.Cursor == "" {
			b.Cursor = st.cursor
		}
		if err := e.svc.Ingest(ctx, a.ID, b); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		st.cursor = b.Cursor
		e.setFeed(a.ID, func(f *Feed) { f.LastEvent = e.svc.Now() })
		return nil
	})
}

// Feed says how an account receives messages right now.
func (e *Engine) Feed(accountID int64) Feed {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.feeds[accountID]
}

// FillFeed sets an account's feed fields from the engine (the service's
// feed hook).
func (e *Engine) FillFeed(a *inbox.Account) {
	f := e.Feed(a.ID)
	a.Live, a.PollEvery, a.LastEvent = f.Live, f.PollEvery, f.LastEvent
}

func (e *Engine) setFeed(id int64, change func(*Feed)) {
	e.mu.Lock()
	was := e.feeds[id]
	f := was
	change(&f)
	e.feeds[id] = f
	e.mu.Unlock()
	if f.Live != was.Live || f.PollEvery != was.PollEvery {
		e.svc.FeedChanged()
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

// syncPage fetches the page after the account's cursor and commits it with
// the cursor that follows. The fetch runs unlocked (it may wait minutes for
// a rate limit, and the stream must keep delivering meanwhile); the commit
// holds the account's lock. A stream that moved the cursor meanwhile may be
// moved back by the commit: the next fetch then reads some items again,
// which upserts make harmless.
func (e *Engine) syncPage(ctx context.Context, a Account, st *accountState) (more, news bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("connector panicked: %v", r)
		}
	}()
	st.mu.Lock()
	cursor := st.cursor
	st.mu.Unlock()
	b, err := a.Conn.Fetch(ctx, cursor)
	if err != nil {
		return false, false, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := e.svc.Ingest(ctx, a.ID, b); err != nil {
		return false, false, fmt.Errorf("store: %w", err)
	}
	st.cursor = b.Cursor
	// New is what was written since the last look: many networks' polls
	// read recent items again (for edits), which is no news.
	for _, it := range b.Items {
		if it.Message.CreatedAt.After(st.newest) {
			st.newest, news = it.Message.CreatedAt, true
		}
	}
	if news {
		e.setFeed(a.ID, func(f *Feed) { f.LastEvent = e.svc.Now() })
	}
	return b.More, news, nil
}

// Moderation lists the moderation actions an account's network allows.
func (e *Engine) Moderation(accountID int64) []inbox.ActionKind {
	c, ok := e.connector(accountID)
	if !ok {
		return nil
	}
	return c.Capabilities().Moderation
}

// Limit is the longest reply an account's network accepts in a kind of
// conversation.
func (e *Engine) Limit(accountID int64, kind inbox.Kind) inbox.TextLimit {
	c, ok := e.connector(accountID)
	if !ok {
		return inbox.TextLimit{}
	}
	return c.Capabilities().Limit(kind)
}

// ReplyWindow is how long an account's network lets the brand answer.
func (e *Engine) ReplyWindow(accountID int64) time.Duration {
	c, ok := e.connector(accountID)
	if !ok {
		return 0
	}
	return c.Capabilities().ReplyWindow
}
