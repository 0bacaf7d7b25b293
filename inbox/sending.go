package inbox

import (
	"fmt"
	"strings"
	"time"

	"github.com/parleyhq/parley/inbox/sanitize"
)

// Draft is one manager's unsent text for one conversation. Drafts are never
// shared: another manager's draft is shown to you read-only, with its owner.
type Draft struct {
	Owner     string // the manager's name; "" for a draft saved before drafts had owners
	Body      string
	UpdatedAt time.Time
}

// DraftOf returns user's own draft in the thread.
func (th Thread) DraftOf(user string) (Draft, bool) {
	for _, d := range th.Drafts {
		if d.Owner == user {
			return d, true
		}
	}
	return Draft{}, false
}

// DraftBody is user's draft text, "" when they have none.
func (th Thread) DraftBody(user string) string {
	d, _ := th.DraftOf(user)
	return d.Body
}

// OthersDrafts are the drafts of everyone but user, newest first.
func (th Thread) OthersDrafts(user string) []Draft {
	var out []Draft
	for _, d := range th.Drafts {
		if d.Owner != user {
			out = append(out, d)
		}
	}
	return out
}

// ReplyRequest is a reply a manager asks to send.
type ReplyRequest struct {
	Actor        string
	Conversation int64
	Body         string
	// Seen is the thread's OutSeq when the manager started writing: a
	// reply stored after it, by anyone, stops the send.
	Seen int64
	// Force sends even though someone replied since Seen (the manager saw
	// that reply and said yes).
	Force bool
}

// ReplyConflict says someone else replied (or started sending) while the
// manager was writing: the send stopped and nothing was queued.
type ReplyConflict struct {
	By   string // who sent it (a manager's name, or the network account)
	At   time.Time
	Text string
	// Withdrawn: the reply that moved the conversation on was queued and
	// then taken back (undo); there is nothing to read, but something
	// happened while the manager was writing.
	Withdrawn bool
	// Seq is the conversation's OutSeq now: send again with Seen = Seq to
	// go ahead.
	Seq int64
}

func (e *ReplyConflict) Error() string {
	if e.Withdrawn {
		return "someone queued a reply here while you were writing and then took it back"
	}
	who := e.By
	if who == "" {
		who = "someone"
	}
	text := []rune(sanitize.Line(e.Text))
	if len(text) > 80 {
		text = append(text[:80], '…')
	}
	return fmt.Sprintf("%s replied %s ago: %s", who, Ago(time.Since(e.At)), string(text))
}

// Is makes errors.Is(err, ErrConflict) true.
func (e *ReplyConflict) Is(target error) bool { return target == ErrConflict }

// Ago is a short duration for people: "20s", "3m", "2h", "4d".
func Ago(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", max(int(d.Seconds()), 0))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}

// Undone says what an undo reverted, for the manager to read.
type Undone struct {
	Conversations []int64
	Action        string // the journal action undone: done, tag, reply, discard draft…
	// Notes say what else happened: a send cancelled and its draft restored,
	// a reply that had already gone out, a retraction sent.
	Notes []string
	// Restored is the conversation whose draft came back (0: none), so the
	// TUI can reopen the composer on it.
	Restored int64
}

// Describe is the one line the TUI shows after an undo.
func (u Undone) Describe() string {
	s := "undid " + u.Action
	if n := len(u.Conversations); n > 1 {
		s += fmt.Sprintf(" on %d conversations", n)
	}
	if len(u.Notes) > 0 {
		s += " — " + strings.Join(u.Notes, "; ")
	}
	return s
}

// Audience is who will see a reply, for the composer's header: a public
// reply is read by everyone, a private one by the customer alone, and some
// private ones only within the platform's window.
func Audience(c Conversation, network string, windowCloses, now time.Time) string {
	switch c.Kind {
	case KindDM:
		s := "private message · " + network
		if !windowCloses.IsZero() {
			if left := windowCloses.Sub(now); left > 0 {
				s += " · reply window closes in " + Ago(left)
			} else {
				s += " · reply window closed"
			}
		}
		return s
	case KindReview:
		return "public answer to a review on " + network + " · visible to everyone"
	case KindMention:
		return "public reply to a mention on " + network + " · visible to everyone"
	}
	return "public reply on " + network + " · visible to everyone"
}
