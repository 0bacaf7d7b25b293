package sync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/inbox/sqlite"
)

// Chaos tests: the sync engine killed at random points, the outbox under
// injected failures, the database running out of space. Each prints its
// seed; PARLEY_CHAOS_SEED=n replays a run.

func chaosSeed(t *testing.T) uint64 {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("PARLEY_CHAOS_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("PARLEY_CHAOS_SEED=%q: %v", s, err)
		}
		seed = n
	}
	t.Logf("seed %d (replay with PARLEY_CHAOS_SEED=%d)", seed, seed)
	return seed
}

// backlog is a network with a long history served a page at a time over
// HTTP. Pages overlap by a few items, as real cursors do at page edges, so
// a resumed or repeated fetch brings items the store has already.
type backlog struct {
	pages, perPage, overlap int
}

func (b backlog) total() int { return b.pages * b.perPage }

func (b backlog) page(cursor string) inbox.Batch {
	n, _ := strconv.Atoi(cursor)
	if n >= b.pages {
		return inbox.Batch{Cursor: cursor}
	}
	var items []inbox.Inbound
	for i := max(n*b.perPage-b.overlap, 0); i < (n+1)*b.perPage; i++ {
		it := msg(fmt.Sprintf("c%d", i%97), fmt.Sprintf("m%d", i))
		it.Message.CreatedAt = time.Unix(1_700_000_000+int64(i), 0)
		items = append(items, it)
	}
	return inbox.Batch{Items: items, Cursor: strconv.Itoa(n + 1), More: n+1 < b.pages}
}

// httpBacklog is the connector the killed process uses: one GET a page.
type httpBacklog struct{ url string }

func (h httpBacklog) Capabilities() Capabilities { return Capabilities{PollInterval: time.Hour} }

