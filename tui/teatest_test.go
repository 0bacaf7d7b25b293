package tui

import (
	"bytes"
	"context"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/parleyhq/parley/inbox"
)

// End to end through a real Bubble Tea program: open a conversation, reply,
// go back, mark another done, undo it, quit.
func TestProgramEndToEnd(t *testing.T) {
	d := newDriver(t, nil, threeConvs()...)
	m, err := New(d.m.opt)
	if err != nil {
		t.Fatal(err)
	}
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 30),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
	wait := func(s string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(s)) },
			teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
	}
	wait("Mallory")
	tm.Send(tea.KeyPressMsg{Code: 'j', Text: "j"})
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	wait("Where is my order?")
	tm.Send(tea.KeyPressMsg{Code: 'r', Text: "r"})
	wait("rite a reply") // the cursor cell splits the first letter off
	tm.Type("On its way")
	tm.Send(tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl})
	wait("queued")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	tm.Send(tea.KeyPressMsg{Code: 'g', Text: "g"})
	tm.Send(tea.KeyPressMsg{Code: 'd', Text: "d"})
	wait("done — u to und") // the last column is written apart
	tm.Send(tea.KeyPressMsg{Code: 'u', Text: "u"})
	// The renderer writes only changed cells, so check the store, not the screen.
	for deadline := time.Now().Add(5 * time.Second); d.conv("rev").State != inbox.StateOpen && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	tm.Send(tea.KeyPressMsg{Code: 'q', Text: "q"})
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))

	ctx := context.Background()
	th, _ := d.svc.Open(ctx, d.conv("a").ID)
	if last := th.Messages[len(th.Messages)-1]; last.Text != "On its way" || last.Direction != inbox.Out {
		t.Fatalf("reply not stored: %+v", last)
	}
	if d.conv("rev").State != inbox.StateOpen {
		t.Fatal("undo did not reopen the review")
	}
}
