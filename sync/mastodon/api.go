package mastodon

import "time"

// The Mastodon client API entities parley reads (see the reference, §7).
// IDs are strings: numeric but larger than JSON numbers are safe for.

type account struct {
	ID          string `json:"id"`
	Username    string `json:"username"`
	Acct        string `json:"acct"`
	DisplayName string `json:"display_name"`
	URL         string `json:"url"`
}

type mention struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	Acct     string `json:"acct"`
	URL      string `json:"url"`
}

type status struct {
	ID                 string    `json:"id"`
	URI                string    `json:"uri"`
	URL                string    `json:"url"`
	CreatedAt          time.Time `json:"created_at"`
	EditedAt           *string   `json:"edited_at"`
	Account            account   `json:"account"`
	Content            string    `json:"content"`
	SpoilerText        string    `json:"spoiler_text"`
	Visibility         string    `json:"visibility"`
	InReplyToID        *string   `json:"in_reply_to_id"`
	InReplyToAccountID *string   `json:"in_reply_to_account_id"`
	Mentions           []mention `json:"mentions"`
	Language           *string   `json:"language"`
}

func (s status) replyTo() string {
	if s.InReplyToID == nil {
		return ""
	}
	return *s.InReplyToID
}

func (s status) replyToAccount() string {
	if s.InReplyToAccountID == nil {
		return ""
	}
	return *s.InReplyToAccountID
}

type notification struct {
	ID        string    `json:"id"`
	Type      string    `json:"type"`
	CreatedAt time.Time `json:"created_at"`
	Account   account   `json:"account"`
	Status    *status   `json:"status"`
}

type threadContext struct {
	Ancestors   []status `json:"ancestors"`
	Descendants []status `json:"descendants"`
}

type app struct {
	ID           string `json:"id"`
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
}

type token struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	Scope       string `json:"scope"`
}

// idLess orders Mastodon ids: numeric strings of any length.
func idLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}
