package sqlite

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/inbox/rules"
)

// recount counts every view the slow way, straight from viewDefs: what the
// maintained counters must always equal.
func recount(t *testing.T, s *Store, network string) inbox.Counts {
	t.Helper()
	return countSlowly(t, s, inbox.Views, viewDefs, "", network)
}

// recountTeam counts the team views for one manager the slow way, straight
// from teamViewDefs.
func recountTeam(t *testing.T, s *Store, manager, network string) inbox.Counts {
	t.Helper()
	return countSlowly(t, s, inbox.TeamViews, teamViewDefs, manager, network)
}

func countSlowly(t *testing.T, s *Store, views []inbox.View, defs map[inbox.View]viewDef, manager, network string) inbox.Counts {
	t.Helper()
	out := inbox.Counts{}
	for _, v := range views {
		q := "SELECT count(*) FROM conversations c WHERE " + defs[v].where
		args := viewArgs(v, manager)
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

// countManagers are the managers whose team counts checkCounts compares:
// names that differ only in case (ASCII and not), and nobody.
var countManagers = []string{"ann", "bob", "Bob", "åsa", "Åsa", ""}

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
		for _, who := range countManagers {
			got, err := s.TeamCounts(context.Background(), who, nw)
			if err != nil {
				t.Fatal(err)
			}
			want := recountTeam(t, s, who, nw)
			for _, v := range inbox.TeamViews {
				if got[v] != want[v] {
					t.Fatalf("step %d (%s), network %q, manager %q: %s count %d, recount %d (all: %v vs %v)", step, what, nw, who, v, got[v], want[v], got, want)
				}
			}
		}
	}
}

// The counters equal a full recount after any sequence of ingest (with
// rules that assign and mark spam), triage, assignment, spam, notes with
// @mentions, undo, snooze expiry and reply, on every network and on all of
// them, for every manager; and after conversations are deleted.
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
	set, err := rules.Parse("rules.toml", `
[[rule]]
name = "belgium"
keywords = ["ghent"]
assign = "bob"

[[rule]]
name = "followers"
keywords = ["followers"]
spam = true
`, nil)
	if err != nil {
		t.Fatal(err)
	}
	svc := inbox.NewService(s, inbox.Options{ReplyMarksDone: r.IntN(2) == 0, Now: clk.now,
		Deliverable: func(d string) bool { return d == "support" },
		Rules:       func() (*rules.Set, error) { return set, nil }})
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
	texts := []string{"hello there", "hello there", "do you ship to ghent?", "free followers", "ghent followers"}
	msg := 0
	for step := range 400 {
		actor := actors[r.IntN(len(actors))]
		ids := pick()
		var what string
		var err error
		switch op := r.IntN(15); {
		case op <= 2 || len(ids) == 0:
			what = "ingest"
			var items []inbox.Inbound
			for range 1 + r.IntN(4) {
				msg++
				it := in(fmt.Sprint(r.IntN(30)), fmt.Sprint("m", msg), clk.now().Add(-time.Duration(r.IntN(600))*time.Minute), texts[r.IntN(len(texts))])
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
		case op == 11:
			what, err = "assign", svc.Assign(ctx, actor, ids, countManagers[r.IntN(len(countManagers))])
		case op == 12:
			what, err = "spam", svc.MarkSpam(ctx, actor, ids)
		case op == 13:
			what, err = "not spam", svc.NotSpam(ctx, actor, ids)
		case op == 14:
			what = "note"
			text := "see"
			for range r.IntN(3) {
				text += " @" + countManagers[r.IntN(len(countManagers)-1)]
			}
			// A few conversations get most notes, so managers are named
			// again where they were already (in another case, too).
			_, err = svc.AddNote(ctx, actor, convs[r.IntN(min(4, len(convs)))], text)
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
	// Nothing in parley moves a conversation to another network or deletes
	// it, but the counters must not drift if something ever does.
	var kept []int64
	for i, id := range convs {
		if i >= 6 || i%2 == 0 {
			kept = append(kept, id)
		}
		if i >= 6 {
			continue
		}
		q := `DELETE FROM conversations WHERE id = ?`
		if i%2 == 0 {
			q = `UPDATE conversations SET network = 'demo-x-' || network WHERE id = ?`
		}
		for _, t := range []string{"outbox", "events", "drafts", "conversation_tags", "messages"} {
			if i%2 == 1 {
				s.w.Exec(`DELETE FROM `+t+` WHERE conversation_id = ?`, id)
			}
		}
		if _, err := s.w.Exec(q, id); err != nil {
			t.Fatalf("%s %d: %v", q, id, err)
		}
		checkCounts(t, s, append(networks, "demo-x-demo-facebook", "demo-x-demo-vk"), i, q)
	}
	convs = kept
	c, _ := s.Counts(ctx, "")
	tc, _ := s.TeamCounts(ctx, "bob", "")
	t.Logf("final counts %v; bob's %v", c, tc)

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
	s = rollBack(t, s, path,
		`DROP TRIGGER view_counts_insert`, `DROP TRIGGER view_counts_update`,
		`DROP TRIGGER view_counts_delete`, `DROP TABLE view_counts`, `DELETE FROM schema_migrations WHERE version = 9`)
	checkCounts(t, s, []string{"demo-vk"}, 0, "migration")
	if c, _ := s.Counts(ctx, ""); c[inbox.ViewAll] != 20 || c[inbox.ViewDone] != 1 {
		t.Fatalf("counts after migration %v: want 20 in All, 1 Done", c)
	}
}

// Migrating a database that already has spam, owned conversations and
// mentions fills the team counters from what is there.
func TestTeamCountsMigrationFillsCountersFromExistingRows(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "p.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := s.UpsertAccount(ctx, inbox.Account{Network: "demo-vk", Label: "x", Status: inbox.AccountOK})
	var ids []int64
	for i := range 12 {
		ids = append(ids, ingest(t, s, a.ID, "", in(fmt.Sprint(i), fmt.Sprint("m", i), t0.Add(-time.Duration(i)*time.Minute), "hi"))...)
	}
	svc := inbox.NewService(s, inbox.Options{Now: func() time.Time { return t0 }})
	steps := []error{
		svc.Assign(ctx, "ann", ids[:4], "bob"),
		svc.Assign(ctx, "ann", ids[4:6], "Bob"),
		svc.MarkSpam(ctx, "ann", ids[5:8]),
	}
	for _, id := range ids[2:5] {
		_, err := svc.AddNote(ctx, "ann", id, "@bob @Bob look")
		steps = append(steps, err)
	}
	for _, err := range steps {
		if err != nil {
			t.Fatal(err)
		}
	}
	// Back to the schema before 0016, as an older parley left it.
	s = rollBack(t, s, path,
		`DROP TRIGGER team_counts_insert`, `DROP TRIGGER team_counts_update`, `DROP TRIGGER team_counts_delete`,
		`DROP TRIGGER team_counts_mentions_network`, `DROP TRIGGER team_counts_mention`, `DROP TRIGGER team_counts_unmention`,
		`DROP TABLE team_counts`, `DELETE FROM schema_migrations WHERE version = 16`)
	checkCounts(t, s, []string{"demo-vk"}, 0, "migration")
	c, err := s.TeamCounts(ctx, "bob", "")
	if err != nil || c[inbox.ViewMine] != 4 || c[inbox.ViewSpam] != 3 || c[inbox.ViewMentions] != 3 || c[inbox.ViewUnassigned] != 12-3-5 {
		t.Fatalf("bob's counts after migration %v %v: want 4 Mine, 3 Spam, 3 Mentions, 4 Unassigned", c, err)
	}
}
