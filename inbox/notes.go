package inbox

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/parleyhq/parley/inbox/sanitize"
)

// Note is an internal note on a conversation: the team's words, never sent
// to any network.
type Note struct {
	ID             int64
	ConversationID int64
	Author         string
	Text           string
	CreatedAt      time.Time
	Mentions       []string // managers the note names with @name
}

// maxNote bounds a note: notes are for colleagues, not documents.
const maxNote = 4000

// mentionRE finds @name where @ starts a word (so mail addresses are not
// mentions).
var mentionRE = regexp.MustCompile(`(?:^|[^\p{L}\p{N}_@.])@([\p{L}\p{N}_][\p{L}\p{N}_.-]*)`)

// Mentions lists the managers a note names with @name, once each, in order.
func Mentions(text string) []string {
	var out []string
	for _, m := range mentionRE.FindAllStringSubmatch(text, -1) {
		name := CleanManager(strings.TrimRight(m[1], ".-"))
		if name != "" && !slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, name) }) {
			out = append(out, name)
		}
	}
	return out
}

// AddNote writes an internal note on a conversation. It is journalled (the
// activity log shows it) and searchable, never sent; @name marks it for
// that manager's Mentions view.
func (s *Service) AddNote(ctx context.Context, actor string, id int64, text string) (Note, error) {
	text = strings.TrimSpace(sanitize.Text(text))
	if text == "" {
		return Note{}, fmt.Errorf("note: the note is empty: %w", ErrInvalid)
	}
	if n := len([]rune(text)); n > maxNote {
		return Note{}, fmt.Errorf("note: %d characters, at most %d: %w", n, maxNote, ErrInvalid)
	}
	n := Note{ConversationID: id, Author: actor, Text: text, CreatedAt: s.Now(), Mentions: Mentions(text)}
	n, err := s.store.AddNote(ctx, n)
	if err != nil {
		return n, err
	}
	s.changed([]int64{id})
	return n, nil
}
