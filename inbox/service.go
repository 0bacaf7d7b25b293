package inbox

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/parleyhq/parley/inbox/negativity"
	"github.com/parleyhq/parley/inbox/rules"
	"github.com/parleyhq/parley/inbox/sanitize"
	"github.com/parleyhq/parley/inbox/sla"
)

// Options tune the Service.
type Options struct {
	// ReplyMarksDone marks a conversation done when a reply is queued,
	// like reaching inbox zero in the web suites. Default true.
	ReplyMarksDone bool
	// Now is the clock; tests set it.
	Now func() time.Time
	// Detector scores inbound messages at ingest; nil: no automatic scoring.
	Detector *negativity.Detector
	// Rules gives the current triage rules (re-read when the file changes).
	Rules func() (*rules.Set, error)
	// Deliverable says whether an escalation destination has a delivery
	// (webhook, email, command) configured.
	Deliverable func(dest string) bool
	// SLA sets first-reply targets; nil: only platform reply windows count.
	SLA *sla.Policy
	// SendHold keeps a reply in the outbox this long before it may be
	// sent, so the manager can take it back with undo. 0: no hold.
	SendHold time.Duration
}

// Service is the use-case layer the TUI, the SSH server and the sync engine
// share. It owns the store, sanitises everything that comes from a network
// before it is stored, and tells subscribers when anything changes.
type Service struct {
	store      Store
	opts       Options
	hub        hub
	counts     countsCache // shared by every session; see counts_cache.go
	shown      shownStatus // the sync state each account last announced
	presence   presence
	moderation func(accountID int64) []ActionKind
	windows    func(accountID int64) time.Duration
	limits     func(accountID int64, kind Kind) TextLimit
	feeds      func(a *Account)
}

// NewService wraps a store.
func NewService(st Store, opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Service{store: st, opts: opts}
	if st != nil {
		st.SetDuePolicy(s.due)
		// Marks stored before this start are learned again; a failure
		// shows again, with its cause, at the next mark.
		_ = s.LearnFromMarks(context.Background())
	}
	return s
}

// due is the first-reply deadline: the SLA target counted from when the
// customer started waiting, or the platform's reply window counted from
// their last message, whichever closes first.
func (s *Service) due(acc int64, waitSince, lastIn time.Time, negative, dm bool) time.Time {
	var window time.Time
	if s.windows != nil && dm {
		if w := s.windows(acc); w > 0 && !lastIn.IsZero() {
			window = lastIn.Add(w)
		}
	}
	if s.opts.SLA == nil {
		return window
	}
	return s.opts.SLA.Due(waitSince, negative, window)
}

// SetReplyWindows tells the service each account's platform reply window.
func (s *Service) SetReplyWindows(f func(accountID int64) time.Duration) { s.windows = f }

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.opts.Now() }

// Close closes the store.
func (s *Service) Close() error { return s.store.Close() }

// Subscribe returns a channel that receives a Change after every write. It
// is closed to new changes when ctx ends.
func (s *Service) Subscribe(ctx context.Context) <-chan Change { return s.hub.subscribe(ctx) }

// changed tells subscribers which conversations a write changed and where
// they now sit: one lookup per change, however many sessions listen.
func (s *Service) changed(ids []int64) { s.publishData(s.change(ids)) }

// publishData announces a write to stored conversations. Every such
// announcement goes through here, so the shared counts are never older
// than a change a session has heard.
func (s *Service) publishData(c Change) {
	s.counts.changed()
	s.hub.publish(c)
}

// change is the Change that tells of a write to ids.
func (s *Service) change(ids []int64) Change {
	c := Change{Data: true, Conversations: ids}
	switch p, err := s.place(ids); {
	case len(ids) == 0 || len(ids) > maxPlaced:
		c.All, c.Conversations = true, nil
	case err != nil:
		c.All = true
	default:
		c.Placed = p
	}
	return c
}

func (s *Service) place(ids []int64) ([]Placement, error) {
	if s.store == nil || len(ids) == 0 || len(ids) > maxPlaced {
		return nil, ErrInvalid
	}
	return s.store.Place(context.Background(), ids)
}

