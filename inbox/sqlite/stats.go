package sqlite

import (
	"context"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// StatRows implements inbox.Store. The first response is the first
// outbound message at or after the first inbound one; its author is the
// manager who sent it. Flagged is the detector's verdict on any inbound
// message, which a manual mark on the conversation does not change.
func (s *Store) StatRows(ctx context.Context, since time.Time) ([]inbox.StatRow, []inbox.DayStats, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT c.network, c.negative, c.first_in_at, c.needs_reply, c.state, c.due_at,
		COALESCE(fo.created_at, 0), COALESCE(fo.author_name, ''), c.neg_source,
		EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.direction = 'in' AND m.sentiment = 'negative')
		FROM conversations c
		LEFT JOIN messages fo ON fo.id = (SELECT m.id FROM messages m WHERE m.conversation_id = c.id AND m.direction = 'out'
			AND m.created_at >= c.first_in_at ORDER BY m.created_at, m.id LIMIT 1)
		WHERE c.first_in_at >= ?`, ms(since))
	if err != nil {
		return nil, nil, wrap("stats", err)
	}
	defer rows.Close()
	var out []inbox.StatRow
	for rows.Next() {
		var r inbox.StatRow
		var neg, needs, flagged int
		var state, src string
		var in, first, due int64
		if err := rows.Scan(&r.Network, &neg, &in, &needs, &state, &due, &first, &r.Responder, &src, &flagged); err != nil {
			return nil, nil, wrap("stats", err)
		}
		r.Negative, r.NeedsReply, r.Open = neg == 1, needs == 1, state == string(inbox.StateOpen)
		r.FirstIn, r.FirstOut, r.DueAt = fromMS(in), fromMS(first), fromMS(due)
		r.NegSource, r.Flagged = inbox.NegSource(src), flagged == 1
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, wrap("stats", err)
	}
	drows, err := s.r.QueryContext(ctx, `SELECT date(created_at / 1000, 'unixepoch', 'localtime') AS day, count(*),
		sum(sentiment = 'negative') FROM messages WHERE direction = 'in' AND created_at >= ? GROUP BY day ORDER BY day`, ms(since))
	if err != nil {
		return nil, nil, wrap("stats", err)
	}
	defer drows.Close()
	var days []inbox.DayStats
	for drows.Next() {
		var d inbox.DayStats
		if err := drows.Scan(&d.Day, &d.Inbound, &d.Negative); err != nil {
			return nil, nil, wrap("stats", err)
		}
		days = append(days, d)
	}
	return out, days, wrap("stats", drows.Err())
}

// InboundByNetwork implements inbox.Store.
func (s *Store) InboundByNetwork(ctx context.Context, since time.Time) (map[string]int, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT c.network, count(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id
		WHERE m.direction = 'in' AND m.created_at >= ? GROUP BY c.network`, ms(since))
	if err != nil {
		return nil, wrap("stats", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var n string
		var c int
		if err := rows.Scan(&n, &c); err != nil {
			return nil, wrap("stats", err)
		}
		out[n] = c
	}
	return out, wrap("stats", rows.Err())
}
