package server

import (
	"context"
	"testing"

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
