package vk

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// The decoders of remote data must never panic, whatever VK (or something
// pretending to be it) sends.
func FuzzDecoders(f *testing.F) {
	f.Add([]byte(`{"id":501,"from_id":3141592,"date":1740908045,"post_id":77,"owner_id":-1234567,"parents_stack":[],"text":"Когда? [id1|Анна] [club1|]","attachments":[{"type":"photo","photo":{"sizes":[{"url":"u","width":1,"height":2}]}},{"type":"sticker","sticker":{"sticker_id":5}},{"type":"doc"},{"type":"poll","poll":{"question":"Q?","answers":[{"text":"да","votes":3}],"end_date":5}},{"type":"video","video":{"id":1,"owner_id":-1,"image":[{"url":"i","width":3,"height":4}]}}],"thread":{"count":1,"items":[{"id":502}]}}`))
	f.Add([]byte(`{"ts":"12","updates":[{"type":"message_new","object":{"message":{"id":1,"peer_id":2,"from_id":2,"text":"\u202eпривет","fwd_messages":[{"text":"x"}],"reply_message":{"text":"y"}}},"group_id":1}]}`))
	f.Add([]byte(`{"failed":1,"ts":30}`))
	f.Add([]byte(`{"error":{"error_code":14,"error_msg":"Captcha needed","captcha_sid":"1"}}`))
	c := &Connector{opts: Options{GroupID: 1}, people: newPeople()}
	f.Fuzz(func(t *testing.T, b []byte) {
		var cm comment
		if json.Unmarshal(b, &cm) == nil {
			var b inbox.Batch
			c.addWall(&b, cm, time.Unix(1, 0))
			c.addMarket(&b, 9, cm, time.Unix(2, 0), time.Unix(3, 0))
			_ = postText(cm.Text, cm.Attachments)
		}
		var m message
		if json.Unmarshal(b, &m) == nil {
			c.dmItem(m)
		}
		var tc topicComment
		if json.Unmarshal(b, &tc) == nil {
			c.boardItem(tc, time.Time{})
		}
		var ans lpAnswer
		if json.Unmarshal(b, &ans) == nil {
			_ = tsString(ans.TS)
			for _, u := range ans.Updates {
				_ = c.deletedID(u)
				var mc marketComment
				if json.Unmarshal(u.Object, &mc) == nil {
					_ = mc.item()
				}
				var o struct {
					Message message `json:"message"`
				}
				if json.Unmarshal(u.Object, &o) == nil {
					c.dmItem(o.Message)
				}
			}
		}
		var ae struct {
			Error *apiError `json:"error"`
		}
		if json.Unmarshal(b, &ae) == nil && ae.Error != nil {
			_ = mapError("wall.get", userToken, *ae.Error)
		}
	})
}
