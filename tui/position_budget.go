package tui

import (
	"time"

	tea "charm.land/bubbletea/v2"
)

// positionShare bounds the time a session spends re-measuring its
// position after changes to one part in positionShare of one core. The
// count walks the view's index up to the cursor, so it costs what the
// cursor's depth costs: well under a millisecond near the top of a view,
// about 100 ms half-way down a 10⁶-row All view, where every new message
// sorts above the window. Waiting 50 times the last measure's cost between
// measures keeps a deep session's work per new message from growing with
// the database (issue 19) while a shallow one is still measured at once.
const positionShare = 50

// positionTickMsg asks for the measure a change deferred.
type positionTickMsg struct{}

// measureBudget spaces re-measures out by their cost. A change that
// arrives inside the wait is not dropped: one tick is armed and measures
// when the wait is over, so the last change is always reflected.
type measureBudget struct {
	next    time.Time // no measure before this
	pending bool      // a change asked during the wait
	ticking bool      // a tick is armed for next
}

// ask says whether to measure now; if not, it may return a tick to arm.
func (b *measureBudget) ask(now time.Time) (measure bool, tick tea.Cmd) {
	if !now.Before(b.next) {
		return true, nil
	}
	b.pending = true
	if b.ticking {
		return false, nil
	}
	b.ticking = true
	return false, tea.Tick(b.next.Sub(now), func(time.Time) tea.Msg { return positionTickMsg{} })
}

// measured notes what a measure cost.
func (b *measureBudget) measured(now time.Time, took time.Duration) {
	b.next = now.Add(positionShare * took)
}

// tick says whether a deferred measure is due.
func (b *measureBudget) tick() bool {
	b.ticking = false
	due := b.pending
	b.pending = false
	return due
}