// AddAccount registers (or updates) an account by network and label.
func (s *Service) AddAccount(ctx context.Context, a Account) (Account, error) {
	if a.Status == "" {
		a.Status = AccountOK
	}
	acc, err := s.store.UpsertAccount(ctx, a)
	if err == nil {
		s.hub.publish(Change{Accounts: true})
	}
	return acc, err
}

// Accounts lists accounts with their sync state, and how each receives
// messages right now where a sync engine runs.
func (s *Service) Accounts(ctx context.Context) ([]Account, error) {
	accs, err := s.store.Accounts(ctx)
	if s.feeds != nil {
		for i := range accs {
			s.feeds(&accs[i])
		}
	}
	return accs, err
}

// SetFeeds tells the service how to learn an account's feed (live or
// polled, the last event) from the sync engine.
func (s *Service) SetFeeds(f func(a *Account)) { s.feeds = f }

// FeedChanged tells subscribers that an account went live or back to
// polling (the status bar shows which).
func (s *Service) FeedChanged() { s.hub.publish(Change{Accounts: true}) }

// SetAccountStatus records sync health for the status bar.
func (s *Service) SetAccountStatus(ctx context.Context, id int64, st AccountStatus, lastErr string) error {
	var synced time.Time
	if st == AccountOK {
		synced = s.Now()
	}
	if s.shown.routinePoll(id, st) {
		return nil
	}
	lastErr = sanitize.Line(lastErr)
	err := s.store.SetAccountStatus(ctx, id, st, lastErr, synced)
	if err == nil && s.shown.announce(id, st, lastErr) {
		s.hub.publish(Change{Accounts: true})
	}
	return err
}

// Ingest sanitises and stores a fetched batch with its cursor.
func (s *Service) Ingest(ctx context.Context, accountID int64, b Batch) error {
	CleanBatch(&b)
	b.Notice = sanitize.Line(b.Notice)
	s.score(&b)
	res, err := s.store.Ingest(ctx, accountID, b, s.Now())
	if err != nil {
		return err
	}
	// The batch and what the rules did to it are one announcement, made
	// once the rules have run: sessions refresh once, see each
	// conversation where the rules put it, and an assignee hears of a
	// message the rules just gave them. The rules' conversations are among
	// the batch's, and what they changed is stored even if a later rule
	// failed, so it is announced either way.
	assigned, rerr := s.runRules(ctx, res.NewInbound)
	if len(res.Conversations) > 0 {
		c := s.change(res.Conversations)
		c.ForAssignee = append(res.ForAssignee, assigned...)
		s.publishData(c)
	}
	return rerr
}

// score runs the negativity detector over inbound messages.
func (s *Service) score(b *Batch) {
	d := s.opts.Detector
	if d == nil {
		return
	}
	for i := range b.Items {
		m := &b.Items[i].Message
		if m.Direction == Out {
			continue
		}
		r := d.Classify(m.Text, m.Rating)
		m.Sentiment, m.SentimentScore, m.Lang, m.Reasons = string(r.Label), r.Score, r.Lang, r.Reasons
	}
}

// CleanBatch sanitises every piece of remote text in a batch in place.
func CleanBatch(b *Batch) {
	for i := range b.Posts {
		p := &b.Posts[i]
		p.Text = sanitize.Text(p.Text)
		p.Permalink = sanitize.Line(p.Permalink)
		cleanAuthor(&p.Author)
	}
	for i := range b.Items {
		m := &b.Items[i].Message
		m.Text = sanitize.Text(m.Text)
		m.Permalink = sanitize.Line(m.Permalink)
		cleanAuthor(&m.Author)
		cleanExtras(m)
	}
}

// cleanExtras sanitises what a message carries besides its text: the text
// an edit replaced, attachments and polls.
func cleanExtras(m *Message) {
	m.PreviousText = sanitize.Text(m.PreviousText)
	for i := range m.Attachments {
		a := &m.Attachments[i]
		a.Kind = AttachmentKind(NormalizeTag(string(a.Kind)))
		if a.Kind == "" {
			a.Kind = AttachFile
		}
		a.URL, a.PreviewURL = sanitize.Line(a.URL), sanitize.Line(a.PreviewURL)
		a.Description = sanitize.Text(a.Description)
		a.Width, a.Height = max(a.Width, 0), max(a.Height, 0)
	}
	if p := m.Poll; p != nil {
		for i := range p.Options {
			p.Options[i].Title = sanitize.Line(p.Options[i].Title)
			p.Options[i].Votes = max(p.Options[i].Votes, 0)
		}
		p.Voters = max(p.Voters, 0)
	}
}

