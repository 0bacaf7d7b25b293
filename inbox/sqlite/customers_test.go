package sqlite

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
)

func TestMatchKeys(t *testing.T) {
	for _, c := range []struct{ in, name, handle string }{
		{"José Núñez", "josenunez", "josenunez"},
		{"  JOSE nunez. ", "josenunez", "josenunez"},
		{"@jose_nunez@mastodon.social", "josenunezmastodonsocial", "josenunez"},
		{"jose-nunez.bsky.social", "josenunezbskysocial", "josenunez"},
		{"Søren Łukasz", "sorenlukasz", "sorenlukasz"},
		{"Jo", "", ""},
		{"id123456", "id123456", "id123456"},
		{"123456", "", ""},
		{"", "", ""},
	} {
		if got := inbox.MatchKey(c.in); got != c.name {
			t.Errorf("MatchKey(%q) = %q, want %q", c.in, got, c.name)
		}
		if got := inbox.HandleKey(c.in); got != c.handle {
			t.Errorf("HandleKey(%q) = %q, want %q", c.in, got, c.handle)
		}
	}
}

// customerWorld is one person on four networks, spelt four ways, plus a
// namesake on a second account of the first network and a stranger.
type customerWorld struct {
	s                   *Store
	svc                 *inbox.Service
	fb, masto, bsky, tg inbox.IdentityRef
	fbConv              int64
}

func newCustomerWorld(t *testing.T) *customerWorld {
	t.Helper()
	s, fb := open(t)
	ctx := context.Background()
	svc := inbox.NewService(s, inbox.Options{Now: func() time.Time { return t0 }})
	acc := func(network, label string) int64 {
		a, err := s.UpsertAccount(ctx, inbox.Account{Network: network, Label: label, Status: inbox.AccountOK})
		if err != nil {
			t.Fatal(err)
		}
		return a.ID
	}
	masto, bsky, tg, fb2 := acc("mastodon", "brand@social"), acc("bluesky", "brand.bsky.social"), acc("telegram", "@brandbot"), acc("demo-facebook", "Second page")
	say := func(acc int64, conv, msg string, ago time.Duration, a inbox.Author, text string) {
		t.Helper()
		if err := svc.Ingest(ctx, acc, inbox.Batch{Items: []inbox.Inbound{{ConversationID: conv, Kind: inbox.KindComment, Message: inbox.Message{
			ExternalID: msg, Direction: inbox.In, Text: text, CreatedAt: t0.Add(-ago), Author: a}}}}); err != nil {
			t.Fatal(err)
		}
	}
	say(fb, "fb1", "fbm1", 72*time.Hour, inbox.Author{ID: "f-1", Name: "José Núñez"}, "my order never came, terrible")
	say(fb, "fb2", "fbm2", 2*time.Hour, inbox.Author{ID: "f-1", Name: "José Núñez"}, "still waiting")
	say(masto, "ma1", "mam1", 24*time.Hour, inbox.Author{ID: "m-9", Handle: "@jose_nunez@mastodon.social", Name: "Jose"}, "any news?")
	say(bsky, "bs1", "bsm1", 5*time.Hour, inbox.Author{ID: "did:plc:abc", Handle: "jose-nunez.bsky.social", Name: "J."}, "hello")
	say(tg, "tg1", "tgm1", 100*time.Hour, inbox.Author{ID: "777", Handle: "@nunezjose", Name: "JOSE NUNEZ"}, "hi")
	say(fb2, "fb9", "fbm9", time.Hour, inbox.Author{ID: "f-2", Name: "Jose Nunez"}, "a namesake on the same network")
	say(masto, "ma2", "mam2", time.Hour, inbox.Author{ID: "m-2", Handle: "@jo", Name: "Jo"}, "a stranger")
	w := &customerWorld{s: s, svc: svc, fb: inbox.IdentityRef{AccountID: fb, AuthorID: "f-1"},
		masto: inbox.IdentityRef{AccountID: masto, AuthorID: "m-9"}, bsky: inbox.IdentityRef{AccountID: bsky, AuthorID: "did:plc:abc"},
		tg: inbox.IdentityRef{AccountID: tg, AuthorID: "777"}}
	w.fbConv = convByExt(t, s, "fb2").ID
	return w
}

