package telegram

import (
	"encoding/json"
	"testing"
)

// The decoders of remote data must never panic, whatever Telegram (or
// something pretending to be it) sends.
func FuzzDecoders(f *testing.F) {
	f.Add([]byte(`{"ok":true,"result":[{"update_id":815203001,"message":{"message_id":42,"date":1740910000,"from":{"id":5566778899,"is_bot":false,"first_name":"Lena","username":"lena_k"},"chat":{"id":5566778899,"type":"private","first_name":"Lena"},"text":"Hallo\u202e","reply_to_message":{"message_id":41,"chat":{"id":5566778899,"type":"private"},"text":"q"}}}]}`))
	f.Add([]byte(`{"ok":true,"result":[{"update_id":1,"message":{"message_id":901,"message_thread_id":900,"chat":{"id":-1001987654321,"type":"supergroup"},"sender_chat":{"id":-1001122334455,"type":"channel"},"reply_to_message":{"message_id":900,"is_automatic_forward":true,"chat":{"id":-1001987654321,"type":"supergroup"},"forward_origin":{"type":"channel","chat":{"id":-1001122334455,"type":"channel","username":"x"},"message_id":77}},"photo":[{"width":1,"height":2}],"caption":"c","poll":{"question":"q","options":[{"text":"a","voter_count":-3}]}}}]}`))
	f.Add([]byte(`{"ok":true,"result":[{"update_id":2,"edited_message":{"message_id":5,"is_topic_message":true,"message_thread_id":5,"chat":{"id":-1001777000222,"type":"supergroup","is_forum":true},"forum_topic_created":{"name":"n"},"document":{"file_name":"a.pdf"},"animation":{},"sticker":{"emoji":"x"},"location":{"latitude":1,"longitude":2},"contact":{"phone_number":"1"},"forward_origin":{"type":"hidden_user","sender_user_name":"h"},"edit_date":3}}]}`))
	f.Add([]byte(`{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 35","parameters":{"retry_after":35,"migrate_to_chat_id":-100}}`))
	c := &Connector{}
	f.Fuzz(func(t *testing.T, b []byte) {
		var env envelope
		if json.Unmarshal(b, &env) != nil {
			return
		}
		if !env.OK {
			_ = mapError(env).Error()
			_ = mapHTTPError(400, nil, b)
			return
		}
		var ups []update
		if json.Unmarshal(env.Result, &ups) != nil {
			return
		}
		cur := &cursor{Links: channelLinks{}}
		b2 := c.apply(ups, cur)
		for _, it := range b2.Items {
			// Every id parley stores must parse back for actions.
			if _, ok := splitMsg(it.Message.ExternalID); !ok {
				t.Fatalf("message id %q does not parse", it.Message.ExternalID)
			}
			if _, _, ok := splitConv(it.ConversationID); !ok {
				t.Fatalf("conversation id %q does not parse", it.ConversationID)
			}
		}
	})
}
