package sqlite

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// recount counts every view the slow way, straight from viewDefs: what the
// maintained counters must always equal.
func recount(t *testing.T, s *Store, network string) inbox.Counts {
	t.Helper()
	out := inbox.Counts{}
	for _, v := range inbox.Views {
		q := "SELECT count(*) FROM conversations c WHERE " + viewDefs[v].where
		args := []any{}
		if network != "" {
			q += " AND c.network = ?"
			args = append(args, network)
		}
		var n int
		if err := s.r.QueryRow(q, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[v] = n
	}
	return out
}

func checkCounts(t *testing.T, s *Store, networks []string, step int, what string) {
	t.Helper()
	for _, nw := range append([]string{""}, networks...) {
		got, err := s.Counts(context.Background(), nw)
		if err != nil {
			t.Fatal(err)
		}
		want := recount(t, s, nw)
		for _, v := range inbox.Views {
			if got[v] != want[v] {
				t.Fatalf("step %d (%s), network %q: %s count %d, recount %d (all: %v vs %v)", step, what, nw, v, got[v], want[v], got, want)
			}
		}
	}
}

// The counters equal a full recount after any sequence of ingest, triage,
// undo, snooze expiry and reply, on every network and on all of them.
func TestCountsMatchRecountAfterRandomChanges(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 0))
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	clk := newClock(t0)
	svc := inbox.NewService(s, inbox.Options{ReplyMarksDone: r.IntN(2) == 0, Now: clk.now,
		Deliverable: func(d string) bool { return d == "support" }})
	networks := []string{"demo-facebook", "demo-vk"}
	var accs []int64
	for _, nw := range networks {
		a, err := svc.AddAccount(ctx, inbox.Account{Network: nw, Label: "Brand " + nw})
		if err != nil {
			t.Fatal(err)
		}
		accs = append(accs, a.ID)
	}
	var convs []int64
	pick := func() []int64 {
		if len(convs) == 0 {
			return nil
		}
		n := 1 + r.IntN(min(3, len(convs)))
		out := make([]int64, 0, n)
		for range n {
			out = append(out, convs[r.IntN(len(convs))])
		}
		return out
	}
	actors := []string{"ann", "bob"}
	msg := 0
	for step := range 400 {
		actor := actors[r.IntN(len(actors))]
		ids := pick()
		var what string
		var err error
		switch op := r.IntN(11); {
		case op <= 2 || len(ids) == 0:
			what = "ingest"
			var items []inbox.Inbound
			for range 1 + r.IntN(4) {
				msg++
				it := in(fmt.Sprint(r.IntN(30)), fmt.Sprint("m", msg), clk.now().Add(-time.Duration(r.IntN(600))*time.Minute), "hello there")
				if r.IntN(4) == 0 {
					it.Kind, it.Message.Rating = inbox.KindReview, 1+r.IntN(5)
				}
				items = append(items, it)
			}
			err = svc.Ingest(ctx, accs[r.IntN(len(accs))], inbox.Batch{Items: items})
		case op == 3:
			what, err = "done", svc.Done(ctx, actor, ids)
		case op == 4:
			what, err = "snooze", svc.Snooze(ctx, actor, ids, clk.now().Add(time.Duration(1+r.IntN(120))*time.Minute))
		case op == 5:
			what, err = "negative", svc.SetNegative(ctx, actor, ids, r.IntN(2) == 0)
		case op == 6:
			what, err = "escalate", svc.Escalate(ctx, actor, ids, []string{"support", "legal"}[r.IntN(2)], "look")
		case op == 7:
			what, err = "resolve", svc.Resolve(ctx, actor, ids)
		case op == 8:
			what = "undo"
			_, err = svc.Undo(ctx, actor)
		case op == 9:
			what = "snooze expiry"
			clk.add(time.Duration(r.IntN(90)) * time.Minute)
			err = svc.WakeSnoozed(ctx)
		default:
			what = "reply"
			_, err = svc.Reply(ctx, actor, ids[0], "thanks, on it")
		}
		if err != nil && what != "undo" && what != "reply" {
			t.Fatalf("step %d %s: %v", step, what, err)
		}
		if what == "ingest" {
			convs = convs[:0]
			rows, err := s.r.Query(`SELECT id FROM conversations ORDER BY id`)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var id int64
				rows.Scan(&id)
				convs = append(convs, id)
			}
			rows.Close()
		}
		checkCounts(t, s, networks, step, what)
	}
	c, _ := s.Counts(ctx, "")
	t.Logf("final counts %v", c)

	// Placements (what change events carry) agree with the views too.
	pl, err := s.Place(ctx, convs)
	if err != nil {
		t.Fatal(err)
	}
	placed := inbox.Counts{}
	for _, p := range pl {
		for v := range p.Keys {
			placed[v]++
		}
	}
	for _, v := range inbox.Views {
		if placed[v] != c[v] {
			t.Fatalf("%d conversations placed in %s, %d counted", placed[v], v, c[v])
		}
		rows, err := s.List(ctx, inbox.Page{View: v, Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range pl {
			if len(rows) > 0 && p.ID == rows[0].ID && p.Keys[v] != rows[0].Key {
				t.Fatalf("%s: placed at key %d, listed at %d", v, p.Keys[v], rows[0].Key)
			}
		}
	}
}

// Migrating a database that already holds conversations fills the counters
// from what is there.
func TestCountsMigrationFillsCountersFromExistingRows(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "p.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := s.UpsertAccount(ctx, inbox.Account{Network: "demo-vk", Label: "x", Status: inbox.AccountOK})
	for i := range 20 {
		it := in(fmt.Sprint(i), fmt.Sprint("m", i), t0.Add(-time.Duration(i)*time.Minute), "hi")
		if i%3 == 0 {
			it.Kind, it.Message.Rating = inbox.KindReview, 1
		}
		ingest(t, s, a.ID, "", it)
	}
	svc := inbox.NewService(s, inbox.Options{Now: func() time.Time { return t0 }})
	var id int64
	s.r.QueryRow(`SELECT id FROM conversations LIMIT 1`).Scan(&id)
	if err := svc.Done(ctx, "ann", []int64{id}); err != nil {
		t.Fatal(err)
	}
	// Back to the schema before 0009, as an older parley left it.
	for _, q := range []string{`DROP TRIGGER view_counts_insert`, `DROP TRIGGER view_counts_update`,
		`DROP TRIGGER view_counts_delete`, `DROP TABLE view_counts`, `DELETE FROM schema_migrations WHERE version = 9`} {
		if _, err := s.w.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	s, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	checkCounts(t, s, []string{"demo-vk"}, 0, "migration")
	if c, _ := s.Counts(ctx, ""); c[inbox.ViewAll] != 20 || c[inbox.ViewDone] != 1 {
		t.Fatalf("counts after migration %v: want 20 in All, 1 Done", c)
	}
}
