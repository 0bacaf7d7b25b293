package vk

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/parleyhq/parley/inbox"
)

type topicsPage struct {
	Count    int       `json:"count"`
	Items    []topic   `json:"items"`
	Profiles []profile `json:"profiles"`
	Groups   []group   `json:"groups"`
}

type boardCommentsPage struct {
	Count    int            `json:"count"`
	Items    []topicComment `json:"items"`
	Profiles []profile      `json:"profiles"`
	Groups   []group        `json:"groups"`
}

// fetchBoards reads the next page of discussion topics, most recently
// updated first, and the comments of each topic changed since the pass
// began; each topic is one conversation with its title as the context.
func (c *Connector) fetchBoards(ctx context.Context, cur *cursor, b *inbox.Batch) (bool, error) {
	var pg topicsPage
	err := c.user.call(ctx, "board.getTopics", url.Values{"group_id": {fmt.Sprint(c.opts.GroupID)}, "order": {"1"},
		"offset": {strconv.Itoa(cur.Offset)}, "count": {strconv.Itoa(postsPerPage)}, "extended": {"1"}}, &pg)
	if err != nil {
		return false, err
	}
	c.addPeople(pg.Profiles, pg.Groups)
	done := len(pg.Items) == 0 || cur.Offset+len(pg.Items) >= pg.Count
	for _, t := range pg.Items {
		if t.Updated < cur.Since {
			done = true
			break
		}
		key := "t" + strconv.Itoa(t.ID)
		if seen, ok := cur.Seen[key]; ok && seen == t.Comments {
			continue
		}
		cs, err := c.topicComments(ctx, t.ID, cur.Since)
		if err != nil {
			return false, err
		}
		b.Posts = append(b.Posts, c.topicPost(t))
		for _, cm := range cs {
			cm.TopicID = t.ID
			b.Items = append(b.Items, c.boardItem(cm, time.Time{}))
		}
		if cur.Seen == nil {
			cur.Seen = map[string]int{}
		}
		cur.Seen[key] = t.Comments
	}
	cur.Offset += len(pg.Items)
	return done, nil
}

func (c *Connector) topicPost(t topic) inbox.Post {
	return inbox.Post{ExternalID: c.topicID(t.ID), Author: c.author(t.CreatedBy), Text: t.Title,
		Permalink: fmt.Sprintf("https://vk.com/topic%d_%d", c.ownerID(), t.ID), CreatedAt: unix(t.Created)}
}

// topicComments reads a topic newest first until comments older than
// since, and returns them oldest first.
func (c *Connector) topicComments(ctx context.Context, topicID int, since int64) ([]topicComment, error) {
	return newestBack(func(offset int) ([]topicComment, int, error) {
		var pg boardCommentsPage
		err := c.user.call(ctx, "board.getComments", url.Values{"group_id": {fmt.Sprint(c.opts.GroupID)}, "topic_id": {strconv.Itoa(topicID)},
			"offset": {strconv.Itoa(offset)}, "count": {"100"}, "sort": {"desc"}, "extended": {"1"}}, &pg)
		if err != nil {
			return nil, 0, err
		}
		c.addPeople(pg.Profiles, pg.Groups)
		return pg.Items, pg.Count, nil
	}, func(it topicComment) (int64, int64) { return it.ID, it.Date }, since)
}

// boardItem is a board comment; edited is when an edit event arrived.
func (c *Connector) boardItem(cm topicComment, edited time.Time) inbox.Inbound {
	m := inbox.Message{ExternalID: boardMsg(cm.TopicID, cm.ID), Direction: c.direction(cm.FromID), Author: c.author(cm.FromID),
		CreatedAt: unix(cm.Date), EditedAt: edited, Permalink: c.boardLink(cm.TopicID, cm.ID)}
	contentOf(cm.Text, cm.Attachments).set(&m)
	return inbox.Inbound{ConversationID: boardConv(cm.TopicID), Kind: inbox.KindComment, PostID: c.topicID(cm.TopicID), Message: m}
}
