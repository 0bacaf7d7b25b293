package inbox

import (
	"context"
	"time"
)

// Profile is what parley knows of one person on one network: every
// conversation with them, when they were first seen, the tags they carry,
// how negative they were over time, and the team's notes about them.
type Profile struct {
	Author        Author
	Network       string
	AccountLabel  string
	FirstSeen     time.Time
	Conversations []Conversation // newest first, at most ProfileLimit
	Total         int            // every conversation, even beyond the limit
	Tags          map[string]int // tag → conversations carrying it
	Notes         []Note         // newest first, at most ProfileLimit
}

// ProfileLimit bounds what a profile loads; Total says how many there are.
const ProfileLimit = 200

// Profile loads the person behind a conversation.
func (s *Service) Profile(ctx context.Context, conversationID int64) (Profile, error) {
	c, err := s.store.Conversation(ctx, conversationID)
	if err != nil {
		return Profile{}, err
	}
	return s.store.Profile(ctx, c.AccountID, c.Author, ProfileLimit)
}
