package youtube

import (
	"context"
	"errors"
	"net/url"
	"sort"
	"strings"
	"time"

	yt "google.golang.org/api/youtube/v3"

	"github.com/parleyhq/parley/inbox"
)

// maxKnownThreads bounds the reply counts kept in the cursor.
const maxKnownThreads = 500

// Fetch implements sync.Connector. A walk pages through the channel's
// comment threads newest first (order=time) until it reaches the newest
// comment of the previous walk; each page is one batch. Between walks it
// spends nothing until the next poll is due: sooner while comments are
// arriving, later when it is quiet, never sooner than the day's
// remaining budget allows.
func (c *Connector) Fetch(ctx context.Context, raw string) (inbox.Batch, error) {
	cur := decodeCursor(raw)
	now := c.opts.Now()
	c.quota.restore(cur.Ledger, now)
	if cur.Walk == nil {
		if now.Before(cur.NextPoll) {
			return c.batch(&cur, now, ""), nil
		}
		stop := cur.Newest
		if stop.IsZero() {
			stop = now.Add(-c.opts.Backlog)
		}
		cur.Walk = &walk{Stop: stop, Newest: cur.Newest}
	}
	b, err := c.page(ctx, &cur, now)
	if err != nil {
		var spent errQuotaSpent
		switch {
		case errors.As(err, &spent):
		case errors.Is(err, errQuotaExceeded):
			c.quota.exhausted(now)
			spent = errQuotaSpent{reset: quotaReset(now)}
		default:
			return inbox.Batch{}, err
		}
		// Not a failure: the account waits for the reset, and says so.
		cur.NextPoll, cur.Spent = spent.reset, true
		return c.batch(&cur, now, spent.Error()), nil
	}
	return b, nil
}

// batch finishes a batch with the cursor and ledger as they stand now.
func (c *Connector) batch(cur *cursor, now time.Time, notice string) inbox.Batch {
	cur.Ledger = c.quota.snapshot(now)
	return inbox.Batch{Cursor: cur.encode(), Notice: notice}
}

// page fetches one page of the walk and the replies it lacks.
func (c *Connector) page(ctx context.Context, cur *cursor, now time.Time) (inbox.Batch, error) {
	w := cur.Walk
	if err := c.spend(w, costList, now); err != nil {
		return inbox.Batch{}, err
	}
	call := c.svc.CommentThreads.List([]string{"snippet", "replies"}).AllThreadsRelatedToChannelId(c.opts.ChannelID).
		Order("time").MaxResults(100).TextFormat("plainText").Context(ctx)
	if w.Page != "" {
		call = call.PageToken(w.Page)
	}
	res, err := call.Do()
	if err = mapError("commentThreads.list", err); err != nil {
		return inbox.Batch{}, err
	}
	var b inbox.Batch
	done := res.NextPageToken == ""
	videos := map[string]bool{}
	for _, th := range res.Items {
		top := topComment(th)
		if top == nil {
			continue
		}
		published := parseTime(top.Snippet.PublishedAt)
		_, known := cur.Replies[th.Id]
		if published.Before(w.Stop) || (published.Equal(w.Stop) && known) {
			// Older than the last walk's newest: the rest is known. Its
			// replies are still taken (they may be new), except on the
			// first sync, which reaches back only as far as the backlog.
			done = true
			if cur.Newest.IsZero() {
				continue
			}
		} else {
			w.Found++
		}
		if published.After(w.Newest) {
			w.Newest = published
		}
		replies := th.Replies
		if th.Snippet.TotalReplyCount > int64(len(repliesOf(replies))) && cur.Replies[th.Id] != th.Snippet.TotalReplyCount {
			all, err := c.allReplies(ctx, w, th.Id, now)
			if err != nil {
				var spent errQuotaSpent
				if !errors.As(err, &spent) {
					return inbox.Batch{}, err
				}
				// Out of polling budget: keep what the thread carried.
			} else {
				replies = &yt.CommentThreadReplies{Comments: all}
			}
		}
		c.remember(cur, th.Id, th.Snippet.TotalReplyCount)
		b.Items = append(b.Items, c.inbound(th.Id, th.Snippet.VideoId, top))
		for _, r := range repliesOf(replies) {
			b.Items = append(b.Items, c.inbound(th.Id, th.Snippet.VideoId, r))
		}
		if th.Snippet.VideoId != "" {
			videos[th.Snippet.VideoId] = true
		}
	}
	posts, err := c.posts(ctx, w, videos, now)
	if err != nil {
		return inbox.Batch{}, err
	}
	b.Posts = posts
	if done {
		c.finish(cur, now)
	} else {
		w.Page = res.NextPageToken
		b.More = true
	}
	notice := ""
	if cur.Spent {
		cur.Spent, notice = false, "YouTube quota available again"
	}
	out := c.batch(cur, now, notice)
	b.Cursor, b.Notice = out.Cursor, out.Notice
	return b, nil
}

