package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/parleyhq/parley/inbox"
)

func TestConversationShowsEditsDeletionsAttachmentsAndPolls(t *testing.T) {
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	st := NewStyles(true)
	th := inbox.Thread{
		Conversation: inbox.Conversation{ID: 1, Network: "mastodon", Kind: inbox.KindDM, Author: inbox.Author{Name: "Alice"}},
		Account:      inbox.Account{Label: "@brand"},
		Messages: []inbox.Message{
			{ID: 1, Direction: inbox.In, Author: inbox.Author{Name: "Alice"}, Text: "the parcel is very late",
				CreatedAt: now.Add(-time.Hour), EditedAt: now.Add(-5 * time.Minute), PreviousText: "the parcel is late"},
			{ID: 2, Direction: inbox.In, Author: inbox.Author{Name: "Alice"}, Text: "you are all idiots",
				CreatedAt: now.Add(-50 * time.Minute), DeletedAt: now.Add(-10 * time.Minute)},
			{ID: 3, Direction: inbox.In, Author: inbox.Author{Name: "Alice"}, CreatedAt: now.Add(-40 * time.Minute),
				Attachments: []inbox.Attachment{
					{Kind: inbox.AttachImage, URL: "https://files.example/crushed.png", Description: "a crushed parcel", Width: 1200, Height: 800},
					{Kind: inbox.AttachFile, URL: "javascript:alert(1)"},
				}},
			{ID: 4, Direction: inbox.In, Author: inbox.Author{Name: "Alice"}, Text: "Which roast next?", CreatedAt: now.Add(-30 * time.Minute),
				Poll: &inbox.Poll{Options: []inbox.PollOption{{Title: "Dark", Votes: 3}, {Title: "Light", Votes: 1}}, ExpiresAt: now.Add(3 * time.Hour)}},
		},
	}
	c := newConvPane(1, "ann", 100, 60)
	c.setThread(th, &st, now)
	raw := c.view(&st)
	screen := ansi.Strip(raw)
	for _, want := range []string{
		"edited 5m ago", "was: the parcel is late",
		"deleted on Mastodon 10m ago", "you are all idiots",
		"📎 image 1200×800: a crushed parcel", "https://files.example/crushed.png",
		"javascript:alert(1) (not a web link)",
		"◦ Dark — 3 (75%)", "◦ Light — 1 (25%)", "poll · closes in 3h · 4 votes",
	} {
		if !strings.Contains(screen, want) {
			t.Errorf("conversation lacks %q:\n%s", want, screen)
		}
	}
	if !strings.Contains(raw, ansi.SetHyperlink("https://files.example/crushed.png")) {
		t.Error("the attachment URL is not a hyperlink")
	}
	if strings.Contains(raw, ansi.SetHyperlink("javascript:alert(1)")) {
		t.Error("a javascript: URL became a hyperlink target")
	}
}

func TestSafeLink(t *testing.T) {
	for raw, ok := range map[string]bool{
		"https://files.example/a.png":       true,
		"http://127.0.0.1:3000/x":           true,
		"javascript:alert(1)":               false,
		"file:///etc/passwd":                false,
		"https://user:pw@files.example/":    false,
		"https://files.example/\x1b]8;;x\a": false,
		"https:///no-host":                  false,
		"https://files.example/a b":         false,
		"https://files.example/\u202egnp.x": false,
	} {
		if _, got := safeLink(raw); got != ok {
			t.Errorf("safeLink(%q) = %v, want %v", raw, got, ok)
		}
	}
}
