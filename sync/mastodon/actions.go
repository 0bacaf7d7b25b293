package mastodon

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/parleyhq/parley/inbox"
	psync "github.com/parleyhq/parley/sync"
)

// Perform implements sync.Connector.
func (c *Connector) Perform(ctx context.Context, a psync.Action) (psync.Receipt, error) {
	if a.TargetID == "" {
		return psync.Receipt{}, psync.Permanent(errors.New("mastodon: nothing to act on (no message id)"))
	}
	target, err := c.status(ctx, a.TargetID)
	if err != nil {
		return psync.Receipt{}, err
	}
	switch a.Kind {
	case inbox.ActionReply:
		return c.reply(ctx, a, target)
	case inbox.ActionMute, inbox.ActionBlock:
		_, err := c.http.Do(ctx, psync.Request{Method: "POST",
			Path: "/api/v1/accounts/" + url.PathEscape(target.Account.ID) + "/" + string(a.Kind)}, nil)
		return psync.Receipt{}, err
	case inbox.ActionReport:
		form := url.Values{"account_id": {target.Account.ID}, "status_ids[]": {target.ID},
			"comment": {truncate(a.Body, 1000)}, "category": {"other"}}
		_, err := c.http.Do(ctx, psync.Request{Method: "POST", Path: "/api/v1/reports", Form: form}, nil)
		return psync.Receipt{}, err
	case inbox.ActionDismiss:
		return psync.Receipt{}, c.dismiss(ctx, target.ID)
	}
	return psync.Receipt{}, psync.Permanent(fmt.Errorf("mastodon cannot %s", a.Kind))
}

func (c *Connector) status(ctx context.Context, id string) (status, error) {
	var s status
	_, err := c.http.Do(ctx, psync.Request{Method: "GET", Path: "/api/v1/statuses/" + url.PathEscape(id)}, &s)
	if err != nil {
		var pe *psync.PermanentError
		if errors.As(err, &pe) {
			return s, psync.Permanent(fmt.Errorf("the message answered is gone from the server (%v)", err))
		}
		return s, err
	}
	return s, nil
}

// reply posts in the thread with the visibility of the message answered (a
// DM reply stays direct) and its author mentioned. The Idempotency-Key makes
// a resend after an ambiguous failure return the first post, not a second.
func (c *Connector) reply(ctx context.Context, a psync.Action, target status) (psync.Receipt, error) {
	text := a.Body
	if mention := "@" + target.Account.Acct; target.Account.Acct != "" && !strings.Contains(text, mention) {
		text = mention + " " + text
	}
	visibility := target.Visibility
	if visibility == "" {
		visibility = "public"
	}
	form := url.Values{"status": {text}, "in_reply_to_id": {target.ID}, "visibility": {visibility}}
	var posted status
	_, err := c.http.Do(ctx, psync.Request{Method: "POST", Path: "/api/v1/statuses", Form: form,
		Headers: map[string]string{"Idempotency-Key": a.IdempotencyKey}}, &posted)
	if err != nil {
		return psync.Receipt{}, err
	}
	if posted.ID == "" {
		return psync.Receipt{}, errors.New("mastodon: the server accepted the reply but returned no status id")
	}
	link := posted.URL
	if link == "" {
		link = posted.URI
	}
	return psync.Receipt{ExternalID: posted.ID, Permalink: link}, nil
}

// dismiss finds the notification that brought a status and dismisses it.
func (c *Connector) dismiss(ctx context.Context, statusID string) error {
	var ns []notification
	q := url.Values{"types[]": {"mention", "quote"}, "limit": {"80"}}
	if _, err := c.http.Do(ctx, psync.Request{Method: "GET", Path: "/api/v1/notifications", Query: q}, &ns); err != nil {
		return err
	}
	for _, n := range ns {
		if n.Status != nil && n.Status.ID == statusID {
			_, err := c.http.Do(ctx, psync.Request{Method: "POST", Path: "/api/v1/notifications/" + url.PathEscape(n.ID) + "/dismiss"}, nil)
			return err
		}
	}
	return nil // already gone: nothing to dismiss
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}
