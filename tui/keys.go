package tui

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
)

// KeyMap holds every binding. Each program gets its own copy, so one SSH
// user's rebinding never leaks into another session.
type KeyMap struct {
	Up, Down, Top, Bottom, PageUp, PageDown                      key.Binding
	Open, Back, Quit, Help                                       key.Binding
	NextView, PrevView, View1, View2, View3, View4, View5, View6 key.Binding
	Network                                                      key.Binding
	Reply, Negative, Tag, Escalate, Snooze, Done, Reopen         key.Binding
	Undo, Select, Visual, ClearSel, Filter, Search, Command      key.Binding
	Retry, Copy, Refresh, Moderate, Stats                        key.Binding
	View7, View8, View9                                          key.Binding
	Assign, Note, Activity, Profile                              key.Binding
	View0, Spam, Replies                                         key.Binding
	More                                                         key.Binding

	// composer
	Send, Editor, Saved, Discard, CloseComposer key.Binding
}

func bind(help string, desc string, keys ...string) key.Binding {
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
}

// DefaultKeyMap returns fresh bindings following the USERS.md conventions.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:       bind("k/↑", "up", "k", "up"),
		Down:     bind("j/↓", "down", "j", "down"),
		Top:      bind("g/home", "top", "g", "home"),
		Bottom:   bind("G/end", "bottom", "G", "end"),
		PageUp:   bind("pgup/ctrl+u", "page up", "pgup", "ctrl+u"),
		PageDown: bind("pgdn/ctrl+d", "page down", "pgdown", "ctrl+d"),
		Open:     bind("enter", "open", "enter"),
		Back:     bind("esc/q", "back", "esc", "q"),
		Quit:     bind("ctrl+c", "quit", "ctrl+c"),
		Help:     bind("?", "help", "?"),
		NextView: bind("tab", "next view", "tab"),
		PrevView: bind("shift+tab", "previous view", "shift+tab"),
		View1:    bind("1", "Inbox", "1"),
		View2:    bind("2", "Negative", "2"),
		View3:    bind("3", "Escalated", "3"),
		View4:    bind("4", "Snoozed", "4"),
		View5:    bind("5", "Done", "5"),
		View6:    bind("6", "All", "6"),
		View7:    bind("7", "Mine", "7"),
		View8:    bind("8", "Unassigned", "8"),
		View9:    bind("9", "Mentions", "9"),
		View0:    bind("0", "Spam", "0"),
		Spam:     bind("!", "spam / not spam", "!"),
		Replies:  bind("C", "saved replies", "C"),
		Assign:   bind("a", "assign", "a"),
		Note:     bind("N", "internal note", "N"),
		Activity: bind("L", "activity log", "L"),
		Profile:  bind("p", "customer profile", "p"),
		Network:  bind("f", "filter by network", "f"),
		Reply:    bind("r", "reply", "r"),
		Negative: bind("n", "toggle negative", "n"),
		Tag:      bind("t", "tag", "t"),
		Escalate: bind("e", "escalate", "e"),
		Snooze:   bind("z", "snooze", "z"),
		Done:     bind("d/x", "done", "d", "x"),
		Reopen:   bind("o", "reopen", "o"),
		Undo:     bind("u", "undo", "u"),
		Select:   bind("space", "select", "space"),
		Visual:   bind("v", "select range", "v"),
		ClearSel: bind("esc", "clear selection", "esc"),
		Filter:   bind("/", "filter view", "/"),
		Search:   bind("s", "full-text search", "s"),
		More:     bind("+", "more results", "+"),
		Command:  bind(":", "command", ":"),
		Retry:    bind("R", "retry failed send", "R"),
		Copy:     bind("y", "copy permalink", "y"),
		Refresh:  bind("ctrl+l", "refresh", "ctrl+l"),
		Moderate: bind("m", "moderation menu", "m"),
		Stats:    bind("S", "stats", "S"),

		Send:          bind("ctrl+s/alt+enter", "send", "ctrl+s", "alt+enter"),
		Editor:        bind("ctrl+e", "edit in $EDITOR", "ctrl+e"),
		Saved:         bind("ctrl+r", "pick saved reply", "ctrl+r"),
		Discard:       bind("ctrl+x", "discard draft", "ctrl+x"),
		CloseComposer: bind("esc", "close, keep draft", "esc"),
	}
}

