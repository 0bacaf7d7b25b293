package tui

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/inbox/sqlite"
)

// driver runs the model the way Bubble Tea does, without a terminal:
// commands run in goroutines and their messages are fed back to Update
// until the model settles.
type driver struct {
	t    testing.TB
	m    *Model
	svc  *inbox.Service
	acc  inbox.Account
	msgs chan tea.Msg
	quit bool
}

var t0 = time.Now().Add(-time.Hour).Truncate(time.Second)

func newDriver(t testing.TB, opts func(*Options), items ...inbox.Inbound) *driver {
	t.Helper()
	return newDriverService(t, inbox.Options{ReplyMarksDone: true}, opts, items...)
}

// newDriverService is newDriver with the service's options chosen.
func newDriverService(t testing.TB, so inbox.Options, opts func(*Options), items ...inbox.Inbound) *driver {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc := inbox.NewService(st, so)
	acc, err := svc.AddAccount(ctx, inbox.Account{Network: "demo-facebook", Label: "Brand FB"})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) > 0 {
		if err := svc.Ingest(ctx, acc.ID, inbox.Batch{Items: items}); err != nil {
			t.Fatal(err)
		}
	}
	o := Options{Service: svc, User: "ann", Destinations: []string{"support", "legal", "pr"}, RepliesDir: t.TempDir(), Context: ctx}
	if opts != nil {
		opts(&o)
	}
	m, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	d := &driver{t: t, m: m, svc: svc, acc: acc, msgs: make(chan tea.Msg, 1024)}
	d.process(tea.WindowSizeMsg{Width: 140, Height: 30})
	d.exec(m.Init())
	d.settle()
	return d
}

func (d *driver) exec(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() { d.msgs <- cmd() }()
}

func (d *driver) process(msg tea.Msg) {
	switch msg := msg.(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			d.exec(c)
		}
	case tea.QuitMsg:
		d.quit = true
	default:
		// tea.Sequence's message is unexported: a slice of commands run in order.
		if v := reflect.ValueOf(msg); v.Kind() == reflect.Slice && v.Type().Elem() == reflect.TypeOf(tea.Cmd(nil)) {
			for i := 0; i < v.Len(); i++ {
				if c := v.Index(i).Interface().(tea.Cmd); c != nil {
					d.process(c())
				}
			}
			return
		}
		_, cmd := d.m.Update(msg)
		d.exec(cmd)
	}
}

// settle feeds messages back until nothing has arrived for a while.
func (d *driver) settle() {
	for {
		select {
		case msg := <-d.msgs:
			d.process(msg)
		case <-time.After(120 * time.Millisecond):
			if d.m.gate.armed {
				continue // changes wait for their refresh tick
			}
			return
		}
	}
}

func (d *driver) key(keys ...string) {
	for _, k := range keys {
		d.process(keyMsg(k))
		d.settle()
	}
}

func (d *driver) typeText(s string) {
	for _, r := range s {
		d.process(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	d.settle()
}

func keyMsg(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	}
	if strings.HasPrefix(k, "ctrl+") {
		return tea.KeyPressMsg{Code: rune(k[5]), Mod: tea.ModCtrl}
	}
	r := []rune(k)
	return tea.KeyPressMsg{Code: r[0], Text: k}
}

func (d *driver) screen() string { return ansi.Strip(d.m.View().Content) }

func (d *driver) conv(ext string) inbox.Conversation {
	d.t.Helper()
	cs, err := d.svc.List(context.Background(), inbox.Page{View: inbox.ViewAll, Limit: 10000})
	if err != nil {
		d.t.Fatal(err)
	}
	for _, c := range cs {
		if c.ExternalID == ext {
			return c
		}
	}
	d.t.Fatalf("no conversation %s", ext)
	return inbox.Conversation{}
}

func (d *driver) wantScreen(subs ...string) {
	d.t.Helper()
	s := d.screen()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			d.t.Fatalf("screen lacks %q:\n%s", sub, s)
		}
	}
}

func msgIn(conv, author, text string, ago time.Duration) inbox.Inbound {
	return inbox.Inbound{ConversationID: conv, Kind: inbox.KindComment, Message: inbox.Message{
		ExternalID: "m-" + conv + "-" + fmt.Sprint(int(ago.Seconds())), Direction: inbox.In, Text: text,
		CreatedAt: t0.Add(-ago), Author: inbox.Author{ID: author, Name: author, Handle: "@" + strings.ToLower(author)},
		Permalink: "https://net.example/" + conv}}
}

// peer is a second session on the same service, as over SSH.
func (d *driver) peer(user string) *driver {
	o := d.m.opt
	o.User, o.Session = user, ""
	m, err := New(o)
	if err != nil {
		d.t.Fatal(err)
	}
	p := &driver{t: d.t, m: m, svc: d.svc, acc: d.acc, msgs: make(chan tea.Msg, 1024)}
	p.process(tea.WindowSizeMsg{Width: 140, Height: 30})
	p.exec(m.Init())
	p.settle()
	return p
}
