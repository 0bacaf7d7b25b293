// Package tui is parley's terminal interface: a root model that routes
// messages to panes (virtual list, conversation, composer, pickers, help,
// status bar). It talks only to inbox.Service, does no I/O in Update or
// View, and keeps all per-program state in the model, so many SSH sessions
// can share one process.
package tui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/parleyhq/parley/inbox"
)

// Options configure one program.
type Options struct {
	Service      *inbox.Service
	User         string              // recorded on every action
	Destinations []string            // escalation destinations
	Managers     []string            // who conversations can be assigned to (besides User)
	RepliesDir   string              // saved replies
	Keys         map[string][]string // [keys] overrides
	Editor       string              // $EDITOR command; empty disables ctrl+e
	Context      context.Context
	Session      string // presence id; one is made up when empty

	Networks []string // what `parley connect` knows, for the first-run screen
	UserNote string   // shown at start when User was guessed: where to set it
}

// ShutdownMsg asks the program to save drafts and quit (server shutdown).
type ShutdownMsg struct{ Reason string }

// Model is the root model.
type Model struct {
	opt      Options
	ctx      context.Context
	svc      *inbox.Service
	st       Styles
	styleGen int
	keys     KeyMap
	help     help.Model
	sub      <-chan inbox.Change
	width    int
	height   int
	now      time.Time

	view     inbox.View
	network  string
	accounts []inbox.Account
	counts   inbox.Counts

	accountsLoaded bool // first-run help waits for the accounts to be known

	list listPane
	req  int        // latest list request; older answers are dropped
	gate changeGate // coalesces change notifications

	conv    *convPane
	overlay overlay

	marked    map[int64]bool
	visual    bool
	visualIdx int

	filtering     bool // the filter input has focus
	filter        textinput.Model
	corpus        []inbox.Conversation
	corpusText    []string
	corpusReq     int
	corpusLoading bool
	filterGen     int
	searchQuery   string // non-empty: the list shows search results
	results       searchResults

	viewers  []inbox.Viewer // other sessions' presence
	problems []string       // broken config files in use (shown until fixed)

	flash       string
	flashErr    bool
	holdTicking bool                       // a countdown of held replies is running
	helpMemo    struct{ key, line string } // the last help line rendered
	posBudget   measureBudget              // spaces out position re-measures by their cost
	replies     []inbox.SavedReply
	quitting    bool
}

// New builds the root model.
func New(opt Options) (*Model, error) {
	if opt.Service == nil {
		return nil, fmt.Errorf("tui: no service")
	}
	if opt.Context == nil {
		opt.Context = context.Background()
	}
	if opt.User == "" {
		opt.User = "manager"
	}
	if opt.Session == "" {
		opt.Session = newSessionID()
	}
	keys := DefaultKeyMap()
	if err := keys.Rebind(opt.Keys); err != nil {
		return nil, err
	}
	fi := textinput.New()
	fi.Prompt = "/"
	fi.Placeholder = "filter by author, text, #tag"
	m := &Model{opt: opt, ctx: inbox.WithManager(opt.Context, opt.User), svc: opt.Service, st: NewStyles(true), keys: keys, help: help.New(),
		marked: map[int64]bool{}, filter: fi, now: opt.Service.Now(), width: 80, height: 24}
	m.help.Styles = HelpStyles(true)
	if opt.UserNote != "" {
		m.setFlash(opt.UserNote, false)
	}
	m.sub = opt.Service.Subscribe(opt.Context)
	m.layout()
	return m, nil
}

// Init implements tea.Model.
func (m *Model) Init() tea.Cmd {
	return tea.Batch(tea.RequestBackgroundColor, waitChange(m.ctx, m.sub), tick(), m.reload(nil, false),
		loadCounts(m.ctx, m.svc, m.network), loadAccounts(m.ctx, m.svc), loadPresence(m.svc))
}

func (m *Model) layout() {
	bodyH := max(m.height-3, 1) // tabs, help line, status bar
	m.list.width, m.list.height = m.width, bodyH
	m.list.keepVisible()
	if m.conv != nil {
		m.conv.setSize(m.width, bodyH)
		m.conv.render(&m.st, m.now)
	}
	m.help.SetWidth(m.width)
	m.filter.SetWidth(max(m.width-4, 10))
}

// reload fetches the list window around anchor (or the top of the view).
func (m *Model) reload(anchor *inbox.Conversation, last bool) tea.Cmd {
	m.req++
	m.list.fetching, m.list.pending, m.list.waiting = false, 0, true
	h := m.list.chunk()
	if anchor == nil {
		return loadWindow(m.ctx, m.svc, m.req, m.view, m.network, nil, last, 0, h, 0)
	}
	above := max(m.list.cursor-m.list.offset+h/2, h/2)
	return loadWindow(m.ctx, m.svc, m.req, m.view, m.network, cursorOf(*anchor), false, above, h, anchor.ID)
}

