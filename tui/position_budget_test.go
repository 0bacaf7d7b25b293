package tui

import (
	"testing"
	"time"
)

// A cheap measure is repeated at once; a costly one is spaced out by its
// cost, and a change heard during the wait is measured when it ends (one
// tick, however many changes), never dropped.
func TestPositionMeasuresSpacedByTheirCost(t *testing.T) {
	var b measureBudget
	t0 := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	if now, tick := b.ask(t0); !now || tick != nil {
		t.Fatal("the first measure must run at once")
	}
	b.measured(t0, 200*time.Microsecond) // near the top of a view
	if now, _ := b.ask(t0.Add(20 * time.Millisecond)); !now {
		t.Fatal("a 0.2 ms measure held back a change 20 ms later")
	}

	b.measured(t0, 100*time.Millisecond) // deep in a 10⁶-row view
	now, tick := b.ask(t0.Add(time.Second))
	if now || tick == nil {
		t.Fatalf("a change 1 s after a 100 ms measure: now=%v tick armed=%v; want deferred with a tick", now, tick != nil)
	}
	if now, tick := b.ask(t0.Add(2 * time.Second)); now || tick != nil {
		t.Fatal("a second change during the wait measured or armed a second tick")
	}
	if !b.tick() {
		t.Fatal("the tick at the end of the wait did not measure the deferred changes")
	}
	if b.tick() {
		t.Fatal("a tick with nothing deferred measured")
	}
	if now, _ := b.ask(t0.Add(positionShare * 100 * time.Millisecond)); !now {
		t.Fatal("the wait did not end after positionShare times the cost")
	}
}
