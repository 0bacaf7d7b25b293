package server

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"charm.land/wish/v2/testsession"
	gossh "golang.org/x/crypto/ssh"
)

// logBuf collects the server log; tests wait until a line shows up.
type logBuf struct {
	mu      sync.Mutex
	b       bytes.Buffer
	written chan struct{}     // signalled after every write, so waits need no polling
	hook    func(line string) // sees each write as it is made
}

// onWrite calls fn with every later write, before the writer goes on.
func (l *logBuf) onWrite(fn func(line string)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.hook = fn
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n, err := l.b.Write(p)
	if l.hook != nil {
		l.hook(string(p))
	}
	select {
	case l.wake() <- struct{}{}:
	default: // a wake-up is pending already
	}
	return n, err
}

// wake is the write signal, made on first use so the zero logBuf works;
// call with l.mu held.
func (l *logBuf) wake() chan struct{} {
	if l.written == nil {
		l.written = make(chan struct{}, 1)
	}
	return l.written
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *logBuf) waitFor(t *testing.T, subs ...string) {
	t.Helper()
	l.until(t, "log shows "+strings.Join(subs, " … "), func() bool {
		s := l.String()
		for _, sub := range subs {
			if !strings.Contains(s, sub) {
				return false
			}
		}
		return true
	})
}

// until waits until cond holds, looking again after every line logged: it
// suits what is logged, or what the server changes before it logs a line.
// One test goroutine waits at a time.
func (l *logBuf) until(t *testing.T, what string, cond func() bool) {
	t.Helper()
	l.mu.Lock()
	written := l.wake()
	l.mu.Unlock()
	deadline := time.NewTimer(waitLimit)
	defer deadline.Stop()
	for !cond() {
		select {
		case <-written:
		case <-deadline.C:
			t.Fatalf("never: %s; log:\n%s", what, l.String())
		}
	}
}

func withLog(l *logBuf) func(*Config) {
	return func(c *Config) { c.Log = slog.New(slog.NewTextHandler(l, nil)) }
}

// banner dials the server: true when it speaks SSH, false when the
// connection is closed before it does.
func banner(t *testing.T, addr string) bool {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	b := make([]byte, 4)
	_, err = io.ReadFull(conn, b)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatal("no answer and no close from the server")
	}
	return err == nil && string(b) == "SSH-"
}

func TestConnectionsRateLimitedPerAddress(t *testing.T) {
	var log logBuf
	f := setupWith(t, func(c *Config) {
		withLog(&log)(c)
		c.Connections = Limit{Burst: 3, Every: time.Hour}
	}, "ann")
	// setup's own readiness check was the first connection.
	for i := 2; i <= 3; i++ {
		if !banner(t, f.addr) {
			t.Fatalf("connection %d refused within the burst", i)
		}
	}
	if banner(t, f.addr) {
		t.Fatal("connection beyond the burst admitted")
	}
	log.waitFor(t, "refused", "too many connections", "remote=127.0.0.1")
}

func TestAuthAttemptsRateLimitedPerAddress(t *testing.T) {
	var log logBuf
	f := setupWith(t, func(c *Config) {
		withLog(&log)(c)
		c.AuthAttempts = Limit{Burst: 2, Every: time.Hour}
	}, "ann")
	for range 2 {
		if _, err := f.client("mallory"); err == nil {
			t.Fatal("unknown key accepted")
		}
	}
	// Even the right key is refused once the address has used its attempts.
	if _, err := f.client("ann"); err == nil {
		t.Fatal("authentication beyond the limit accepted")
	}
	log.waitFor(t, "too many authentication attempts", "fingerprint="+gossh.FingerprintSHA256(f.signers["ann"].PublicKey()))
}

func TestSessionsCappedPerKey(t *testing.T) {
	var log logBuf
	f := setupWith(t, func(c *Config) {
		withLog(&log)(c)
		c.MaxSessionsPerKey = 2
	}, "ann", "bob")
	a1, a2 := f.open("ann", 100, 30), f.open("ann", 100, 30)
	a1.waitFor("Inbox")
	a2.waitFor("Inbox")
	s, err := f.client("ann")
	if err != nil {
		t.Fatal(err)
	}
	s.RequestPty("xterm", 30, 100, gossh.TerminalModes{})
	out, err := s.CombinedOutput("")
	var exit *gossh.ExitError
	if !errors.As(err, &exit) || exit.ExitStatus() != 1 || !strings.Contains(string(out), "already has 2 sessions open") {
		t.Fatalf("third session: %v %q", err, out)
	}
	log.waitFor(t, "too many sessions for this key")
	// Another key is not affected; closing one of ann's frees a place.
	f.open("bob", 100, 30).waitFor("Inbox")
	a1.send("q")
	<-a1.done
	// The server frees the place, then logs the logout.
	log.until(t, "ann's place freed", func() bool {
		f.srv.mu.Lock()
		defer f.srv.mu.Unlock()
		return f.srv.perKey[gossh.FingerprintSHA256(f.signers["ann"].PublicKey())] == 1
	})
	f.open("ann", 100, 30).waitFor("Inbox")
}

