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

// viewDef is a view's filter and sort key; each pair is served by a partial
// index in the schema, so keep them in step with 0001_init.sql; membership
// is also counted by the triggers in 0009_view_counts.sql.
type viewDef struct{ where, key string }

var viewDefs = map[inbox.View]viewDef{
	inbox.ViewInbox:     {"c.state = 'open'", "c.triage_key"},
	inbox.ViewNegative:  {"c.negative = 1 AND c.state <> 'done'", "c.triage_key"},
	inbox.ViewEscalated: {"c.esc_dest <> ''", "c.triage_key"},
	inbox.ViewSnoozed:   {"c.state = 'snoozed'", "c.snooze_until"},
	inbox.ViewDone:      {"c.state = 'done'", "c.done_key"},
	inbox.ViewAll:       {"1 = 1", "c.act_key"},
}

const convCols = `c.id, c.account_id, c.network, c.external_id, c.kind, c.post_id, c.state, c.snooze_until, c.done_at,
	c.negative, c.neg_source, c.neg_score, c.neg_reasons, c.esc_dest, c.esc_note, c.esc_at, c.assignee, c.author_id, c.author_handle, c.author_name,
	c.author_url, c.preview, c.rating, c.first_in_at, c.last_in_at, c.last_out_at, c.wait_since, c.needs_reply,
	c.last_activity, c.messages, c.due_at,
	(SELECT group_concat(tag, ',') FROM (SELECT tag FROM conversation_tags WHERE conversation_id = c.id ORDER BY tag))`

// rowCols adds outbox state, which list rows show and the corpus does not need.
const rowCols = convCols + `,
	(SELECT count(*) FROM outbox WHERE conversation_id = c.id AND status = 'failed'),
	(SELECT count(*) FROM outbox WHERE conversation_id = c.id AND status IN ('queued', 'sending'))`

func scanConv(rows interface{ Scan(...any) error }, withOutbox bool, extra ...any) (inbox.Conversation, error) {
	var c inbox.Conversation
	var kind, state, src string
	var snooze, done, escAt, firstIn, lastIn, lastOut, wait, last, due int64
	var neg, needs int
	var tags sql.NullString
	var reasons string
	dest := []any{&c.ID, &c.AccountID, &c.Network, &c.ExternalID, &kind, &c.PostID, &state, &snooze, &done,
		&neg, &src, &c.NegScore, &reasons, &c.EscDest, &c.EscNote, &escAt, &c.Assignee, &c.Author.ID, &c.Author.Handle, &c.Author.Name,
		&c.Author.URL, &c.Preview, &c.Rating, &firstIn, &lastIn, &lastOut, &wait, &needs, &last, &c.Messages, &due, &tags}
	if withOutbox {
		dest = append(dest, &c.Failed, &c.Queued)
	}
	if err := rows.Scan(append(dest, extra...)...); err != nil {
		return c, err
	}
	c.Kind, c.State, c.NegSource = inbox.Kind(kind), inbox.State(state), inbox.NegSource(src)
	c.Negative, c.NeedsReply = neg == 1, needs == 1
	c.SnoozeUntil, c.DoneAt, c.EscAt, c.DueAt = fromMS(snooze), fromMS(done), fromMS(escAt), fromMS(due)
	c.FirstInAt, c.LastInAt, c.LastOutAt, c.WaitSince, c.LastActivity = fromMS(firstIn), fromMS(lastIn), fromMS(lastOut), fromMS(wait), fromMS(last)
	if tags.Valid && tags.String != "" {
		c.Tags = strings.Split(tags.String, ",")
	}
	if reasons != "" && reasons != "[]" {
		_ = json.Unmarshal([]byte(reasons), &c.NegReasons)
	}
	return c, nil
}

func viewOf(v inbox.View) (viewDef, error) {
	d, ok := viewDefs[v]
	if !ok {
		d, ok = teamViewDefs[v]
	}
	if !ok {
		return d, fmt.Errorf("unknown view %d: %w", v, inbox.ErrInvalid)
	}
	return d, nil
}

