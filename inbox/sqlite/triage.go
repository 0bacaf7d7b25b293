package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/parleyhq/parley/inbox"
)

func nextGroup(ctx context.Context, tx *sql.Tx) (int64, error) {
	var g int64
	err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(grp), 0) + 1 FROM events`).Scan(&g)
	return g, err
}

func insertEvent(ctx context.Context, tx *sql.Tx, grp int64, actor string, conv int64, action string, before, after inbox.Triage, now time.Time) error {
	b, _ := json.Marshal(before)
	a, _ := json.Marshal(after)
	_, err := tx.ExecContext(ctx, `INSERT INTO events (grp, at, actor, conversation_id, action, before, after)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, grp, ms(now), actor, conv, action, string(b), string(a))
	return err
}

func loadTriage(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, id int64) (inbox.Triage, error) {
	var t inbox.Triage
	var state, src string
	var neg, spam int
	err := q.QueryRowContext(ctx, `SELECT state, snooze_until, negative, neg_source, esc_dest, esc_note, esc_at, assignee, spam
		FROM conversations WHERE id = ?`, id).Scan(&state, &t.SnoozeUntil, &neg, &src, &t.EscDest, &t.EscNote, &t.EscAt, &t.Assignee, &spam)
	if err != nil {
		return t, fmt.Errorf("conversation %d: %w", id, err)
	}
	t.State, t.Negative, t.NegSource, t.Spam = inbox.State(state), neg == 1, inbox.NegSource(src), spam == 1
	rows, err := q.QueryContext(ctx, `SELECT tag FROM conversation_tags WHERE conversation_id = ? ORDER BY tag`, id)
	if err != nil {
		return t, err
	}
	defer rows.Close()
	for rows.Next() {
		var tag string
		if err := rows.Scan(&tag); err != nil {
			return t, err
		}
		t.Tags = append(t.Tags, tag)
	}
	return t, rows.Err()
}

// writeTriage moves a conversation from triage state old to new, touching
// only what differs.
func (s *Store) writeTriage(ctx context.Context, tx *sql.Tx, id int64, old, new inbox.Triage, now time.Time) error {
	if old.State != new.State || old.SnoozeUntil != new.SnoozeUntil {
		doneAt := int64(0)
		if new.State == inbox.StateDone {
			doneAt = ms(now)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE conversations SET state = ?, snooze_until = ?, done_at = ? WHERE id = ?`,
			string(new.State), new.SnoozeUntil, doneAt, id); err != nil {
			return err
		}
	}
	if old.Negative != new.Negative || old.NegSource != new.NegSource {
		if _, err := tx.ExecContext(ctx, `UPDATE conversations SET negative = ?, neg_source = ? WHERE id = ?`,
			b2i(new.Negative), string(new.NegSource), id); err != nil {
			return err
		}
		if err := s.redue(ctx, tx, id); err != nil {
			return err
		}
	}
	if old.EscDest != new.EscDest || old.EscNote != new.EscNote || old.EscAt != new.EscAt {
		if _, err := tx.ExecContext(ctx, `UPDATE conversations SET esc_dest = ?, esc_note = ?, esc_at = ? WHERE id = ?`,
			new.EscDest, new.EscNote, new.EscAt, id); err != nil {
			return err
		}
	}
	if old.Spam != new.Spam {
		if _, err := tx.ExecContext(ctx, `UPDATE conversations SET spam = ? WHERE id = ?`, b2i(new.Spam), id); err != nil {
			return err
		}
	}
	if old.Assignee != new.Assignee {
		if _, err := tx.ExecContext(ctx, `UPDATE conversations SET assignee = ? WHERE id = ?`, new.Assignee, id); err != nil {
			return err
		}
	}
	for _, t := range old.Tags {
		if !slices.Contains(new.Tags, t) {
			if _, err := tx.ExecContext(ctx, `DELETE FROM conversation_tags WHERE conversation_id = ? AND tag = ?`, id, t); err != nil {
				return err
			}
		}
	}
	for _, t := range new.Tags {
		if !slices.Contains(old.Tags, t) {
			if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO conversation_tags (conversation_id, tag) VALUES (?, ?)`, id, t); err != nil {
				return err
			}
		}
	}
	return nil
}

func triageEqual(a, b inbox.Triage) bool {
	return a.State == b.State && a.SnoozeUntil == b.SnoozeUntil && a.Negative == b.Negative &&
		a.NegSource == b.NegSource && a.EscDest == b.EscDest && a.EscNote == b.EscNote && a.EscAt == b.EscAt &&
		a.Assignee == b.Assignee && a.Spam == b.Spam && slices.Equal(a.Tags, b.Tags)
}

