// Package inbox is parley's domain: accounts, conversations, messages, the
// outbox and the event journal, and the Service the TUI and the sync engine
// use. It has no terminal or network code; the store lives in inbox/sqlite.
package inbox

import (
	"strings"
	"time"
)

// Kind says what a conversation is on its network.
type Kind string

// Conversation kinds.
const (
	KindComment Kind = "comment"
	KindDM      Kind = "dm"
	KindMention Kind = "mention"
	KindReview  Kind = "review"
)

// State is where a conversation stands in triage.
type State string

// Triage states.
const (
	StateOpen    State = "open"
	StateDone    State = "done"
	StateSnoozed State = "snoozed"
)

// NegSource says who decided that a conversation is negative. A manual mark
// always wins over auto and rule.
type NegSource string

// Negativity sources.
const (
	NegNone   NegSource = ""
	NegAuto   NegSource = "auto"
	NegRule   NegSource = "rule"
	NegManual NegSource = "manual"
)

// Direction of a message: from the customer (in) or from the brand (out).
type Direction string

// Message directions.
const (
	In  Direction = "in"
	Out Direction = "out"
)

// Delivery is the state of an outbound action in the outbox.
type Delivery string

// Delivery states: queued → sending → sent | failed.
const (
	DeliveryNone    Delivery = ""
	DeliveryQueued  Delivery = "queued"
	DeliverySending Delivery = "sending"
	DeliverySent    Delivery = "sent"
	DeliveryFailed  Delivery = "failed"
)

// AccountStatus is the sync health of an account.
type AccountStatus string

// Account statuses.
const (
	AccountOK          AccountStatus = "ok"
	AccountSyncing     AccountStatus = "syncing"
	AccountError       AccountStatus = "error"
	AccountNeedsReauth AccountStatus = "needs_reauth"
	// AccountWaiting: holding back for the network's rate limit; the
	// account's LastError says for how long.
	AccountWaiting AccountStatus = "waiting"
)

// Account is one connected identity on one network.
type Account struct {
	ID        int64
	Network   string // registry name, e.g. "demo-facebook", "mastodon"
	Label     string // what the manager calls it
	Status    AccountStatus
	LastSync  time.Time
	LastError string
	Cursor    string // opaque to everything but the connector
	Notice    string // a standing note that is not an error
	// How the account receives messages right now, from the running sync
	// engine (never stored; zero without one): Live while a stream is
	// connected, else polled every PollEvery; LastEvent is when the stream
	// last delivered.
	Live      bool
	PollEvery time.Duration
	LastEvent time.Time
}

// Author is the person behind a message.
type Author struct {
	ID     string
	Handle string
	Name   string
	URL    string
}

// Display is the best human name for the author.
func (a Author) Display() string {
	switch {
	case a.Name != "":
		return a.Name
	case a.Handle != "":
		return a.Handle
	}
	return a.ID
}

// Conversation is the unit of triage. The list shows Summaries of it.
type Conversation struct {
	ID         int64
	AccountID  int64
	Network    string
	ExternalID string
	Kind       Kind
	PostID     string // external id of the post it belongs to, if any

	State       State
	SnoozeUntil time.Time
	DoneAt      time.Time

	Negative   bool
	NegSource  NegSource
	NegScore   float64
	NegReasons []string // what made it negative automatically

	Tags []string

	EscDest string
	EscNote string
	EscAt   time.Time

	Assignee string // the manager who owns it; "" nobody

	Author  Author // the customer
	Preview string // first line of the latest inbound message
	Rating  int    // reviews: 1..5, else 0

	FirstInAt    time.Time
	LastInAt     time.Time
	LastOutAt    time.Time
	WaitSince    time.Time // when the customer started waiting (unanswered inbound)
	DueAt        time.Time // first reply due (SLA or platform window); zero if none
	NeedsReply   bool
	LastActivity time.Time
	Messages     int
	Failed       int // outbound messages whose delivery failed
	Queued       int // outbound messages not yet sent

	Key int64 // sort key in the view it was listed from (keyset paging)
}

// Escalated reports whether the conversation has been escalated.
func (c Conversation) Escalated() bool { return c.EscDest != "" }

