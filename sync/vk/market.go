package vk

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/parleyhq/parley/inbox"
	psync "github.com/parleyhq/parley/sync"
)

// Market (shop) item comments: one conversation per item, the item as its
// context. Every market method takes only a user token.

type marketItem struct {
	ID          int    `json:"id"`
	OwnerID     int64  `json:"owner_id"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Date        int64  `json:"date"`
	ThumbPhoto  string `json:"thumb_photo"`
}

type marketPage struct {
	Count int          `json:"count"`
	Items []marketItem `json:"items"`
}

// marketComment is a market_comment_new/edit/restore event's object
// (callback_market_comment): a comment with the item's owner. The 5.199
// schema names the item photo_id; VK's documentation says item_id. Both
// are read, item_id first.
type marketComment struct {
	comment
	MarketOwnerID int64 `json:"market_owner_id"`
	ItemID        int   `json:"item_id"`
	PhotoID       int   `json:"photo_id"`
}

func (m marketComment) item() int {
	if m.ItemID != 0 {
		return m.ItemID
	}
	return m.PhotoID
}

func marketConv(item int) string          { return fmt.Sprintf("market:%d", item) }
func marketMsg(item int, id int64) string { return fmt.Sprintf("market:%d:%d", item, id) }
func (c *Connector) productID(item int) string {
	return fmt.Sprintf("product%d_%d", c.ownerID(), item)
}
func (c *Connector) productLink(item int) string { return "https://vk.com/" + c.productID(item) }

// fetchMarket reads the next page of the community's items and, for each,
// the comments written since the pass began. VK tells neither when an
// item was last commented nor how often, so every item is asked; Long Poll
// brings new comments between passes.
func (c *Connector) fetchMarket(ctx context.Context, cur *cursor, b *inbox.Batch) (bool, error) {
	var pg marketPage
	err := c.user.call(ctx, "market.get", url.Values{"owner_id": {fmt.Sprint(c.ownerID())}, "offset": {strconv.Itoa(cur.Offset)},
		"count": {strconv.Itoa(postsPerPage)}}, &pg)
	if err != nil {
		return false, err
	}
	for _, it := range pg.Items {
		cs, err := c.marketComments(ctx, it.ID, cur.Since)
		if err != nil {
			return false, err
		}
		if len(cs) == 0 {
			continue
		}
		b.Posts = append(b.Posts, c.marketPost(it))
		for _, cm := range cs {
			c.addMarket(b, it.ID, cm, time.Time{}, c.now())
		}
	}
	cur.Offset += len(pg.Items)
	return len(pg.Items) == 0 || cur.Offset >= pg.Count, nil
}

func (c *Connector) marketPost(it marketItem) inbox.Post {
	text := it.Title
	if it.Description != "" {
		text += "\n" + psync.Truncate(it.Description, 500)
	}
	return inbox.Post{ExternalID: c.productID(it.ID), Author: c.author(c.ownerID()), Text: text, Permalink: c.productLink(it.ID), CreatedAt: unix(it.Date)}
}

// marketComments reads an item's comments newest first down to since and
// returns them oldest first.
func (c *Connector) marketComments(ctx context.Context, item int, since int64) ([]comment, error) {
	return newestBack(func(offset int) ([]comment, int, error) {
		var pg commentsPage
		err := c.user.call(ctx, "market.getComments", url.Values{"owner_id": {fmt.Sprint(c.ownerID())}, "item_id": {strconv.Itoa(item)},
			"offset": {strconv.Itoa(offset)}, "count": {"100"}, "sort": {"desc"}, "extended": {"1"}, "fields": {"screen_name"}}, &pg)
		if err != nil {
			return nil, 0, err
		}
		c.addPeople(pg.Profiles, pg.Groups)
		return pg.Items, pg.Count, nil
	}, func(it comment) (int64, int64) { return it.ID, it.Date }, since)
}

// addMarket puts one item comment (or VK's deleted placeholder of it, as
// deleted at now) into the batch; edited is when an edit event arrived.
func (c *Connector) addMarket(b *inbox.Batch, item int, cm comment, edited, now time.Time) {
	if cm.ID == 0 || item == 0 {
		return
	}
	if cm.Deleted {
		b.Deletions = append(b.Deletions, inbox.Deletion{ExternalID: marketMsg(item, cm.ID), At: now})
		return
	}
	m := inbox.Message{ExternalID: marketMsg(item, cm.ID), Direction: c.direction(cm.FromID), Author: c.author(cm.FromID),
		CreatedAt: unix(cm.Date), EditedAt: edited, Permalink: c.productLink(item)}
	if cm.ReplyToComment != 0 {
		m.ParentID = marketMsg(item, cm.ReplyToComment)
	}
	contentOf(cm.Text, cm.Attachments).set(&m)
	b.Items = append(b.Items, inbox.Inbound{ConversationID: marketConv(item), Kind: inbox.KindComment, PostID: c.productID(item), Message: m})
}

// eventItem is the context of a market event: the item's title when a
// user token can read it.
func (c *Connector) eventItem(ctx context.Context, item int) inbox.Post {
	if c.user != nil {
		var res struct {
			Items []marketItem `json:"items"`
		}
		if c.user.call(ctx, "market.getById", url.Values{"item_ids": {fmt.Sprintf("%d_%d", c.ownerID(), item)}}, &res) == nil && len(res.Items) == 1 {
			return c.marketPost(res.Items[0])
		}
	}
	return inbox.Post{ExternalID: c.productID(item), Text: fmt.Sprintf("Market item %d", item), Permalink: c.productLink(item)}
}
