package mastodon

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/parleyhq/parley/inbox"
	psync "github.com/parleyhq/parley/sync"
)

// cursor is the account's sync position, committed with each page.
type cursor struct {
	Me string `json:"me"` // our account id, verified once
	// Phase: "backlog" (first sync, walking back through notifications),
	// "own" (first sync, walking back through our own statuses), "live".
	Phase     string `json:"phase"`
	MaxID     string `json:"max_id,omitempty"`     // backlog phases: the page below this id comes next
	Newest    string `json:"newest,omitempty"`     // highest notification id stored
	OwnNewest string `json:"own_newest,omitempty"` // highest of our own statuses read
}

const pageLimit = 40

// notificationTypes are what the inbox reads: mentions (DMs are mentions
// with direct visibility), quotes, and edits of statuses we took part in.
var notificationTypes = []string{"mention", "quote", "update"}

// Fetch implements sync.Connector. The first sync walks back through the
// notifications (newest first, following Link rel="next") until the backlog
// limit, then through our own statuses the same way (replies we made from
// other apps), committing each page; after that each poll asks for what is
// newer than the newest of each (min_id), oldest page first.
func (c *Connector) Fetch(ctx context.Context, raw string) (inbox.Batch, error) {
	var cur cursor
	if raw != "" {
		if err := json.Unmarshal([]byte(raw), &cur); err != nil {
			return inbox.Batch{}, psync.Permanent(fmt.Errorf("mastodon: unreadable cursor %q", raw))
		}
	}
	if cur.Me == "" {
		me, err := c.Me(ctx)
		if err != nil {
			return inbox.Batch{}, err
		}
		cur = cursor{Me: me.ID, Phase: "backlog"}
	}
	c.mu.Lock()
	c.me = cur.Me
	askInstance := !c.instTried
	c.instTried = true
	c.mu.Unlock()
	if askInstance {
		// The server's status length, once per process; a failure here
		// leaves the default and is no reason to stop syncing.
		if _, err := c.discover(ctx); err != nil && ctx.Err() != nil {
			return inbox.Batch{}, ctx.Err()
		}
	}
	tb := &threadBatch{Batch: &inbox.Batch{}, me: cur.Me, posts: map[string]bool{}}
	var err error
	switch cur.Phase {
	case "backlog":
		err = c.notificationBacklog(ctx, &cur, tb)
	case "own":
		err = c.ownBacklog(ctx, &cur, tb)
	default:
		err = c.live(ctx, &cur, tb)
	}
	if err != nil {
		return inbox.Batch{}, err
	}
	enc, _ := json.Marshal(cur)
	tb.Cursor = string(enc)
	return *tb.Batch, nil
}

func (c *Connector) since() time.Time { return c.http.Now().Add(-c.opts.Backlog) }

// nextMaxID reads where a backward walk goes on, "" when it is over: no
// next link, a link that does not move, or a page reaching past the backlog.
func (c *Connector) nextMaxID(res *psync.Response, curMax string, oldest time.Time) string {
	u, err := url.Parse(res.Links["next"])
	if err != nil || res.Links["next"] == "" {
		return ""
	}
	next := u.Query().Get("max_id")
	if next == curMax || (!oldest.IsZero() && oldest.Before(c.since())) {
		return ""
	}
	return next
}

func (c *Connector) notificationBacklog(ctx context.Context, cur *cursor, tb *threadBatch) error {
	q := url.Values{"types[]": notificationTypes, "limit": {strconv.Itoa(pageLimit)}}
	if cur.MaxID != "" {
		q.Set("max_id", cur.MaxID)
	}
	var ns []notification
	res, err := c.http.Do(ctx, psync.Request{Method: "GET", Path: "/api/v1/notifications", Query: q}, &ns)
	if err != nil {
		return err
	}
	oldest, err := c.addNotifications(ctx, cur, tb, ns, true)
	if err != nil {
		return err
	}
	// An empty page can still have a next link: keep walking.
	if cur.MaxID = c.nextMaxID(res, cur.MaxID, oldest); cur.MaxID == "" {
		cur.Phase = "own"
	}
	tb.More = true // the own phase follows at once
	return nil
}

func (c *Connector) ownBacklog(ctx context.Context, cur *cursor, tb *threadBatch) error {
	q := url.Values{"limit": {strconv.Itoa(pageLimit)}, "exclude_reblogs": {"true"}}
	if cur.MaxID != "" {
		q.Set("max_id", cur.MaxID)
	}
	ss, res, err := c.ownStatuses(ctx, q)
	if err != nil {
		return err
	}
	oldest, err := c.addOwn(ctx, cur, tb, ss, true)
	if err != nil {
		return err
	}
	if cur.MaxID = c.nextMaxID(res, cur.MaxID, oldest); cur.MaxID == "" {
		cur.Phase = "live"
	} else {
		tb.More = true
	}
	return nil
}

