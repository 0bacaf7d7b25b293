package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"slices"

	"github.com/parleyhq/parley/inbox"
)

// Profile implements inbox.Store. It spans the customer: the person the
// profile opens from and every identity linked to them. Every query goes
// through conv_author (account, author) once per identity, so the cost is
// the customer's conversations, not the database's.
func (s *Store) Profile(ctx context.Context, acc int64, a inbox.Author, limit int) (inbox.Profile, error) {
	p := inbox.Profile{Author: a, AccountID: acc, Tags: map[string]int{}}
	ids, err := s.customerOf(ctx, acc, a)
	if err != nil {
		return p, err
	}
	p.Identities, p.Network, p.AccountLabel = ids, ids[0].Network, ids[0].AccountLabel
	for _, id := range ids {
		if err := s.profileOf(ctx, id.IdentityRef, limit, &p); err != nil {
			return p, err
		}
	}
	// Newest first across networks; each identity gave its newest.
	slices.SortStableFunc(p.Conversations, func(x, y inbox.Conversation) int {
		if c := y.FirstInAt.Compare(x.FirstInAt); c != 0 {
			return c
		}
		return cmp.Compare(y.ID, x.ID)
	})
	p.Conversations = p.Conversations[:min(len(p.Conversations), limit)]
	slices.SortStableFunc(p.Notes, func(x, y inbox.Note) int {
		if c := y.CreatedAt.Compare(x.CreatedAt); c != 0 {
			return c
		}
		return cmp.Compare(y.ID, x.ID)
	})
	p.Notes = p.Notes[:min(len(p.Notes), limit)]
	if a.ID != "" {
		p.Suggested, err = s.suggestions(ctx, ids)
	}
	return p, err
}

// profileOf adds one identity's history to p.
func (s *Store) profileOf(ctx context.Context, r inbox.IdentityRef, limit int, p *inbox.Profile) error {
	acc, author := r.AccountID, r.AuthorID
	var total int
	var first sql.NullInt64
	if err := s.r.QueryRowContext(ctx, `SELECT count(*), MIN(NULLIF(first_in_at, 0)) FROM conversations INDEXED BY conv_author
		WHERE account_id = ? AND author_id = ?`, acc, author).Scan(&total, &first); err != nil {
		return wrap("profile", err)
	}
	p.Total += total
	if f := fromMS(first.Int64); !f.IsZero() && (p.FirstSeen.IsZero() || f.Before(p.FirstSeen)) {
		p.FirstSeen = f
	}
	cs, err := s.queryConvs(ctx, "profile", `SELECT `+rowCols+` FROM conversations c INDEXED BY conv_author
		WHERE c.account_id = ? AND c.author_id = ? ORDER BY c.first_in_at DESC, c.id DESC LIMIT ?`, acc, author, limit)
	if err != nil {
		return err
	}
	p.Conversations = append(p.Conversations, cs...)
	rows, err := s.r.QueryContext(ctx, `SELECT t.tag, count(*) FROM conversations c INDEXED BY conv_author
		JOIN conversation_tags t ON t.conversation_id = c.id WHERE c.account_id = ? AND c.author_id = ? GROUP BY t.tag`, acc, author)
	if err != nil {
		return wrap("profile tags", err)
	}
	for rows.Next() {
		var tag string
		var n int
		if err := rows.Scan(&tag, &n); err != nil {
			rows.Close()
			return wrap("profile tags", err)
		}
		p.Tags[tag] += n
	}
	rows.Close()
	nrows, err := s.r.QueryContext(ctx, `SELECT n.id, n.conversation_id, n.author, n.text, n.created_at FROM conversations c INDEXED BY conv_author
		JOIN notes n ON n.conversation_id = c.id WHERE c.account_id = ? AND c.author_id = ? ORDER BY n.created_at DESC, n.id DESC LIMIT ?`, acc, author, limit)
	if err != nil {
		return wrap("profile notes", err)
	}
	defer nrows.Close()
	for nrows.Next() {
		var n inbox.Note
		var at int64
		if err := nrows.Scan(&n.ID, &n.ConversationID, &n.Author, &n.Text, &at); err != nil {
			return wrap("profile notes", err)
		}
		n.CreatedAt = fromMS(at)
		p.Notes = append(p.Notes, n)
	}
	return wrap("profile notes", nrows.Err())
}
