package googlereviews

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"time"

	"github.com/parleyhq/parley/inbox"
	psync "github.com/parleyhq/parley/sync"
)

// Review is one review as the v4 API returns it.
type Review struct {
	Name     string `json:"name"` // accounts/{a}/locations/{l}/reviews/{id}
	ReviewID string `json:"reviewId"`
	Reviewer struct {
		ProfilePhotoURL string `json:"profilePhotoUrl"`
		DisplayName     string `json:"displayName"`
		IsAnonymous     bool   `json:"isAnonymous"`
	} `json:"reviewer"`
	StarRating  string `json:"starRating"`
	Comment     string `json:"comment"`
	CreateTime  string `json:"createTime"`
	UpdateTime  string `json:"updateTime"`
	ReviewReply *struct {
		Comment    string `json:"comment"`
		UpdateTime string `json:"updateTime"`
	} `json:"reviewReply"`
}

// reviewPage is reviews.list's answer; nextPageToken is left out on the
// last page.
type reviewPage struct {
	Reviews          []Review `json:"reviews"`
	AverageRating    float64  `json:"averageRating"`
	TotalReviewCount int      `json:"totalReviewCount"`
	NextPageToken    string   `json:"nextPageToken"`
}

// stars maps the starRating enum to 1–5 (0: unspecified or unknown).
var stars = map[string]int{"ONE": 1, "TWO": 2, "THREE": 3, "FOUR": 4, "FIVE": 5}

// cursor is what the store keeps between fetches: per location the
// newest updateTime synced and what each review said, and the walk in
// progress (one location, one page at a time).
type cursor struct {
	Locs map[string]*locState `json:"locs,omitempty"`
	At   int                  `json:"at,omitempty"`   // index of the location being walked
	Page string               `json:"page,omitempty"` // its next page
	Busy bool                 `json:"busy,omitempty"` // a round is under way
}

type locState struct {
	Newest time.Time `json:"newest,omitzero"`
	Stop   time.Time `json:"stop,omitzero"` // this round stops at it
	Top    time.Time `json:"top,omitzero"`  // newest seen this round
	// Seen is a short fingerprint of each review's text and stars (and
	// whether it had our reply), to tell its author's edits from other
	// changes (our reply also moves updateTime).
	Seen map[string]string `json:"seen,omitempty"`
}

// maxSeen bounds the fingerprints kept per location.
const maxSeen = 5000

func decodeCursor(s string) cursor {
	var c cursor
	if s != "" {
		_ = json.Unmarshal([]byte(s), &c) // unreadable: a fresh sync; messages are keyed
	}
	if c.Locs == nil {
		c.Locs = map[string]*locState{}
	}
	return c
}

func (c cursor) encode() string {
	b, _ := json.Marshal(c)
	return string(b)
}

// Fetch implements sync.Connector: one page of one location per call,
// newest change first (orderBy updateTime desc), until the change the
// last round ended at; then the next location.
func (c *Connector) Fetch(ctx context.Context, raw string) (inbox.Batch, error) {
	cur := decodeCursor(raw)
	now := c.opts.Now()
	if !cur.Busy || cur.At < 0 || cur.At >= len(c.opts.Locations) || cur.Locs[c.opts.Locations[cur.At]] == nil {
		// A new round (or the locations changed under a stored one).
		cur.Busy, cur.At, cur.Page = true, 0, ""
		c.startRound(&cur, now)
	}
	loc := c.opts.Locations[cur.At]
	st := cur.Locs[loc]
	q := url.Values{"pageSize": {"50"}, "orderBy": {"updateTime desc"}}
	if cur.Page != "" {
		q.Set("pageToken", cur.Page)
	}
	var page reviewPage
	if _, err := c.http.Do(ctx, psync.Request{Method: "GET", Path: "/v4/" + c.opts.Account + "/" + loc + "/reviews", Query: q}, &page); err != nil {
		return inbox.Batch{}, fmt.Errorf("google reviews of %s: %w", loc, err)
	}
	var b inbox.Batch
	done := page.NextPageToken == ""
	for _, r := range page.Reviews {
		if r.Name == "" {
			continue
		}
		up := parseTime(r.UpdateTime)
		if !up.After(st.Stop) {
			done = true
			if st.Newest.IsZero() {
				continue // first sync: older than the backlog
			}
		}
		if up.After(st.Top) {
			st.Top = up
		}
		items, del := c.review(st, loc, r)
		b.Items = append(b.Items, items...)
		b.Deletions = append(b.Deletions, del...)
	}
	if done {
		st.Newest = maxTime(st.Newest, st.Top)
		cur.At++
		cur.Page = ""
		if cur.At >= len(c.opts.Locations) {
			cur.Busy = false
		}
	} else {
		cur.Page = page.NextPageToken
	}
	b.More = cur.Busy
	b.Cursor = cur.encode()
	return b, nil
}

