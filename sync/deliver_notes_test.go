package sync

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parleyhq/parley/inbox"
)

// An escalation carries the team's internal notes: whoever receives it gets
// the context the managers wrote down.
func TestEscalationCarriesInternalNotes(t *testing.T) {
	e := newEnvDeliverable(t)
	ctx := context.Background()
	a := e.account(t, "A", &fake{})
	it := msg("c1", "m1")
	it.Message.Text = "My parcel never arrived"
	if err := e.svc.Ingest(ctx, a.ID, inbox.Batch{Items: []inbox.Inbound{it}}); err != nil {
		t.Fatal(err)
	}
	cs, _ := e.svc.List(ctx, inbox.Page{View: inbox.ViewAll})
	if _, err := e.svc.AddNote(ctx, "bob", cs[0].ID, "Second parcel lost this month, @ann knows the courier"); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Escalate(ctx, "ann", []int64{cs[0].ID}, "support", "please refund"); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "got.json")
	w := NewWorker(e.svc, func(int64) (Connector, bool) { return nil, false }, nil)
	w.Destinations = map[string]Deliverer{"support": Command{Cmd: "cat > " + out}}
	w.Drain(ctx)
	var got Escalation
	b, _ := os.ReadFile(out)
	if err := json.Unmarshal(b, &got); err != nil || len(got.Notes) != 1 || got.Notes[0].From != "bob" || !strings.Contains(got.Notes[0].Text, "Second parcel") {
		t.Fatalf("escalation notes: %s (%v)", b, err)
	}
	if s := got.Summary(); !strings.Contains(s, "Internal note by bob: Second parcel lost") {
		t.Fatalf("summary: %s", s)
	}
}
