package tui

import (
	tea "charm.land/bubbletea/v2"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// waitOn waits until cond holds: the driver's until, with what it waits
// for first, as these tests read.
func waitOn(d *driver, what string, cond func() bool) {
	d.t.Helper()
	d.until(cond, what)
}

func (d *driver) onScreen(subs ...string) func() bool {
	return func() bool {
		s := d.screen()
		for _, sub := range subs {
			if !strings.Contains(s, sub) {
				return false
			}
		}
		return true
	}
}

func (d *driver) thread(ext string) inbox.Thread {
	d.t.Helper()
	th, err := d.svc.Open(context.Background(), d.conv(ext).ID)
	if err != nil {
		d.t.Fatal(err)
	}
	return th
}

// The bug that sent "Hallo Lotte, fast typing testHi Ava, we're really
// sorry…": a leftover draft at the cursor with a saved reply glued on. The
// composer now says the text is an old draft, and a saved reply asks
// whether to replace it or add it after a blank line.
func TestOldDraftIsMarkedAndSavedReplyIsNeverGlued(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "sorry.txt"), []byte("Hi {{first_name}}, we're really sorry your order is late."), 0o600)
	d := newDriver(t, func(o *Options) { o.RepliesDir = dir }, threeConvs()...)
	d.key("j", "r")
	d.typeText("fast typing test")
	d.key("esc")
	waitOn(d, "the draft saved", func() bool { return d.thread("a").DraftBody("ann") == "fast typing test" })
	d.key("r")
	waitOn(d, "the old draft marked", d.onScreen("this is your unsent draft", "ctrl+x to discard"))
	d.key("ctrl+r")
	waitOn(d, "the saved replies", d.onScreen("Saved replies", "sorry"))
	d.key("enter")
	waitOn(d, "the question", d.onScreen("The reply already has text", "replace your text", "add it after your text"))
	d.key("r")
	waitOn(d, "the text replaced", func() bool {
		return d.m.conv.composer.value() == "Hi Alice, we're really sorry your order is late."
	})
	d.key("ctrl+x")
	waitOn(d, "the draft discarded", func() bool { return d.m.conv.composer == nil && len(d.thread("a").Drafts) == 0 })
	d.wantScreen("draft discarded")
	d.key("u")
	waitOn(d, "the discarded draft back in the composer", func() bool {
		return d.m.conv.composer != nil && d.m.conv.composer.value() == "Hi Alice, we're really sorry your order is late."
	})
	// Add after: a blank line between, never glued.
	d.typeText(" Thanks!")
	d.key("ctrl+r")
	waitOn(d, "the saved replies", d.onScreen("Saved replies"))
	d.key("enter")
	waitOn(d, "the question", d.onScreen("The reply already has text"))
	d.key("a")
	waitOn(d, "the reply added after a blank line", func() bool {
		return d.m.conv.composer.value() == "Hi Alice, we're really sorry your order is late. Thanks!\n\nHi Alice, we're really sorry your order is late."
	})
}

// Bob never gets Ann's unsent text in his composer: he sees it, read-only,
// with her name.
func TestAnothersDraftIsReadOnly(t *testing.T) {
	d := newDriver(t, nil, threeConvs()...)
	d.key("j", "r")
	d.typeText("Ann was here")
	d.key("esc")
	waitOn(d, "Ann's draft saved", func() bool { return d.thread("a").DraftBody("ann") == "Ann was here" })
	bob := d.peer("bob")
	bob.key("j", "enter")
	waitOn(bob, "Ann's draft shown to Bob", bob.onScreen("ann's unsent draft", "read-only", "Ann was here"))
	bob.key("r")
	waitOn(bob, "Bob's composer", func() bool { return bob.m.conv.composer != nil && bob.m.conv.composer.seen >= 0 })
	if v := bob.m.conv.composer.value(); v != "" {
		t.Fatalf("Bob's composer opened with %q", v)
	}
}

// Ann and Bob both write to the same customer; Ann sends first. Bob's send
// stops and shows Ann's reply; enter does not override, n keeps his text,
// y sends it after all.
func TestSecondReplyIsStoppedAtSendTime(t *testing.T) {
	ann := newDriver(t, nil, threeConvs()...)
	bob := ann.peer("bob")
	ann.key("j")
	bob.key("j")
	composeAnyway(ann)
	composeAnyway(bob)
	ann.typeText("Sorry Alice, it ships today.")
	bob.typeText("Hi Alice, let me check.")
	ann.key("ctrl+s")
	waitOn(ann, "Ann's reply queued", func() bool { return ann.m.conv.composer == nil })
	bob.key("ctrl+s")
	waitOn(bob, "Bob stopped", bob.onScreen("Not sent: ann replied", "Sorry Alice, it ships today.", "Send yours anyway?"))
	bob.key("enter") // habit must not send
	if bob.m.overlay == nil {
		t.Fatal("enter answered the question")
	}
	bob.key("n")
	if c := bob.m.conv.composer; c == nil || c.value() != "Hi Alice, let me check." {
		t.Fatalf("Bob's text after n: %+v", c)
	}
	outs := func() (n int) {
		for _, m := range ann.thread("a").Messages {
			if m.Direction == inbox.Out {
				n++
			}
		}
		return n
	}
	if n := outs(); n != 1 {
		t.Fatalf("%d replies after the conflict, want 1", n)
	}
	bob.key("ctrl+s")
	waitOn(bob, "asked again", bob.onScreen("Send yours anyway?"))
	bob.key("y")
	waitOn(bob, "Bob's reply queued", func() bool { return bob.m.conv.composer == nil })
	if n := outs(); n != 2 {
		t.Fatalf("%d replies after y, want 2", n)
	}
}

