package tui

import (
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// The status bar says per account whether it is live or polled, and how
// long ago its last message came, as the engine reports through the
// service's feed hook.
func TestStatusBarShowsLiveOrPollingAndLastEvent(t *testing.T) {
	d := newDriver(t, nil, threeConvs()...)
	var mu sync.Mutex // the hook runs in the TUI's commands
	feed := inbox.Account{Live: true, LastEvent: d.svc.Now().Add(-2 * time.Minute)}
	d.svc.SetFeeds(func(a *inbox.Account) {
		mu.Lock()
		defer mu.Unlock()
		a.Live, a.PollEvery, a.LastEvent = feed.Live, feed.PollEvery, feed.LastEvent
	})
	d.svc.FeedChanged()
	d.settle()
	d.wantScreen("● fb live · 2m ago")

	mu.Lock()
	feed = inbox.Account{PollEvery: 90 * time.Second}
	mu.Unlock()
	d.svc.FeedChanged()
	d.settle()
	d.wantScreen("● fb polling every 1m30s")
}

func TestShortDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		10 * time.Second: "10s", time.Minute: "1m", 90 * time.Second: "1m30s",
		10 * time.Minute: "10m", time.Hour: "1h", 90 * time.Minute: "1h30m",
	} {
		if got := shortDuration(d); got != want {
			t.Errorf("shortDuration(%s) = %q, want %q", d, got, want)
		}
	}
}
