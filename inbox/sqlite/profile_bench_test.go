package sqlite

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// BenchmarkProfile: open a customer's profile (every conversation with
// them, tags, notes, link suggestions) — the busiest author and a one-off
// one on one account, and a customer linked across every account: the
// busiest author of each, linked to the first (once; the database keeps
// the links).
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
	linked := linkBusiest(b, s)
	cases := []struct {
		name string
		acc  int64
		who  string
	}{{"busiest", acc, busy}, {"latest", acc, once}, {"linked", linked.AccountID, linked.AuthorID}}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var p inbox.Profile
			for i := 0; i < b.N; i++ {
				var err error
				if p, err = s.Profile(ctx, c.acc, inbox.Author{ID: c.who}, inbox.ProfileLimit); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(p.Total), "convs")
			b.ReportMetric(float64(len(p.Identities)), "identities")
			b.ReportMetric(float64(len(p.Suggested)), "suggested")
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/profile")
		})
	}
}

// linkBusiest links the busiest author of every account into one customer
// and returns the first of them.
func linkBusiest(b *testing.B, s *Store) inbox.IdentityRef {
	b.Helper()
	ctx := context.Background()
	accs, err := s.Accounts(ctx)
	if err != nil {
		b.Fatal(err)
	}
	var ids []inbox.IdentityRef
	for _, a := range accs {
		var who string
		err := s.r.QueryRow(`SELECT author_id FROM conversations INDEXED BY conv_author WHERE account_id = ? AND author_id <> ''
			GROUP BY author_id ORDER BY count(*) DESC LIMIT 1`, a.ID).Scan(&who)
		if err == nil {
			ids = append(ids, inbox.IdentityRef{AccountID: a.ID, AuthorID: who})
		}
	}
	if len(ids) == 0 {
		b.Fatal("no authors")
	}
	var conv int64
	if err := s.r.QueryRow(`SELECT id FROM conversations INDEXED BY conv_author WHERE account_id = ? AND author_id = ? LIMIT 1`,
		ids[0].AccountID, ids[0].AuthorID).Scan(&conv); err != nil {
		b.Fatal(err)
	}
	for _, other := range ids[1:] {
		if err := s.Link(ctx, "bench", conv, ids[0], other, time.Now()); err != nil && !errors.Is(err, inbox.ErrConflict) {
			b.Fatal(err)
		}
	}
	return ids[0]
}
