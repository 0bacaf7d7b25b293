package vk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/parleyhq/parley/inbox"
	psync "github.com/parleyhq/parley/sync"
)

// lpServer is where the community's Bots Long Poll events wait for us
// (groups.getLongPollServer), and the position in them.
type lpServer struct {
	Server string `json:"server"`
	Key    string `json:"key"`
	TS     string `json:"ts"`
}

// lpWait is how long VK holds an a_check open when nothing happens.
const lpWait = 25

// lpEvents are the Long Poll event types parley needs switched on.
var lpEvents = []string{"message_new", "message_reply", "message_edit", "wall_reply_new", "wall_reply_edit", "wall_reply_delete",
	"wall_reply_restore", "board_post_new", "board_post_edit", "board_post_delete", "board_post_restore", "market_comment_new",
	"market_comment_edit", "market_comment_delete", "market_comment_restore"}

// startLongPoll checks that Bots Long Poll is on for the community and
// takes its current position.
func (c *Connector) startLongPoll(ctx context.Context, cur *cursor) error {
	var st struct {
		IsEnabled bool           `json:"is_enabled"`
		Events    map[string]int `json:"events"`
	}
	gid := url.Values{"group_id": {fmt.Sprint(c.opts.GroupID)}}
	if err := c.group.call(ctx, "groups.getLongPollSettings", gid, &st); err != nil {
		return err
	}
	if !st.IsEnabled {
		return errors.New("it is off for this community: turn it on in the community's Manage → API usage → Long Poll API, with API version " + Version)
	}
	var off []string
	for _, e := range lpEvents {
		if st.Events[e] != 1 {
			off = append(off, e)
		}
	}
	if len(off) > 0 {
		cur.note("Long Poll event types are off, so those items arrive only with the next poll: " + strings.Join(off, ", ") + " (Manage → API usage → Long Poll API → Event types)")
	}
	return c.newLongPollKey(ctx, cur, true)
}

func (c *Connector) newLongPollKey(ctx context.Context, cur *cursor, takeTS bool) error {
	var s lpServer
	if err := c.group.call(ctx, "groups.getLongPollServer", url.Values{"group_id": {fmt.Sprint(c.opts.GroupID)}}, &s); err != nil {
		return err
	}
	if s.Server == "" || s.Key == "" {
		return errors.New("groups.getLongPollServer answered without a server or key")
	}
	if !takeTS && cur.LP != nil {
		s.TS = cur.LP.TS
	}
	cur.LP = &s
	return nil
}

type lpAnswer struct {
	TS      json.RawMessage `json:"ts"` // a string, though older servers sent a number
	Failed  int             `json:"failed"`
	Updates []lpUpdate      `json:"updates"`
}

type lpUpdate struct {
	Type    string          `json:"type"`
	Object  json.RawMessage `json:"object"`
	GroupID int64           `json:"group_id"`
	EventID string          `json:"event_id"`
}

