package tui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/parleyhq/parley/inbox"
)

// listPane is a virtual list: it holds only a window of the view around the
// cursor, fetched by keyset paging, so a million rows open like ten. Rows
// are identified by id, never by position.
type listPane struct {
	rows           []inbox.Conversation
	cursor, offset int
	atStart, atEnd bool
	width, height  int
	static         bool            // every row is loaded (filter or search results)
	more           bool            // search results: more conversations match than are shown
	matches        map[int64][]int // fuzzy-filter byte offsets into displayTarget
	fetching       bool
	loaded         bool
	waiting        bool // a fresh window is on its way; until it lands a change can be in it
	pending        int  // moves past the window made while a page was loading

	base      int  // view index of rows[0] (position.go)
	baseKnown bool // base is measured, not guessed
	newAbove  int  // rows that arrived above the screen, unseen

	// Rendered rows, so moving the cursor redraws two rows, not all of
	// them. Dropped whenever the rows, width, styles or minute change.
	cache    map[rowKey]string
	cacheFor rowCacheFor
}

type rowKey struct {
	id             int64
	cursor, marked bool
	presence       string
}

type rowCacheFor struct {
	width, styles int
	minute        int64
}

// chunk is how many rows one fetch brings.
func (l *listPane) chunk() int { return max(l.height*2, 40) }

func (l *listPane) selected() (inbox.Conversation, bool) {
	if l.cursor < 0 || l.cursor >= len(l.rows) {
		return inbox.Conversation{}, false
	}
	return l.rows[l.cursor], true
}

func cursorOf(c inbox.Conversation) *inbox.Cursor { return &inbox.Cursor{Key: c.Key, ID: c.ID} }

// fetchDir says which way the list wants more rows after a move.
type fetchDir int

const (
	fetchNone fetchDir = iota
	fetchAfter
	fetchBefore
)

// move shifts the cursor and says whether rows beyond the window are needed.
func (l *listPane) move(delta int) fetchDir {
	if len(l.rows) == 0 {
		return fetchNone
	}
	want := l.cursor + delta
	l.cursor = min(max(want, 0), len(l.rows)-1)
	// Keys pressed faster than pages load are kept, not dropped.
	if !l.static && ((want > l.cursor && !l.atEnd) || (want < l.cursor && !l.atStart)) {
		l.pending += want - l.cursor
	}
	l.keepVisible()
	if l.static || l.fetching {
		return fetchNone
	}
	switch {
	case !l.atEnd && len(l.rows)-1-l.cursor < l.height:
		return fetchAfter
	case !l.atStart && l.cursor < l.height:
		return fetchBefore
	}
	return fetchNone
}

func (l *listPane) keepVisible() {
	h := max(l.height, 1)
	if l.cursor < l.offset {
		l.offset = l.cursor
	}
	if l.cursor >= l.offset+h {
		l.offset = l.cursor - h + 1
	}
	l.offset = min(max(l.offset, 0), max(len(l.rows)-h, 0))
	if l.cursor < l.offset {
		l.offset = l.cursor
	}
	l.clampNew()
}

// replace installs a freshly loaded window. The cursor stays on the row it
// was on if that row is still in the view, else on the row that took its
// place (index fallback), and keeps its line on screen.
func (l *listPane) replace(rows []inbox.Conversation, atStart, atEnd bool, keepID int64, fallback int) {
	screenLine := l.cursor - l.offset
	l.rows, l.atStart, l.atEnd, l.loaded, l.waiting = rows, atStart, atEnd, true, false
	l.cache = nil
	l.cursor = min(max(fallback, 0), max(len(rows)-1, 0))
	for i, r := range rows {
		if r.ID == keepID {
			l.cursor = i
			break
		}
	}
	l.offset = l.cursor - screenLine
	l.base, l.baseKnown = 0, atStart
	l.keepVisible()
}

// touched says whether changes to conversations, now placed as given, can
// alter this window of view v: one of its rows changed (it may have left
// the view or moved), or a conversation of the view now sorts inside the
// key range the window covers, or past an end of the view the window
// reaches. A change anywhere else leaves the window as it is, so a session
// scrolled elsewhere does no query for it.
func (l *listPane) touched(placed map[int64]inbox.Placement, v inbox.View, network string) bool {
	if len(placed) == 0 {
		return false
	}
	if l.waiting || l.fetching || len(l.rows) == 0 {
		return true // rows read before the change may still be landing
	}
	for _, r := range l.rows {
		if _, ok := placed[r.ID]; ok {
			return true
		}
	}
	first, last := l.rows[0], l.rows[len(l.rows)-1]
	for _, p := range placed {
		key, in := p.Keys[v]
		if !in || (network != "" && p.Network != network) {
			continue
		}
		afterFirst := l.atStart || key > first.Key || (key == first.Key && p.ID > first.ID)
		beforeLast := l.atEnd || key < last.Key || (key == last.Key && p.ID < last.ID)
		if afterFirst && beforeLast {
			return true
		}
	}
	return false
}