// refresh re-reads what a change made stale (staleAll: everything).
func (m *Model) refresh(s stale) tea.Cmd {
	var cmds []tea.Cmd
	if s.counts {
		cmds = append(cmds, loadCounts(m.ctx, m.svc, m.network))
	}
	switch {
	case !s.list:
	case m.searchQuery != "":
		cmds = append(cmds, m.rerunSearch())
	case m.filterActive():
		if !m.corpusLoading {
			cmds = append(cmds, m.fetchCorpus())
		}
	default:
		// At the top of the view, stay at the top: new urgent rows arrive
		// there and must be seen. Elsewhere keep the cursor's row in place.
		if sel, ok := m.list.selected(); ok && !(m.list.atStart && m.list.cursor == 0) {
			cmds = append(cmds, m.reload(&sel, false))
		} else {
			cmds = append(cmds, m.reload(nil, false))
		}
	}
	if m.conv != nil && s.thread {
		cmds = append(cmds, loadThread(m.ctx, m.svc, m.conv.id))
	}
	return tea.Batch(cmds...)
}

func (m *Model) filterActive() bool { return m.filter.Value() != "" }

func (m *Model) setFlash(s string, isErr bool) {
	m.flash, m.flashErr = screenLine(s), isErr
}

// targets are the conversations an action applies to: the marked ones, the
// visual range, the open conversation, or the row under the cursor.
func (m *Model) targets() []int64 {
	if m.conv != nil {
		return []int64{m.conv.id}
	}
	if m.visual {
		lo, hi := min(m.visualIdx, m.list.cursor), max(m.visualIdx, m.list.cursor)
		var ids []int64
		for i := max(lo, 0); i <= hi && i < len(m.list.rows); i++ {
			ids = append(ids, m.list.rows[i].ID)
		}
		return ids
	}
	if len(m.marked) > 0 {
		ids := make([]int64, 0, len(m.marked))
		for id := range m.marked {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		return ids
	}
	if c, ok := m.list.selected(); ok {
		return []int64{c.ID}
	}
	return nil
}

func (m *Model) isMarked(id int64) bool {
	if m.marked[id] {
		return true
	}
	if m.visual {
		lo, hi := min(m.visualIdx, m.list.cursor), max(m.visualIdx, m.list.cursor)
		for i := lo; i <= hi && i < len(m.list.rows); i++ {
			if i >= 0 && m.list.rows[i].ID == id {
				return true
			}
		}
	}
	return false
}

// bulk runs an action on the targets and clears the selection.
func (m *Model) bulk(label string, f func(ctx context.Context, ids []int64) error) tea.Cmd {
	ids := m.targets()
	if len(ids) == 0 {
		m.setFlash("nothing selected", true)
		return nil
	}
	m.marked, m.visual = map[int64]bool{}, false
	lbl := m.actionLabel(label, ids)
	return act(m.ctx, lbl, func(ctx context.Context) error { return f(ctx, ids) })
}

// Update implements tea.Model.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.layout()
		return m, nil
	case tea.EnvMsg:
		m.onEnv(msg)
		return m, nil
	case tea.BackgroundColorMsg:
		m.st = NewStyles(msg.IsDark())
		m.styleGen++
		m.help.Styles = HelpStyles(msg.IsDark())
		if m.conv != nil {
			m.conv.render(&m.st, m.now)
		}
		return m, nil
	case tickMsg:
		m.now = time.Time(msg)
		if m.conv != nil {
			m.conv.render(&m.st, m.now)
		}
		// Also notices a rules or word-list file that was fixed or broken.
		return m, tea.Batch(tick(), loadAccounts(m.ctx, m.svc))
	case changeMsg:
		return m, m.onChange(msg.change)
	case refreshTickMsg:
		return m, m.onRefreshTick()
	case presenceMsg:
		m.viewers = m.viewers[:0]
		for _, v := range msg {
			if v.Session != m.opt.Session {
				m.viewers = append(m.viewers, v)
			}
		}
		if m.conv != nil {
			m.conv.others = m.othersOn(m.conv.id)
			m.conv.render(&m.st, m.now)
		}
		return m, nil
	case ShutdownMsg:
		m.setFlash(msg.Reason, true)
		return m, m.quit()
	case confirmedMsg:
		return m, msg.do()
	case windowMsg:
		if msg.req != m.req {
			return m, nil
		}
		if msg.err != nil {
			m.setFlash("load "+m.view.String()+": "+errText(msg.err), true)
			return m, nil
		}
		m.list.static, m.list.matches = false, nil
		m.list.replaceAt(msg.rows, msg.atStart, msg.atEnd, msg.keepID, msg.fallback, msg.base)
		return m, nil
	case positionMsg:
		m.onPosition(msg)
		return m, nil
	case positionTickMsg:
		return m, m.onPositionTick()
	case moreMsg:
		m.list.fetching = false
		if msg.req != m.req || m.list.static {
			return m, nil
		}
		if msg.err != nil {
			m.setFlash("load more: "+errText(msg.err), true)
			return m, nil
		}
		if msg.dir == fetchAfter {
			m.list.appendRows(msg.rows, len(msg.rows) < m.list.chunk())
		} else {
			m.list.prependRows(msg.rows, len(msg.rows) < m.list.chunk())
		}
		if p := m.list.pending; p != 0 {
			m.list.pending = 0
			return m, m.moveBy(p)
		}
		return m, nil
	case countsMsg:
		if msg.err == nil {
			m.counts = msg.counts
		}
		return m, nil
	case accountsMsg:
		if msg.err == nil {
			m.accounts, m.problems, m.accountsLoaded = msg.accounts, msg.problems, true
		}
		return m, nil
	case threadMsg:
		if m.conv == nil || m.conv.id != msg.id {
			return m, nil
		}
		if msg.err != nil {
			m.conv.err = msg.err
			return m, nil
		}
		m.conv.setThread(msg.thread, &m.st, m.now)
		m.composerThread()
		return m, m.armHoldTick()
	case actionMsg:
		if msg.err != nil {
			m.setFlash(msg.label+": "+errText(msg.err), true)
		} else {
			m.setFlash(msg.label+" — u to undo", false)
			if msg.label == "undo" || strings.HasPrefix(msg.label, "retry") || strings.HasPrefix(msg.label, "reply") {
				m.setFlash(msg.label, false)
			}
		}
		return m, nil
	case corpusMsg:
		if msg.req == m.corpusReq {
			m.corpusLoading = false
		}
		if msg.req != m.corpusReq || msg.err != nil {
			if msg.err != nil {
				m.setFlash("filter: "+errText(msg.err), true)
			}
			return m, nil
		}
		m.corpus = msg.rows
		m.corpusText = make([]string, len(msg.rows))
		for i, c := range msg.rows {
			m.corpusText[i] = filterTarget(c)
		}
		return m, m.applyFilter()
	case filterMsg:
		if msg.gen != m.filterGen || !m.filterActive() {
			return m, nil
		}
		keep := int64(0)
		if c, ok := m.list.selected(); ok {
			keep = c.ID
		}
		m.list.static, m.list.matches = true, msg.matches
		m.list.replace(msg.rows, true, true, keep, 0)
		return m, nil
	case searchMsg:
		m.onSearch(msg)
		return m, nil
	case searchCountMsg:
		m.onSearchCount(msg)
		return m, nil
	case pickMsg:
		if msg.replaces != nil && m.overlay != msg.replaces {
			return m, nil
		}
		m.overlay = msg.open
		return m, nil
	case statsMsg:
		if msg.err != nil {
			m.setFlash("stats: "+errText(msg.err), true)
			return m, nil
		}
		m.overlay = &statsOverlay{s: msg.stats, noSLA: !m.svc.HasSLA(), keys: &m.keys}
		return m, nil
	case searchStart:
		q := strings.TrimSpace(string(msg))
		if q == "" {
			return m, nil
		}
		if m.filterActive() {
			m.filter.SetValue("")
			m.corpus, m.corpusText = nil, nil
		}
		closing := m.closeConv()
		m.list.rows, m.list.loaded = nil, false
		return m, tea.Batch(closing, m.startSearch(q))
	case commandMsg:
		return m, m.handleCommand(string(msg))
	case tagsMsg:
		if msg.err != nil {
			m.setFlash("tags: "+errText(msg.err), true)
			return m, nil
		}
		ids := msg.ids
		m.overlay = newPicker("Tag "+m.who(ids), msg.tags, true, func(tag string) tea.Cmd {
			return act(m.ctx, m.actionLabel(m.tagLabel(tag, ids), ids), func(ctx context.Context) error { return m.svc.Tag(ctx, m.opt.User, ids, tag) })
		})
		return m, nil
	case repliesMsg:
		if msg.err != nil {
			m.setFlash(errText(msg.err), true)
			return m, nil
		}
		m.replies = msg.replies
		return m, m.openSavedReplies()
	case tea.PasteMsg:
		switch {
		case m.conv != nil && m.conv.composer != nil && m.overlay == nil:
			return m, m.composerKey(msg)
		case m.filtering:
			m.filter, _ = m.filter.Update(msg)
			return m, m.onFilterEdit()
		}
		if p, ok := m.overlay.(interface{ paste(tea.PasteMsg) }); ok {
			p.paste(msg)
		}
		return m, nil
	case tea.KeyPressMsg:
		return m, m.onKey(msg)
	}
	if cmd, ok := m.updateCompose(msg); ok {
		return m, cmd
	}
	// Cursor blink and other component messages.
	if m.conv != nil && m.conv.composer != nil {
		cmd, _, _ := m.conv.composer.update(msg)
		return m, cmd
	}
	return m, nil
}

