package telegram

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/parleyhq/parley/inbox"
	psync "github.com/parleyhq/parley/sync"
)

// cursor is the account's position in the bot's update queue, committed
// with every page: getUpdates with offset = last update_id + 1 confirms
// (and deletes) everything before it on Telegram's side, and it is only
// sent once the page before is stored.
type cursor struct {
	Offset int64 `json:"offset,omitempty"`
	// Polled is when getUpdates last answered: a longer silence than
	// Telegram keeps updates for means some were lost.
	Polled int64 `json:"polled,omitempty"`
	// Links are the discussion groups seen and the channel each belongs
	// to, so the channel commenting as itself counts as the brand.
	Links channelLinks `json:"links,omitempty"`
	Gap   *gap         `json:"gap,omitempty"`
	About string       `json:"about,omitempty"` // what getMe said, in words
	Note  string       `json:"note,omitempty"`  // the account note last set
}

// channelLinks maps a discussion group's id to its channel's.
type channelLinks map[int64]int64

// gap is a time parley was away longer than Telegram keeps updates.
type gap struct {
	From int64 `json:"from"`
	To   int64 `json:"to"`
}

// retention is how long Telegram keeps updates nobody fetched.
const retention = 24 * time.Hour

// gapShown is how long the account note keeps mentioning a gap.
const gapShown = 7 * 24 * time.Hour

// pageSize is getUpdates' largest page.
const pageSize = 100

// allowedUpdates are the update kinds parley asks for, named explicitly:
// Telegram remembers the last list given, so relying on its default would
// inherit whatever another program set.
var allowedUpdates = []string{"message", "edited_message"}

type getUpdatesParams struct {
	Offset         int64    `json:"offset,omitempty"`
	Limit          int      `json:"limit"`
	Timeout        int      `json:"timeout"`
	AllowedUpdates []string `json:"allowed_updates"`
}

// Fetch implements sync.Connector: one getUpdates call. It returns at once
// with what is waiting; when nothing is, Telegram holds it up to
// pollTimeout. The first call in a process does not wait, so `parley sync
// --once` catches up and returns.
func (c *Connector) Fetch(ctx context.Context, raw string) (inbox.Batch, error) {
	var cur cursor
	if raw != "" {
		if err := json.Unmarshal([]byte(raw), &cur); err != nil {
			return inbox.Batch{}, psync.Permanent(fmt.Errorf("telegram: unreadable cursor %q", psync.Truncate(raw, 80)))
		}
	}
	if cur.Links == nil {
		cur.Links = channelLinks{}
	}
	c.mu.Lock()
	first, drain := !c.started, c.drain
	c.mu.Unlock()
	var me *user
	if first {
		// Who the bot is, and whether privacy mode hides group messages:
		// also the earliest check that the token still works.
		me = &user{}
		if err := c.api.call(ctx, "getMe", nil, me); err != nil {
			return inbox.Batch{}, err
		}
		if c.opts.BotID != 0 && me.ID != c.opts.BotID {
			return inbox.Batch{}, fmt.Errorf("%w: the token belongs to bot @%s (id %d), not to the bot this account was connected with (id %d); run: parley connect telegram",
				psync.ErrAuth, me.Username, me.ID, c.opts.BotID)
		}
	}
	wait := pollTimeout
	if first || drain {
		wait = 0
	}
	var ups []update
	err := c.api.call(ctx, "getUpdates", getUpdatesParams{Offset: cur.Offset, Limit: pageSize, Timeout: int(wait / time.Second),
		AllowedUpdates: allowedUpdates}, &ups)
	if err != nil {
		return inbox.Batch{}, err
	}
	now := c.now()
	if cur.Polled != 0 && now.Sub(time.Unix(cur.Polled, 0)) > retention {
		cur.Gap = &gap{From: cur.Polled, To: now.Unix()}
	}
	cur.Polled = now.Unix()
	b := c.apply(ups, &cur)
	c.mu.Lock()
	c.started, c.drain = true, len(ups) >= pageSize
	c.mu.Unlock()
	b.More = len(ups) >= pageSize
	if note := c.note(&cur, me); note != "" && note != cur.Note {
		b.Notice, cur.Note = note, note
	}
	enc, err := json.Marshal(cur)
	if err != nil {
		return inbox.Batch{}, err
	}
	b.Cursor = string(enc)
	return b, nil
}

// apply turns a page of updates into a batch and moves the offset past
// it. Updates before the offset (a page served twice) are skipped.
func (c *Connector) apply(ups []update, cur *cursor) inbox.Batch {
	var b inbox.Batch
	posts := map[string]int{}
	addPost := func(p *inbox.Post) {
		if p == nil {
			return
		}
		if i, ok := posts[p.ExternalID]; ok {
			b.Posts[i] = *p // the later copy is the current one
			return
		}
		posts[p.ExternalID] = len(b.Posts)
		b.Posts = append(b.Posts, *p)
	}
	next := cur.Offset
	for _, u := range ups {
		if u.UpdateID < cur.Offset {
			continue
		}
		next = max(next, u.UpdateID+1)
		m := u.Message
		if m == nil {
			m = u.EditedMessage
		}
		if m == nil {
			continue
		}
		c.learnLink(m, cur)
		it, post, ok := c.item(m, cur.Links)
		addPost(post)
		if ok {
			b.Items = append(b.Items, it)
		}
	}
	cur.Offset = next
	return b
}

// learnLink notes which channel a discussion group belongs to from the
// channel's automatic forwards.
func (c *Connector) learnLink(m *message, cur *cursor) {
	fwd := m
	if !fwd.IsAutomaticForward {
		fwd = m.ReplyToMessage
	}
	if fwd == nil || !fwd.IsAutomaticForward {
		return
	}
	if o := fwd.ForwardOrigin; o != nil && o.Chat != nil && o.Chat.ID != 0 {
		cur.Links[fwd.Chat.ID] = o.Chat.ID
	} else if fwd.SenderChat != nil && fwd.SenderChat.ID != 0 {
		cur.Links[fwd.Chat.ID] = fwd.SenderChat.ID
	}
}

// note is the account's standing note: what the bot receives, whether
// privacy mode hides group messages (learnt from getMe when the process
// starts), and a recent gap.
func (c *Connector) note(cur *cursor, me *user) string {
	if me != nil {
		name := "the bot"
		if me.Username != "" {
			name = "@" + me.Username
		}
		cur.About = name + " receives private chats, comments in the channel's discussion group and group messages as they are sent (bots cannot read earlier history)"
		if !me.CanReadAllGroupMessages {
			cur.About += "; privacy mode is on: in a group where the bot is not an administrator it sees only commands and replies to itself (make it an admin, or turn privacy off in @BotFather → Bot Settings → Group Privacy)"
		}
	}
	if cur.Gap != nil && c.now().Sub(time.Unix(cur.Gap.To, 0)) > gapShown {
		cur.Gap = nil
	}
	parts := []string{}
	if cur.About != "" {
		parts = append(parts, cur.About)
	}
	if g := cur.Gap; g != nil {
		from, to := time.Unix(g.From, 0).UTC(), time.Unix(g.To, 0).UTC()
		parts = append(parts, fmt.Sprintf("parley was away from %s to %s, longer than the 24 h Telegram keeps undelivered messages: what was sent before %s may be lost",
			from.Format(stamp), to.Format(stamp), to.Add(-retention).Format(stamp)))
	}
	if len(parts) == 0 {
		return ""
	}
	return "Telegram: " + strings.Join(parts, "; ")
}

const stamp = "2006-01-02 15:04 MST"
