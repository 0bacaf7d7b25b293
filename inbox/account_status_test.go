package inbox

import "testing"

// A healthy account's routine poll (ok → syncing → ok) is announced once;
// every change a manager can see on the status bar is announced. A routine
// poll's "syncing" is not even stored (routinePoll), so nothing can show it.
func TestAccountStatusAnnouncedOnlyWhenShownChanges(t *testing.T) {
	var s shownStatus
	steps := []struct {
		st      AccountStatus
		lastErr string
		want    bool
	}{
		{AccountSyncing, "", true}, // first sync: shown
		{AccountOK, "", true},
		{AccountSyncing, "", false}, // routine poll
		{AccountOK, "", false},
		{AccountSyncing, "", false},
		{AccountWaiting, "rate limited, retry in 30s", true},
		{AccountWaiting, "rate limited, retry in 30s", false},
		{AccountWaiting, "rate limited, retry in 60s", true}, // the text shown changed
		{AccountSyncing, "", true},                           // a retry after trouble is shown
		{AccountOK, "", true},
		{AccountNeedsReauth, "token expired", true},
	}
	for i, step := range steps {
		got := !s.routinePoll(7, step.st) && s.announce(7, step.st, step.lastErr)
		if got != step.want {
			t.Fatalf("step %d (%s %q): announce = %v, want %v", i, step.st, step.lastErr, got, step.want)
		}
	}
	if !s.announce(8, AccountOK, "") {
		t.Fatal("another account's first state was not announced")
	}
}
