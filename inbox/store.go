package inbox

import (
	"context"
	"time"
)

// DuePolicy gives the deadline for the first reply to a customer waiting
// since waitSince (zero time: no deadline). Platform reply windows apply to
// private conversations (dm) only.
type DuePolicy func(accountID int64, waitSince, lastIn time.Time, negative, dm bool) time.Time

// Store is the persistence the Service needs. inbox/sqlite implements it.
// Every write that changes triage state also appends to the event journal in
// the same transaction.
type Store interface {
	Close() error
	// SetDuePolicy sets how reply deadlines are computed (nil: none).
	SetDuePolicy(DuePolicy)

	UpsertAccount(ctx context.Context, a Account) (Account, error)
	Accounts(ctx context.Context) ([]Account, error)
	SetAccountStatus(ctx context.Context, id int64, st AccountStatus, lastErr string, synced time.Time) error

	// Ingest stores a fetched batch and the account's new cursor atomically.
	Ingest(ctx context.Context, accountID int64, b Batch, now time.Time) (IngestResult, error)
	// Arrivals loads inbound messages with their conversations, by message
	// id, or (ids nil) every inbound message since a time, for rules.
	Arrivals(ctx context.Context, ids []int64, since time.Time) ([]Arrival, error)

	List(ctx context.Context, p Page) ([]Conversation, error)
	Counts(ctx context.Context, network string) (Counts, error)
	// Place says where each conversation sits now: its network and its
	// sort key in every view that holds it; unknown ids get no keys.
	Place(ctx context.Context, ids []int64) ([]Placement, error)
	Conversation(ctx context.Context, id int64) (Conversation, error)
	Thread(ctx context.Context, id int64) (Thread, error)
	// FilterCorpus returns up to limit rows of a view; manager is who asks
	// (the team views depend on it).
	FilterCorpus(ctx context.Context, v View, network, manager string, limit int) ([]Conversation, error)
	// AddNote stores an internal note with its mentions and journals it.
	AddNote(ctx context.Context, n Note) (Note, error)
	// Profile loads a customer's history: the person on one account and
	// every identity linked to them, with link suggestions.
	Profile(ctx context.Context, accountID int64, author Author, limit int) (Profile, error)
	// Link joins two identities into one customer and Unlink takes one out,
	// each journalled (on conversationID) as an undoable group.
	Link(ctx context.Context, actor string, conversationID int64, a, b IdentityRef, now time.Time) error
	Unlink(ctx context.Context, actor string, conversationID int64, id IdentityRef, now time.Time) error
	// TeamCounts sizes the team views (Mine as manager sees it).
	TeamCounts(ctx context.Context, manager, network string) (Counts, error)
	Search(ctx context.Context, query string, limit int) ([]Conversation, error)
	// SearchCount counts the conversations a search matches, exactly when
	// no more than limit messages (and notes) match.
	SearchCount(ctx context.Context, query string, limit int) (n int, exact bool, err error)
	// Position counts the rows of p's view (network, manager) before at.
	Position(ctx context.Context, p Page, at Cursor) (int, error)
	Tags(ctx context.Context) ([]string, error)

	// Apply runs a triage change on each conversation as one journal group.
	Apply(ctx context.Context, actor, action string, ids []int64, now time.Time, change func(*Triage)) error
	// Undo reverts the actor's last action group: triage changes, a send
	// still within its hold (cancelled, its text back as the actor's draft),
	// a discarded draft (restored), an escalation (withdrawn: a queued
	// delivery is cancelled, a delivered one gets a retraction queued).
	Undo(ctx context.Context, actor string, now time.Time) (Undone, error)
	// AddExample keeps a manual negative/not-negative mark as a labelled
	// example (the conversation's latest inbound text).
	AddExample(ctx context.Context, conversationID int64, negative bool, actor string, now time.Time) error
	WakeSnoozed(ctx context.Context, now time.Time) ([]int64, error)
	// Breached lists the latest inbound message of each open conversation
	// whose reply deadline has passed unanswered.
	Breached(ctx context.Context, now time.Time) ([]int64, error)
	Journal(ctx context.Context, conversationID int64) ([]Event, error)

	// StatRows lists conversations started since a time, for the report,
	// and the inbound volume per local day.
	StatRows(ctx context.Context, since time.Time) ([]StatRow, []DayStats, error)
	InboundByNetwork(ctx context.Context, since time.Time) (map[string]int, error)

	// SaveDraft keeps owner's draft; an empty body removes it.
	SaveDraft(ctx context.Context, conversationID int64, owner, body string, now time.Time) error
	// DiscardDraft removes owner's draft as an undoable journal entry.
	DiscardDraft(ctx context.Context, conversationID int64, owner string, now time.Time) error
	// Reply claims the conversation for the reply in one transaction: it
	// stops with a *ReplyConflict when anyone replied after r.Seen (unless
	// r.Force), else stores the outbound message and its outbox entry, due
	// after hold, clears the actor's draft and journals the send.
	Reply(ctx context.Context, r ReplyRequest, markDone bool, hold time.Duration, now time.Time) (OutboxEntry, error)
	// QueueAction puts a moderation action (mute, block, report, dismiss)
	// on the latest inbound message in the outbox and journals who asked.
	QueueAction(ctx context.Context, actor string, conversationID int64, action ActionKind, note string, now time.Time) (OutboxEntry, error)
	ClaimOutbox(ctx context.Context, now time.Time, limit int) ([]OutboxEntry, error)
	CompleteOutbox(ctx context.Context, id int64, externalID, permalink string, now time.Time) (int64, error)
	FailOutbox(ctx context.Context, id int64, errText string, retryAt time.Time, now time.Time) (int64, error)
	RetryOutbox(ctx context.Context, id int64, now time.Time) (int64, error)
	RequeueStale(ctx context.Context, now time.Time) error
}
