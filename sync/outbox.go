package sync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// MaxAttempts is how often a retryable failure is retried before the entry
// is marked failed for the manager to retry or edit.
const MaxAttempts = 8

// Worker delivers outbox entries through the account's connector.
type Worker struct {
	svc  *inbox.Service
	conn func(accountID int64) (Connector, bool)
	log  *slog.Logger
	// Backoff spaces retries of retryable failures.
	Backoff Backoff
	// Tick is how often the worker looks for due entries besides being woken
	// by store changes (retries come due on their own).
	Tick time.Duration
	// Destinations deliver escalations, by destination name.
	Destinations map[string]Deliverer
}

// NewWorker creates an outbox worker.
func NewWorker(svc *inbox.Service, conn func(int64) (Connector, bool), log *slog.Logger) *Worker {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Worker{svc: svc, conn: conn, log: log, Backoff: Backoff{Base: 5 * time.Second, Max: 10 * time.Minute}, Tick: time.Second}
}

// Run delivers until ctx ends. Entries left "sending" by a crash are requeued
// first; idempotency keys keep a network from posting them twice.
func (w *Worker) Run(ctx context.Context) {
	if err := w.svc.RecoverOutbox(ctx); err != nil {
		w.log.Error("outbox recovery", "err", err)
	}
	changes := w.svc.Subscribe(ctx)
	t := time.NewTicker(w.Tick)
	defer t.Stop()
	for {
		w.Drain(ctx)
		select {
		case <-ctx.Done():
			return
		case <-changes:
		case <-t.C:
		}
	}
}

// Drain delivers every entry that is due now.
func (w *Worker) Drain(ctx context.Context) {
	for ctx.Err() == nil {
		es, err := w.svc.ClaimOutbox(ctx, 16)
		if err != nil {
			w.log.Error("claim outbox", "err", err)
			return
		}
		if len(es) == 0 {
			return
		}
		for _, e := range es {
			w.deliver(ctx, e)
		}
	}
}

func (w *Worker) deliver(ctx context.Context, e inbox.OutboxEntry) {
	var r Receipt
	var err error
	if dest, ok := e.Action.Destination(); ok {
		err = w.escalate(ctx, dest, e, false)
	} else if dest, ok := e.Action.Retraction(); ok {
		err = w.escalate(ctx, dest, e, true)
	} else {
		conn, ok := w.conn(e.AccountID)
		if !ok {
			_ = w.svc.FailOutbox(ctx, e.ID, fmt.Errorf("the account of this conversation is not connected; connect it and retry"), time.Time{})
			return
		}
		r, err = perform(ctx, conn, Action{Kind: e.Action, ConversationID: e.ConvExternalID, TargetID: e.TargetID,
			Body: e.Body, IdempotencyKey: e.IdempotencyKey, Attempt: e.Attempts, Queued: e.CreatedAt})
	}
	if err == nil {
		if err := w.svc.CompleteOutbox(context.WithoutCancel(ctx), e.ID, r.ExternalID, r.Permalink); err != nil {
			w.log.Error("record delivery", "outbox", e.ID, "err", err)
		}
		return
	}
	var retryAt time.Time
	var rl *RateLimitError
	switch {
	case ctx.Err() != nil:
		// We are shutting down mid-send: due again at once on the next run.
		retryAt = w.svc.Now()
		err = fmt.Errorf("interrupted by shutdown, will be sent again: %w", err)
	case IsPermanent(err) || e.Attempts >= MaxAttempts:
		// final: zero retryAt
	case errors.As(err, &rl) && rl.RetryAfter > 0:
		retryAt = w.svc.Now().Add(rl.RetryAfter)
	default:
		retryAt = w.svc.Now().Add(w.Backoff.Delay(e.Attempts))
	}
	w.log.Warn("delivery failed", "outbox", e.ID, "attempt", e.Attempts, "final", retryAt.IsZero(), "err", err)
	// Record the failure even if we are shutting down: nothing is lost.
	_ = w.svc.FailOutbox(context.WithoutCancel(ctx), e.ID, err, retryAt)
}

func perform(ctx context.Context, c Connector, a Action) (r Receipt, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("connector panicked: %v", p)
		}
	}()
	return c.Perform(ctx, a)
}

// escalate delivers an escalation (or its retraction) to its destination.
func (w *Worker) escalate(ctx context.Context, dest string, e inbox.OutboxEntry, retracted bool) (err error) {
	d, ok := w.Destinations[dest]
	if !ok {
		return Permanent(fmt.Errorf("destination %q has no delivery configured", dest))
	}
	th, err := w.svc.Open(ctx, e.ConversationID)
	if err != nil {
		return err
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("delivery panicked: %v", p)
		}
	}()
	esc := NewEscalation(dest, e.Body, th)
	esc.Retracted = retracted
	return d.Deliver(ctx, esc)
}