func cleanAuthor(a *Author) {
	a.Name = sanitize.Line(a.Name)
	a.Handle = sanitize.Line(a.Handle)
	a.URL = sanitize.Line(a.URL)
}

// List returns a window of a view.
func (s *Service) List(ctx context.Context, p Page) ([]Conversation, error) {
	if p.Limit <= 0 {
		p.Limit = 50
	}
	if p.Manager == "" {
		p.Manager = ManagerOf(ctx)
	}
	return s.store.List(ctx, p)
}

// Counts returns the size of every view, the team views as the manager in
// ctx sees them.
func (s *Service) Counts(ctx context.Context, network string) (Counts, error) {
	c, err := s.counts.get(ctx, network, s.store.Counts)
	if err != nil {
		return c, err
	}
	return s.teamCounts(ctx, c, network)
}

// Open loads a conversation with its context, messages and draft, and
// when its platform's reply window closes.
func (s *Service) Open(ctx context.Context, id int64) (Thread, error) {
	th, err := s.store.Thread(ctx, id)
	if err == nil && s.windows != nil && th.Conversation.Kind == KindDM && !th.Conversation.LastInAt.IsZero() {
		if w := s.windows(th.Conversation.AccountID); w > 0 {
			th.WindowCloses = th.Conversation.LastInAt.Add(w)
		}
	}
	return th, err
}

// FilterCorpus returns up to limit rows of a view for in-memory filtering.
func (s *Service) FilterCorpus(ctx context.Context, v View, network string, limit int) ([]Conversation, error) {
	return s.store.FilterCorpus(ctx, v, network, ManagerOf(ctx), limit)
}

// Search runs a full-text search over every message. Any input is safe: it is
// quoted before it reaches FTS5.
func (s *Service) Search(ctx context.Context, query string, limit int) ([]Conversation, error) {
	if strings.TrimSpace(query) == "" {
		return nil, nil
	}
	return s.store.Search(ctx, query, limit)
}

// SearchCount counts the conversations a search matches; past limit
// matching messages it gives a lower bound (exact false).
func (s *Service) SearchCount(ctx context.Context, query string, limit int) (int, bool, error) {
	if strings.TrimSpace(query) == "" {
		return 0, true, nil
	}
	return s.store.SearchCount(ctx, query, limit)
}

// Position is how many rows of the page's view sort before at.
func (s *Service) Position(ctx context.Context, p Page, at Cursor) (int, error) {
	if p.Manager == "" {
		p.Manager = ManagerOf(ctx)
	}
	return s.store.Position(ctx, p, at)
}

// Tags lists every tag in use, for the tag picker.
func (s *Service) Tags(ctx context.Context) ([]string, error) { return s.store.Tags(ctx) }

// Journal lists a conversation's triage history.
func (s *Service) Journal(ctx context.Context, id int64) ([]Event, error) {
	return s.store.Journal(ctx, id)
}

func (s *Service) apply(ctx context.Context, actor, action string, ids []int64, f func(*Triage)) error {
	if len(ids) == 0 {
		return fmt.Errorf("%s: no conversation selected: %w", action, ErrInvalid)
	}
	if err := s.store.Apply(ctx, actor, action, ids, s.Now(), f); err != nil {
		return err
	}
	s.changed(ids)
	return nil
}

// ToggleNegative flips the negative mark as a manual decision, which from
// then on wins over automatic and rule marks. With several conversations it
// marks all negative unless all already are.
func (s *Service) ToggleNegative(ctx context.Context, actor string, ids []int64) error {
	allNeg := true
	for _, id := range ids {
		c, err := s.store.Conversation(ctx, id)
		if err != nil {
			return err
		}
		allNeg = allNeg && c.Negative
	}
	return s.SetNegative(ctx, actor, ids, !allNeg)
}

