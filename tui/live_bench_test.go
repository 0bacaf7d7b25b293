package tui

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	psync "github.com/parleyhq/parley/sync"
)

// liveNet is a network for the latency benchmark: Stream (when streaming)
// delivers each event the moment it is sent; Fetch returns what was sent
// since the cursor, so with streaming off the event waits for a poll.
type liveNet struct {
	stream bool
	poll   time.Duration
	events chan inbox.Inbound
	mu     gosync.Mutex
	sent   []inbox.Inbound
}

func (n *liveNet) Capabilities() psync.Capabilities { return psync.Capabilities{PollInterval: n.poll} }
func (n *liveNet) Perform(context.Context, psync.Action) (psync.Receipt, error) {
	return psync.Receipt{}, nil
}

func (n *liveNet) Fetch(_ context.Context, cursor string) (inbox.Batch, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	from := 0
	fmt.Sscan(cursor, &from)
	return inbox.Batch{Items: slices.Clone(n.sent[min(from, len(n.sent)):]), Cursor: fmt.Sprint(len(n.sent))}, nil
}

func (n *liveNet) send(it inbox.Inbound) {
	n.mu.Lock()
	n.sent = append(n.sent, it)
	n.mu.Unlock()
	if n.stream {
		n.events <- it
	}
}

type streamingNet struct{ *liveNet }

func (n streamingNet) Stream(ctx context.Context, connected func(), deliver func(inbox.Batch) error) error {
	connected()
	for {
		select {
		case <-ctx.Done():
			return nil
		case it := <-n.events:
			if err := deliver(inbox.Batch{Items: []inbox.Inbound{it}}); err != nil {
				return err
			}
		}
	}
}

// benchLive measures, per event, the time from the network sending it to
// its text in the TUI's View: through the engine, the store, the service's
// change events and the list's reload.
func benchLive(b *testing.B, n *liveNet) {
	d := newDriver(b, nil, msgIn("live", "Customer", "first", time.Minute))
	var conn psync.Connector = n
	if n.stream {
		conn = streamingNet{n}
	}
	eng := psync.NewEngine(d.svc, nil)
	eng.Add(psync.Account{Account: d.acc, Conn: conn})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { eng.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	if n.stream {
		for !eng.Feed(d.acc.ID).Live {
			time.Sleep(time.Millisecond)
		}
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		text := fmt.Sprintf("event %d", i)
		it := msgIn("live", "Customer", text, 0)
		it.Message.ExternalID = fmt.Sprintf("e%d", i)
		if !n.stream {
			// Events arrive at any moment of the poll interval.
			time.Sleep(rand.N(n.poll))
		}
		start := time.Now()
		n.send(it)
		d.until(func() bool { return strings.Contains(d.screen(), text) }, fmt.Sprintf("event %d on the screen", i))
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkEventToScreenStream: a pushed event to the row on screen.
func BenchmarkEventToScreenStream(b *testing.B) {
	benchLive(b, &liveNet{stream: true, poll: time.Hour, events: make(chan inbox.Inbound, 1)})
}

// BenchmarkEventToScreenPoll1s: the same event when the account is polled
// every second (scale the figures by the interval: at the default 1m an
// event waits half a minute on average).
func BenchmarkEventToScreenPoll1s(b *testing.B) {
	benchLive(b, &liveNet{poll: time.Second})
}