// List returns one window of a view in view order.
func (s *Store) List(ctx context.Context, p inbox.Page) ([]inbox.Conversation, error) {
	d, err := viewOf(p.View)
	if err != nil {
		return nil, err
	}
	q := strings.Builder{}
	q.WriteString("SELECT " + rowCols + ", " + d.key + " FROM conversations c WHERE " + d.where)
	args := viewArgs(p.View, p.Manager)
	if p.Network != "" {
		q.WriteString(" AND c.network = ?")
		args = append(args, p.Network)
	}
	dir := "ASC"
	if p.Anchor != nil {
		op := ">"
		if p.Before {
			op, dir = "<", "DESC"
		}
		q.WriteString(" AND (" + d.key + ", c.id) " + op + " (?, ?)")
		args = append(args, p.Anchor.Key, p.Anchor.ID)
	} else if p.Before {
		dir = "DESC" // the last page of the view
	}
	fmt.Fprintf(&q, " ORDER BY %s %s, c.id %s LIMIT ?", d.key, dir, dir)
	args = append(args, p.Limit)
	rows, err := s.r.QueryContext(ctx, q.String(), args...)
	if err != nil {
		return nil, wrap("list "+p.View.String(), err)
	}
	defer rows.Close()
	var out []inbox.Conversation
	for rows.Next() {
		var key int64
		c, err := scanConv(rows, true, &key)
		if err != nil {
			return nil, wrap("list", err)
		}
		c.Key = key
		out = append(out, c)
	}
	if p.Before {
		slices.Reverse(out)
	}
	return out, wrap("list", rows.Err())
}

// viewNames are the view column of view_counts (0009_view_counts.sql).
var viewNames = map[string]inbox.View{
	"inbox": inbox.ViewInbox, "negative": inbox.ViewNegative, "escalated": inbox.ViewEscalated,
	"snoozed": inbox.ViewSnoozed, "done": inbox.ViewDone, "all": inbox.ViewAll,
}

