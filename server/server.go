// Package server serves the parley TUI over SSH (wish v2): one Bubble Tea
// program per session over one shared inbox service, public-key auth
// against an allow-list, presence between sessions, graceful shutdown.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"
	bm "charm.land/wish/v2/bubbletea"
	gossh "golang.org/x/crypto/ssh"

	"github.com/parleyhq/parley/tui"
)

// Config configures the server.
type Config struct {
	Listen         string            // e.g. ":2222"
	HostKeyPath    string            // generated on first start (ed25519, 0600)
	AuthorizedKeys string            // allow-list in authorized_keys format
	Names          map[string]string // optional SHA256 fingerprint → manager name
	IdleTimeout    time.Duration     // 0: none
	TUI            tui.Options       // template for every session (Service, destinations, keys…)
	// Log gets every login, logout and refused attempt: key fingerprint,
	// address and time, never key material.
	Log *slog.Logger

	MaxSessionsPerKey int           // open sessions one key may have; 0: 5, negative: no cap
	Connections       Limit         // new connections per source address; zero: 10, then one every 3s
	AuthAttempts      Limit         // keys offered per source address; zero: 30, then one every 2s
	KeysPoll          time.Duration // how often the allow-list is re-read to end removed keys' sessions; 0: 1s
}

type (
	userKey     struct{}
	guessedKey  struct{} // the name came from no one's choice (see allowed)
	fpKey       struct{}
	farewellKey struct{}
)

// session is one running program and whose it is.
type session struct {
	id, user, fp string
	sess         ssh.Session
	prog         *tea.Program
	revoked      bool
}

// Server is a running SSH front end.
type Server struct {
	cfg        Config
	ssh        *ssh.Server
	log        *slog.Logger
	conns      *perAddress
	auths      *perAddress
	stopWatch  context.CancelFunc
	mu         sync.Mutex
	live       map[*tea.Program]*session
	perKey     map[string]int // fingerprint → sessions open
	wg         sync.WaitGroup // sessions still running
	down       bool
	hostFinger string
	// ln and served are Serve's listener and a channel closed when Serve
	// returns: Shutdown closes the listener and waits for Serve before it
	// shuts the SSH server down, because the library's listener count is
	// not safe to wait on while Serve may still be registering it.
	ln     net.Listener
	served chan struct{}
}

// New prepares a server; nothing listens until Serve or ListenAndServe.
func New(cfg Config) (*Server, error) {
	if cfg.TUI.Service == nil {
		return nil, errors.New("server: no inbox service")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	// Fail at start, not at the first login, when the allow-list is unreadable.
	if _, err := readAllowList(cfg.AuthorizedKeys, cfg.Names); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(cfg.HostKeyPath), 0o700); err != nil {
		return nil, fmt.Errorf("host key directory: %w", err)
	}
	if cfg.MaxSessionsPerKey == 0 {
		cfg.MaxSessionsPerKey = 5
	}
	if cfg.Connections == (Limit{}) {
		cfg.Connections = Limit{Burst: 10, Every: 3 * time.Second}
	}
	if cfg.AuthAttempts == (Limit{}) {
		cfg.AuthAttempts = Limit{Burst: 30, Every: 2 * time.Second}
	}
	if cfg.KeysPoll <= 0 {
		cfg.KeysPoll = time.Second
	}
	s := &Server{cfg: cfg, log: cfg.Log, live: map[*tea.Program]*session{}, perKey: map[string]int{},
		conns: newPerAddress(cfg.Connections), auths: newPerAddress(cfg.AuthAttempts)}
	opts := []ssh.Option{
		wish.WithAddress(cfg.Listen),
		wish.WithHostKeyPath(cfg.HostKeyPath),
		ssh.WrapConn(s.admit),
		wish.WithPublicKeyAuth(s.authorize),
		wish.WithMiddleware(
			s.farewell(),
			bm.MiddlewareWithProgramHandler(s.program), // runs the program
			requirePTY(),
			s.track(), // runs first
		),
	}
	if cfg.IdleTimeout > 0 {
		opts = append(opts, wish.WithIdleTimeout(cfg.IdleTimeout))
	}
	srv, err := wish.NewServer(opts...)
	if err != nil {
		return nil, fmt.Errorf("ssh server: %w", err)
	}
	_ = os.Chmod(cfg.HostKeyPath, 0o600)
	if len(srv.HostSigners) > 0 {
		s.hostFinger = gossh.FingerprintSHA256(srv.HostSigners[0].PublicKey())
	}
	s.ssh = srv
	ctx, cancel := context.WithCancel(context.Background())
	s.stopWatch = cancel
	go s.watchAllowList(ctx)
	return s, nil
}

