package sqlite

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
)

func thread(t *testing.T, s *Store, ext string) inbox.Thread {
	t.Helper()
	th, err := s.Thread(context.Background(), convByExt(t, s, ext).ID)
	if err != nil {
		t.Fatal(err)
	}
	return th
}

func TestEditKeepsPreviousTextAndIgnoresStaleSnapshots(t *testing.T) {
	s, acc := open(t)
	ingest(t, s, acc, "", in("a", "m1", t0, "the parcel is late"))
	edited := in("a", "m1", t0, "the parcel is very late")
	edited.Message.EditedAt = t0.Add(5 * time.Minute)
	ingest(t, s, acc, "", edited)
	ingest(t, s, acc, "", edited) // the same edit fetched again changes nothing
	// A page fetched before the edit (no edit time) must not undo it.
	ingest(t, s, acc, "", in("a", "m1", t0, "the parcel is late"))

	m := thread(t, s, "a").Messages[0]
	if m.Text != "the parcel is very late" || m.PreviousText != "the parcel is late" || !m.EditedAt.Equal(t0.Add(5*time.Minute)) {
		t.Fatalf("after edit: text %q, previous %q, edited %v", m.Text, m.PreviousText, m.EditedAt)
	}
	if c := convByExt(t, s, "a"); c.Preview != "the parcel is very late" || c.Messages != 1 {
		t.Fatalf("conversation after edit: preview %q, %d messages", c.Preview, c.Messages)
	}
	again := in("a", "m1", t0, "the parcel arrived, sorry")
	again.Message.EditedAt = t0.Add(10 * time.Minute)
	ingest(t, s, acc, "", again)
	m = thread(t, s, "a").Messages[0]
	if m.PreviousText != "the parcel is very late" || m.Text != "the parcel arrived, sorry" {
		t.Fatalf("second edit: text %q, previous %q", m.Text, m.PreviousText)
	}
	if got, _ := s.Search(context.Background(), "arrived", 10); len(got) != 1 {
		t.Fatalf("edited text not searchable: %v", ids(got))
	}
}