// Counts returns how many conversations each view holds, from the counters
// the schema's triggers keep, so it costs the same at any database size.
func (s *Store) Counts(ctx context.Context, network string) (inbox.Counts, error) {
	out := inbox.Counts{}
	for _, v := range inbox.Views {
		out[v] = 0
	}
	rows, err := s.r.QueryContext(ctx, `SELECT view, sum(n) FROM view_counts WHERE ? = '' OR network = ? GROUP BY view`, network, network)
	if err != nil {
		return nil, wrap("counts", err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var n int
		if err := rows.Scan(&name, &n); err != nil {
			return nil, wrap("counts", err)
		}
		if v, ok := viewNames[name]; ok {
			out[v] = n
		}
	}
	return out, wrap("counts", rows.Err())
}

// Place implements inbox.Store: each view's membership and key, straight
// from viewDefs, for a handful of conversations by primary key.
func (s *Store) Place(ctx context.Context, ids []int64) ([]inbox.Placement, error) {
	out := make([]inbox.Placement, len(ids))
	at := make(map[int64][]int, len(ids))
	for i, id := range ids {
		out[i] = inbox.Placement{ID: id}
		at[id] = append(at[id], i)
	}
	if len(ids) == 0 {
		return out, nil
	}
	q := strings.Builder{}
	q.WriteString("SELECT c.id, c.network")
	for _, v := range inbox.Views {
		d := viewDefs[v]
		fmt.Fprintf(&q, ", (%s), %s", d.where, d.key)
	}
	q.WriteString(" FROM conversations c WHERE c.id IN (" + strings.TrimSuffix(strings.Repeat("?,", len(at)), ",") + ")")
	args := make([]any, 0, len(at))
	for id := range at {
		args = append(args, id)
	}
	rows, err := s.r.QueryContext(ctx, q.String(), args...)
	if err != nil {
		return nil, wrap("place", err)
	}
	defer rows.Close()
	in := make([]bool, len(inbox.Views))
	keys := make([]int64, len(inbox.Views))
	for rows.Next() {
		var id int64
		var network string
		dest := []any{&id, &network}
		for i := range inbox.Views {
			dest = append(dest, &in[i], &keys[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, wrap("place", err)
		}
		p := inbox.Placement{ID: id, Network: network, Keys: map[inbox.View]int64{}}
		for i, v := range inbox.Views {
			if in[i] {
				p.Keys[v] = keys[i]
			}
		}
		for _, i := range at[id] {
			out[i] = p
		}
	}
	return out, wrap("place", rows.Err())
}

// Conversation loads one conversation.
func (s *Store) Conversation(ctx context.Context, id int64) (inbox.Conversation, error) {
	row := s.r.QueryRowContext(ctx, "SELECT "+rowCols+" FROM conversations c WHERE c.id = ?", id)
	c, err := scanConv(row, true)
	return c, wrap(fmt.Sprintf("conversation %d", id), err)
}

// FilterCorpus returns up to limit rows of a view, in view order, for the
// in-memory fuzzy filter.
func (s *Store) FilterCorpus(ctx context.Context, v inbox.View, network, manager string, limit int) ([]inbox.Conversation, error) {
	d, err := viewOf(v)
	if err != nil {
		return nil, err
	}
	q := "SELECT " + rowCols + " FROM conversations c WHERE " + d.where
	args := viewArgs(v, manager)
	if network != "" {
		q += " AND c.network = ?"
		args = append(args, network)
	}
	q += " ORDER BY " + d.key + ", c.id LIMIT ?"
	args = append(args, limit)
	return s.queryConvs(ctx, "filter", q, args...)
}

func (s *Store) queryConvs(ctx context.Context, op, q string, args ...any) ([]inbox.Conversation, error) {
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, wrap(op, err)
	}
	defer rows.Close()
	var out []inbox.Conversation
	for rows.Next() {
		c, err := scanConv(rows, true)
		if err != nil {
			return nil, wrap(op, err)
		}
		out = append(out, c)
	}
	return out, wrap(op, rows.Err())
}

// Tags lists every tag in use, most used first.
func (s *Store) Tags(ctx context.Context) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT tag FROM conversation_tags GROUP BY tag ORDER BY count(*) DESC, tag`)
	if err != nil {
		return nil, wrap("tags", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, wrap("tags", err)
		}
		out = append(out, t)
	}
	return out, wrap("tags", rows.Err())
}

// Thread loads a conversation with its account, post, messages and draft.
func (s *Store) Thread(ctx context.Context, id int64) (inbox.Thread, error) {
	var th inbox.Thread
	c, err := s.Conversation(ctx, id)
	if err != nil {
		return th, err
	}
	th.Conversation = c
	// Read before the messages: a reply stored in between is then shown
	// but not counted, so the send-time check errs on the side of asking.
	if err := s.r.QueryRowContext(ctx, `SELECT out_seq FROM conversations WHERE id = ?`, id).Scan(&th.OutSeq); err != nil {
		return th, wrap("thread", err)
	}
	var st string
	var last int64
	err = s.r.QueryRowContext(ctx, `SELECT id, network, label, status, last_sync, last_error FROM accounts WHERE id = ?`, c.AccountID).
		Scan(&th.Account.ID, &th.Account.Network, &th.Account.Label, &st, &last, &th.Account.LastError)
	if err != nil {
		return th, wrap("thread account", err)
	}
	th.Account.Status, th.Account.LastSync = inbox.AccountStatus(st), fromMS(last)
	if c.PostID != "" {
		var p inbox.Post
		var at int64
		err := s.r.QueryRowContext(ctx, `SELECT external_id, author_id, author_handle, author_name, author_url, text, permalink, created_at
			FROM posts WHERE account_id = ? AND external_id = ?`, c.AccountID, c.PostID).
			Scan(&p.ExternalID, &p.Author.ID, &p.Author.Handle, &p.Author.Name, &p.Author.URL, &p.Text, &p.Permalink, &at)
		switch {
		case err == nil:
			p.CreatedAt = fromMS(at)
			th.Post = &p
		case err != sql.ErrNoRows:
			return th, wrap("thread post", err)
		}
	}
	rows, err := s.r.QueryContext(ctx, `SELECT m.id, m.external_id, m.parent_id, m.direction, m.author_id, m.author_handle,
		m.author_name, m.author_url, m.text, m.rating, m.created_at, m.permalink, m.delivery, m.error,
		m.sentiment, m.sentiment_score, m.lang, m.reasons, m.edited_at, m.previous_text, m.deleted_at, m.attachments, m.poll,
		COALESCE(o.id, 0), CASE WHEN o.status = 'queued' AND o.attempts = 0 THEN o.next_attempt_at ELSE 0 END
		FROM messages m LEFT JOIN outbox o ON o.message_id = m.id AND m.direction = 'out'
		WHERE m.conversation_id = ? ORDER BY m.created_at, m.id`, id)
	if err != nil {
		return th, wrap("thread messages", err)
	}
	defer rows.Close()
	for rows.Next() {
		m := inbox.Message{ConversationID: id, AccountID: c.AccountID}
		var dir, del, reasons, attachments, poll string
		var at, edited, deleted, hold int64
		if err := rows.Scan(&m.ID, &m.ExternalID, &m.ParentID, &dir, &m.Author.ID, &m.Author.Handle, &m.Author.Name,
			&m.Author.URL, &m.Text, &m.Rating, &at, &m.Permalink, &del, &m.Error,
			&m.Sentiment, &m.SentimentScore, &m.Lang, &reasons, &edited, &m.PreviousText, &deleted, &attachments, &poll,
			&m.OutboxID, &hold); err != nil {
			return th, wrap("thread messages", err)
		}
		m.Direction, m.Delivery, m.CreatedAt, m.HoldUntil = inbox.Direction(dir), inbox.Delivery(del), fromMS(at), fromMS(hold)
		m.EditedAt, m.DeletedAt = fromMS(edited), fromMS(deleted)
		_ = json.Unmarshal([]byte(reasons), &m.Reasons)
		if attachments != "" {
			_ = json.Unmarshal([]byte(attachments), &m.Attachments)
		}
		if poll != "" {
			m.Poll = new(inbox.Poll)
			if json.Unmarshal([]byte(poll), m.Poll) != nil {
				m.Poll = nil
			}
		}
		th.Messages = append(th.Messages, m)
	}
	if err := rows.Err(); err != nil {
		return th, wrap("thread messages", err)
	}
	arows, err := s.r.QueryContext(ctx, `SELECT `+outboxCols+` FROM outbox WHERE conversation_id = ? AND message_id = 0 ORDER BY id`, id)
	if err != nil {
		return th, wrap("thread actions", err)
	}
	defer arows.Close()
	for arows.Next() {
		e, err := scanOutbox(arows)
		if err != nil {
			return th, wrap("thread actions", err)
		}
		th.Actions = append(th.Actions, e)
	}
	if th.Notes, err = s.notes(ctx, id); err != nil {
		return th, err
	}
	drows, err := s.r.QueryContext(ctx, `SELECT owner, body, updated_at FROM drafts WHERE conversation_id = ? ORDER BY updated_at DESC`, id)
	if err != nil {
		return th, wrap("thread drafts", err)
	}
	defer drows.Close()
	for drows.Next() {
		var d inbox.Draft
		var at int64
		if err := drows.Scan(&d.Owner, &d.Body, &at); err != nil {
			return th, wrap("thread drafts", err)
		}
		d.UpdatedAt = fromMS(at)
		th.Drafts = append(th.Drafts, d)
	}
	return th, wrap("thread drafts", drows.Err())
}

// Arrivals implements inbox.Store.
func (s *Store) Arrivals(ctx context.Context, ids []int64, since time.Time) ([]inbox.Arrival, error) {
	q := `SELECT ` + convCols + `, m.id, m.external_id, m.text, m.rating, m.created_at, m.author_handle, m.author_name,
		m.lang, m.sentiment, a.label FROM messages m JOIN conversations c ON c.id = m.conversation_id
		JOIN accounts a ON a.id = c.account_id WHERE m.direction = 'in' AND `
	var args []any
	if ids != nil {
		if len(ids) == 0 {
			return nil, nil
		}
		q += "m.id IN (" + strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",") + ")"
		for _, id := range ids {
			args = append(args, id)
		}
	} else {
		q += "m.created_at >= ?"
		args = append(args, ms(since))
	}
	rows, err := s.r.QueryContext(ctx, q+" ORDER BY m.created_at, m.id", args...)
	if err != nil {
		return nil, wrap("arrivals", err)
	}
	defer rows.Close()
	var out []inbox.Arrival
	for rows.Next() {
		var a inbox.Arrival
		var at int64
		m := &a.Message
		c, err := scanConv(rows, false, &m.ID, &m.ExternalID, &m.Text, &m.Rating, &at, &m.Author.Handle, &m.Author.Name,
			&m.Lang, &m.Sentiment, &a.AccountLabel)
		if err != nil {
			return nil, wrap("arrivals", err)
		}
		m.CreatedAt, m.Direction = fromMS(at), inbox.In
		a.Conversation = c
		out = append(out, a)
	}
	return out, wrap("arrivals", rows.Err())
}