func refs(ids []inbox.Identity) []inbox.IdentityRef {
	var out []inbox.IdentityRef
	for _, i := range ids {
		out = append(out, i.Ref())
	}
	return out
}

func (w *customerWorld) profile(t *testing.T, ext string) inbox.Profile {
	t.Helper()
	p, err := w.svc.Profile(context.Background(), convByExt(t, w.s, ext).ID)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Suggestions match names and handles however they are spelt, on other
// networks only, and never the customer's own identities.
func TestLinkSuggestions(t *testing.T) {
	w := newCustomerWorld(t)
	p := w.profile(t, "fb2")
	if got := refs(p.Suggested); !slices.Equal(got, []inbox.IdentityRef{w.bsky, w.masto, w.tg}) {
		t.Fatalf("suggested from facebook: %+v", p.Suggested)
	}
	if len(p.Identities) != 1 || p.Identities[0].Ref() != w.fb || p.Linked() {
		t.Fatalf("identities: %+v", p.Identities)
	}
	// "JOSE NUNEZ" by name from Telegram finds José by his name, not the
	// namesake's network twice, and not Telegram itself.
	p = w.profile(t, "tg1")
	got := refs(p.Suggested)
	if !slices.Contains(got, w.fb) || slices.Contains(got, w.tg) {
		t.Fatalf("suggested from telegram: %+v", p.Suggested)
	}
	for _, s := range p.Suggested {
		if s.Network == "telegram" {
			t.Fatalf("suggested on the same network: %+v", s)
		}
	}
	// A two-letter name suggests nothing.
	if p := w.profile(t, "ma2"); len(p.Suggested) != 0 {
		t.Fatalf("Jo: %+v", p.Suggested)
	}
}

func customers(t *testing.T, s *Store) int {
	t.Helper()
	var n int
	if err := s.r.QueryRow(`SELECT count(*) FROM customers`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Linking makes the profile span networks; unlinking and undo put every
// identity back where it was, and the journal says who did it.
func TestLinkUnlinkUndo(t *testing.T) {
	w := newCustomerWorld(t)
	ctx := context.Background()
	if err := w.svc.Tag(ctx, "ann", []int64{convByExt(t, w.s, "ma1").ID}, "refund"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.AddNote(ctx, "bob", convByExt(t, w.s, "ma1").ID, "called him on mastodon"); err != nil {
		t.Fatal(err)
	}
	if err := w.svc.Link(ctx, "ann", w.fbConv, w.fb, w.masto); err != nil {
		t.Fatal(err)
	}
	p := w.profile(t, "fb2")
	if got := refs(p.Identities); !slices.Equal(got, []inbox.IdentityRef{w.fb, w.masto}) || !p.Linked() {
		t.Fatalf("identities: %+v", p.Identities)
	}
	if p.Total != 3 || extIDsInOrder(p.Conversations) != "fb2 ma1 fb1" {
		t.Fatalf("conversations: %d %s", p.Total, extIDsInOrder(p.Conversations))
	}
	if p.Conversations[1].Network != "mastodon" || p.Conversations[0].Network != "demo-facebook" {
		t.Fatalf("networks: %+v", p.Conversations)
	}
	if p.Tags["refund"] != 1 || len(p.Notes) != 1 || p.Notes[0].Text != "called him on mastodon" {
		t.Fatalf("tags %v notes %+v", p.Tags, p.Notes)
	}
	if want := t0.Add(-72 * time.Hour); !p.FirstSeen.Equal(want) {
		t.Fatalf("first seen %v, want %v", p.FirstSeen, want)
	}
	if got := refs(p.Suggested); !slices.Equal(got, []inbox.IdentityRef{w.bsky, w.tg}) {
		t.Fatalf("suggested once mastodon is linked: %+v", p.Suggested)
	}
	// Seen from Mastodon, the same customer, Mastodon first.
	if got := refs(w.profile(t, "ma1").Identities); !slices.Equal(got, []inbox.IdentityRef{w.masto, w.fb}) {
		t.Fatalf("from mastodon: %+v", got)
	}
	evs, _ := w.svc.Journal(ctx, w.fbConv)
	if last := evs[len(evs)-1]; last.Actor != "ann" || last.Describe() != "linked José Núñez on demo-facebook with Jose (@jose_nunez@mastodon.social) on mastodon" {
		t.Fatalf("journal: %q by %s", last.Describe(), last.Actor)
	}
	if err := w.svc.Link(ctx, "ann", w.fbConv, w.masto, w.fb); !errors.Is(err, inbox.ErrConflict) {
		t.Fatalf("linking twice: %v", err)
	}
	if err := w.svc.Link(ctx, "ann", w.fbConv, w.fb, w.fb); !errors.Is(err, inbox.ErrInvalid) {
		t.Fatalf("linking to itself: %v", err)
	}
	if err := w.svc.Link(ctx, "ann", w.fbConv, w.fb, inbox.IdentityRef{AccountID: w.fb.AccountID, AuthorID: "nobody"}); !errors.Is(err, inbox.ErrNotFound) {
		t.Fatalf("linking someone unknown: %v", err)
	}
	if err := w.svc.Unlink(ctx, "ann", w.fbConv, w.tg); !errors.Is(err, inbox.ErrInvalid) {
		t.Fatalf("unlinking the unlinked: %v", err)
	}

	if err := w.svc.Link(ctx, "ann", w.fbConv, w.fb, w.bsky); err != nil {
		t.Fatal(err)
	}
	if err := w.svc.Unlink(ctx, "bob", w.fbConv, w.masto); err != nil {
		t.Fatal(err)
	}
	if got := refs(w.profile(t, "fb2").Identities); !slices.Equal(got, []inbox.IdentityRef{w.fb, w.bsky}) {
		t.Fatalf("after unlinking mastodon: %+v", got)
	}
	// Bob's undo brings Mastodon back; ann's undo takes Bluesky out, then
	// dissolves the customer.
	if _, err := w.svc.Undo(ctx, "bob"); err != nil {
		t.Fatal(err)
	}
	if got := refs(w.profile(t, "fb2").Identities); !slices.Equal(got, []inbox.IdentityRef{w.fb, w.bsky, w.masto}) {
		t.Fatalf("after bob's undo: %+v", got)
	}
	if _, err := w.svc.Undo(ctx, "ann"); err != nil {
		t.Fatal(err)
	}
	if got := refs(w.profile(t, "fb2").Identities); !slices.Equal(got, []inbox.IdentityRef{w.fb, w.masto}) {
		t.Fatalf("after ann's undo: %+v", got)
	}
	u, err := w.svc.Undo(ctx, "ann")
	if err != nil || !strings.HasPrefix(u.Describe(), "undid link: José Núñez") {
		t.Fatalf("undo: %q %v", u.Describe(), err)
	}
	if p := w.profile(t, "fb2"); p.Linked() || p.Total != 2 || customers(t, w.s) != 0 {
		t.Fatalf("after undoing the first link: %+v, %d customers", p.Identities, customers(t, w.s))
	}
	evs, _ = w.svc.Journal(ctx, w.fbConv)
	var log []string
	for _, e := range evs {
		s := e.Describe()
		if e.Undone {
			s += " (undone)"
		}
		log = append(log, s)
	}
	if !strings.Contains(strings.Join(log, "\n"), "unlinked Jose (@jose_nunez@mastodon.social) on mastodon (undone)") {
		t.Fatalf("journal:\n%s", strings.Join(log, "\n"))
	}
}

// Unlinking one of two dissolves the customer; undo brings it back whole.
// Linking two customers merges them, and undo splits them again.
func TestUnlinkDissolvesAndLinkMerges(t *testing.T) {
	w := newCustomerWorld(t)
	ctx := context.Background()
	if err := w.svc.Link(ctx, "ann", w.fbConv, w.fb, w.masto); err != nil {
		t.Fatal(err)
	}
	if err := w.svc.Unlink(ctx, "ann", w.fbConv, w.fb); err != nil {
		t.Fatal(err)
	}
	if p := w.profile(t, "ma1"); p.Linked() || customers(t, w.s) != 0 {
		t.Fatalf("not dissolved: %+v", p.Identities)
	}
	if _, err := w.svc.Undo(ctx, "ann"); err != nil {
		t.Fatal(err)
	}
	if got := refs(w.profile(t, "ma1").Identities); !slices.Equal(got, []inbox.IdentityRef{w.masto, w.fb}) {
		t.Fatalf("after undo: %+v", got)
	}
	// A new customer never takes the id of one an undo may bring back.
	if err := w.svc.Link(ctx, "ann", w.fbConv, w.bsky, w.tg); err != nil {
		t.Fatal(err)
	}
	if err := w.svc.Link(ctx, "ann", w.fbConv, w.fb, w.tg); err != nil {
		t.Fatal(err)
	}
	p := w.profile(t, "fb2")
	if len(p.Identities) != 4 || customers(t, w.s) != 1 || p.Total != 5 || len(p.Suggested) != 0 {
		t.Fatalf("merged: %+v (%d customers, %d conversations, suggested %+v)", p.Identities, customers(t, w.s), p.Total, p.Suggested)
	}
	if _, err := w.svc.Undo(ctx, "ann"); err != nil {
		t.Fatal(err)
	}
	if got := refs(w.profile(t, "bs1").Identities); !slices.Equal(got, []inbox.IdentityRef{w.bsky, w.tg}) {
		t.Fatalf("split again: %+v", got)
	}
	if got := refs(w.profile(t, "fb2").Identities); !slices.Equal(got, []inbox.IdentityRef{w.fb, w.masto}) {
		t.Fatalf("split again: %+v", got)
	}
}

// Ingest keeps each person's latest name, and suggestions follow it.
func TestIdentityFollowsRenames(t *testing.T) {
	w := newCustomerWorld(t)
	ctx := context.Background()
	if err := w.svc.Ingest(ctx, w.bsky.AccountID, inbox.Batch{Items: []inbox.Inbound{{ConversationID: "bs1", Kind: inbox.KindComment,
		Message: inbox.Message{ExternalID: "bsm2", Direction: inbox.In, Text: "new name", CreatedAt: t0,
			Author: inbox.Author{ID: "did:plc:abc", Handle: "someone-else.bsky.social", Name: "Someone Else"}}}}}); err != nil {
		t.Fatal(err)
	}
	if got := refs(w.profile(t, "fb2").Suggested); !slices.Equal(got, []inbox.IdentityRef{w.masto, w.tg}) {
		t.Fatalf("suggested after the rename: %+v", got)
	}
}

// A database from before customers gets its identities, keys and all,
// from the conversations already stored.
func TestMigrationBuildsIdentities(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := s.UpsertAccount(ctx, inbox.Account{Network: "demo-facebook", Label: "Brand", Status: inbox.AccountOK})
	ingest(t, s, a.ID, "", inbox.Inbound{ConversationID: "c", Kind: inbox.KindComment, Message: inbox.Message{
		ExternalID: "m", Direction: inbox.In, Text: "hi", CreatedAt: t0, Author: inbox.Author{ID: "u1", Name: "Zoë Ångström", Handle: "@zoe"}}})
	s = rollBack(t, s, path,
		`DROP TABLE link_journal`, `DROP TABLE identities`, `DROP TABLE customers`,
		`DELETE FROM schema_migrations WHERE version = 15`)
	var name, nk, hk string
	if err := s.r.QueryRow(`SELECT name, name_key, handle_key FROM identities WHERE account_id = ? AND author_id = 'u1'`, a.ID).Scan(&name, &nk, &hk); err != nil {
		t.Fatal(err)
	}
	if name != "Zoë Ångström" || nk != "zoeangstrom" || hk != "zoe" {
		t.Fatalf("identity: %q %q %q", name, nk, hk)
	}
}

func extIDsInOrder(cs []inbox.Conversation) string {
	var out []string
	for _, c := range cs {
		out = append(out, c.ExternalID)
	}
	return strings.Join(out, " ")
}

// Suggestions look keys up in their indexes, never scan identities.
func TestSuggestionsUseTheKeyIndexes(t *testing.T) {
	s, _ := open(t)
	for _, q := range []string{suggestQuery("identities_name", "name_key", "?4, ?5"), suggestQuery("identities_handle", "handle_key", "?4, ?5")} {
		rows, err := s.r.Query(`EXPLAIN QUERY PLAN `+q, 1, 0, 8, "josenunez", "jnunez")
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		if p := strings.Join(plan, "\n"); len(plan) != 1 || !strings.Contains(p, "SEARCH i USING INDEX identities_") || !strings.Contains(p, "_key=? AND account_id=?") {
			t.Fatalf("plan:\n%s", p)
		}
	}
}
