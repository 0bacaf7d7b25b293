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
	Log            *slog.Logger
}

type userKey struct{}

// Server is a running SSH front end.
type Server struct {
	cfg  Config
	ssh  *ssh.Server
	log  *slog.Logger
	mu   sync.Mutex
	live map[*tea.Program]string // running programs → session id
	wg   sync.WaitGroup          // sessions still running
	down bool
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
	s := &Server{cfg: cfg, log: cfg.Log, live: map[*tea.Program]string{}}
	opts := []ssh.Option{
		wish.WithAddress(cfg.Listen),
		wish.WithHostKeyPath(cfg.HostKeyPath),
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
	s.ssh = srv
	return s, nil
}

// authorize admits only keys on the allow-list, re-read at every login so
// adding a manager needs no restart. No password or keyboard-interactive
// handler is installed, so those methods are refused.
func (s *Server) authorize(ctx ssh.Context, key ssh.PublicKey) bool {
	list, err := readAllowList(s.cfg.AuthorizedKeys, s.cfg.Names)
	if err != nil {
		s.log.Error("allow-list", "err", err)
		return false
	}
	name, ok := lookup(list, key)
	if !ok {
		s.log.Warn("refused key", "remote", ctx.RemoteAddr().String(), "fingerprint", gossh.FingerprintSHA256(key))
		return false
	}
	ctx.SetValue(userKey{}, name)
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
			if down {
				wish.Println(sess, "parley: the server is shutting down; your drafts are saved. Reconnect in a moment.")
			}
			next(sess)
		}
	}
}

// track counts running sessions so shutdown can wait for them.
func (s *Server) track() wish.Middleware {
	return func(next ssh.Handler) ssh.Handler {
		return func(sess ssh.Session) {
			s.mu.Lock()
			if s.down {
				s.mu.Unlock()
				wish.Println(sess, "parley is shutting down; try again in a moment.")
				_ = sess.Exit(1)
				return
			}
			s.wg.Add(1)
			s.mu.Unlock()
			defer s.wg.Done()
			s.log.Info("session start", "user", sess.Context().Value(userKey{}), "remote", sess.RemoteAddr().String())
			next(sess)
			s.log.Info("session end", "user", sess.Context().Value(userKey{}))
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
	opt.Editor = "" // no $EDITOR over SSH: the built-in composer is complete
	opt.Context = sess.Context()
	opt.Session = sess.Context().SessionID()[:16]
	m, err := tui.New(opt)
	if err != nil {
		wish.Fatalln(sess, "parley:", err)
		return nil
	}
	p := tea.NewProgram(m, append(bm.MakeOptions(sess), tea.WithContext(sess.Context()))...)
	s.mu.Lock()
	s.live[p] = opt.Session
	s.mu.Unlock()
	go func() {
		<-sess.Context().Done()
		s.mu.Lock()
		delete(s.live, p)
		s.mu.Unlock()
		// A dropped connection never ran the model's quit: forget it here.
		opt.Service.ClearPresence(opt.Session)
	}()
	return p
}

// Serve accepts connections on l until Shutdown.
func (s *Server) Serve(l net.Listener) error {
	err := s.ssh.Serve(l)
	if errors.Is(err, ssh.ErrServerClosed) {
		return nil
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
	err := s.ssh.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return s.ssh.Close()
	}
	return err
}
