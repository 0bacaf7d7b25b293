package sqlite

import (
	"context"
	"database/sql"

	"github.com/parleyhq/parley/inbox"
)

// Profile implements inbox.Store. Every query goes through conv_author
// (account, author): the cost is the person's conversations, not the
// database's.
func (s *Store) Profile(ctx context.Context, acc int64, a inbox.Author, limit int) (inbox.Profile, error) {
	p := inbox.Profile{Author: a, Tags: map[string]int{}}
	if err := s.r.QueryRowContext(ctx, `SELECT network, label FROM accounts WHERE id = ?`, acc).Scan(&p.Network, &p.AccountLabel); err != nil {
		return p, wrap("profile account", err)
	}
	var first sql.NullInt64
	if err := s.r.QueryRowContext(ctx, `SELECT count(*), MIN(NULLIF(first_in_at, 0)) FROM conversations INDEXED BY conv_author
		WHERE account_id = ? AND author_id = ?`, acc, a.ID).Scan(&p.Total, &first); err != nil {
		return p, wrap("profile", err)
	}
	p.FirstSeen = fromMS(first.Int64)
	var err error
	p.Conversations, err = s.queryConvs(ctx, "profile", `SELECT `+rowCols+` FROM conversations c INDEXED BY conv_author
		WHERE c.account_id = ? AND c.author_id = ? ORDER BY c.first_in_at DESC, c.id DESC LIMIT ?`, acc, a.ID, limit)
	if err != nil {
		return p, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT t.tag, count(*) FROM conversations c INDEXED BY conv_author
		JOIN conversation_tags t ON t.conversation_id = c.id WHERE c.account_id = ? AND c.author_id = ? GROUP BY t.tag`, acc, a.ID)
	if err != nil {
		return p, wrap("profile tags", err)
	}
	for rows.Next() {
		var tag string
		var n int
		if err := rows.Scan(&tag, &n); err != nil {
			rows.Close()
			return p, wrap("profile tags", err)
		}
		p.Tags[tag] = n
	}
	rows.Close()
	nrows, err := s.r.QueryContext(ctx, `SELECT n.id, n.conversation_id, n.author, n.text, n.created_at FROM conversations c INDEXED BY conv_author
		JOIN notes n ON n.conversation_id = c.id WHERE c.account_id = ? AND c.author_id = ? ORDER BY n.created_at DESC, n.id DESC LIMIT ?`, acc, a.ID, limit)
	if err != nil {
		return p, wrap("profile notes", err)
	}
	defer nrows.Close()
	for nrows.Next() {
		var n inbox.Note
		var at int64
		if err := nrows.Scan(&n.ID, &n.ConversationID, &n.Author, &n.Text, &at); err != nil {
			return p, wrap("profile notes", err)
		}
		n.CreatedAt = fromMS(at)
		p.Notes = append(p.Notes, n)
	}
	return p, wrap("profile notes", nrows.Err())
}