// Message is one comment, reply, DM, mention or review.
type Message struct {
	ID             int64
	ConversationID int64
	AccountID      int64
	ExternalID     string
	ParentID       string // external id of the message it answers
	Direction      Direction
	Author         Author
	Text           string
	Rating         int
	CreatedAt      time.Time
	Permalink      string
	Delivery       Delivery
	Error          string
	OutboxID       int64
	// HoldUntil is when a queued reply may first be sent: until then undo
	// takes it back (zero: not held).
	HoldUntil time.Time

	// EditedAt is when the author last changed the message on the
	// network (zero: never edited); PreviousText is the text before that
	// edit.
	EditedAt     time.Time
	PreviousText string
	// DeletedAt is when the network told us the message was deleted (zero:
	// it was not). The text stays here: the manager may still need it.
	DeletedAt   time.Time
	Attachments []Attachment
	Poll        *Poll

	// Negativity, scored at ingest for inbound messages.
	Sentiment      string // negative, neutral, positive; "" if not scored
	SentimentScore float64
	Lang           string
	Reasons        []string
}

// Deleted reports whether the message is gone from its network.
func (m Message) Deleted() bool { return !m.DeletedAt.IsZero() }

// Edited reports whether the author changed the message after posting it.
func (m Message) Edited() bool { return !m.EditedAt.IsZero() }

// AttachmentKind says what an attachment is.
type AttachmentKind string

// Attachment kinds, as the networks name them (Mastodon's media types plus
// stickers and link cards).
const (
	AttachImage   AttachmentKind = "image"
	AttachVideo   AttachmentKind = "video"
	AttachGIFV    AttachmentKind = "gifv"
	AttachAudio   AttachmentKind = "audio"
	AttachFile    AttachmentKind = "file"
	AttachSticker AttachmentKind = "sticker"
	AttachLink    AttachmentKind = "link"
)

// Attachment is a picture, video, sound, file, sticker or link card on a
// message. URLs are remote text: shown, and made links only once checked.
type Attachment struct {
	Kind        AttachmentKind `json:"kind"`
	URL         string         `json:"url,omitempty"`
	PreviewURL  string         `json:"preview_url,omitempty"`
	Description string         `json:"description,omitempty"` // alt text, or a link card's title
	Width       int            `json:"width,omitempty"`
	Height      int            `json:"height,omitempty"`
}

// Poll is a poll attached to a message.
type Poll struct {
	Options   []PollOption `json:"options"`
	ExpiresAt time.Time    `json:"expires_at,omitzero"` // zero: open-ended
	Closed    bool         `json:"closed,omitempty"`
	Multiple  bool         `json:"multiple,omitempty"`
	Voters    int          `json:"voters,omitempty"`
	// CountsHidden: the network hides the counts until the poll ends.
	CountsHidden bool `json:"counts_hidden,omitempty"`
}

// PollOption is one answer of a poll and its votes.
type PollOption struct {
	Title string `json:"title"`
	Votes int    `json:"votes"`
}

// Post is the brand's post a comment thread hangs under: the context.
type Post struct {
	ExternalID string
	Author     Author
	Text       string
	Permalink  string
	CreatedAt  time.Time
}

// Thread is a conversation opened for reading: its context and messages.
type Thread struct {
	Conversation Conversation
	Account      Account
	Post         *Post
	Messages     []Message
	Actions      []OutboxEntry // moderation actions asked for, with their delivery state
	Drafts       []Draft       // every manager's unsent text, newest first
	Notes        []Note        // the team's internal notes, oldest first
	// OutSeq counts the outbound messages ever stored here (queued or
	// synced); a reply's send-time check compares against it.
	OutSeq int64
	// WindowCloses is when the platform stops accepting a private reply
	// (zero: no window on this network or conversation).
	WindowCloses time.Time
}

// ActionKind names what an outbox entry asks a network to do.
type ActionKind string

// Outbox actions.
const (
	ActionReply   ActionKind = "reply"
	ActionDismiss ActionKind = "dismiss" // dismiss the network's notification
	ActionMute    ActionKind = "mute"    // mute the author
	ActionBlock   ActionKind = "block"   // block the author
	ActionReport  ActionKind = "report"  // report the message to the network's moderators
	ActionHide    ActionKind = "hide"    // hide a public comment
	ActionUnhide  ActionKind = "unhide"  // show a hidden comment again
	ActionDelete  ActionKind = "delete"  // delete a public comment
	// ActionPrivateReply answers a public comment privately (Facebook:
	// once per comment, within 7 days); the note is the message.
	ActionPrivateReply ActionKind = "private_reply"
)

// escalatePrefix marks outbox entries that deliver an escalation to a
// destination (webhook, email, command) rather than act on a network.
const escalatePrefix = "escalate:"

