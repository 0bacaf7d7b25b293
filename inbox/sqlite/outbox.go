package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// SaveDraft keeps what a manager typed; an empty body removes the draft.
func (s *Store) SaveDraft(ctx context.Context, conv int64, owner, body string, now time.Time) error {
	return s.tx(ctx, "save draft", func(tx *sql.Tx) error {
		if body == "" {
			_, err := tx.ExecContext(ctx, `DELETE FROM drafts WHERE conversation_id = ? AND owner = ?`, conv, owner)
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO drafts (conversation_id, owner, body, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (conversation_id, owner) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at`,
			conv, owner, body, ms(now))
		return err
	})
}

// DiscardDraft implements inbox.Store: the text is kept in the journal's
// extras so undo can bring it back.
func (s *Store) DiscardDraft(ctx context.Context, conv int64, owner string, now time.Time) error {
	return s.tx(ctx, "discard draft", func(tx *sql.Tx) error {
		var body string
		err := tx.QueryRowContext(ctx, `DELETE FROM drafts WHERE conversation_id = ? AND owner = ? RETURNING body`, conv, owner).Scan(&body)
		if err == sql.ErrNoRows {
			return fmt.Errorf("discard draft: there is no draft of yours here: %w", inbox.ErrNotFound)
		}
		if err != nil {
			return err
		}
		grp, err := journalOnly(ctx, tx, owner, conv, "discard draft", now)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO undo_extras (grp, kind, conversation_id, owner, body) VALUES (?, 'draft', ?, ?, ?)`,
			grp, conv, owner, body)
		return err
	})
}

// journalOnly records an action that changes no triage state, so that undo
// finds it as the actor's latest.
func journalOnly(ctx context.Context, tx *sql.Tx, actor string, conv int64, action string, now time.Time) (int64, error) {
	t, err := loadTriage(ctx, tx, conv)
	if err != nil {
		return 0, err
	}
	grp, err := nextGroup(ctx, tx)
	if err != nil {
		return 0, err
	}
	return grp, insertEvent(ctx, tx, grp, actor, conv, action, t, t, now)
}

// target fills in where an outbox entry acts: the conversation's account,
// its external id, and the latest message from the customer.
func target(ctx context.Context, tx *sql.Tx, conv int64, e *inbox.OutboxEntry) error {
	err := tx.QueryRowContext(ctx, `SELECT account_id, external_id,
		COALESCE((SELECT external_id FROM messages WHERE conversation_id = c.id AND direction = 'in'
			ORDER BY created_at DESC, id DESC LIMIT 1), '')
		FROM conversations c WHERE id = ?`, conv).Scan(&e.AccountID, &e.ConvExternalID, &e.TargetID)
	if err != nil {
		return fmt.Errorf("conversation %d: %w", conv, err)
	}
	return nil
}

func newKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// replyBooks is a conversation's reply bookkeeping, kept so that a send
// cancelled within its hold leaves the conversation as it was.
type replyBooks struct {
	NeedsReply   int   `json:"needs_reply"`
	WaitSince    int64 `json:"wait_since"`
	DueAt        int64 `json:"due_at"`
	LastOutAt    int64 `json:"last_out_at"`
	LastActivity int64 `json:"last_activity"`
}

// conflict reports a reply stored since the sender saw the conversation's
// OutSeq: an outbound message synced from the network, or one queued by
// another manager (queued replies are stored as messages at once).
func conflict(ctx context.Context, tx *sql.Tx, conv, seen int64) (*inbox.ReplyConflict, error) {
	var c inbox.ReplyConflict
	var last int64
	if err := tx.QueryRowContext(ctx, `SELECT out_seq, out_last FROM conversations WHERE id = ?`, conv).Scan(&c.Seq, &last); err != nil {
		return nil, fmt.Errorf("conversation %d: %w", conv, err)
	}
	if c.Seq <= seen {
		return nil, nil
	}
	var at int64
	err := tx.QueryRowContext(ctx, `SELECT author_name, text, created_at FROM messages WHERE id = ?`, last).Scan(&c.By, &c.Text, &at)
	switch {
	case err == sql.ErrNoRows:
		c.Withdrawn = true
	case err != nil:
		return nil, err
	}
	c.At = fromMS(at)
	return &c, nil
}

// Reply implements inbox.Store. The check and the insert share one write
// transaction on the one writer connection, so of two managers sending at
// once the second always sees the first's reply.
func (s *Store) Reply(ctx context.Context, r inbox.ReplyRequest, markDone bool, hold time.Duration, now time.Time) (inbox.OutboxEntry, error) {
	conv, body := r.Conversation, r.Body
	e := inbox.OutboxEntry{ConversationID: conv, Action: inbox.ActionReply, Body: body, IdempotencyKey: newKey(),
		Status: inbox.DeliveryQueued, NextAttemptAt: now.Add(max(hold, 0))}
	err := s.tx(ctx, "reply", func(tx *sql.Tx) error {
		if !r.Force {
			c, err := conflict(ctx, tx, conv, r.Seen)
			if err != nil {
				return err
			}
			if c != nil {
				return c
			}
		}
		err := target(ctx, tx, conv, &e)
		if err != nil {
			return err
		}
		var books replyBooks
		if err := tx.QueryRowContext(ctx, `SELECT needs_reply, wait_since, due_at, last_out_at, last_activity FROM conversations WHERE id = ?`, conv).
			Scan(&books.NeedsReply, &books.WaitSince, &books.DueAt, &books.LastOutAt, &books.LastActivity); err != nil {
			return err
		}
		at := ms(now)
		err = tx.QueryRowContext(ctx, `INSERT INTO messages (conversation_id, account_id, external_id, parent_id, direction,
			author_name, text, created_at, delivery) VALUES (?, ?, ?, ?, 'out', ?, ?, ?, 'queued') RETURNING id`,
			conv, e.AccountID, "local:"+e.IdempotencyKey, e.TargetID, r.Actor, body, at).Scan(&e.MessageID)
		if err != nil {
			return err
		}
		if err := ftsAdd(ctx, tx, "id = ?", e.MessageID); err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO outbox (conversation_id, account_id, message_id, action, body, conv_external_id,
			target_id, idempotency_key, status, next_attempt_at, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?) RETURNING id`,
			conv, e.AccountID, e.MessageID, string(e.Action), body, e.ConvExternalID, e.TargetID, e.IdempotencyKey,
			ms(e.NextAttemptAt), at, at).Scan(&e.ID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE conversations SET last_out_at = ?, needs_reply = 0, wait_since = 0, due_at = 0,
			last_activity = ?, messages = messages + 1 WHERE id = ?`, at, at, conv); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM drafts WHERE conversation_id = ? AND owner = ?`, conv, r.Actor); err != nil {
			return err
		}
		grp, err := nextGroup(ctx, tx)
		if err != nil {
			return err
		}
		before, err := loadTriage(ctx, tx, conv)
		if err != nil {
			return err
		}
		after := before
		if markDone {
			after.State, after.SnoozeUntil = inbox.StateDone, 0
			if err := s.writeTriage(ctx, tx, conv, before, after, now); err != nil {
				return err
			}
		}
		if err := insertEvent(ctx, tx, grp, r.Actor, conv, "reply", before, after, now); err != nil {
			return err
		}
		b, _ := json.Marshal(books)
		_, err = tx.ExecContext(ctx, `INSERT INTO undo_extras (grp, kind, conversation_id, owner, body, outbox_id, before)
			VALUES (?, 'send', ?, ?, ?, ?, ?)`, grp, conv, r.Actor, body, e.ID, string(b))
		return err
	})
	return e, err
}

// QueueAction implements inbox.Store.
func (s *Store) QueueAction(ctx context.Context, actor string, conv int64, action inbox.ActionKind, note string, now time.Time) (inbox.OutboxEntry, error) {
	e := inbox.OutboxEntry{ConversationID: conv, Action: action, Body: note, IdempotencyKey: newKey(),
		Status: inbox.DeliveryQueued, NextAttemptAt: now}
	err := s.tx(ctx, string(action), func(tx *sql.Tx) error {
		err := target(ctx, tx, conv, &e)
		if err != nil {
			return err
		}
		at := ms(now)
		err = tx.QueryRowContext(ctx, `INSERT INTO outbox (conversation_id, account_id, action, body, conv_external_id,
			target_id, idempotency_key, status, next_attempt_at, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?) RETURNING id`,
			conv, e.AccountID, string(action), note, e.ConvExternalID, e.TargetID, e.IdempotencyKey, at, at, at).Scan(&e.ID)
		if err != nil {
			return err
		}
		// Journalled for the audit trail; there is nothing to undo locally.
		t, err := loadTriage(ctx, tx, conv)
		if err != nil {
			return err
		}
		grp, err := nextGroup(ctx, tx)
		if err != nil {
			return err
		}
		return insertEvent(ctx, tx, grp, actor, conv, "moderate:"+string(action), t, t, now)
	})
	return e, err
}

const outboxCols = `id, conversation_id, account_id, message_id, action, body, conv_external_id, target_id,
	idempotency_key, status, attempts, next_attempt_at, last_error, created_at`

// ClaimOutbox marks due entries as sending and returns them. Only the one
// writer connection runs this, so two workers never claim the same entry.
func (s *Store) ClaimOutbox(ctx context.Context, now time.Time, limit int) ([]inbox.OutboxEntry, error) {
	var out []inbox.OutboxEntry
	err := s.tx(ctx, "claim outbox", func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `UPDATE outbox SET status = 'sending', attempts = attempts + 1, updated_at = ?
			WHERE id IN (SELECT id FROM outbox WHERE status = 'queued' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?)
			RETURNING `+outboxCols, ms(now), ms(now), limit)
		if err != nil {
			return err
		}
		for rows.Next() {
			e, err := scanOutbox(rows)
			if err != nil {
				rows.Close()
				return err
			}
			out = append(out, e)
		}
		rows.Close()
		for _, e := range out {
			if _, err := tx.ExecContext(ctx, `UPDATE messages SET delivery = 'sending' WHERE id = ?`, e.MessageID); err != nil {
				return err
			}
		}
		return rows.Err()
	})
	return out, err
}

func scanOutbox(rows interface{ Scan(...any) error }) (inbox.OutboxEntry, error) {
	var e inbox.OutboxEntry
	var action, status string
	var next, created int64
	err := rows.Scan(&e.ID, &e.ConversationID, &e.AccountID, &e.MessageID, &action, &e.Body, &e.ConvExternalID,
		&e.TargetID, &e.IdempotencyKey, &status, &e.Attempts, &next, &e.LastError, &created)
	e.Action, e.Status, e.NextAttemptAt, e.CreatedAt = inbox.ActionKind(action), inbox.Delivery(status), fromMS(next), fromMS(created)
	return e, err
}

func outboxConv(ctx context.Context, tx *sql.Tx, id int64) (conv, msg int64, status string, err error) {
	err = tx.QueryRowContext(ctx, `SELECT conversation_id, message_id, status FROM outbox WHERE id = ?`, id).Scan(&conv, &msg, &status)
	if err != nil {
		err = fmt.Errorf("outbox entry %d: %w", id, err)
	}
	return
}

// CompleteOutbox records a delivery: the local message takes the network's
// id and permalink. If a sync already brought the same message in, that
// copy is folded into ours so the thread shows it once.
func (s *Store) CompleteOutbox(ctx context.Context, id int64, externalID, permalink string, now time.Time) (int64, error) {
	var conv int64
	err := s.tx(ctx, "complete outbox", func(tx *sql.Tx) error {
		var msg int64
		var err error
		conv, msg, _, err = outboxConv(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'sent', last_error = '', updated_at = ? WHERE id = ?`, ms(now), id); err != nil {
			return err
		}
		if externalID != "" {
			res, err := tx.ExecContext(ctx, `DELETE FROM messages WHERE account_id = (SELECT account_id FROM messages WHERE id = ?)
				AND external_id = ? AND id <> ?`, msg, externalID, msg)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n > 0 {
				if _, err := tx.ExecContext(ctx, `UPDATE conversations SET messages = messages - ? WHERE id = ?`, n, conv); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, `UPDATE messages SET external_id = ? WHERE id = ?`, externalID, msg); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE messages SET delivery = 'sent', error = '', permalink = ? WHERE id = ?`, permalink, msg)
		return err
	})
	return conv, err
}

// FailOutbox records a failed attempt: retried at retryAt, or final when
// retryAt is zero. The message keeps the reason so the thread can show it.
func (s *Store) FailOutbox(ctx context.Context, id int64, errText string, retryAt, now time.Time) (int64, error) {
	var conv int64
	err := s.tx(ctx, "fail outbox", func(tx *sql.Tx) error {
		var msg int64
		var err error
		conv, msg, _, err = outboxConv(ctx, tx, id)
		if err != nil {
			return err
		}
		status := "queued"
		if retryAt.IsZero() {
			status = "failed"
		}
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = ?, last_error = ?, next_attempt_at = ?, updated_at = ? WHERE id = ?`,
			status, errText, ms(retryAt), ms(now), id); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE messages SET delivery = ?, error = ? WHERE id = ?`, status, errText, msg)
		return err
	})
	return conv, err
}

// RetryOutbox requeues a failed entry for an immediate attempt.
func (s *Store) RetryOutbox(ctx context.Context, id int64, now time.Time) (int64, error) {
	var conv int64
	err := s.tx(ctx, "retry outbox", func(tx *sql.Tx) error {
		var msg int64
		var status string
		var err error
		conv, msg, status, err = outboxConv(ctx, tx, id)
		if err != nil {
			return err
		}
		if status != string(inbox.DeliveryFailed) {
			return fmt.Errorf("outbox entry %d is %s, only a failed one can be retried: %w", id, status, inbox.ErrInvalid)
		}
		// attempts stays at 1, not 0: an earlier attempt may have posted, so
		// the next one (attempt 2) makes the connector look for that post
		// before sending again; the retry still gets the rest of the budget.
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'queued', next_attempt_at = ?, attempts = 1, updated_at = ? WHERE id = ?`,
			ms(now), ms(now), id); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE messages SET delivery = 'queued' WHERE id = ?`, msg)
		return err
	})
	return conv, err
}

// RequeueStale returns entries left "sending" by a crash to the queue.
func (s *Store) RequeueStale(ctx context.Context, now time.Time) error {
	return s.tx(ctx, "recover outbox", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE messages SET delivery = 'queued'
			WHERE id IN (SELECT message_id FROM outbox WHERE status = 'sending')`); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'queued', next_attempt_at = ?, updated_at = ? WHERE status = 'sending'`, ms(now), ms(now))
		return err
	})
}
