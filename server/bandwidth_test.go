package server

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
)

func (f *fixture) fill(n int) {
	now := time.Now()
	var items []inbox.Inbound
	for i := 0; i < n; i++ {
		items = append(items, inbox.Inbound{ConversationID: fmt.Sprintf("f-%d", i), Kind: inbox.KindDM, Message: inbox.Message{
			ExternalID: fmt.Sprintf("fm-%d", i), Text: fmt.Sprintf("Customer message number %d about an order that is late", i),
			CreatedAt: now.Add(-time.Duration(n-i) * time.Minute), Author: inbox.Author{ID: fmt.Sprint(i), Name: fmt.Sprintf("Person %03d", i)}}})
	}
	if err := f.svc.Ingest(context.Background(), f.acc.ID, inbox.Batch{Items: items}); err != nil {
		f.t.Fatal(err)
	}
}

// TestBandwidth measures what the server writes to one session: the first
// Inbox frame at 160×48, and moving the selection down one row. The
// renderer sends only changed cells, so a move must stay under 1 KB.
// Figures go to BENCHMARKS.md (go test ./server -run Bandwidth -v).
func TestBandwidth(t *testing.T) {
	f := setup(t, "ann")
	f.fill(100)
	tm := f.open("ann", 160, 48)
	// The first frame is complete when the rows, the view counts and the
	// account's status are on screen (they come as separate answers), and
	// the cursor row is painted to its end.
	tm.waitFor("Person 000", "1 Inbox 103", "● fb")
	tm.waitUntil("the cursor on Alice", tm.onlySelected("Alice"))
	first := tm.bytes()
	// The last rows of the page are drawn only with the first move (they
	// may come in a frame of their own), so the first move waits for them.
	tm.send("j")
	tm.waitUntil("the cursor on Bob", tm.onlySelected("Bob"))
	tm.waitFor("Person 041")
	move := tm.bytes() - first
	tm.send("j")
	tm.waitUntil("the cursor on Person 000", tm.onlySelected("Person 000"))
	move2 := tm.bytes() - first - move
	t.Logf("first Inbox frame at 160×48: %d bytes; move down one row: %d bytes, then %d bytes", first, move, move2)
	if move >= 1024 || move2 >= 1024 {
		t.Fatalf("moving one row wrote %d/%d bytes; want < 1024", move, move2)
	}
	if first < 160*10 {
		t.Fatalf("first frame only %d bytes: did it render?", first)
	}
}

// TestRealOpenSSHClient drives the server with the system's ssh client, as
// a manager would: log in with a key, move, open, reply, quit.
func TestRealOpenSSHClient(t *testing.T) {
	sshBin, err := exec.LookPath("ssh")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("ssh client missing in CI: .ci/run installs openssh-client")
		}
		t.Skip("no ssh client on this machine")
	}
	f := setup(t, "ann")
	host, port, _ := strings.Cut(f.addr, ":")
	args := []string{sshBin, "-tt", "-i", f.keyFile["ann"], "-p", port,
		"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
		"-o", "IdentitiesOnly=yes", "-o", "LogLevel=ERROR", "-o", "SetEnv=COLORTERM=truecolor", "ann@" + host}
	for i, a := range args {
		args[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	// ssh takes its window size from its own terminal: script(1) (util-linux,
	// essential on Debian) gives it one of 80×24.
	cmd := exec.Command("script", "-qfec", "stty cols 80 rows 24; exec "+strings.Join(args, " "), "/dev/null")
	tm := newTerm(t, 80, 24)
	emu := tm.emu
	stdin, _ := cmd.StdinPipe()
	tm.in = stdin
	cmd.Stdout = tm
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { tm.done <- cmd.Wait() }()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	go func() {
		buf := make([]byte, 256)
		for {
			n, err := emu.Read(buf)
			if err != nil {
				return
			}
			stdin.Write(buf[:n])
		}
	}()
	tm.waitFor("Inbox", "Alice")
	tm.send("j")
	tm.send("\r")
	tm.waitFor("Hello from Bob")
	tm.send("r")
	tm.waitFor(onComposer)
	tm.send("Thanks Bob!")
	tm.waitFor("Thanks Bob!")
	tm.send("\x13") // ctrl+s
	tm.waitFor("reply queued", onConv)
	tm.send("\x1b")
	tm.waitFor(onList)
	tm.send("q")
	select {
	case <-tm.done:
	case <-time.After(waitLimit):
		t.Fatal("ssh did not exit after q")
	}
	convs, _ := f.svc.List(context.Background(), inbox.Page{View: inbox.ViewAll, Limit: 10})
	found := false
	for _, c := range convs {
		th, _ := f.svc.Open(context.Background(), c.ID)
		for _, m := range th.Messages {
			found = found || (m.Text == "Thanks Bob!" && m.Direction == inbox.Out && m.Author.Name == "ann")
		}
	}
	if !found {
		t.Fatal("the reply typed over ssh was not stored under ann's name")
	}
}
