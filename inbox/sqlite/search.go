package sqlite

import (
	"context"
	"strings"

	"github.com/parleyhq/parley/inbox"
)

// ftsQuery turns anything a user types into a safe FTS5 query: every word
// becomes a quoted phrase (quotes doubled), all must match, and the last one
// matches as a prefix so results come while typing. No operator, column
// filter or bracket the user types is ever interpreted.
func ftsQuery(input string) string {
	var parts []string
	for _, w := range strings.Fields(input) {
		if !hasWordChar(w) {
			continue // pure punctuation tokenises to nothing
		}
		parts = append(parts, `"`+strings.ReplaceAll(w, `"`, `""`)+`"`)
	}
	if len(parts) == 0 {
		return ""
	}
	parts[len(parts)-1] += "*"
	return strings.Join(parts, " ")
}

func hasWordChar(w string) bool {
	for _, r := range w {
		if r >= 0x80 || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') {
			return true
		}
	}
	return false
}

// Search finds conversations whose messages match, newest match first.
func (s *Store) Search(ctx context.Context, input string, limit int) ([]inbox.Conversation, error) {
	q := ftsQuery(input)
	if q == "" {
		return nil, nil
	}
	// Newest hits first by rowid, bounded, so a common word stays fast: ten
	// hits per conversation wanted is plenty (a conversation has a few
	// messages), and older matches are one more search away.
	// Internal notes match too: what a colleague wrote about a customer is
	// often what the manager remembers.
	n := max(limit*10, 500)
	return s.queryConvs(ctx, "search", `WITH hits AS (
			SELECT rowid FROM messages_fts WHERE messages_fts MATCH ? ORDER BY rowid DESC LIMIT ?
		), note_hits AS (
			SELECT rowid FROM notes_fts WHERE notes_fts MATCH ? ORDER BY rowid DESC LIMIT ?
		), found AS (
			SELECT m.conversation_id AS cid, m.created_at AS at FROM hits JOIN messages m ON m.id = hits.rowid
			UNION ALL
			SELECT n.conversation_id, n.created_at FROM note_hits JOIN notes n ON n.id = note_hits.rowid
		), convs AS (
			SELECT cid, MAX(at) AS last FROM found GROUP BY cid ORDER BY last DESC, cid DESC LIMIT ?
		)
		SELECT `+rowCols+` FROM convs JOIN conversations c ON c.id = convs.cid ORDER BY convs.last DESC, c.id DESC`, q, n, q, n, limit)
}

// SearchCount counts the conversations a search matches, reading at most
// limit hits each from messages and notes: under that it is exact, past it
// (exact false) it is how many conversations the first hits reach, so a
// word in every other message costs a bounded scan, not the whole index.
func (s *Store) SearchCount(ctx context.Context, input string, limit int) (n int, exact bool, err error) {
	q := ftsQuery(input)
	if q == "" {
		return 0, true, nil
	}
	var msgHits, noteHits int
	err = s.r.QueryRowContext(ctx, `WITH hits AS (
			SELECT rowid FROM messages_fts WHERE messages_fts MATCH ? LIMIT ?
		), note_hits AS (
			SELECT rowid FROM notes_fts WHERE notes_fts MATCH ? LIMIT ?
		)
		SELECT (SELECT count(*) FROM hits), (SELECT count(*) FROM note_hits), (SELECT count(*) FROM (
			SELECT m.conversation_id FROM hits JOIN messages m ON m.id = hits.rowid
			UNION
			SELECT n.conversation_id FROM note_hits JOIN notes n ON n.id = note_hits.rowid))`,
		q, limit, q, limit).Scan(&msgHits, &noteHits, &n)
	if err != nil {
		return 0, false, wrap("search count", err)
	}
	return n, msgHits < limit && noteHits < limit, nil
}
