package sqlite

import (
	"context"

	"github.com/parleyhq/parley/inbox"
)

// teamViewDefs are the views whose rows depend on the manager asking
// (inbox.TeamViews). A where clause with a '?' takes the manager's name;
// each is served by a partial index in 0013_team.sql. The Mine clause says
// a non-empty assignee so SQLite knows the partial index covers it.
var teamViewDefs = map[inbox.View]viewDef{
	inbox.ViewMine:       {"c.state = 'open' AND c.assignee <> '' AND c.assignee = ?", "c.triage_key"},
	inbox.ViewUnassigned: {"c.state = 'open' AND c.assignee = ''", "c.triage_key"},
	// Mentions are few per manager: their rows come from note_mentions by
	// its primary key, then sort by latest activity.
	inbox.ViewMentions: {"c.id IN (SELECT conversation_id FROM note_mentions WHERE manager = ?)", "c.act_key"},
	// Spam is the same for everyone; its count is kept with the team's
	// (0016_team_counts.sql), not in view_counts.
	inbox.ViewSpam: {"c.spam = 1", "c.act_key"},
}

// viewArgs are the arguments a view's where clause takes.
func viewArgs(v inbox.View, manager string) []any {
	if v == inbox.ViewMine || v == inbox.ViewMentions {
		return []any{manager}
	}
	return nil
}

// sqlTeamCounts reads the counters: spam, every manager's owned rows (a
// row per manager and network), and the asker's mentions. ?1 is the
// manager, ?2 the network (empty: all of them).
const sqlTeamCounts = `SELECT view, manager, sum(n) FROM team_counts
	WHERE (view = 'spam' OR view = 'mine' OR (view = 'mentions' AND manager = lower(?1))) AND (?2 = '' OR network = ?2)
	GROUP BY view, manager`

// TeamCounts implements inbox.Store, from the counters 0016_team_counts.sql
// keeps: one read of a row per manager and network, whatever the size of
// the database. Unassigned is the Inbox less the open conversations anyone
// owns.
func (s *Store) TeamCounts(ctx context.Context, manager, network string) (inbox.Counts, error) {
	out := inbox.Counts{}
	for _, v := range inbox.TeamViews {
		out[v] = 0
	}
	rows, err := s.r.QueryContext(ctx, sqlTeamCounts, manager, network)
	if err != nil {
		return nil, wrap("team counts", err)
	}
	defer rows.Close()
	owned := 0
	for rows.Next() {
		var view, who string
		var n int
		if err := rows.Scan(&view, &who, &n); err != nil {
			return nil, wrap("team counts", err)
		}
		switch view {
		case "spam":
			out[inbox.ViewSpam] = n
		case "mentions":
			out[inbox.ViewMentions] = n
		case "mine":
			owned += n
			if who == manager && manager != "" {
				out[inbox.ViewMine] = n
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("team counts", err)
	}
	shared, err := s.Counts(ctx, network)
	if err != nil {
		return nil, err
	}
	out[inbox.ViewUnassigned] = max(shared[inbox.ViewInbox]-owned, 0)
	return out, nil
}
