package tui

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/parleyhq/parley/inbox"
)

// refreshEvery is the least time between two refreshes of one session: a
// burst of changes costs a few refreshes a second, not one per change.
const refreshEvery = 250 * time.Millisecond

// stale says which parts of the screen a change made out of date.
type stale struct{ counts, list, thread bool }

var staleAll = stale{counts: true, list: true, thread: true}

// changeGate coalesces the changes a session hears about. The first change
// after a quiet spell is applied at once (so a manager's own action shows
// without delay); later ones wait for a tick and are applied together. A
// tick is always armed while changes are pending, so the last one is never
// lost.
type changeGate struct {
	now     func() time.Time // the gate's clock; tests freeze it
	last    time.Time        // when changes were last applied
	armed   bool             // a tick will apply what is pending
	pending pendingChanges
	flushes int // how many times changes were applied, for tests

	// follow is a conversation the cursor should land on once its change
	// is heard (an undo restored it); recent is where the last applied
	// changes put things, for a change heard before the undo's answer.
	follow      int64
	followUntil time.Time
	recent      map[int64]inbox.Placement
}

// pendingChanges is everything heard since changes were last applied.
type pendingChanges struct {
	data, all, accounts, presence bool
	customers                     bool // identities were linked or unlinked
	ids                           map[int64]bool
	placed                        map[int64]inbox.Placement // the latest of each
}

type refreshTickMsg struct{}

func (g *changeGate) add(c inbox.Change) {
	p := &g.pending
	p.data = p.data || c.Data
	p.all = p.all || c.All
	p.accounts = p.accounts || c.Accounts
	p.presence = p.presence || c.Presence
	p.customers = p.customers || c.Customers
	if c.Data && !c.All && len(c.Placed) == 0 {
		p.all = true // an old-style change that names nothing
	}
	if p.all {
		p.ids, p.placed = nil, nil
		return
	}
	if p.ids == nil {
		p.ids, p.placed = map[int64]bool{}, map[int64]inbox.Placement{}
	}
	for _, id := range c.Conversations {
		p.ids[id] = true
	}
	for _, pl := range c.Placed {
		p.ids[pl.ID] = true
		p.placed[pl.ID] = pl
	}
}

func (g *changeGate) clock() time.Time {
	if g.now != nil {
		return g.now()
	}
	return time.Now()
}

// onChange notes a change and applies it now or arms a tick to.
func (m *Model) onChange(c inbox.Change) tea.Cmd {
	g := &m.gate
	g.add(c)
	m.noticeAssigned(c.ForAssignee) // at once, not at the next refresh
	next := waitChange(m.ctx, m.sub)
	if g.armed {
		return next
	}
	if wait := refreshEvery - g.clock().Sub(g.last); wait > 0 {
		g.armed = true
		return tea.Batch(next, tea.Tick(wait, func(time.Time) tea.Msg { return refreshTickMsg{} }))
	}
	return tea.Batch(next, m.applyChanges())
}

// onRefreshTick applies what arrived since the last refresh.
func (m *Model) onRefreshTick() tea.Cmd {
	m.gate.armed = false
	return m.applyChanges()
}

func (m *Model) applyChanges() tea.Cmd {
	g := &m.gate
	p := g.pending
	g.pending, g.last = pendingChanges{}, g.clock()
	g.flushes++
	m.now = m.svc.Now()
	var cmds []tea.Cmd
	if p.data {
		s := m.staleAfter(p)
		if pl, ok := p.placed[g.follow]; ok && g.clock().Before(g.followUntil) {
			if cmd := m.reloadAt(pl); cmd != nil {
				s.list = false
				cmds = append(cmds, cmd)
			}
			g.follow = 0
		}
		cmds = append(cmds, m.refresh(s), m.remeasure(p, s))
	}
	if o, ok := m.overlay.(interface{ onChange(pendingChanges) tea.Cmd }); ok && p.data {
		cmds = append(cmds, o.onChange(p))
	}
	if len(p.placed) > 0 {
		g.recent = p.placed
	}
	if p.accounts {
		cmds = append(cmds, loadAccounts(m.ctx, m.svc))
	}
	if p.presence {
		cmds = append(cmds, loadPresence(m.svc))
	}
	return tea.Batch(cmds...)
}

// staleAfter decides what changes to the named conversations make stale.
// Counts are always re-read: they come from maintained counters and cost
// the same at any database size.
func (m *Model) staleAfter(p pendingChanges) stale {
	if p.all {
		return staleAll
	}
	s := stale{counts: true}
	s.thread = m.conv != nil && p.ids[m.conv.id]
	switch {
	case m.searchQuery != "":
		// Any new message may match the search: only searching sessions pay.
		s.list = true
	case m.filterActive():
		s.list = m.corpusTouched(p)
	default:
		s.list = m.list.touched(p.placed, m.view, m.network)
	}
	return s
}

// corpusTouched says whether a change can alter the rows the filter
// searches: one of them changed, or a conversation entered the view.
func (m *Model) corpusTouched(p pendingChanges) bool {
	for _, c := range m.corpus {
		if p.ids[c.ID] {
			return true
		}
	}
	for _, pl := range p.placed {
		if _, in := pl.Keys[m.view]; in && (m.network == "" || pl.Network == m.network) {
			return true
		}
	}
	return false
}

// follow puts the cursor on a conversation an undo restored: now if its
// change was already applied, else when the change is heard.
func (m *Model) follow(id int64) tea.Cmd {
	if m.conv != nil || m.searchQuery != "" || m.filterActive() {
		return nil
	}
	if pl, ok := m.gate.recent[id]; ok {
		if cmd := m.reloadAt(pl); cmd != nil {
			return cmd
		}
	}
	// Not heard yet, or last heard leaving this view: wait for the undo's
	// own change, briefly, so a later unrelated change does not move the
	// cursor.
	m.gate.follow, m.gate.followUntil = id, m.gate.clock().Add(5*time.Second)
	return nil
}

// reloadAt reloads the list around a conversation where a change placed
// it, when it is in the view shown.
func (m *Model) reloadAt(pl inbox.Placement) tea.Cmd {
	key, in := pl.Keys[m.view]
	if !in || (m.network != "" && pl.Network != m.network) || m.conv != nil || m.searchQuery != "" || m.filterActive() {
		return nil
	}
	return m.reload(&inbox.Conversation{ID: pl.ID, Key: key}, false)
}