// applyTx changes each conversation and journals it under one group.
func (s *Store) applyTx(ctx context.Context, tx *sql.Tx, actor, action string, ids []int64, now time.Time, change func(*inbox.Triage)) error {
	grp, err := nextGroup(ctx, tx)
	if err != nil {
		return err
	}
	for _, id := range ids {
		before, err := loadTriage(ctx, tx, id)
		if err != nil {
			return err
		}
		after := before
		after.Tags = slices.Clone(before.Tags)
		change(&after)
		if triageEqual(before, after) {
			continue
		}
		if err := s.writeTriage(ctx, tx, id, before, after, now); err != nil {
			return err
		}
		if err := insertEvent(ctx, tx, grp, actor, id, action, before, after, now); err != nil {
			return err
		}
	}
	return nil
}

// Apply implements inbox.Store.
func (s *Store) Apply(ctx context.Context, actor, action string, ids []int64, now time.Time, change func(*inbox.Triage)) error {
	return s.tx(ctx, action, func(tx *sql.Tx) error { return s.applyTx(ctx, tx, actor, action, ids, now, change) })
}

// revert computes the state after undoing an event on cur: every part the
// event changed goes back, unless something later changed that part again,
// in which case the later change stands.
func revert(cur, before, after inbox.Triage) inbox.Triage {
	out := cur
	out.Tags = slices.Clone(cur.Tags)
	if (before.State != after.State || before.SnoozeUntil != after.SnoozeUntil) &&
		cur.State == after.State && cur.SnoozeUntil == after.SnoozeUntil {
		out.State, out.SnoozeUntil = before.State, before.SnoozeUntil
	}
	if (before.Negative != after.Negative || before.NegSource != after.NegSource) &&
		cur.Negative == after.Negative && cur.NegSource == after.NegSource {
		out.Negative, out.NegSource = before.Negative, before.NegSource
	}
	if (before.EscDest != after.EscDest || before.EscNote != after.EscNote || before.EscAt != after.EscAt) &&
		cur.EscDest == after.EscDest && cur.EscAt == after.EscAt {
		out.EscDest, out.EscNote, out.EscAt = before.EscDest, before.EscNote, before.EscAt
	}
	if before.Assignee != after.Assignee && cur.Assignee == after.Assignee {
		out.Assignee = before.Assignee
	}
	if before.Spam != after.Spam && cur.Spam == after.Spam {
		out.Spam = before.Spam
	}
	for _, t := range after.Tags {
		if !slices.Contains(before.Tags, t) {
			out.Tags = slices.DeleteFunc(out.Tags, func(x string) bool { return x == t })
		}
	}
	for _, t := range before.Tags {
		if !slices.Contains(after.Tags, t) && !slices.Contains(out.Tags, t) {
			out.Tags = append(out.Tags, t)
		}
	}
	slices.Sort(out.Tags)
	return out
}

