package ok

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/parleyhq/parley/inbox"
	psync "github.com/parleyhq/parley/sync"
)

// cursor is the account's sync position, committed with every page. A
// pass walks the topics, then the chats, one page per Fetch, so a restart
// resumes where it stopped; between passes the engine waits the poll
// interval.
type cursor struct {
	Phase  string                `json:"phase"`            // topics, chats or done
	Since  int64                 `json:"since"`            // chats active since this unix time are read
	Start  int64                 `json:"start"`            // when this pass began
	Anchor string                `json:"anchor,omitempty"` // mediatopic.getTopics position within the pass
	Marker string                `json:"marker,omitempty"` // /me/chats position within the pass
	Topics map[string]topicState `json:"topics,omitempty"`
	Chats  map[string]int64      `json:"chats,omitempty"` // chat id → newest message read (ms)
	Notes  []string              `json:"notes,omitempty"`
}

var phases = []string{"topics", "chats"}

// overlap re-reads a little before the last pass so that what was written
// while it ran is not missed; upserts make the re-read harmless.
const overlap = 10 * time.Minute

// forget drops topics no pass has listed for this long.
const forget = 30 * 24 * time.Hour

func (cur *cursor) setTopic(id string, st topicState) {
	if cur.Topics == nil {
		cur.Topics = map[string]topicState{}
	}
	cur.Topics[id] = st
}

func (cur *cursor) note(s string) {
	for _, n := range cur.Notes {
		if n == s {
			return
		}
	}
	cur.Notes = append(cur.Notes, s)
}

// Fetch implements sync.Connector.
func (c *Connector) Fetch(ctx context.Context, raw string) (inbox.Batch, error) {
	var cur cursor
	if raw != "" {
		if err := json.Unmarshal([]byte(raw), &cur); err != nil {
			return inbox.Batch{}, psync.Permanent(fmt.Errorf("ok: unreadable cursor %q", psync.Truncate(raw, 80)))
		}
	}
	now := c.now()
	switch cur.Phase {
	case "":
		c.beginPass(&cur, now.Add(-c.opts.Backlog), now)
	case "done":
		c.beginPass(&cur, time.Unix(cur.Start, 0).Add(-overlap), now)
	}
	var b inbox.Batch
	done, err := c.runPhase(ctx, &cur, &b)
	if err != nil {
		return inbox.Batch{}, err
	}
	if done {
		c.nextPhase(&cur)
	}
	b.More = cur.Phase != "done"
	if !b.More {
		b.Notice = c.notice(&cur)
	}
	enc, err := json.Marshal(cur)
	if err != nil {
		return inbox.Batch{}, err
	}
	b.Cursor = string(enc)
	return b, nil
}

func (c *Connector) beginPass(cur *cursor, since, now time.Time) {
	cur.Phase, cur.Since, cur.Start, cur.Anchor, cur.Marker, cur.Notes = phases[0], since.Unix(), now.Unix(), "", "", nil
	for id, st := range cur.Topics {
		if now.Sub(time.Unix(st.Seen, 0)) > forget {
			delete(cur.Topics, id)
		}
	}
}

func (c *Connector) runPhase(ctx context.Context, cur *cursor, b *inbox.Batch) (bool, error) {
	var done bool
	var err error
	switch cur.Phase {
	case "topics":
		if c.rest == nil {
			cur.note("no access token: topic comments are not synced, answered or moderated")
			return true, nil
		}
		done, err = c.fetchTopics(ctx, cur, b)
	case "chats":
		if c.bot == nil {
			cur.note("no Bot API token: group chats are not synced or answered")
			return true, nil
		}
		done, err = c.fetchChats(ctx, cur, b)
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
	for i, p := range phases {
		if p == cur.Phase && i+1 < len(phases) {
			cur.Phase = phases[i+1]
			return
		}
	}
	cur.Phase = "done"
}

func (c *Connector) notice(cur *cursor) string {
	if len(cur.Notes) == 0 {
		return "OK: topic comments and group chats synced"
	}
	notes := append([]string(nil), cur.Notes...)
	sort.Strings(notes)
	return "OK: " + strings.Join(notes, "; ")
}