// startRound sets where each location's walk stops: the newest change
// synced, or the backlog on the first sync.
func (c *Connector) startRound(cur *cursor, now time.Time) {
	for _, loc := range c.opts.Locations {
		st := cur.Locs[loc]
		if st == nil {
			st = &locState{}
			cur.Locs[loc] = st
		}
		st.Stop, st.Top = st.Newest, time.Time{}
		if st.Stop.IsZero() {
			st.Stop = now.Add(-c.opts.Backlog)
		}
	}
}

// review maps one review: the review itself, our reply, and — when its
// author changed the text or stars since we last saw it — the new version
// as a message of its own, so the conversation reopens with the change
// (and its stars) in view and the old words still above it.
func (c *Connector) review(st *locState, loc string, r Review) ([]inbox.Inbound, []inbox.Deletion) {
	created, updated := parseTime(r.CreateTime), parseTime(r.UpdateTime)
	rating := stars[r.StarRating]
	author := inbox.Author{Name: r.Reviewer.DisplayName}
	if r.Reviewer.IsAnonymous && author.Name == "" {
		author.Name = "A Google user"
	}
	base := inbox.Inbound{ConversationID: r.Name, Kind: inbox.KindReview, PostID: loc}
	fp := fingerprint(r.Comment, r.StarRating)
	prev, known := st.Seen[r.Name]
	var out []inbox.Inbound
	var dels []inbox.Deletion
	switch {
	case !known:
		m := inbox.Message{ExternalID: r.Name, Direction: inbox.In, Author: author, Text: r.Comment, Rating: rating, CreatedAt: created}
		if updated.After(created) && r.ReviewReply == nil {
			m.EditedAt = updated // changed before we first saw it
		}
		in := base
		in.Message = m
		out = append(out, in)
	case len(prev) != len(fp)+1 || prev[:len(fp)] != fp:
		in := base
		in.Message = inbox.Message{ExternalID: r.Name + "/edit/" + strconv.FormatInt(updated.UnixMilli(), 10), ParentID: r.Name,
			Direction: inbox.In, Author: author, Text: r.Comment, Rating: rating, CreatedAt: updated, EditedAt: updated}
		out = append(out, in)
	}
	hadReply := known && len(prev) > 0 && prev[len(prev)-1] == 'r'
	mark := "-"
	if r.ReviewReply != nil {
		mark = "r"
		in := base
		in.Message = inbox.Message{ExternalID: r.Name + "/reply", ParentID: r.Name, Direction: inbox.Out,
			Author: inbox.Author{Name: "Owner"}, Text: r.ReviewReply.Comment, CreatedAt: parseTime(r.ReviewReply.UpdateTime)}
		out = append(out, in)
	} else if hadReply {
		dels = append(dels, inbox.Deletion{ExternalID: r.Name + "/reply", At: updated})
	}
	if st.Seen == nil {
		st.Seen = map[string]string{}
	}
	st.Seen[r.Name] = fp + mark
	if len(st.Seen) > maxSeen {
		keys := make([]string, 0, len(st.Seen))
		for k := range st.Seen {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys[:len(keys)-maxSeen] {
			if k != r.Name {
				delete(st.Seen, k)
			}
		}
	}
	return out, dels
}

func fingerprint(comment, stars string) string {
	h := sha256.Sum256([]byte(stars + "\x00" + comment))
	return hex.EncodeToString(h[:6])
}

// Perform implements sync.Connector: reply (create or overwrite, so a
// retry or an edit of our answer is the same call) and delete our reply.
func (c *Connector) Perform(ctx context.Context, a psync.Action) (psync.Receipt, error) {
	if a.ConversationID == "" {
		return psync.Receipt{}, psync.Permanent(errors.New("google reviews: no review to act on"))
	}
	path := "/v4/" + a.ConversationID + "/reply"
	switch a.Kind {
	case inbox.ActionReply:
		var res struct {
			Comment    string `json:"comment"`
			UpdateTime string `json:"updateTime"`
		}
		if _, err := c.http.Do(ctx, psync.Request{Method: "PUT", Path: path, JSON: map[string]string{"comment": a.Body}}, &res); err != nil {
			return psync.Receipt{}, err
		}
		return psync.Receipt{ExternalID: a.ConversationID + "/reply"}, nil
	case inbox.ActionDelete:
		_, err := c.http.Do(ctx, psync.Request{Method: "DELETE", Path: path}, nil)
		return psync.Receipt{}, err
	}
	return psync.Receipt{}, psync.Permanent(fmt.Errorf("google reviews cannot %s: a business can only answer a review", a.Kind))
}

func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
