package vk

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// The VK objects parley reads, with the field names of the 5.199 schema
// (wall/objects.json, board/objects.json, messages/objects.json,
// users/objects.json, groups/objects.json). Ids are ints; an owner or
// author id below zero is a community.

type likes struct {
	Count int `json:"count"`
}

type commentsInfo struct {
	Count int `json:"count"`
}

type post struct {
	ID          int           `json:"id"`
	OwnerID     int64         `json:"owner_id"`
	FromID      int64         `json:"from_id"`
	Date        int64         `json:"date"`
	Text        string        `json:"text"`
	IsPinned    int           `json:"is_pinned"`
	Comments    *commentsInfo `json:"comments"`
	Attachments []attachment  `json:"attachments"`
}

type thread struct {
	Count int       `json:"count"`
	Items []comment `json:"items"`
}

// comment is a wall comment (wall_wall_comment), also the object of the
// wall_reply_new/edit/restore Long Poll events.
type comment struct {
	ID             int64        `json:"id"`
	FromID         int64        `json:"from_id"`
	PostID         int          `json:"post_id"`
	OwnerID        int64        `json:"owner_id"`
	ParentsStack   []int64      `json:"parents_stack"`
	Date           int64        `json:"date"`
	Text           string       `json:"text"`
	ReplyToUser    int64        `json:"reply_to_user"`
	ReplyToComment int64        `json:"reply_to_comment"`
	Attachments    []attachment `json:"attachments"`
	Thread         *thread      `json:"thread"`
	Deleted        bool         `json:"deleted"`
}

type topic struct {
	ID        int    `json:"id"`
	Title     string `json:"title"`
	Created   int64  `json:"created"`
	CreatedBy int64  `json:"created_by"`
	Updated   int64  `json:"updated"`
	Comments  int    `json:"comments"`
	IsClosed  int    `json:"is_closed"`
}

// topicComment is a board comment (board_topic_comment); the
// board_post_* events add topic_id and topic_owner_id.
type topicComment struct {
	ID           int64        `json:"id"`
	FromID       int64        `json:"from_id"`
	Date         int64        `json:"date"`
	Text         string       `json:"text"`
	Attachments  []attachment `json:"attachments"`
	TopicID      int          `json:"topic_id"`
	TopicOwnerID int64        `json:"topic_owner_id"`
}

type message struct {
	ID                    int64        `json:"id"`
	Date                  int64        `json:"date"`
	PeerID                int64        `json:"peer_id"`
	FromID                int64        `json:"from_id"`
	Text                  string       `json:"text"`
	Out                   int          `json:"out"`
	ConversationMessageID int64        `json:"conversation_message_id"`
	RandomID              int64        `json:"random_id"`
	Attachments           []attachment `json:"attachments"`
	FwdMessages           []message    `json:"fwd_messages"`
	ReplyMessage          *message     `json:"reply_message"`
	UpdateTime            int64        `json:"update_time"`
	AdminAuthorID         int64        `json:"admin_author_id"`
}

type profile struct {
	ID         int64  `json:"id"`
	FirstName  string `json:"first_name"`
	LastName   string `json:"last_name"`
	ScreenName string `json:"screen_name"`
}

type group struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	ScreenName string `json:"screen_name"`
	IsAdmin    int    `json:"is_admin"`
	AdminLevel int    `json:"admin_level"`
}

// attachment is the typed union VK uses: {"type":"photo","photo":{…}}.
// Only what a one-line placeholder needs is read.
type attachment struct {
	Type string
	Obj  map[string]json.RawMessage
}

func (a *attachment) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	if t, ok := raw["type"]; ok {
		_ = json.Unmarshal(t, &a.Type)
	}
	if o, ok := raw[a.Type]; ok {
		_ = json.Unmarshal(o, &a.Obj)
	}
	return nil
}