// HostKeyFingerprint is the SHA256 fingerprint of the server's host key,
// printed at start so a manager can check it on the first connection.
func (s *Server) HostKeyFingerprint() string { return s.hostFinger }

func fingerprint(k gossh.PublicKey) string { return gossh.FingerprintSHA256(k) }

// admit turns away a source address that opens connections faster than
// Config.Connections allows, before any SSH is spoken.
func (s *Server) admit(ctx ssh.Context, conn net.Conn) net.Conn {
	if !s.conns.allow(conn.RemoteAddr()) {
		s.log.Warn("refused", "reason", "too many connections", "remote", conn.RemoteAddr().String())
		return nil
	}
	return conn
}

// authorize admits only keys on the allow-list, re-read at every login so
// adding a manager needs no restart. No password or keyboard-interactive
// handler is installed, so those methods are refused.
func (s *Server) authorize(ctx ssh.Context, key ssh.PublicKey) bool {
	fp, remote := fingerprint(key), ctx.RemoteAddr().String()
	if !s.auths.allow(ctx.RemoteAddr()) {
		s.log.Warn("refused", "reason", "too many authentication attempts", "fingerprint", fp, "remote", remote)
		return false
	}
	list, err := readAllowList(s.cfg.AuthorizedKeys, s.cfg.Names)
	if err != nil {
		s.log.Error("allow-list", "err", err)
		return false
	}
	a, ok := lookup(list, key)
	if !ok {
		s.log.Warn("refused", "reason", "key not allowed", "fingerprint", fp, "remote", remote)
		return false
	}
	ctx.SetValue(userKey{}, a.name)
	ctx.SetValue(guessedKey{}, a.guessed)
	ctx.SetValue(fpKey{}, fp)
	return true
}

// requirePTY turns away sessions without a terminal, clearly.
func requirePTY() wish.Middleware {
	return func(next ssh.Handler) ssh.Handler {
		return func(sess ssh.Session) {
			if _, _, ok := sess.Pty(); !ok {
				wish.Println(sess, "parley is a terminal app and needs a terminal: connect with `ssh -t` (no command).")
				_ = sess.Exit(1)
				return
			}
			next(sess)
		}
	}
}

// farewell runs after the program ends: when the server is going down,
// say so on the user's terminal (the alt screen took the program's view).
func (s *Server) farewell() wish.Middleware {
	return func(next ssh.Handler) ssh.Handler {
		return func(sess ssh.Session) {
			s.mu.Lock()
			down := s.down
			s.mu.Unlock()
			if why, _ := sess.Context().Value(farewellKey{}).(string); why != "" {
				wish.Println(sess, why)
			} else if down {
				wish.Println(sess, "parley: the server is shutting down; your drafts are saved. Reconnect in a moment.")
			}
			next(sess)
		}
	}
}

// track counts running sessions, so shutdown can wait for them and one key
// cannot open more than MaxSessionsPerKey, and logs logins and logouts.
func (s *Server) track() wish.Middleware {
	return func(next ssh.Handler) ssh.Handler {
		return func(sess ssh.Session) {
			user, _ := sess.Context().Value(userKey{}).(string)
			fp, _ := sess.Context().Value(fpKey{}).(string)
			remote := sess.RemoteAddr().String()
			s.mu.Lock()
			if s.down {
				s.mu.Unlock()
				wish.Println(sess, "parley is shutting down; try again in a moment.")
				_ = sess.Exit(1)
				return
			}
			if max := s.cfg.MaxSessionsPerKey; max > 0 && s.perKey[fp] >= max {
				s.mu.Unlock()
				s.log.Warn("refused", "reason", "too many sessions for this key", "user", user, "fingerprint", fp, "remote", remote, "open", max)
				wish.Printf(sess, "parley: this key already has %d sessions open (the most allowed); close one and try again.\n", max)
				_ = sess.Exit(1)
				return
			}
			s.perKey[fp]++
			s.wg.Add(1)
			s.mu.Unlock()
			start := time.Now()
			s.log.Info("login", "user", user, "fingerprint", fp, "remote", remote, "session", sess.Context().SessionID()[:16])
			defer func() {
				s.mu.Lock()
				s.perKey[fp]--
				if s.perKey[fp] <= 0 {
					delete(s.perKey, fp)
				}
				// The program has ended (the handler returns only then): the
				// session is forgotten before its logout is logged, so a
				// logged logout is never still counted.
				for p, ls := range s.live {
					if ls.sess == sess {
						delete(s.live, p)
					}
				}
				s.mu.Unlock()
				// A dropped connection never ran the model's quit: forget
				// where it was here.
				s.cfg.TUI.Service.ClearPresence(sess.Context().SessionID()[:16])
				s.log.Info("logout", "user", user, "fingerprint", fp, "remote", remote, "session", sess.Context().SessionID()[:16],
					"duration", time.Since(start).Round(time.Second).String())
				s.wg.Done()
			}()
			next(sess)
			if why, _ := sess.Context().Value(farewellKey{}).(string); why != "" {
				closeConn(sess) // the key was revoked: the farewell is said
			}
		}
	}
}

