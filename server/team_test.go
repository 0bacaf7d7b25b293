package server

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// Assignment over SSH: the picker offers everyone on the allow-list (from
// the key comments), and the owner shows live in the other session, whose
// Mine view then holds the conversation.
func TestAssignmentSeenLiveOverSSH(t *testing.T) {
	f := setup(t, "ann", "bob")
	ann, bob := f.open("ann", 120, 30), f.open("bob", 120, 30)
	ann.waitFor("Alice")
	bob.waitFor("Alice")
	ann.send("a")
	ann.waitFor("me (ann)", "bob", "nobody (unassign)")
	ann.send("bob\r")
	ann.waitFor("@bob")
	bob.waitFor("@bob", "7 Mine 1")
	bob.send("7")
	bob.waitFor("Alice")
	rows, err := f.svc.List(inbox.WithManager(context.Background(), "bob"), inbox.Page{View: inbox.ViewMine, Limit: 5})
	if err != nil || len(rows) != 1 || rows[0].Assignee != "bob" {
		t.Fatalf("bob's Mine: %+v %v", rows, err)
	}
	evs, _ := f.svc.Journal(context.Background(), rows[0].ID)
	if len(evs) == 0 || evs[len(evs)-1].Actor != "ann" || evs[len(evs)-1].Action != "assign" {
		t.Fatalf("journal: %+v", evs)
	}
}

// A note ann writes shows live in the thread bob has open, and its
// @mention in the Mentions count of cy's list, without either of them
// pressing a key.
func TestNoteAndMentionSeenLiveOverSSH(t *testing.T) {
	f := setup(t, "ann", "bob", "cy")
	ann, bob, cy := f.open("ann", 120, 30), f.open("bob", 120, 30), f.open("cy", 120, 30)
	for _, tm := range []*term{ann, bob, cy} {
		tm.waitFor("Alice", onList)
	}
	if strings.Contains(cy.text(), "Mentions") {
		t.Fatalf("a Mentions tab before any mention:\n%s", cy.text())
	}
	bob.send("\r")
	bob.waitFor("Hello from Alice", onConv)
	ann.send("\r")
	ann.waitFor("Hello from Alice", onConv)
	ann.send("N")
	ann.waitFor("Internal note", "never sent to the customer")
	ann.send("@cy courier ref 4471")
	ann.waitFor("courier ref 4471")
	ann.send("\x13") // ctrl+s
	ann.waitFor("internal note · ann")
	bob.waitFor("internal note · ann", "for @cy", "@cy courier ref 4471")
	cy.waitFor("9 Mentions 1")
	cy.send("9")
	cy.waitFor("Alice")
	rows, err := f.svc.List(inbox.WithManager(context.Background(), "cy"), inbox.Page{View: inbox.ViewMentions, Limit: 5})
	if err != nil || len(rows) != 1 || rows[0].Author.Name != "Alice" {
		t.Fatalf("cy's Mentions: %+v %v", rows, err)
	}
	th, err := f.svc.Open(context.Background(), rows[0].ID)
	if err != nil || len(th.Notes) != 1 || th.Notes[0].Author != "ann" {
		t.Fatalf("stored notes: %+v %v", th.Notes, err)
	}
}

// Identities ann links in her profile of a customer are linked in bob's
// profile of the same customer too; her unlink likewise.
func TestLinkSeenInTheOtherSessionsProfileOverSSH(t *testing.T) {
	f := setup(t, "ann", "bob")
	ctx := context.Background()
	masto, err := f.svc.AddAccount(ctx, inbox.Account{Network: "mastodon", Label: "brand@social"})
	if err != nil {
		t.Fatal(err)
	}
	toot := inbox.Inbound{ConversationID: "toot", Kind: inbox.KindMention, Message: inbox.Message{ExternalID: "t1", Direction: inbox.In,
		Text: "@brand the beans arrived crushed", CreatedAt: time.Now().Add(-time.Minute),
		Author: inbox.Author{ID: "109", Name: "Alicé", Handle: "@alice@mastodon.social"}}}
	if err := f.svc.Ingest(ctx, masto.ID, inbox.Batch{Items: []inbox.Inbound{toot}}); err != nil {
		t.Fatal(err)
	}
	ann, bob := f.open("ann", 120, 30), f.open("bob", 120, 30)
	for _, tm := range []*term{ann, bob} {
		tm.waitFor("Alice", "the beans arrived crushed", onList)
		tm.waitUntil("Alice's row selected", tm.onlySelected("Alice"))
	}
	// Before: bob's profile of Alice only suggests the Mastodon identity.
	bob.send("p")
	bob.waitFor("Customer", "Maybe the same person", "@alice@mastodon.social", "l link")
	bob.send("\x1b")
	// The list's hint line shows under the pane too: wait for the pane to go.
	bob.waitUntil("bob's profile closed", bob.without("Customer"))

	ann.send("p")
	ann.waitFor("Customer", "Maybe the same person", "l link")
	ann.send("l")
	ann.waitFor("Linked", "on 2 networks", "u undoes")
	bob.send("p")
	bob.waitFor("Customer", "Linked", "on 2 networks", "the beans arrived crushed", "U unlink")

	// ann unlinks (tab to the Mastodon identity, U); bob's next look at
	// the profile is back to a suggestion.
	bob.send("\x1b")
	// The list's hint line shows under the pane too: wait for the pane to go.
	bob.waitUntil("bob's profile closed", bob.without("Customer"))
	// Keys are read in order: U acts on what tab chose.
	ann.send("\t")
	ann.send("U")
	ann.waitFor("unlinked Alicé", "Maybe the same person")
	bob.send("p")
	bob.waitFor("Customer", "Maybe the same person", "l link")
	if strings.Contains(bob.text(), "on 2 networks") {
		t.Fatalf("bob's profile still linked:\n%s", bob.text())
	}
	evs, _ := f.svc.Journal(ctx, 1)
	var acts []string
	for _, e := range evs {
		acts = append(acts, e.Actor+" "+e.Action)
	}
	if got := strings.Join(acts, "\n"); !strings.Contains(got, "ann "+inbox.LinkAction) || !strings.Contains(got, "ann "+inbox.UnlinkAction) {
		t.Fatalf("journal:\n%s", got)
	}
}

// without is a condition for waitUntil: sub is no longer on the screen.
func (tm *term) without(sub string) func() bool {
	return func() bool { return !strings.Contains(tm.text(), sub) }
}
