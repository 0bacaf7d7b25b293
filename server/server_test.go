package server

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"charm.land/wish/v2/testsession"
	"github.com/charmbracelet/x/vt"
	gossh "golang.org/x/crypto/ssh"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/inbox/sqlite"
	psync "github.com/parleyhq/parley/sync"
	"github.com/parleyhq/parley/tui"
)

type fixture struct {
	t       *testing.T
	svc     *inbox.Service
	acc     inbox.Account
	srv     *Server
	addr    string
	dir     string
	signers map[string]gossh.Signer
	keyFile map[string]string
}

func newKey(t *testing.T) (gossh.Signer, []byte) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	pemBlock, err := gossh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	buf.Write(pemEncode(pemBlock))
	return s, buf.Bytes()
}

func setup(t *testing.T, allowed ...string) *fixture {
	t.Helper()
	return setupWith(t, nil, allowed...)
}

// setupWith lets a test change the server's config before it starts.
func setupWith(t *testing.T, configure func(*Config), allowed ...string) *fixture {
	t.Helper()
	dir := t.TempDir()
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc := inbox.NewService(st, inbox.Options{ReplyMarksDone: true})
	acc, _ := svc.AddAccount(context.Background(), inbox.Account{Network: "demo-facebook", Label: "Brand"})
	now := time.Now()
	var items []inbox.Inbound
	for i, who := range []string{"Alice", "Bob", "Carol"} {
		items = append(items, inbox.Inbound{ConversationID: "c-" + who, Kind: inbox.KindComment, Message: inbox.Message{
			ExternalID: "m-" + who, Text: "Hello from " + who, CreatedAt: now.Add(-time.Duration(3-i) * time.Hour),
			Author: inbox.Author{ID: who, Name: who}}})
	}
	if err := svc.Ingest(context.Background(), acc.ID, inbox.Batch{Items: items}); err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, svc: svc, acc: acc, dir: dir, signers: map[string]gossh.Signer{}, keyFile: map[string]string{}}
	var ak bytes.Buffer
	for _, name := range append(allowed, "mallory") {
		s, pemBytes := newKey(t)
		f.signers[name] = s
		kf := filepath.Join(dir, name+".key")
		os.WriteFile(kf, pemBytes, 0o600)
		f.keyFile[name] = kf
		if name != "mallory" {
			ak.Write(bytes.TrimSpace(gossh.MarshalAuthorizedKey(s.PublicKey())))
			ak.WriteString(" " + name + "\n")
		}
	}
	os.WriteFile(filepath.Join(dir, "authorized_keys"), ak.Bytes(), 0o600)
	cfg := Config{
		Listen:         "127.0.0.1:0",
		HostKeyPath:    filepath.Join(dir, "host_ed25519"),
		AuthorizedKeys: filepath.Join(dir, "authorized_keys"),
		IdleTimeout:    time.Minute,
		TUI:            tui.Options{Service: svc, Destinations: []string{"support"}, RepliesDir: dir},
	}
	if configure != nil {
		configure(&cfg)
	}
	f.srv, err = New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.addr = testsession.Listen(t, f.srv.ssh)
	// Wait until the server is serving (its SSH banner arrives only after
	// Accept): a test that ends before Serve has started would otherwise
	// close the listener under it.
	conn, err := net.Dial("tcp", f.addr)
	if err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	banner := make([]byte, 4)
	if _, err := io.ReadFull(conn, banner); err != nil || string(banner) != "SSH-" {
		t.Fatalf("the test server is not serving: %q %v", banner, err)
	}
	conn.Close()
	return f
}

func (f *fixture) client(name string) (*gossh.Session, error) {
	return testsession.NewClientSession(f.t, f.addr, &gossh.ClientConfig{
		User: name, Auth: []gossh.AuthMethod{gossh.PublicKeys(f.signers[name])},
	})
}

// term is a client terminal: keys in, screen bytes out.
type term struct {
	t       *testing.T
	in      io.WriteCloser
	mu      sync.Mutex
	n       int          // bytes the server wrote
	emu     *vt.Emulator // what a terminal would show
	sess    *gossh.Session
	done    chan error
	written chan struct{} // signalled after every write, so waits need no polling
}

