package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// convAgg is the part of a conversation that ingest maintains. It is loaded
// once per batch, updated in memory for every message, and written once.
type convAgg struct {
	id                                        int64
	state                                     inbox.State
	snoozeUntil, doneAt                       int64
	negative                                  bool
	negSource                                 inbox.NegSource
	negScore                                  float64
	negReasons                                string // JSON array
	newNeg                                    bool   // a new inbound message in this batch reads negative
	kind                                      string
	rating                                    int
	firstIn, lastIn, lastOut, waitSince, last int64
	needsReply                                bool
	spam                                      bool // stays closed when its author writes again
	messages                                  int
	preview                                   string
	author                                    inbox.Author
	author0                                   inbox.Author // as stored before the batch
	assignee                                  string
	newIn                                     bool         // an inbound message was stored for the first time
	before                                    inbox.Triage // for system journal entries
}

const (
	sqlFindConv = `SELECT id, kind, state, snooze_until, done_at, negative, neg_source, neg_score, neg_reasons, rating, first_in_at, last_in_at,
		last_out_at, wait_since, last_activity, needs_reply, messages, preview, author_id, author_handle, author_name, author_url, spam, assignee
		FROM conversations WHERE account_id = ? AND external_id = ?`
	sqlNewConv = `INSERT INTO conversations (account_id, network, external_id, kind, post_id)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (account_id, external_id) DO NOTHING RETURNING id`
	sqlPutMsg = `INSERT INTO messages (conversation_id, account_id, external_id, parent_id, direction, author_id,
		author_handle, author_name, author_url, text, rating, created_at, permalink, delivery,
		sentiment, sentiment_score, lang, reasons, edited_at, previous_text, attachments, poll)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account_id, external_id) DO NOTHING`
	// sqlEditMsg brings a stored message up to date. An edit the network
	// dates (?1) keeps the text it replaced; an older snapshot than the
	// stored edit (a stale page) changes nothing. Polls change without
	// edits (votes), so they are compared too.
	sqlEditMsg = `UPDATE messages SET
		previous_text = CASE WHEN ?1 > edited_at AND text <> ?2 THEN text ELSE previous_text END,
		edited_at = MAX(edited_at, ?1), text = ?2, rating = ?3, permalink = ?4, attachments = ?5, poll = ?6
		WHERE account_id = ?7 AND external_id = ?8 AND ?1 >= edited_at
		AND (text <> ?2 OR rating <> ?3 OR permalink <> ?4 OR attachments <> ?5 OR poll <> ?6 OR edited_at <> ?1)
		RETURNING conversation_id, id`
	sqlDeleteMsg = `UPDATE messages SET deleted_at = ? WHERE account_id = ? AND external_id = ? AND deleted_at = 0
		RETURNING conversation_id`
	sqlRestoreMsg = `UPDATE messages SET deleted_at = 0 WHERE account_id = ? AND external_id = ? AND deleted_at <> 0
		RETURNING conversation_id`
	sqlPutPost = `INSERT INTO posts (account_id, external_id, author_id, author_handle, author_name, author_url, text, permalink, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account_id, external_id) DO UPDATE SET
		text = excluded.text, permalink = excluded.permalink, author_name = excluded.author_name`
	sqlSaveAgg = `UPDATE conversations SET state = ?, snooze_until = ?, done_at = ?, negative = ?,
		neg_source = ?, neg_score = ?, neg_reasons = ?, rating = ?, first_in_at = ?, last_in_at = ?, last_out_at = ?, wait_since = ?, needs_reply = ?,
		last_activity = ?, messages = ?, preview = ?, author_id = ?, author_handle = ?, author_name = ?, author_url = ?,
		due_at = ? WHERE id = ?`
)

