package inbox

import "sync"

// shownStatus remembers the sync state each account last announced, so a
// routine poll does not wake every session. A healthy account goes
// ok → syncing → ok on every poll (every few seconds per account); each
// announcement made every session re-read the accounts and redraw, which
// with a team connected was most of the server's idle work (issue 19).
type shownStatus struct {
	mu   sync.Mutex
	last map[int64]shown
}

type shown struct {
	status  AccountStatus
	lastErr string
}

// routinePoll says whether st is a healthy account starting its next
// routine poll. That state is neither stored nor announced: the bar keeps
// "●" rather than flashing "syncing" every few seconds, and a session that
// reads the accounts for another reason mid-poll cannot catch a "syncing"
// that no later announcement would clear.
func (s *shownStatus) routinePoll(id int64, st AccountStatus) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	prev, known := s.last[id]
	return known && prev.status == AccountOK && st == AccountSyncing
}

// announce says whether a stored state is worth telling the sessions: it
// differs from the last one announced.
func (s *shownStatus) announce(id int64, st AccountStatus, lastErr string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	next := shown{status: st, lastErr: lastErr}
	if prev, known := s.last[id]; known && prev == next {
		return false
	}
	if s.last == nil {
		s.last = map[int64]shown{}
	}
	s.last[id] = next
	return true
}
