package tui

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/inbox/sqlite"
)

// With nothing connected, the screen says how to get conversations in:
// the demo, and one connect command per network.
func TestFirstRunExplainsDemoAndConnect(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc := inbox.NewService(st, inbox.Options{})
	m, err := New(Options{Service: svc, User: "ann", Context: ctx, Networks: []string{"facebook", "mastodon", "vk"}})
	if err != nil {
		t.Fatal(err)
	}
	d := &driver{t: t, m: m, svc: svc}
	d.start()
	d.process(tea.WindowSizeMsg{Width: 80, Height: 24})
	waitOn(d, "the first-run screen", d.onScreen("parley demo", "parley connect facebook", "parley connect mastodon", "parley connect vk"))
	if s := d.screen(); containsAny(s, "Inbox zero", "Nothing waiting") {
		t.Fatalf("first run claims an empty inbox:\n%s", s)
	}
	checkWidth(t, d, "first run", 80, 24)
}

// Each view says it is empty in its own words.
func TestEmptyViewMessages(t *testing.T) {
	d := newDriver(t, nil)
	waitOn(d, "the inbox message", d.onScreen("Inbox zero"))
	d.key("4")
	waitOn(d, "the snoozed message", d.onScreen("Nothing snoozed"))
	if containsAny(d.screen(), "Inbox zero") {
		t.Fatalf("Snoozed says inbox zero:\n%s", d.screen())
	}
	d.key("3")
	waitOn(d, "the escalated message", d.onScreen("Nothing escalated"))
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if len(sub) > 0 && strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
