package tui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// Past the first hundred results, + (or moving past the last row) brings
// the next page, the header gives the real count, and the cursor stays on
// the row it was on.
func TestSearchLoadsMoreResults(t *testing.T) {
	const n = 2*searchPage + 37
	var items []inbox.Inbound
	for i := range n {
		items = append(items, msgIn(fmt.Sprint("r", i), fmt.Sprint("P", i), "refund please", time.Duration(i+1)*time.Minute))
	}
	items = append(items, msgIn("other", "Olga", "love the roast", time.Hour))
	d := newDriver(t, nil, items...)
	d.key("s")
	d.typeText("refund")
	d.key("enter")
	waitOn(d, "the first page and the real count", d.onScreen(fmt.Sprintf("Search: refund 100 of %d", n), "+ more"))
	if got := len(d.m.list.rows); got != searchPage {
		t.Fatalf("first page: %d rows", got)
	}

	d.key("j", "j", "j")
	on := d.m.list.rows[d.m.list.cursor].ID
	d.key("+")
	waitOn(d, "the second page", d.onScreen(fmt.Sprintf("Search: refund 200 of %d", n)))
	if got, ok := d.m.list.selected(); !ok || got.ID != on || d.m.list.cursor != 3 {
		t.Fatalf("cursor moved to %d (%v) after loading more", d.m.list.cursor, got.ExternalID)
	}

	// Moving down past the last row shown loads the rest.
	d.key("G", "j")
	waitOn(d, "every result", func() bool { return len(d.m.list.rows) == n })
	if !strings.Contains(d.screen(), fmt.Sprintf("Search: refund %d ", n)) || strings.Contains(d.screen(), "+ more") {
		t.Fatalf("all shown, yet the screen offers more:\n%s", d.screen())
	}
	seen := map[int64]bool{}
	for _, r := range d.m.list.rows {
		if seen[r.ID] || r.ExternalID == "other" {
			t.Fatalf("row %s twice or not a match", r.ExternalID)
		}
		seen[r.ID] = true
	}
	d.key("+")
	waitOn(d, "the all-shown note", d.onScreen(fmt.Sprintf("all %d results are shown", n)))

	// A new match arriving keeps every page loaded so far.
	if err := d.svc.Ingest(d.m.ctx, d.acc.ID, inbox.Batch{Items: []inbox.Inbound{msgIn("new", "Nia", "refund now", 0)}}); err != nil {
		t.Fatal(err)
	}
	waitOn(d, "the new match", func() bool { return len(d.m.list.rows) == n+1 })
}
