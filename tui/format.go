package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// networkBadge is the short column label of a network.
func networkBadge(n string) string {
	switch strings.TrimPrefix(n, "demo-") {
	case "facebook":
		return "fb"
	case "instagram":
		return "ig"
	case "vk":
		return "vk"
	case "google":
		return "gr"
	case "mastodon":
		return "md"
	case "odnoklassniki":
		return "ok"
	case "youtube":
		return "yt"
	case "twitter", "x":
		return "x"
	case "telegram":
		return "tg"
	case "bluesky":
		return "bs"
	}
	if len(n) > 2 {
		return n[:2]
	}
	return n
}

func kindLabel(c inbox.Conversation) string {
	switch c.Kind {
	case inbox.KindDM:
		return "DM"
	case inbox.KindReview:
		return "review"
	}
	return string(c.Kind)
}

func stars(n int) string {
	if n < 1 || n > 5 {
		return ""
	}
	return strings.Repeat("★", n) + strings.Repeat("☆", 5-n)
}

// age is a compact "how long ago".
func age(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "now"
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d/time.Hour))
	case d < 60*24*time.Hour:
		return fmt.Sprintf("%dd", int(d/(24*time.Hour)))
	}
	return t.Format("Jan 06")
}

// ago is age for sentences: "just now", "3m ago".
func ago(t, now time.Time) string {
	switch a := age(t, now); {
	case a == "now":
		return "just now"
	case now.Sub(t) >= 60*24*time.Hour:
		return "on " + t.Format("2 Jan 2006")
	default:
		return a + " ago"
	}
}

// until is a compact "in how long".
func until(t, now time.Time) string {
	d := t.Sub(now)
	switch {
	case d <= 0:
		return "due"
	case d < time.Hour:
		return fmt.Sprintf("in %dm", int(d/time.Minute)+1)
	case d < 48*time.Hour:
		return fmt.Sprintf("in %dh", int(d/time.Hour))
	}
	return t.Format("Mon 2 Jan 15:04")
}
