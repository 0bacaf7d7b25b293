package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// helpOverlay lists every key; any key closes it. When the list is
// taller than the screen (a narrow terminal gets long columns), j/k,
// pgup/pgdn and g/G scroll it instead, and its title says so.
type helpOverlay struct {
	keys KeyMap
	scroller
}

func newHelp(keys KeyMap) *helpOverlay { return &helpOverlay{keys: keys} }

func (h *helpOverlay) update(k tea.KeyPressMsg) (overlay, tea.Cmd) {
	if h.key(k, &h.keys) {
		return h, nil
	}
	return nil, nil
}

type helpEntry struct{ key, desc string } // both empty: a gap between groups

// helpEntries flattens the key groups, triage first: it is what a manager
// looks for, so it is the part that must survive a small terminal.
func (h *helpOverlay) helpEntries() []helpEntry {
	groups := h.keys.FullHelp()
	order := make([][]key.Binding, 0, len(groups))
	for _, g := range groups {
		if containsBinding(g, h.keys.Reply) {
			order = append([][]key.Binding{g}, order...)
		} else {
			order = append(order, g)
		}
	}
	// The customer profile's own keys come last, in one line: they work
	// only there, and its footer spells them out.
	order = append(order, []key.Binding{profileKeys.Help})
	var out []helpEntry
	for _, g := range order {
		if len(out) > 0 {
			out = append(out, helpEntry{})
		}
		for _, b := range g {
			if b.Enabled() {
				out = append(out, helpEntry{b.Help().Key, b.Help().Desc})
			}
		}
	}
	return out
}

func containsBinding(g []key.Binding, b key.Binding) bool {
	for _, x := range g {
		if x.Help() == b.Help() {
			return true
		}
	}
	return false
}

// helpColumns cuts the entries into n columns of equal height, dropping a
// gap that would start a column.
func helpColumns(es []helpEntry, n int) [][]helpEntry {
	h := (len(es) + n - 1) / n
	var cols [][]helpEntry
	var col []helpEntry
	for _, e := range es {
		if len(col) == 0 && e.key == "" {
			continue
		}
		col = append(col, e)
		if len(col) == h {
			cols = append(cols, col)
			col = nil
		}
	}
	if len(col) > 0 {
		cols = append(cols, col)
	}
	return cols
}

const helpGap = 3

// layoutHelp flows the entries into as many columns as fit the width, so
// a narrow terminal gets fewer, longer columns rather than cut ones. When
// no layout with readable descriptions fits the height, it returns the one
// with the most such columns, taller than height: the overlay scrolls it
// (the triage keys come first, so they are on the first page). Scrolling
// beats a page of descriptions cut to a few letters.
func layoutHelp(st *Styles, es []helpEntry, width, height int) []string {
	const readable = 14
	// Fewest columns that show every key with readable descriptions.
	for _, list := range [][]helpEntry{es, firstKeys(es)} {
		for n := 1; n <= 4; n++ {
			if lines, ok := helpGrid(st, list, n, readable, width, height); ok {
				return lines
			}
		}
	}
	es = firstKeys(es)
	for _, minDesc := range []int{readable, 8} {
		for n := 4; n >= 1; n-- {
			if lines, ok := helpGrid(st, es, n, minDesc, width, 1<<20); ok {
				return lines
			}
		}
	}
	lines, _ := helpGrid(st, es, 1, 0, width, 1<<20)
	return lines
}

// helpGrid lays the entries out in n columns; ok is false when they do not
// fit the height, or the width without cutting descriptions below minDesc.
func helpGrid(st *Styles, es []helpEntry, n, minDesc, width, height int) ([]string, bool) {
	cols := helpColumns(es, n)
	keyW, descW := make([]int, len(cols)), make([]int, len(cols))
	total := helpGap * (len(cols) - 1)
	for i, c := range cols {
		for _, e := range c {
			keyW[i] = max(keyW[i], ansi.StringWidth(e.key))
			descW[i] = max(descW[i], ansi.StringWidth(e.desc))
		}
		total += keyW[i] + 1 + descW[i]
	}
	if total > width {
		// Shorten the longest descriptions first; more columns are
		// worth it only while each keeps a readable description.
		// The first column (triage) keeps its words if the others can give.
		avail := width - (total - sum(descW))
		if c := capWidths(descW[1:], avail-descW[0]); len(descW) > 1 && c >= max(minDesc, 1) {
			for i := 1; i < len(descW); i++ {
				descW[i] = min(descW[i], c)
			}
		} else {
			c := capWidths(descW, avail)
			if minDesc > 0 && c < minDesc {
				return nil, false
			}
			for i := range descW {
				descW[i] = min(descW[i], c)
			}
		}
	}
	rows := 0
	for _, c := range cols {
		rows = max(rows, len(c))
	}
	if rows > height {
		return nil, false
	}
	lines := make([]string, rows)
	for r := range rows {
		var b strings.Builder
		for i, c := range cols {
			if i > 0 {
				b.WriteString(strings.Repeat(" ", helpGap))
			}
			e := helpEntry{}
			if r < len(c) {
				e = c[r]
			}
			desc := ansi.Truncate(e.desc, descW[i], "…")
			b.WriteString(st.Title.Render(padRight(e.key, keyW[i])) + " " + st.Dim.Render(padRight(desc, descW[i])))
		}
		lines[r] = strings.TrimRight(b.String(), " ")
	}
	return lines, true
}

func padRight(s string, w int) string {
	if n := ansi.StringWidth(s); n < w {
		return s + strings.Repeat(" ", w-n)
	}
	return s
}

func (h *helpOverlay) view(st *Styles, width, height int) string {
	inner := max(min(width-4, 120), 10) // border and padding
	page := max(height-4, 1)            // border and title
	lines := h.fit(layoutHelp(st, h.helpEntries(), inner, page), page)
	hint := h.hint(inner-6, "any key closes · rebind in [keys] of config.toml")
	title := ansiCut(st.BoxTitle.Render("Keys")+"  "+st.Faint.Render(hint), inner)
	return st.Box.MaxWidth(width).Render(title + "\n" + strings.Join(lines, "\n"))
}

func sum(xs []int) int {
	t := 0
	for _, x := range xs {
		t += x
	}
	return t
}

// capWidths is the largest cap c with sum(min(w, c)) <= avail (0 if none).
func capWidths(ws []int, avail int) int {
	hi := 0
	for _, w := range ws {
		hi = max(hi, w)
	}
	for c := hi; c > 0; c-- {
		t := 0
		for _, w := range ws {
			t += min(w, c)
		}
		if t <= avail {
			return c
		}
	}
	return 0
}

// firstKeys shows only the first of a binding's keys ("k/↑" → "k"), to
// save width on a narrow terminal; "/" itself is a key.
func firstKeys(es []helpEntry) []helpEntry {
	out := make([]helpEntry, len(es))
	for i, e := range es {
		if j := strings.Index(e.key[min(1, len(e.key)):], "/"); j >= 0 {
			e.key = e.key[:j+1]
		}
		out[i] = e
	}
	return out
}