// spend books units for a call of the walk.
func (c *Connector) spend(w *walk, units int, now time.Time) error {
	if err := c.quota.spend(units, true, now); err != nil {
		return err
	}
	w.Units += units
	return nil
}

// finish ends a walk and schedules the next: the shortest interval while
// comments arrive, doubling while it is quiet up to PollMax, and never
// shorter than the rest of the day's polling budget can pay for.
func (c *Connector) finish(cur *cursor, now time.Time) {
	w := cur.Walk
	cur.Walk = nil
	if w.Newest.After(cur.Newest) {
		cur.Newest = w.Newest
	}
	if cur.Cost == 0 {
		cur.Cost = float64(w.Units)
	} else {
		cur.Cost = 0.7*cur.Cost + 0.3*float64(w.Units)
	}
	iv := c.opts.PollMin
	if w.Found == 0 && cur.Interval > 0 {
		iv = min(cur.Interval*2, c.opts.PollMax)
	}
	iv = max(iv, c.quota.pollFloor(now, cur.Cost))
	cur.Interval = iv
	cur.NextPoll = now.Add(iv)
}

// remember keeps a thread's reply count, dropping the oldest entries
// beyond the bound (map order is random, so drop by count, not age: a
// forgotten thread only costs one comments.list when it grows).
func (c *Connector) remember(cur *cursor, id string, n int64) {
	if cur.Replies == nil {
		cur.Replies = map[string]int64{}
	}
	cur.Replies[id] = n
	if len(cur.Replies) > maxKnownThreads {
		keys := make([]string, 0, len(cur.Replies))
		for k := range cur.Replies {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys[:len(keys)-maxKnownThreads] {
			if k != id {
				delete(cur.Replies, k)
			}
		}
	}
}

// allReplies lists every reply of a thread (the thread carries only
// some): comments.list?parentId, paged.
func (c *Connector) allReplies(ctx context.Context, w *walk, parent string, now time.Time) ([]*yt.Comment, error) {
	var out []*yt.Comment
	page := ""
	for range 50 { // 5,000 replies: beyond that a thread is a forum, not a conversation
		if err := c.spend(w, costList, now); err != nil {
			return nil, err
		}
		call := c.svc.Comments.List([]string{"snippet"}).ParentId(parent).MaxResults(100).TextFormat("plainText").Context(ctx)
		if page != "" {
			call = call.PageToken(page)
		}
		res, err := call.Do()
		if err = mapError("comments.list", err); err != nil {
			return nil, err
		}
		out = append(out, res.Items...)
		if page = res.NextPageToken; page == "" {
			break
		}
	}
	return out, nil
}

// posts are the videos of a page as context, titles fetched once per
// video (videos.list takes 50 ids a call).
func (c *Connector) posts(ctx context.Context, w *walk, videos map[string]bool, now time.Time) ([]inbox.Post, error) {
	var missing, have []string
	c.mu.Lock()
	for id := range videos {
		if _, ok := c.titles[id]; ok {
			have = append(have, id)
		} else {
			missing = append(missing, id)
		}
	}
	c.mu.Unlock()
	sort.Strings(missing)
	for len(missing) > 0 {
		n := min(len(missing), 50)
		ids := missing[:n]
		missing = missing[n:]
		if err := c.spend(w, costList, now); err != nil {
			break // context is a nicety: the comments still sync
		}
		res, err := c.svc.Videos.List([]string{"snippet"}).Id(ids...).Context(ctx).Do()
		if err = mapError("videos.list", err); err != nil {
			return nil, err
		}
		c.mu.Lock()
		for _, v := range res.Items {
			if v.Snippet == nil {
				continue
			}
			c.titles[v.Id] = inbox.Post{ExternalID: v.Id, Text: v.Snippet.Title, Permalink: watchURL(v.Id, ""),
				CreatedAt: parseTime(v.Snippet.PublishedAt),
				Author:    inbox.Author{ID: v.Snippet.ChannelId, Name: v.Snippet.ChannelTitle}}
			have = append(have, v.Id)
		}
		c.mu.Unlock()
	}
	sort.Strings(have)
	var out []inbox.Post
	c.mu.Lock()
	for _, id := range have {
		out = append(out, c.titles[id])
	}
	c.mu.Unlock()
	return out, nil
}

// inbound maps one comment to a message of its thread's conversation.
func (c *Connector) inbound(thread, video string, cm *yt.Comment) inbox.Inbound {
	s := cm.Snippet
	author := inbox.Author{Name: s.AuthorDisplayName, URL: s.AuthorChannelUrl}
	if s.AuthorChannelId != nil {
		author.ID = s.AuthorChannelId.Value
	}
	if strings.HasPrefix(s.AuthorDisplayName, "@") {
		author.Handle = s.AuthorDisplayName
	}
	dir := inbox.In
	if author.ID != "" && author.ID == c.opts.ChannelID {
		dir = inbox.Out
	}
	text := s.TextDisplay // plainText asked for; textOriginal is only guaranteed to the author
	if text == "" {
		text = s.TextOriginal
	}
	published := parseTime(s.PublishedAt)
	m := inbox.Message{ExternalID: cm.Id, Direction: dir, Author: author, Text: text, CreatedAt: published,
		Permalink: watchURL(video, cm.Id)}
	if s.ParentId != "" {
		m.ParentID = s.ParentId
	}
	if up := parseTime(s.UpdatedAt); up.After(published) {
		m.EditedAt = up
	}
	return inbox.Inbound{ConversationID: thread, Kind: inbox.KindComment, PostID: video, Message: m}
}

func topComment(th *yt.CommentThread) *yt.Comment {
	if th == nil || th.Snippet == nil || th.Snippet.TopLevelComment == nil || th.Snippet.TopLevelComment.Snippet == nil {
		return nil
	}
	return th.Snippet.TopLevelComment
}

func repliesOf(r *yt.CommentThreadReplies) []*yt.Comment {
	if r == nil {
		return nil
	}
	out := make([]*yt.Comment, 0, len(r.Comments))
	for _, c := range r.Comments {
		if c != nil && c.Snippet != nil {
			out = append(out, c)
		}
	}
	// Oldest first: YouTube has served them in either order.
	sort.SliceStable(out, func(i, j int) bool {
		return parseTime(out[i].Snippet.PublishedAt).Before(parseTime(out[j].Snippet.PublishedAt))
	})
	return out
}

func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// watchURL links a video, or a comment under it.
func watchURL(video, comment string) string {
	if video == "" {
		return ""
	}
	u := "https://www.youtube.com/watch?v=" + url.QueryEscape(video)
	if comment != "" {
		u += "&lc=" + url.QueryEscape(comment)
	}
	return u
}
