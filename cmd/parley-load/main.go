// Command parley-load puts a team on one `parley serve`: N real SSH
// sessions with terminals, some of them browsing, while the server ingests.
// It reports the server process's CPU and memory per session (from
// /proc/PID) and keystroke → frame latency measured from the bytes each
// client receives. Linux only; see BENCHMARKS.md for how it is run.
//
//	parley-load -authorized-keys /tmp/load/keys -sessions 50   # once
//	parley serve --demo --authorized-keys /tmp/load/keys --listen 127.0.0.1:2299 &
//	parley-load -addr 127.0.0.1:2299 -pid $! -sessions 1,10,50
//
// Every session is its own manager, as the server's per-key session cap and
// per-address connection limits expect: session i signs with a key derived
// from i (a throwaway key for loopback load tests, never for a real server)
// and connects from 127.0.0.(i+2).
package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "parley-load:", err)
		os.Exit(1)
	}
}

type options struct {
	addr     string
	pid      int
	browse   float64
	keyEvery time.Duration
	warmup   time.Duration
	measure  time.Duration
	width    int
	height   int
}

func run() error {
	var o options
	keys := flag.String("authorized-keys", "", "write an authorized_keys file for the sessions' keys and exit")
	sessions := flag.String("sessions", "1,10,50", "team sizes to measure, in order (with -authorized-keys: how many keys)")
	flag.StringVar(&o.addr, "addr", "127.0.0.1:2222", "server address")
	flag.IntVar(&o.pid, "pid", 0, "server process id, for CPU and memory")
	flag.Float64Var(&o.browse, "browse", 0.2, "share of sessions that browse (press j/k)")
	flag.DurationVar(&o.keyEvery, "key-every", 500*time.Millisecond, "time between a browser's keystrokes")
	flag.DurationVar(&o.warmup, "warmup", 5*time.Second, "wait after every session has drawn before measuring")
	flag.DurationVar(&o.measure, "measure", 30*time.Second, "how long to measure each team size")
	flag.IntVar(&o.width, "width", 160, "terminal columns")
	flag.IntVar(&o.height, "height", 48, "terminal rows")
	flag.Parse()
	var sizes []int
	for _, f := range strings.Split(*sessions, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 0 {
			return fmt.Errorf("-sessions: %q is not a team size", f)
		}
		sizes = append(sizes, n)
	}
	if *keys != "" {
		return writeKeys(*keys, slices.Max(sizes))
	}
	if o.pid == 0 {
		return errors.New("-pid is required (the server's process id)")
	}
	fmt.Printf("%-8s %-8s %-12s %-14s %-14s %-10s %-10s %-8s\n", "sessions", "browsing", "cpu %core", "cpu/session", "rss MiB", "MiB/sess", "p50 ms", "p99 ms")
	for _, n := range sizes {
		r, err := measure(n, o)
		if err != nil {
			return fmt.Errorf("%d sessions: %w", n, err)
		}
		perCPU, perMem := "-", "-"
		if n > 0 {
			perCPU = fmt.Sprintf("%.2f", r.cpu/float64(n))
			perMem = fmt.Sprintf("%.2f", (r.rss-r.rss0)/float64(n))
		}
		fmt.Printf("%-8d %-8d %-12.1f %-14s %-14.1f %-10s %-10s %-8s\n", n, r.browsing, r.cpu, perCPU, r.rss, perMem, ms(r.p50), ms(r.p99))
	}
	return nil
}

func ms(d time.Duration) string {
	if d < 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f", float64(d.Microseconds())/1000)
}

type result struct {
	browsing       int
	cpu            float64 // % of one core, server process, during the window
	rss0, rss      float64 // MiB before the sessions connected, and during
	p50, p99       time.Duration
	keys, answered int
}

// measure connects n sessions, waits until each has drawn and the warmup
// has passed, then samples the server while browsers press keys.
func measure(n int, o options) (result, error) {
	var r result
	rss0, err := rssMiB(o.pid)
	if err != nil {
		return r, err
	}
	r.rss0 = rss0
	var sess []*client
	defer func() {
		for _, c := range sess {
			c.close()
		}
	}()
	for i := range n {
		c, err := dial(o, i)
		if err != nil {
			return r, err
		}
		sess = append(sess, c)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for _, c := range sess {
		if err := c.waitFor([]byte("Inbox"), time.Until(deadline)); err != nil {
			return r, err
		}
	}
	time.Sleep(o.warmup)
	r.browsing = int(float64(n)*o.browse + 0.5)
	if n > 0 && o.browse > 0 && r.browsing == 0 {
		r.browsing = 1
	}
	t0, cpu0, err := cpuTicks(o.pid)
	if err != nil {
		return r, err
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for _, c := range sess[:r.browsing] {
		wg.Add(1)
		go func() { defer wg.Done(); c.browse(o.keyEvery, stop) }()
	}
	time.Sleep(o.measure)
	close(stop)
	wg.Wait()
	t1, cpu1, err := cpuTicks(o.pid)
	if err != nil {
		return r, err
	}
	r.cpu = 100 * float64(cpu1-cpu0) / clockTicks / t1.Sub(t0).Seconds()
	if r.rss, err = rssMiB(o.pid); err != nil {
		return r, err
	}
	var lat []time.Duration
	for _, c := range sess {
		lat = append(lat, c.latencies()...)
	}
	r.p50, r.p99 = percentile(lat, 0.50), percentile(lat, 0.99)
	return r, nil
}

func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return -1
	}
	slices.Sort(d)
	return d[min(int(float64(len(d))*p), len(d)-1)]
}