func (h httpBacklog) Fetch(ctx context.Context, cursor string) (inbox.Batch, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", h.url+"?cursor="+cursor, nil)
	if err != nil {
		return inbox.Batch{}, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return inbox.Batch{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return inbox.Batch{}, fmt.Errorf("backlog: %s", resp.Status)
	}
	var b inbox.Batch
	return b, json.NewDecoder(resp.Body).Decode(&b)
}

func (h httpBacklog) Perform(context.Context, Action) (Receipt, error) {
	return Receipt{}, Permanent(errors.New("backlog is read-only"))
}

// TestChaosSyncProcess is the process TestChaosKilledSyncLosesNothing
// kills: `parley sync --once` in miniature, over the database and network
// named in its environment.
func TestChaosSyncProcess(t *testing.T) {
	db, url := os.Getenv("PARLEY_CHAOS_DB"), os.Getenv("PARLEY_CHAOS_URL")
	if db == "" {
		t.Skip("run as a child of TestChaosKilledSyncLosesNothing")
	}
	ctx := context.Background()
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := inbox.NewService(st, inbox.Options{})
	acc, err := svc.AddAccount(ctx, inbox.Account{Network: "fake", Label: "backlog"})
	if err != nil {
		t.Fatal(err)
	}
	en := NewEngine(svc, nil)
	en.Once = true
	en.Add(Account{Account: acc, Conn: httpBacklog{url}})
	if err := en.Run(ctx); err != nil {
		t.Fatal(err)
	}
}

// A sync process killed (SIGKILL) 50 times at random points — waiting for a
// page, just after one arrived and while storing it — then run to the end:
// every item stored once, none lost, the database intact.
func TestChaosKilledSyncLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 50 processes")
	}
	rng := rand.New(rand.NewPCG(chaosSeed(t), 0))
	bl := backlog{pages: 60, perPage: 50, overlap: 5}
	db := filepath.Join(t.TempDir(), "chaos.db")

	// The network tells the test about each request; the test decides
	// whether to kill the process before the page is answered (phase 0) or
	// some microseconds after (phase 1, mid-ingest or mid-commit).
	type request struct{ answered chan struct{} }
	requests := make(chan request)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req := request{answered: make(chan struct{})}
		select {
		case requests <- req:
		case <-r.Context().Done():
			return
		}
		<-req.answered // the test may kill the client first
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(bl.page(r.URL.Query().Get("cursor")))
	}))
	defer srv.Close()

	start := func() (*exec.Cmd, chan error) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestChaosSyncProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(), "PARLEY_CHAOS_DB="+db, "PARLEY_CHAOS_URL="+srv.URL)
		out := &lockedBuffer{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			err := cmd.Wait()
			if err != nil && out.Len() > 0 && !killed(err) {
				err = fmt.Errorf("%w: %s", err, out.String())
			}
			done <- err
		}()
		return cmd, done
	}
	deadline := time.NewTimer(2 * time.Minute)
	defer deadline.Stop()
	kills, finished := 0, 0
	for round := 0; round < 50; round++ {
		cmd, done := start()
		target, phase := 1+rng.IntN(3), rng.IntN(2)
		delay := time.Duration(rng.IntN(3000)) * time.Microsecond
		for n := 1; ; n++ {
			var req request
			select {
			case req = <-requests:
			case err := <-done: // the backlog was done before the kill point
				if err != nil {
					t.Fatalf("round %d: the sync failed on its own: %v", round, err)
				}
				finished++
			case <-deadline.C:
				t.Fatal("the chaos rounds are stuck")
			}
			if req.answered == nil {
				break
			}
			if n < target {
				close(req.answered)
				continue
			}
			if phase == 1 {
				close(req.answered)
				timer := time.NewTimer(delay) // a random point of the ingest: chaos, not a wait for quiet
				<-timer.C
			}
			cmd.Process.Kill()
			if err := <-done; err != nil && !killed(err) {
				t.Fatalf("round %d: %v", round, err)
			}
			if phase == 0 {
				close(req.answered)
			}
			kills++
			break
		}
	}
	// The last run goes to the end.
	_, done := start()
	for {
		select {
		case req := <-requests:
			close(req.answered)
			continue
		case err := <-done:
			if err != nil {
				t.Fatalf("final run: %v", err)
			}
		case <-deadline.C:
			t.Fatal("the final run is stuck")
		}
		break
	}
	t.Logf("%d kills, %d runs that finished before their kill point", kills, finished)

	st, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	q := func(query string) int {
		t.Helper()
		var n int
		if err := st.DB().QueryRow(query).Scan(&n); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return n
	}
	var integrity string
	if err := st.DB().QueryRow("PRAGMA integrity_check").Scan(&integrity); err != nil || integrity != "ok" {
		t.Fatalf("integrity_check: %q %v", integrity, err)
	}
	if n := q("SELECT count(*) FROM messages"); n != bl.total() {
		t.Errorf("%d messages stored, want %d", n, bl.total())
	}
	if n := q("SELECT count(DISTINCT external_id) FROM messages"); n != bl.total() {
		t.Errorf("%d distinct messages, want %d", n, bl.total())
	}
	if n := q("SELECT count(*) FROM conversations"); n != 97 {
		t.Errorf("%d conversations, want 97", n)
	}
	if n := q(`SELECT count(*) FROM conversations c
		WHERE messages <> (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id)`); n != 0 {
		t.Errorf("%d conversations whose message count disagrees with their messages", n)
	}
	if n := q(`SELECT count(*) FROM accounts WHERE cursor = '` + strconv.Itoa(bl.pages) + `'`); n != 1 {
		t.Error("the cursor did not reach the end of the backlog")
	}
}

// killed is true when a process ended by our SIGKILL.
func killed(err error) bool {
	var ee *exec.ExitError
	return errors.As(err, &ee) && !ee.Exited()
}

type lockedBuffer struct {
	mu gosync.Mutex
	b  []byte
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b = append(l.b, p...)
	return len(p), nil
}

func (l *lockedBuffer) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.b)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return string(l.b)
}