// program builds one Bubble Tea program for a session: its own model, size,
// styles and key map, its colour profile from the client's environment.
func (s *Server) program(sess ssh.Session) *tea.Program {
	user, _ := sess.Context().Value(userKey{}).(string)
	if user == "" { // never reached: auth sets it; refuse rather than guess
		wish.Fatalln(sess, "not authorised")
		return nil
	}
	opt := s.cfg.TUI
	opt.User = user
	if guessed, _ := sess.Context().Value(guessedKey{}).(bool); guessed {
		// Every action and signature carries this name: say where a real
		// one is set, as the local first run does.
		opt.UserNote = "you are " + user + " · set in [serve] names"
	}
	// Everyone who may log in can be given a conversation; the list is
	// re-read per session like the allow-list itself.
	opt.Managers = append(slices.Clip(opt.Managers), Managers(s.cfg.AuthorizedKeys, s.cfg.Names)...)
	opt.Editor = "" // no $EDITOR over SSH: the built-in composer is complete
	opt.Context = sess.Context()
	opt.Session = sess.Context().SessionID()[:16]
	m, err := tui.New(opt)
	if err != nil {
		wish.Fatalln(sess, "parley:", err)
		return nil
	}
	p := tea.NewProgram(m, append(bm.MakeOptions(sess), tea.WithContext(sess.Context()))...)
	fp, _ := sess.Context().Value(fpKey{}).(string)
	s.mu.Lock()
	s.live[p] = &session{id: opt.Session, user: user, fp: fp, sess: sess, prog: p} // track forgets it
	s.mu.Unlock()
	return p
}

// Serve accepts connections on l until Shutdown.
func (s *Server) Serve(l net.Listener) error {
	s.mu.Lock()
	if s.down {
		s.mu.Unlock()
		return l.Close()
	}
	s.ln, s.served = l, make(chan struct{})
	served := s.served
	s.mu.Unlock()
	defer close(served)
	err := s.ssh.Serve(l)
	s.mu.Lock()
	down := s.down
	s.mu.Unlock()
	if errors.Is(err, ssh.ErrServerClosed) || down {
		return nil // Shutdown closed the listener
	}
	return err
}

// ListenAndServe listens on the configured address.
func (s *Server) ListenAndServe() error {
	err := s.ssh.ListenAndServe()
	if errors.Is(err, ssh.ErrServerClosed) {
		return nil
	}
	return err
}

// Sessions is the number of running programs.
func (s *Server) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.live)
}

// Shutdown tells every session, lets each save its draft and quit, then
// closes the listener. Sessions still running when ctx ends are cut.
func (s *Server) Shutdown(ctx context.Context) error {
	s.stopWatch()
	s.mu.Lock()
	s.down = true
	progs := make([]*tea.Program, 0, len(s.live))
	for p := range s.live {
		progs = append(progs, p)
	}
	s.mu.Unlock()
	for _, p := range progs {
		go p.Send(tui.ShutdownMsg{Reason: "the server is shutting down; your draft is saved"})
	}
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
	s.mu.Lock()
	ln, served := s.ln, s.served
	s.mu.Unlock()
	if ln != nil {
		ln.Close()
		select {
		case <-served:
		case <-ctx.Done():
		}
	}
	err := s.ssh.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return s.ssh.Close()
	}
	return err
}
