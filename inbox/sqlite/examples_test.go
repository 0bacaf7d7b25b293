package sqlite

import (
	"context"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/inbox/negativity"
)

// A manual mark teaches this workspace's detector at once, and a service
// started later on the same store learns it again from the stored
// examples.
func TestMarksTeachTheWorkspaceDetector(t *testing.T) {
	s, acc := open(t)
	ctx := context.Background()
	d := negativity.New("")
	svc := inbox.NewService(s, inbox.Options{Detector: d, Now: func() time.Time { return t0 }})
	const text = "the Zorbix app logs me out"
	if r := d.Classify("Zorbix logs me out again", 0); r.Label == negativity.Negative {
		t.Skipf("negative before any mark: %+v", r)
	}
	if err := svc.Ingest(ctx, acc, inbox.Batch{Items: []inbox.Inbound{in("z", "m1", t0, text)}}); err != nil {
		t.Fatal(err)
	}
	if err := svc.SetNegative(ctx, "ann", []int64{convByExt(t, s, "z").ID}, true); err != nil {
		t.Fatal(err)
	}
	if r := d.Classify("Zorbix logs me out again", 0); r.Label != negativity.Negative || d.LastMark() == 0 {
		t.Fatalf("after the mark: %+v (last mark %d)", r, d.LastMark())
	}
	fresh := negativity.New("")
	inbox.NewService(s, inbox.Options{Detector: fresh})
	if fresh.Learned() != 1 || fresh.Classify("Zorbix logs me out again", 0).Label != negativity.Negative {
		t.Fatalf("a restarted service did not relearn the stored mark (%d learned)", fresh.Learned())
	}
	// Replaying again teaches nothing twice.
	if err := inbox.NewService(s, inbox.Options{Detector: fresh}).LearnFromMarks(ctx); err != nil || fresh.Learned() != 1 {
		t.Fatalf("replay: %v, %d learned", err, fresh.Learned())
	}
}
