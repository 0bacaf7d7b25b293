package sqlite

import (
	"context"
	"fmt"
	"testing"

	"github.com/parleyhq/parley/inbox"
)

// BenchmarkPosition: the list's "37/154" for a row halfway down a view
// (what a change costs a session scrolled there: it walks the index up to
// the row), against reading one window at the same place; and the search
// result count, bounded at 20,000 hits. Run it on a
// generated database (PARLEY_BENCH_DB); on an empty one it measures
// nothing.
func BenchmarkPosition(b *testing.B) {
	s := benchDB(b)
	ctx := context.Background()
	total, err := s.Counts(ctx, "")
	if err != nil {
		b.Fatal(err)
	}
	for _, v := range []inbox.View{inbox.ViewInbox, inbox.ViewAll} {
		// Walk to the middle by keyset pages, as a manager scrolling would.
		var at *inbox.Cursor
		for left := total[v] / 2; left > 0; {
			rows, err := s.List(ctx, inbox.Page{View: v, Anchor: at, Limit: min(left, 5000)})
			if err != nil || len(rows) == 0 {
				b.Fatal(err)
			}
			last := rows[len(rows)-1]
			at, left = &inbox.Cursor{Key: last.Key, ID: last.ID}, left-len(rows)
		}
		if at == nil {
			b.Skip("empty database: set PARLEY_BENCH_DB")
		}
		b.Run(fmt.Sprintf("position-mid-%s-of-%d", v, total[v]), func(b *testing.B) {
			for b.Loop() {
				if _, err := s.Position(ctx, inbox.Page{View: v}, *at); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("window-mid-%s", v), func(b *testing.B) {
			for b.Loop() {
				if _, err := s.List(ctx, inbox.Page{View: v, Anchor: at, Limit: 54}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	for _, q := range []string{"refund", "koffie"} {
		b.Run("search-count-"+q, func(b *testing.B) {
			for b.Loop() {
				if _, _, err := s.SearchCount(ctx, q, 20000); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
