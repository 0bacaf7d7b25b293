package ok

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// The group's topics (mediatopic.getTopics) and their comments
// (discussions.getComments with discussionType GROUP_TOPIC). Both page by
// anchor, not offset: an anchor is an opaque position the answer hands
// back, and reading FORWARD from the anchor of the newest comment read
// returns only what was written since.

type mediaTopic struct {
	ID        string `json:"id"`
	CreatedMS int64  `json:"created_ms"`
	AuthorRef string `json:"author_ref"` // "group:…" or "user:…"
	Media     []struct {
		Type string `json:"type"` // text, photo, link, poll, …
		Text string `json:"text"`
		URL  string `json:"url"`
	} `json:"media"`
	Discussion *struct {
		CommentsCount int `json:"comments_count"`
	} `json:"discussion_summary"`
}

type topicsPage struct {
	Topics  []mediaTopic `json:"media_topics"`
	Anchor  string       `json:"anchor"`
	HasMore bool         `json:"has_more"`
}

type okComment struct {
	ID               string `json:"id"`
	Text             string `json:"text"`
	AuthorID         string `json:"author_id"`
	AuthorName       string `json:"author_name"`
	AuthorType       string `json:"author_type"` // USER or GROUP
	CreatedMS        int64  `json:"created_ms"`
	Date             string `json:"date"` // "2006-01-02 15:04:05", Moscow time, when created_ms is absent
	ReplyToCommentID string `json:"reply_to_comment_id"`
	Deleted          bool   `json:"deleted"` // with includeRemoved=true
}

type commentsPage struct {
	Comments []okComment `json:"comments"`
	Anchor   string      `json:"anchor"`
	HasMore  bool        `json:"has_more"`
	Entities struct {
		Users []struct {
			UID  string `json:"uid"`
			Name string `json:"name"`
		} `json:"users"`
	} `json:"entities"`
}

// moscow is OK's server time: comment dates without created_ms are local
// to it. Moscow keeps UTC+3 all year since 2014.
var moscow = time.FixedZone("MSK", 3*60*60)

func (cm okComment) created() time.Time {
	if cm.CreatedMS > 0 {
		return time.UnixMilli(cm.CreatedMS).UTC()
	}
	if t, err := time.ParseInLocation("2006-01-02 15:04:05", cm.Date, moscow); err == nil {
		return t.UTC()
	}
	return time.Time{}
}

// topicState is what parley remembers of a topic between passes.
type topicState struct {
	Anchor string `json:"a,omitempty"` // after the newest comment read
	Count  int    `json:"n,omitempty"` // comments_count when last read
	// Roots maps a reply to the top-level comment whose conversation it
	// joins (top-level comments are not listed).
	Roots map[string]string `json:"r,omitempty"`
	Seen  int64             `json:"s"` // unix seconds of the pass that last listed it
}

// topicsPerPage is how many topics one Fetch looks at.
const topicsPerPage = 10

// maxPages bounds any one listing against a server that never ends it.
const maxPages = 50

// fetchTopics reads the next page of topics and the new comments of each
// topic created within the backlog window.
func (c *Connector) fetchTopics(ctx context.Context, cur *cursor, b *inbox.Batch) (bool, error) {
	q := url.Values{"gid": {c.opts.GroupID}, "count": {strconv.Itoa(topicsPerPage)}}
	if cur.Anchor != "" {
		q.Set("anchor", cur.Anchor) // the next (older) page, newest first
	}
	var pg topicsPage
	if err := c.rest.call(ctx, "mediatopic.getTopics", q, &pg); err != nil {
		return false, err
	}
	cutoff := c.now().Add(-c.opts.Backlog)
	done := !pg.HasMore || pg.Anchor == "" || pg.Anchor == cur.Anchor || len(pg.Topics) == 0
	for _, t := range pg.Topics {
		if t.ID == "" {
			continue
		}
		if time.UnixMilli(t.CreatedMS).Before(cutoff) {
			done = true
			break
		}
		st := cur.Topics[t.ID]
		st.Seen = cur.Start
		n := -1
		if t.Discussion != nil {
			n = t.Discussion.CommentsCount
		}
		if st.Anchor != "" && n >= 0 && n == st.Count || n == 0 {
			cur.setTopic(t.ID, st)
			continue
		}
		if err := c.readComments(ctx, t, &st, cutoff, b); err != nil {
			return false, err
		}
		st.Count = n
		cur.setTopic(t.ID, st)
	}
	cur.Anchor = pg.Anchor
	return done, nil
}

