package sync

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	gosync "sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/inbox/sqlite"
)

// fake is a scripted network: pages keyed by cursor, failures on demand.
type fake struct {
	mu      gosync.Mutex
	pages   map[string]inbox.Batch
	fetchFn func(cursor string) error // failure injection before a page is served
	calls   int
	sent    map[string]Receipt // idempotency key → receipt: a retried send never posts twice
	posts   int
	sendErr []error // errors returned by successive Perform calls
	seen    []Action
}

func (f *fake) Capabilities() Capabilities {
	return Capabilities{Reply: true, PollInterval: 10 * time.Millisecond}
}

func (f *fake) Fetch(ctx context.Context, cursor string) (inbox.Batch, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.fetchFn != nil {
		if err := f.fetchFn(cursor); err != nil {
			return inbox.Batch{}, err
		}
	}
	b, ok := f.pages[cursor]
	if !ok {
		return inbox.Batch{Cursor: cursor}, nil
	}
	return b, nil
}

func (f *fake) Perform(ctx context.Context, a Action) (Receipt, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seen = append(f.seen, a)
	if len(f.sendErr) > 0 {
		err := f.sendErr[0]
		f.sendErr = f.sendErr[1:]
		if err != nil {
			return Receipt{}, err
		}
	}
	if r, ok := f.sent[a.IdempotencyKey]; ok {
		return r, nil
	}
	f.posts++
	r := Receipt{ExternalID: fmt.Sprintf("out-%d", f.posts), Permalink: "https://net.example/" + a.ConversationID}
	if f.sent == nil {
		f.sent = map[string]Receipt{}
	}
	f.sent[a.IdempotencyKey] = r
	return r, nil
}

func msg(conv, id string) inbox.Inbound {
	return inbox.Inbound{ConversationID: conv, Kind: inbox.KindDM, Message: inbox.Message{
		ExternalID: id, Text: "text " + id, CreatedAt: time.Unix(1_700_000_000, 0), Author: inbox.Author{ID: "u", Name: "U"}}}
}

type env struct {
	svc *inbox.Service
	st  *sqlite.Store
	dir string
	clk *clock
}

// clock is the wall clock plus however far a test has moved it on: a retry
// due "in a millisecond" is made due by moving the clock, not by sleeping.
type clock struct {
	mu   gosync.Mutex
	skew time.Duration
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.skew)
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.skew += d
	c.mu.Unlock()
}

// waitLimit only fails a test that is really stuck.
const waitLimit = 20 * time.Second

// untilStored waits for cond, checking it again after every change the
// service publishes (what another goroutine such as a running engine
// stores), and fails a test that is stuck.
func untilStored(t *testing.T, svc *inbox.Service, what string, cond func() bool) {
	t.Helper()
	until(t, svc, nil, what, cond)
}

// until is untilStored that also checks again after every notice from a
// fake (nil: none) of a change only the fake sees, such as a request it
// served.
func until(t *testing.T, svc *inbox.Service, fake <-chan struct{}, what string, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	changes := svc.Subscribe(ctx) // before the first check, so no change is missed
	deadline := time.NewTimer(waitLimit)
	defer deadline.Stop()
	for !cond() {
		select {
		case <-changes:
		case <-fake:
		case <-deadline.C:
			t.Fatalf("%s: not so after %v", what, waitLimit)
		}
	}
}

