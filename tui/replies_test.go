package tui

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The saved replies pane previews with the customer's values, picks the
// variant for the conversation's language, and creates, edits and deletes
// the files.
func TestSavedRepliesManagedThroughTheTUI(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "sorry.txt"), []byte("Sorry {{first_name}}, we're on it."), 0o600)
	os.WriteFile(filepath.Join(dir, "sorry.nl.txt"), []byte("Sorry {{first_name}}, we zoeken het uit."), 0o600)
	items := threeConvs()
	items[0].Message.Lang = "nl" // Alice writes Dutch
	d := newDriver(t, func(o *Options) { o.RepliesDir = dir }, items...)
	d.key("j", "r")
	d.until(func() bool { return d.m.conv != nil && d.m.conv.thread != nil && d.m.conv.composer != nil }, "the composer")
	d.key("ctrl+r")
	d.untilScreen("Saved replies", "sorry · nl  ← for this conversation", "Preview for Alice", "Sorry Alice, we zoeken het uit.")
	d.key("enter")
	d.until(func() bool { return d.m.conv.composer.value() == "Sorry Alice, we zoeken het uit." }, "the Dutch variant inserted")

	// Manage from the conversation: a new reply, previewed for Alice.
	d.key("esc")
	d.until(func() bool { return d.m.conv != nil && d.m.conv.composer == nil }, "the composer closed")
	d.key("C")
	d.untilScreen("Saved replies", "e edit · n new")
	d.key("n")
	d.untilScreen("New saved reply")
	d.typeText("thanks")
	d.key("enter")
	d.untilScreen("Saved reply thanks.txt", "ctrl+s save")
	d.typeText("Thanks {{first_name}}!")
	d.key("ctrl+s")
	d.untilScreen("saved thanks.txt")
	if b, err := os.ReadFile(filepath.Join(dir, "thanks.txt")); err != nil || string(b) != "Thanks {{first_name}}!\n" {
		t.Fatalf("thanks.txt: %q %v", b, err)
	}
	// Edit it: the pane stays on the reply just saved.
	d.untilScreen("› thanks", "Thanks Alice!")
	d.key("e")
	d.untilScreen("Saved reply thanks.txt")
	d.typeText(" Bye")
	d.key("ctrl+s")
	d.until(func() bool {
		b, _ := os.ReadFile(filepath.Join(dir, "thanks.txt"))
		return string(b) == "Thanks {{first_name}}! Bye\n" && strings.Contains(d.screen(), "Thanks Alice! Bye")
	}, "the edit saved")
	// Delete asks first; no keeps the file.
	d.key("D")
	d.untilScreen("Delete the saved reply thanks.txt?")
	d.key("n")
	if _, err := os.Stat(filepath.Join(dir, "thanks.txt")); err != nil {
		t.Fatalf("declined delete removed the file: %v", err)
	}
	d.key("C", "down", "D")
	d.untilScreen("Delete the saved reply thanks.txt?")
	d.key("y")
	d.untilScreen("deleted thanks.txt")
	if _, err := os.Stat(filepath.Join(dir, "thanks.txt")); !os.IsNotExist(err) {
		t.Fatalf("thanks.txt still there: %v", err)
	}
	// A bad name is refused with what to do.
	d.key("n")
	d.typeText("../evil")
	d.key("enter")
	d.untilScreen("use letters, digits")
}

// ctrl+e in the saved-reply editor goes through the composer's $EDITOR
// flow: the text goes to a private temp file, and what the editor leaves
// comes back into the box, saved with ctrl+s. The editor itself is
// simulated: the test writes the file and delivers the done message
// ExecProcess would.
func TestSavedReplyEditedInEditor(t *testing.T) {
	dir, tmp := t.TempDir(), t.TempDir()
	t.Setenv("TMPDIR", tmp)
	os.WriteFile(filepath.Join(dir, "sorry.txt"), []byte("Sorry {{first_name}}."), 0o600)
	d := newDriver(t, func(o *Options) { o.RepliesDir, o.Editor = dir, "vi" }, threeConvs()...)
	d.key("C")
	d.untilScreen("Saved replies", "› sorry")
	d.key("e")
	d.untilScreen("Saved reply sorry.txt", "ctrl+e $EDITOR")
	ed := d.m.overlay.(*replyEditor)
	d.key("ctrl+e")
	files, _ := filepath.Glob(filepath.Join(tmp, "parley-reply-*.txt"))
	if len(files) != 1 {
		t.Fatalf("temp files: %v", files)
	}
	if b, _ := os.ReadFile(files[0]); string(b) != "Sorry {{first_name}}." {
		t.Fatalf("the editor was given %q", b)
	}
	// The editor fails: nothing changes, the file is gone.
	d.process(editorDoneMsg{path: files[0], err: errors.New("exit status 1"), then: ed.fromEditor})
	d.settle()
	d.wantScreen("the editor exited: exit status 1 (nothing changed)")
	if d.m.overlay != ed || ed.ta.Value() != "Sorry {{first_name}}." {
		t.Fatalf("changed after a failed editor: %q", ed.ta.Value())
	}
	if _, err := os.Stat(files[0]); !os.IsNotExist(err) {
		t.Fatalf("temp file left: %v", err)
	}
	// Again, and the editor writes a second line.
	d.key("ctrl+e")
	files, _ = filepath.Glob(filepath.Join(tmp, "parley-reply-*.txt"))
	if len(files) != 1 {
		t.Fatalf("temp files: %v", files)
	}
	os.WriteFile(files[0], []byte("Sorry {{first_name}}.\nWe will call you today.\n"), 0o600)
	d.process(editorDoneMsg{path: files[0], then: ed.fromEditor})
	d.untilScreen("edited in $EDITOR — ctrl+s saves", "We will call you today.")
	d.key("ctrl+s")
	d.until(func() bool {
		b, _ := os.ReadFile(filepath.Join(dir, "sorry.txt"))
		return string(b) == "Sorry {{first_name}}.\nWe will call you today.\n"
	}, "the edit saved")
	if _, err := os.Stat(files[0]); !os.IsNotExist(err) {
		t.Fatalf("temp file left: %v", err)
	}
}

// Without an editor configured, ctrl+e says so and leaves no file.
func TestSavedReplyEditorWithoutEditor(t *testing.T) {
	dir, tmp := t.TempDir(), t.TempDir()
	t.Setenv("TMPDIR", tmp)
	os.WriteFile(filepath.Join(dir, "sorry.txt"), []byte("Sorry."), 0o600)
	d := newDriver(t, func(o *Options) { o.RepliesDir, o.Editor = dir, "" }, threeConvs()...)
	d.key("C", "e", "ctrl+e")
	d.untilScreen("no $EDITOR available here")
	if files, _ := filepath.Glob(filepath.Join(tmp, "*")); len(files) != 0 {
		t.Fatalf("left behind: %v", files)
	}
}
