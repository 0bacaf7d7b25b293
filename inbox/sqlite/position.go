package sqlite

import (
	"context"

	"github.com/parleyhq/parley/inbox"
)

// Position counts the rows of a view that sort before at: the list's
// "37/154". It walks the view's own index up to at, so it costs what
// scrolling that far would, and the TUI asks only when a window lands
// away from either end.
func (s *Store) Position(ctx context.Context, p inbox.Page, at inbox.Cursor) (int, error) {
	d, err := viewOf(p.View)
	if err != nil {
		return 0, err
	}
	q := "SELECT count(*) FROM conversations c WHERE " + d.where
	args := viewArgs(p.View, p.Manager)
	if p.Network != "" {
		q += " AND c.network = ?"
		args = append(args, p.Network)
	}
	q += " AND (" + d.key + ", c.id) < (?, ?)"
	args = append(args, at.Key, at.ID)
	var n int
	if err := s.r.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
		return 0, wrap("position in "+p.View.String(), err)
	}
	return n, nil
}