// flakyNet is a network that fails 30 % of requests: refused before the
// work (503), answered after the work with an error (500), the answer lost
// after the work (connection dropped) and timeouts (no answer until the
// client gives up, the post made or not). It never honours an idempotency
// key, the worst case: only looking for an earlier attempt's post keeps a
// retry from posting twice.
type flakyNet struct {
	mu       gosync.Mutex
	rng      *rand.Rand
	posts    map[string][]string // target → bodies posted, in order
	ids      map[string]string   // body → post id
	failures map[string]int      // target+body → injected failures so far
	injected map[string]int      // kind → count
	requests int
}

// maxInjected bounds the failures injected into one send, so that a send
// is not given up (MaxAttempts) by bad luck alone: this test is about
// exactly once, not about giving up.
const maxInjected = 3

func (n *flakyNet) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	target, body := r.Form.Get("target"), r.Form.Get("body")
	n.mu.Lock()
	n.requests++
	fault := ""
	if n.rng.Float64() < 0.30 && n.failures[target+body] < maxInjected {
		n.failures[target+body]++
		fault = [...]string{"503 before", "500 after", "lost after", "timeout before", "timeout after"}[n.rng.IntN(5)]
		n.injected[fault]++
	}
	work := fault == "" || fault == "500 after" || fault == "lost after" || fault == "timeout after"
	var out any
	switch {
	case r.Method == "POST" && work:
		id := fmt.Sprintf("post-%d", len(n.ids)+1)
		n.posts[target] = append(n.posts[target], body)
		if _, dup := n.ids[body]; dup {
			id += "-duplicate"
		} else {
			n.ids[body] = id
		}
		out = map[string]string{"id": id}
	case r.Method == "GET":
		var list []map[string]string
		for _, b := range n.posts[target] {
			list = append(list, map[string]string{"id": n.ids[b], "body": b})
		}
		out = list
	}
	n.mu.Unlock()
	switch fault {
	case "503 before":
		http.Error(w, "service unavailable", 503)
	case "500 after":
		http.Error(w, "internal error", 500)
	case "lost after":
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	case "timeout before", "timeout after":
		<-r.Context().Done() // the client gives up
	default:
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(out)
	}
}

// lookupConn is a connector that does what every connector must: before
// retrying a send whose first attempt may have posted, it looks for that
// post.
type lookupConn struct {
	url    string
	client *http.Client
}

func (c lookupConn) Capabilities() Capabilities {
	return Capabilities{Reply: true, PollInterval: time.Hour}
}

func (c lookupConn) Fetch(ctx context.Context, cursor string) (inbox.Batch, error) {
	return inbox.Batch{Cursor: cursor}, nil
}