func newTerm(t *testing.T, w, h int) *term {
	return &term{t: t, emu: vt.NewEmulator(w, h), done: make(chan error, 1), written: make(chan struct{}, 1)}
}

func (f *fixture) open(name string, w, h int) *term {
	f.t.Helper()
	s, err := f.client(name)
	if err != nil {
		f.t.Fatal(err)
	}
	if err := s.RequestPty("xterm-256color", h, w, gossh.TerminalModes{}); err != nil {
		f.t.Fatal(err)
	}
	tm := newTerm(f.t, w, h)
	tm.sess = s
	tm.in, _ = s.StdinPipe()
	s.Stdout = tm
	// Answer the program's terminal queries, as a real terminal does.
	go io.Copy(tm.in, tm.emu)
	if err := s.Shell(); err != nil {
		f.t.Fatal(err)
	}
	go func() { tm.done <- s.Wait() }()
	return tm
}

func (tm *term) Write(p []byte) (int, error) {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	tm.n += len(p)
	n, err := tm.emu.Write(p)
	select {
	case tm.written <- struct{}{}:
	default: // a wake-up is pending already
	}
	return n, err
}

func (tm *term) bytes() int {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return tm.n
}

// text is the screen as the user sees it now.
func (tm *term) text() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return tm.emu.String()
}

// waitLimit only fails a test that is really stuck; a busy machine stays
// far below it.
const waitLimit = 20 * time.Second

// waitUntil waits until cond holds, looking again after every write from
// the server.
func (tm *term) waitUntil(what string, cond func() bool) {
	tm.t.Helper()
	deadline := time.NewTimer(waitLimit)
	defer deadline.Stop()
	for !cond() {
		select {
		case <-tm.written:
		case <-deadline.C:
			s := tm.text()
			tm.t.Fatalf("screen never showed %s; got:\n%s", what, s[max(0, len(s)-3000):])
		}
	}
}

func (tm *term) waitFor(subs ...string) {
	tm.t.Helper()
	tm.waitUntil(fmt.Sprintf("%q", subs), func() bool {
		s := tm.text()
		for _, sub := range subs {
			if !strings.Contains(s, sub) {
				return false
			}
		}
		return true
	})
}

// Screens the tests wait for between keys, so that a key reaches the screen
// it is meant for (and an Esc is never read together with the next key as
// alt+key). The help line tells them apart.
const (
	onList     = "enter open"     // the list's help line
	onConv     = "esc/q back"     // a conversation's help line
	onComposer = "Write a reply…" // an empty composer
)

// onlySelected is true when the row holding name is the one row drawn as
// selected: the cursor mark at its start and the selection background up to
// its last cell. The renderer draws rows top to bottom and left to right, so
// then the whole frame of a cursor move has arrived, not just its first
// bytes.
func (tm *term) onlySelected(name string) func() bool {
	return func() bool {
		tm.mu.Lock()
		defer tm.mu.Unlock()
		lines := strings.Split(tm.emu.String(), "\n")
		found := false
		for y, line := range lines {
			last := tm.emu.CellAt(tm.emu.Width()-1, y)
			painted := last != nil && last.Style.Bg != nil
			mine := strings.HasPrefix(line, "› ") && strings.Contains(line, name)
			if mine && !painted || !mine && painted && strings.HasPrefix(line, "› ") {
				return false
			}
			found = found || mine && painted
		}
		return found
	}
}

func (tm *term) send(keys string) {
	tm.t.Helper()
	if _, err := tm.in.Write([]byte(keys)); err != nil {
		tm.t.Fatal(err)
	}
}

func TestAllowedKeyGetsTheInbox(t *testing.T) {
	f := setup(t, "ann")
	tm := f.open("ann", 120, 30)
	tm.waitFor("Inbox", "Alice", "Bob", "Carol")
	tm.send("q")
	select {
	case err := <-tm.done:
		if err != nil {
			t.Fatalf("session ended with %v", err)
		}
	case <-time.After(waitLimit):
		t.Fatal("q did not end the session")
	}
}

