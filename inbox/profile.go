package inbox

import (
	"context"
	"time"
)

// Profile is what parley knows of one customer: the person on the network
// the profile was opened from and every identity linked to them on other
// networks, every conversation with any of them, when they were first seen,
// the tags they carry, how negative they were over time, and the team's
// notes about them.
type Profile struct {
	Author        Author
	AccountID     int64
	Network       string
	AccountLabel  string
	FirstSeen     time.Time
	Conversations []Conversation // newest first, at most ProfileLimit, each with its Network
	Total         int            // every conversation, even beyond the limit
	Tags          map[string]int // tag → conversations carrying it
	Notes         []Note         // newest first, at most ProfileLimit
	// Identities are the customer's identities, the one opened first;
	// only that one when nothing is linked.
	Identities []Identity
	// Suggested are identities on networks the customer has none on whose
	// name or handle matches one of theirs, for the manager to link.
	Suggested []Identity
}

// Ref is the identity the profile was opened from.
func (p Profile) Ref() IdentityRef { return IdentityRef{AccountID: p.AccountID, AuthorID: p.Author.ID} }

// Linked says whether the profile spans more than one identity.
func (p Profile) Linked() bool { return len(p.Identities) > 1 }

// ProfileLimit bounds what a profile loads; Total says how many there are.
const ProfileLimit = 200

// SuggestLimit bounds the link suggestions a profile offers: a common name
// matches many people, and the manager reads them one by one.
const SuggestLimit = 8

// Profile loads the person behind a conversation.
func (s *Service) Profile(ctx context.Context, conversationID int64) (Profile, error) {
	c, err := s.store.Conversation(ctx, conversationID)
	if err != nil {
		return Profile{}, err
	}
	return s.store.Profile(ctx, c.AccountID, c.Author, ProfileLimit)
}
