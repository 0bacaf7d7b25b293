package tui

import (
	"context"
	"slices"

	tea "charm.land/bubbletea/v2"

	"github.com/parleyhq/parley/inbox"
)

// unassignItem is the picker's entry that takes the owner away.
const unassignItem = "nobody (unassign)"

// managerItems are the names the assignment picker offers: "me" first,
// then every other known manager once, then unassign.
func managerItems(user string, managers []string) []string {
	items := []string{"me (" + user + ")"}
	seen := map[string]bool{user: true}
	for _, n := range managers {
		n = inbox.CleanManager(n)
		if n == "" || seen[n] {
			continue
		}
		seen[n] = true
		items = append(items, n)
	}
	return append(items, unassignItem)
}

// assignPicker is the assignment pane: the shared picker overlay over the
// known managers, which assigns the targets to the one picked.
func assignPicker(ctx context.Context, svc *inbox.Service, user string, managers []string, ids []int64) overlay {
	items := managerItems(user, managers)
	return newPicker("Assign "+plural(len(ids), "conversation")+" to", items, false, func(choice string) tea.Cmd {
		to, label := choice, "assigned to "+choice
		switch {
		case choice == items[0]:
			to, label = user, "assigned to you"
		case choice == unassignItem:
			to, label = "", "unassigned"
		case !slices.Contains(items, choice):
			return nil
		}
		return act(ctx, plural(len(ids), label), func(ctx context.Context) error { return svc.Assign(ctx, user, ids, to) })
	})
}

// openAssign routes the assign key: a picker for the targets.
func (m *Model) openAssign() {
	ids := m.targets()
	if len(ids) == 0 {
		m.setFlash("nothing selected", true)
		return
	}
	m.overlay = assignPicker(m.ctx, m.svc, m.opt.User, m.opt.Managers, ids)
	m.marked, m.visual = map[int64]bool{}, false
}

// showTab keeps the tab bar short: the team views show only while active
// or, for Mine, Mentions and Spam, while they hold something (7–0 and tab
// always reach them).
func (m *Model) showTab(v inbox.View) bool {
	switch v {
	case inbox.ViewMine, inbox.ViewMentions, inbox.ViewSpam:
		return v == m.view || m.counts[v] > 0
	case inbox.ViewUnassigned:
		return v == m.view
	}
	return true
}