// actions names every rebindable binding, as used in [keys] of the config.
func (k *KeyMap) actions() map[string]*key.Binding {
	return map[string]*key.Binding{
		"up": &k.Up, "down": &k.Down, "top": &k.Top, "bottom": &k.Bottom, "page_up": &k.PageUp, "page_down": &k.PageDown,
		"open": &k.Open, "back": &k.Back, "quit": &k.Quit, "help": &k.Help,
		"next_view": &k.NextView, "prev_view": &k.PrevView, "view_inbox": &k.View1, "view_negative": &k.View2,
		"view_escalated": &k.View3, "view_snoozed": &k.View4, "view_done": &k.View5, "view_all": &k.View6,
		"view_mine": &k.View7, "view_unassigned": &k.View8, "view_mentions": &k.View9, "view_spam": &k.View0, "spam": &k.Spam, "replies": &k.Replies,
		"assign": &k.Assign, "note": &k.Note, "activity": &k.Activity, "profile": &k.Profile,
		"network": &k.Network, "reply": &k.Reply, "negative": &k.Negative, "tag": &k.Tag, "escalate": &k.Escalate,
		"snooze": &k.Snooze, "done": &k.Done, "reopen": &k.Reopen, "undo": &k.Undo, "select": &k.Select,
		"visual": &k.Visual, "filter": &k.Filter, "search": &k.Search, "more_results": &k.More, "command": &k.Command, "retry": &k.Retry,
		"copy": &k.Copy, "refresh": &k.Refresh, "moderate": &k.Moderate, "stats": &k.Stats, "send": &k.Send, "editor": &k.Editor, "saved_replies": &k.Saved,
		"discard_draft": &k.Discard,
	}
}

// Actions lists the names [keys] accepts.
func Actions() []string {
	k := DefaultKeyMap()
	var out []string
	for n := range k.actions() {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// KeyError is a [keys] problem, naming the action it is about so the
// config can point at its line.
type KeyError struct {
	Action string
	Msg    string
}

func (e *KeyError) Error() string { return e.Msg }

// composerActions are live only in the composer, where letters are text:
// they clash only with each other.
var composerActions = map[string]bool{"send": true, "editor": true, "saved_replies": true}

// Rebind applies [keys] overrides: action name → keys. A key given to an
// action that another action of the same pane still answers is refused
// (done = ["r"] would make reply unreachable); keys the defaults share on
// purpose (esc: back and clear selection) are not clashes.
func (k *KeyMap) Rebind(over map[string][]string) error {
	acts := k.actions()
	names := make([]string, 0, len(over))
	for name := range over {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		keys := over[name]
		b, ok := acts[name]
		if !ok {
			return &KeyError{name, fmt.Sprintf("unknown key action %q (known: %s)", name, strings.Join(Actions(), ", "))}
		}
		if len(keys) == 0 {
			return &KeyError{name, fmt.Sprintf("key action %q: give at least one key", name)}
		}
		b.SetKeys(keys...)
		b.SetHelp(strings.Join(keys, "/"), b.Help().Desc)
	}
	def := DefaultKeyMap()
	defActs := def.actions()
	for _, name := range names {
		for _, kk := range over[name] {
			for _, other := range Actions() {
				if other == name || composerActions[other] != composerActions[name] || !slices.Contains(acts[other].Keys(), kk) {
					continue
				}
				if slices.Contains(defActs[name].Keys(), kk) && slices.Contains(defActs[other].Keys(), kk) {
					continue // shared by design
				}
				return &KeyError{name, fmt.Sprintf("key %q is bound to both %s and %s, so one of them would be unreachable; give one of them another key",
					kk, name, other)}
			}
		}
	}
	return nil
}

// ShortHelp is the one-line help of the list.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Open, k.Reply, k.Done, k.Snooze, k.Negative, k.Tag, k.Escalate, k.Undo, k.Filter, k.Help}
}

// FullHelp is every binding, in columns.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.Top, k.Bottom, k.PageUp, k.PageDown, k.Open, k.Back},
		{k.NextView, k.PrevView, k.View1, k.View2, k.View3, k.View4, k.View5, k.View6, k.View7, k.View8, k.View9, k.View0, k.Network},
		{k.Reply, k.Negative, k.Tag, k.Escalate, k.Assign, k.Note, k.Activity, k.Profile, k.Snooze, k.Done, k.Reopen, k.Spam, k.Undo, k.Retry, k.Moderate},
		{k.Select, k.Visual, k.ClearSel, k.Filter, k.Search, k.More, k.Command, k.Copy, k.Refresh, k.Stats, k.Replies, k.Help, k.Quit},
		{k.Send, k.Editor, k.Saved, k.Discard, k.CloseComposer},
	}
}

// viewKeys are the view keys in tab order (inbox.Tabs).
func (k KeyMap) viewKeys() []key.Binding {
	return []key.Binding{k.View1, k.View2, k.View3, k.View4, k.View5, k.View6, k.View7, k.View8, k.View9, k.View0}
}