// Undo reverts the actor's most recent action group that is not undone yet.
func (s *Store) Undo(ctx context.Context, actor string, now time.Time) (inbox.Undone, error) {
	var u inbox.Undone
	err := s.tx(ctx, "undo", func(tx *sql.Tx) error {
		u = inbox.Undone{}
		var g sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT MAX(grp) FROM events WHERE actor = ? AND undone = 0 AND action <> 'undo' AND action <> ?
			AND action NOT LIKE 'moderate:%'`, actor, noteAction).Scan(&g); err != nil {
			return err
		}
		if !g.Valid {
			return inbox.ErrNothingToUndo
		}
		grp := g.Int64
		type ev struct {
			id, conv      int64
			action        string
			before, after inbox.Triage
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, conversation_id, action, before, after FROM events WHERE grp = ? ORDER BY id DESC`, grp)
		if err != nil {
			return err
		}
		var evs []ev
		for rows.Next() {
			var e ev
			var b, a string
			if err := rows.Scan(&e.id, &e.conv, &e.action, &b, &a); err != nil {
				rows.Close()
				return err
			}
			if json.Unmarshal([]byte(b), &e.before) != nil || json.Unmarshal([]byte(a), &e.after) != nil {
				rows.Close()
				return fmt.Errorf("event %d: corrupt journal entry", e.id)
			}
			evs = append(evs, e)
		}
		rows.Close()
		undoGrp, err := nextGroup(ctx, tx)
		if err != nil {
			return err
		}
		for _, e := range evs {
			u.Action = e.action
			cur, err := loadTriage(ctx, tx, e.conv)
			if err != nil {
				return err
			}
			next := revert(cur, e.before, e.after)
			if err := s.writeTriage(ctx, tx, e.conv, cur, next, now); err != nil {
				return err
			}
			if err := insertEvent(ctx, tx, undoGrp, actor, e.conv, "undo", cur, next, now); err != nil {
				return err
			}
			if e.after.EscDest != "" && e.after.EscDest != e.before.EscDest && next.EscDest != e.after.EscDest {
				note, err := withdrawEscalation(ctx, tx, actor, e.conv, e.after.EscDest, now)
				if err != nil {
					return err
				}
				if note != "" {
					u.Notes = append(u.Notes, note)
				}
			}
			u.Conversations = append(u.Conversations, e.conv)
		}
		if err := s.undoExtras(ctx, tx, grp, now, &u); err != nil {
			return err
		}
		if err := undoLinks(ctx, tx, grp, now); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE events SET undone = 1 WHERE grp = ?`, grp)
		return err
	})
	return u, err
}

// undoExtras reverts what a group did beyond triage: a send still in the
// outbox is taken back (its text becomes the sender's draft again), a
// discarded draft comes back. A draft is never merged into a newer one: if
// the manager has written a new draft since, the old text is left out and
// the note says so.
func (s *Store) undoExtras(ctx context.Context, tx *sql.Tx, grp int64, now time.Time, u *inbox.Undone) error {
	rows, err := tx.QueryContext(ctx, `SELECT kind, conversation_id, owner, body, outbox_id, before FROM undo_extras WHERE grp = ?`, grp)
	if err != nil {
		return err
	}
	type extra struct {
		kind, owner, body, before string
		conv, outbox              int64
	}
	var xs []extra
	for rows.Next() {
		var x extra
		if err := rows.Scan(&x.kind, &x.conv, &x.owner, &x.body, &x.outbox, &x.before); err != nil {
			rows.Close()
			return err
		}
		xs = append(xs, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, x := range xs {
		switch x.kind {
		case "send":
			cancelled, err := cancelSend(ctx, tx, x.conv, x.outbox, x.before)
			if err != nil {
				return err
			}
			if !cancelled {
				u.Notes = append(u.Notes, "the reply had already gone to the network and cannot be taken back")
				continue
			}
			u.Notes = append(u.Notes, "send cancelled, nothing reached the network")
		case "draft":
		default:
			continue
		}
		restored, err := restoreDraft(ctx, tx, x.conv, x.owner, x.body, now)
		if err != nil {
			return err
		}
		if restored {
			u.Restored = x.conv
			u.Notes = append(u.Notes, "your draft is back")
		} else {
			u.Notes = append(u.Notes, "you have a newer draft there, so the old text was not put back")
		}
	}
	return nil
}

// cancelSend removes a reply that no worker has claimed yet: its outbox
// entry, its local message, and the reply bookkeeping it changed. The one
// writer connection orders this against ClaimOutbox, so a reply is either
// cancelled here or sent, never both.
func cancelSend(ctx context.Context, tx *sql.Tx, conv, outboxID int64, before string) (bool, error) {
	var msg int64
	err := tx.QueryRowContext(ctx, `DELETE FROM outbox WHERE id = ? AND status = 'queued' AND attempts = 0 RETURNING message_id`, outboxID).Scan(&msg)
	if err == sql.ErrNoRows {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM messages WHERE id = ?`, msg); err != nil {
		return false, err
	}
	var b replyBooks
	if err := json.Unmarshal([]byte(before), &b); err != nil {
		return false, fmt.Errorf("undo send: corrupt journal entry: %w", err)
	}
	// Only what the reply set goes back: a newer customer message keeps
	// its own bookkeeping.
	_, err = tx.ExecContext(ctx, `UPDATE conversations SET messages = messages - 1, last_out_at = ?,
		needs_reply = CASE WHEN wait_since = 0 AND needs_reply = 0 THEN ? ELSE needs_reply END,
		due_at = CASE WHEN wait_since = 0 AND needs_reply = 0 THEN ? ELSE due_at END,
		wait_since = CASE WHEN wait_since = 0 AND needs_reply = 0 THEN ? ELSE wait_since END,
		last_activity = MAX(?, (SELECT COALESCE(MAX(created_at), 0) FROM messages WHERE conversation_id = ?))
		WHERE id = ?`, b.LastOutAt, b.NeedsReply, b.DueAt, b.WaitSince, b.LastActivity, conv, conv)
	return err == nil, err
}

