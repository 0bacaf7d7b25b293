package facebook

import (
	"context"
	"errors"
	"fmt"
	"net/url"
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
	ID      string `json:"id"`
	Created string `json:"created_time"`
	From    *from  `json:"from"`
	To      msgTo  `json:"to"`
	Message string `json:"message"`
}

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
		"fields": {"id,updated_time,messages.limit(20){id,created_time,from,to,message}"}}
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
				if m.From != nil && m.From.ID == c.opts.PageID {
					dir = inbox.Out
				}
				b.Items = append(b.Items, inbox.Inbound{ConversationID: "dm:" + cv.ID, Kind: inbox.KindDM,
					Message: inbox.Message{ExternalID: m.ID, Direction: dir, Author: author(m.From), Text: m.Message,
						CreatedAt: graphTime(m.Created)}})
			}
		}
		if older || pg.Paging.Next == "" || pg.Paging.Next == next {
			return nil
		}
		next = pg.Paging.Next
	}
	return nil
}

// sendMessage answers a Messenger conversation through the Send API, with
// the messaging type the window allows, or refuses with the reason.
func (c *Connector) sendMessage(ctx context.Context, a psync.Action) (psync.Receipt, error) {
	var last message
	if _, err := c.http.Do(ctx, psync.Request{Method: "GET", Path: c.path(a.TargetID),
		Query: url.Values{"fields": {"id,created_time,from,to,message"}}}, &last); err != nil {
		return psync.Receipt{}, err
	}
	if last.From == nil || last.From.ID == "" {
		return psync.Receipt{}, psync.Permanent(errors.New("facebook: cannot tell who to answer (the message has no sender)"))
	}
	body := map[string]any{"recipient": map[string]string{"id": last.From.ID}, "message": map[string]string{"text": a.Body}}
	switch age := c.http.Now().Sub(graphTime(last.Created)); {
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
		return psync.Receipt{}, err
	}
	if res.MessageID == "" {
		return psync.Receipt{}, errors.New("facebook: the message was accepted but no id came back")
	}
	return psync.Receipt{ExternalID: res.MessageID}, nil
}

func windowError(age time.Duration, human bool) error {
	limit := "24 hours"
	if human {
		limit = "7 days (human agent)"
	}
	return fmt.Errorf("Messenger allows a reply within %s of the person's last message; theirs was %s ago",
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
		return psync.Receipt{}, err
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
