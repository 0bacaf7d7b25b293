package mastodon

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

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
// DM reply stays direct), everyone in it addressed (a group DM reaches every
// participant) and its content warning kept. The Idempotency-Key makes
// Mastodon return the first post on a resend, but other servers of the API
// ignore it, so a resend first looks for what an earlier attempt posted.
func (c *Connector) reply(ctx context.Context, a psync.Action, target status) (psync.Receipt, error) {
	me, err := c.myID(ctx)
	if err != nil {
		return psync.Receipt{}, err
	}
	text := addressed(a.Body, target, me)
	if a.Attempt > 1 {
		if r, ok, err := c.findSent(ctx, a, target, me, text); err != nil || ok {
			return r, err
		}
	}
	visibility := target.Visibility
	if visibility == "" {
		visibility = "public"
	}
	form := url.Values{"status": {text}, "in_reply_to_id": {target.ID}, "visibility": {visibility}}
	if target.SpoilerText != "" {
		form.Set("spoiler_text", target.SpoilerText)
	}
	var posted status
	_, err = c.http.Do(ctx, psync.Request{Method: "POST", Path: "/api/v1/statuses", Form: form,
		Headers: map[string]string{"Idempotency-Key": a.IdempotencyKey}}, &posted)
	if err != nil {
		return psync.Receipt{}, err
	}
	if posted.ID == "" {
		return psync.Receipt{}, errors.New("mastodon: the server accepted the reply but returned no status id")
	}
	return psync.Receipt{ExternalID: posted.ID, Permalink: link(posted)}, nil
}

// addressed puts a mention of everyone the reply must reach in front of
// the body: the author, and in a DM every other participant (Mastodon
// delivers a direct status only to those it mentions). Mentions the manager
// already typed are not repeated.
func addressed(body string, target status, me string) string {
	var who []string
	add := func(id, acct string) {
		m := "@" + acct
		if id == me || acct == "" || slices.Contains(who, m) || containsMention(body, m) {
			return
		}
		who = append(who, m)
	}
	add(target.Account.ID, target.Account.Acct)
	if target.Visibility == "direct" {
		for _, m := range target.Mentions {
			add(m.ID, m.Acct)
		}
	}
	if len(who) == 0 {
		return body
	}
	return strings.Join(who, " ") + " " + body
}

// containsMention reports whether text mentions acct as a whole word
// (@bob does not count as a mention of @bo).
func containsMention(text, m string) bool {
	for _, f := range strings.Fields(text) {
		if strings.TrimRight(f, ".,:;!?") == m {
			return true
		}
	}
	return false
}

// findSent looks for the reply an earlier attempt may have posted before
// its answer was lost: our status in reply to the target, posted since the
// reply was queued, with the same words (the server renders mentions its
// own way, so they are left out of the comparison).
func (c *Connector) findSent(ctx context.Context, a psync.Action, target status, me, text string) (psync.Receipt, bool, error) {
	var t threadContext
	_, err := c.http.Do(ctx, psync.Request{Method: "GET", Path: "/api/v1/statuses/" + url.PathEscape(target.ID) + "/context"}, &t)
	if err != nil {
		return psync.Receipt{}, false, err
	}
	since := a.Queued.Add(-time.Minute)
	want := words(text)
	for _, s := range t.Descendants {
		if s.Account.ID == me && s.replyTo() == target.ID && !s.CreatedAt.Before(since) && words(htmlToText(s.Content)) == want {
			return psync.Receipt{ExternalID: s.ID, Permalink: link(s)}, true, nil
		}
	}
	return psync.Receipt{}, false, nil
}

// words is text without mentions, with whitespace collapsed.
func words(text string) string {
	var out []string
	for _, f := range strings.Fields(text) {
		if !strings.HasPrefix(f, "@") {
			out = append(out, f)
		}
	}
	return strings.Join(out, " ")
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
