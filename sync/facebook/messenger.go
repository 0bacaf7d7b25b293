package facebook

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/parleyhq/parley/inbox"
	psync "github.com/parleyhq/parley/sync"
)

// Messenger's reply windows: a standard reply within 24 hours of the
// person's last message; a human agent (with the HUMAN_AGENT tag, when the
// Page has that feature) within 7 days.
const (
	standardWindow = 24 * time.Hour
	humanWindow    = 7 * 24 * time.Hour
)

type msgTo struct {
	Data []from `json:"data"`
}

type message struct {
	ID          string         `json:"id"`
	Created     string         `json:"created_time"`
	From        *from          `json:"from"`
	To          msgTo          `json:"to"`
	Message     string         `json:"message"`
	Attachments msgAttachments `json:"attachments,omitzero"`
	Sticker     string         `json:"sticker,omitempty"`
	Shares      msgShares      `json:"shares,omitzero"`
}

// messageFields are what parley reads of each message.
const messageFields = "id,created_time,from,to,message," + messageAttachmentFields

// ownID is who "we" are in this account's conversations: on Instagram the
// professional account's id, on Messenger the Page's.
func (c *Connector) ownID() string {
	if c.opts.IGUserID != "" {
		return c.opts.IGUserID
	}
	return c.opts.PageID
}

// fromUs says whether a message was sent by the business (from parley, the
// Instagram app, Business Suite or Messenger).
func (c *Connector) fromUs(m message) bool { return m.From != nil && m.From.ID == c.ownID() }

type conversation struct {
	ID       string `json:"id"`
	Updated  string `json:"updated_time"`
	Messages struct {
		Data []message `json:"data"`
	} `json:"messages"`
}

// fetchMessenger adds the Page's Messenger conversations updated since a
// time: one parley conversation per person, with its latest messages.
func (c *Connector) fetchMessenger(ctx context.Context, b *inbox.Batch, platform string, since time.Time) error {
	next := ""
	q := url.Values{"platform": {platform}, "limit": {"25"},
		"fields": {"id,updated_time,messages.limit(20){" + messageFields + "}"}}
	for i := 0; i < maxPages; i++ {
		var pg page[conversation]
		r := psync.Request{Method: "GET", Path: c.path(c.inboxOwner() + "/conversations"), Query: q}
		if next != "" {
			r = psync.Request{Method: "GET", Path: next}
		}
		if _, err := c.http.Do(ctx, r, &pg); err != nil {
			return err
		}
		older := false
		for _, cv := range pg.Data {
			if graphTime(cv.Updated).Before(since) {
				older = true // newest first: the rest are older still
				break
			}
			for _, m := range cv.Messages.Data {
				dir := inbox.In
				if c.fromUs(m) {
					dir = inbox.Out
				}
				b.Items = append(b.Items, inbox.Inbound{ConversationID: "dm:" + cv.ID, Kind: inbox.KindDM,
					Message: inbox.Message{ExternalID: m.ID, Direction: dir, Author: author(m.From),
						Text: m.Message, Attachments: m.attachments(), CreatedAt: graphTime(m.Created)}})
			}
		}
		if older || pg.Paging.Next == "" || pg.Paging.Next == next {
			return nil
		}
		next = pg.Paging.Next
	}
	return nil
}

