package server

import (
	"bytes"
	"context"
	"os"
	"time"

	"charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"

	"github.com/parleyhq/parley/tui"
)

// watchAllowList re-reads the allow-list every poll interval and ends the
// sessions of keys no longer on it: removing a manager's key takes effect
// within seconds, not at their next login. Reading a small file each tick
// is simpler and surer than mtime (one-second resolution on some systems)
// or fsnotify (editors replace files by rename).
func (s *Server) watchAllowList(ctx context.Context) {
	last, _ := os.ReadFile(s.cfg.AuthorizedKeys)
	t := time.NewTicker(s.cfg.KeysPoll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		b, err := os.ReadFile(s.cfg.AuthorizedKeys)
		if err == nil && bytes.Equal(b, last) {
			continue
		}
		list, err := readAllowList(s.cfg.AuthorizedKeys, s.cfg.Names)
		if err != nil {
			// A half-saved or mistyped file: new logins are refused until it
			// parses again; open sessions are not cut on a typo.
			s.log.Error("allow-list", "err", err)
			continue
		}
		last = b
		allowed := map[string]bool{}
		for _, a := range list {
			allowed[fingerprint(a.key)] = true
		}
		s.mu.Lock()
		var gone []*session
		for _, ls := range s.live {
			if !allowed[ls.fp] && !ls.revoked {
				ls.revoked = true
				gone = append(gone, ls)
			}
		}
		s.mu.Unlock()
		for _, ls := range gone {
			s.log.Warn("key removed: ending session", "user", ls.user, "fingerprint", ls.fp, "remote", ls.sess.RemoteAddr().String())
			ls.sess.Context().SetValue(farewellKey{}, "parley: your key was removed from the allowed keys; this session is closed. Your draft is saved.")
			go ls.prog.Send(tui.ShutdownMsg{Reason: "your key was removed from the allowed keys"})
			go func(ls *session) {
				// The program saves its draft and quits, and track closes the
				// connection; if it cannot, cut the connection anyway.
				select {
				case <-ls.sess.Context().Done():
				case <-time.After(5 * time.Second):
					closeConn(ls.sess)
				}
			}(ls)
		}
	}
}

// closeConn ends the whole SSH connection, not only the session channel:
// a revoked key must not open another session on it.
func closeConn(sess ssh.Session) {
	if c, ok := sess.Context().Value(ssh.ContextKeyConn).(gossh.Conn); ok {
		_ = c.Close()
	}
}
