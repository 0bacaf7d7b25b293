package x

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"
)

// The decoders of remote data must never panic, whatever X (or something
// pretending to be it) sends.
func FuzzDecoders(f *testing.F) {
	f.Add([]byte(`{"data":[{"id":"1800000000000000002","text":"@acme Still broken &amp; \u202e","author_id":"2001","created_at":"2026-11-01T10:00:00.000Z","conversation_id":"1800000000000000001","in_reply_to_user_id":"1500000000000000001","referenced_tweets":[{"type":"replied_to","id":"1800000000000000001"}]}],"includes":{"users":[{"id":"2001","username":"jo","name":"Jo"}],"tweets":[{"id":"1800000000000000001","text":"ours","author_id":"1500000000000000001","conversation_id":"1800000000000000001"}]},"meta":{"result_count":1,"newest_id":"1800000000000000002","oldest_id":"1800000000000000002","next_token":"7140dibdnow9c7btw5"}}`))
	f.Add([]byte(`{"data":[{"id":"x","text":"","author_id":""}],"meta":{"result_count":0},"errors":[{"resource_id":"1","title":"Not Found Error"}]}`))
	f.Add([]byte(`{"title":"Client Forbidden","reason":"client-not-enrolled","type":"https://api.twitter.com/2/problems/client-forbidden","detail":"attached to a Project"}`))
	f.Add([]byte(`{"errors":[{"message":"You currently have access to a subset","code":453}]}`))
	f.Add([]byte(`{"since_id":"18","resume":"t","pending":"19","spend":{"month":"2026-11","spent":5,"day":"2026-11-27","day_spent":1,"day_reads":1}}`))
	c := &Connector{opts: Options{UserID: "1500000000000000001", Prices: DefaultPrices, MaxSpend: 25}, spend: &ledgerBox{max: 25}}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, st := range []int{400, 401, 403, 429, 503} {
			_ = mapError(st, http.Header{"X-Rate-Limit-Reset": {string(b)}}, b)
		}
		var p page
		if json.Unmarshal(b, &p) == nil {
			users := map[string]user{}
			for _, u := range p.Includes.Users {
				users[u.ID] = u
			}
			for _, tw := range p.Data {
				if it, ok := c.item(tw, users); ok && (!numeric(it.Message.ExternalID) || it.ConversationID == "conv:") {
					t.Fatalf("an item without a usable id from %s", b)
				}
			}
		}
		if left, _ := c.QuotaLeft(string(b), time.Now()); left < 0 {
			t.Fatalf("QuotaLeft %d from cursor %s", left, b)
		}
		_ = sameText(string(b), string(b))
	})
}
