package server

import (
	"image/color"
	"io"
	"strings"
	"testing"
)

// openSilent is open with a terminal that answers no queries (as many do
// not answer the background-colour one) and sends env to the server, as
// `ssh -o SetEnv=…` or SendEnv does.
func (f *fixture) openSilent(name string, w, h int, env map[string]string) *term {
	f.t.Helper()
	s, err := f.client(name)
	if err != nil {
		f.t.Fatal(err)
	}
	for k, v := range env {
		if err := s.Setenv(k, v); err != nil {
			f.t.Fatal(err)
		}
	}
	if err := s.RequestPty("xterm-256color", h, w, nil); err != nil {
		f.t.Fatal(err)
	}
	tm := newTerm(f.t, w, h)
	tm.sess = s
	tm.in, _ = s.StdinPipe()
	s.Stdout = tm
	go io.Copy(io.Discard, tm.emu) // the queries go unanswered
	if err := s.Shell(); err != nil {
		f.t.Fatal(err)
	}
	go func() { tm.done <- s.Wait() }()
	return tm
}

// selectedBg is the background of the cursor's row, once it is drawn.
func (tm *term) selectedBg() color.Color {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	for y, line := range strings.Split(tm.emu.String(), "\n") {
		if strings.HasPrefix(line, "› ") {
			if c := tm.emu.CellAt(tm.emu.Width()-1, y); c != nil {
				return c.Style.Bg
			}
		}
	}
	return nil
}

func light(c color.Color) bool {
	r, g, b, _ := c.RGBA()
	return (r+g+b)/3 > 0x8000
}

// The client's COLORFGBG reaches the session's theme when its terminal
// does not answer the background query: a light terminal gets the light
// styles over SSH as it does locally.
func TestColorFGBGOverSSH(t *testing.T) {
	f := setup(t, "ann")
	for _, tc := range []struct {
		fgbg  string
		light bool
	}{{"0;15", true}, {"15;0", false}} {
		tm := f.openSilent("ann", 100, 30, map[string]string{"COLORFGBG": tc.fgbg, "COLORTERM": "truecolor"})
		tm.waitFor("Inbox", "Alice")
		// The first frame may come before the environment is read: wait
		// for the theme it asks for (a session that ignores it never gets
		// there).
		tm.waitUntil("the theme COLORFGBG="+tc.fgbg+" asks for", func() bool {
			bg := tm.selectedBg()
			return bg != nil && light(bg) == tc.light
		})
		tm.send("q")
		<-tm.done
	}
}
