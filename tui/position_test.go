package tui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
)

func manyConvs(prefix string, n int, from time.Duration) []inbox.Inbound {
	var items []inbox.Inbound
	for i := range n {
		items = append(items, msgIn(fmt.Sprint(prefix, i), fmt.Sprint("P", i), "hello", from+time.Duration(i)*time.Minute))
	}
	return items
}

// hintLine is the key-hint line, where the position shows.
func (d *driver) hintLine() string {
	lines := strings.Split(d.screen(), "\n")
	return lines[len(lines)-2]
}

// The hint line says where the cursor is in the view, and how many rows
// arrived above the screen while the manager worked further down; going
// to the top clears it.
func TestPositionAndNewAbove(t *testing.T) {
	d := newDriver(t, nil, manyConvs("c", 80, 0)...)
	waitOn(d, "the position", d.onScreen("1/80"))
	d.key("j", "j", "j", "j", "j")
	if !strings.HasSuffix(d.hintLine(), " 6/80") {
		t.Fatalf("after 5×j: %q", d.hintLine())
	}
	d.key("k")
	if !strings.HasSuffix(d.hintLine(), " 5/80") {
		t.Fatalf("after k: %q", d.hintLine())
	}
	d.key("ctrl+d", "ctrl+d") // 4 + 2×26: row 57, the top long off screen
	on := d.m.list.rows[d.m.list.cursor].ID
	if !strings.HasSuffix(d.hintLine(), " 57/80") {
		t.Fatalf("after two pages: %q", d.hintLine())
	}

	// Three customers who have waited longest sort at the top, far above.
	d.ingest(manyConvs("new", 3, 1000*time.Hour)...)
	waitOn(d, "the new-rows notice", d.onScreen("3 new ↑", "60/83"))
	if c, _ := d.m.list.selected(); c.ID != on {
		t.Fatalf("the cursor left its row for %s", c.ExternalID)
	}
	d.key("j")
	if !strings.Contains(d.hintLine(), "3 new ↑  61/83") {
		t.Fatalf("after j: %q", d.hintLine())
	}
	d.key("g")
	waitOn(d, "the top", d.onScreen("1/83"))
	if strings.Contains(d.screen(), "new ↑") {
		t.Fatalf("notice stays at the top:\n%s", d.screen())
	}

	// Rows the manager scrolls up to are seen.
	d.key("ctrl+d", "ctrl+d")
	d.ingest(manyConvs("newer", 2, 2000*time.Hour)...)
	waitOn(d, "two new", d.onScreen("2 new ↑"))
	d.key("ctrl+u", "ctrl+u", "ctrl+u")
	if strings.Contains(d.screen(), "new ↑") {
		t.Fatalf("notice stays once the top is on screen:\n%s", d.screen())
	}
}

// Far down a long view the window does not reach the top, so a row
// arriving there reloads nothing: the cursor's place is measured again.
func TestNewAboveFarDown(t *testing.T) {
	d := newDriver(t, nil, manyConvs("c", 400, 0)...)
	d.key("G")
	waitOn(d, "the bottom", d.onScreen("400/400"))
	if d.m.list.atStart {
		t.Fatal("the window reaches the top: the test tests nothing")
	}
	d.key("k", "k")
	if !strings.HasSuffix(d.hintLine(), " 398/400") {
		t.Fatalf("after 2×k: %q", d.hintLine())
	}
	reloads := d.m.req
	d.ingest(manyConvs("new", 2, 1000*time.Hour)...)
	waitOn(d, "the notice", d.onScreen("2 new ↑", "400/402"))
	if d.m.req != reloads {
		t.Fatal("the window was reloaded for rows far above it")
	}
	// A row leaving above is no arrival.
	if err := d.svc.Done(d.m.ctx, "bob", []int64{d.conv("new0").ID}); err != nil {
		t.Fatal(err)
	}
	waitOn(d, "the row gone", d.onScreen("2 new ↑", "399/401"))
	d.key("g")
	waitOn(d, "the top", d.onScreen("1/401"))
	if strings.Contains(d.screen(), "new ↑") {
		t.Fatal("notice stays at the top")
	}
}