// ingestStmts are the hot statements of a batch, bound to its transaction.
type ingestStmts struct {
	tx                                                                                    *sql.Tx
	indexedUpTo                                                                           int64 // largest message id before this batch
	findConv, newConv, putMsg, editMsg, deleteMsg, restoreMsg, putPost, saveAgg, putIdent *sql.Stmt
}

func (s *Store) prepareIngest(ctx context.Context, tx *sql.Tx) (*ingestStmts, error) {
	st := ingestStmts{tx: tx}
	var err error
	prep := func(q string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var p *sql.Stmt
		p, err = s.stmt(ctx, tx, q)
		return p
	}
	st.findConv, st.newConv, st.putMsg = prep(sqlFindConv), prep(sqlNewConv), prep(sqlPutMsg)
	st.editMsg, st.putPost, st.saveAgg = prep(sqlEditMsg), prep(sqlPutPost), prep(sqlSaveAgg)
	st.deleteMsg, st.restoreMsg, st.putIdent = prep(sqlDeleteMsg), prep(sqlRestoreMsg), prep(sqlPutIdentity)
	return &st, err
}

// Ingest stores a batch and the account's cursor in one transaction. Upserts
// are keyed by (account, external id): re-fetching a page changes nothing.
func (s *Store) Ingest(ctx context.Context, accountID int64, b inbox.Batch, now time.Time) (inbox.IngestResult, error) {
	var res inbox.IngestResult
	err := s.tx(ctx, "ingest", func(tx *sql.Tx) error {
		var network string
		if err := tx.QueryRowContext(ctx, `SELECT network FROM accounts WHERE id = ?`, accountID).Scan(&network); err != nil {
			return fmt.Errorf("account %d: %w", accountID, err)
		}
		st, err := s.prepareIngest(ctx, tx)
		if err != nil {
			return err
		}
		for _, p := range b.Posts {
			if _, err := st.putPost.ExecContext(ctx, accountID, p.ExternalID, p.Author.ID, p.Author.Handle, p.Author.Name,
				p.Author.URL, p.Text, p.Permalink, ms(p.CreatedAt)); err != nil {
				return fmt.Errorf("post %s: %w", p.ExternalID, err)
			}
		}
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM messages`).Scan(&st.indexedUpTo); err != nil {
			return err
		}
		convs := map[string]*convAgg{}
		var order []*convAgg
		for _, it := range b.Items {
			if it.ConversationID == "" || it.Message.ExternalID == "" {
				return fmt.Errorf("item without conversation or message id (conversation %q, message %q)", it.ConversationID, it.Message.ExternalID)
			}
			c := convs[it.ConversationID]
			if c == nil {
				c, err = loadConv(ctx, st, accountID, network, it)
				if err != nil {
					return err
				}
				if c == nil {
					continue // ExistingOnly, and the conversation is not here
				}
				convs[it.ConversationID] = c
				order = append(order, c)
			}
			if err := ingestMessage(ctx, st, accountID, c, it.Message); err != nil {
				return err
			}
		}
		if err := ftsAdd(ctx, tx, "id > ?", st.indexedUpTo); err != nil {
			return err
		}
		deleted, err := markDeleted(ctx, st, accountID, b.Deletions, now)
		if err != nil {
			return err
		}
		for _, c := range order {
			due := func(c *convAgg) int64 {
				return s.dueAt(accountID, c.waitSince, c.lastIn, c.needsReply, c.negative, c.kind)
			}
			if err := saveAgg(ctx, tx, st.saveAgg, c, now, due); err != nil {
				return err
			}
			if err := putIdentity(ctx, st, accountID, c); err != nil {
				return err
			}
			if c.newIn && c.assignee != "" && !c.spam {
				res.ForAssignee = append(res.ForAssignee, inbox.AssignedArrival{ConversationID: c.id, Assignee: c.assignee,
					From: c.author.Display(), Network: network})
			}
			res.Conversations = append(res.Conversations, c.id)
		}
		for _, id := range deleted {
			if !slices.Contains(res.Conversations, id) {
				res.Conversations = append(res.Conversations, id)
			}
		}
		rows, err := tx.QueryContext(ctx, `SELECT id FROM messages WHERE id > ? AND direction = 'in' ORDER BY id`, st.indexedUpTo)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			res.NewInbound = append(res.NewInbound, id)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if b.Notice != "" || b.ClearNotice {
			if _, err := tx.ExecContext(ctx, `UPDATE accounts SET notice = ? WHERE id = ?`, b.Notice, accountID); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE accounts SET cursor = ? WHERE id = ?`, b.Cursor, accountID)
		return err
	})
	return res, err
}