func (a attachment) str(k string) string {
	var s string
	if v, ok := a.Obj[k]; ok && json.Unmarshal(v, &s) == nil {
		return s
	}
	return ""
}

func (a attachment) num(k string) int64 {
	var n int64
	if v, ok := a.Obj[k]; ok && json.Unmarshal(v, &n) == nil {
		return n
	}
	return 0
}

// line renders an attachment as one readable line with its address, until
// the inbox has attachments of its own.
func (a attachment) line() string {
	owner, id := a.num("owner_id"), a.num("id")
	switch a.Type {
	case "photo":
		u := largestPhoto(a.Obj["sizes"])
		if u == "" {
			u = fmt.Sprintf("https://vk.com/photo%d_%d", owner, id)
		}
		return "[photo] " + u
	case "video":
		return strings.TrimSpace(fmt.Sprintf("[video] %s https://vk.com/video%d_%d", a.str("title"), owner, id))
	case "doc":
		return strings.TrimSpace("[doc] " + a.str("title") + " " + a.str("url"))
	case "audio":
		return strings.TrimSpace(fmt.Sprintf("[audio] %s — %s", a.str("artist"), a.str("title")))
	case "audio_message":
		return "[voice message] " + a.str("link_mp3")
	case "sticker":
		return fmt.Sprintf("[sticker %d]", a.num("sticker_id"))
	case "link":
		return strings.TrimSpace("[link] " + a.str("title") + " " + a.str("url"))
	case "wall", "wall_reply":
		return "[wall post]"
	case "":
		return "[attachment]"
	}
	return "[" + a.Type + "]"
}

func largestPhoto(raw json.RawMessage) string {
	var sizes []struct {
		URL    string `json:"url"`
		Width  int    `json:"width"`
		Height int    `json:"height"`
	}
	if json.Unmarshal(raw, &sizes) != nil {
		return ""
	}
	best, area := "", -1
	for _, s := range sizes {
		if s.Width*s.Height > area {
			best, area = s.URL, s.Width*s.Height
		}
	}
	return best
}

// mention is VK's inline markup: [id123|Name], [club1|Name], [public1|Name].
var mention = regexp.MustCompile(`\[(?:id|club|public|event)\d+\|([^\]\[|]*)\]`)

// render is the text parley stores: mentions as the name they show, then
// one line per attachment.
func render(text string, atts []attachment) string {
	out := mention.ReplaceAllString(text, "$1")
	for _, a := range atts {
		if out != "" {
			out += "\n"
		}
		out += a.line()
	}
	return out
}

// people resolves author ids to names from the profiles and groups that
// extended=1 answers carry, and from users.get / groups.getById lookups.
type people struct {
	users  map[int64]profile
	groups map[int64]group
}

func newPeople() *people { return &people{users: map[int64]profile{}, groups: map[int64]group{}} }

func (p *people) add(ps []profile, gs []group) {
	for _, u := range ps {
		p.users[u.ID] = u
	}
	for _, g := range gs {
		p.groups[g.ID] = g
	}
}

func (p *people) author(id int64) inbox.Author {
	if id < 0 {
		a := inbox.Author{ID: strconv.FormatInt(id, 10), URL: fmt.Sprintf("https://vk.com/club%d", -id)}
		if g, ok := p.groups[-id]; ok {
			a.Name, a.Handle = g.Name, g.ScreenName
		}
		if a.Name == "" {
			a.Name = fmt.Sprintf("club%d", -id)
		}
		return a
	}
	a := inbox.Author{ID: strconv.FormatInt(id, 10), URL: fmt.Sprintf("https://vk.com/id%d", id)}
	if u, ok := p.users[id]; ok {
		a.Name = strings.TrimSpace(u.FirstName + " " + u.LastName)
		a.Handle = u.ScreenName
	}
	if a.Name == "" {
		a.Name = fmt.Sprintf("id%d", id)
	}
	return a
}

func unix(s int64) time.Time { return time.Unix(s, 0).UTC() }
