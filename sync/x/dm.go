package x

import (
	"context"
	"errors"
	"fmt"
	"html"
	"sort"
	"strings"
	"time"

	"github.com/parleyhq/parley/inbox"
	psync "github.com/parleyhq/parley/sync"
)

// DefaultDMInterval is how often direct messages are read: X allows 15
// dm_events requests per 15 minutes per user, and a pass may take a few
// pages, so every 5 minutes leaves room for those and for look-ups
// before a DM retry.
const DefaultDMInterval = 5 * time.Minute

// dmNoScopeWait is how long a refused DM read (403: a sign-in from before
// parley asked for dm.read) waits before it is tried again.
const dmNoScopeWait = time.Hour

// maxDMPages bounds one pass (X keeps 30 days of DM events); a longer
// backlog goes on at the next pass from the stored token.
const maxDMPages = 3

var (
	dmEventFields = "id,text,event_type,created_at,sender_id,dm_conversation_id,attachments"
	dmExpansions  = "sender_id"
)

// dmEvent is a DmEvent with the fields parley asks for.
type dmEvent struct {
	ID               string `json:"id"`
	Text             string `json:"text"`
	EventType        string `json:"event_type"`
	CreatedAt        string `json:"created_at"`
	SenderID         string `json:"sender_id"`
	DMConversationID string `json:"dm_conversation_id"`
	Attachments      struct {
		MediaKeys []string `json:"media_keys"`
		CardIDs   []string `json:"card_ids"`
	} `json:"attachments"`
}

type dmPage struct {
	Data     []dmEvent `json:"data"`
	Includes struct {
		Users []user `json:"users"`
	} `json:"includes"`
	Meta struct {
		ResultCount int    `json:"result_count"`
		NextToken   string `json:"next_token"`
	} `json:"meta"`
}

// dmCursor is the DM position inside the account's cursor. Events come
// newest first and dm_events has no since_id: a pass reads back to the
// newest event of the last complete pass (Since) or, the first time, to
// the backlog's start.
type dmCursor struct {
	Since   string `json:"since,omitempty"`
	Resume  string `json:"resume,omitempty"`
	Pending string `json:"pending,omitempty"`
	Next    string `json:"next,omitempty"` // RFC 3339: no DM read before
	Note    string `json:"note,omitempty"` // why DMs are not read, "" when they are
}

func dmConv(id string) string { return "dm:" + id }

// dms reads the DM events since the last pass, at most every DMInterval.
// A refusal for want of the dm.read scope becomes the account's note, not
// a failure: mentions go on.
func (c *Connector) dms(ctx context.Context, cur *cursor, b *inbox.Batch) error {
	now := c.now()
	if next, err := time.Parse(time.RFC3339, cur.DM.Next); err == nil && now.Before(next) {
		return nil
	}
	start := now.Add(-c.opts.Backlog)
	users := map[string]user{}
	byID := map[string]dmEvent{}
	var err error
	for i := 0; i < maxDMPages; i++ {
		if c.spend.readsLeft(time.Now()) <= 0 {
			break
		}
		q := map[string][]string{"max_results": {"100"}, "event_types": {"MessageCreate"}, "dm_event.fields": {dmEventFields},
			"expansions": {dmExpansions}, "user.fields": {userFields}}
		if c.pageMax >= 1 {
			q["max_results"] = []string{fmt.Sprint(c.pageMax)}
		}
		if cur.DM.Resume != "" {
			q["pagination_token"] = []string{cur.DM.Resume}
		}
		var p dmPage
		if err = c.api.do(ctx, psync.Request{Method: "GET", Path: "/2/dm_events", Query: q}, &p); err != nil {
			break
		}
		c.spend.book(float64(len(p.Data))*c.opts.Prices.DMRead+float64(len(p.Includes.Users))*c.opts.Prices.UserRead, true, time.Now())
		for _, u := range p.Includes.Users {
			users[u.ID] = u
		}
		done := p.Meta.NextToken == "" || len(p.Data) == 0
		for _, e := range p.Data {
			if cur.DM.Pending == "" || newer(e.ID, cur.DM.Pending) {
				if numeric(e.ID) {
					cur.DM.Pending = e.ID
				}
			}
			if cur.DM.Since != "" && !newer(e.ID, cur.DM.Since) || cur.DM.Since == "" && parseTime(e.CreatedAt).Before(start) {
				done = true // back where the last pass began
				continue
			}
			if numeric(e.ID) {
				byID[e.ID] = e
			}
		}
		if !done && p.Meta.NextToken == cur.DM.Resume {
			break // the server repeats itself: ask for the page again next time
		}
		if done {
			cur.DM.Resume = ""
			if cur.DM.Pending != "" {
				cur.DM.Since = cur.DM.Pending
			}
			cur.DM.Pending = ""
			break
		}
		cur.DM.Resume = p.Meta.NextToken
	}
	var rl *psync.RateLimitError
	switch {
	case err == nil:
		cur.DM.Note, cur.DM.Next = "", now.Add(c.opts.DMInterval).UTC().Format(time.RFC3339)
	case isStatus(err, 403) || errors.Is(err, errPlan):
		cur.DM.Note = fmt.Sprintf("direct messages are not read: X refused (%v); accounts connected before parley read DMs lack the dm.read and dm.write permissions — run parley connect x again", err)
		cur.DM.Next = now.Add(dmNoScopeWait).UTC().Format(time.RFC3339)
	case errors.As(err, &rl):
		cur.DM.Next = now.Add(max(rl.RetryAfter, time.Minute)).UTC().Format(time.RFC3339)
	default:
		return err
	}
	c.fileDMs(byID, users, b)
	return nil
}

