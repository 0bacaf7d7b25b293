package sync

import (
	"context"
	"errors"
	"fmt"
	gosync "sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// pushNet is a network that pushes: every message is also in its list
// (Fetch reads the part after the cursor, a count), and each connection of
// its stream pushes a script of new messages and then drops, except the
// last, which stays up. Between connections, messages arrive that only a
// catch-up fetch can find.
type pushNet struct {
	mu       gosync.Mutex
	list     []inbox.Inbound
	scripts  [][]string // per connection: messages pushed
	gaps     [][]string // per drop: messages posted while disconnected
	connects int
	fetches  []int         // connection count at each fetch
	changed  chan struct{} // a notice after every fetch and connect (see notify)
}

func (p *pushNet) Capabilities() Capabilities { return Capabilities{PollInterval: time.Hour} }

func (p *pushNet) Perform(context.Context, Action) (Receipt, error) {
	return Receipt{}, errors.New("no")
}

func (p *pushNet) Fetch(_ context.Context, cursor string) (inbox.Batch, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fetches = append(p.fetches, p.connects)
	defer notify(p.changed)
	from := 0
	fmt.Sscan(cursor, &from)
	b := inbox.Batch{Cursor: fmt.Sprint(len(p.list))}
	b.Items = append(b.Items, p.list[min(from, len(p.list)):]...)
	return b, nil
}

func (p *pushNet) Stream(ctx context.Context, connected func(), deliver func(inbox.Batch) error) error {
	p.mu.Lock()
	n := p.connects
	p.connects++
	p.mu.Unlock()
	notify(p.changed)
	connected()
	if n >= len(p.scripts) {
		<-ctx.Done()
		return nil
	}
	for _, id := range p.scripts[n] {
		it := msg("c-"+id, id)
		p.mu.Lock()
		p.list = append(p.list, it)
		p.mu.Unlock()
		if err := deliver(inbox.Batch{Items: []inbox.Inbound{it}}); err != nil {
			return err
		}
	}
	if n < len(p.gaps) {
		p.mu.Lock()
		for _, id := range p.gaps[n] {
			p.list = append(p.list, msg("c-"+id, id))
		}
		p.mu.Unlock()
	}
	return errors.New("connection reset by peer")
}

func TestStreamDropsResumeAndCatchUpStoreEverythingOnce(t *testing.T) {
	e := newEnv(t)
	net := &pushNet{
		scripts: [][]string{{"m1", "m2"}, {"m4", "m5"}, {"m7"}},
		gaps:    [][]string{{"m3"}, {"m6"}},
		changed: make(chan struct{}, 1),
	}
	acc := e.account(t, "pushy", net)
	eng := NewEngine(e.svc, nil)
	eng.SetBackoff(Backoff{Base: time.Millisecond, Max: 5 * time.Millisecond})
	eng.Add(acc)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { eng.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	// The poll interval is an hour: m3 and m6 can only come from the
	// catch-up fetch after a reconnect.
	caughtUp := func() bool { // the last (lasting) connection had its catch-up fetch
		net.mu.Lock()
		defer net.mu.Unlock()
		return net.connects == 4 && len(net.fetches) > 0 && net.fetches[len(net.fetches)-1] == 4
	}
	until(t, e.svc, net.changed, "7 messages stored, the stream live and caught up", func() bool {
		return e.count(t, `SELECT count(DISTINCT external_id) FROM messages`) >= 7 && eng.Feed(acc.ID).Live && caughtUp()
	})
	if n := e.count(t, `SELECT count(*) FROM messages`); n != 7 {
		t.Fatalf("%d message rows for 7 messages: something was stored twice", n)
	}
	f := eng.Feed(acc.ID)
	// The interval adapts (a poll before the stream was up may have
	// stretched it), within its bounds.
	if f.LastEvent.IsZero() || f.PollEvery < 15*time.Minute || f.PollEvery > 2*time.Hour {
		t.Fatalf("feed: %+v", f)
	}
}

// noStream is a server without streaming: the account is polled.
type noStream struct {
	fake
	fetched chan struct{} // a notice after every fetch (see notify)
}

func (*noStream) Stream(context.Context, func(), func(inbox.Batch) error) error { return ErrNoStream }

func (n *noStream) Fetch(ctx context.Context, cursor string) (inbox.Batch, error) {
	defer notify(n.fetched)
	return n.fake.Fetch(ctx, cursor)
}

func TestNoStreamFallsBackToPolling(t *testing.T) {
	e := newEnv(t)
	f := &noStream{fake: fake{pages: map[string]inbox.Batch{"": {Items: []inbox.Inbound{msg("a", "1")}, Cursor: "p1"}}}, fetched: make(chan struct{}, 1)}
	acc := e.account(t, "polled", f)
	eng := NewEngine(e.svc, nil)
	eng.Add(acc)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { eng.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	until(t, e.svc, f.fetched, "polled again and again at its 10ms interval", func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.calls >= 3
	})
	if eng.Feed(acc.ID).Live {
		t.Fatal("an account without a stream shows live")
	}
}
