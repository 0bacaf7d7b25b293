package vk

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// postsPerPage is how many posts one Fetch looks at: each may cost a few
// wall.getComments calls at 3 requests a second.
const postsPerPage = 10

// maxPages bounds any one listing, against a server that never ends it.
const maxPages = 100

type wallPage struct {
	Count    int       `json:"count"`
	Items    []post    `json:"items"`
	Profiles []profile `json:"profiles"`
	Groups   []group   `json:"groups"`
}

type commentsPage struct {
	Count             int       `json:"count"`
	CurrentLevelCount int       `json:"current_level_count"`
	Items             []comment `json:"items"`
	Profiles          []profile `json:"profiles"`
	Groups            []group   `json:"groups"`
}

// fetchWall reads the next page of the community's posts and, for each
// post of the backlog window whose comment count changed, all its
// comments. Pinned posts come first whatever their age.
func (c *Connector) fetchWall(ctx context.Context, cur *cursor, b *inbox.Batch) (bool, error) {
	var pg wallPage
	// The 5.199 schema lists only domain for wall.get; VK still takes the
	// documented owner_id, which every client sends.
	err := c.user.call(ctx, "wall.get", url.Values{"owner_id": {fmt.Sprint(c.ownerID())}, "offset": {strconv.Itoa(cur.Offset)},
		"count": {strconv.Itoa(postsPerPage)}, "filter": {"all"}, "extended": {"1"}, "fields": {"screen_name"}}, &pg)
	if err != nil {
		return false, err
	}
	c.addPeople(pg.Profiles, pg.Groups)
	cutoff := c.now().Add(-c.opts.Backlog).Unix()
	done := len(pg.Items) == 0 || cur.Offset+len(pg.Items) >= pg.Count
	for _, p := range pg.Items {
		if p.Date < cutoff && p.IsPinned == 0 {
			done = true
			break
		}
		n := 0
		if p.Comments != nil {
			n = p.Comments.Count
		}
		key := "p" + strconv.Itoa(p.ID)
		if seen, ok := cur.Seen[key]; (ok && seen == n) || n == 0 {
			continue
		}
		cs, err := c.postComments(ctx, p.ID)
		if err != nil {
			return false, err
		}
		b.Posts = append(b.Posts, inbox.Post{ExternalID: c.postID(p.ID), Author: c.author(p.FromID), Text: postText(p.Text, p.Attachments),
			Permalink: fmt.Sprintf("https://vk.com/wall%d_%d", c.ownerID(), p.ID), CreatedAt: unix(p.Date)})
		for _, cm := range cs {
			c.addWall(b, cm, c.now())
		}
		if cur.Seen == nil {
			cur.Seen = map[string]int{}
		}
		cur.Seen[key] = n
	}
	cur.Offset += len(pg.Items)
	return done, nil
}

// postComments returns every comment under a post, top-level comments
// with their replies folded in (VK keeps two levels). A thread longer than
// the ten replies that ride along is read with comment_id.
func (c *Connector) postComments(ctx context.Context, postID int) ([]comment, error) {
	var out []comment
	top, err := c.commentList(ctx, postID, 0)
	if err != nil {
		return nil, err
	}
	for _, t := range top {
		out = append(out, t)
		if t.Thread == nil {
			continue
		}
		replies := t.Thread.Items
		if t.Thread.Count > len(replies) {
			if replies, err = c.commentList(ctx, postID, t.ID); err != nil {
				return nil, err
			}
		}
		for _, r := range replies {
			if len(r.ParentsStack) == 0 {
				r.ParentsStack = []int64{t.ID}
			}
			if r.PostID == 0 {
				r.PostID = postID
			}
			out = append(out, r)
		}
	}
	return out, nil
}

// commentList pages through one level: the post's top-level comments
// (thread 0) or the replies under one comment, oldest first.
func (c *Connector) commentList(ctx context.Context, postID int, thread int64) ([]comment, error) {
	var out []comment
	seen := map[int64]bool{}
	offset := 0
	for i := 0; i < maxPages; i++ {
		q := url.Values{"owner_id": {fmt.Sprint(c.ownerID())}, "post_id": {strconv.Itoa(postID)}, "count": {"100"},
			"offset": {strconv.Itoa(offset)}, "sort": {"asc"}, "preview_length": {"0"}, "extended": {"1"}, "fields": {"screen_name"}}
		if thread == 0 {
			q.Set("thread_items_count", "10")
		} else {
			q.Set("comment_id", strconv.FormatInt(thread, 10))
		}
		var pg commentsPage
		if err := c.user.call(ctx, "wall.getComments", q, &pg); err != nil {
			return nil, err
		}
		c.addPeople(pg.Profiles, pg.Groups)
		fresh := 0
		for _, cm := range pg.Items {
			if !seen[cm.ID] {
				seen[cm.ID] = true
				fresh++
				if cm.PostID == 0 {
					cm.PostID = postID
				}
				out = append(out, cm)
			}
		}
		total := pg.CurrentLevelCount
		if total == 0 || thread != 0 {
			total = pg.Count
		}
		offset += len(pg.Items)
		// A page of nothing new (VK shifting under us, or a repeated page) ends it too.
		if len(pg.Items) == 0 || fresh == 0 || offset >= total {
			break
		}
	}
	return out, nil
}

// wallItem turns a wall comment into an inbox item: one conversation per
// top-level comment, the post as its context. A deleted comment VK keeps
// as a placeholder (it has replies) carries no text: it is not an item.
// edited is when an edit event arrived (VK dates no edits of comments).
func (c *Connector) wallItem(cm comment, edited time.Time) (inbox.Inbound, bool) {
	if cm.Deleted || cm.ID == 0 || cm.PostID == 0 {
		return inbox.Inbound{}, false
	}
	top := cm.ID
	if len(cm.ParentsStack) > 0 {
		top = cm.ParentsStack[0]
	}
	parent := ""
	switch {
	case cm.ReplyToComment != 0:
		parent = wallMsg(cm.PostID, cm.ReplyToComment)
	case top != cm.ID:
		parent = wallMsg(cm.PostID, top)
	}
	m := inbox.Message{ExternalID: wallMsg(cm.PostID, cm.ID), ParentID: parent, Direction: c.direction(cm.FromID),
		Author: c.author(cm.FromID), CreatedAt: unix(cm.Date), EditedAt: edited, Permalink: c.wallLink(cm.PostID, cm.ID, top)}
	contentOf(cm.Text, cm.Attachments).set(&m)
	return inbox.Inbound{ConversationID: wallConv(cm.PostID, top), Kind: inbox.KindComment, PostID: c.postID(cm.PostID), Message: m}, true
}

// addWall puts a listed comment into the batch: the comment, or, for VK's
// deleted placeholder, the deletion of what parley stored of it.
func (c *Connector) addWall(b *inbox.Batch, cm comment, at time.Time) {
	if cm.Deleted && cm.ID != 0 && cm.PostID != 0 {
		b.Deletions = append(b.Deletions, inbox.Deletion{ExternalID: wallMsg(cm.PostID, cm.ID), At: at})
		return
	}
	if it, ok := c.wallItem(cm, time.Time{}); ok {
		b.Items = append(b.Items, it)
	}
}