// live reads what is newer than the newest notification and the newest of
// our own statuses: two requests a poll.
func (c *Connector) live(ctx context.Context, cur *cursor, tb *threadBatch) error {
	q := url.Values{"types[]": notificationTypes, "limit": {strconv.Itoa(pageLimit)}}
	if cur.Newest != "" {
		q.Set("min_id", cur.Newest)
	}
	var ns []notification
	if _, err := c.http.Do(ctx, psync.Request{Method: "GET", Path: "/api/v1/notifications", Query: q}, &ns); err != nil {
		return err
	}
	if _, err := c.addNotifications(ctx, cur, tb, ns, false); err != nil {
		return err
	}
	oq := url.Values{"limit": {strconv.Itoa(pageLimit)}, "exclude_reblogs": {"true"}}
	if cur.OwnNewest != "" {
		oq.Set("min_id", cur.OwnNewest)
	}
	ss, _, err := c.ownStatuses(ctx, oq)
	if err != nil {
		return err
	}
	if _, err := c.addOwn(ctx, cur, tb, ss, false); err != nil {
		return err
	}
	tb.More = len(ns) >= pageLimit || len(ss) >= pageLimit
	return nil
}

func (c *Connector) ownStatuses(ctx context.Context, q url.Values) ([]status, *psync.Response, error) {
	var ss []status
	res, err := c.http.Do(ctx, psync.Request{Method: "GET", Path: "/api/v1/accounts/" + url.PathEscape(c.meID()) + "/statuses", Query: q}, &ss)
	if err != nil && res != nil && res.Status == http.StatusNotFound {
		// A server of the API without account timelines: our replies from
		// other apps cannot be read there, the rest works.
		return nil, &psync.Response{Links: map[string]string{}}, nil
	}
	return ss, res, err
}

func (c *Connector) meID() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.me
}

// addNotifications files a page of notifications and returns the time of
// the oldest one on it.
func (c *Connector) addNotifications(ctx context.Context, cur *cursor, tb *threadBatch, ns []notification, backlog bool) (time.Time, error) {
	var oldest time.Time
	for _, n := range ns {
		if n.ID == "" {
			continue
		}
		if cur.Newest == "" || idLess(cur.Newest, n.ID) {
			cur.Newest = n.ID
		}
		if oldest.IsZero() || n.CreatedAt.Before(oldest) {
			oldest = n.CreatedAt
		}
		if backlog && n.CreatedAt.Before(c.since()) {
			continue // older than the first sync reaches back
		}
		if err := c.addNotification(ctx, tb, n); err != nil {
			return oldest, err
		}
	}
	return oldest, nil
}

// addNotification files the status a notification is about: a mention or
// quote starts or joins a conversation; an edit ("update") only updates
// what is stored.
func (c *Connector) addNotification(ctx context.Context, tb *threadBatch, n notification) error {
	if n.Status == nil || n.Status.ID == "" {
		return nil
	}
	switch n.Type {
	case "mention", "quote":
		return c.add(ctx, tb, *n.Status, false)
	case "update":
		return c.add(ctx, tb, *n.Status, true)
	}
	return nil
}

// addOwn files our own statuses that answer someone (from this app or any
// other) into the conversations they answer, so "needs reply" is true.
func (c *Connector) addOwn(ctx context.Context, cur *cursor, tb *threadBatch, ss []status, backlog bool) (time.Time, error) {
	var oldest time.Time
	for _, s := range ss {
		if s.ID == "" {
			continue
		}
		if cur.OwnNewest == "" || idLess(cur.OwnNewest, s.ID) {
			cur.OwnNewest = s.ID
		}
		if oldest.IsZero() || s.CreatedAt.Before(oldest) {
			oldest = s.CreatedAt
		}
		if backlog && s.CreatedAt.Before(c.since()) {
			continue
		}
		if err := c.addOwnStatus(ctx, tb, s); err != nil {
			return oldest, err
		}
	}
	return oldest, nil
}

// addOwnStatus files one of our statuses if it answers someone.
func (c *Connector) addOwnStatus(ctx context.Context, tb *threadBatch, s status) error {
	if s.Account.ID != tb.me || (s.replyTo() == "" && s.Visibility != "direct") {
		return nil // a post of ours, not an answer
	}
	return c.add(ctx, tb, s, true)
}
