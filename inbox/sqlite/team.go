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
	// Spam is the same for everyone, but the view_counts triggers do not
	// keep it: it is counted from conv_spam (0014_spam.sql).
	inbox.ViewSpam: {"c.spam = 1", "c.act_key"},
}

// viewArgs are the arguments a view's where clause takes.
func viewArgs(v inbox.View, manager string) []any {
	if v == inbox.ViewMine || v == inbox.ViewMentions {
		return []any{manager}
	}
	return nil
}

// TeamCounts implements inbox.Store. Every count here reads only the
// assigned (or mentioned) rows: Unassigned is the trigger-kept Inbox count
// less the open conversations someone owns, so a session's counts never
// scan the unowned 10⁶.
func (s *Store) TeamCounts(ctx context.Context, manager, network string) (inbox.Counts, error) {
	out := inbox.Counts{}
	for _, v := range inbox.TeamViews {
		if v == inbox.ViewUnassigned {
			continue
		}
		d := teamViewDefs[v]
		q := "SELECT count(*) FROM conversations c" + map[inbox.View]string{inbox.ViewMine: " INDEXED BY conv_mine"}[v] + " WHERE " + d.where
		args := viewArgs(v, manager)
		if network != "" {
			q += " AND c.network = ?"
			args = append(args, network)
		}
		var n int
		if err := s.r.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
			return nil, wrap("count "+v.String(), err)
		}
		out[v] = n
	}
	q := "SELECT count(*) FROM conversations c INDEXED BY conv_mine WHERE c.state = 'open' AND c.assignee <> ''"
	var args []any
	if network != "" {
		q += " AND c.network = ?"
		args = append(args, network)
	}
	var owned int
	if err := s.r.QueryRowContext(ctx, q, args...).Scan(&owned); err != nil {
		return nil, wrap("count owned", err)
	}
	shared, err := s.Counts(ctx, network)
	if err != nil {
		return nil, err
	}
	out[inbox.ViewUnassigned] = max(shared[inbox.ViewInbox]-owned, 0)
	return out, nil
}
