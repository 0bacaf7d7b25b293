package x

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley/inbox"
	psync "github.com/parleyhq/parley/sync"
)

// cursor is the account's position, stored with every batch.
type cursor struct {
	// SinceID is the newest mention of the last complete pass.
	SinceID string `json:"since_id,omitempty"`
	// Start bounds the first pass (no SinceID yet) by time, RFC 3339.
	Start string `json:"start,omitempty"`
	// Resume and Pending carry a pass that stopped between pages (page
	// limit, spend, restart): the next fetch goes on from Resume and, once
	// done, makes Pending the SinceID. Nothing between is skipped.
	Resume  string   `json:"resume,omitempty"`
	Pending string   `json:"pending,omitempty"`
	Spend   Ledger   `json:"spend"`
	DM      dmCursor `json:"dm"`
	Note    string   `json:"note,omitempty"` // the account's note as last set
}

func parseCursor(raw string) (cursor, error) {
	var cur cursor
	if raw == "" {
		return cur, nil
	}
	if err := json.Unmarshal([]byte(raw), &cur); err != nil {
		return cursor{}, psync.Permanent(fmt.Errorf("x: unreadable cursor %q", psync.Truncate(raw, 80)))
	}
	return cur, nil
}

const maxPages = 8 // X reaches back 800 mentions: 8 pages of 100

// The fields every read asks for: the mention, its author, and the post
// it answers (for the thread's context).
var (
	tweetFields = "created_at,author_id,conversation_id,in_reply_to_user_id,referenced_tweets"
	expansions  = "author_id,referenced_tweets.id"
	userFields  = "username,name"
)

// Fetch implements sync.Connector: the mentions after the cursor, as far
// as the spend allows.
func (c *Connector) Fetch(ctx context.Context, raw string) (inbox.Batch, error) {
	cur, err := parseCursor(raw)
	if err != nil {
		return inbox.Batch{}, err
	}
	now := time.Now()
	c.spend.restore(cur.Spend, now)
	var b inbox.Batch
	// DMs first: their reads are rationed by X's request limit, and a
	// failure here costs no mention read twice.
	if c.opts.DirectMessages {
		if err := c.dms(ctx, &cur, &b); err != nil {
			return inbox.Batch{}, err
		}
	}
	if err := c.mentions(ctx, &cur, &b); err != nil {
		return inbox.Batch{}, err
	}
	// The account's note carries the month's estimate (`parley accounts`
	// shows it), and why reads paused when they did.
	cur.Spend = c.spend.snapshot(time.Now())
	note := fmt.Sprintf("X: estimated spend this month %s of max_monthly_spend %s", cur.Spend.Spent, dollars(c.opts.MaxSpend))
	if stop := c.spend.readStop(time.Now()); stop != "" {
		note = stop + " (" + strings.TrimPrefix(note, "X: ") + ")"
	}
	if c.opts.DirectMessages {
		note += "; " + c.dmNote(cur)
	}
	if note != cur.Note {
		cur.Note, b.Notice = note, note
	}
	enc, err := json.Marshal(cur)
	if err != nil {
		return inbox.Batch{}, err
	}
	b.Cursor = string(enc)
	return b, nil
}