// notify tells a waiting test that a fake's state changed; a notice
// already pending stands for this one too.
func notify(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// drainUntil drains the outbox, moving the clock past each retry's
// backoff, until cond holds; a bounded number of rounds, not a deadline.
func drainUntil(t *testing.T, e *env, w *Worker, what string, cond func() bool) {
	t.Helper()
	for range MaxAttempts + 2 {
		w.Drain(context.Background())
		if cond() {
			return
		}
		e.clk.Advance(time.Hour) // past any backoff or Retry-After a test uses
	}
	t.Fatalf("%s: not so after %d drains", what, MaxAttempts+2)
}

func newEnv(t *testing.T) *env {
	t.Helper()
	dir := t.TempDir()
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clk := &clock{}
	return &env{svc: inbox.NewService(st, inbox.Options{ReplyMarksDone: true, Now: clk.Now}), st: st, dir: dir, clk: clk}
}

func (e *env) account(t *testing.T, label string, c Connector) Account {
	a, err := e.svc.AddAccount(context.Background(), inbox.Account{Network: "fake", Label: label})
	if err != nil {
		t.Fatal(err)
	}
	return Account{Account: a, Conn: c}
}

func (e *env) count(t *testing.T, q string) int {
	var n int
	if err := e.st.DB().QueryRow(q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func (e *env) acct(t *testing.T, id int64) inbox.Account {
	accs, _ := e.svc.Accounts(context.Background())
	for _, a := range accs {
		if a.ID == id {
			return a
		}
	}
	t.Fatalf("no account %d", id)
	return inbox.Account{}
}

func quickEngine(e *env) *Engine {
	en := NewEngine(e.svc, nil)
	en.SetBackoff(Backoff{Base: time.Millisecond, Max: 5 * time.Millisecond})
	en.Worker.Backoff = Backoff{Base: time.Millisecond, Max: 2 * time.Millisecond}
	en.Worker.Tick = 5 * time.Millisecond
	return en
}

func TestCursorCommittedWithEachPage(t *testing.T) {
	e := newEnv(t)
	f := &fake{pages: map[string]inbox.Batch{
		"":   {Items: []inbox.Inbound{msg("a", "1"), msg("a", "2")}, Cursor: "p2", More: true},
		"p2": {Items: []inbox.Inbound{msg("b", "3"), msg("a", "2")}, Cursor: "p3", More: true}, // duplicate across pages
		"p3": {Items: nil, Cursor: "p4"},
	}}
	en := quickEngine(e)
	en.Once = true
	a := e.account(t, "A", f)
	en.Add(a)
	if err := en.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := e.acct(t, a.ID); got.Cursor != "p4" || got.Status != inbox.AccountOK {
		t.Fatalf("account after sync: %+v", got)
	}
	if n := e.count(t, "SELECT count(*) FROM messages"); n != 3 {
		t.Fatalf("%d messages, want 3 (duplicates across pages)", n)
	}
	// A second run starts from the stored cursor, fetching nothing again.
	a.Cursor = "p4"
	f.calls = 0
	en2 := quickEngine(e)
	en2.Once = true
	en2.Add(a)
	en2.Run(context.Background())
	if f.calls != 1 {
		t.Fatalf("resumed sync made %d fetches, want 1", f.calls)
	}
}

// A crash after the fetch and before the commit loses nothing and
// duplicates nothing: the cursor did not move, so the page comes again.
func TestCrashBetweenFetchAndCommit(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	f := &fake{pages: map[string]inbox.Batch{
		"":   {Items: []inbox.Inbound{msg("a", "1")}, Cursor: "p2", More: true},
		"p2": {Items: []inbox.Inbound{msg("a", "2"), msg("b", "3")}, Cursor: "p3"},
	}}
	f.fetchFn = func(cursor string) error {
		if cursor == "p2" {
			cancel() // the process dies while holding page p2
		}
		return nil
	}
	a := e.account(t, "A", f)
	en := quickEngine(e)
	en.Add(a)
	en.Run(ctx)
	if got := e.acct(t, a.ID).Cursor; got != "p2" {
		t.Fatalf("cursor after crash = %q, want p2 (page 2 never committed)", got)
	}
	f.fetchFn = nil
	a.Cursor = "p2"
	en2 := quickEngine(e)
	en2.Once = true
	en2.Add(a)
	if err := en2.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := e.count(t, "SELECT count(*) FROM messages"); n != 3 {
		t.Fatalf("%d messages after restart, want 3", n)
	}
}

func TestBackoffThenRecoveryAndOneBadAccount(t *testing.T) {
	e := newEnv(t)
	fails := 3
	flaky := &fake{pages: map[string]inbox.Batch{"": {Items: []inbox.Inbound{msg("a", "1")}, Cursor: "done"}}}
	flaky.fetchFn = func(string) error {
		if fails > 0 {
			fails--
			return errors.New("503 service unavailable")
		}
		return nil
	}
	broken := &fake{fetchFn: func(string) error { return fmt.Errorf("token expired: %w", ErrAuth) }}
	healthy := &fake{pages: map[string]inbox.Batch{"": {Items: []inbox.Inbound{msg("h", "h1")}, Cursor: "x"}}}
	en := quickEngine(e)
	fa, ba, ha := e.account(t, "flaky", flaky), e.account(t, "broken", broken), e.account(t, "healthy", healthy)
	en.Add(fa)
	en.Add(ba)
	en.Add(ha)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { en.Run(ctx); close(done) }()
	var f, b, h inbox.Account
	untilStored(t, e.svc, "flaky recovered, broken needs re-auth, healthy synced", func() bool {
		f, b, h = e.acct(t, fa.ID), e.acct(t, ba.ID), e.acct(t, ha.ID)
		return f.Cursor == "done" && f.Status == inbox.AccountOK && b.Status == inbox.AccountNeedsReauth && h.Cursor == "x"
	})
	if b.LastError == "" {
		t.Fatal("broken account has no error message")
	}
	cancel()
	<-done
	if n := e.count(t, "SELECT count(*) FROM messages"); n != 2 {
		t.Fatalf("%d messages, want 2", n)
	}
}

func TestBackoffDelayBounds(t *testing.T) {
	b := Backoff{Base: time.Second, Max: 8 * time.Second}
	for n := 1; n <= 10; n++ {
		d := b.Delay(n)
		want := min(time.Second<<(n-1), 8*time.Second)
		if d < want/2 || d > want {
			t.Fatalf("Delay(%d) = %s, want in [%s, %s]", n, d, want/2, want)
		}
	}
}

func replyOnce(t *testing.T, e *env, f *fake) (inbox.Account, inbox.Conversation) {
	t.Helper()
	ctx := context.Background()
	a := e.account(t, "A", f)
	if err := e.svc.Ingest(ctx, a.ID, inbox.Batch{Items: []inbox.Inbound{msg("c1", "m1")}}); err != nil {
		t.Fatal(err)
	}
	cs, _ := e.svc.List(ctx, inbox.Page{View: inbox.ViewAll})
	if _, err := e.svc.Reply(ctx, "ann", cs[0].ID, "We are on it"); err != nil {
		t.Fatal(err)
	}
	return a.Account, cs[0]
}

func TestOutboxRetriesWithoutDoublePosting(t *testing.T) {
	e := newEnv(t)
	f := &fake{sendErr: []error{errors.New("timeout after the network accepted it"), &RateLimitError{RetryAfter: time.Millisecond, Msg: "slow down"}}}
	a, c := replyOnce(t, e, f)
	w := NewWorker(e.svc, func(int64) (Connector, bool) { return f, true }, nil)
	_ = a
	var last inbox.Message
	drainUntil(t, e, w, "reply sent", func() bool {
		th, _ := e.svc.Open(context.Background(), c.ID)
		last = th.Messages[len(th.Messages)-1]
		return last.Delivery == inbox.DeliverySent
	})
	if last.ExternalID != "out-1" || last.Permalink == "" {
		t.Fatalf("sent message = %+v", last)
	}
	if len(f.seen) != 3 || f.posts != 1 {
		t.Fatalf("%d attempts, %d posts; want 3 attempts, 1 post", len(f.seen), f.posts)
	}
	for _, s := range f.seen {
		if s.IdempotencyKey != f.seen[0].IdempotencyKey || s.TargetID != "m1" || s.Body != "We are on it" {
			t.Fatalf("attempt differs: %+v", s)
		}
	}
}

func TestOutboxPermanentFailureIsShownAndRetryable(t *testing.T) {
	e := newEnv(t)
	f := &fake{sendErr: []error{Permanent(errors.New("reply rejected: text too long"))}}
	_, c := replyOnce(t, e, f)
	w := NewWorker(e.svc, func(int64) (Connector, bool) { return f, true }, nil)
	w.Drain(context.Background())
	th, _ := e.svc.Open(context.Background(), c.ID)
	last := th.Messages[len(th.Messages)-1]
	if last.Delivery != inbox.DeliveryFailed || last.Error != "reply rejected: text too long" || th.Conversation.Failed != 1 {
		t.Fatalf("failed reply = %+v", last)
	}
	if err := e.svc.RetryOutbox(context.Background(), last.OutboxID); err != nil {
		t.Fatal(err)
	}
	w.Drain(context.Background())
	th, _ = e.svc.Open(context.Background(), c.ID)
	if last = th.Messages[len(th.Messages)-1]; last.Delivery != inbox.DeliverySent {
		t.Fatalf("manual retry: %+v", last)
	}
}

// Shutting down while a send is in flight keeps the reply queued.
func TestOutboxShutdownLosesNothing(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	f := &fake{sendErr: []error{context.Canceled}}
	_, c := replyOnce(t, e, f)
	w := NewWorker(e.svc, func(int64) (Connector, bool) { cancel(); return f, true }, nil)
	w.Drain(ctx)
	th, _ := e.svc.Open(context.Background(), c.ID)
	last := th.Messages[len(th.Messages)-1]
	if last.Delivery != inbox.DeliveryQueued {
		t.Fatalf("after shutdown mid-send: %+v", last)
	}
	// The next run delivers it.
	w2 := NewWorker(e.svc, func(int64) (Connector, bool) { return f, true }, nil)
	drainUntil(t, e, w2, "delivered after restart", func() bool {
		th, _ = e.svc.Open(context.Background(), c.ID)
		last = th.Messages[len(th.Messages)-1]
		return last.Delivery == inbox.DeliverySent
	})
	if last.Delivery != inbox.DeliverySent || f.posts != 1 {
		t.Fatalf("not delivered after restart: %+v posts=%d", last, f.posts)
	}
}

func TestScheduleOptions(t *testing.T) {
	poll, back, err := Schedule(AccountConfig{Label: "a", Options: map[string]any{"poll_interval": "30s", "backlog_days": int64(2)}})
	if err != nil || poll != 30*time.Second || back != 48*time.Hour {
		t.Fatalf("parsed %s %s %v", poll, back, err)
	}
	if poll, back, _ := Schedule(AccountConfig{}); poll != time.Minute || back != 7*24*time.Hour {
		t.Fatalf("defaults %s %s", poll, back)
	}
	for _, bad := range []map[string]any{{"poll_interval": "1s"}, {"poll_interval": "soon"}, {"backlog_days": int64(400)}} {
		if _, _, err := Schedule(AccountConfig{Label: "a", Options: bad}); err == nil {
			t.Errorf("accepted %v", bad)
		}
	}
}