// maxRows bounds the window so memory stays flat however far one scrolls.
func (l *listPane) maxRows() int { return l.chunk() * 4 }

func (l *listPane) appendRows(rows []inbox.Conversation, atEnd bool) {
	l.rows = append(l.rows, rows...)
	l.atEnd = atEnd
	if extra := len(l.rows) - l.maxRows(); extra > 0 && l.cursor-extra >= l.height {
		l.rows = append([]inbox.Conversation(nil), l.rows[extra:]...)
		l.cursor -= extra
		l.offset -= extra
		l.base += extra
		l.atStart = false
	}
	l.keepVisible()
}

func (l *listPane) prependRows(rows []inbox.Conversation, atStart bool) {
	l.rows = append(append([]inbox.Conversation(nil), rows...), l.rows...)
	l.cursor += len(rows)
	l.offset += len(rows)
	l.base -= len(rows)
	l.atStart = atStart
	if atStart {
		l.base, l.baseKnown = 0, true
	}
	if extra := len(l.rows) - l.maxRows(); extra > 0 && len(l.rows)-extra-1 > l.cursor+l.height {
		l.rows = l.rows[:len(l.rows)-extra]
		l.atEnd = false
	}
	l.keepVisible()
}

// filterTarget is the text the fuzzy filter matches a row against:
// displayTarget folded, so België matches belgie.
func filterTarget(c inbox.Conversation) string {
	f, _ := fold(displayTarget(c))
	return f
}

// displayTarget is what the filter matches, as the row shows it: match
// offsets into it are what the row highlights.
func displayTarget(c inbox.Conversation) string {
	var b strings.Builder
	b.WriteString(screenLine(c.Author.Display()))
	b.WriteByte(' ')
	b.WriteString(screenLine(c.Preview))
	for _, t := range c.Tags {
		b.WriteString(" #")
		b.WriteString(t)
	}
	return b.String()
}

// rowCtx is what rendering rows needs besides the rows.
type rowCtx struct {
	st       *Styles
	now      time.Time
	marked   func(id int64) bool
	showCurs bool
	styleGen int // bumps when styles are rebuilt
	presence func(id int64) string
	empty    string // what an empty view says
}