func TestRemovedKeyEndsItsSessions(t *testing.T) {
	var log logBuf
	f := setupWith(t, func(c *Config) { withLog(&log)(c); c.KeysPoll = 50 * time.Millisecond }, "ann", "bob")
	ann, bob := f.open("ann", 100, 30), f.open("bob", 100, 30)
	ann.waitFor("Inbox")
	bob.waitFor("Inbox")
	// Take ann off the allow-list (as an editor would: write a new file).
	ak := filepath.Join(f.dir, "authorized_keys")
	b, _ := os.ReadFile(ak)
	var keep []string
	for _, l := range strings.Split(string(b), "\n") {
		if !strings.HasSuffix(l, " ann") {
			keep = append(keep, l)
		}
	}
	// What the server counts at the moment it logs ann's logout.
	atLogout := make(chan int, 1)
	log.onWrite(func(line string) {
		if strings.Contains(line, "msg=logout user=ann") {
			select {
			case atLogout <- f.srv.Sessions():
			default: // the first is the one that counts
			}
		}
	})
	os.WriteFile(ak+".new", []byte(strings.Join(keep, "\n")), 0o600)
	os.Rename(ak+".new", ak)
	select {
	case <-ann.done:
	case <-time.After(20 * time.Second):
		t.Fatalf("ann's session still open after her key was removed:\n%s", ann.text())
	}
	ann.waitFor("your key was removed")
	log.waitFor(t, "key removed: ending session", "user=ann", "logout", "user=ann")
	// bob is untouched and still works.
	bob.send("j")
	// The server forgets a session before it logs its logout.
	if n := <-atLogout; n != 1 {
		t.Fatalf("%d sessions counted when ann's logout was logged, want bob's alone; log:\n%s", n, log.String())
	}
	select {
	case err := <-bob.done:
		t.Fatalf("bob's session ended: %v", err)
	default:
	}
	// ann cannot come back.
	if _, err := f.client("ann"); err == nil {
		t.Fatal("removed key logged in again")
	}
}

func TestLoginsLogoutsAndRefusalsAreLogged(t *testing.T) {
	var log logBuf
	f := setupWith(t, withLog(&log), "ann")
	tm := f.open("ann", 100, 30)
	tm.waitFor("Inbox")
	tm.send("q")
	<-tm.done
	f.client("mallory")
	annFP := gossh.FingerprintSHA256(f.signers["ann"].PublicKey())
	malFP := gossh.FingerprintSHA256(f.signers["mallory"].PublicKey())
	log.waitFor(t, "msg=login user=ann fingerprint="+annFP+" remote=127.0.0.1:", "msg=logout user=ann fingerprint="+annFP,
		"msg=refused reason=\"key not allowed\" fingerprint="+malFP)
	s := log.String()
	for _, name := range []string{"ann", "mallory"} {
		material := strings.Fields(string(gossh.MarshalAuthorizedKey(f.signers[name].PublicKey())))[1]
		if strings.Contains(s, material) {
			t.Fatalf("the log holds %s's public key material", name)
		}
	}
	if !strings.Contains(s, "time=") {
		t.Fatal("log lines carry no time")
	}
}

func TestHostKeyFingerprintMatchesWhatClientsSee(t *testing.T) {
	f := setup(t, "ann")
	var seen string
	_, err := testsession.NewClientSession(t, f.addr, &gossh.ClientConfig{User: "ann",
		Auth: []gossh.AuthMethod{gossh.PublicKeys(f.signers["ann"])},
		HostKeyCallback: func(_ string, _ net.Addr, k gossh.PublicKey) error {
			seen = gossh.FingerprintSHA256(k)
			return nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	if fp := f.srv.HostKeyFingerprint(); !strings.HasPrefix(fp, "SHA256:") || fp != seen {
		t.Fatalf("printed %q, client saw %q", fp, seen)
	}
}
