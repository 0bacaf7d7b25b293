package ok

import (
	"encoding/json"
	"testing"
	"time"
)

// The decoders of remote data must never panic, whatever OK (or something
// pretending to be it) sends.
func FuzzDecoders(f *testing.F) {
	f.Add([]byte(`{"comments":[{"id":"MTU1","text":"Привет \u202e","author_id":"9","date":"2026-11-20 15:00:00","reply_to_comment_id":"MTU0"}],"anchor":"YQ==","has_more":true,"entities":{"users":[{"uid":"9","name":"Анна"}]}}`))
	f.Add([]byte(`{"media_topics":[{"id":"1","created_ms":1,"author_ref":"group:5","media":[{"type":"text","text":"x"},{"type":"link","url":"https://ok.ru"}],"discussion_summary":{"comments_count":3}}],"anchor":"","has_more":false}`))
	f.Add([]byte(`{"messages":[{"sender":{"name":"A","user_id":"user:1"},"recipient":{"chat_id":"chat:C1"},"message":{"text":"t","seq":98211023614189660,"mid":"mid:C1.1","attachments":[{"type":"IMAGE","payload":{"url":"u"}}]},"timestamp":1498581292941}]}`))
	f.Add([]byte(`{"error_code":104,"error_msg":"PARAM_SIGNATURE : Invalid signature","error_data":null}`))
	f.Add([]byte(`true`))
	c := &Connector{opts: Options{GroupID: "5", Backlog: time.Hour}}
	f.Fuzz(func(t *testing.T, b []byte) {
		var cp commentsPage
		if json.Unmarshal(b, &cp) == nil {
			for _, cm := range cp.Comments {
				_ = c.commentItem("1", cm.ID, cm)
			}
		}
		var tp topicsPage
		if json.Unmarshal(b, &tp) == nil {
			for _, t := range tp.Topics {
				_ = c.topicPost(t)
			}
		}
		var mp messagesPage
		if json.Unmarshal(b, &mp) == nil {
			for _, m := range mp.Messages {
				_ = c.chatItem(chat{ChatID: m.Recipient.ChatID}, m)
			}
		}
		var cl chatsPage
		_ = json.Unmarshal(b, &cl)
		if ae, ok := asError(b); ok {
			_ = mapError("x", ae)
		}
		_ = jsonString(b)
		_, _, _ = splitTopic(string(b))
	})
}
