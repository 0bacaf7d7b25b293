package sqlite

import (
	"context"
	"database/sql"
	"strings"

	"github.com/parleyhq/parley/inbox"
)

// AddNote implements inbox.Store: the note, its mentions and a journal
// entry (triage unchanged before and after) in one transaction.
func (s *Store) AddNote(ctx context.Context, n inbox.Note) (inbox.Note, error) {
	err := s.tx(ctx, "note", func(tx *sql.Tx) error {
		t, err := loadTriage(ctx, tx, n.ConversationID)
		if err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO notes (conversation_id, author, text, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
			n.ConversationID, n.Author, n.Text, ms(n.CreatedAt)).Scan(&n.ID); err != nil {
			return err
		}
		for _, who := range n.Mentions {
			if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO note_mentions (manager, conversation_id, note_id) VALUES (?, ?, ?)`,
				who, n.ConversationID, n.ID); err != nil {
				return err
			}
		}
		grp, err := nextGroup(ctx, tx)
		if err != nil {
			return err
		}
		return insertEvent(ctx, tx, grp, n.Author, n.ConversationID, noteAction, t, t, n.CreatedAt)
	})
	return n, err
}

// noteAction is how the journal records a note. Undo passes over it: a
// note is a record of what someone said, not a change to take back.
const noteAction = "note"

// notes loads a conversation's notes, oldest first.
func (s *Store) notes(ctx context.Context, conv int64) ([]inbox.Note, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT n.id, n.author, n.text, n.created_at,
		(SELECT group_concat(manager, ',') FROM note_mentions WHERE note_id = n.id)
		FROM notes n WHERE n.conversation_id = ? ORDER BY n.created_at, n.id`, conv)
	if err != nil {
		return nil, wrap("notes", err)
	}
	defer rows.Close()
	var out []inbox.Note
	for rows.Next() {
		n := inbox.Note{ConversationID: conv}
		var at int64
		var mentions sql.NullString
		if err := rows.Scan(&n.ID, &n.Author, &n.Text, &at, &mentions); err != nil {
			return nil, wrap("notes", err)
		}
		n.CreatedAt = fromMS(at)
		if mentions.String != "" {
			n.Mentions = strings.Split(mentions.String, ",")
		}
		out = append(out, n)
	}
	return out, wrap("notes", rows.Err())
}
