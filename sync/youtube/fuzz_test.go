package youtube

import (
	"encoding/json"
	"testing"
	"time"

	yt "google.golang.org/api/youtube/v3"
)

// FuzzThreadPage feeds arbitrary bodies to the decoder and the mapping
// from threads to messages: nothing may panic, and every message belongs
// to its thread.
func FuzzThreadPage(f *testing.F) {
	f.Add(`{"items":[{"id":"a","snippet":{"videoId":"v","totalReplyCount":1,"topLevelComment":{"id":"a","snippet":{"textDisplay":"hi","publishedAt":"2025-03-01T12:00:00Z","authorChannelId":{"value":"UC"}}}},"replies":{"comments":[{"id":"a.1","snippet":{"parentId":"a","textDisplay":"x"}}]}}],"nextPageToken":"n"}`)
	f.Add(`{"items":[{"id":"a","snippet":{"topLevelComment":{"id":"a"}}},null,{"replies":{"comments":[null]}}]}`)
	f.Add(`{"items":[{"id":"b","snippet":{"topLevelComment":{"id":"b","snippet":{"publishedAt":"not a time","updatedAt":"2999-01-01T00:00:00Z","authorChannelId":null}}}}]}`)
	c := &Connector{opts: Options{ChannelID: "UC"}}
	f.Fuzz(func(t *testing.T, body string) {
		var res yt.CommentThreadListResponse
		if json.Unmarshal([]byte(body), &res) != nil {
			return
		}
		for _, th := range res.Items {
			top := topComment(th)
			if top == nil {
				continue
			}
			in := c.inbound(th.Id, th.Snippet.VideoId, top)
			if in.ConversationID != th.Id {
				t.Fatalf("conversation %q for thread %q", in.ConversationID, th.Id)
			}
			for _, r := range repliesOf(th.Replies) {
				c.inbound(th.Id, th.Snippet.VideoId, r)
			}
		}
	})
}

// FuzzCursor: any stored cursor decodes (or starts afresh) and encodes
// back to one that decodes the same.
func FuzzCursor(f *testing.F) {
	f.Add(`{"newest":"2025-03-01T12:00:00Z","walk":{"page":"p","stop":"2025-02-01T00:00:00Z"},"quota":{"day":"2025-03-01","used":12}}`)
	f.Add(`{"replies":{"a":3},"next_poll":"x"}`)
	f.Add(`garbage`)
	f.Fuzz(func(t *testing.T, s string) {
		c := decodeCursor(s)
		again := decodeCursor(c.encode())
		if again.encode() != c.encode() {
			t.Fatalf("cursor does not round-trip: %s vs %s", c.encode(), again.encode())
		}
		q := &quota{limit: 100}
		q.restore(c.Ledger, time.Unix(0, 0))
	})
}