func tsString(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

// live makes one a_check: it returns at once with what is waiting, or
// after up to 25 s with nothing. The first check after start does not
// wait, so `parley sync --once` catches up and returns. failed 1 and 3
// mean events were lost: a catch-up pass follows.
func (c *Connector) live(ctx context.Context, cur *cursor, b *inbox.Batch, first bool) error {
	wait := lpWait
	if first {
		wait = 0
	}
	ans, err := c.check(ctx, cur.LP, wait)
	if err != nil {
		return err
	}
	now := c.now()
	switch ans.Failed {
	case 0:
	case 1: // history outdated or partly lost: continue from the new ts
		cur.LP.TS = tsString(ans.TS)
		c.catchUp(ctx, cur, now)
		return nil
	case 2: // the key expired: a new key, the same position
		return c.newLongPollKey(ctx, cur, false)
	case 3: // the information was lost: a new key and position
		if err := c.newLongPollKey(ctx, cur, true); err != nil {
			return err
		}
		c.catchUp(ctx, cur, now)
		return nil
	default:
		return fmt.Errorf("vk long poll: unknown failed=%d; starting over", ans.Failed)
	}
	if ts := tsString(ans.TS); ts != "" {
		cur.LP.TS = ts
	}
	cur.LastLive = now.Unix()
	c.applyEvents(ctx, ans.Updates, b)
	return nil
}

// catchUp starts a pass over what Long Poll may have dropped.
func (c *Connector) catchUp(ctx context.Context, cur *cursor, now time.Time) {
	since := time.Unix(cur.LastLive, 0)
	if cur.LastLive == 0 {
		since = time.Unix(cur.Start, 0)
	}
	lp := cur.LP
	c.beginPass(ctx, cur, since.Add(-overlap), now)
	cur.LP = lp
}

func (c *Connector) check(ctx context.Context, s *lpServer, wait int) (lpAnswer, error) {
	c.mu.Lock()
	hc := c.lp[s.Server]
	c.mu.Unlock()
	if hc == nil {
		var err error
		if hc, err = psync.NewHTTPClient(s.Server, false, nil); err != nil {
			return lpAnswer{}, fmt.Errorf("vk long poll: the server address VK gave is unusable: %w", err)
		}
		hc.HTTP.Timeout = time.Duration(lpWait+15) * time.Second
		api := c.anyAPI().http
		hc.Now, hc.Sleep = api.Now, api.Sleep
		c.mu.Lock()
		c.lp[s.Server] = hc
		c.mu.Unlock()
	}
	var ans lpAnswer
	_, err := hc.Do(ctx, psync.Request{Method: "GET", Path: s.Server, Query: url.Values{"act": {"a_check"}, "key": {s.Key}, "ts": {s.TS},
		"wait": {fmt.Sprint(wait)}}}, &ans)
	if err != nil {
		// The key rides in the query; scrubbed errors never show it.
		return lpAnswer{}, fmt.Errorf("vk long poll: %w", err)
	}
	return ans, nil
}

// applyEvents turns Long Poll events into inbox items. message_new carries
// {message, client_info} since 5.103; message_reply and message_edit the
// bare message. *_delete events carry only ids: they become deletions of
// what parley stored. *_edit events are dated when they arrive, as VK
// dates no comment edits.
func (c *Connector) applyEvents(ctx context.Context, ups []lpUpdate, b *inbox.Batch) {
	var authors []int64
	type decoded struct {
		kind     string
		edited   bool
		restored bool // a *_restore event: the comment is back
		cm       comment
		tc       topicComment
		mc       marketComment
		m        message
	}
	now := c.now()
	var evs []decoded
	for _, u := range ups {
		if u.GroupID != 0 && u.GroupID != c.opts.GroupID {
			continue
		}
		d := decoded{edited: strings.HasSuffix(u.Type, "_edit"), restored: strings.HasSuffix(u.Type, "_restore")}
		var err error
		switch u.Type {
		case "wall_reply_new", "wall_reply_edit", "wall_reply_restore":
			d.kind, err = "wall", json.Unmarshal(u.Object, &d.cm)
			authors = append(authors, d.cm.FromID)
		case "board_post_new", "board_post_edit", "board_post_restore":
			d.kind, err = "board", json.Unmarshal(u.Object, &d.tc)
			authors = append(authors, d.tc.FromID)
		case "market_comment_new", "market_comment_edit", "market_comment_restore":
			d.kind, err = "market", json.Unmarshal(u.Object, &d.mc)
			authors = append(authors, d.mc.FromID)
		case "message_new":
			var o struct {
				Message message `json:"message"`
			}
			err = json.Unmarshal(u.Object, &o)
			d.kind, d.m = "dm", o.Message
			authors = append(authors, d.m.FromID)
		case "message_reply", "message_edit":
			d.kind, err = "dm", json.Unmarshal(u.Object, &d.m)
		case "wall_reply_delete", "board_post_delete", "market_comment_delete":
			if id := c.deletedID(u); id != "" {
				b.Deletions = append(b.Deletions, inbox.Deletion{ExternalID: id, At: now})
			}
			continue
		default:
			continue // not ours
		}
		if err != nil {
			continue // one malformed event must not stop the stream
		}
		evs = append(evs, d)
	}
	c.lookupNames(ctx, authors)
	topics, items := map[int]bool{}, map[int]bool{}
	for _, d := range evs {
		var edited time.Time
		if d.edited {
			edited = now
		}
		before := len(b.Items)
		switch d.kind {
		case "wall":
			if it, ok := c.wallItem(d.cm, edited); ok {
				b.Items = append(b.Items, it)
			}
		case "board":
			if d.tc.TopicOwnerID != 0 && d.tc.TopicOwnerID != c.ownerID() || d.tc.TopicID == 0 {
				continue
			}
			if !topics[d.tc.TopicID] {
				topics[d.tc.TopicID] = true
				b.Posts = append(b.Posts, c.eventTopic(ctx, d.tc.TopicID))
			}
			b.Items = append(b.Items, c.boardItem(d.tc, edited))
		case "market":
			item := d.mc.item()
			if d.mc.MarketOwnerID != 0 && d.mc.MarketOwnerID != c.ownerID() || item == 0 {
				continue
			}
			if !items[item] {
				items[item] = true
				b.Posts = append(b.Posts, c.eventItem(ctx, item))
			}
			c.addMarket(b, item, d.mc.comment, edited, now)
		case "dm":
			if d.m.ID != 0 && d.m.PeerID != 0 {
				b.Items = append(b.Items, c.dmItem(d.m))
			}
		}
		if d.restored {
			for _, it := range b.Items[before:] {
				b.Deletions = append(b.Deletions, inbox.Deletion{ExternalID: it.Message.ExternalID, At: now, Restored: true})
			}
		}
	}
}

// deletedID is the stored id of what a *_delete event removed, "" when
// the event is not about this community or is malformed.
func (c *Connector) deletedID(u lpUpdate) string {
	var o struct {
		OwnerID      int64 `json:"owner_id"`
		TopicOwnerID int64 `json:"topic_owner_id"`
		ID           int64 `json:"id"`
		PostID       int   `json:"post_id"`
		TopicID      int   `json:"topic_id"`
		ItemID       int   `json:"item_id"`
	}
	if json.Unmarshal(u.Object, &o) != nil || o.ID == 0 {
		return ""
	}
	switch {
	case u.Type == "wall_reply_delete" && o.PostID != 0 && (o.OwnerID == 0 || o.OwnerID == c.ownerID()):
		return wallMsg(o.PostID, o.ID)
	case u.Type == "board_post_delete" && o.TopicID != 0 && (o.TopicOwnerID == 0 || o.TopicOwnerID == c.ownerID() || o.TopicOwnerID == c.opts.GroupID):
		// The schema gives topic_owner_id a minimum of 0 here, unlike in
		// board_post_new: either sign names this community.
		return boardMsg(o.TopicID, o.ID)
	case u.Type == "market_comment_delete" && o.ItemID != 0 && (o.OwnerID == 0 || o.OwnerID == c.ownerID()):
		return marketMsg(o.ItemID, o.ID)
	}
	return ""
}

// eventTopic is the context of a board event: the topic's title when a
// user token can read it.
func (c *Connector) eventTopic(ctx context.Context, id int) inbox.Post {
	if c.user != nil {
		var pg topicsPage
		if c.user.call(ctx, "board.getTopics", url.Values{"group_id": {fmt.Sprint(c.opts.GroupID)}, "topic_ids": {fmt.Sprint(id)}}, &pg) == nil && len(pg.Items) == 1 {
			return c.topicPost(pg.Items[0])
		}
	}
	return inbox.Post{ExternalID: c.topicID(id), Text: fmt.Sprintf("Discussion topic %d", id),
		Permalink: fmt.Sprintf("https://vk.com/topic%d_%d", c.ownerID(), id)}
}
