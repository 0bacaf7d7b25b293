package tui

import (
	"context"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/parleyhq/parley/inbox"
)

// searchPage is how many conversations a search shows at first, and how
// many more each press of the "more" key (or moving past the last row)
// brings.
const searchPage = 100

// searchCountHits bounds the messages the result count reads: under it the
// count is exact, past it the header says "20,000+"-like lower bounds.
const searchCountHits = 20000

// searchRecount is the least time between two counts of one search while
// changes come in: the count reads up to searchCountHits hits (tens of
// milliseconds), the rows are re-read at every change.
const searchRecount = 10 * time.Second

// searchResults is what the list knows about the search it shows besides
// the rows: how many it asked for and how many match in all.
type searchResults struct {
	limit   int  // conversations asked for; grows by searchPage
	count   int  // conversations that match (a lower bound unless exact)
	exact   bool // count is the real count
	counted bool // the count has come back
	countAt time.Time
}

// startSearch shows the first page of a new search and counts its matches.
func (m *Model) startSearch(q string) tea.Cmd {
	m.searchQuery = q
	m.results = searchResults{limit: searchPage, countAt: m.gate.clock()}
	return tea.Batch(runSearch(m.ctx, m.svc, q, m.results.limit), countSearch(m.ctx, m.svc, q))
}

// rerunSearch re-reads the results shown after a change, as many as shown,
// and now and then the count.
func (m *Model) rerunSearch() tea.Cmd {
	rows := runSearch(m.ctx, m.svc, m.searchQuery, m.results.limit)
	if now := m.gate.clock(); now.Sub(m.results.countAt) >= searchRecount {
		m.results.countAt = now
		return tea.Batch(rows, countSearch(m.ctx, m.svc, m.searchQuery))
	}
	return rows
}

// moreResults asks for the next page of search results: the search runs
// again for a page more (its order is by newest match, which no keyset
// can resume without reading every hit, and a page more costs about what
// the first did), and the cursor stays on its row.
func (m *Model) moreResults() tea.Cmd {
	if m.searchQuery == "" {
		return nil
	}
	if !m.list.more {
		m.setFlash(fmt.Sprintf("all %d results are shown", len(m.list.rows)), false)
		return nil
	}
	if m.results.limit > len(m.list.rows) {
		return nil // the next page is on its way
	}
	m.results.limit += searchPage
	return runSearch(m.ctx, m.svc, m.searchQuery, m.results.limit)
}

func (m *Model) onSearch(msg searchMsg) {
	if msg.query != m.searchQuery || msg.limit != m.results.limit {
		return
	}
	if msg.err != nil {
		m.setFlash("search: "+errText(msg.err), true)
		return
	}
	keep := int64(0)
	if c, ok := m.list.selected(); ok {
		keep = c.ID
	}
	m.list.static, m.list.matches, m.list.more = true, nil, msg.more
	m.list.replace(msg.rows, true, true, keep, 0)
}

func (m *Model) onSearchCount(msg searchCountMsg) {
	if msg.query != m.searchQuery || msg.err != nil {
		return // the rows still say "100+" without it
	}
	m.results.count, m.results.exact, m.results.counted = msg.n, msg.exact, true
}

// searchCountText is the number of search results shown in the header:
// "37" when all are shown, "100 of 1,081" when more match, "100 of 20,000+"
// when counting them all would cost too much, "100+" until counted.
func (m *Model) searchCountText() string {
	shown := len(m.list.rows)
	r := m.results
	switch {
	case !m.list.more:
		return fmt.Sprint(shown)
	case !r.counted || r.count <= shown:
		return fmt.Sprintf("%d+", shown)
	case r.exact:
		return fmt.Sprintf("%d of %s", shown, thousands(r.count))
	}
	return fmt.Sprintf("%d of %s+", shown, thousands(r.count))
}

func (m *Model) searchHint() string {
	if m.list.more {
		return fmt.Sprintf("  (%s more; esc to leave)", m.keys.More.Help().Key)
	}
	return "  (esc to leave)"
}

// thousands writes n with comma separators: 1,081.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func runSearch(ctx context.Context, svc *inbox.Service, q string, limit int) tea.Cmd {
	return func() tea.Msg {
		// One more than shown, to know whether more match.
		rows, err := svc.Search(ctx, q, limit+1)
		more := len(rows) > limit
		if more {
			rows = rows[:limit]
		}
		return searchMsg{query: q, limit: limit, rows: rows, more: more, err: err}
	}
}

func countSearch(ctx context.Context, svc *inbox.Service, q string) tea.Cmd {
	return func() tea.Msg {
		n, exact, err := svc.SearchCount(ctx, q, searchCountHits)
		return searchCountMsg{query: q, n: n, exact: exact, err: err}
	}
}