func (m *Model) applyFilter() tea.Cmd {
	m.filterGen++
	if len(m.corpus) == 0 {
		return nil
	}
	return runFilter(m.filterGen, m.filter.Value(), m.corpus, m.corpusText)
}

func (m *Model) onFilterEdit() tea.Cmd {
	if !m.filterActive() {
		m.list.matches = nil
		return m.reload(nil, false)
	}
	if m.corpus == nil {
		if m.corpusLoading {
			return nil // the corpus applies the filter as it is then
		}
		return m.fetchCorpus()
	}
	return m.applyFilter()
}

// fetchCorpus loads the rows the filter searches; one load at a time, as
// each holds up to corpusLimit rows.
func (m *Model) fetchCorpus() tea.Cmd {
	m.corpusReq++
	m.corpusLoading = true
	return loadCorpus(m.ctx, m.svc, m.corpusReq, m.view, m.network)
}

func (m *Model) clearFilter() tea.Cmd {
	m.filter.SetValue("")
	m.filter.Blur()
	m.filtering = false
	m.corpus, m.corpusText = nil, nil
	m.list.matches = nil
	return m.reload(nil, false)
}

// setView switches the triage view.
func (m *Model) setView(v inbox.View) tea.Cmd {
	m.view = v
	m.marked, m.visual = map[int64]bool{}, false
	m.searchQuery = ""
	m.list.rows, m.list.cursor, m.list.offset, m.list.loaded = nil, 0, 0, false
	m.list.newAbove = 0
	if m.filterActive() {
		m.corpus = nil
		return m.fetchCorpus()
	}
	return m.reload(nil, false)
}

