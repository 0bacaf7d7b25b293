package facebook

import (
	"fmt"
	"strings"
)

// A part of an account that Meta may refuse to list, what that hides from
// the manager and what grants it. Meta refuses with a permission error (10,
// 200–299) or missing access (1/99) — never with an empty list, so a
// refusal is always shown, never taken for "nothing new".
type part struct{ hides, needs string }

var (
	partPageComments = part{"comments on the Page's posts",
		"pages_read_engagement and pages_read_user_content, and Advanced Access for people without a role on the app"}
	partMessenger = part{"Messenger conversations",
		"pages_messaging and pages_manage_metadata, and Advanced Access for people without a role on the app"}
	partIGComments = part{"Instagram comments",
		"instagram_basic and instagram_manage_comments (Instagram Login: instagram_business_basic, instagram_business_manage_comments); a Page managed in Business Manager also needs ads_read or ads_management"}
	partIGTags = part{"posts the account is tagged in",
		"instagram_basic and instagram_manage_comments (Instagram Login: instagram_business_manage_comments); a Page managed in Business Manager also needs ads_read or ads_management"}
	partIGMessages = part{"Instagram direct messages",
		"instagram_manage_messages (Instagram Login: instagram_business_manage_messages), Advanced Access and a verified business"}
)

// refusals collects the parts Meta refused to list during one Fetch.
type refusals struct {
	tried int
	seen  map[part]bool
	notes []string
}

// check passes err through unless it is an access refusal, which it notes
// against the part (once) and swallows so the other parts still sync.
func (r *refusals) check(p part, err error) error {
	if err == nil || !isAccessDenied(err) {
		return err
	}
	if r.seen == nil {
		r.seen = map[part]bool{}
	}
	if !r.seen[p] {
		r.seen[p] = true
		r.notes = append(r.notes, fmt.Sprintf("%s are hidden: Meta refused access (%s); it needs %s",
			p.hides, graphErrorOf(err).desc, p.needs))
	}
	return nil
}

// tries counts a part the Fetch asked for.
func (r *refusals) tries() { r.tried++ }

// all says every part asked for was refused: the account shows nothing.
func (r *refusals) all() bool { return r.tried > 0 && len(r.seen) >= r.tried }

func (r *refusals) String() string { return strings.Join(r.notes, "; ") }