// SetNegative marks conversations negative or not, manually.
func (s *Service) SetNegative(ctx context.Context, actor string, ids []int64, neg bool) error {
	action := "mark_negative"
	if !neg {
		action = "unmark_negative"
	}
	if err := s.apply(ctx, actor, action, ids, func(t *Triage) {
		t.Negative = neg
		t.NegSource = NegManual
	}); err != nil {
		return err
	}
	// The manager's call is a labelled example for tuning the detector.
	for _, id := range ids {
		if err := s.store.AddExample(ctx, id, neg, actor, s.Now()); err != nil {
			return err
		}
	}
	return s.LearnFromMarks(ctx)
}

// Done marks conversations done.
func (s *Service) Done(ctx context.Context, actor string, ids []int64) error {
	return s.apply(ctx, actor, "done", ids, func(t *Triage) {
		t.State = StateDone
		t.SnoozeUntil = 0
	})
}

// Reopen puts conversations back in the Inbox.
func (s *Service) Reopen(ctx context.Context, actor string, ids []int64) error {
	return s.apply(ctx, actor, "reopen", ids, func(t *Triage) {
		t.State = StateOpen
		t.SnoozeUntil = 0
	})
}

// Snooze hides conversations until a time, then they reopen.
func (s *Service) Snooze(ctx context.Context, actor string, ids []int64, until time.Time) error {
	if !until.After(s.Now()) {
		return fmt.Errorf("snooze: %s is not in the future: %w", until.Format(time.DateTime), ErrInvalid)
	}
	return s.apply(ctx, actor, "snooze", ids, func(t *Triage) {
		t.State = StateSnoozed
		t.SnoozeUntil = until.UnixMilli()
	})
}

// Tag adds a tag to conversations (or removes it from all of them when every
// one already carries it).
func (s *Service) Tag(ctx context.Context, actor string, ids []int64, tag string) error {
	tag = NormalizeTag(tag)
	if tag == "" {
		return fmt.Errorf("tag: empty tag name: %w", ErrInvalid)
	}
	all := true
	for _, id := range ids {
		c, err := s.store.Conversation(ctx, id)
		if err != nil {
			return err
		}
		all = all && slices.Contains(c.Tags, tag)
	}
	if all {
		return s.apply(ctx, actor, "untag", ids, func(t *Triage) {
			t.Tags = slices.DeleteFunc(t.Tags, func(x string) bool { return x == tag })
		})
	}
	return s.apply(ctx, actor, "tag", ids, func(t *Triage) {
		if !slices.Contains(t.Tags, tag) {
			t.Tags = append(t.Tags, tag)
			slices.Sort(t.Tags)
		}
	})
}

// NormalizeTag makes a tag name safe and canonical: lower case, no spaces
// or control characters, at most 40 characters.
func NormalizeTag(s string) string {
	s = strings.ToLower(strings.TrimSpace(sanitize.Line(s)))
	s = strings.Join(strings.Fields(s), "-")
	s = strings.TrimLeft(s, "#")
	if r := []rune(s); len(r) > 40 {
		s = string(r[:40])
	}
	return s
}

// Escalate hands conversations to a destination with a note. Destinations
// that reach people (webhook, email, command) get a delivery through the
// durable outbox; its state shows on the conversation.
func (s *Service) Escalate(ctx context.Context, actor string, ids []int64, dest, note string) error {
	dest = strings.TrimSpace(dest)
	if dest == "" {
		return fmt.Errorf("escalate: no destination: %w", ErrInvalid)
	}
	now := s.Now().UnixMilli()
	if err := s.apply(ctx, actor, "escalate", ids, func(t *Triage) {
		t.EscDest, t.EscNote, t.EscAt = dest, strings.TrimSpace(note), now
	}); err != nil {
		return err
	}
	queued, err := s.queueDeliveries(ctx, actor, ids, dest, note)
	if queued {
		s.changed(ids) // the delivery's state shows on the conversations
	}
	return err
}