func (m *Model) onKey(k tea.KeyPressMsg) tea.Cmd {
	if k.String() == "ctrl+c" {
		return m.quit() // anywhere, keeping any draft
	}
	if m.flash != "" {
		m.flash = ""
	}
	if m.overlay != nil {
		var cmd tea.Cmd
		m.overlay, cmd = m.overlay.update(k)
		return cmd
	}
	if m.conv != nil && m.conv.composer != nil {
		return m.composerKey(k)
	}
	if m.filtering {
		return m.filterKey(k)
	}
	if m.conv != nil {
		return m.convKey(k)
	}
	return m.listKey(k)
}

func (m *Model) quit() tea.Cmd {
	m.quitting = true
	svc, session := m.svc, m.opt.Session
	cmds := []tea.Cmd{func() tea.Msg { svc.ClearPresence(session); return nil }}
	if m.conv != nil && m.conv.composer != nil {
		cmds = append(cmds, m.persistDraft())
	}
	return tea.Sequence(tea.Batch(cmds...), tea.Quit)
}

func (m *Model) filterKey(k tea.KeyPressMsg) tea.Cmd {
	switch k.String() {
	case "esc":
		return m.clearFilter()
	case "enter", "down", "up":
		m.filtering = false
		m.filter.Blur()
		return nil
	}
	var cmd tea.Cmd
	before := m.filter.Value()
	m.filter, cmd = m.filter.Update(k)
	if m.filter.Value() != before {
		return tea.Batch(cmd, m.onFilterEdit())
	}
	return cmd
}

