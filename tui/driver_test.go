package tui

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/inbox/sqlite"
)

// driver runs the model the way Bubble Tea does, without a terminal:
// commands run in goroutines and their messages are fed back to Update.
//
// It knows when the model is idle instead of guessing from a quiet spell.
// Commands are of three kinds (see kindOf):
//   - requests (queries, actions) answer soon; the driver counts them in
//     flight, and settle waits until none is;
//   - the store-change wait (waitChange) is not run in a goroutine at all:
//     the driver runs it only once a change is ready in the model's
//     subscription, so a write published before settle is always handled
//     by it (the service publishes before the write call returns);
//   - timers (tea.Tick, cursor blinks) fire on their own; their messages are
//     handled whenever they arrive, and a test that needs one waits for its
//     effect with until.
type driver struct {
	t        testing.TB
	m        *Model
	svc      *inbox.Service
	acc      inbox.Account
	results  chan result
	inFlight map[int]string // requests not answered yet, by name
	nextID   int
	change   tea.Cmd // the armed store-change wait, run once a change is ready
	quit     bool
}

// result is a command's message, with the request it answers (0: a timer).
type result struct {
	id  int
	msg tea.Msg
}

// waitLimit only fails a test that is really stuck; a busy machine stays
// far below it.
const waitLimit = 20 * time.Second

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
	d := &driver{t: t, m: m, svc: svc, acc: acc}
	d.start()
	return d
}

// start runs the model's Init as Bubble Tea does and settles.
func (d *driver) start() {
	d.t.Helper()
	d.results = make(chan result, 1024)
	d.inFlight = map[int]string{}
	d.change = nil
	d.process(tea.WindowSizeMsg{Width: 140, Height: 30})
	d.exec(d.m.Init())
	d.settle()
}

type cmdKind int

const (
	request cmdKind = iota
	changeWait
	timer
)

// kindOf tells the commands apart by the function they run. Bubble Tea
// commands are bare funcs, so their name is all there is to go on without
// putting test hooks into the model; TestDriverKnowsTheWaits keeps this
// list honest.
func kindOf(cmd tea.Cmd) (cmdKind, string) {
	name := runtime.FuncForPC(reflect.ValueOf(cmd).Pointer()).Name()
	switch {
	case strings.Contains(name, ".waitChange.func"):
		return changeWait, name
	case strings.HasPrefix(name, "charm.land/bubbletea/v2.Tick.func"),
		strings.HasPrefix(name, "charm.land/bubbletea/v2.Every.func"),
		strings.HasPrefix(name, "charm.land/bubbles/v2/cursor.(*Model).Blink.func"):
		return timer, name
	}
	return request, name
}

func (d *driver) exec(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	kind, name := kindOf(cmd)
	// The goroutine answers on the channel of the model that asked: start
	// gives a restarted model a fresh one while old timers still run.
	results := d.results
	switch kind {
	case changeWait:
		d.change = cmd
		return
	case timer:
		go func() { results <- result{msg: cmd()} }()
		return
	}
	d.nextID++
	id := d.nextID
	d.inFlight[id] = name
	go func() { results <- result{id: id, msg: cmd()} }()
}

func (d *driver) receive(r result) {
	delete(d.inFlight, r.id)
	d.process(r.msg)
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

// pump handles everything that is ready now without waiting: answers that
// came back, timers that fired, and a store change waiting in the model's
// subscription.
func (d *driver) pump() {
	for {
		select {
		case r := <-d.results:
			d.receive(r)
			continue
		default:
		}
		if d.change != nil && len(d.m.sub) > 0 {
			cmd := d.change
			d.change = nil
			d.process(cmd()) // returns at once: the change is there
			continue
		}
		return
	}
}

// settle handles messages until the model is idle: every request answered
// and every store change published so far handled.
func (d *driver) settle() {
	d.t.Helper()
	deadline := time.NewTimer(waitLimit)
	defer deadline.Stop()
	for {
		d.pump()
		// Changes held back by the refresh gate (issue 19) apply on its
		// tick: the model is not idle until that has fired.
		if len(d.inFlight) == 0 && !d.m.gate.armed {
			return
		}
		select {
		case r := <-d.results:
			d.receive(r)
		case <-deadline.C:
			d.t.Fatalf("the model is still waiting for %v after %v; screen:\n%s", d.pending(), waitLimit, d.screen())
		}
	}
}

// until handles messages until cond holds, then settles. For what comes by
// a timer or from outside the model (a draft saved after typing stops,
// another goroutine's write), where idle does not mean done.
func (d *driver) until(cond func() bool, what string) {
	d.t.Helper()
	deadline := time.NewTimer(waitLimit)
	defer deadline.Stop()
	poll := time.NewTicker(5 * time.Millisecond) // cond may read state no message announces
	defer poll.Stop()
	for {
		d.pump()
		if cond() {
			d.settle()
			return
		}
		select {
		case r := <-d.results:
			d.receive(r)
		case <-poll.C:
		case <-deadline.C:
			d.t.Fatalf("%s: still not so after %v (waiting for %v); screen:\n%s", what, waitLimit, d.pending(), d.screen())
		}
	}
}

// untilScreen waits until the screen shows every one of subs.
func (d *driver) untilScreen(subs ...string) {
	d.t.Helper()
	d.until(func() bool {
		s := d.screen()
		for _, sub := range subs {
			if !strings.Contains(s, sub) {
				return false
			}
		}
		return true
	}, fmt.Sprintf("screen showing %q", subs))
}

func (d *driver) pending() []string {
	var names []string
	for _, n := range d.inFlight {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
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
	p := &driver{t: d.t, m: m, svc: d.svc, acc: d.acc}
	p.start()
	return p
}
