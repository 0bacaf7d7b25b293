package main

import (
	"testing"
	"time"
)

func TestAccountsFeedColumn(t *testing.T) {
	masto := AccountConfig{Network: "mastodon", Label: "m", Options: map[string]any{"server": "https://m.example", "token_env": "PARLEY_TEST_UNUSED", "poll_interval": "90s"}}
	if got := feedOf(masto); got != "live (polling every 1m30s while the stream is down)" {
		t.Fatalf("mastodon: %q", got)
	}
	for d, want := range map[time.Duration]string{0: "1m", 30 * time.Second: "30s", 5 * time.Minute: "5m", 2 * time.Hour: "2h", 90 * time.Minute: "1h30m"} {
		if got := roundDuration(d); got != want {
			t.Errorf("roundDuration(%s) = %q, want %q", d, got, want)
		}
	}
}
