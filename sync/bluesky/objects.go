package bluesky

import (
	"encoding/json"
	"strings"
	"time"
)

// The wire shapes parley reads, by their lexicon names: only the fields
// it uses.

// profile is app.bsky.actor.defs#profileViewBasic (and chat's members).
type profile struct {
	DID         string `json:"did"`
	Handle      string `json:"handle"`
	DisplayName string `json:"displayName,omitempty"`
}

// notification is app.bsky.notification.listNotifications#notification.
type notification struct {
	URI           string          `json:"uri"`
	CID           string          `json:"cid"`
	Author        profile         `json:"author"`
	Reason        string          `json:"reason"`
	ReasonSubject string          `json:"reasonSubject,omitempty"`
	Record        json.RawMessage `json:"record"`
	IsRead        bool            `json:"isRead"`
	IndexedAt     string          `json:"indexedAt"`
}

type notificationPage struct {
	Notifications []notification `json:"notifications"`
	Cursor        string         `json:"cursor,omitempty"`
}

// postRecord is app.bsky.feed.post.
type postRecord struct {
	Type      string          `json:"$type,omitempty"`
	Text      string          `json:"text"`
	CreatedAt string          `json:"createdAt"`
	Reply     *replyRef       `json:"reply,omitempty"`
	Facets    []facet         `json:"facets,omitempty"`
	Embed     json.RawMessage `json:"embed,omitempty"`
	Langs     []string        `json:"langs,omitempty"`
}

type replyRef struct {
	Root   strongRef `json:"root"`
	Parent strongRef `json:"parent"`
}

// strongRef is com.atproto.repo.strongRef.
type strongRef struct {
	URI string `json:"uri"`
	CID string `json:"cid"`
}

// facet is app.bsky.richtext.facet: a byte range of the UTF-8 text and
// what it is.
type facet struct {
	Index    byteSlice        `json:"index"`
	Features []map[string]any `json:"features"`
}

type byteSlice struct {
	ByteStart int `json:"byteStart"`
	ByteEnd   int `json:"byteEnd"`
}

// embed is the union of app.bsky.embed.* records parley describes.
type embed struct {
	Type   string `json:"$type"`
	Images []struct {
		Alt         string `json:"alt"`
		AspectRatio *struct {
			Width  int `json:"width"`
			Height int `json:"height"`
		} `json:"aspectRatio,omitempty"`
	} `json:"images,omitempty"`
	External *struct {
		URI   string `json:"uri"`
		Title string `json:"title"`
	} `json:"external,omitempty"`
	Record *strongRef `json:"record,omitempty"`
	Media  *embed     `json:"media,omitempty"`
	Alt    string     `json:"alt,omitempty"`
}

// postView is app.bsky.feed.defs#postView.
type postView struct {
	URI       string          `json:"uri"`
	CID       string          `json:"cid"`
	Author    profile         `json:"author"`
	Record    json.RawMessage `json:"record"`
	IndexedAt string          `json:"indexedAt"`
}

// threadNode is the union getPostThread answers with: #threadViewPost,
// #notFoundPost or #blockedPost.
type threadNode struct {
	Type     string      `json:"$type"`
	Post     *postView   `json:"post,omitempty"`
	Parent   *threadNode `json:"parent,omitempty"`
	URI      string      `json:"uri,omitempty"`
	NotFound bool        `json:"notFound,omitempty"`
	Blocked  bool        `json:"blocked,omitempty"`
}

func (n *threadNode) gone() bool {
	return n == nil || n.Post == nil || n.NotFound || strings.HasSuffix(n.Type, "#notFoundPost")
}

type threadAnswer struct {
	Thread threadNode `json:"thread"`
}

// createAnswer is com.atproto.repo.createRecord's (and getRecord's) answer.
type createAnswer struct {
	URI   string          `json:"uri"`
	CID   string          `json:"cid"`
	Value json.RawMessage `json:"value,omitempty"`
}

// Chat: chat.bsky.convo.defs.
type convoView struct {
	ID          string       `json:"id"`
	Rev         string       `json:"rev"`
	Members     []profile    `json:"members"`
	LastMessage *chatMessage `json:"lastMessage,omitempty"`
	Muted       bool         `json:"muted"`
	Status      string       `json:"status,omitempty"`
	UnreadCount int          `json:"unreadCount"`
}

type convoPage struct {
	Convos []convoView `json:"convos"`
	Cursor string      `json:"cursor,omitempty"`
}

// chatMessage is #messageView or #deletedMessageView (no text).
type chatMessage struct {
	Type   string `json:"$type,omitempty"`
	ID     string `json:"id"`
	Rev    string `json:"rev"`
	Text   string `json:"text"`
	Sender struct {
		DID string `json:"did"`
	} `json:"sender"`
	SentAt string `json:"sentAt"`
}

type messagePage struct {
	Messages []chatMessage `json:"messages"`
	Cursor   string        `json:"cursor,omitempty"`
}

// logEntry is one of getLog's #logCreateMessage, #logDeleteMessage,
// #logBeginConvo… entries.
type logEntry struct {
	Type    string       `json:"$type"`
	Rev     string       `json:"rev"`
	ConvoID string       `json:"convoId"`
	Message *chatMessage `json:"message,omitempty"`
}

type logPage struct {
	Logs   []logEntry `json:"logs"`
	Cursor string     `json:"cursor,omitempty"`
}

// parseTime reads an AT Protocol datetime (RFC 3339, usually with
// milliseconds and Z).
func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}