func (c lookupConn) do(ctx context.Context, method string, form map[string]string, v any) error {
	vals := url.Values{}
	for k, s := range form {
		vals.Set(k, s)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.url+"?"+vals.Encode(), nil)
	if err != nil {
		return err
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return err // timeouts, dropped connections: ambiguous, retryable
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("network: %s", resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

func (c lookupConn) Perform(ctx context.Context, a Action) (Receipt, error) {
	if a.Attempt > 1 {
		var posts []struct{ ID, Body string }
		if err := c.do(ctx, "GET", map[string]string{"target": a.TargetID}, &posts); err != nil {
			return Receipt{}, err
		}
		for _, p := range posts {
			if p.Body == a.Body {
				return Receipt{ExternalID: p.ID}, nil
			}
		}
	}
	var posted struct{ ID string }
	if err := c.do(ctx, "POST", map[string]string{"target": a.TargetID, "body": a.Body}, &posted); err != nil {
		return Receipt{}, err
	}
	return Receipt{ExternalID: posted.ID}, nil
}

// 1,000 replies through the outbox over a network that fails 30 % of the
// time, four workers at once: each reply posted exactly once and recorded
// sent with the id of that one post.
func TestChaosOutboxDeliversEachReplyOnce(t *testing.T) {
	rng := rand.New(rand.NewPCG(chaosSeed(t), 1))
	e := newEnv(t)
	ctx := context.Background()
	net := &flakyNet{rng: rng, posts: map[string][]string{}, ids: map[string]string{}, failures: map[string]int{}, injected: map[string]int{}}
	srv := httptest.NewServer(net)
	defer srv.Close()
	// The client's timeout is what ends an injected timeout; an answer on
	// loopback takes far less, and one that does not is just one more
	// ambiguous failure for the look-up to handle.
	conn := lookupConn{url: srv.URL, client: &http.Client{Timeout: 200 * time.Millisecond}}
	a := e.account(t, "flaky", conn)

	const convs, perConv = 100, 10
	var items []inbox.Inbound
	for i := range convs {
		items = append(items, msg(fmt.Sprintf("c%d", i), fmt.Sprintf("in%d", i)))
	}
	if err := e.svc.Ingest(ctx, a.ID, inbox.Batch{Items: items}); err != nil {
		t.Fatal(err)
	}
	cs, err := e.svc.List(ctx, inbox.Page{View: inbox.ViewAll, Limit: convs})
	if err != nil || len(cs) != convs {
		t.Fatalf("%d conversations: %v", len(cs), err)
	}
	for r := range perConv {
		for _, c := range cs {
			if _, err := e.svc.Reply(ctx, "ann", c.ID, fmt.Sprintf("reply %d to %s", r, c.ExternalID)); err != nil {
				t.Fatal(err)
			}
		}
	}

	var wg gosync.WaitGroup
	for range 4 {
		w := NewWorker(e.svc, func(int64) (Connector, bool) { return conn, true }, nil)
		w.Backoff = Backoff{} // a retry is due at once
		wg.Go(func() { w.Drain(ctx) })
	}
	wg.Wait()

	net.mu.Lock()
	defer net.mu.Unlock()
	t.Logf("%d requests, injected failures: %v", net.requests, net.injected)
	posted := 0
	for target, bodies := range net.posts {
		seen := map[string]bool{}
		for _, b := range bodies {
			if seen[b] {
				t.Errorf("posted twice on %s: %q", target, b)
			}
			seen[b] = true
		}
		posted += len(bodies)
	}
	if posted != convs*perConv {
		t.Errorf("%d posts, want %d", posted, convs*perConv)
	}
	sent := 0
	for _, c := range cs {
		th, err := e.svc.Open(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range th.Messages {
			if m.Direction != inbox.Out {
				continue
			}
			if m.Delivery != inbox.DeliverySent || m.ExternalID != net.ids[m.Text] {
				t.Errorf("%q: delivery %s, id %q, the network's post %q (%s)", m.Text, m.Delivery, m.ExternalID, net.ids[m.Text], m.Error)
				continue
			}
			sent++
		}
	}
	if sent != convs*perConv {
		t.Errorf("%d replies recorded sent, want %d", sent, convs*perConv)
	}
}

// The database runs out of space in the middle of a page: the run stops
// with an error that says so and what to do, nothing of that page is
// stored (not even part of it), and once space is freed the next run goes
// on from where the last whole page left off.
func TestChaosDiskFullMidBatch(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	bl := backlog{pages: 6, perPage: 400, overlap: 10}
	pages := map[string]inbox.Batch{}
	for i := range bl.pages {
		b := bl.page(strconv.Itoa(i))
		for j := range b.Items { // big enough that a page needs many new pages of the file
			b.Items[j].Message.Text = fmt.Sprintf("%s %0500d", b.Items[j].Message.Text, j)
		}
		pages[strconv.Itoa(i)] = b
	}
	pages[""] = pages["0"]
	f := &fake{pages: pages}
	a := e.account(t, "backlog", f)
	run := func() error {
		en := NewEngine(e.svc, nil)
		en.Once = true
		acc := e.acct(t, a.ID)
		en.Add(Account{Account: acc, Conn: f})
		return en.Run(ctx)
	}
	// Room for about two pages more than there is now.
	var pageCount int
	if err := e.st.DB().QueryRow("PRAGMA page_count").Scan(&pageCount); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.DB().Exec(fmt.Sprintf("PRAGMA max_page_count = %d", pageCount+250)); err != nil {
		t.Fatal(err)
	}
	err := run()
	if err == nil {
		t.Fatal("the sync went through a full database")
	}
	for _, want := range []string{"backlog (fake)", "out of space", "free", "nothing of it was stored"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	t.Logf("error: %v", err)
	cursor := e.acct(t, a.ID).Cursor
	pagesStored, _ := strconv.Atoi(cursor)
	if pagesStored == 0 || pagesStored >= bl.pages {
		t.Fatalf("cursor %q: the limit should stop the sync part way", cursor)
	}
	// Whole pages only: exactly the items of the pages the cursor has passed.
	if n := e.count(t, "SELECT count(*) FROM messages"); n != pagesStored*bl.perPage {
		t.Fatalf("%d messages stored with the cursor at page %d: want %d, whole pages only", n, pagesStored, pagesStored*bl.perPage)
	}
	var integrity string
	if err := e.st.DB().QueryRow("PRAGMA integrity_check").Scan(&integrity); err != nil || integrity != "ok" {
		t.Fatalf("integrity_check: %q %v", integrity, err)
	}
	// Space is freed; the next run continues.
	if _, err := e.st.DB().Exec("PRAGMA max_page_count = 1073741823"); err != nil {
		t.Fatal(err)
	}
	if err := run(); err != nil {
		t.Fatalf("after freeing space: %v", err)
	}
	if n := e.count(t, "SELECT count(*) FROM messages"); n != bl.total() {
		t.Fatalf("%d messages after the next run, want %d", n, bl.total())
	}
	if c := e.acct(t, a.ID).Cursor; c != strconv.Itoa(bl.pages) {
		t.Fatalf("cursor %q after the next run", c)
	}
}

// scriptedNet posts on the first attempt and loses the answer, then cannot
// be reached for the look-up until the worker gives up: the reply is on the
// network but shows as failed.
type scriptedNet struct {
	mu       gosync.Mutex
	posts    int
	attempts []int
	down     bool
}

func (n *scriptedNet) Capabilities() Capabilities { return Capabilities{Reply: true} }
func (n *scriptedNet) Fetch(ctx context.Context, cursor string) (inbox.Batch, error) {
	return inbox.Batch{Cursor: cursor}, nil
}

func (n *scriptedNet) Perform(ctx context.Context, a Action) (Receipt, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.attempts = append(n.attempts, a.Attempt)
	if a.Attempt > 1 { // look for the earlier attempt's post first
		if n.down {
			return Receipt{}, errors.New("look-up: connection refused")
		}
		if n.posts > 0 {
			return Receipt{ExternalID: "post-1"}, nil
		}
	}
	n.posts++
	if n.posts == 1 {
		n.down = true
		return Receipt{}, errors.New("502 after the post was made")
	}
	return Receipt{ExternalID: fmt.Sprintf("post-%d", n.posts)}, nil
}

// A manager retries a send the worker gave up on, but whose first attempt
// did post. The retry must look for that post like any other retry.
func TestChaosManualRetryAfterAmbiguousFailure(t *testing.T) {
	e := newEnv(t)
	n := &scriptedNet{}
	_, c := replyOnce(t, e, &fake{})
	w := NewWorker(e.svc, func(int64) (Connector, bool) { return n, true }, nil)
	w.Backoff = Backoff{} // retries due at once: one drain runs to the final failure
	w.Drain(context.Background())
	th, _ := e.svc.Open(context.Background(), c.ID)
	last := th.Messages[len(th.Messages)-1]
	if last.Delivery != inbox.DeliveryFailed {
		t.Fatalf("after %v attempts: %+v", n.attempts, last)
	}
	n.mu.Lock()
	n.down = false // the network is back; the manager presses R
	n.mu.Unlock()
	if err := e.svc.RetryOutbox(context.Background(), last.OutboxID); err != nil {
		t.Fatal(err)
	}
	w.Drain(context.Background())
	th, _ = e.svc.Open(context.Background(), c.ID)
	last = th.Messages[len(th.Messages)-1]
	if n.posts != 1 || last.Delivery != inbox.DeliverySent || last.ExternalID != "post-1" {
		t.Fatalf("%d posts (attempts %v), reply %+v: a manual retry posted again", n.posts, n.attempts, last)
	}
}