// client is one manager's terminal. It records when bytes arrive, so the
// time from a keystroke to the first bytes of the frame answering it is
// known.
type client struct {
	conn  *ssh.Client
	sess  *ssh.Session
	stdin io.Writer

	mu      sync.Mutex
	cond    *sync.Cond
	seen    []byte // the tail of the output, for waitFor
	sentAt  time.Time
	waiting bool
	lat     []time.Duration
	err     error
}

func dial(o options, i int) (*client, error) {
	signer, err := sessionKey(i)
	if err != nil {
		return nil, err
	}
	d := net.Dialer{Timeout: 30 * time.Second, LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, byte((i+2)/256), byte((i+2)%256))}}
	tcp, err := d.Dial("tcp", o.addr)
	if err != nil {
		return nil, err
	}
	sc, chans, reqs, err := ssh.NewClientConn(tcp, o.addr, &ssh.ClientConfig{
		User: fmt.Sprintf("load%02d", i), Auth: []ssh.AuthMethod{ssh.PublicKeys(signer)},
		HostKeyCallback: ssh.InsecureIgnoreHostKey(), // loopback test server
		Timeout:         30 * time.Second,
	})
	if err != nil {
		tcp.Close()
		return nil, fmt.Errorf("session %d: %w", i, err)
	}
	conn := ssh.NewClient(sc, chans, reqs)
	s, err := conn.NewSession()
	if err != nil {
		conn.Close()
		return nil, err
	}
	if err := s.RequestPty("xterm-256color", o.height, o.width, ssh.TerminalModes{}); err != nil {
		conn.Close()
		return nil, err
	}
	in, err := s.StdinPipe()
	if err != nil {
		conn.Close()
		return nil, err
	}
	out, err := s.StdoutPipe()
	if err != nil {
		conn.Close()
		return nil, err
	}
	if err := s.Shell(); err != nil {
		conn.Close()
		return nil, err
	}
	c := &client{conn: conn, sess: s, stdin: in}
	c.cond = sync.NewCond(&c.mu)
	go c.read(out)
	return c, nil
}

func (c *client) read(out io.Reader) {
	buf := make([]byte, 32<<10)
	for {
		n, err := out.Read(buf)
		now := time.Now()
		c.mu.Lock()
		if n > 0 {
			if c.waiting {
				c.lat = append(c.lat, now.Sub(c.sentAt))
				c.waiting = false
			}
			c.seen = append(c.seen, buf[:n]...)
			if len(c.seen) > 64<<10 {
				c.seen = append([]byte(nil), c.seen[len(c.seen)-(16<<10):]...)
			}
		}
		if err != nil {
			c.err = err
		}
		c.cond.Broadcast()
		c.mu.Unlock()
		if err != nil {
			return
		}
	}
}

func (c *client) waitFor(want []byte, within time.Duration) error {
	timer := time.AfterFunc(within, func() {
		c.mu.Lock()
		c.err = fmt.Errorf("no %q within %s", want, within)
		c.cond.Broadcast()
		c.mu.Unlock()
	})
	defer timer.Stop()
	c.mu.Lock()
	defer c.mu.Unlock()
	for !bytes.Contains(c.seen, want) {
		if c.err != nil {
			return c.err
		}
		c.cond.Wait()
	}
	return nil
}

// browse moves the cursor down and back up, one key every interval. A key
// sent while the previous one is unanswered is not timed.
func (c *client) browse(every time.Duration, stop <-chan struct{}) {
	t := time.NewTicker(every)
	defer t.Stop()
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		key := "j"
		if (i/20)%2 == 1 {
			key = "k"
		}
		c.mu.Lock()
		if !c.waiting {
			c.sentAt, c.waiting = time.Now(), true
		}
		c.mu.Unlock()
		if _, err := io.WriteString(c.stdin, key); err != nil {
			return
		}
	}
}

func (c *client) latencies() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.lat...)
}

func (c *client) close() {
	_, _ = io.WriteString(c.stdin, "q")
	c.sess.Close()
	c.conn.Close()
}

// clockTicks is USER_HZ, the unit of /proc/PID/stat times on Linux.
const clockTicks = 100

// cpuTicks reads the user + system time the process has used so far.
func cpuTicks(pid int) (time.Time, int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return time.Time{}, 0, err
	}
	// The command name (field 2) may hold spaces: fields count from its ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return time.Time{}, 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return time.Time{}, 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64) // field 14
	stime, err2 := strconv.ParseInt(f[12], 10, 64) // field 15
	if err := errors.Join(err1, err2); err != nil {
		return time.Time{}, 0, err
	}
	return time.Now(), utime + stime, nil
}

func rssMiB(pid int) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024, err
		}
	}
	return 0, fmt.Errorf("/proc/%d/status: no VmRSS", pid)
}

// sessionKey is session i's key, derived from i so that the authorized_keys
// file can be written once and the keys need not be stored.
func sessionKey(i int) (ssh.Signer, error) {
	seed := sha256.Sum256(fmt.Appendf(nil, "parley-load session %d", i))
	return ssh.NewSignerFromKey(ed25519.NewKeyFromSeed(seed[:]))
}

func writeKeys(path string, n int) error {
	var b bytes.Buffer
	for i := range n {
		s, err := sessionKey(i)
		if err != nil {
			return err
		}
		b.Write(ssh.MarshalAuthorizedKey(s.PublicKey()))
	}
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		return err
	}
	fmt.Printf("wrote %d keys to %s; start the server with --authorized-keys %s\n", n, path, path)
	return nil
}
