package youtube

import (
	"context"
	"errors"
	"fmt"
	"time"

	yt "google.golang.org/api/youtube/v3"

	"github.com/parleyhq/parley/inbox"
	psync "github.com/parleyhq/parley/sync"
)

// Perform implements sync.Connector. Every call is booked in the ledger
// first; with the day's quota spent the action waits for the reset (a
// rate limit until midnight Pacific), it does not fail.
func (c *Connector) Perform(ctx context.Context, a psync.Action) (psync.Receipt, error) {
	switch a.Kind {
	case inbox.ActionReply:
		return c.reply(ctx, a)
	case inbox.ActionHide:
		return psync.Receipt{}, c.moderate(ctx, a.TargetID, "heldForReview", false)
	case inbox.ActionUnhide:
		return psync.Receipt{}, c.moderate(ctx, a.TargetID, "published", false)
	case inbox.ActionBlock:
		return psync.Receipt{}, c.moderate(ctx, a.TargetID, "rejected", true)
	case inbox.ActionDelete:
		return psync.Receipt{}, c.remove(ctx, a.TargetID)
	}
	return psync.Receipt{}, psync.Permanent(fmt.Errorf("youtube cannot %s", a.Kind))
}

// call books units and runs fn, turning a spent quota into a wait.
func (c *Connector) call(units int, what string, fn func() error) error {
	now := c.opts.Now()
	if err := c.quota.spend(units, false, now); err != nil {
		return c.wait(err, now)
	}
	err := mapError(what, fn())
	if errors.Is(err, errQuotaExceeded) {
		c.quota.exhausted(now)
		return c.wait(errQuotaSpent{reset: quotaReset(now)}, now)
	}
	return err
}

func (c *Connector) wait(err error, now time.Time) error {
	var spent errQuotaSpent
	if errors.As(err, &spent) {
		return &psync.RateLimitError{RetryAfter: spent.reset.Sub(now), Msg: spent.Error()}
	}
	return err
}

// reply answers under the top-level comment (YouTube has one level of
// replies). YouTube has no idempotency key: a retry first looks for the
// reply an earlier attempt may have posted.
func (c *Connector) reply(ctx context.Context, a psync.Action) (psync.Receipt, error) {
	parent := a.ConversationID
	if a.Attempt > 1 {
		if r, ok, err := c.findSent(ctx, parent, a); err != nil || ok {
			return r, err
		}
	}
	var res *yt.Comment
	err := c.call(costInsert, "comments.insert", func() (err error) {
		res, err = c.svc.Comments.Insert([]string{"snippet"}, &yt.Comment{Snippet: &yt.CommentSnippet{
			ParentId: parent, TextOriginal: a.Body}}).Context(ctx).Do()
		return err
	})
	if err != nil {
		return psync.Receipt{}, err
	}
	if res == nil || res.Id == "" {
		return psync.Receipt{}, errors.New("youtube: the reply was accepted but no id came back")
	}
	video := ""
	if res.Snippet != nil {
		video = res.Snippet.VideoId
	}
	return psync.Receipt{ExternalID: res.Id, Permalink: watchURL(video, res.Id)}, nil
}

// findSent looks among the thread's replies for ours with the same text,
// posted since the action was queued.
func (c *Connector) findSent(ctx context.Context, parent string, a psync.Action) (psync.Receipt, bool, error) {
	var res *yt.CommentListResponse
	err := c.call(costList, "comments.list", func() (err error) {
		res, err = c.svc.Comments.List([]string{"snippet"}).ParentId(parent).MaxResults(100).TextFormat("plainText").Context(ctx).Do()
		return err
	})
	if err != nil {
		return psync.Receipt{}, false, err
	}
	since := a.Queued.Add(-time.Minute)
	for _, cm := range res.Items {
		s := cm.Snippet
		if s == nil || s.AuthorChannelId == nil || s.AuthorChannelId.Value != c.opts.ChannelID {
			continue
		}
		if (s.TextOriginal == a.Body || s.TextDisplay == a.Body) && !parseTime(s.PublishedAt).Before(since) {
			return psync.Receipt{ExternalID: cm.Id, Permalink: watchURL(s.VideoId, cm.Id)}, true, nil
		}
	}
	return psync.Receipt{}, false, nil
}

// moderate sets a comment's moderation status (204 No Content). Only
// rejecting may ban the author; rejecting also hides the replies.
func (c *Connector) moderate(ctx context.Context, id, status string, ban bool) error {
	return c.call(costModerate, "comments.setModerationStatus", func() error {
		call := c.svc.Comments.SetModerationStatus([]string{id}, status).Context(ctx)
		if ban {
			call = call.BanAuthor(true)
		}
		return call.Do()
	})
}

// remove deletes our own comment (comments.delete works only on those)
// and rejects anyone else's, which is how YouTube removes it.
func (c *Connector) remove(ctx context.Context, id string) error {
	var res *yt.CommentListResponse
	err := c.call(costList, "comments.list", func() (err error) {
		res, err = c.svc.Comments.List([]string{"snippet"}).Id(id).Context(ctx).Do()
		return err
	})
	if err != nil {
		return err
	}
	if len(res.Items) == 0 {
		return nil // already gone
	}
	s := res.Items[0].Snippet
	if s != nil && s.AuthorChannelId != nil && s.AuthorChannelId.Value == c.opts.ChannelID {
		return c.call(costDelete, "comments.delete", func() error { return c.svc.Comments.Delete(id).Context(ctx).Do() })
	}
	return c.moderate(ctx, id, "rejected", false)
}
