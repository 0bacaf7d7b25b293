package telegram

import "encoding/json"

// The Bot API objects parley reads, with Telegram's field names (Bot API
// 7+). Everything else in an update is ignored.

// envelope is every Bot API answer: {"ok":true,"result":…} or
// {"ok":false,"error_code":…,"description":…,"parameters":{…}}.
type envelope struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  *respParams     `json:"parameters"`
}

// respParams is ResponseParameters: why to wait, or where a group went.
type respParams struct {
	RetryAfter      int   `json:"retry_after"`
	MigrateToChatID int64 `json:"migrate_to_chat_id"`
}

type update struct {
	UpdateID      int64    `json:"update_id"`
	Message       *message `json:"message"`
	EditedMessage *message `json:"edited_message"`
}

type user struct {
	ID        int64  `json:"id"`
	IsBot     bool   `json:"is_bot"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Username  string `json:"username"`
	// getMe only: false while privacy mode is on.
	CanReadAllGroupMessages bool `json:"can_read_all_group_messages"`
}

type chat struct {
	ID        int64  `json:"id"`
	Type      string `json:"type"` // private, group, supergroup, channel
	Title     string `json:"title"`
	Username  string `json:"username"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	IsForum   bool   `json:"is_forum"`
}

type message struct {
	MessageID          int64          `json:"message_id"`
	MessageThreadID    int64          `json:"message_thread_id"`
	From               *user          `json:"from"`
	SenderChat         *chat          `json:"sender_chat"`
	Date               int64          `json:"date"`
	Chat               chat           `json:"chat"`
	ForwardOrigin      *forwardOrigin `json:"forward_origin"`
	IsTopicMessage     bool           `json:"is_topic_message"`
	IsAutomaticForward bool           `json:"is_automatic_forward"`
	ReplyToMessage     *message       `json:"reply_to_message"`
	EditDate           int64          `json:"edit_date"`
	Text               string         `json:"text"`
	Caption            string         `json:"caption"`
	Photo              []photoSize    `json:"photo"`
	Video              *media         `json:"video"`
	Animation          *media         `json:"animation"`
	Audio              *media         `json:"audio"`
	Voice              *media         `json:"voice"`
	VideoNote          *media         `json:"video_note"`
	Document           *media         `json:"document"`
	Sticker            *sticker       `json:"sticker"`
	Poll               *poll          `json:"poll"`
	Location           *struct {
		Latitude  float64 `json:"latitude"`
		Longitude float64 `json:"longitude"`
	} `json:"location"`
	Contact *struct {
		PhoneNumber string `json:"phone_number"`
		FirstName   string `json:"first_name"`
		LastName    string `json:"last_name"`
	} `json:"contact"`
	ForumTopicCreated *struct {
		Name string `json:"name"`
	} `json:"forum_topic_created"`
}

// forwardOrigin is MessageOrigin: who first wrote a forwarded message.
type forwardOrigin struct {
	Type            string `json:"type"` // user, hidden_user, chat, channel
	SenderUser      *user  `json:"sender_user"`
	SenderUserName  string `json:"sender_user_name"`
	SenderChat      *chat  `json:"sender_chat"`
	Chat            *chat  `json:"chat"`
	MessageID       int64  `json:"message_id"`
	AuthorSignature string `json:"author_signature"`
}

type photoSize struct {
	Width  int `json:"width"`
	Height int `json:"height"`
}

// media is Video, Animation, Audio, Voice, VideoNote or Document: parley
// keeps what describes it, never the file (its URL would carry the token).
type media struct {
	Width    int    `json:"width"`
	Height   int    `json:"height"`
	Length   int    `json:"length"` // video notes are square
	Duration int    `json:"duration"`
	FileName string `json:"file_name"`
	Title    string `json:"title"`
}

type sticker struct {
	Width  int    `json:"width"`
	Height int    `json:"height"`
	Emoji  string `json:"emoji"`
}

type poll struct {
	Question string `json:"question"`
	Options  []struct {
		Text       string `json:"text"`
		VoterCount int    `json:"voter_count"`
	} `json:"options"`
	TotalVoterCount       int   `json:"total_voter_count"`
	IsClosed              bool  `json:"is_closed"`
	AllowsMultipleAnswers bool  `json:"allows_multiple_answers"`
	CloseDate             int64 `json:"close_date"`
}

// webhookInfo is getWebhookInfo's answer: a set URL blocks getUpdates.
type webhookInfo struct {
	URL                string `json:"url"`
	PendingUpdateCount int    `json:"pending_update_count"`
}