// globalKey handles keys shared by the list and the conversation view.
func (m *Model) globalKey(k tea.KeyPressMsg) (tea.Cmd, bool) {
	u := m.opt.User
	switch {
	case key.Matches(k, m.keys.Help):
		m.overlay = newHelp(m.keys)
	case key.Matches(k, m.keys.Negative):
		return m.bulk(m.negativeLabel(m.targets()), func(ctx context.Context, ids []int64) error { return m.svc.ToggleNegative(ctx, u, ids) }), true
	case key.Matches(k, m.keys.Done):
		cmd := m.bulk("done", func(ctx context.Context, ids []int64) error { return m.svc.Done(ctx, u, ids) })
		return tea.Batch(cmd, m.closeConv()), true
	case key.Matches(k, m.keys.Reopen):
		return m.bulk("reopen", func(ctx context.Context, ids []int64) error { return m.svc.Reopen(ctx, u, ids) }), true
	case key.Matches(k, m.keys.Undo):
		return undo(m.ctx, m.svc, u), true
	case key.Matches(k, m.keys.Tag):
		ids := m.targets()
		if len(ids) == 0 {
			return nil, true
		}
		return loadTags(m.ctx, m.svc, ids), true
	case key.Matches(k, m.keys.Escalate):
		m.openEscalate()
	case key.Matches(k, m.keys.Snooze):
		return m.openSnooze(), true
	case key.Matches(k, m.keys.Search):
		m.overlay = newPrompt("Search everything", "words must all match; the last one may be a prefix", m.searchQuery, func(q string) tea.Cmd {
			return func() tea.Msg { return searchStart(q) }
		})
	case key.Matches(k, m.keys.Command):
		m.overlay = newPrompt(":", "search <words> · view <name> · network <name|all> · done · spam · replies · undo · snooze <when> · tag <name> · escalate <dest> [note] · help · quit", "", func(s string) tea.Cmd {
			return func() tea.Msg { return commandMsg(s) }
		})
	case key.Matches(k, m.keys.Copy):
		link := ""
		if m.conv != nil {
			link = m.conv.permalink()
		}
		if link == "" {
			m.setFlash("no permalink to copy", true)
			return nil, true
		}
		m.setFlash("copied "+link, false)
		return tea.SetClipboard(link), true
	case key.Matches(k, m.keys.Refresh):
		return tea.Batch(m.refresh(staleAll), loadAccounts(m.ctx, m.svc)), true
	case key.Matches(k, m.keys.Moderate):
		m.openModerate()
	case key.Matches(k, m.keys.Stats):
		return loadStats(m.ctx, m.svc), true
	case key.Matches(k, m.keys.Assign):
		m.openAssign()
	case key.Matches(k, m.keys.Note):
		m.openNote()
	case key.Matches(k, m.keys.Activity):
		return m.openActivity(), true
	case key.Matches(k, m.keys.Profile):
		return m.openProfile(), true
	case key.Matches(k, m.keys.Spam):
		return m.openSpam(), true
	case key.Matches(k, m.keys.Replies):
		return m.openReplies(), true
	default:
		return nil, false
	}
	return nil, true
}

type searchStart string
type commandMsg string

func (m *Model) listKey(k tea.KeyPressMsg) tea.Cmd {
	if cmd, ok := m.globalKey(k); ok {
		return cmd
	}
	switch {
	case key.Matches(k, m.keys.Quit):
		return m.quit()
	case key.Matches(k, m.keys.Down):
		return m.moveBy(1)
	case key.Matches(k, m.keys.Up):
		return m.moveBy(-1)
	case key.Matches(k, m.keys.PageDown):
		return m.moveBy(max(m.list.height-1, 1))
	case key.Matches(k, m.keys.PageUp):
		return m.moveBy(-max(m.list.height-1, 1))
	case key.Matches(k, m.keys.Top):
		if m.list.static {
			m.list.cursor = 0
			m.list.keepVisible()
			return nil
		}
		m.list.cursor, m.list.offset = 0, 0
		return m.reload(nil, false)
	case key.Matches(k, m.keys.Bottom):
		if m.list.static {
			m.list.cursor = max(len(m.list.rows)-1, 0)
			m.list.keepVisible()
			return nil
		}
		m.list.cursor, m.list.offset = 0, 0
		return m.reload(nil, true)
	case key.Matches(k, m.keys.More) && m.searchQuery != "":
		return m.moreResults()
	case key.Matches(k, m.keys.Open):
		return m.openSelected()
	case key.Matches(k, m.keys.Reply):
		if n := len(m.targets()); n > 1 {
			m.setFlash(fmt.Sprintf("r answers one conversation at a time and %d are selected: esc clears the selection", n), true)
			return nil
		}
		return m.openToReply()
	case key.Matches(k, m.keys.ClearSel) && (len(m.marked) > 0 || m.visual):
		m.marked, m.visual = map[int64]bool{}, false
	case key.Matches(k, m.keys.Back):
		switch {
		case m.searchQuery != "":
			m.searchQuery = ""
			return m.reload(nil, false)
		case m.filterActive():
			return m.clearFilter()
		case k.String() == "q":
			return m.quit()
		}
	case key.Matches(k, m.keys.NextView):
		return m.setView((m.view + 1) % inbox.View(len(inbox.Tabs)))
	case key.Matches(k, m.keys.PrevView):
		return m.setView((m.view + inbox.View(len(inbox.Tabs)) - 1) % inbox.View(len(inbox.Tabs)))
	case key.Matches(k, m.keys.viewKeys()...):
		for i, b := range m.keys.viewKeys() {
			if key.Matches(k, b) {
				return m.setView(inbox.View(i))
			}
		}
	case key.Matches(k, m.keys.Network):
		m.openNetworkPicker()
	case key.Matches(k, m.keys.Select):
		if c, ok := m.list.selected(); ok {
			if m.marked[c.ID] {
				delete(m.marked, c.ID)
			} else {
				m.marked[c.ID] = true
			}
			return m.moveBy(1)
		}
	case key.Matches(k, m.keys.Visual):
		if m.visual {
			for _, id := range m.targets() {
				m.marked[id] = true
			}
			m.visual = false
		} else {
			m.visual, m.visualIdx = true, m.list.cursor
		}
	case key.Matches(k, m.keys.Filter):
		m.filtering = true
		m.searchQuery = ""
		return m.filter.Focus()
	}
	return nil
}