func TestUnknownKeyRefused(t *testing.T) {
	f := setup(t, "ann")
	if _, err := f.client("mallory"); err == nil || !strings.Contains(err.Error(), "unable to authenticate") {
		t.Fatalf("unknown key: %v", err)
	}
	// Passwords are not a way in either.
	_, err := testsession.NewClientSession(t, f.addr, &gossh.ClientConfig{User: "ann", Auth: []gossh.AuthMethod{gossh.Password("ann")}})
	if err == nil {
		t.Fatal("password auth accepted")
	}
	if n := f.srv.Sessions(); n != 0 {
		t.Fatalf("%d programs started for refused clients", n)
	}
}

func TestNoPTYRefused(t *testing.T) {
	f := setup(t, "ann")
	s, err := f.client("ann")
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.CombinedOutput("")
	var exit *gossh.ExitError
	if !errors.As(err, &exit) || exit.ExitStatus() != 1 {
		t.Fatalf("no-PTY session: err %v", err)
	}
	if !strings.Contains(string(out), "needs a terminal") {
		t.Fatalf("no-PTY message: %q", out)
	}
}

func TestHostKeyIsPrivateAndReused(t *testing.T) {
	f := setup(t, "ann")
	st, err := os.Stat(filepath.Join(f.dir, "host_ed25519"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("host key mode: %v %v", st, err)
	}
	before, _ := os.ReadFile(filepath.Join(f.dir, "host_ed25519"))
	if _, err := New(f.srv.cfg); err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(filepath.Join(f.dir, "host_ed25519"))
	if !bytes.Equal(before, after) {
		t.Fatal("host key regenerated on restart")
	}
}

func TestTwoSessionsSeeEachOther(t *testing.T) {
	f := setup(t, "ann", "bob")
	ann, bob := f.open("ann", 120, 30), f.open("bob", 120, 30)
	ann.waitFor("Alice")
	bob.waitFor("Alice")
	ann.send("\r") // ann opens Alice's conversation
	ann.waitFor("Hello from Alice")
	bob.waitFor("👁 ann")
	ann.send("r")
	bob.waitFor("✎ ann")
	bob.send("\r") // bob opens it too and tries to reply
	bob.waitFor("also here: ann (replying)")
	bob.send("r")
	bob.waitFor("ann is already replying")
	bob.send("n")
	// ann's action reaches bob's screen live.
	ann.send("\x1b") // close composer
	ann.waitFor(onConv)
	ann.send("d")
	bob.send("\x1b")
	bob.waitFor("Done 1")
	f.svc.Presence()
	if c, _ := f.svc.List(context.Background(), inbox.Page{View: inbox.ViewDone, Limit: 5}); len(c) != 1 || c[0].Author.Name != "Alice" {
		t.Fatalf("done view: %+v", c)
	}
	// The journal names the manager who acted.
	evs, _ := f.svc.Journal(context.Background(), 1)
	if len(evs) == 0 || evs[len(evs)-1].Actor != "ann" {
		t.Fatalf("journal: %+v", evs)
	}
}

// blocking is a network that hangs on every send until the caller gives up.
type blocking struct{ sent chan struct{} }

func (b *blocking) Capabilities() psync.Capabilities {
	return psync.Capabilities{Reply: true, PollInterval: time.Hour}
}
func (b *blocking) Fetch(ctx context.Context, cur string) (inbox.Batch, error) {
	return inbox.Batch{Cursor: cur}, nil
}
func (b *blocking) Perform(ctx context.Context, a psync.Action) (psync.Receipt, error) {
	close(b.sent)
	<-ctx.Done()
	return psync.Receipt{}, ctx.Err()
}

type instant struct{}

func (instant) Capabilities() psync.Capabilities { return psync.Capabilities{Reply: true} }
func (instant) Fetch(ctx context.Context, cur string) (inbox.Batch, error) {
	return inbox.Batch{Cursor: cur}, nil
}
func (instant) Perform(ctx context.Context, a psync.Action) (psync.Receipt, error) {
	return psync.Receipt{ExternalID: "net-1"}, nil
}

func TestShutdownWithReplyInFlightLosesNothing(t *testing.T) {
	f := setup(t, "ann")
	net := &blocking{sent: make(chan struct{})}
	eng := psync.NewEngine(f.svc, nil)
	eng.Add(psync.Account{Account: f.acc, Conn: net})
	engCtx, stopEngine := context.WithCancel(context.Background())
	engDone := make(chan struct{})
	go func() { eng.Run(engCtx); close(engDone) }()

	ann := f.open("ann", 120, 30)
	ann.waitFor("Alice")
	ann.send("\r")
	ann.waitFor("Hello from Alice")
	ann.send("r")
	ann.waitFor(onComposer)
	ann.send("On its way")
	ann.waitFor("On its way")
	ann.send("\x13") // ctrl+s
	select {
	case <-net.sent:
	case <-time.After(waitLimit):
		t.Fatal("the reply never reached the network")
	}
	// Another draft is being typed when the server goes down.
	ann.waitFor(onConv)
	ann.send("\x1b")
	ann.waitFor(onList)
	ann.send("j\r")
	ann.waitFor(onConv, "Hello from")
	ann.send("r")
	ann.waitFor(onComposer)
	ann.send("half typed")
	ann.waitFor("half typed") // on screen, so the program has it

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := f.srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	ann.waitFor("server is shutting down")
	stopEngine()
	<-engDone

	convs, _ := f.svc.List(context.Background(), inbox.Page{View: inbox.ViewAll, Limit: 10})
	var alice inbox.Thread
	draft := ""
	for _, c := range convs {
		th, _ := f.svc.Open(context.Background(), c.ID)
		if c.Author.Name == "Alice" {
			alice = th
		}
		draft += th.DraftBody("ann")
	}
	last := alice.Messages[len(alice.Messages)-1]
	if last.Text != "On its way" || last.Delivery != inbox.DeliveryQueued {
		t.Fatalf("in-flight reply after shutdown: %+v", last)
	}
	if draft != "half typed" {
		t.Fatalf("draft after shutdown: %q", draft)
	}
	// The next run delivers it.
	w := psync.NewWorker(f.svc, func(int64) (psync.Connector, bool) { return instant{}, true }, nil)
	w.Drain(context.Background())
	th, _ := f.svc.Open(context.Background(), alice.Conversation.ID)
	if last := th.Messages[len(th.Messages)-1]; last.Delivery != inbox.DeliverySent {
		t.Fatalf("after restart: %+v", last)
	}
}

// Two managers answer the same customer over SSH at the same moment: the
// send-time check lets one reply out and shows the other manager what went.
func TestTwoManagersOneReplyOverSSH(t *testing.T) {
	f := setup(t, "ann", "bob")
	ann, bob := f.open("ann", 120, 30), f.open("bob", 120, 30)
	ann.waitFor("Alice")
	bob.waitFor("Alice")
	ann.send("r")
	ann.waitFor("public reply on demo-facebook")
	bob.waitFor("✎ ann")
	bob.send("r")
	bob.waitFor("ann is already replying")
	bob.send("y")
	bob.waitFor("public reply on demo-facebook")
	ann.send("Sorry Alice, it ships today.")
	bob.send("Hi Alice, checking now.")
	bob.waitFor("Hi Alice, checking now.")
	ann.send("\x13") // ctrl+s
	ann.waitFor("reply queued")
	bob.send("\x13")
	bob.waitFor("Not sent: ann replied", "Send yours anyway?")
	bob.send("n")
	th, err := f.svc.Open(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	var outs []string
	for _, m := range th.Messages {
		if m.Direction == inbox.Out {
			outs = append(outs, m.Author.Name+": "+m.Text)
		}
	}
	if len(outs) != 1 || outs[0] != "ann: Sorry Alice, it ships today." {
		t.Fatalf("replies: %q", outs)
	}
}
