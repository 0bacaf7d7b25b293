package vk

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/parleyhq/parley/inbox"
	psync "github.com/parleyhq/parley/sync"
)

// cursor is the account's sync position, committed with every page. A
// pass walks the wall, then the boards, then the community messages, one
// page per Fetch, so a restart resumes where it stopped; after a pass the
// account follows the Long Poll stream (or waits for the next pass).
type cursor struct {
	Phase  string `json:"phase"`            // wall, board, market, dm, live or idle
	Since  int64  `json:"since"`            // this pass reads items from this unix time on
	Start  int64  `json:"start"`            // when this pass began
	Offset int    `json:"offset,omitempty"` // progress within the phase
	// Seen holds the comment count of each recent post and topic when it
	// was last read, so a pass skips what has not changed.
	Seen     map[string]int `json:"seen,omitempty"`
	LP       *lpServer      `json:"lp,omitempty"`
	LastLive int64          `json:"last_live,omitempty"` // when Long Poll last answered
	NextPass int64          `json:"next_pass,omitempty"` // idle: when the next pass is due
	Notes    []string       `json:"notes,omitempty"`     // what is off, for the account's note
}

var phases = []string{"wall", "board", "market", "dm"}

// overlap re-reads a little before the last pass so that nothing written
// while it ran is missed; upserts make the re-read harmless.
const overlap = 10 * time.Minute

// Fetch implements sync.Connector.
func (c *Connector) Fetch(ctx context.Context, raw string) (inbox.Batch, error) {
	var cur cursor
	if raw != "" {
		if err := json.Unmarshal([]byte(raw), &cur); err != nil {
			return inbox.Batch{}, psync.Permanent(fmt.Errorf("vk: unreadable cursor %q", psync.Truncate(raw, 80)))
		}
	}
	c.mu.Lock()
	first := !c.started
	c.started = true
	c.mu.Unlock()
	now := c.now()
	var b inbox.Batch
	switch cur.Phase {
	case "":
		c.beginPass(ctx, &cur, now.Add(-c.opts.Backlog), now)
	case "idle":
		if !first && now.Unix() < cur.NextPass {
			if err := c.anyAPI().http.Sleep(ctx, time.Unix(cur.NextPass, 0).Sub(now)); err != nil {
				return inbox.Batch{}, err
			}
			now = c.now()
		}
		c.beginPass(ctx, &cur, time.Unix(cur.Start, 0).Add(-overlap), now)
	case "live":
		if err := c.live(ctx, &cur, &b, first); err != nil {
			return inbox.Batch{}, err
		}
		b.More = cur.Phase != "live" // lost events: a catch-up pass follows at once
		return c.finish(&cur, b)
	}
	done, err := c.runPhase(ctx, &cur, &b)
	if err != nil {
		return inbox.Batch{}, err
	}
	if done {
		c.nextPhase(&cur)
	}
	b.More = cur.Phase != "live" && cur.Phase != "idle"
	if !b.More {
		b.Notice = c.notice(&cur)
	}
	return c.finish(&cur, b)
}

func (c *Connector) finish(cur *cursor, b inbox.Batch) (inbox.Batch, error) {
	enc, err := json.Marshal(cur)
	if err != nil {
		return inbox.Batch{}, err
	}
	b.Cursor = string(enc)
	return b, nil
}

func (c *Connector) now() time.Time { return c.anyAPI().http.Now() }

// beginPass starts a pass over wall, boards and messages reading from
// since; with a community token the Long Poll position is taken first, so
// what happens during the pass arrives afterwards as events.
func (c *Connector) beginPass(ctx context.Context, cur *cursor, since, now time.Time) {
	cur.Phase, cur.Offset, cur.Since, cur.Start, cur.Notes = phases[0], 0, since.Unix(), now.Unix(), nil
	if c.group != nil && cur.LP == nil {
		if err := c.startLongPoll(ctx, cur); err != nil {
			cur.note("Long Poll is not in use (" + err.Error() + "); walls and boards are polled every " + c.opts.PollInterval.String())
		}
	}
}

func (cur *cursor) note(s string) {
	for _, n := range cur.Notes {
		if n == s {
			return
		}
	}
	cur.Notes = append(cur.Notes, s)
}

