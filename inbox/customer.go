package inbox

import (
	"context"
	"fmt"
	"strings"
	"unicode"
)

// IdentityRef names one person on one account: the key the profile, the
// conversations and the customer links share.
type IdentityRef struct {
	AccountID int64
	AuthorID  string
}

// Identity is one person as one network knows them, and the customer
// (several identities the manager linked) they belong to.
type Identity struct {
	IdentityRef
	Network      string
	AccountLabel string
	Author       Author
	Customer     int64 // 0: not linked to anyone
}

// Ref is the identity's key.
func (i Identity) Ref() IdentityRef { return i.IdentityRef }

// Label is how the identity reads in a sentence: "Noor (@noor) on bluesky".
func (i Identity) Label() string {
	s := i.Author.Display()
	if i.Author.Handle != "" && i.Author.Handle != s {
		s += " (" + i.Author.Handle + ")"
	}
	return s + " on " + i.Network
}

// The journal's actions for links, followed by who was linked, as the
// activity log shows them.
const (
	LinkAction   = "link: "
	UnlinkAction = "unlink: "
)

// MatchKey is what two spellings of one name have in common: lower case,
// no diacritics (José = Jose), no spaces or punctuation ("Noor K." =
// "noor_k"). Names with fewer than three letters or digits, or no letter at
// all (numeric ids), match too much to suggest anything: their key is "".
func MatchKey(s string) string {
	var folded strings.Builder
	for _, r := range s {
		FoldRune(&folded, r)
	}
	var b strings.Builder
	letters, n := false, 0
	for _, r := range folded.String() {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			letters = letters || unicode.IsLetter(r)
			b.WriteRune(r)
			n++
		}
	}
	if !letters || n < 3 {
		return ""
	}
	return b.String()
}

// HandleKey is MatchKey of a handle without what only says where the
// account lives: the leading @, a Mastodon instance (@noor@example.social)
// and Bluesky's default domain (noor.bsky.social).
func HandleKey(h string) string {
	h = strings.TrimLeft(strings.TrimSpace(h), "@")
	if i := strings.IndexByte(h, '@'); i >= 0 {
		h = h[:i]
	}
	h = strings.TrimSuffix(strings.ToLower(h), ".bsky.social")
	return MatchKey(h)
}

// Link joins two identities into one customer (or merges their customers),
// journalled on the conversation the manager is looking at, so undo (and
// the activity log) know of it.
func (s *Service) Link(ctx context.Context, actor string, conversationID int64, a, b IdentityRef) error {
	if a == b {
		return fmt.Errorf("link: an identity cannot be linked to itself: %w", ErrInvalid)
	}
	if a.AuthorID == "" || b.AuthorID == "" {
		return fmt.Errorf("link: the network gave no id for this person, so there is nothing stable to link: %w", ErrInvalid)
	}
	if err := s.store.Link(ctx, actor, conversationID, a, b, s.Now()); err != nil {
		return err
	}
	s.customersChanged([]int64{conversationID})
	return nil
}

// Unlink takes an identity out of its customer; a customer left with one
// identity is no link any more and dissolves. Journalled and undoable.
func (s *Service) Unlink(ctx context.Context, actor string, conversationID int64, id IdentityRef) error {
	if err := s.store.Unlink(ctx, actor, conversationID, id, s.Now()); err != nil {
		return err
	}
	s.customersChanged([]int64{conversationID})
	return nil
}

// customersChanged announces a link, an unlink or its undo: the change
// names the conversation it was journalled on, and says identities moved,
// so a profile open on another of the customer's conversations reloads.
func (s *Service) customersChanged(ids []int64) {
	c := s.change(ids)
	c.Customers = true
	s.publishData(c)
}

// isLinkAction says whether a journal action links or unlinks identities.
func isLinkAction(action string) bool {
	return strings.HasPrefix(action, LinkAction) || strings.HasPrefix(action, UnlinkAction)
}
