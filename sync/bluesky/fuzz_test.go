package bluesky

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
)

// The decoders of remote data must never panic, whatever a PDS (or
// something pretending to be one) sends.
func FuzzDecoders(f *testing.F) {
	f.Add([]byte(`{"cursor":"c1","notifications":[{"uri":"at://did:plc:abc/app.bsky.feed.post/3lj2xyz","cid":"bafy","reason":"reply","reasonSubject":"at://did:plc:acme/app.bsky.feed.post/3lj2aaa","author":{"did":"did:plc:abc","handle":"jo.bsky.social","displayName":"Jo\u202e"},"record":{"$type":"app.bsky.feed.post","text":"Still broken","createdAt":"2025-03-01T10:05:00.000Z","reply":{"root":{"uri":"at://did:plc:acme/app.bsky.feed.post/3lj2aaa","cid":"b"},"parent":{"uri":"at://x/y/z","cid":"c"}},"embed":{"$type":"app.bsky.embed.recordWithMedia","media":{"$type":"app.bsky.embed.images","images":[{"alt":"a","aspectRatio":{"width":1,"height":2}}]}}},"isRead":false,"indexedAt":"2025-03-01T10:05:01.120Z"}]}`))
	f.Add([]byte(`{"notifications":[{"uri":"at://did:plc:q/app.bsky.feed.post/1","reason":"quote","author":{"did":"did:plc:q","handle":"handle.invalid"},"record":{"text":"","embed":{"$type":"app.bsky.embed.external","external":{"uri":"javascript:x","title":"t"}}},"indexedAt":"bad"}]}`))
	f.Add([]byte(`{"logs":[{"$type":"chat.bsky.convo.defs#logCreateMessage","rev":"2","convoId":"c","message":{"id":"m","text":"hi","sender":{"did":"did:plc:x"},"sentAt":"2025-01-01T00:00:00Z"}}],"cursor":"2"}`))
	f.Add([]byte(`{"error":"ExpiredToken","message":"Token has expired"}`))
	f.Add([]byte(`{"thread":{"$type":"app.bsky.feed.defs#notFoundPost","uri":"at://a/b/c","notFound":true}}`))
	c := &Connector{roots: map[string]bool{}}
	f.Fuzz(func(t *testing.T, b []byte) {
		_ = mapError(400, http.Header{}, b)
		_ = mapError(429, http.Header{"Ratelimit-Reset": {"notanumber"}}, b)
		var np notificationPage
		if json.Unmarshal(b, &np) == nil {
			for _, n := range np.Notifications {
				it, _, ok := c.item(n, "did:plc:acme")
				if ok && it.Message.ExternalID == "" {
					t.Fatalf("an item without an id from %s", b)
				}
			}
		}
		var lp logPage
		if json.Unmarshal(b, &lp) == nil {
			for _, l := range lp.Logs {
				if l.Message != nil {
					if it, ok := dmItem(l.ConvoID, *l.Message, nil, "did:plc:acme"); ok {
						if _, _, _, ok := splitDMMsg(it.Message.ExternalID); !ok {
							t.Fatalf("message id %q does not parse", it.Message.ExternalID)
						}
					}
				}
			}
		}
		var ta threadAnswer
		if json.Unmarshal(b, &ta) == nil {
			_ = ta.Thread.gone()
		}
		_ = facets(context.Background(), string(b), func(context.Context, string) string { return "did:plc:x" })
		for _, fc := range facets(context.Background(), string(b), func(context.Context, string) string { return "did:plc:x" }) {
			if fc.Index.ByteStart < 0 || fc.Index.ByteEnd > len(b) || fc.Index.ByteStart >= fc.Index.ByteEnd {
				t.Fatalf("facet %+v out of %d bytes", fc.Index, len(b))
			}
		}
	})
}
