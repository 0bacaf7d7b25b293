package sqlite

import (
	"context"
	"testing"

	"github.com/parleyhq/parley/inbox"
)

// BenchmarkProfile: open a customer's profile (every conversation with
// them, tags, notes) — the busiest author and a one-off one.
func BenchmarkProfile(b *testing.B) {
	s := benchDBReadOnly(b)
	ctx := context.Background()
	var acc int64
	var busy, once string
	if err := s.r.QueryRow(`SELECT account_id, author_id FROM conversations GROUP BY account_id, author_id ORDER BY count(*) DESC LIMIT 1`).Scan(&acc, &busy); err != nil {
		b.Fatal(err)
	}
	if err := s.r.QueryRow(`SELECT author_id FROM conversations WHERE account_id = ? ORDER BY id DESC LIMIT 1`, acc).Scan(&once); err != nil {
		b.Fatal(err)
	}
	for name, who := range map[string]string{"busiest": busy, "latest": once} {
		b.Run(name, func(b *testing.B) {
			var n int
			for i := 0; i < b.N; i++ {
				p, err := s.Profile(ctx, acc, inbox.Author{ID: who}, inbox.ProfileLimit)
				if err != nil {
					b.Fatal(err)
				}
				n = p.Total
			}
			b.ReportMetric(float64(n), "convs")
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/profile")
		})
	}
}
