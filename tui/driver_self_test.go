package tui

import (
	"context"
	"testing"
)

// The driver tells commands apart by the function they run; if one of
// these is renamed or rebuilt, settle would wait on a timer as if it were a
// request (or miss a request), so fail here first with the reason.
func TestDriverKnowsTheWaits(t *testing.T) {
	d := newDriver(t, nil, threeConvs()...)
	if k, name := kindOf(waitChange(context.Background(), nil)); k != changeWait {
		t.Fatalf("waitChange (%s) is not recognised as the store-change wait", name)
	}
	if k, name := kindOf(tick()); k != timer {
		t.Fatalf("tick (%s) is not recognised as a timer", name)
	}
	if k, name := kindOf(loadCounts(context.Background(), d.svc, "")); k != request {
		t.Fatalf("loadCounts (%s) is not recognised as a request", name)
	}
	d.key("j", "r")
	if d.m.conv == nil || d.m.conv.composer == nil {
		t.Fatal("composer did not open")
	}
	if k, name := kindOf(d.m.draftTick()); k != timer {
		t.Fatalf("draftTick (%s) is not recognised as a timer", name)
	}
	if cmd := d.m.conv.composer.ta.Focus(); cmd != nil {
		if k, name := kindOf(cmd); k != timer {
			t.Fatalf("the cursor blink (%s) is not recognised as a timer", name)
		}
	}
}

// A draft is saved by a timer after typing stops: until waits for it, and
// settle alone does not pretend to.
func TestDriverUntilWaitsForATimer(t *testing.T) {
	d := newDriver(t, nil, threeConvs()...)
	d.key("j", "r")
	d.typeText("typed, then a pause")
	id := d.conv("a").ID
	d.until(func() bool {
		th, err := d.svc.Open(context.Background(), id)
		return err == nil && th.DraftBody("ann") == "typed, then a pause"
	}, "draft saved after typing stops")
	if len(d.inFlight) != 0 {
		t.Fatalf("until returned with %v in flight", d.pending())
	}
}
