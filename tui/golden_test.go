package tui

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/parleyhq/parley/inbox"
)

// Golden screens: every pane at every common terminal size, without
// colour, over data that is hard to measure (skin-tone and ZWJ emoji, CJK,
// right-to-left text, a 200-character name), on a fixed clock so the ages
// and times never move. After a deliberate change to the layout,
// regenerate them and read the diff:
//
//	go test ./tui -run 'TestGolden' -update
var goldenNow = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

// The screens show local times and the stats count local days (SQLite's
// 'localtime' reads TZ), so the package's tests run in UTC wherever they
// run: set here, before any test reads the zone.
func init() {
	os.Setenv("TZ", "UTC")
	time.Local = time.UTC
}

// goldenConvs are the hostile rows and a thread in every script, rebased
// from the driver's moving clock onto goldenNow.
func goldenConvs() []inbox.Inbound {
	items := append(hostileConvs(), threeConvs()...)
	long := strings.Repeat("Wolfeschlegelsteinhausenbergerdorff ", 6)
	thread := []inbox.Inbound{
		msgIn("thread", "Aiyana 🧑🏿‍🦱", "Bonjour 👋🏽 my parcel 📦 to 東京 never came", 30*time.Hour),
		msgIn("thread", "Aiyana 🧑🏿‍🦱", "שלום — still waiting. 注文番号 #4711 👩‍👩‍👧‍👧", 29*time.Hour),
		msgIn("thread", long, "I am the same household: "+strings.Repeat("where is it? ", 12), 28*time.Hour),
	}
	thread[2].Message.Author.Name = long
	items = append(items, thread...)
	for i := range items {
		at := items[i].Message.CreatedAt
		items[i].Message.CreatedAt = goldenNow.Add(at.Sub(t0))
	}
	return items
}

func goldenDriver(t *testing.T, w, h int, opts func(*Options)) *driver {
	d := newDriverService(t, inbox.Options{ReplyMarksDone: true, Now: func() time.Time { return goldenNow }}, opts, goldenConvs()...)
	// The reply from the brand, so the thread shows both directions.
	th := d.conv("thread")
	if err := d.svc.Ingest(d.m.ctx, d.acc.ID, inbox.Batch{Items: []inbox.Inbound{{ConversationID: "thread", Kind: inbox.KindComment,
		Message: inbox.Message{ExternalID: "brand-1", Direction: inbox.Out, Text: "Sorry Aiyana — we are on it 🙏🏾",
			CreatedAt: goldenNow.Add(-27 * time.Hour), Author: inbox.Author{ID: "brand", Name: "Brand"}}}}}); err != nil {
		t.Fatal(err)
	}
	d.process(tea.WindowSizeMsg{Width: w, Height: h})
	d.settle()
	waitOn(d, "the thread's reply listed", func() bool {
		for _, r := range d.m.list.rows {
			if r.ID == th.ID {
				return true
			}
		}
		return false
	})
	return d
}

func TestGoldenScreens(t *testing.T) {
	for _, sz := range layoutSizes {
		w, h := sz[0], sz[1]
		shot := func(t *testing.T, pane string, d *driver) {
			t.Helper()
			t.Run(fmt.Sprintf("%s_%dx%d", pane, w, h), func(t *testing.T) {
				checkWidth(t, d, pane, w, h)
				teatest.RequireEqualOutput(t, []byte(d.screen()))
			})
		}
		d := goldenDriver(t, w, h, nil)
		shot(t, "list", d)
		d.key("?")
		shot(t, "help", d)
		d.key("esc", "S")
		waitOn(d, "stats", d.onScreen("Stats"))
		shot(t, "stats", d)
		d.key("esc")
		id := d.conv("thread").ID
		for i := 0; d.m.list.rows[d.m.list.cursor].ID != id; i++ {
			if i > len(d.m.list.rows) {
				t.Fatal("the thread is not in the list")
			}
			d.key("j")
		}
		d.key("enter")
		waitOn(d, "the conversation", func() bool { return d.m.conv != nil && d.m.conv.thread != nil })
		shot(t, "conversation", d)
		d.key("r")
		waitOn(d, "the composer", func() bool { return d.m.conv != nil && d.m.conv.composer != nil })
		d.typeText("Merci 🙏🏽 — 明日 届きます")
		shot(t, "composer", d)
	}
}
