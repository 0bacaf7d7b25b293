package vk

import (
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

// mention is VK's inline markup: [id123|Name], [club1|Name], [public1|Name].
var mention = regexp.MustCompile(`\[(?:id|club|public|event)\d+\|([^\]\[|]*)\]`)

// render is the text parley stores: mentions as the name they show.
func render(text string) string { return mention.ReplaceAllString(text, "$1") }

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