func (c *Connector) runPhase(ctx context.Context, cur *cursor, b *inbox.Batch) (bool, error) {
	var done bool
	var err error
	switch cur.Phase {
	case "wall":
		if c.user == nil {
			cur.note("no user token: wall comments are not read back (only new ones arrive through Long Poll), and cannot be deleted")
			return true, nil
		}
		done, err = c.fetchWall(ctx, cur, b)
	case "board":
		if c.user == nil {
			cur.note("no user token: board topics are not synced back and cannot be answered")
			return true, nil
		}
		done, err = c.fetchBoards(ctx, cur, b)
	case "market":
		if c.user == nil {
			cur.note("no user token: market comments are not synced back and cannot be answered")
			return true, nil
		}
		done, err = c.fetchMarket(ctx, cur, b)
		if marketOff(err) {
			return true, nil // no shop: nothing to read, nothing to say
		}
	case "dm":
		if c.group == nil {
			cur.note("no community token: community messages are not synced and cannot be answered")
			return true, nil
		}
		done, err = c.fetchDialogs(ctx, cur, b)
	default:
		return true, nil
	}
	if err != nil && isPermission(err) {
		// A configuration problem stops this source, not the account.
		cur.note(err.Error())
		return true, nil
	}
	return done, err
}

func (c *Connector) nextPhase(cur *cursor) {
	cur.Offset = 0
	for i, p := range phases {
		if p == cur.Phase && i+1 < len(phases) {
			cur.Phase = phases[i+1]
			return
		}
	}
	if cur.LP != nil {
		cur.Phase = "live"
		return
	}
	cur.Phase, cur.NextPass = "idle", time.Unix(cur.Start, 0).Add(c.opts.PollInterval).Unix()
}

// notice is the account's standing note after a pass: what is off, or
// that everything is on.
func (c *Connector) notice(cur *cursor) string {
	if len(cur.Notes) == 0 {
		if cur.LP != nil {
			return "VK: wall, boards, market and messages synced; new items arrive through Long Poll"
		}
		return "VK: wall, boards, market and messages synced"
	}
	notes := append([]string(nil), cur.Notes...)
	sort.Strings(notes)
	return "VK: " + strings.Join(notes, "; ")
}

// lookupNames fills in the names of authors the answers did not carry
// (Long Poll events come without profiles).
func (c *Connector) lookupNames(ctx context.Context, authorIDs []int64) {
	var users, groups []int64
	c.mu.Lock()
	for _, id := range authorIDs {
		if id > 0 {
			if _, ok := c.people.users[id]; !ok {
				users = append(users, id)
			}
		} else if id < 0 {
			if _, ok := c.people.groups[-id]; !ok {
				groups = append(groups, -id)
			}
		}
	}
	c.mu.Unlock()
	a := c.anyAPI()
	if len(users) > 0 {
		var ps []profile
		// Names are a nicety: an author shown as id123 is better than a failed sync.
		if a.call(ctx, "users.get", map[string][]string{"user_ids": {ids(users)}, "fields": {"screen_name"}}, &ps) == nil {
			c.addPeople(ps, nil)
		}
	}
	if len(groups) > 0 {
		var res struct {
			Groups []group `json:"groups"`
		}
		if a.call(ctx, "groups.getById", map[string][]string{"group_ids": {ids(groups)}}, &res) == nil {
			c.addPeople(nil, res.Groups)
		}
	}
}

func (c *Connector) addPeople(ps []profile, gs []group) {
	c.mu.Lock()
	c.people.add(ps, gs)
	c.mu.Unlock()
}

func (c *Connector) author(id int64) inbox.Author {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.people.author(id)
}

func (c *Connector) direction(from int64) inbox.Direction {
	if from == c.ownerID() {
		return inbox.Out
	}
	return inbox.In
}

// newestBack reads a newest-first VK list by offset, page by page, down to
// the first item older than since (or the end, or a page with nothing
// new), each item once, and returns them oldest first. page reads one page
// at offset and gives its items and the list's total count.
func newestBack[T any](page func(offset int) ([]T, int, error), key func(T) (id, date int64), since int64) ([]T, error) {
	var out []T
	seen := map[int64]bool{}
	offset := 0
	for i := 0; i < maxPages; i++ {
		items, count, err := page(offset)
		if err != nil {
			return nil, err
		}
		older, fresh := false, 0
		for _, it := range items {
			id, date := key(it)
			if date < since {
				older = true
				break
			}
			if !seen[id] {
				seen[id] = true
				fresh++
				out = append(out, it)
			}
		}
		offset += len(items)
		if older || fresh == 0 || offset >= count {
			break
		}
	}
	slices.Reverse(out)
	return out, nil
}