func TestDeletionsMarkStoredMessagesOnly(t *testing.T) {
	s, acc := open(t)
	ctx := context.Background()
	ingest(t, s, acc, "", in("a", "m1", t0, "rude words"), in("b", "m2", t0, "hello"))
	del := t0.Add(time.Hour)
	res, err := s.Ingest(ctx, acc, inbox.Batch{Cursor: "c2", Deletions: []inbox.Deletion{
		{ExternalID: "m1", At: del}, {ExternalID: "never-stored"}}}, t0.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	a := convByExt(t, s, "a")
	if len(res.Conversations) != 1 || res.Conversations[0] != a.ID {
		t.Fatalf("touched %v, want only %d", res.Conversations, a.ID)
	}
	m := thread(t, s, "a").Messages[0]
	if !m.Deleted() || !m.DeletedAt.Equal(del) || m.Text != "rude words" {
		t.Fatalf("deleted message: %+v", m)
	}
	// Deleted again later: the first time stays. A re-fetch of the message
	// (a stale page) does not bring it back.
	s.Ingest(ctx, acc, inbox.Batch{Cursor: "c3", Deletions: []inbox.Deletion{{ExternalID: "m1", At: del.Add(time.Hour)}}}, t0)
	ingest(t, s, acc, "c4", in("a", "m1", t0, "rude words"))
	if m := thread(t, s, "a").Messages[0]; !m.DeletedAt.Equal(del) {
		t.Fatalf("deletion time moved or cleared: %v", m.DeletedAt)
	}
	if m := thread(t, s, "b").Messages[0]; m.Deleted() {
		t.Fatal("another message was marked deleted")
	}
	// A message that arrives already deleted (the connector saw both).
	gone := in("c", "m3", t0, "posted and removed")
	gone.Message.DeletedAt = del
	ingest(t, s, acc, "c5", gone)
	if m := thread(t, s, "c").Messages[0]; !m.DeletedAt.Equal(del) {
		t.Fatalf("inline deletion not stored: %+v", m)
	}
}

func TestAttachmentsAndPollsRoundTrip(t *testing.T) {
	s, acc := open(t)
	img := in("a", "m1", t0, "")
	img.Message.Attachments = []inbox.Attachment{
		{Kind: inbox.AttachImage, URL: "https://files.example/1.png", PreviewURL: "https://files.example/1s.png",
			Description: "a crushed parcel", Width: 1200, Height: 800},
		{Kind: inbox.AttachVideo, URL: "https://files.example/2.mp4"},
	}
	ingest(t, s, acc, "", img)
	if c := convByExt(t, s, "a"); c.Preview != "[image: a crushed parcel]" {
		t.Fatalf("image-only preview = %q", c.Preview)
	}
	m := thread(t, s, "a").Messages[0]
	if len(m.Attachments) != 2 || m.Attachments[0] != img.Message.Attachments[0] || m.Attachments[1].Kind != inbox.AttachVideo {
		t.Fatalf("attachments = %+v", m.Attachments)
	}

	poll := in("b", "m2", t0, "Which roast next?")
	poll.Message.Poll = &inbox.Poll{Options: []inbox.PollOption{{Title: "Dark", Votes: 3}, {Title: "Light", Votes: 1}}, ExpiresAt: t0.Add(24 * time.Hour)}
	ingest(t, s, acc, "", poll)
	// Votes change without an edit: the poll is updated, no edit shows.
	poll.Message.Poll = &inbox.Poll{Options: []inbox.PollOption{{Title: "Dark", Votes: 7}, {Title: "Light", Votes: 2}}, ExpiresAt: t0.Add(24 * time.Hour), Voters: 9}
	ingest(t, s, acc, "", poll)
	m = thread(t, s, "b").Messages[0]
	if m.Poll == nil || m.Poll.Options[0].Votes != 7 || m.Poll.Voters != 9 || !m.Poll.ExpiresAt.Equal(t0.Add(24*time.Hour)) || m.Edited() {
		t.Fatalf("poll = %+v, edited %v", m.Poll, m.EditedAt)
	}
	if m := thread(t, s, "a").Messages[0]; m.Poll != nil {
		t.Fatalf("message without a poll has one: %+v", m.Poll)
	}
}

func TestServiceSanitisesExtrasAndRefusesReplyToDeleted(t *testing.T) {
	s, acc := open(t)
	ctx := context.Background()
	svc := inbox.NewService(s, inbox.Options{ReplyMarksDone: true, Now: func() time.Time { return t0.Add(time.Hour) }})
	hostile := in("a", "m1", t0, "look")
	hostile.Message.PreviousText = "old\x1b]0;pwned\x07"
	hostile.Message.EditedAt = t0
	hostile.Message.Attachments = []inbox.Attachment{{Kind: "Image\x1b[31m", URL: "https://x.example/\x1b[2Ja.png",
		Description: "alt \u202etext\x1b]8;;https://evil.example\x07", Width: -5}}
	hostile.Message.Poll = &inbox.Poll{Options: []inbox.PollOption{{Title: "yes\x1b[1m", Votes: -3}}}
	if err := svc.Ingest(ctx, acc, inbox.Batch{Items: []inbox.Inbound{hostile}}); err != nil {
		t.Fatal(err)
	}
	m := thread(t, s, "a").Messages[0]
	all := m.PreviousText + string(m.Attachments[0].Kind) + m.Attachments[0].URL + m.Attachments[0].Description + m.Poll.Options[0].Title
	if strings.ContainsAny(all, "\x1b\x07\u202e") || m.Attachments[0].Width != 0 || m.Poll.Options[0].Votes != 0 {
		t.Fatalf("remote extras not sanitised: %q %+v %+v", all, m.Attachments, m.Poll)
	}

	if err := svc.Ingest(ctx, acc, inbox.Batch{Deletions: []inbox.Deletion{{ExternalID: "m1", At: t0.Add(time.Minute)}}}); err != nil {
		t.Fatal(err)
	}
	before := convByExt(t, s, "a")
	_, err := svc.Reply(ctx, "ann", before.ID, "sorry to hear that")
	if !errors.Is(err, inbox.ErrInvalid) || !strings.Contains(err.Error(), "deleted on demo-facebook") {
		t.Fatalf("reply to a deleted message: %v", err)
	}
	after := convByExt(t, s, "a")
	if after.State != before.State || after.NeedsReply != before.NeedsReply || after.Queued != 0 || after.Messages != 1 {
		t.Fatalf("refused reply changed the conversation: before %+v after %+v", before, after)
	}
	// The customer writes again: the reply answers the new message.
	ingest(t, s, acc, "", in("a", "m2", t0.Add(2*time.Minute), "hello?"))
	if _, err := svc.Reply(ctx, "ann", before.ID, "hi!"); err != nil {
		t.Fatalf("reply to a live message: %v", err)
	}
}

func TestExistingOnlyItemsJoinStoredConversationsOnly(t *testing.T) {
	s, acc := open(t)
	ingest(t, s, acc, "", in("a", "m1", t0, "where is my order?"))
	ours := func(conv, id string) inbox.Inbound {
		return inbox.Inbound{ConversationID: conv, ExistingOnly: true, Message: inbox.Message{ExternalID: id,
			Direction: inbox.Out, Text: "answered from the phone app", CreatedAt: t0.Add(time.Minute)}}
	}
	ingest(t, s, acc, "", ours("a", "o1"), ours("elsewhere", "o2"))
	var convs int
	s.r.QueryRow(`SELECT count(*) FROM conversations`).Scan(&convs)
	if convs != 1 {
		t.Fatalf("%d conversations: a reply to something outside the inbox made one", convs)
	}
	if c := convByExt(t, s, "a"); c.NeedsReply || c.Messages != 2 {
		t.Fatalf("our reply from another app did not answer the conversation: %+v", c)
	}
}
