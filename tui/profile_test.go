package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// Alice on Facebook and "Alicé" on Mastodon: the profile suggests the
// match, l links it and the profile then lists conversations from both
// networks; U unlinks, u undoes, and another manager's profile of the
// Mastodon conversation sees the same customer.
func TestLinkIdentitiesFromTheProfile(t *testing.T) {
	d := newDriver(t, nil, threeConvs()...)
	ctx := context.Background()
	masto, err := d.svc.AddAccount(ctx, inbox.Account{Network: "mastodon", Label: "brand@social"})
	if err != nil {
		t.Fatal(err)
	}
	toot := inbox.Inbound{ConversationID: "toot", Kind: inbox.KindMention, Message: inbox.Message{ExternalID: "t1", Direction: inbox.In,
		Text: "@brand the beans arrived crushed", CreatedAt: t0.Add(-30 * time.Hour),
		Author: inbox.Author{ID: "109", Name: "Alicé", Handle: "@alice@mastodon.social"}}}
	if err := d.svc.Ingest(ctx, masto.ID, inbox.Batch{Items: []inbox.Inbound{toot}}); err != nil {
		t.Fatal(err)
	}
	d.settle()
	for i := 0; i < 5; i++ {
		if c, ok := d.m.list.selected(); ok && c.ExternalID == "a" {
			break
		}
		d.key("j")
	}
	d.key("p")
	d.untilScreen("Customer", "Maybe the same person", "Mastodon", "Alicé", "@alice@mastodon.social", "l link")
	if pp := d.m.overlay.(*profilePane); pp.p.Linked() || pp.p.Total != 1 {
		t.Fatalf("before linking: %+v", pp.p)
	}
	d.key("l")
	d.untilScreen("Linked", "linked Alicé (@alice@mastodon.social) on mastodon — u undoes", "on 2 networks", "U unlink",
		"Where is my order?", "the beans arrived crushed")
	pp := d.m.overlay.(*profilePane)
	if !pp.p.Linked() || pp.p.Total != 2 || len(pp.p.Suggested) != 0 {
		t.Fatalf("after linking: %+v", pp.p)
	}
	// Each conversation row names its network.
	var rows []string
	for _, line := range strings.Split(d.screen(), "\n") {
		if strings.Contains(line, "│") && (strings.Contains(line, "Where is my order?") || strings.Contains(line, "the beans arrived crushed")) {
			rows = append(rows, line)
		}
	}
	if len(rows) != 2 || !strings.Contains(rows[0], "Facebook") || !strings.Contains(rows[1], "Mastodon") {
		t.Fatalf("rows without their network:\n%s", strings.Join(rows, "\n"))
	}

	// Bob's session: the profile of the Mastodon conversation is the same
	// customer.
	bob := d.peer("bob")
	for i := 0; i < 6; i++ {
		if c, ok := bob.m.list.selected(); ok && c.ExternalID == "toot" {
			break
		}
		bob.key("j")
	}
	bob.key("p")
	bob.untilScreen("Linked", "on 2 networks", "Where is my order?")

	// Tab to Mastodon, unlink it, undo.
	d.key("tab")
	if id, linked, _ := d.m.overlay.(*profilePane).chosen(); !linked || id.Network != "mastodon" {
		t.Fatalf("chosen: %+v", id)
	}
	d.key("U")
	d.untilScreen("unlinked Alicé (@alice@mastodon.social) on mastodon — u undoes", "Maybe the same person")
	if pp := d.m.overlay.(*profilePane); pp.p.Linked() {
		t.Fatalf("still linked: %+v", pp.p.Identities)
	}
	// Bob's open profile follows without a key: the unlink named a
	// conversation it listed.
	bob.untilScreen("Maybe the same person", "l link")
	d.key("u")
	d.untilScreen("undid unlink: Alicé", "Linked", "on 2 networks")
	// The undo names ann's conversation, which bob's profile (the toot
	// alone now) does not list: the change says identities moved.
	bob.untilScreen("Linked", "on 2 networks", "Where is my order?")
	evs, _ := d.svc.Journal(ctx, d.conv("a").ID)
	var log []string
	for _, e := range evs {
		log = append(log, e.Actor+" "+e.Describe())
	}
	if got := strings.Join(log, "\n"); !strings.Contains(got, "ann linked Alice") || !strings.Contains(got, "ann unlinked Alicé") {
		t.Fatalf("journal:\n%s", got)
	}
	d.key("esc")
	d.until(func() bool { return d.m.overlay == nil }, "the profile closed")
}

// An answer for a profile pane the manager has closed does not reopen it.
func TestProfileAnswerAfterCloseIsDropped(t *testing.T) {
	d := newDriver(t, nil, threeConvs()...)
	d.key("p")
	d.untilScreen("Customer")
	pp := d.m.overlay.(*profilePane)
	d.key("esc")
	d.process(pickMsg{open: newProfilePane(pp.p, pp.env, pp.keys), replaces: pp})
	if d.m.overlay != nil {
		t.Fatal("a stale answer reopened the profile")
	}
}