func (m *Model) moveBy(d int) tea.Cmd {
	dir := m.list.move(d)
	if d > 0 && m.searchQuery != "" && m.list.more && m.list.cursor == len(m.list.rows)-1 {
		return m.moreResults() // past the last search result shown
	}
	if dir == fetchNone {
		return nil
	}
	m.list.fetching = true
	anchor := m.list.rows[len(m.list.rows)-1]
	if dir == fetchBefore {
		anchor = m.list.rows[0]
	}
	return loadMore(m.ctx, m.svc, m.req, m.view, m.network, dir, *cursorOf(anchor), m.list.chunk())
}

func (m *Model) openSelected() tea.Cmd {
	c, ok := m.list.selected()
	if !ok {
		return nil
	}
	m.conv = newConvPane(c.ID, m.opt.User, m.width, m.list.height)
	m.conv.others = m.othersOn(c.ID)
	return tea.Batch(loadThread(m.ctx, m.svc, c.ID), m.here(c.ID, false))
}

// openToReply opens the selected conversation with the composer. Presence
// is set once, by the composer (or the question before it): two presence
// updates in one batch would race and could leave "viewing" last.
func (m *Model) openToReply() tea.Cmd {
	c, ok := m.list.selected()
	if !ok {
		return nil
	}
	m.conv = newConvPane(c.ID, m.opt.User, m.width, m.list.height)
	m.conv.others = m.othersOn(c.ID)
	return tea.Batch(loadThread(m.ctx, m.svc, c.ID), m.replyGuarded())
}

// closeConv goes back to the list and tells the others.
func (m *Model) closeConv() tea.Cmd {
	if m.conv == nil {
		return nil
	}
	m.conv = nil
	return m.here(0, false)
}

// here records this session's place for the other sessions.
func (m *Model) here(conv int64, composing bool) tea.Cmd {
	svc, v := m.svc, inbox.Viewer{Session: m.opt.Session, User: m.opt.User, Conversation: conv, Composing: composing}
	return func() tea.Msg { svc.SetPresence(v); return nil }
}

// othersOn lists the other sessions on a conversation.
func (m *Model) othersOn(conv int64) []inbox.Viewer {
	var out []inbox.Viewer
	for _, v := range m.viewers {
		if v.Conversation == conv {
			out = append(out, v)
		}
	}
	return out
}

func (m *Model) convKey(k tea.KeyPressMsg) tea.Cmd {
	if cmd, ok := m.globalKey(k); ok {
		return cmd
	}
	switch {
	case key.Matches(k, m.keys.Back):
		return m.closeConv()
	case key.Matches(k, m.keys.Reply):
		return m.replyGuarded()
	case key.Matches(k, m.keys.Retry):
		id := m.conv.retryable()
		if id == 0 {
			m.setFlash("no failed reply to retry here", true)
			return nil
		}
		return act(m.ctx, "retry send", func(ctx context.Context) error { return m.svc.RetryOutbox(ctx, id) })
	case key.Matches(k, m.keys.Down):
		m.conv.vp.ScrollDown(1)
	case key.Matches(k, m.keys.Up):
		m.conv.vp.ScrollUp(1)
	case key.Matches(k, m.keys.PageDown):
		m.conv.vp.PageDown()
	case key.Matches(k, m.keys.PageUp):
		m.conv.vp.PageUp()
	case key.Matches(k, m.keys.Top):
		m.conv.vp.GotoTop()
	case key.Matches(k, m.keys.Bottom):
		m.conv.vp.GotoBottom()
	}
	return nil
}

