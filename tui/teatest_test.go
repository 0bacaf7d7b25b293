package tui

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
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
	wait := waiter(t, tm)
	wait("Mallory")
	tm.Send(tea.KeyPressMsg{Code: 'j', Text: "j"})
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	wait("Where is my order?")
	tm.Send(tea.KeyPressMsg{Code: 'r', Text: "r"})
	wait("rite a reply") // the cursor cell splits the first letter off
	tm.Type("On its way")
	tm.Send(tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl})
	// The renderer writes only changed cells, so later steps check the
	// store: a run of bytes in the output can be split by cursor moves.
	eventually(t, "the reply queued", func() bool { return d.conv("a").Queued == 1 })
	// Two escapes reach the list whether or not the program has closed the
	// composer yet: one closes it if it is still open, the other (or the
	// only one needed) leaves the conversation; esc on the list does nothing.
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	tm.Send(tea.KeyPressMsg{Code: 'g', Text: "g"})
	tm.Send(tea.KeyPressMsg{Code: 'd', Text: "d"})
	eventually(t, "the review marked done", func() bool { return d.conv("rev").State == inbox.StateDone })
	tm.Send(tea.KeyPressMsg{Code: 'u', Text: "u"})
	eventually(t, "undo reopened the review", func() bool { return d.conv("rev").State == inbox.StateOpen })
	tm.Send(tea.KeyPressMsg{Code: 'q', Text: "q"})
	tm.WaitFinished(t, teatest.WithFinalTimeout(waitLimit))

	ctx := context.Background()
	th, _ := d.svc.Open(ctx, d.conv("a").ID)
	if last := th.Messages[len(th.Messages)-1]; last.Text != "On its way" || last.Direction != inbox.Out {
		t.Fatalf("reply not stored: %+v", last)
	}
	if d.conv("rev").State != inbox.StateOpen {
		t.Fatal("undo did not reopen the review")
	}
}

// ctrl+e hands the draft to $EDITOR and takes back what it saved.
func TestComposeInEditor(t *testing.T) {
	dir := t.TempDir()
	editor := filepath.Join(dir, "fake-editor")
	// Appends to what parley put in the file, as a person would.
	script := "#!/bin/sh\nprintf ' and more from the editor\\n' >> \"$1\"\n"
	if err := os.WriteFile(editor, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	// Run through /bin/sh rather than executed directly: a script file
	// just written can still be held open by a concurrent fork (ETXTBSY).
	d := newDriver(t, func(o *Options) { o.Editor = "sh " + editor }, threeConvs()...)
	m, err := New(d.m.opt)
	if err != nil {
		t.Fatal(err)
	}
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 30),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
	wait := waiter(t, tm)
	wait("Mallory")
	tm.Send(tea.KeyPressMsg{Code: 'j', Text: "j"})
	tm.Send(tea.KeyPressMsg{Code: 'r', Text: "r"})
	wait("rite a reply")
	tm.Type("typed here")
	tm.Send(tea.KeyPressMsg{Code: 'e', Mod: tea.ModCtrl})
	// The renderer writes cell differences, so text on screen need not
	// appear as one run of bytes in the output: wait on the store instead,
	// which the composer saves the editor's text to.
	id := d.conv("a").ID
	thread := func() inbox.Thread {
		th, _ := d.svc.Open(context.Background(), id)
		return th
	}
	eventually(t, "the editor's text saved as the draft", func() bool {
		return thread().DraftBody(d.m.opt.User) == "typed here and more from the editor"
	})
	tm.Send(tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl})
	eventually(t, "the reply queued", func() bool {
		ms := thread().Messages
		return len(ms) > 0 && ms[len(ms)-1].Direction == inbox.Out
	})
	tm.Send(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl})
	tm.WaitFinished(t, teatest.WithFinalTimeout(waitLimit))
	th := thread()
	if last := th.Messages[len(th.Messages)-1]; last.Text != "typed here and more from the editor" {
		t.Fatalf("reply = %q", last.Text)
	}
}

// waiter waits for text in a program's output stream.
func waiter(t *testing.T, tm *teatest.TestModel) func(string) {
	return func(s string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(s)) },
			teatest.WithDuration(waitLimit), teatest.WithCheckInterval(20*time.Millisecond))
	}
}

// eventually waits for state that another goroutine (here a running
// program) changes, checking it often and failing only a stuck test.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(waitLimit)
	defer deadline.Stop()
	poll := time.NewTicker(10 * time.Millisecond)
	defer poll.Stop()
	for !cond() {
		select {
		case <-poll.C:
		case <-deadline.C:
			t.Fatalf("%s: not so after %v", what, waitLimit)
		}
	}
}
