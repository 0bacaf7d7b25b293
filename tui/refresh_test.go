package tui

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/inbox/sqlite"
)

// countingStore counts the reads a session makes after changes.
type countingStore struct {
	inbox.Store
	lists, counts, threads atomic.Int64
}

func (c *countingStore) List(ctx context.Context, p inbox.Page) ([]inbox.Conversation, error) {
	c.lists.Add(1)
	return c.Store.List(ctx, p)
}

func (c *countingStore) Counts(ctx context.Context, network string) (inbox.Counts, error) {
	c.counts.Add(1)
	return c.Store.Counts(ctx, network)
}

func (c *countingStore) Thread(ctx context.Context, id int64) (inbox.Thread, error) {
	c.threads.Add(1)
	return c.Store.Thread(ctx, id)
}

// busyInbox is a session on an inbox of n waiting conversations, c0 the
// longest waiting (first), c<n-1> the newest (last); it shows the top.
func busyInbox(t *testing.T, n int) (*driver, *countingStore) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cs := &countingStore{Store: st}
	svc := inbox.NewService(cs, inbox.Options{})
	acc, err := svc.AddAccount(ctx, inbox.Account{Network: "demo-facebook", Label: "Brand FB"})
	if err != nil {
		t.Fatal(err)
	}
	var items []inbox.Inbound
	for i := range n {
		items = append(items, msgIn(fmt.Sprint("c", i), fmt.Sprint("Customer", i), "hello", time.Duration(n-i)*time.Minute+time.Hour))
	}
	if err := svc.Ingest(ctx, acc.ID, inbox.Batch{Items: items}); err != nil {
		t.Fatal(err)
	}
	m, err := New(Options{Service: svc, User: "ann", RepliesDir: t.TempDir(), Context: ctx})
	if err != nil {
		t.Fatal(err)
	}
	d := &driver{t: t, m: m, svc: svc, acc: acc}
	d.start()
	d.until(func() bool { return m.list.loaded && m.counts[inbox.ViewInbox] == n }, "the first window")
	return d, cs
}

func (d *driver) ingest(items ...inbox.Inbound) {
	d.t.Helper()
	if err := d.svc.Ingest(context.Background(), d.acc.ID, inbox.Batch{Items: items}); err != nil {
		d.t.Fatal(err)
	}
}

// A new message that sorts outside the window a session shows costs that
// session no window query: only the (maintained) counts are read.
func TestChangeOutsideTheWindowDoesNoWindowQuery(t *testing.T) {
	d, cs := busyInbox(t, 300)
	if d.m.list.atEnd || !strings.Contains(d.screen(), "Customer0 ") {
		t.Fatalf("want the top of a long inbox:\n%s", d.screen())
	}
	lists, counts := cs.lists.Load(), cs.counts.Load()
	flushes := d.m.gate.flushes

	// A new customer waits the shortest time: the end of the Inbox.
	d.ingest(msgIn("new", "Newcomer", "hi there", time.Minute))
	d.until(func() bool { return d.m.counts[inbox.ViewInbox] == 301 }, "the count to include the newcomer")
	// A new message on a conversation far down the view.
	d.ingest(msgIn("c290", "Customer290", "anyone?", 30*time.Second))
	d.until(func() bool { return cs.counts.Load() >= counts+2 && !d.m.gate.armed }, "that change to be applied")
	d.settle()
	if got := cs.lists.Load() - lists; got != 0 {
		t.Fatalf("%d window queries for changes outside the window; want 0", got)
	}
	if d.m.gate.flushes < flushes+2 {
		t.Fatalf("changes not applied: %d flushes", d.m.gate.flushes-flushes)
	}

	// A change to a row on screen does refetch, and the screen follows it.
	top := d.m.list.rows[0]
	if err := d.svc.Done(context.Background(), "bob", []int64{top.ID}); err != nil {
		t.Fatal(err)
	}
	d.untilThat("the done row to leave the window", func() bool {
		r, ok := d.m.list.selected()
		return ok && r.ID != top.ID && d.m.counts[inbox.ViewInbox] == 300
	})
	if cs.lists.Load() == lists {
		t.Fatal("a change inside the window did no window query")
	}
	if strings.Contains(d.screen(), "Customer0 ") {
		t.Fatalf("done conversation still shown:\n%s", d.screen())
	}

	// A conversation that now sorts inside the window's range comes in.
	lists = cs.lists.Load()
	if err := d.svc.SetNegative(context.Background(), "bob", []int64{d.conv("c250").ID}, true); err != nil {
		t.Fatal(err)
	}
	d.untilThat("the complaint to reach the top", func() bool {
		return len(d.m.list.rows) > 0 && d.m.list.rows[0].ExternalID == "c250"
	})
	if cs.lists.Load() == lists {
		t.Fatal("no window query for a row entering the window")
	}
}