func (m *Model) openEscalate() {
	ids := m.targets()
	if len(ids) == 0 {
		return
	}
	if len(m.opt.Destinations) == 0 {
		m.setFlash("no escalation destinations: add escalation = [\"support\", …] to the config", true)
		return
	}
	u := m.opt.User
	m.overlay = newPicker("Escalate "+m.who(ids)+" to", m.opt.Destinations, false, func(dest string) tea.Cmd {
		note := newPrompt("Note for "+dest, "what should they know? enter to send, esc to cancel", "", func(note string) tea.Cmd {
			return act(m.ctx, m.actionLabel(m.escalatedLabel(dest), ids), func(ctx context.Context) error {
				return m.svc.Escalate(ctx, u, ids, dest, note)
			})
		})
		return func() tea.Msg { return pickMsg{open: note} }
	})
	m.marked, m.visual = map[int64]bool{}, false
}

// escalatedLabel says whether an escalation reaches anyone: a destination
// with no delivery is recorded only, and the manager must know.
func (m *Model) escalatedLabel(dest string) string {
	if m.svc.Deliverable(dest) {
		return "escalated to " + dest
	}
	return "escalated to " + dest + " (recorded only: no delivery configured)"
}

func (m *Model) openSnooze() tea.Cmd {
	ids := m.targets()
	if len(ids) == 0 {
		return nil
	}
	now := m.svc.Now()
	presets := inbox.SnoozePresets(now)
	labels := make([]string, 0, len(presets)+1)
	for _, p := range presets {
		labels = append(labels, p.Label+"  ("+p.Until.Local().Format("Mon 15:04")+")")
	}
	labels = append(labels, "custom…")
	u := m.opt.User
	snooze := func(until time.Time) tea.Cmd {
		return act(m.ctx, m.actionLabel(snoozedLabel(until), ids), func(ctx context.Context) error {
			return m.svc.Snooze(ctx, u, ids, until)
		})
	}
	m.overlay = newPicker("Snooze "+m.who(ids), labels, false, func(choice string) tea.Cmd {
		for i, l := range labels[:len(presets)] {
			if l == choice {
				return snooze(presets[i].Until)
			}
		}
		p := newPrompt("Snooze until", "3h · 2d · mon · 17:30 · 2026-12-01 10:00", "", func(s string) tea.Cmd {
			until, err := inbox.ParseSnooze(s, m.svc.Now())
			if err != nil {
				return func() tea.Msg { return actionMsg{label: "snooze", err: err} }
			}
			return snooze(until)
		})
		return func() tea.Msg { return pickMsg{open: p} }
	})
	m.marked, m.visual = map[int64]bool{}, false
	return nil // z in a conversation stays there
}

func (m *Model) networks() []string {
	seen := map[string]bool{}
	var out []string
	for _, a := range m.accounts {
		if !seen[a.Network] {
			seen[a.Network] = true
			out = append(out, a.Network)
		}
	}
	return out
}

func (m *Model) openNetworkPicker() {
	items := append([]string{"all networks"}, m.networks()...)
	m.overlay = newPicker("Show network", items, false, func(n string) tea.Cmd {
		return func() tea.Msg { return commandMsg("network " + n) }
	})
}

