package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/inbox/negativity"
	"github.com/parleyhq/parley/sync/demo"
)

// benchDB opens a fresh store, or a copy of PARLEY_BENCH_DB (a database made
// with `parley demo --generate N`) so figures can be taken at scale.
func benchDB(b *testing.B) *Store {
	b.Helper()
	path := filepath.Join(b.TempDir(), "bench.db")
	if src := os.Getenv("PARLEY_BENCH_DB"); src != "" {
		copyFile(b, src, path)
	}
	s, err := Open(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

func copyFile(b *testing.B, src, dst string) {
	in, err := os.Open(src)
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		b.Fatal(err)
	}
	defer out.Close()
	if _, err := io.Copy(out, in); err != nil {
		b.Fatal(err)
	}
}

// batches makes n conversations of demo content in connector-sized batches.
func batches(b *testing.B, n int, seed uint64) []inbox.Batch {
	var out []inbox.Batch
	err := demo.Generate(seed, n, time.Now(), func(_ int, bt inbox.Batch) error {
		for i := range bt.Items {
			// Fresh ids per run so every row is new even on a copied database.
			bt.Items[i].ConversationID = fmt.Sprintf("b%d-%s", seed, bt.Items[i].ConversationID)
			bt.Items[i].Message.ExternalID = fmt.Sprintf("b%d-%s", seed, bt.Items[i].Message.ExternalID)
		}
		inbox.CleanBatch(&bt)
		out = append(out, bt)
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return out
}

// BenchmarkIngest compares the engine's store path (upserts, aggregates,
// journal, FTS) with a bare batched INSERT of the same rows into the same
// schema, side by side. Metric: messages/s.
func BenchmarkIngest(b *testing.B) {
	b.Run("store", func(b *testing.B) {
		ingestRate(b, 1000, func(s *Store, acc int64, bt inbox.Batch) error {
			_, err := s.Ingest(context.Background(), acc, bt, time.Now())
			return err
		})
	})
	// The engine's full path: sanitising and negativity scoring, then the store.
	b.Run("service", func(b *testing.B) {
		var svc *inbox.Service
		ingestRate(b, 3000, func(s *Store, acc int64, bt inbox.Batch) error {
			if svc == nil {
				svc = inbox.NewService(s, inbox.Options{Detector: negativity.New("")})
			}
			return svc.Ingest(context.Background(), acc, bt)
		})
	})
	b.Run("bare", func(b *testing.B) {
		ingestRate(b, 2000, func(s *Store, acc int64, bt inbox.Batch) error { return bareInsert(s.w, acc, bt) })
	})
}

// ingestRate feeds fresh batches (30,000 conversations a round; content
// seeded from seed so each way of ingesting gets new rows) through ingest
// and reports messages per second, generation untimed.
func ingestRate(b *testing.B, seed uint64, ingest func(s *Store, acc int64, bt inbox.Batch) error) {
	const convs = 30000
	s := benchDB(b)
	acc, _ := s.UpsertAccount(context.Background(), inbox.Account{Network: "demo-facebook", Label: "bench", Status: inbox.AccountOK})
	msgs := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		bs := batches(b, convs, seed+uint64(i))
		b.StartTimer()
		for _, bt := range bs {
			if err := ingest(s, acc.ID, bt); err != nil {
				b.Fatal(err)
			}
			msgs += len(bt.Items)
		}
	}
	b.ReportMetric(float64(msgs)/b.Elapsed().Seconds(), "msgs/s")
}

// bareInsert is the baseline: one plain INSERT per conversation and per
// message in one transaction, no lookups, no aggregates, no journal.
func bareInsert(db *sql.DB, acc int64, bt inbox.Batch) error {
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	conv, err := tx.Prepare(`INSERT INTO conversations (account_id, network, external_id, kind, preview, author_name, last_in_at, wait_since, needs_reply, messages)
		VALUES (?, 'demo-facebook', ?, ?, ?, ?, ?, ?, 1, 3) ON CONFLICT DO NOTHING RETURNING id`)
	if err != nil {
		return err
	}
	defer conv.Close()
	msg, err := tx.Prepare(`INSERT INTO messages (conversation_id, account_id, external_id, parent_id, direction, author_id,
		author_handle, author_name, author_url, text, rating, created_at, permalink, delivery)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '')`)
	if err != nil {
		return err
	}
	defer msg.Close()
	ids := map[string]int64{}
	for _, it := range bt.Items {
		id, ok := ids[it.ConversationID]
		if !ok {
			at := it.Message.CreatedAt.UnixMilli()
			if err := conv.QueryRow(acc, it.ConversationID, string(it.Kind), it.Message.Text, it.Message.Author.Name, at, at).Scan(&id); err != nil {
				return err
			}
			ids[it.ConversationID] = id
		}
		m := it.Message
		if _, err := msg.Exec(id, acc, m.ExternalID, m.ParentID, string(m.Direction), m.Author.ID, m.Author.Handle,
			m.Author.Name, m.Author.URL, m.Text, m.Rating, m.CreatedAt.UnixMilli(), m.Permalink); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// BenchmarkSearch: the first page of a full-text search.
func BenchmarkSearch(b *testing.B) {
	s := benchDBReadOnly(b)
	for _, q := range []string{"refund", "koffie bestelling", "доставляете", "charged twice", "zzzznotthere"} {
		b.Run(q, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := s.Search(context.Background(), q, 50); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/search")
		})
	}
}

// BenchmarkListWindow: one window of each view, from the top.
func BenchmarkListWindow(b *testing.B) {
	s := benchDBReadOnly(b)
	for _, v := range inbox.Views {
		b.Run(v.String(), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := s.List(context.Background(), inbox.Page{View: v, Limit: 90}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchDBReadOnly opens PARLEY_BENCH_DB in place (no copy: reads only), or
// a small generated database.
func benchDBReadOnly(b *testing.B) *Store {
	b.Helper()
	if src := os.Getenv("PARLEY_BENCH_DB"); src != "" {
		s, err := Open(context.Background(), src)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { s.Close() })
		return s
	}
	s := benchDB(b)
	acc, _ := s.UpsertAccount(context.Background(), inbox.Account{Network: "demo-facebook", Label: "bench", Status: inbox.AccountOK})
	for _, bt := range batches(b, 20000, 1) {
		if _, err := s.Ingest(context.Background(), acc.ID, bt, time.Now()); err != nil {
			b.Fatal(err)
		}
	}
	return s
}

// BenchmarkTeamCounts: the team views' counts at 10⁶ conversations (10%
// spam, half of them owned by one manager, as a rule assigning everything
// would leave them), read from the counters (0016) against the counts as
// they were taken before (index ranges over the rows), in the same run.
func BenchmarkTeamCounts(b *testing.B) {
	s := benchDB(b)
	ctx := context.Background()
	acc, _ := s.UpsertAccount(ctx, inbox.Account{Network: "demo-facebook", Label: "bench", Status: inbox.AccountOK})
	if _, err := s.w.Exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000)
		INSERT INTO conversations (account_id, network, external_id, kind, state, assignee, spam)
		SELECT ?, 'demo-facebook', 'x' || i, 'comment', CASE WHEN i % 10 = 0 OR i % 3 = 0 THEN 'done' ELSE 'open' END,
			CASE WHEN i % 2 = 0 THEN 'bob' ELSE '' END, i % 10 = 0 FROM n`, acc.ID); err != nil {
		b.Fatal(err)
	}
	for _, network := range []string{"", "demo-facebook"} {
		b.Run("counters/network="+network, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := s.TeamCounts(ctx, "bob", network); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("ranges/network="+network, func(b *testing.B) {
			and, args := "", []any{}
			if network != "" {
				and, args = " AND c.network = ?", []any{network}
			}
			for i := 0; i < b.N; i++ {
				for _, q := range []string{
					`SELECT count(*) FROM conversations c WHERE c.spam = 1`,
					`SELECT count(*) FROM conversations c INDEXED BY conv_mine WHERE c.state = 'open' AND c.assignee <> '' AND c.assignee = 'bob'`,
					`SELECT count(*) FROM conversations c INDEXED BY conv_mine WHERE c.state = 'open' AND c.assignee <> ''`,
				} {
					var n int
					if err := s.r.QueryRow(q+and, args...).Scan(&n); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