// fileDMs turns DM events into messages, oldest first: one conversation
// per dm_conversation_id, the brand's own messages outbound.
func (c *Connector) fileDMs(byID map[string]dmEvent, users map[string]user, b *inbox.Batch) {
	ids := make([]string, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return newer(ids[j], ids[i]) })
	for _, id := range ids {
		e := byID[id]
		if e.EventType != "" && e.EventType != "MessageCreate" || !validDMConv(e.DMConversationID) || e.SenderID == "" {
			continue
		}
		text := html.UnescapeString(e.Text)
		var att []inbox.Attachment
		for range e.Attachments.MediaKeys {
			att = append(att, inbox.Attachment{Kind: inbox.AttachImage, Description: "media (open the conversation on X to see it)"})
		}
		if strings.TrimSpace(text) == "" && len(att) == 0 {
			continue
		}
		m := inbox.Message{ExternalID: "dm:" + e.ID, Direction: inbox.In, Author: author(e.SenderID, users[e.SenderID]), Text: text,
			CreatedAt: parseTime(e.CreatedAt), Attachments: att}
		if e.SenderID == c.opts.UserID {
			m.Direction = inbox.Out
		}
		if m.CreatedAt.IsZero() {
			m.CreatedAt = time.Now()
		}
		b.Items = append(b.Items, inbox.Inbound{ConversationID: dmConv(e.DMConversationID), Kind: inbox.KindDM, Message: m})
	}
}

// sendDM answers in a DM conversation. X has no idempotency key: a later
// attempt first reads the conversation's recent events for a message of
// ours with the same text sent since the action was queued.
func (c *Connector) sendDM(ctx context.Context, a psync.Action, conv string) (psync.Receipt, error) {
	if strings.TrimSpace(a.Body) == "" {
		return psync.Receipt{}, psync.Permanent(errors.New("x: an empty direct message cannot be sent"))
	}
	if err := dmLimit.CheckLength("X direct messages", a.Body); err != nil {
		return psync.Receipt{}, psync.Permanent(err)
	}
	if !validDMConv(conv) {
		return psync.Receipt{}, psync.Permanent(fmt.Errorf("x: %q is not a DM conversation id", psync.Truncate(conv, 60)))
	}
	if a.Attempt > 1 {
		if r, ok, err := c.earlierDM(ctx, a, conv); err != nil || ok {
			return r, err
		}
	}
	var ans struct {
		Data struct {
			DMConversationID string `json:"dm_conversation_id"`
			DMEventID        string `json:"dm_event_id"`
		} `json:"data"`
	}
	err := c.api.do(ctx, psync.Request{Method: "POST", Path: "/2/dm_conversations/" + conv + "/messages", JSON: map[string]string{"text": a.Body}}, &ans)
	if err != nil {
		if isStatus(err, 403) {
			return psync.Receipt{}, psync.Permanent(fmt.Errorf("%w — X refuses DMs to people who do not accept messages from the brand, and sign-ins without the dm.write permission (run parley connect x again)", err))
		}
		return psync.Receipt{}, err
	}
	c.spend.book(c.opts.Prices.DMCreate, false, time.Now())
	if !numeric(ans.Data.DMEventID) {
		return psync.Receipt{}, errors.New("x POST dm_conversations messages: accepted without an event id; will look for it before trying again")
	}
	return psync.Receipt{ExternalID: "dm:" + ans.Data.DMEventID}, nil
}

// earlierDM looks for an earlier attempt's message in the conversation.
func (c *Connector) earlierDM(ctx context.Context, a psync.Action, conv string) (psync.Receipt, bool, error) {
	since := a.Queued.Add(-time.Minute)
	if a.Queued.IsZero() {
		since = time.Now().Add(-24 * time.Hour)
	}
	q := map[string][]string{"max_results": {"20"}, "event_types": {"MessageCreate"}, "dm_event.fields": {dmEventFields}}
	var p dmPage
	if err := c.api.do(ctx, psync.Request{Method: "GET", Path: "/2/dm_conversations/" + conv + "/dm_events", Query: q}, &p); err != nil {
		return psync.Receipt{}, false, err
	}
	c.spend.book(float64(len(p.Data))*c.opts.Prices.DMRead, false, time.Now())
	for _, e := range p.Data {
		// X may shorten links, so a message with one matches on sender and time.
		if e.SenderID == c.opts.UserID && numeric(e.ID) && (urlIn(a.Body) || sameText(e.Text, a.Body)) && !parseTime(e.CreatedAt).Before(since) {
			return psync.Receipt{ExternalID: "dm:" + e.ID}, true, nil
		}
	}
	return psync.Receipt{}, false, nil
}

// dmLimit is X's direct message length: 10,000 characters.
var dmLimit = inbox.TextLimit{Max: 10000, Unit: inbox.CountChars}

// validDMConv: a dm_conversation_id is a number, or two user ids joined
// by a dash (one-to-one); nothing else goes into a path.
func validDMConv(s string) bool {
	a, b, two := strings.Cut(s, "-")
	return numeric(a) && (!two || numeric(b))
}

// dmNote is the DM part of the account's note.
func (c *Connector) dmNote(cur cursor) string {
	if cur.DM.Note != "" {
		return cur.DM.Note
	}
	return fmt.Sprintf("direct messages read every %s (X allows 15 reads per 15 minutes)", c.opts.DMInterval)
}
