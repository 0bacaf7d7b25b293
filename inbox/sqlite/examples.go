package sqlite

import (
	"context"

	"github.com/parleyhq/parley/inbox"
)

// ExamplesAfter implements inbox.ExampleStore.
func (s *Store) ExamplesAfter(ctx context.Context, afterID int64, limit int) ([]inbox.LabelledExample, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, text, label FROM labelled_examples WHERE id > ? ORDER BY id LIMIT ?`, afterID, limit)
	if err != nil {
		return nil, wrap("labelled examples", err)
	}
	defer rows.Close()
	var out []inbox.LabelledExample
	for rows.Next() {
		var ex inbox.LabelledExample
		var label string
		if err := rows.Scan(&ex.ID, &ex.Text, &label); err != nil {
			return nil, wrap("labelled examples", err)
		}
		ex.Negative = label == "negative"
		out = append(out, ex)
	}
	return out, wrap("labelled examples", rows.Err())
}
