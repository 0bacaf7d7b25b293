package sync

import (
	"context"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
)

func TestPollPacerFasterWhileBusySlowerWhenQuiet(t *testing.T) {
	p := newPollPacer(time.Minute)
	for range 10 {
		p.next(true)
	}
	if p.cur != 15*time.Second {
		t.Fatalf("busy: every %s, want a quarter of the minute", p.cur)
	}
	for range 20 {
		p.next(false)
	}
	if p.cur != 2*time.Minute {
		t.Fatalf("quiet: every %s, want at most twice the minute", p.cur)
	}
	if got := p.next(true); got != time.Minute {
		t.Fatalf("a message after a quiet spell: every %s, want halved", got)
	}
	// Never below the shortest interval a manager may set.
	p = newPollPacer(10 * time.Second)
	for range 10 {
		p.next(true)
	}
	if p.cur != minPoll {
		t.Fatalf("busy at 10s: every %s, want %s", p.cur, minPoll)
	}
}

// Through the engine: a poll that brings new messages shortens the
// interval the status bar shows.
func TestEnginePollsFasterWhileMessagesArrive(t *testing.T) {
	e := newEnv(t)
	net := &pushNet{}
	for _, id := range []string{"a", "b", "c"} {
		it := msg("c-new", id)
		it.Message.CreatedAt = time.Now() // written just now: news, not backlog
		net.list = append(net.list, it)
	}
	acc := e.account(t, "busy", &polledOnly{net})
	eng := NewEngine(e.svc, nil)
	eng.Add(acc)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { eng.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	// The interval is published with the feed (the status bar shows it).
	untilStored(t, e.svc, "the poll interval halved from an hour after new messages", func() bool {
		return eng.Feed(acc.ID).PollEvery == 30*time.Minute
	})
	if eng.Feed(acc.ID).LastEvent.IsZero() {
		t.Fatal("no last event after a poll brought messages")
	}
}

// polledOnly hides a network's stream.
type polledOnly struct{ n *pushNet }

func (p *polledOnly) Capabilities() Capabilities { return p.n.Capabilities() }
func (p *polledOnly) Fetch(ctx context.Context, c string) (inbox.Batch, error) {
	return p.n.Fetch(ctx, c)
}
func (p *polledOnly) Perform(ctx context.Context, a Action) (Receipt, error) {
	return p.n.Perform(ctx, a)
}