// retractPrefix marks outbox entries that tell a destination an escalation
// it received was withdrawn (the escalation was undone).
const retractPrefix = "retract:"

// EscalateTo is the outbox action that delivers an escalation to dest.
func EscalateTo(dest string) ActionKind { return ActionKind(escalatePrefix + dest) }

// RetractFrom is the outbox action that withdraws an escalation from dest.
func RetractFrom(dest string) ActionKind { return ActionKind(retractPrefix + dest) }

// Retraction returns the destination of a retraction, if it is one.
func (a ActionKind) Retraction() (string, bool) {
	if strings.HasPrefix(string(a), retractPrefix) {
		return strings.TrimPrefix(string(a), retractPrefix), true
	}
	return "", false
}

// Destination returns the destination of an escalation delivery, if it is one.
func (a ActionKind) Destination() (string, bool) {
	if strings.HasPrefix(string(a), escalatePrefix) {
		return strings.TrimPrefix(string(a), escalatePrefix), true
	}
	return "", false
}

// OutboxEntry is an action waiting to be performed on a network.
type OutboxEntry struct {
	ID             int64
	ConversationID int64
	AccountID      int64
	MessageID      int64 // the local outbound message it delivers, if any
	Action         ActionKind
	Body           string
	ConvExternalID string
	TargetID       string // external id of the message answered
	IdempotencyKey string
	Status         Delivery
	Attempts       int
	NextAttemptAt  time.Time
	LastError      string
	CreatedAt      time.Time
}

// Triage is the part of a conversation that manager actions change; the
// event journal stores it before and after each action so undo can restore it.
type Triage struct {
	State       State     `json:"state"`
	SnoozeUntil int64     `json:"snooze_until,omitempty"` // unix ms
	Negative    bool      `json:"negative"`
	NegSource   NegSource `json:"neg_source,omitempty"`
	Tags        []string  `json:"tags,omitempty"`
	EscDest     string    `json:"esc_dest,omitempty"`
	EscNote     string    `json:"esc_note,omitempty"`
	EscAt       int64     `json:"esc_at,omitempty"`
	Assignee    string    `json:"assignee,omitempty"`
	// Spam closes a conversation and keeps it closed when its author writes
	// again; it shows in the Spam view only.
	Spam bool `json:"spam,omitempty"`
}

// Event is one entry of the append-only journal.
type Event struct {
	ID             int64
	Group          int64 // events of one user action (bulk) share a group
	At             time.Time
	Actor          string
	ConversationID int64
	Action         string
	Before, After  Triage
	Undone         bool
}

// Batch is what a connector returns from one fetch: items and the cursor
// that follows them. The store commits both in one transaction.
type Batch struct {
	Posts  []Post
	Items  []Inbound
	Cursor string
	More   bool // another page is ready now
	// Notice, when set, replaces the account's standing note (e.g. that
	// the network no longer offers reviews); ClearNotice removes it when
	// what it warned of is resolved.
	Notice      string
	ClearNotice bool
	// Deletions are messages the network says were deleted, by id alone
	// (Mastodon's delete event carries nothing else). A deletion of a
	// message never stored is ignored.
	Deletions []Deletion
}

// Deletion says that a stored message is gone from its network, or, with
// Restored, that it is back (VK restores deleted comments).
type Deletion struct {
	ExternalID string
	At         time.Time
	Restored   bool
}

// Inbound is one fetched message and the conversation it belongs to.
type Inbound struct {
	ConversationID string // external id of the conversation
	Kind           Kind
	PostID         string
	Message        Message
	// ExistingOnly files the message only into a conversation already
	// stored, and drops it otherwise: the brand's own posts from other apps
	// belong in the inbox only where they answer someone there.
	ExistingOnly bool
}

// IngestResult says what a stored batch changed.
type IngestResult struct {
	Conversations []int64 // touched
	NewInbound    []int64 // message ids of inbound messages stored for the first time
	// ForAssignee are the conversations with a new inbound message that a
	// manager owns, so that manager's sessions can say so first.
	ForAssignee []AssignedArrival
}

// AssignedArrival is a customer writing again on a conversation a manager
// owns.
type AssignedArrival struct {
	ConversationID int64
	Assignee       string
	From           string // the customer, as the list names them
	Network        string
}

// Arrival is an inbound message with what rules look at.
type Arrival struct {
	Message      Message
	Conversation Conversation
	AccountLabel string
}