// composeAnyway presses r and, if the other manager is already writing
// (presence may or may not have arrived yet), answers y: the send-time
// check is what this test is about.
func composeAnyway(d *driver) {
	d.t.Helper()
	d.key("r")
	waitOn(d, "the composer or the presence question", func() bool {
		return d.m.overlay != nil || (d.m.conv != nil && d.m.conv.composer != nil)
	})
	if d.m.overlay != nil {
		d.key("y")
	}
	waitOn(d, "the composer ready", func() bool {
		return d.m.conv != nil && d.m.conv.composer != nil && d.m.conv.composer.seen >= 0
	})
}

// A held reply counts down and u takes it back into the composer; nothing
// was claimed for the network.
func TestUndoSendWithinTheHold(t *testing.T) {
	d := newDriverService(t, inbox.Options{ReplyMarksDone: true, SendHold: time.Hour}, nil, threeConvs()...)
	d.key("j", "r")
	waitOn(d, "composer ready", func() bool { return d.m.conv.composer != nil && d.m.conv.composer.seen >= 0 })
	d.typeText("Refund sent!")
	d.key("ctrl+s")
	waitOn(d, "the countdown", d.onScreen("sending in", "u takes it back"))
	d.key("u")
	waitOn(d, "the send cancelled and the text back", func() bool {
		return d.m.conv.composer != nil && d.m.conv.composer.value() == "Refund sent!"
	})
	d.wantScreen("send cancelled, nothing reached the network")
	if es, _ := d.svc.ClaimOutbox(context.Background(), 10); len(es) != 0 {
		t.Fatalf("outbox after undo: %+v", es)
	}
}

// The composer says who will read the reply and counts against the
// network's limit; over it, ctrl+s refuses and keeps the text.
func TestComposerShowsAudienceAndRefusesOverTheLimit(t *testing.T) {
	d := newDriver(t, nil, threeConvs()...)
	d.svc.SetLimits(func(int64, inbox.Kind) inbox.TextLimit { return inbox.TextLimit{Max: 10, Unit: inbox.CountGraphemes} })
	d.key("j", "r")
	waitOn(d, "the audience", d.onScreen("public reply on demo-facebook · visible to everyone", "0/10"))
	d.typeText("Sorry 😡😡😡!")
	waitOn(d, "the counter", d.onScreen("10/10"))
	d.typeText("!")
	waitOn(d, "over the limit", d.onScreen("11/10 — 1 over demo-facebook's limit"))
	d.key("ctrl+s")
	waitOn(d, "the refusal", d.onScreen("too long for demo-facebook"))
	if c := d.m.conv.composer; c == nil || c.value() != "Sorry 😡😡😡!!" {
		t.Fatal("the composer closed or lost the text")
	}
	if n := len(d.thread("a").Messages); n != 1 {
		t.Fatalf("%d messages: something was queued", n)
	}
}

// r with several conversations selected does not reply to just one.
func TestBulkReplyIsRefused(t *testing.T) {
	d := newDriver(t, nil, threeConvs()...)
	d.key("space", "space", "r")
	waitOn(d, "the refusal", d.onScreen("r answers one conversation at a time and 2 are selected"))
	if d.m.conv != nil {
		t.Fatal("a conversation was opened")
	}
}

// On a review the business can only delete its own answer, and the
// moderation menu says so instead of "delete the comment".
func TestReviewModerationDeletesOnlyOurAnswer(t *testing.T) {
	d := newDriver(t, nil, threeConvs()...)
	d.svc.SetModeration(func(int64) []inbox.ActionKind { return []inbox.ActionKind{inbox.ActionDelete} })
	d.key("m") // the 1-star review is first in the Inbox
	d.untilScreen("delete our public answer to this review")
	d.key("enter")
	d.untilScreen("Delete our answer to this review?")
}

// On a short terminal the composer shrinks so the message being answered
// stays on screen.
func TestComposerLeavesTheMessageInViewWhenShort(t *testing.T) {
	d := newDriver(t, nil, threeConvs()...)
	d.process(tea.WindowSizeMsg{Width: 50, Height: 12})
	d.key("j", "r")
	d.untilScreen("Where is my order?", "Write a reply")
	if lines := strings.Count(d.screen(), "\n") + 1; lines > 12 {
		t.Fatalf("%d lines on a 12-line terminal", lines)
	}
}