func loadConv(ctx context.Context, st *ingestStmts, accountID int64, network string, it inbox.Inbound) (*convAgg, error) {
	c := &convAgg{state: inbox.StateOpen, negReasons: "[]"}
	kind := it.Kind
	if kind == "" {
		kind = inbox.KindComment
	}
	c.kind = string(kind)
	// Most fetched conversations are new: try the insert first, read only
	// when it already exists.
	err := sql.ErrNoRows
	if !it.ExistingOnly {
		err = st.newConv.QueryRowContext(ctx, accountID, network, it.ConversationID, string(kind), it.PostID).Scan(&c.id)
	}
	if err != sql.ErrNoRows {
		if err != nil {
			return nil, fmt.Errorf("conversation %s: %w", it.ConversationID, err)
		}
		c.before = inbox.Triage{State: c.state}
		return c, nil
	}
	var state, src string
	var neg, needs, spam int
	err = st.findConv.QueryRowContext(ctx, accountID, it.ConversationID).Scan(&c.id, &c.kind, &state, &c.snoozeUntil, &c.doneAt,
		&neg, &src, &c.negScore, &c.negReasons, &c.rating, &c.firstIn, &c.lastIn, &c.lastOut, &c.waitSince, &c.last, &needs, &c.messages, &c.preview,
		&c.author.ID, &c.author.Handle, &c.author.Name, &c.author.URL, &spam, &c.assignee)
	c.author0 = c.author
	if err == sql.ErrNoRows && it.ExistingOnly {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("conversation %s: %w", it.ConversationID, err)
	}
	c.state, c.negSource, c.negative, c.needsReply, c.spam = inbox.State(state), inbox.NegSource(src), neg == 1, needs == 1, spam == 1
	c.before = inbox.Triage{State: c.state, SnoozeUntil: c.snoozeUntil, Negative: c.negative, NegSource: c.negSource, Spam: c.spam}
	return c, nil
}

