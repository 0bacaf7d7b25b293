package tui

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/inbox/sqlite"
	"github.com/parleyhq/parley/sync/demo"
)

// benchService opens PARLEY_BENCH_DB (made with `parley demo --generate
// 1000000`) or, without it, a small generated database.
func benchService(b *testing.B) *inbox.Service {
	b.Helper()
	ctx := context.Background()
	path := os.Getenv("PARLEY_BENCH_DB")
	if path == "" {
		path = filepath.Join(b.TempDir(), "bench.db")
	}
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	svc := inbox.NewService(st, inbox.Options{})
	if os.Getenv("PARLEY_BENCH_DB") == "" {
		acc, _ := svc.AddAccount(ctx, inbox.Account{Network: "demo-facebook", Label: "bench"})
		err := demo.Generate(1, 20000, time.Now(), func(_ int, bt inbox.Batch) error { return svc.Ingest(ctx, acc.ID, bt) })
		if err != nil {
			b.Fatal(err)
		}
	}
	return svc
}

// syncRun runs a command and feeds its message (batches included) back.
func syncRun(m *Model, cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	msg := cmd()
	if batch, ok := msg.(tea.BatchMsg); ok {
		for _, c := range batch {
			syncRun(m, c)
		}
		return
	}
	switch msg.(type) {
	case windowMsg, moreMsg, countsMsg, accountsMsg, corpusMsg, filterMsg, searchMsg:
		_, next := m.Update(msg)
		syncRun(m, next)
	}
}

func openInbox(b *testing.B, svc *inbox.Service, withCounts bool) *Model {
	m, err := New(Options{Service: svc, Context: context.Background()})
	if err != nil {
		b.Fatal(err)
	}
	m.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
	syncRun(m, m.reload(nil, false))
	if withCounts {
		syncRun(m, loadCounts(m.ctx, m.svc, ""))
	}
	syncRun(m, loadAccounts(m.ctx, m.svc))
	_ = m.View()
	return m
}

// BenchmarkOpenInbox: from a new model to the first full frame of the Inbox
// (window query, accounts, render); with_counts adds the six view counts,
// which the program fetches concurrently.
func BenchmarkOpenInbox(b *testing.B) {
	svc := benchService(b)
	for _, withCounts := range []bool{false, true} {
		name := "first_frame"
		if withCounts {
			name = "with_counts"
		}
		b.Run(name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				openInbox(b, svc, withCounts)
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/open")
		})
	}
}

// BenchmarkMoveSelection: one `j`, Update + View, which is what the event
// loop does before the frame is drawn. Page fetches near the window's edge
// run in commands off the loop; they are timed apart (fetch-ms, including
// the Update + View that installs the page) as the program would run them
// concurrently. Reports percentiles of the key frames.
func BenchmarkMoveSelection(b *testing.B) {
	svc := benchService(b)
	m := openInbox(b, svc, true)
	j := tea.KeyPressMsg{Code: 'j', Text: "j"}
	durs := make([]time.Duration, 0, b.N)
	var fetch time.Duration
	fetches := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		_, cmd := m.Update(j)
		_ = m.View()
		durs = append(durs, time.Since(start))
		if cmd != nil {
			start = time.Now()
			syncRun(m, cmd)
			_ = m.View()
			fetch += time.Since(start)
			fetches++
		}
		if i%2000 == 1999 {
			syncRun(m, m.reload(nil, false)) // back to the top, like g
		}
	}
	sort.Slice(durs, func(a, c int) bool { return durs[a] < durs[c] })
	b.ReportMetric(float64(durs[len(durs)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(durs[len(durs)/2].Microseconds())/1000, "p50-ms")
	if fetches > 0 {
		b.ReportMetric(float64(fetch.Microseconds())/1000/float64(fetches), "fetch-ms")
	}
}

// BenchmarkFilterKeystroke: one keystroke of the fuzzy filter over a
// 10,000-row view (the corpus is loaded once when / is pressed).
func BenchmarkFilterKeystroke(b *testing.B) {
	svc := benchService(b)
	rows, err := svc.FilterCorpus(context.Background(), inbox.ViewAll, "", 10000)
	if err != nil || len(rows) < 10000 {
		b.Fatalf("corpus: %d rows, %v", len(rows), err)
	}
	targets := make([]string, len(rows))
	for i, c := range rows {
		targets[i] = filterTarget(c)
	}
	queries := []string{"e", "em", "emm", "emma", "emma r", "emma re", "emma ref", "emma refu", "emma refun", "emma refund"}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		runFilter(i, queries[i%len(queries)], rows, targets)()
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/key")
}