// A session in another view, or with the conversation closed, reads
// neither window nor thread for a change that is not theirs.
func TestOpenConversationReloadsOnlyWhenItChanged(t *testing.T) {
	d, cs := busyInbox(t, 100)
	d.key("enter")
	d.until(func() bool { return d.m.conv != nil && d.m.conv.thread != nil }, "the thread")
	threads, counts := cs.threads.Load(), cs.counts.Load()
	d.ingest(msgIn("c99", "Customer99", "elsewhere", 30*time.Second))
	d.until(func() bool { return !d.m.gate.armed && cs.counts.Load() > counts }, "the change to be applied")
	d.settle()
	if got := cs.threads.Load() - threads; got != 0 {
		t.Fatalf("%d thread reloads for another conversation's change", got)
	}
	d.ingest(msgIn("c0", "Customer0", "and another thing", 20*time.Second))
	d.untilThat("the open thread to show the new message", func() bool {
		return strings.Contains(d.screen(), "and another thing")
	})
}

// A burst of changes is applied in a bounded number of refreshes, and the
// screen ends up showing the state after the last one.
func TestBurstOfChangesIsCoalesced(t *testing.T) {
	d, cs := busyInbox(t, 120)
	frozen := time.Now()
	d.m.gate.now = func() time.Time { return frozen } // every refresh after the first waits for a tick
	flushes, lists := d.m.gate.flushes, cs.lists.Load()
	ids := make([]int64, 0, 100)
	for _, r := range d.m.list.rows[:40] {
		ids = append(ids, r.ID)
	}
	// 100 changes, all to rows on screen, as fast as the service takes them,
	// while the session is busy (nothing it hears is handled meanwhile).
	ctx := context.Background()
	// Rows are closed and reopened in pairs; the last two changes close
	// ids[9] and ids[30] for good.
	for i := range 100 {
		k := (i / 2) % len(ids)
		var err error
		switch {
		case i == 99:
			err = d.svc.Done(ctx, "bob", []int64{ids[30]})
		case i%2 == 0:
			err = d.svc.Done(ctx, "bob", []int64{ids[k]})
		default:
			err = d.svc.Reopen(ctx, "bob", []int64{ids[k]})
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	d.untilThat("the final state", func() bool {
		return d.m.counts[inbox.ViewInbox] == 118 && !d.m.gate.armed && !d.m.list.waiting &&
			!containsRow(d.m.list.rows, ids[9]) && !containsRow(d.m.list.rows, ids[30]) && containsRow(d.m.list.rows, ids[8])
	})
	if n := d.m.gate.flushes - flushes; n > 3 {
		t.Fatalf("%d refreshes for a burst of 100 changes; want at most 3", n)
	}
	if n := cs.lists.Load() - lists; n > 6 {
		t.Fatalf("%d window queries for a burst of 100 changes", n)
	}

	// Fed one by one, as a session keeping up would hear them: one refresh
	// at once, one on the tick, whatever the number.
	flushes = d.m.gate.flushes
	pl, err := d.svc.List(ctx, inbox.Page{View: inbox.ViewAll, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		d.process(changeMsg{change: inbox.Change{Data: true, Conversations: []int64{pl[0].ID},
			Placed: []inbox.Placement{{ID: pl[0].ID, Network: pl[0].Network, Keys: map[inbox.View]int64{inbox.ViewAll: int64(i)}}}}})
	}
	d.until(func() bool { return !d.m.gate.armed }, "the tick's refresh")
	if n := d.m.gate.flushes - flushes; n != 1 {
		t.Fatalf("%d refreshes for 100 changes heard within one interval; want 1 (on the tick)", n)
	}
	if containsRow(d.m.list.rows, ids[30]) {
		t.Fatalf("row %d done but shown", ids[30])
	}
}

func containsRow(rows []inbox.Conversation, id int64) bool {
	for _, r := range rows {
		if r.ID == id {
			return true
		}
	}
	return false
}

// untilThat is until with what it waits for first, as these tests read.
func (d *driver) untilThat(what string, cond func() bool) {
	d.t.Helper()
	d.until(cond, what)
}

// Counts are read once per change, however many sessions hear it: the
// first session to ask reads them and the others share its copy.
func TestSessionsShareOneCountsReadPerChange(t *testing.T) {
	d, cs := busyInbox(t, 20)
	peers := []*driver{d, d.peer("bob"), d.peer("cy")}
	for _, p := range peers {
		p.until(func() bool { return p.m.counts[inbox.ViewInbox] == 20 }, "the first counts")
		p.settle()
	}
	before := cs.counts.Load()
	d.ingest(msgIn("new", "Newcomer", "hi there", time.Minute))
	for _, p := range peers {
		p.until(func() bool { return p.m.counts[inbox.ViewInbox] == 21 }, "the new count")
	}
	if got := cs.counts.Load() - before; got != 1 {
		t.Fatalf("%d counts reads for one change heard by %d sessions; want 1", got, len(peers))
	}
	// A later change is read afresh, never served from the old copy.
	if err := d.svc.Done(context.Background(), "bob", []int64{d.conv("new").ID}); err != nil {
		t.Fatal(err)
	}
	for _, p := range peers {
		p.until(func() bool { return p.m.counts[inbox.ViewInbox] == 20 }, "the count after done")
	}
}