func restoreDraft(ctx context.Context, tx *sql.Tx, conv int64, owner, body string, now time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO drafts (conversation_id, owner, body, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (conversation_id, owner) DO NOTHING`, conv, owner, body, ms(now))
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// withdrawEscalation follows an undone escalation to its destination: a
// delivery nobody has started is cancelled; one that went out (or may have)
// gets a retraction through the outbox, so the people told are told again.
func withdrawEscalation(ctx context.Context, tx *sql.Tx, actor string, conv int64, dest string, now time.Time) (string, error) {
	res, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE conversation_id = ? AND action = ? AND status = 'queued' AND attempts = 0`,
		conv, string(inbox.EscalateTo(dest)))
	if err != nil {
		return "", err
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return "the escalation to " + dest + " had not been delivered and was cancelled", nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE conversation_id = ? AND action = ? AND status <> 'failed'`,
		conv, string(inbox.EscalateTo(dest))).Scan(&n); err != nil {
		return "", err
	}
	if n == 0 {
		return "", nil
	}
	e := inbox.OutboxEntry{ConversationID: conv}
	if err := target(ctx, tx, conv, &e); err != nil {
		return "", err
	}
	at := ms(now)
	if _, err := tx.ExecContext(ctx, `INSERT INTO outbox (conversation_id, account_id, action, body, conv_external_id,
		target_id, idempotency_key, status, next_attempt_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?)`,
		conv, e.AccountID, string(inbox.RetractFrom(dest)), "withdrawn by "+actor, e.ConvExternalID, e.TargetID, newKey(), at, at, at); err != nil {
		return "", err
	}
	return "a retraction is on its way to " + dest, nil
}

// WakeSnoozed reopens snoozed conversations whose time has come.
func (s *Store) WakeSnoozed(ctx context.Context, now time.Time) ([]int64, error) {
	var ids []int64
	rows, err := s.r.QueryContext(ctx, `SELECT id FROM conversations WHERE state = 'snoozed' AND snooze_until <= ? ORDER BY snooze_until, id LIMIT 500`, ms(now))
	if err != nil {
		return nil, wrap("wake snoozed", err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, wrap("wake snoozed", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if len(ids) == 0 {
		return nil, nil
	}
	err = s.Apply(ctx, "system", "snooze_ended", ids, now, func(t *inbox.Triage) {
		if t.State == inbox.StateSnoozed && t.SnoozeUntil <= ms(now) {
			t.State, t.SnoozeUntil = inbox.StateOpen, 0
		}
	})
	return ids, err
}

// Journal lists a conversation's events, oldest first.
func (s *Store) Journal(ctx context.Context, conv int64) ([]inbox.Event, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, grp, at, actor, action, before, after, undone FROM events
		WHERE conversation_id = ? ORDER BY id`, conv)
	if err != nil {
		return nil, wrap("journal", err)
	}
	defer rows.Close()
	var out []inbox.Event
	for rows.Next() {
		e := inbox.Event{ConversationID: conv}
		var at int64
		var b, a string
		var undone int
		if err := rows.Scan(&e.ID, &e.Group, &at, &e.Actor, &e.Action, &b, &a, &undone); err != nil {
			return nil, wrap("journal", err)
		}
		_ = json.Unmarshal([]byte(b), &e.Before)
		_ = json.Unmarshal([]byte(a), &e.After)
		e.At, e.Undone = fromMS(at), undone == 1
		out = append(out, e)
	}
	return out, wrap("journal", rows.Err())
}

// AddExample implements inbox.Store.
func (s *Store) AddExample(ctx context.Context, conv int64, negative bool, actor string, now time.Time) error {
	label := "not_negative"
	if negative {
		label = "negative"
	}
	return s.tx(ctx, "keep example", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO labelled_examples (conversation_id, text, label, actor, at)
			SELECT ?, text, ?, ?, ? FROM messages WHERE conversation_id = ? AND direction = 'in'
			ORDER BY created_at DESC, id DESC LIMIT 1`, conv, label, actor, ms(now), conv)
		return err
	})
}

// redue recomputes a conversation's reply deadline (a complaint gets less
// time than other conversations).
func (s *Store) redue(ctx context.Context, tx *sql.Tx, id int64) error {
	if s.due == nil {
		return nil
	}
	var acc, wait, lastIn int64
	var needs, neg int
	var kind string
	err := tx.QueryRowContext(ctx, `SELECT account_id, wait_since, last_in_at, needs_reply, negative, kind FROM conversations WHERE id = ?`, id).
		Scan(&acc, &wait, &lastIn, &needs, &neg, &kind)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE conversations SET due_at = ? WHERE id = ?`, s.dueAt(acc, wait, lastIn, needs == 1, neg == 1, kind), id)
	return err
}

// Breached implements inbox.Store.
func (s *Store) Breached(ctx context.Context, now time.Time) ([]int64, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT (SELECT m.id FROM messages m WHERE m.conversation_id = c.id AND m.direction = 'in'
			ORDER BY m.created_at DESC, m.id DESC LIMIT 1)
		FROM conversations c INDEXED BY conv_inbox
		WHERE c.state = 'open' AND c.needs_reply = 1 AND c.due_at > 0 AND c.due_at <= ? LIMIT 500`, ms(now))
	if err != nil {
		return nil, wrap("breached", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id sql.NullInt64
		if err := rows.Scan(&id); err != nil {
			return nil, wrap("breached", err)
		}
		if id.Valid {
			ids = append(ids, id.Int64)
		}
	}
	return ids, wrap("breached", rows.Err())
}