func ingestMessage(ctx context.Context, st *ingestStmts, accountID int64, c *convAgg, m inbox.Message) error {
	if m.Direction == "" {
		m.Direction = inbox.In
	}
	delivery := ""
	if m.Direction == inbox.Out {
		delivery = string(inbox.DeliverySent) // seen on the network, so it was sent
	}
	at := ms(m.CreatedAt)
	reasons, _ := json.Marshal(m.Reasons)
	if m.Reasons == nil {
		reasons = []byte("[]")
	}
	attachments, poll := extrasJSON(m)
	res, err := st.putMsg.ExecContext(ctx, c.id, accountID, m.ExternalID, m.ParentID, string(m.Direction), m.Author.ID,
		m.Author.Handle, m.Author.Name, m.Author.URL, m.Text, m.Rating, at, m.Permalink, delivery,
		m.Sentiment, m.SentimentScore, m.Lang, string(reasons), ms(m.EditedAt), m.PreviousText, attachments, poll)
	if err != nil {
		return fmt.Errorf("message %s: %w", m.ExternalID, err)
	}
	if !m.DeletedAt.IsZero() {
		if _, err := markDeleted(ctx, st, accountID, []inbox.Deletion{{ExternalID: m.ExternalID, At: m.DeletedAt}}, m.DeletedAt); err != nil {
			return err
		}
	}
	if n, _ := res.RowsAffected(); n == 0 {
		// Already stored: pick up an edit, nothing else.
		var conv int64
		var msgID int64
		err := st.editMsg.QueryRowContext(ctx, ms(m.EditedAt), m.Text, m.Rating, m.Permalink, attachments, poll,
			accountID, m.ExternalID).Scan(&conv, &msgID)
		if err == nil && msgID <= st.indexedUpTo {
			// An edit of an already indexed message: replace its entry.
			// Messages new in this batch are indexed when it ends.
			if _, err := st.tx.ExecContext(ctx, `DELETE FROM messages_fts WHERE rowid = ?`, msgID); err != nil {
				return err
			}
			if err := ftsAdd(ctx, st.tx, "id = ?", msgID); err != nil {
				return err
			}
		}
		if err == nil && conv == c.id && m.Direction == inbox.In {
			if at >= c.lastIn {
				c.preview = preview(m)
			}
			if m.Rating > 0 {
				c.rating = m.Rating
			}
		}
		if err != nil && err != sql.ErrNoRows {
			return fmt.Errorf("message %s: %w", m.ExternalID, err)
		}
		return nil
	}
	c.messages++
	c.last = max(c.last, at)
	if m.Direction == inbox.Out {
		if at >= c.lastOut {
			c.lastOut = at
		}
		if at >= c.lastIn {
			c.needsReply, c.waitSince = false, 0
		}
		return nil
	}
	c.newIn = true
	if c.firstIn == 0 || at < c.firstIn {
		c.firstIn = at
		if c.author.ID == "" && c.author.Name == "" {
			c.author = m.Author
		}
	}
	if at >= c.lastIn {
		c.lastIn = at
		c.preview = preview(m)
		c.author = m.Author
	}
	if m.Rating > 0 {
		c.rating = m.Rating
	}
	if m.Sentiment == "negative" && (!c.newNeg || m.SentimentScore < c.negScore) {
		c.newNeg, c.negScore, c.negReasons = true, m.SentimentScore, string(reasons)
	}
	if at > c.lastOut {
		if c.needsReply && c.waitSince != 0 {
			c.waitSince = min(c.waitSince, at)
		} else {
			c.waitSince = at
		}
		c.needsReply = true
		// The customer wrote again: a done or snoozed conversation reopens,
		// unless it is spam.
		if c.state != inbox.StateOpen && !c.spam {
			c.state, c.snoozeUntil, c.doneAt = inbox.StateOpen, 0, 0
		}
	}
	return nil
}

// extrasJSON encodes a message's attachments and poll for their columns
// ("" when it has none, so most rows stay small).
func extrasJSON(m inbox.Message) (attachments, poll string) {
	if len(m.Attachments) > 0 {
		b, _ := json.Marshal(m.Attachments)
		attachments = string(b)
	}
	if m.Poll != nil {
		b, _ := json.Marshal(m.Poll)
		poll = string(b)
	}
	return attachments, poll
}

// markDeleted records deletions the network reported, returning the
// conversations they touched. Unknown ids are ignored: nothing of them was
// stored. A message already marked keeps its first deletion time.
func markDeleted(ctx context.Context, st *ingestStmts, accountID int64, ds []inbox.Deletion, now time.Time) ([]int64, error) {
	var convs []int64
	for _, d := range ds {
		at := d.At
		if at.IsZero() {
			at = now
		}
		var conv int64
		var err error
		if d.Restored {
			err = st.restoreMsg.QueryRowContext(ctx, accountID, d.ExternalID).Scan(&conv)
		} else {
			err = st.deleteMsg.QueryRowContext(ctx, ms(at), accountID, d.ExternalID).Scan(&conv)
		}
		switch {
		case err == sql.ErrNoRows:
		case err != nil:
			return nil, fmt.Errorf("deletion of %s: %w", d.ExternalID, err)
		default:
			convs = append(convs, conv)
		}
	}
	return convs, nil
}