func (l *listPane) view(rc rowCtx) string {
	h := max(l.height, 0)
	if len(l.rows) == 0 {
		msg := rc.empty
		if !l.loaded {
			msg = "Loading…"
		}
		return emptyView(rc.st, msg, l.width, h)
	}
	key := rowCacheFor{width: l.width, styles: rc.styleGen, minute: rc.now.Unix() / 60}
	if l.cache == nil || l.cacheFor != key {
		l.cache, l.cacheFor = make(map[rowKey]string, 2*h), key
	}
	lines := make([]string, 0, h)
	keys := make([]rowKey, 0, h)
	for i := l.offset; i < len(l.rows) && len(lines) < h; i++ {
		c := l.rows[i]
		k := rowKey{id: c.ID, cursor: rc.showCurs && i == l.cursor, marked: rc.marked(c.ID)}
		if rc.presence != nil {
			k.presence = rc.presence(c.ID)
		}
		line, ok := l.cache[k]
		if !ok {
			line = renderRow(rc, c, l.width, k, l.matches[c.ID])
			l.cache[k] = line
		}
		lines = append(lines, line)
		keys = append(keys, k)
	}
	if len(l.cache) > 4*h+16 {
		// Keep what is on screen, forget rows scrolled far away.
		kept := make(map[rowKey]string, 2*h)
		for _, k := range keys {
			kept[k] = l.cache[k]
		}
		l.cache = kept
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// renderRow draws one conversation in a fixed column layout. All remote
// text is sanitised again here and cut by display width, never by bytes.
func renderRow(rc rowCtx, c inbox.Conversation, width int, k rowKey, match []int) string {
	st := rc.st
	cursor, marked := k.cursor, k.marked
	var bg *lipgloss.Style
	switch {
	case cursor:
		bg = &st.RowSelected
	case marked:
		bg = &st.RowMarked
	}
	paint := func(s lipgloss.Style, text string) string {
		if bg != nil {
			s = s.Background(bg.GetBackground())
		}
		return s.Render(text)
	}
	pad := fitCell // conservative: emoji sequences must not push the age off screen
	var b strings.Builder
	lead := "  "
	switch {
	case cursor && marked:
		lead = "›●"
	case cursor:
		lead = "› "
	case marked:
		lead = " ●"
	}
	b.WriteString(paint(st.RowCursor, lead))
	if negativeEarlier(c) {
		// The shown message is not the negative one: say so, quieter.
		b.WriteString(paint(st.Negative, "!") + paint(st.Faint, "↑"))
	} else if c.Negative {
		b.WriteString(paint(st.Negative, "! "))
	} else {
		b.WriteString(paint(st.Row, "  "))
	}
	b.WriteString(paint(st.Network, pad(networkBadge(c.Network), 3)))
	// Narrow terminals give the message the room: the kind and author
	// columns shrink before the preview does.
	kindW, authorW := 13, 18
	switch {
	case width < 72:
		kindW, authorW = 8, 10
	case width < 100:
		authorW = 14
	}
	kind := kindLabel(c)
	switch {
	case c.Kind == inbox.KindReview && c.Rating > 0 && kindW < 13:
		b.WriteString(paint(st.Kind, "rev "))
		b.WriteString(paint(st.Stars, pad(fmt.Sprintf("★%d", c.Rating), 4)))
	case c.Kind == inbox.KindReview && c.Rating > 0:
		b.WriteString(paint(st.Kind, "review "))
		b.WriteString(paint(st.Stars, pad(stars(c.Rating), 6)))
	default:
		b.WriteString(paint(st.Kind, pad(kind, kindW)))
	}
	// Right side: outbox state, tags, escalation, age.
	var right []string
	rightW := 0
	addRight := func(s lipgloss.Style, text string) {
		right = append(right, paint(s, text))
		rightW += cellWidth(text) + 1
	}
	if k.presence != "" {
		addRight(st.Escalated, cutCell(k.presence, 16))
	}
	if c.Failed > 0 {
		addRight(st.Failed, "✗ send failed")
	} else if c.Queued > 0 {
		addRight(st.Queued, "… sending")
	}
	if len(c.Tags) > 0 {
		tags := screenLine("#" + strings.Join(c.Tags, " #"))
		addRight(st.Tag, cutCell(tags, 24))
	}
	if c.Assignee != "" {
		addRight(st.Assignee, cutCell("@"+screenLine(c.Assignee), 14))
	}
	if c.Escalated() {
		addRight(st.Escalated, cutCell("↑"+screenLine(c.EscDest), 12))
	}
	if c.State == inbox.StateSnoozed {
		addRight(st.Age, "z "+until(c.SnoozeUntil, rc.now))
	}
	switch {
	case c.NeedsReply && !c.DueAt.IsZero() && !c.DueAt.After(rc.now):
		addRight(st.Negative, pad("late "+age(c.DueAt, rc.now), 9))
	case c.NeedsReply && !c.DueAt.IsZero():
		addRight(st.Age, pad("due "+strings.TrimPrefix(until(c.DueAt, rc.now), "in "), 9))
	default:
		ageT := c.WaitSince
		if ageT.IsZero() {
			ageT = c.LastActivity
		}
		addRight(st.Age, pad(age(ageT, rc.now), 6))
	}
	used := 2 + 2 + 3 + kindW
	author := screenLine(c.Author.Display())
	previewW := width - used - authorW - 1 - rightW
	if previewW < 10 {
		// Narrow terminal: drop the right-hand extras but keep the age.
		right = right[len(right)-1:]
		rightW = 7
		previewW = max(width-used-authorW-1-rightW, 0)
	}
	b.WriteString(highlight(pad(author, authorW), match, 0, paint, st.Author, st.Match))
	b.WriteString(paint(st.Row, " "))
	preview := screenLine(c.Preview)
	b.WriteString(highlight(pad(preview, previewW), match, len(author)+1, paint, st.Preview, st.Match))
	for _, r := range right {
		b.WriteString(paint(st.Row, " "))
		b.WriteString(r)
	}
	return ansi.Truncate(b.String(), width, "")
}

// highlight paints the bytes of text that the fuzzy matcher matched.
// match holds byte offsets into the filter target; text starts at offset
// base there. Offsets past a truncation are simply not shown.
func highlight(text string, match []int, base int, paint func(lipgloss.Style, string) string, normal, hl lipgloss.Style) string {
	if len(match) == 0 {
		return paint(normal, text)
	}
	in := make(map[int]bool, len(match))
	for _, m := range match {
		in[m-base] = true
	}
	var b strings.Builder
	run, runHL := strings.Builder{}, false
	flush := func() {
		if run.Len() == 0 {
			return
		}
		if runHL {
			b.WriteString(paint(hl, run.String()))
		} else {
			b.WriteString(paint(normal, run.String()))
		}
		run.Reset()
	}
	for i, r := range text {
		h := in[i]
		if h != runHL {
			flush()
			runHL = h
		}
		run.WriteRune(r)
	}
	flush()
	return b.String()
}