// queueDeliveries puts an escalation's deliveries in the outbox, if the
// destination has any, and says whether it did; the caller announces.
func (s *Service) queueDeliveries(ctx context.Context, actor string, ids []int64, dest, note string) (bool, error) {
	if s.opts.Deliverable == nil || !s.opts.Deliverable(dest) {
		return false, nil
	}
	for i, id := range ids {
		if _, err := s.store.QueueAction(ctx, actor, id, EscalateTo(dest), strings.TrimSpace(note), s.Now()); err != nil {
			return i > 0, err
		}
	}
	return true, nil
}

// Undo reverts the actor's last action group (repeatable) and says what it
// did.
func (s *Service) Undo(ctx context.Context, actor string) (Undone, error) {
	u, err := s.store.Undo(ctx, actor, s.Now())
	switch {
	case err != nil:
	case isLinkAction(u.Action):
		s.customersChanged(u.Conversations)
	default:
		s.changed(u.Conversations)
	}
	return u, err
}

// WakeSnoozed reopens conversations whose snooze has run out.
func (s *Service) WakeSnoozed(ctx context.Context) error {
	ids, err := s.store.WakeSnoozed(ctx, s.Now())
	if err == nil && len(ids) > 0 {
		s.changed(ids)
	}
	return err
}

// RunMaintenance wakes snoozed conversations every interval until ctx ends.
func (s *Service) RunMaintenance(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		_ = s.WakeSnoozed(ctx)
		_ = s.CheckBreaches(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// SaveDraft stores what user has typed so far in their own draft.
func (s *Service) SaveDraft(ctx context.Context, user string, id int64, body string) error {
	err := s.store.SaveDraft(ctx, id, user, body, s.Now())
	if err == nil {
		s.changed([]int64{id})
	}
	return err
}

// DiscardDraft throws user's draft away; undo brings it back.
func (s *Service) DiscardDraft(ctx context.Context, user string, id int64) error {
	err := s.store.DiscardDraft(ctx, id, user, s.Now())
	if err == nil {
		s.changed([]int64{id})
	}
	return err
}

// Send queues a manager's reply after the send-time check: it stops with a
// *ReplyConflict when anyone else replied since the manager started writing,
// and refuses a reply the network would truncate or reject. The reply waits
// SendHold in the outbox, during which Undo takes it back.
func (s *Service) Send(ctx context.Context, r ReplyRequest) (OutboxEntry, error) {
	r.Body = strings.TrimRight(r.Body, " \t\n")
	if strings.TrimSpace(r.Body) == "" {
		return OutboxEntry{}, fmt.Errorf("reply: the reply is empty: %w", ErrInvalid)
	}
	// Read once for every check below; the send-time claim itself runs in
	// the store's transaction.
	th, err := s.store.Thread(ctx, r.Conversation)
	if err != nil {
		return OutboxEntry{}, err
	}
	c := th.Conversation
	if err := s.Limit(c.AccountID, c.Kind).CheckLength(c.Network, r.Body); err != nil {
		return OutboxEntry{}, fmt.Errorf("reply: %w", err)
	}
	if err := s.canReply(c); err != nil {
		return OutboxEntry{}, err
	}
	if err := targetExists(th); err != nil {
		return OutboxEntry{}, err
	}
	e, err := s.store.Reply(ctx, r, s.opts.ReplyMarksDone, s.opts.SendHold, s.Now())
	if err == nil {
		s.changed([]int64{r.Conversation})
	}
	return e, err
}

// Reply queues a reply with no send-time check, for automation and tests
// that have no moment when a person "started writing". People send through
// Send.
func (s *Service) Reply(ctx context.Context, actor string, id int64, body string) (OutboxEntry, error) {
	return s.Send(ctx, ReplyRequest{Actor: actor, Conversation: id, Body: body, Force: true})
}

// SetLimits tells the service each network's text limit per kind of
// conversation (the sync engine knows its connectors).
func (s *Service) SetLimits(f func(accountID int64, kind Kind) TextLimit) { s.limits = f }

// Limit is the longest reply an account's network accepts in a kind of
// conversation (zero: none stated).
func (s *Service) Limit(accountID int64, kind Kind) TextLimit {
	if s.limits == nil {
		return TextLimit{}
	}
	return s.limits(accountID, kind)
}

// HasSLA says whether first-reply targets are configured; without them only
// platform reply windows make a deadline.
func (s *Service) HasSLA() bool { return s.opts.SLA != nil }

// SendHold is how long a reply waits before it may be sent.
func (s *Service) SendHold() time.Duration { return s.opts.SendHold }

// Deliverable says whether escalations to dest reach anyone (a webhook,
// mail or command is configured) or are only recorded.
func (s *Service) Deliverable(dest string) bool {
	return s.opts.Deliverable != nil && s.opts.Deliverable(dest)
}

// Resolve ends the escalation of conversations: they leave the Escalated
// view (replying alone does not). Journalled and undoable.
func (s *Service) Resolve(ctx context.Context, actor string, ids []int64) error {
	return s.apply(ctx, actor, "resolve", ids, func(t *Triage) {
		t.EscDest, t.EscNote, t.EscAt = "", "", 0
	})
}

// ClaimOutbox takes due entries for delivery (status becomes sending).
func (s *Service) ClaimOutbox(ctx context.Context, limit int) ([]OutboxEntry, error) {
	es, err := s.store.ClaimOutbox(ctx, s.Now(), limit)
	if err == nil && len(es) > 0 {
		ids := make([]int64, len(es))
		for i, e := range es {
			ids[i] = e.ConversationID
		}
		s.changed(ids)
	}
	return es, err
}

// CompleteOutbox records a successful delivery.
func (s *Service) CompleteOutbox(ctx context.Context, id int64, externalID, permalink string) error {
	conv, err := s.store.CompleteOutbox(ctx, id, sanitize.Line(externalID), sanitize.Line(permalink), s.Now())
	if err == nil {
		s.changed([]int64{conv})
	}
	return err
}

// FailOutbox records a failed attempt; a zero retryAt makes it final.
func (s *Service) FailOutbox(ctx context.Context, id int64, cause error, retryAt time.Time) error {
	msg := "unknown error"
	if cause != nil {
		msg = sanitize.Line(cause.Error())
	}
	conv, err := s.store.FailOutbox(ctx, id, msg, retryAt, s.Now())
	if err == nil {
		s.changed([]int64{conv})
	}
	return err
}

// RetryOutbox puts a failed entry back in the queue now.
func (s *Service) RetryOutbox(ctx context.Context, id int64) error {
	conv, err := s.store.RetryOutbox(ctx, id, s.Now())
	if err == nil {
		s.changed([]int64{conv})
	}
	return err
}

// RecoverOutbox requeues entries left "sending" by a crash. Their
// idempotency keys keep a network from posting them twice.
func (s *Service) RecoverOutbox(ctx context.Context) error {
	return s.store.RequeueStale(ctx, s.Now())
}

// SetModeration tells the service which moderation actions each account's
// network allows (the sync engine knows its connectors).
func (s *Service) SetModeration(f func(accountID int64) []ActionKind) { s.moderation = f }

// Moderation lists the moderation actions an account's network allows.
func (s *Service) Moderation(accountID int64) []ActionKind {
	if s.moderation == nil {
		return nil
	}
	return s.moderation(accountID)
}

// Moderate queues a moderation action on a conversation's latest inbound
// message, if its network allows it.
func (s *Service) Moderate(ctx context.Context, actor string, id int64, action ActionKind, note string) error {
	c, err := s.store.Conversation(ctx, id)
	if err != nil {
		return err
	}
	if !slices.Contains(s.Moderation(c.AccountID), action) {
		return fmt.Errorf("%s is not available on %s: %w", action, c.Network, ErrInvalid)
	}
	if _, err := s.store.QueueAction(ctx, actor, id, action, strings.TrimSpace(note), s.Now()); err != nil {
		return err
	}
	s.changed([]int64{id})
	return nil
}

// RuleMessage is what rules see of an arrival.
func RuleMessage(a Arrival) rules.Message {
	return rules.Message{Network: a.Conversation.Network, Account: a.AccountLabel, Kind: string(a.Conversation.Kind),
		Language: a.Message.Lang, Negative: a.Conversation.Negative || a.Message.Sentiment == "negative",
		Rating: a.Message.Rating, Text: a.Message.Text, AuthorHandle: a.Message.Author.Handle,
		AuthorName: a.Message.Author.Name, At: a.Message.CreatedAt}
}

// runRules applies the rules to newly arrived messages, each message's
// actions as one journal group by the actor "rules" (undo: parley rules
// undo). It announces nothing: Ingest announces the batch with what the
// rules did, including the conversations they assigned (for the
// assignee's notice).
func (s *Service) runRules(ctx context.Context, ids []int64) ([]AssignedArrival, error) {
	if s.opts.Rules == nil || len(ids) == 0 {
		return nil, nil
	}
	set, err := s.opts.Rules()
	if err != nil || set == nil || len(set.Rules) == 0 {
		return nil, nil // a broken rules file is reported by parley rules check; keep ingesting
	}
	_, assigned, err := s.evaluate(ctx, set, ids, false)
	return assigned, err
}

// CheckBreaches runs the breached = true rules on conversations whose
// reply deadline has passed unanswered. Applying them again changes
// nothing, so running this every maintenance tick is safe.
func (s *Service) CheckBreaches(ctx context.Context) error {
	if s.opts.Rules == nil {
		return nil
	}
	set, err := s.opts.Rules()
	if err != nil || set == nil || len(set.Rules) == 0 {
		return nil
	}
	ids, err := s.store.Breached(ctx, s.Now())
	if err != nil || len(ids) == 0 {
		return err
	}
	// No new message here, so an assignment tells nobody at once: the
	// conversation shows in the assignee's Mine view.
	changed, _, err := s.evaluate(ctx, set, ids, true)
	if len(changed) > 0 {
		s.changed(changed)
	}
	return err
}

// evaluate applies the rules to the messages ids and says which
// conversations they changed, and which of those they assigned while a
// new message waits there (for the assignee's notice). breached: the
// messages are waiting past their deadline, not new.
func (s *Service) evaluate(ctx context.Context, set *rules.Set, ids []int64, breached bool) (changed []int64, assigned []AssignedArrival, err error) {
	arr, err := s.store.Arrivals(ctx, ids, time.Time{})
	if err != nil {
		return nil, nil, err
	}
	for _, a := range arr {
		m := RuleMessage(a)
		m.Breached = breached
		acts := set.Evaluate(m)
		if acts.Empty() {
			continue
		}
		to, err := s.applyRules(ctx, a.Conversation, acts)
		if err != nil {
			return changed, assigned, err
		}
		if !slices.Contains(changed, a.Conversation.ID) {
			changed = append(changed, a.Conversation.ID)
		}
		if to != "" && !breached {
			c := a.Conversation
			assigned = append(assigned, AssignedArrival{ConversationID: c.ID, Assignee: to, From: c.Author.Display(), Network: c.Network})
		}
	}
	return changed, assigned, nil
}

// ApplyRules carries out rule actions on a conversation and announces the
// change.
func (s *Service) ApplyRules(ctx context.Context, c Conversation, a rules.Actions) error {
	_, err := s.applyRules(ctx, c, a)
	if err == nil {
		s.changed([]int64{c.ID})
	}
	return err
}

// applyRules carries out rule actions on a conversation without announcing
// them. It returns the manager a rule assigned the conversation to, when
// one did and the conversation is left waiting in the Inbox (not spam, not
// closed by the same rules); "" otherwise.
func (s *Service) applyRules(ctx context.Context, c Conversation, a rules.Actions) (string, error) {
	now := s.Now()
	escalated := false
	assigned := ""
	err := s.store.Apply(ctx, "rules", "rule: "+strings.Join(a.Rules, ", "), []int64{c.ID}, now, func(t *Triage) {
		escalated, assigned = false, "" // set afresh should the store run this again
		for _, tag := range a.Tags {
			if tag = NormalizeTag(tag); tag != "" && !slices.Contains(t.Tags, tag) {
				t.Tags = append(t.Tags, tag)
			}
		}
		slices.Sort(t.Tags)
		if a.MarkNegative && t.NegSource != NegManual {
			t.Negative, t.NegSource = true, NegRule
		}
		if a.Escalate != "" && t.EscDest == "" {
			t.EscDest, t.EscNote, t.EscAt = a.Escalate, a.Note, now.UnixMilli()
			escalated = true
		}
		// A rule assigns only what nobody owns: a manager's choice stands.
		if who := CleanManager(a.Assign); who != "" && t.Assignee == "" {
			t.Assignee, assigned = who, who
		}
		switch {
		case a.Spam:
			markSpam(t)
		case a.Done:
			t.State, t.SnoozeUntil = StateDone, 0
		case a.Snooze > 0:
			t.State, t.SnoozeUntil = StateSnoozed, now.Add(a.Snooze).UnixMilli()
		}
		if t.Spam || t.State != StateOpen {
			assigned = ""
		}
	})
	if err != nil {
		return "", err
	}
	if escalated {
		if _, err := s.queueDeliveries(ctx, "rules", []int64{c.ID}, a.Escalate, a.Note); err != nil {
			return "", err
		}
	}
	if a.Hide && slices.Contains(s.Moderation(c.AccountID), ActionHide) {
		if _, err := s.store.QueueAction(ctx, "rules", c.ID, ActionHide, "", now); err != nil {
			return "", err
		}
	}
	return assigned, nil
}

// RuleReport is what one rule would have done over past messages.
type RuleReport struct {
	Rule     string
	Line     int
	Matches  int
	Does     string
	Examples []string
}

// TestRules runs rules over stored history since a time without changing
// anything: per rule, how many messages it would have caught, what it
// does, and a few examples. It also returns how many messages were read.
func (s *Service) TestRules(ctx context.Context, set *rules.Set, since time.Time) ([]RuleReport, int, error) {
	arr, err := s.store.Arrivals(ctx, nil, since)
	if err != nil {
		return nil, 0, err
	}
	reports := make([]RuleReport, len(set.Rules))
	index := map[string]int{}
	for i, r := range set.Rules {
		reports[i] = RuleReport{Rule: r.Name, Line: r.Line(), Does: r.Actions().Describe()}
		index[r.Name] = i
	}
	for _, a := range arr {
		for _, name := range set.Evaluate(RuleMessage(a)).Rules {
			rep := &reports[index[name]]
			rep.Matches++
			if len(rep.Examples) < 3 {
				rep.Examples = append(rep.Examples, sanitize.Line(a.Message.Author.Display())+": "+firstLine(a.Message.Text, 100))
			}
		}
	}
	return reports, len(arr), nil
}

func firstLine(s string, n int) string {
	s = sanitize.Line(s)
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// Problems lists configuration files that are in use but broken right now
// (rules, word list), for the status bar: the last good version stays in
// force meanwhile.
func (s *Service) Problems() []string {
	var out []string
	if s.opts.Rules != nil {
		if _, err := s.opts.Rules(); err != nil {
			out = append(out, err.Error())
		}
	}
	if d := s.opts.Detector; d != nil {
		if err := d.Err(); err != nil {
			out = append(out, err.Error())
		}
	}
	return out
}

// canReply refuses, with the reason, a private reply the platform would
// reject because its reply window has closed.
func (s *Service) canReply(c Conversation) error {
	if s.windows == nil {
		return nil
	}
	w := s.windows(c.AccountID)
	if w <= 0 || c.Kind != KindDM || c.LastInAt.IsZero() {
		return nil
	}
	if age := s.Now().Sub(c.LastInAt); age > w {
		return fmt.Errorf("reply: %s allows a reply within %s of the customer's last message, which was %s ago; the draft is kept: %w",
			c.Network, w.Round(time.Hour), age.Round(time.Hour), ErrInvalid)
	}
	return nil
}

// targetExists refuses a reply to a message deleted on its network (the
// latest from the customer, which a reply answers): the network would
// reject it, and the conversation must not move to done for nothing.
func targetExists(th Thread) error {
	for i := len(th.Messages) - 1; i >= 0; i-- {
		m := th.Messages[i]
		if m.Direction != In {
			continue
		}
		if m.Deleted() {
			return fmt.Errorf("reply: the message you are answering was deleted on %s %s; the draft is kept: %w",
				th.Conversation.Network, m.DeletedAt.Format("2 Jan 15:04"), ErrInvalid)
		}
		return nil
	}
	return nil
}
