package tui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// The filter ignores diacritics, puts a name typed from its start first,
// and says when nothing matches.
func TestFilterFoldsRanksAndSaysNoMatch(t *testing.T) {
	d := newDriver(t, nil,
		msgIn("bob", "Bob", "Not our order, sorry", 5*time.Hour),
		msgIn("noor", "Noor de Boer", "where is my parcel? I ordered it two weeks ago and nothing has arrived yet", time.Hour),
		msgIn("noora", "Noora Olsen", "hi", 3*time.Hour),
		msgIn("jan", "Jan", "Do you ship to België?", 2*time.Hour),
	)
	d.key("/")
	d.typeText("belgie")
	waitOn(d, "the Belgian row", func() bool { return len(d.m.list.rows) > 0 && d.m.list.rows[0].ExternalID == "jan" })
	if ms := d.m.list.matches[d.m.list.rows[0].ID]; len(ms) == 0 {
		t.Fatal("no highlight for the folded match")
	}
	checkWidth(t, d, "filter", 140, 30)

	d.key("esc", "/")
	d.typeText("noor")
	waitOn(d, "Noor first", func() bool { return len(d.m.list.rows) > 0 && d.m.list.rows[0].ExternalID == "noor" })

	d.key("esc", "/")
	d.typeText("zzqx")
	waitOn(d, "the no-match line", d.onScreen("No matches for “zzqx”"))
}

func TestFold(t *testing.T) {
	for in, want := range map[string]string{"België": "belgie", "Ærøskøbing": "aeroskobing", "Straße": "strasse", "ÉCOLE": "ecole", "山田": "山田"} {
		if got, orig := fold(in); got != want || len(orig) != len(got) {
			t.Errorf("fold(%q) = %q (%d offsets)", in, got, len(orig))
		}
	}
	// Offsets map back to the rune they came from.
	if got := unfoldOffsets("Straße", []int{4, 5, 6}); fmt.Sprint(got) != "[4 6]" {
		t.Errorf("unfoldOffsets = %v", got)
	}
}

// The search count is the real count past a page ("100 of 105"); search
// ignores diacritics too.
func TestSearchCountAndFolding(t *testing.T) {
	var items []inbox.Inbound
	for i := range searchPage + 5 {
		items = append(items, msgIn(fmt.Sprint("r", i), fmt.Sprint("P", i), "refund please", time.Duration(i+1)*time.Minute))
	}
	items = append(items, msgIn("jan", "Jan", "Do you ship to België?", time.Hour))
	d := newDriver(t, nil, items...)
	d.key("s")
	d.typeText("refund")
	d.key("enter")
	waitOn(d, "the real count", d.onScreen("Search: refund 100 of 105"))

	d.key("esc", "s") // esc left the search, so the prompt starts empty
	d.typeText("belgie")
	d.key("enter")
	waitOn(d, "the folded search", d.onScreen("Search: belgie 1 ", "België"))
	if strings.Contains(d.screen(), "100 of") {
		t.Fatal("count not reset")
	}
}