// preview is what a list row shows of a message: its first line, or what
// is attached when it has no text (an image-only DM).
func preview(m inbox.Message) string {
	if p := firstLine(m.Text); p != "" {
		return p
	}
	for _, a := range m.Attachments {
		if a.Description != "" {
			return firstLine("[" + string(a.Kind) + ": " + a.Description + "]")
		}
		return "[" + string(a.Kind) + "]"
	}
	if m.Poll != nil {
		return "[poll]"
	}
	return ""
}

// firstLine is the preview shown in list rows.
func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	if r := []rune(s); len(r) > 280 {
		s = string(r[:280])
	}
	return s
}

// saveAgg writes a conversation's aggregates and journals what the system
// decided on its own: reopening, and marking 1–2 star reviews negative.
func saveAgg(ctx context.Context, tx *sql.Tx, upd *sql.Stmt, c *convAgg, now time.Time, dueAt func(*convAgg) int64) error {
	// Ratings of 1–2 stars and messages the detector reads as negative mark
	// the conversation negative (auto); a 3+ rating clears a mark that only
	// a rating made. A manual or rule mark always wins.
	if c.negSource == inbox.NegNone || c.negSource == inbox.NegAuto {
		switch {
		case c.rating >= 1 && c.rating <= 2:
			c.negative, c.negSource = true, inbox.NegAuto
			if !c.newNeg {
				c.negReasons = fmt.Sprintf(`["rating %d★"]`, c.rating)
			}
		case c.newNeg:
			c.negative, c.negSource = true, inbox.NegAuto
		case c.rating >= 3 && c.negSource == inbox.NegAuto && strings.HasPrefix(c.negReasons, `["rating`):
			c.negative, c.negSource, c.negReasons = false, inbox.NegNone, "[]"
		}
	}
	due := dueAt(c)
	_, err := upd.ExecContext(ctx, string(c.state), c.snoozeUntil, c.doneAt, b2i(c.negative), string(c.negSource),
		c.negScore, c.negReasons, c.rating,
		c.firstIn, c.lastIn, c.lastOut, c.waitSince, b2i(c.needsReply), c.last, c.messages, c.preview, c.author.ID,
		c.author.Handle, c.author.Name, c.author.URL, due, c.id)
	if err != nil {
		return fmt.Errorf("update conversation %d: %w", c.id, err)
	}
	after := inbox.Triage{State: c.state, SnoozeUntil: c.snoozeUntil, Negative: c.negative, NegSource: c.negSource}
	var grp int64
	journal := func(action string, before, after inbox.Triage) error {
		if grp == 0 {
			if grp, err = nextGroup(ctx, tx); err != nil {
				return err
			}
		}
		return insertEvent(ctx, tx, grp, "system", c.id, action, before, after, now)
	}
	if c.before.State != after.State && after.State == inbox.StateOpen && c.before.State != "" && c.messages > 0 {
		b, a := c.before, c.before
		a.State, a.SnoozeUntil = inbox.StateOpen, 0
		if err := journal("reopen", b, a); err != nil {
			return err
		}
	}
	if c.before.Negative != after.Negative && after.NegSource == inbox.NegAuto {
		b, a := c.before, c.before
		a.Negative, a.NegSource = after.Negative, after.NegSource
		if err := journal("auto_negative", b, a); err != nil {
			return err
		}
	}
	return nil
}

// ftsAdd indexes the messages matching where (with one id argument). A
// batch indexes all its new messages in one statement ("id > ?"), so FTS5
// writes one segment per batch, not one per row; rowids only grow, so the
// batch's new messages are exactly those above the largest id before it.
func ftsAdd(ctx context.Context, tx *sql.Tx, where string, id int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO messages_fts (rowid, text, author)
		SELECT id, text, author_name || ' ' || author_handle FROM messages WHERE `+where, id)
	return err
}