// sendMessage answers a Messenger or Instagram conversation through the
// Send API, with the messaging type the window allows, or refuses with the
// reason. The recipient and the window come from the person's latest
// message in the conversation — never from one of ours, whichever message
// the reply was written under.
func (c *Connector) sendMessage(ctx context.Context, a psync.Action) (psync.Receipt, error) {
	convID := strings.TrimPrefix(a.ConversationID, "dm:")
	var cv struct {
		Messages struct {
			Data []message `json:"data"`
		} `json:"messages"`
	}
	if _, err := c.http.Do(ctx, psync.Request{Method: "GET", Path: c.path(convID),
		Query: url.Values{"fields": {"messages.limit(20){id,created_time,from,to,message}"}}}, &cv); err != nil {
		return psync.Receipt{}, err
	}
	// The Send API has no idempotency key: a resend first looks for the
	// message an earlier attempt may have delivered before its answer was
	// lost.
	if a.Attempt > 1 {
		since := a.Queued.Add(-time.Minute)
		for _, m := range cv.Messages.Data {
			if c.fromUs(m) && m.Message == a.Body && !graphTime(m.Created).Before(since) {
				return psync.Receipt{ExternalID: m.ID}, nil
			}
		}
	}
	var theirs *message
	for i := range cv.Messages.Data { // newest first
		if m := cv.Messages.Data[i]; m.From != nil && m.From.ID != "" && !c.fromUs(m) {
			theirs = &cv.Messages.Data[i]
			break
		}
	}
	if theirs == nil {
		return psync.Receipt{}, psync.Permanent(errors.New("no message from the person in this conversation's latest messages: there is no one to answer yet"))
	}
	body := map[string]any{"recipient": map[string]string{"id": theirs.From.ID}, "message": map[string]string{"text": a.Body}}
	switch age := c.http.Now().Sub(graphTime(theirs.Created)); {
	case age <= standardWindow:
		body["messaging_type"] = "RESPONSE"
	case age <= humanWindow && c.opts.HumanAgent:
		body["messaging_type"], body["tag"] = "MESSAGE_TAG", "HUMAN_AGENT"
	default:
		return psync.Receipt{}, psync.Permanent(windowError(age, c.opts.HumanAgent))
	}
	var res struct {
		RecipientID string `json:"recipient_id"`
		MessageID   string `json:"message_id"`
	}
	if _, err := c.http.Do(ctx, psync.Request{Method: "POST", Path: c.path(c.inboxOwner() + "/messages"), JSON: body}, &res); err != nil {
		return psync.Receipt{}, sendError(err, a.Attempt)
	}
	if res.MessageID == "" {
		return psync.Receipt{}, errors.New("facebook: the message was accepted but no id came back")
	}
	return psync.Receipt{ExternalID: res.MessageID}, nil
}

// sendGiveUp is the attempt after which a send stops retrying Graph's
// "unexpected error" (code 2): Meta documents that it is also what a send
// gets when the person has blocked the business, which no retry fixes.
const sendGiveUp = 3

func sendError(err error, attempt int) error {
	if ae := graphErrorOf(err); ae != nil && ae.Code == 2 && attempt >= sendGiveUp && !psync.IsPermanent(err) {
		return psync.Permanent(fmt.Errorf("Meta kept refusing this message with an \"unexpected error\"; it also answers so when the person has blocked the business: %w", err))
	}
	return err
}

func windowError(age time.Duration, human bool) error {
	limit := "24 hours"
	if human {
		limit = "7 days (human agent)"
	}
	return fmt.Errorf("Meta allows a reply within %s of the person's last message; theirs was %s ago",
		limit, age.Round(time.Hour))
}

// privateReply sends the one private message Facebook allows in answer to
// a comment, within 7 days of it; Graph's refusal (10/2018278) is final.
func (c *Connector) privateReply(ctx context.Context, a psync.Action) (psync.Receipt, error) {
	var cm struct {
		Created   string `json:"created_time"`
		Timestamp string `json:"timestamp"`
	}
	if _, err := c.http.Do(ctx, psync.Request{Method: "GET", Path: c.path(a.TargetID),
		Query: url.Values{"fields": {c.createdField()}}}, &cm); err != nil {
		return psync.Receipt{}, err
	}
	created := graphTime(cm.Created + cm.Timestamp)
	if age := c.http.Now().Sub(created); !created.IsZero() && age > humanWindow {
		return psync.Receipt{}, psync.Permanent(fmt.Errorf("a private reply is allowed within 7 days of the comment; it was made %s ago",
			age.Round(time.Hour)))
	}
	body := map[string]any{"recipient": map[string]string{"comment_id": a.TargetID}, "message": map[string]string{"text": a.Body}}
	var res struct {
		MessageID string `json:"message_id"`
	}
	if _, err := c.http.Do(ctx, psync.Request{Method: "POST", Path: c.path(c.inboxOwner() + "/messages"), JSON: body}, &res); err != nil {
		return psync.Receipt{}, sendError(err, a.Attempt)
	}
	return psync.Receipt{ExternalID: res.MessageID}, nil
}

// createdField is the creation-time field of a comment on this network.
func (c *Connector) createdField() string {
	if c.opts.IGUserID != "" {
		return "timestamp"
	}
	return "created_time"
}