// readComments reads a topic's comments forward from where the last pass
// stopped (from the start the first time, keeping only those within the
// backlog) and adds them, with the topic as their context.
func (c *Connector) readComments(ctx context.Context, t mediaTopic, st *topicState, cutoff time.Time, b *inbox.Batch) error {
	anchor := st.Anchor
	var items []inbox.Inbound
	seen := map[string]bool{}
	for i := 0; i < maxPages; i++ {
		q := url.Values{"discussionId": {t.ID}, "discussionType": {"GROUP_TOPIC"}, "count": {"100"}, "direction": {"FORWARD"}}
		if anchor != "" {
			q.Set("anchor", anchor)
		}
		var pg commentsPage
		if err := c.rest.call(ctx, "discussions.getComments", q, &pg); err != nil {
			return err
		}
		names := map[string]string{}
		for _, u := range pg.Entities.Users {
			names[u.UID] = u.Name
		}
		fresh := 0
		for _, cm := range pg.Comments {
			if cm.ID == "" || seen[cm.ID] {
				continue
			}
			seen[cm.ID] = true
			fresh++
			root := cm.ID
			if cm.ReplyToCommentID != "" {
				root = cm.ReplyToCommentID
				if r, ok := st.Roots[root]; ok {
					root = r
				}
				if st.Roots == nil {
					st.Roots = map[string]string{}
				}
				st.Roots[cm.ID] = root
			}
			if cm.created().Before(cutoff) {
				continue
			}
			if cm.AuthorName == "" {
				cm.AuthorName = names[cm.AuthorID]
			}
			items = append(items, c.commentItem(t.ID, root, cm))
		}
		if pg.Anchor != "" {
			anchor = pg.Anchor
		}
		// A page of nothing new (a repeated page) ends it as surely as has_more.
		if !pg.HasMore || pg.Anchor == "" || fresh == 0 {
			break
		}
	}
	st.Anchor = anchor
	if len(items) > 0 {
		b.Posts = append(b.Posts, c.topicPost(t))
		b.Items = append(b.Items, items...)
	}
	return nil
}

func (c *Connector) topicPost(t mediaTopic) inbox.Post {
	var parts []string
	for _, m := range t.Media {
		switch {
		case m.Type == "text" && m.Text != "":
			parts = append(parts, m.Text)
		case m.URL != "":
			parts = append(parts, "["+m.Type+"] "+m.URL)
		case m.Type != "text":
			parts = append(parts, "["+m.Type+"]")
		}
	}
	return inbox.Post{ExternalID: c.postID(t.ID), Author: c.refAuthor(t.AuthorRef, ""), Text: strings.Join(parts, "\n"),
		Permalink: c.topicLink(t.ID), CreatedAt: time.UnixMilli(t.CreatedMS).UTC()}
}

// commentItem is one comment: one conversation per top-level comment, its
// replies folded in. Comments the group wrote are outbound.
func (c *Connector) commentItem(topic, root string, cm okComment) inbox.Inbound {
	dir, ref := inbox.In, "user:"+cm.AuthorID
	if cm.AuthorType == "GROUP" || cm.AuthorID == c.opts.GroupID {
		dir, ref = inbox.Out, "group:"+c.opts.GroupID
	}
	m := inbox.Message{ExternalID: topicMsg(topic, cm.ID), Direction: dir, Author: c.refAuthor(ref, cm.AuthorName), Text: cm.Text,
		CreatedAt: cm.created(), Permalink: c.topicLink(topic)}
	if cm.ReplyToCommentID != "" {
		m.ParentID = topicMsg(topic, cm.ReplyToCommentID)
	}
	return inbox.Inbound{ConversationID: topicConv(topic, root), Kind: inbox.KindComment, PostID: c.postID(topic), Message: m}
}

// refAuthor is an author from OK's "user:123" / "group:456" reference.
func (c *Connector) refAuthor(ref, name string) inbox.Author {
	kind, id, _ := strings.Cut(ref, ":")
	a := inbox.Author{ID: id, Name: name}
	switch kind {
	case "group":
		a.URL = "https://ok.ru/group/" + id
		if a.Name == "" {
			a.Name = "group " + id
		}
	default:
		a.URL = "https://ok.ru/profile/" + id
		if a.Name == "" {
			a.Name = "user " + id
		}
	}
	return a
}

// jsonString reads an answer that is a bare JSON string (a new comment's id).
func jsonString(raw json.RawMessage) string {
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
