package sqlite

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/inbox/rules"
)

func extIDs(cs []inbox.Conversation) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.ExternalID)
	}
	slices.Sort(out)
	return out
}

func TestAssignReassignUnassignAreJournalledAndUndone(t *testing.T) {
	s, acc := open(t)
	ctx := context.Background()
	svc := inbox.NewService(s, inbox.Options{Now: func() time.Time { return t0 }})
	if err := svc.Ingest(ctx, acc, inbox.Batch{Items: []inbox.Inbound{
		in("a", "m1", t0, "where is my order"), in("b", "m2", t0, "hello"), in("c", "m3", t0, "hi"),
	}}); err != nil {
		t.Fatal(err)
	}
	a, b := convByExt(t, s, "a").ID, convByExt(t, s, "b").ID
	view := func(v inbox.View, who string) []string {
		t.Helper()
		rows, err := svc.List(inbox.WithManager(ctx, who), inbox.Page{View: v, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		return extIDs(rows)
	}
	count := func(v inbox.View, who string) int {
		t.Helper()
		c, err := svc.Counts(inbox.WithManager(ctx, who), "")
		if err != nil {
			t.Fatal(err)
		}
		return c[v]
	}
	if err := svc.Assign(ctx, "ann", []int64{a, b}, "@bob "); err != nil {
		t.Fatal(err)
	}
	if got := view(inbox.ViewMine, "bob"); !slices.Equal(got, []string{"a", "b"}) || count(inbox.ViewMine, "bob") != 2 {
		t.Fatalf("bob's Mine: %v (%d)", got, count(inbox.ViewMine, "bob"))
	}
	if got := view(inbox.ViewMine, "ann"); len(got) != 0 || count(inbox.ViewMine, "ann") != 0 {
		t.Fatalf("ann's Mine: %v", got)
	}
	if got := view(inbox.ViewUnassigned, "ann"); !slices.Equal(got, []string{"c"}) || count(inbox.ViewUnassigned, "ann") != 1 {
		t.Fatalf("Unassigned: %v", got)
	}
	// An empty manager sees no Mine rows, not everyone's.
	if got := view(inbox.ViewMine, ""); len(got) != 0 {
		t.Fatalf("Mine with no manager: %v", got)
	}
	if err := svc.Assign(ctx, "cy", []int64{a}, "cy"); err != nil {
		t.Fatal(err)
	}
	if err := svc.Assign(ctx, "ann", []int64{b}, ""); err != nil {
		t.Fatal(err)
	}
	if c := convByExt(t, s, "a"); c.Assignee != "cy" {
		t.Fatalf("reassigned: %q", c.Assignee)
	}
	evs, _ := svc.Journal(ctx, b)
	if len(evs) != 2 || evs[0].Action != "assign" || evs[0].After.Assignee != "bob" || evs[1].Action != "unassign" || evs[1].Before.Assignee != "bob" {
		t.Fatalf("journal: %+v", evs)
	}
	// ann's undo takes back her unassigning; her earlier assignment of a
	// was since changed by cy, so undoing it leaves cy's choice.
	if _, err := svc.Undo(ctx, "ann"); err != nil {
		t.Fatal(err)
	}
	if c := convByExt(t, s, "b"); c.Assignee != "bob" {
		t.Fatalf("undo unassign: %q", c.Assignee)
	}
	if _, err := svc.Undo(ctx, "ann"); err != nil {
		t.Fatal(err)
	}
	if ca, cb := convByExt(t, s, "a"), convByExt(t, s, "b"); ca.Assignee != "cy" || cb.Assignee != "" {
		t.Fatalf("undo assign: a=%q b=%q", ca.Assignee, cb.Assignee)
	}
	if _, err := svc.Undo(ctx, "cy"); err != nil {
		t.Fatal(err)
	}
	if c := convByExt(t, s, "a"); c.Assignee != "bob" {
		t.Fatalf("cy's undo: %q", c.Assignee)
	}
	// Done leaves Mine; the Mine query uses its partial index.
	if err := svc.Done(ctx, "bob", []int64{a}); err != nil {
		t.Fatal(err)
	}
	if got := view(inbox.ViewMine, "bob"); len(got) != 0 {
		t.Fatalf("done still in Mine: %v", got)
	}
	plan := queryPlan(t, s, "SELECT c.id FROM conversations c WHERE "+teamViewDefs[inbox.ViewMine].where+" ORDER BY c.triage_key, c.id LIMIT 5", "bob")
	if !slices.ContainsFunc(plan, func(p string) bool { return containsAll(p, "conv_mine") }) {
		t.Fatalf("Mine does not use its index: %v", plan)
	}
}

func TestRuleAssignsOnlyUnowned(t *testing.T) {
	s, acc := open(t)
	ctx := context.Background()
	set, err := rules.Parse("rules.toml", "[[rule]]\nname = \"vip\"\nkeywords = [\"order\"]\nassign = \"bob\"\n", nil)
	if err != nil {
		t.Fatal(err)
	}
	if d := set.Rules[0].Actions().Describe(); d != "assign to bob" {
		t.Fatalf("describe: %q", d)
	}
	svc := inbox.NewService(s, inbox.Options{Now: func() time.Time { return t0 }, Rules: func() (*rules.Set, error) { return set, nil }})
	if err := svc.Ingest(ctx, acc, inbox.Batch{Items: []inbox.Inbound{in("a", "m1", t0, "my order is late"), in("b", "m2", t0, "hello")}}); err != nil {
		t.Fatal(err)
	}
	if a, b := convByExt(t, s, "a"), convByExt(t, s, "b"); a.Assignee != "bob" || b.Assignee != "" {
		t.Fatalf("rule assign: a=%q b=%q", a.Assignee, b.Assignee)
	}
	a := convByExt(t, s, "a").ID
	if err := svc.Assign(ctx, "ann", []int64{a}, "ann"); err != nil {
		t.Fatal(err)
	}
	if err := svc.Ingest(ctx, acc, inbox.Batch{Items: []inbox.Inbound{in("a", "m3", t0.Add(time.Minute), "and my order?")}}); err != nil {
		t.Fatal(err)
	}
	if c := convByExt(t, s, "a"); c.Assignee != "ann" {
		t.Fatalf("a rule overrode the manager's assignment: %q", c.Assignee)
	}
}

// queryPlan is SQLite's plan for q, one line per step.
func queryPlan(t *testing.T, s *Store, q string, args ...any) []string {
	t.Helper()
	rows, err := s.r.Query("EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		out = append(out, detail)
	}
	return out
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

// Unassigned is derived (Inbox less what is owned) so that counting it never
// scans the unowned rows; it must still equal a direct count.
func TestUnassignedCountEqualsARecount(t *testing.T) {
	s, acc := open(t)
	ctx := context.Background()
	var items []inbox.Inbound
	for i := range 30 {
		items = append(items, in(fmt.Sprint("u", i), fmt.Sprint("um", i), t0.Add(-time.Duration(i)*time.Minute), "hello"))
	}
	ids := ingest(t, s, acc, "", items...)
	svc := inbox.NewService(s, inbox.Options{Now: func() time.Time { return t0 }})
	if err := svc.Assign(ctx, "ann", ids[:7], "bob"); err != nil {
		t.Fatal(err)
	}
	if err := svc.Done(ctx, "ann", ids[5:12]); err != nil {
		t.Fatal(err)
	}
	for _, network := range []string{"", "demo-facebook", "mastodon"} {
		tc, err := s.TeamCounts(ctx, "bob", network)
		if err != nil {
			t.Fatal(err)
		}
		var want, mine int
		q, args := `SELECT count(*) FROM conversations WHERE state = 'open' AND assignee = ''`, []any{}
		qm := `SELECT count(*) FROM conversations WHERE state = 'open' AND assignee = 'bob'`
		if network != "" {
			q += " AND network = ?"
			qm += " AND network = ?"
			args = append(args, network)
		}
		s.r.QueryRow(q, args...).Scan(&want)
		s.r.QueryRow(qm, args...).Scan(&mine)
		if tc[inbox.ViewUnassigned] != want || tc[inbox.ViewMine] != mine {
			t.Fatalf("network %q: unassigned %d (want %d), mine %d (want %d)", network, tc[inbox.ViewUnassigned], want, tc[inbox.ViewMine], mine)
		}
	}
}

// The team counts read only their counters, never the conversations, so
// they cost the same at 10⁶ conversations as at ten.
func TestTeamCountsReadOnlyCounters(t *testing.T) {
	s, _ := open(t)
	for _, network := range []string{"", "mastodon"} {
		plan := queryPlan(t, s, sqlTeamCounts, "bob", network)
		readsRows := slices.ContainsFunc(plan, func(p string) bool { return containsAll(p, "conversations") || containsAll(p, "note_mentions") })
		seeks := slices.ContainsFunc(plan, func(p string) bool { return containsAll(p, "team_counts", "PRIMARY KEY") })
		if readsRows || !seeks {
			t.Fatalf("team counts plan (network %q): %v", network, plan)
		}
	}
}