// handleCommand runs a ':' command line.
func (m *Model) handleCommand(line string) tea.Cmd {
	verb, rest, _ := strings.Cut(strings.TrimSpace(line), " ")
	rest = strings.TrimSpace(rest)
	u := m.opt.User
	switch strings.ToLower(verb) {
	case "":
		return nil
	case "search", "s":
		return func() tea.Msg { return searchStart(rest) }
	case "view":
		for _, v := range inbox.Tabs {
			if strings.EqualFold(v.String(), rest) {
				return m.setView(v)
			}
		}
		m.setFlash("unknown view "+rest+": inbox, negative, escalated, snoozed, done, all, mine, unassigned, mentions, spam", true)
	case "network":
		if rest == "all" || rest == "all networks" || rest == "" {
			m.network = ""
		} else if slices.Contains(m.networks(), rest) {
			m.network = rest
		} else {
			m.setFlash("unknown network "+rest+": "+strings.Join(m.networks(), ", "), true)
			return nil
		}
		return tea.Batch(m.setView(m.view), loadCounts(m.ctx, m.svc, m.network))
	case "done":
		return m.bulk("done", func(ctx context.Context, ids []int64) error { return m.svc.Done(ctx, u, ids) })
	case "undo":
		return undo(m.ctx, m.svc, u)
	case "resolve":
		return m.bulk("escalation resolved", func(ctx context.Context, ids []int64) error { return m.svc.Resolve(ctx, u, ids) })
	case "discard":
		return m.discardDraft()
	case "spam":
		return m.openSpam()
	case "replies":
		return m.openReplies()
	case "snooze":
		until, err := inbox.ParseSnooze(rest, m.svc.Now())
		if err != nil {
			m.setFlash(err.Error(), true)
			return nil
		}
		return m.bulk(snoozedLabel(until), func(ctx context.Context, ids []int64) error { return m.svc.Snooze(ctx, u, ids, until) })
	case "tag":
		return m.bulk(m.tagLabel(rest, m.targets()), func(ctx context.Context, ids []int64) error { return m.svc.Tag(ctx, u, ids, rest) })
	case "escalate":
		dest, note, _ := strings.Cut(rest, " ")
		if !slices.Contains(m.opt.Destinations, dest) {
			m.setFlash("unknown destination "+dest+": "+strings.Join(m.opt.Destinations, ", "), true)
			return nil
		}
		return m.bulk(m.escalatedLabel(dest), func(ctx context.Context, ids []int64) error { return m.svc.Escalate(ctx, u, ids, dest, note) })
	case "help":
		m.overlay = newHelp(m.keys)
	case "quit", "q":
		return m.quit()
	default:
		m.setFlash("unknown command "+verb+" (try :help)", true)
	}
	return nil
}

// openModerate offers the moderation actions the conversation's network
// allows; others are not shown at all. Mute and block ask first.
func (m *Model) openModerate() {
	var c inbox.Conversation
	switch {
	case m.conv != nil && m.conv.thread != nil:
		c = m.conv.thread.Conversation
	case m.conv == nil:
		var ok bool
		if c, ok = m.list.selected(); !ok {
			return
		}
	default:
		return
	}
	acts := m.svc.Moderation(c.AccountID)
	if len(acts) == 0 {
		m.setFlash("no moderation on "+c.Network+" from here", true)
		return
	}
	who := shortName(c.Author.Handle)
	if who == "" {
		who = shortName(c.Author.Display())
	}
	labels := map[inbox.ActionKind]string{
		inbox.ActionMute:         "mute " + who,
		inbox.ActionBlock:        "block " + who,
		inbox.ActionReport:       "report the latest message to the server's moderators",
		inbox.ActionDismiss:      "dismiss the notification on the network",
		inbox.ActionHide:         "hide the comment (its author still sees it)",
		inbox.ActionUnhide:       "unhide the comment",
		inbox.ActionDelete:       "delete the comment",
		inbox.ActionPrivateReply: "reply privately to the comment (once, within 7 days)",
	}
	if c.Kind == inbox.KindReview {
		// On a review the business can only take back its own answer.
		labels[inbox.ActionDelete] = "delete our public answer to this review"
	}
	var items []string
	for _, a := range acts {
		if l, ok := labels[a]; ok {
			items = append(items, l)
		}
	}
	id, u := c.ID, m.opt.User
	queue := func(a inbox.ActionKind, note string) tea.Cmd {
		return act(m.ctx, string(a)+" queued", func(ctx context.Context) error { return m.svc.Moderate(ctx, u, id, a, note) })
	}
	m.overlay = newPicker("Moderate", items, false, func(choice string) tea.Cmd {
		for a, l := range labels {
			if l != choice {
				continue
			}
			switch a {
			case inbox.ActionMute, inbox.ActionBlock:
				ask := newConfirm(l+"?", "They will not reach the brand's account there any more.", func() tea.Cmd { return queue(a, "") })
				return func() tea.Msg { return pickMsg{open: ask} }
			case inbox.ActionDelete:
				title := "Delete the comment?"
				if c.Kind == inbox.KindReview {
					title = "Delete our answer to this review?"
				}
				ask := newConfirm(title, "It is removed from the network for everyone; this cannot be undone.", func() tea.Cmd { return queue(a, "") })
				return func() tea.Msg { return pickMsg{open: ask} }
			case inbox.ActionPrivateReply:
				p := newPrompt("Private reply", "sent as a direct message to the person who commented", "", func(text string) tea.Cmd {
					if strings.TrimSpace(text) == "" {
						return nil
					}
					return queue(a, text)
				})
				return func() tea.Msg { return pickMsg{open: p} }
			case inbox.ActionReport:
				p := newPrompt("Report to the moderators", "why? (sent with the report)", "", func(note string) tea.Cmd { return queue(a, note) })
				return func() tea.Msg { return pickMsg{open: p} }
			}
			return queue(a, "")
		}
		return nil
	})
}
