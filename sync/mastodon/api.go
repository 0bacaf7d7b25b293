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
	ID                 string     `json:"id"`
	URI                string     `json:"uri"`
	URL                string     `json:"url"`
	CreatedAt          time.Time  `json:"created_at"`
	EditedAt           *time.Time `json:"edited_at"`
	Account            account    `json:"account"`
	Content            string     `json:"content"`
	SpoilerText        string     `json:"spoiler_text"`
	Visibility         string     `json:"visibility"`
	InReplyToID        *string    `json:"in_reply_to_id"`
	InReplyToAccountID *string    `json:"in_reply_to_account_id"`
	Mentions           []mention  `json:"mentions"`
	Language           *string    `json:"language"`
	Sensitive          bool       `json:"sensitive"`
	MediaAttachments   []media    `json:"media_attachments"`
	Poll               *poll      `json:"poll"`
	Card               *card      `json:"card"`
	// Reblog is set on a boost; the home stream carries boosts, the
	// inbox does not.
	Reblog *struct {
		ID string `json:"id"`
	} `json:"reblog"`
}

// media is a MediaAttachment: type is image, gifv, video, audio or unknown.
type media struct {
	ID          string  `json:"id"`
	Type        string  `json:"type"`
	URL         string  `json:"url"`
	PreviewURL  *string `json:"preview_url"`
	RemoteURL   *string `json:"remote_url"`
	Description *string `json:"description"`
	Meta        struct {
		Original *struct {
			Width  int `json:"width"`
			Height int `json:"height"`
		} `json:"original"`
	} `json:"meta"`
}

type poll struct {
	ID          string     `json:"id"`
	ExpiresAt   *time.Time `json:"expires_at"`
	Expired     bool       `json:"expired"`
	Multiple    bool       `json:"multiple"`
	VotesCount  int        `json:"votes_count"`
	VotersCount *int       `json:"voters_count"`
	Options     []struct {
		Title      string `json:"title"`
		VotesCount *int   `json:"votes_count"` // null while the counts are hidden
	} `json:"options"`
}

// card is a link preview.
type card struct {
	URL    string  `json:"url"`
	Title  string  `json:"title"`
	Type   string  `json:"type"`
	Width  int     `json:"width"`
	Height int     `json:"height"`
	Image  *string `json:"image"`
}

// statusEdit is one version in GET /api/v1/statuses/:id/history, oldest
// first; the last is the current one.
type statusEdit struct {
	Content     string    `json:"content"`
	SpoilerText string    `json:"spoiler_text"`
	CreatedAt   time.Time `json:"created_at"`
}

// instance is what GET /api/v1/instance says about streaming and status
// length. The v1 entity names the streaming host urls.streaming_api; v2
// has configuration.urls.streaming (read too, for servers that mix them).
// Pleroma and Akkoma state the length as max_toot_chars.
type instance struct {
	URLs struct {
		StreamingAPI string `json:"streaming_api"`
	} `json:"urls"`
	Configuration struct {
		URLs struct {
			Streaming string `json:"streaming"`
		} `json:"urls"`
		Statuses struct {
			MaxCharacters            int `json:"max_characters"`
			CharactersReservedPerURL int `json:"characters_reserved_per_url"`
		} `json:"statuses"`
	} `json:"configuration"`
	MaxTootChars int `json:"max_toot_chars"`
}

// conversation is a direct conversation as the direct stream sends it.
type conversation struct {
	ID         string    `json:"id"`
	Accounts   []account `json:"accounts"`
	LastStatus *status   `json:"last_status"`
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
