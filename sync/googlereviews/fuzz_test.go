package googlereviews

import (
	"encoding/json"
	"testing"
	"time"
)

// FuzzReviewPage: any body the decoder takes maps to messages without a
// panic, each in its review's conversation.
func FuzzReviewPage(f *testing.F) {
	f.Add(`{"reviews":[{"name":"accounts/1/locations/2/reviews/3","starRating":"TWO","comment":"x","createTime":"2025-02-27T18:03:11.512Z","updateTime":"2025-02-28T18:03:11.512345678Z","reviewReply":{"comment":"y","updateTime":"bad"}}],"nextPageToken":"n"}`)
	f.Add(`{"reviews":[{"name":"a","starRating":"SIX","reviewer":{"isAnonymous":true}},{"name":""},null]}`)
	f.Add(`{}`)
	f.Fuzz(func(t *testing.T, body string) {
		var p reviewPage
		if json.Unmarshal([]byte(body), &p) != nil {
			return
		}
		st := &locState{Seen: map[string]string{"a": "", "accounts/1/locations/2/reviews/3": "zz"}}
		c := &Connector{}
		for _, r := range p.Reviews {
			if r.Name == "" {
				continue
			}
			for range 2 { // first sight, then seen
				items, _ := c.review(st, "locations/2", r)
				for _, it := range items {
					if it.ConversationID != r.Name {
						t.Fatalf("message of %q in %q", r.Name, it.ConversationID)
					}
					if s := it.Message.Rating; s < 0 || s > 5 {
						t.Fatalf("rating %d", s)
					}
				}
			}
		}
	})
}

// FuzzCursor: any stored cursor decodes and re-encodes stably.
func FuzzCursor(f *testing.F) {
	f.Add(`{"locs":{"locations/1":{"newest":"2025-01-01T00:00:00Z","seen":{"a":"0123456789abr"}}},"at":1,"busy":true}`)
	f.Add(`{"locs":{"x":null}}`)
	f.Fuzz(func(t *testing.T, s string) {
		c := decodeCursor(s)
		// Whatever it says, a connector can start from it.
		conn := &Connector{opts: Options{Locations: []string{"locations/1", "x"}, Backlog: 1}}
		cc := decodeCursor(s)
		if !cc.Busy || cc.At < 0 || cc.At >= 2 || cc.Locs[conn.opts.Locations[cc.At]] == nil {
			conn.startRound(&cc, time.Unix(0, 0))
		}
		_ = cc.Locs[conn.opts.Locations[0]].Stop
		if decodeCursor(c.encode()).encode() != c.encode() {
			t.Fatal("cursor does not round-trip")
		}
	})
}
