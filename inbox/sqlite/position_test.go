package sqlite

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// The count is exact under the bound, a lower bound past it, and counts a
// conversation with several matching messages once.
func TestSearchCount(t *testing.T) {
	s, acc := open(t)
	ctx := context.Background()
	var items []inbox.Inbound
	for i := range 30 {
		conv := fmt.Sprintf("c%d", i)
		items = append(items, in(conv, conv+"-1", t0.Add(time.Duration(i)*time.Minute), "refund please"),
			in(conv, conv+"-2", t0.Add(time.Duration(i)*time.Minute+time.Second), "still waiting for the refund"))
	}
	items = append(items, in("other", "o-1", t0, "love the roast"))
	ingest(t, s, acc, "", items...)

	n, exact, err := s.SearchCount(ctx, "refund", 1000)
	if err != nil || n != 30 || !exact {
		t.Fatalf("SearchCount(refund) = %d, %v, %v; want 30 exact", n, exact, err)
	}
	n, exact, err = s.SearchCount(ctx, "refund", 10)
	if err != nil || exact || n < 5 || n > 10 {
		t.Fatalf("SearchCount(refund, 10) = %d, %v, %v; want a bound of 5..10, not exact", n, exact, err)
	}
	if n, exact, err := s.SearchCount(ctx, `"`, 10); err != nil || n != 0 || !exact {
		t.Fatalf("SearchCount of punctuation = %d, %v, %v", n, exact, err)
	}
}

// Position agrees with the order List gives, with and without a network.
func TestPositionMatchesListOrder(t *testing.T) {
	s, acc := open(t)
	ctx := context.Background()
	var items []inbox.Inbound
	for i := range 25 {
		conv := fmt.Sprintf("c%d", i)
		items = append(items, in(conv, conv, t0.Add(-time.Duration(i*7%25)*time.Minute), "hello"))
	}
	ingest(t, s, acc, "", items...)
	for _, net := range []string{"", "demo-facebook", "demo-vk"} {
		p := inbox.Page{View: inbox.ViewInbox, Network: net, Limit: 100}
		rows, err := s.List(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range rows {
			if got, err := s.Position(ctx, p, inbox.Cursor{Key: r.Key, ID: r.ID}); err != nil || got != i {
				t.Fatalf("network %q: Position of row %d = %d, %v", net, i, got, err)
			}
		}
		if net == "demo-vk" && len(rows) != 0 {
			t.Fatalf("vk rows: %d", len(rows))
		}
	}
}