// mentions reads pages newest first, back to SinceID, while the day's
// share of the spend lasts.
func (c *Connector) mentions(ctx context.Context, cur *cursor, b *inbox.Batch) error {
	if cur.SinceID == "" && cur.Start == "" {
		cur.Start = time.Now().Add(-c.opts.Backlog).UTC().Format(time.RFC3339)
	}
	each := c.opts.Prices.PostRead + c.opts.Prices.UserRead
	users := map[string]user{}
	byID := map[string]tweet{}
	var context []tweet
	for i := 0; i < maxPages; i++ {
		left := c.spend.readsLeft(time.Now())
		if left <= 0 {
			break // the notice says why; the pass resumes from the cursor
		}
		n := 100
		if each > 0 {
			n = min(max(int(left/each), 5), 100)
		}
		if c.pageMax >= 5 {
			n = min(n, c.pageMax)
		}
		q := map[string][]string{"max_results": {strconv.Itoa(n)}, "tweet.fields": {tweetFields},
			"expansions": {expansions}, "user.fields": {userFields}}
		if cur.SinceID != "" {
			q["since_id"] = []string{cur.SinceID}
		} else {
			q["start_time"] = []string{cur.Start}
		}
		if cur.Resume != "" {
			q["pagination_token"] = []string{cur.Resume}
		}
		var p page
		err := c.api.do(ctx, psync.Request{Method: "GET", Path: "/2/users/" + c.opts.UserID + "/mentions", Query: q}, &p)
		if err != nil {
			return err
		}
		c.spend.book(float64(len(p.Data)+len(p.Includes.Tweets))*c.opts.Prices.PostRead+float64(len(p.Includes.Users))*c.opts.Prices.UserRead, true, time.Now())
		for _, u := range p.Includes.Users {
			users[u.ID] = u
		}
		for _, t := range p.Data {
			if numeric(t.ID) {
				byID[t.ID] = t // a page repeated by the server files each post once
			}
		}
		context = append(context, p.Includes.Tweets...)
		if cur.Pending == "" || newer(p.Meta.NewestID, cur.Pending) {
			if numeric(p.Meta.NewestID) {
				cur.Pending = p.Meta.NewestID
			}
		}
		if p.Meta.NextToken != "" && p.Meta.NextToken == cur.Resume {
			break // the server repeats itself: the next fetch asks for the page again
		}
		if p.Meta.NextToken == "" || len(p.Data) == 0 {
			cur.Resume = ""
			if cur.Pending != "" {
				cur.SinceID, cur.Start = cur.Pending, ""
			}
			cur.Pending = ""
			break
		}
		cur.Resume = p.Meta.NextToken
	}
	c.file(byID, users, context, b)
	return nil
}

// file turns the mentions read into inbox items, oldest first, with the
// thread's first post as context where X returned it.
func (c *Connector) file(byID map[string]tweet, users map[string]user, context []tweet, b *inbox.Batch) {
	ids := make([]string, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return newer(ids[j], ids[i]) })
	roots := map[string]tweet{}
	for _, t := range context {
		if t.ID != "" && t.ID == t.ConversationID {
			roots[t.ID] = t
		}
	}
	posted := map[string]bool{}
	for _, id := range ids {
		it, ok := c.item(byID[id], users)
		if !ok {
			continue
		}
		if r, ok := roots[it.PostID]; ok && !posted[r.ID] {
			posted[r.ID] = true
			u := users[r.AuthorID]
			b.Posts = append(b.Posts, inbox.Post{ExternalID: r.ID, Author: author(r.AuthorID, u), Text: html.UnescapeString(r.Text),
				Permalink: permalink(u.Username, r.ID), CreatedAt: parseTime(r.CreatedAt)})
		}
		b.Items = append(b.Items, it)
	}
}

// item is one mention: a comment when it answers the brand, a mention
// otherwise; the brand's own posts are skipped (they come back as
// receipts of replies sent).
func (c *Connector) item(t tweet, users map[string]user) (inbox.Inbound, bool) {
	if !numeric(t.ID) || t.AuthorID == "" || t.AuthorID == c.opts.UserID {
		return inbox.Inbound{}, false
	}
	text := html.UnescapeString(t.Text) // v2 text escapes &, < and >
	if strings.TrimSpace(text) == "" {
		return inbox.Inbound{}, false
	}
	conv := t.ConversationID
	if !numeric(conv) {
		conv = t.ID
	}
	u := users[t.AuthorID]
	it := inbox.Inbound{ConversationID: convID(conv), Kind: inbox.KindMention, PostID: conv,
		Message: inbox.Message{ExternalID: t.ID, Direction: inbox.In, Author: author(t.AuthorID, u), Text: text,
			CreatedAt: parseTime(t.CreatedAt), Permalink: permalink(u.Username, t.ID), ParentID: t.replyTo()}}
	if t.InReplyToUserID == c.opts.UserID {
		it.Kind = inbox.KindComment
	}
	if it.Message.CreatedAt.IsZero() {
		it.Message.CreatedAt = time.Now()
	}
	return it, true
}

func author(id string, u user) inbox.Author {
	a := inbox.Author{ID: id, Name: u.Name}
	if u.Username != "" {
		a.Handle, a.URL = "@"+u.Username, "https://x.com/"+u.Username
	} else {
		a.URL = "https://x.com/i/user/" + id
	}
	return a
}
