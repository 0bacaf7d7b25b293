package x

import (
	"encoding/json"
	"time"
)

// The X API v2 shapes parley reads (docs.x.com openapi.json).

// tweet is a post with the fields parley asks for (tweet.fields).
type tweet struct {
	ID               string `json:"id"`
	Text             string `json:"text"`
	AuthorID         string `json:"author_id"`
	CreatedAt        string `json:"created_at"`
	ConversationID   string `json:"conversation_id"`
	InReplyToUserID  string `json:"in_reply_to_user_id"`
	ReferencedTweets []struct {
		Type string `json:"type"` // replied_to, quoted, retweeted
		ID   string `json:"id"`
	} `json:"referenced_tweets"`
}

func (t tweet) replyTo() string {
	for _, r := range t.ReferencedTweets {
		if r.Type == "replied_to" {
			return r.ID
		}
	}
	return ""
}

type user struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Username string `json:"username"`
}

// page is a timeline answer: {data, includes, meta, errors}.
type page struct {
	Data     []tweet `json:"data"`
	Includes struct {
		Users  []user  `json:"users"`
		Tweets []tweet `json:"tweets"`
	} `json:"includes"`
	Meta struct {
		ResultCount int    `json:"result_count"`
		NewestID    string `json:"newest_id"`
		OldestID    string `json:"oldest_id"`
		NextToken   string `json:"next_token"`
	} `json:"meta"`
	// Errors are partial failures beside the data (a referenced post
	// that is gone): not fatal.
	Errors []json.RawMessage `json:"errors"`
}

// created is POST /2/tweets' answer.
type created struct {
	Data struct {
		ID   string `json:"id"`
		Text string `json:"text"`
	} `json:"data"`
}

// me is GET /2/users/me's answer.
type me struct {
	Data user `json:"data"`
}

func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// newer compares two post ids (snowflakes, decimal strings): longer is
// newer, then lexical order.
func newer(a, b string) bool {
	if len(a) != len(b) {
		return len(a) > len(b)
	}
	return a > b
}

func numeric(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
