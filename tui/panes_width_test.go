package tui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/parleyhq/parley/inbox"
)

// hostileManagers are colleagues whose names are as hard to measure as
// the customers': they reach the assign picker, the note pane, the
// activity log, notes and the stats.
var hostileManagers = []string{
	"Zoë 👩🏽‍💻👨‍👩‍👧‍👦",
	"山田花子",
	"محمد",
	"Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǒ̗̈́",
	strings.Repeat("Maximiliane", 4), // CleanManager keeps 40 runes of it
}

// hostileWorld fills a driver's store with everything the panes show
// beyond the rows: a second network where the same people write (the
// profile's suggestions, one of them linked), notes and journal entries
// by colleagues with hostile names, and saved replies that fill in the
// customer's name. Every write is on the service's clock.
func hostileWorld(t *testing.T, d *driver) {
	t.Helper()
	ctx := context.Background()
	masto, err := d.svc.AddAccount(ctx, inbox.Account{Network: "mastodon", Label: "ブランド 🏴󠁧󠁢󠁳󠁣󠁴󠁿 " + strings.Repeat("support ", 10)})
	if err != nil {
		t.Fatal(err)
	}
	var items []inbox.Inbound
	for i, in := range hostileConvs() {
		a := in.Message.Author
		items = append(items, inbox.Inbound{ConversationID: "m-" + in.ConversationID, Kind: inbox.KindMention,
			Message: inbox.Message{ExternalID: fmt.Sprint("toot-", i), Direction: inbox.In,
				Text: "@brand " + in.Message.Text, CreatedAt: goldenNow.Add(in.Message.CreatedAt.Sub(t0) - 48*time.Hour),
				Author: inbox.Author{ID: "masto-" + a.ID, Name: a.Name, Handle: a.Handle + "@mastodon.social"}}})
	}
	if err := d.svc.Ingest(ctx, masto.ID, inbox.Batch{Items: items}); err != nil {
		t.Fatal(err)
	}
	for _, ext := range []string{"emoji", "long"} {
		id := d.conv(ext).ID
		p, err := d.svc.Profile(ctx, id)
		if err != nil || len(p.Suggested) == 0 {
			t.Fatalf("profile of %s: %d suggestions, %v", ext, len(p.Suggested), err)
		}
		if err := d.svc.Link(ctx, hostileManagers[0], id, p.Ref(), p.Suggested[0].Ref()); err != nil {
			t.Fatal(err)
		}
	}
	for i, ext := range []string{"emoji", "cjk", "rtl", "long", "marks"} {
		id := d.conv(ext).ID
		who := hostileManagers[i%len(hostileManagers)]
		if _, err := d.svc.AddNote(ctx, who, id, "@"+hostileManagers[(i+1)%len(hostileManagers)]+" 👍🏿 "+
			strings.Repeat("عميل غاضب 客户 ", 8)+"\nZ̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǒ̗̈́ zero\u200bwidth"); err != nil {
			t.Fatal(err)
		}
		if err := d.svc.Tag(ctx, who, []int64{id}, "vip-👩🏽‍💻"); err != nil {
			t.Fatal(err)
		}
		if err := d.svc.Assign(ctx, who, []int64{id}, hostileManagers[4]); err != nil {
			t.Fatal(err)
		}
	}
	dir := d.m.opt.RepliesDir
	for name, body := range map[string]string{
		"sorry.txt":     "Hi {{first_name}} 👋🏽, sorry {{name}} — we are on it. 🙏🏿 {{me}}",
		"謝罪.ja.txt":     "{{name}} 様、大変申し訳ございません。👨‍👩‍👧‍👦 " + strings.Repeat("確認いたします。", 10),
		"اعتذار.ar.txt": "مرحبا {{first_name}}، نعتذر عن التأخير. שלום",
		strings.Repeat("Wolfeschlegelsteinhausen", 2) + ".txt": strings.Repeat("long line without a break ", 30),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// hostileDriver is the golden data (fixed clock) with hostile colleagues,
// a second network, notes, a journal, saved replies and moderation, at
// w×h.
func hostileDriver(t *testing.T, w, h int, replies string) *driver {
	d := goldenDriver(t, w, h, func(o *Options) { o.Managers, o.RepliesDir = hostileManagers, replies })
	d.svc.SetModeration(func(int64) []inbox.ActionKind {
		return []inbox.ActionKind{inbox.ActionMute, inbox.ActionHide, inbox.ActionBlock, inbox.ActionReport}
	})
	hostileWorld(t, d)
	d.key("ctrl+l")
	d.settle()
	return d
}

// selectRow moves the list's cursor to the conversation ext.
func (d *driver) selectRow(ext string) {
	d.t.Helper()
	id := d.conv(ext).ID
	d.key("g")
	for i := 0; ; i++ {
		if c, ok := d.m.list.selected(); ok && c.ID == id {
			return
		}
		if i > len(d.m.list.rows) {
			d.t.Fatalf("%s is not in the list:\n%s", ext, d.screen())
		}
		d.key("j")
	}
}

// Every pane and overlay, opened on every hostile row, fits every common
// terminal size by both measures: the profile, saved replies (from the
// list and from the composer, with the reply editor), the activity log,
// the note pane, the assign and moderation pickers, spam's follow-up and
// its question, the flash after an action naming the customer, the
// conversation with its notes, the composer's header, and the stats.
func TestEveryPaneFitsHostileData(t *testing.T) {
	rows := []string{"emoji", "cjk", "rtl", "long", "marks"}
	for _, sz := range layoutSizes {
		w, h := sz[0], sz[1]
		t.Run(fmt.Sprintf("%dx%d", w, h), func(t *testing.T) {
			// Most of the time is spent waiting for the refresh gate's
			// ticks, so the sizes run side by side.
			t.Parallel()
			d := hostileDriver(t, w, h, t.TempDir())
			is := func(what string, ok func() bool) {
				t.Helper()
				d.until(ok, what)
				checkWidth(t, d, what, w, h)
			}
			open := func(what string, keys ...string) {
				t.Helper()
				d.key(keys...)
				is(what, func() bool { return d.m.overlay != nil })
			}
			closed := func() bool { return d.m.overlay == nil }
			for _, ext := range rows {
				d.key("1")
				d.selectRow(ext)
				open(ext+": profile", "p")
				d.key("tab")
				is(ext+": profile, identity chosen", func() bool { return d.m.overlay != nil })
				d.key("esc")
				open(ext+": saved replies", "C")
				d.key("j", "j")
				is(ext+": saved replies, third", func() bool { return d.m.overlay != nil })
				d.key("e")
				is(ext+": saved reply editor", func() bool { _, ok := d.m.overlay.(*replyEditor); return ok })
				d.key("esc", "esc")
				open(ext+": activity log", "L")
				d.key("esc")
				open(ext+": note pane", "N")
				// What the manager types is shown as the textarea measures
				// it (see the report of #18): no emoji sequences here.
				d.typeText("Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǒ̗̈́ 注意 שלום")
				is(ext+": note typed", func() bool { return d.m.overlay != nil })
				d.key("esc")
				open(ext+": assign picker", "a")
				d.key("esc")
				open(ext+": moderation picker", "m")
				d.key("esc")
				open(ext+": spam follow-up", "!")
				d.key("down", "down", "down", "enter")
				is(ext+": spam question", func() bool { _, ok := d.m.overlay.(*confirm); return ok })
				d.key("n", "u")
				is(ext+": undo flash", func() bool { return closed() && strings.Contains(d.m.flash, "undid") })
				d.selectRow(ext)
				d.key("enter")
				is(ext+": conversation with notes", func() bool { return d.m.conv != nil && d.m.conv.thread != nil })
				d.key("r")
				is(ext+": composer", func() bool { return d.m.conv.composer != nil })
				open(ext+": saved replies from the composer", "ctrl+r")
				d.key("esc", "esc", "esc")
				d.until(func() bool { return d.m.conv == nil }, "back to the list")
				d.selectRow(ext)
				d.key("d")
				is(ext+": done flash", func() bool { return strings.HasPrefix(d.m.flash, "done") })
				d.key("u")
				is(ext+": undone", func() bool { return strings.HasPrefix(d.m.flash, "undid") })
			}
			open("stats", "S")
		})
	}
}

// The profile (of the customer with a ZWJ-family name and of the one with
// a 200-character name, each linked to their Mastodon self) and the saved
// replies previewed for the long name, over hostile data, as golden
// screens at the smallest and largest common sizes.
func TestGoldenHostilePanes(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {160, 48}} {
		w, h := sz[0], sz[1]
		// Saved replies under a home of the test's own, so the pane's
		// title (~/replies) is the same in every run.
		home := t.TempDir()
		t.Setenv("HOME", home)
		replies := filepath.Join(home, "replies")
		if err := os.Mkdir(replies, 0o700); err != nil {
			t.Fatal(err)
		}
		d := hostileDriver(t, w, h, replies)
		for _, p := range []struct{ name, row, key string }{{"profile_emoji", "emoji", "p"}, {"profile_long", "long", "p"}, {"replies_long", "long", "C"}} {
			t.Run(fmt.Sprintf("%s_%dx%d", p.name, w, h), func(t *testing.T) {
				d.selectRow(p.row)
				d.key(p.key)
				d.until(func() bool { return d.m.overlay != nil }, p.name)
				checkWidth(t, d, p.name, w, h)
				teatest.RequireEqualOutput(t, []byte(d.screen()))
				d.key("esc")
			})
		}
	}
}
