package tui

import (
	"bytes"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"
)

func TestCOLORFGBG(t *testing.T) {
	for v, want := range map[string][2]bool{"15;0": {true, true}, "0;15": {false, true}, "default;default;0": {true, true}, "12;7": {false, true},
		"": {false, false}, "x": {false, false}, "0;99": {false, false}} {
		dark, ok := darkFromCOLORFGBG(v)
		if [2]bool{dark, ok} != want {
			t.Errorf("COLORFGBG=%q: dark %v ok %v, want %v", v, dark, ok, want)
		}
	}
	d := newDriver(t, nil, threeConvs()...)
	d.process(tea.EnvMsg{"COLORFGBG=0;15"})
	if d.m.st.IsDark {
		t.Fatal("COLORFGBG=0;15 (light background) ignored")
	}
	d.process(tea.BackgroundColorMsg{Color: lipgloss.Color("#000000")})
	if !d.m.st.IsDark {
		t.Fatal("the terminal's answer must win over COLORFGBG")
	}
	d.process(tea.EnvMsg{"COLORFGBG=0;15"})
	if !d.m.st.IsDark {
		t.Fatal("COLORFGBG overrode the terminal's answer")
	}
}

// NO_COLOR reaches the program's colour profile: no colour sequences at
// all, while the same run without it has them (TTY_FORCE stands in for a terminal).
func TestNoColor(t *testing.T) {
	run := func(env ...string) []byte {
		d := newDriver(t, nil, threeConvs()...)
		m, err := New(d.m.opt)
		if err != nil {
			t.Fatal(err)
		}
		tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(100, 24),
			teatest.WithProgramOptions(tea.WithEnvironment(append([]string{"TERM=xterm-256color", "TTY_FORCE=1"}, env...))))
		var out []byte
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool { out = append(out[:0], b...); return bytes.Contains(b, []byte("Mallory")) },
			teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
		tm.Send(tea.KeyPressMsg{Code: 'q', Text: "q"})
		tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
		return out
	}
	colour := func(b []byte) bool {
		return bytes.Contains(b, []byte("\x1b[38;")) || bytes.Contains(b, []byte("\x1b[48;"))
	}
	if !colour(run()) {
		t.Fatal("no colours even when forced: the test proves nothing")
	}
	if out := run("NO_COLOR=1"); colour(out) {
		t.Fatalf("NO_COLOR=1 still draws colours: %q", out)
	}
}
