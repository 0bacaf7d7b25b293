package facebook

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// Finding 4: attachment-only messages and comments are requested and read,
// not blank.
func TestAttachmentOnlyMessagesAndCommentsAreReadable(t *testing.T) {
	e := newEnv(t)
	now := time.Now()
	p := e.g.addPost("p", now.Add(-2*time.Hour))
	photo := e.g.addComment(p, "", "610", "Ana", "", now.Add(-time.Hour))
	e.g.comments[p][0].Attachment = &storyAttachment{Type: "photo", URL: "https://www.facebook.com/photo.php?fbid=1",
		Media: &struct {
			Image struct {
				Src string `json:"src"`
			} `json:"image"`
		}{Image: struct {
			Src string `json:"src"`
		}{Src: "https://scontent.xx.fbcdn.net/v/t39/ana.jpg"}}}
	e.g.mu.Lock()
	e.g.putMessage("t_100", message{ID: "m_1", Created: ts(now.Add(-50 * time.Minute)), From: &from{ID: "7712", Name: "Bo"},
		Attachments: msgAttachments{Data: []msgAttachment{{ID: "a1", MimeType: "image/jpeg", Name: "parcel.jpg",
			ImageData: &urls{URL: "https://scontent.xx.fbcdn.net/v/t1/parcel.jpg", PreviewURL: "https://scontent.xx.fbcdn.net/p.jpg"}}}}},
		now.Add(-50*time.Minute))
	e.g.putMessage("t_100", message{ID: "m_2", Created: ts(now.Add(-40 * time.Minute)), From: &from{ID: "7712", Name: "Bo"},
		Sticker: "https://scontent.xx.fbcdn.net/v/sticker.png"}, now.Add(-40*time.Minute))
	e.g.putMessage("t_100", message{ID: "m_3", Created: ts(now.Add(-30 * time.Minute)), From: &from{ID: "7712", Name: "Bo"},
		Message: "listen", Attachments: msgAttachments{Data: []msgAttachment{{ID: "a2", MimeType: "audio/mpeg", Name: "audioclip.mp4",
			FileURL: "https://cdn.fbsbx.com/v/audioclip.mp4"}}}}, now.Add(-30*time.Minute))
	e.g.mu.Unlock()
	if err := e.sync(t); err != nil {
		t.Fatal(err)
	}
	ths := e.threads(t)
	c := ths["comment:"+photo]
	if m := c.Messages[0]; len(m.Attachments) != 1 || m.Attachments[0].Kind != inbox.AttachImage ||
		m.Attachments[0].URL != "https://scontent.xx.fbcdn.net/v/t39/ana.jpg" || c.Conversation.Preview != "[image]" {
		t.Fatalf("photo comment: %+v (preview %q)", m, c.Conversation.Preview)
	}
	dm := ths["dm:t_100"].Messages
	want := []struct {
		text string
		att  inbox.Attachment
	}{
		{"", inbox.Attachment{Kind: inbox.AttachImage, URL: "https://scontent.xx.fbcdn.net/v/t1/parcel.jpg", PreviewURL: "https://scontent.xx.fbcdn.net/p.jpg"}},
		{"", inbox.Attachment{Kind: inbox.AttachSticker, URL: "https://scontent.xx.fbcdn.net/v/sticker.png"}},
		{"listen", inbox.Attachment{Kind: inbox.AttachAudio, URL: "https://cdn.fbsbx.com/v/audioclip.mp4"}},
	}
	for i, w := range want {
		if dm[i].Text != w.text || len(dm[i].Attachments) != 1 || dm[i].Attachments[0] != w.att {
			t.Errorf("message %d: %q %+v, want %q %+v", i, dm[i].Text, dm[i].Attachments, w.text, w.att)
		}
	}
	var asked int
	for _, r := range e.g.requests {
		if strings.Contains(r, "/comments?") && strings.Contains(r, "attachment%7B") ||
			strings.Contains(r, "/conversations?") && strings.Contains(r, "attachments%7B") {
			asked++
		}
	}
	if asked < 2 {
		t.Fatalf("attachments were not asked for: %v", e.g.requests)
	}
}

// Finding 7: nested Instagram comment replies beyond the first page are read.
func TestNestedInstagramRepliesArePaged(t *testing.T) {
	e := newEnv(t)
	e.conn.opts.IGUserID = e.g.igID
	now := time.Now()
	e.g.igMedia = []igMedia{{ID: "17900001", Caption: "mugs", Timestamp: ts(now.Add(-time.Hour)), Username: "acme.store"}}
	top := igComment{ID: "17873440459141021", Text: "blue?", Timestamp: ts(now.Add(-time.Hour)), Username: "kai.moves"}
	for i := range 7 {
		top.Replies.Data = append(top.Replies.Data, igComment{ID: fmt.Sprintf("1787000000000%d", i), Text: fmt.Sprintf("reply %d", i),
			Timestamp: ts(now.Add(time.Duration(i-50) * time.Minute)), Username: "fan", ParentID: top.ID})
	}
	e.g.igComms["17900001"] = []igComment{top}
	if err := e.sync(t); err != nil {
		t.Fatal(err)
	}
	if n := len(e.threads(t)["comment:"+top.ID].Messages); n != 8 {
		t.Fatalf("%d messages, want the comment and all 7 replies", n)
	}
}

// Finding 7: X-Page-Usage slows parley down like the other usage headers.
func TestPageUsageHeaderPaces(t *testing.T) {
	h := http.Header{}
	h.Set("X-Page-Usage", `{"call_count":96,"total_cputime":20,"total_time":30}`)
	if d := pace(h); d < 30*time.Second {
		t.Fatalf("96%% of the Page's budget used: pause %s", d)
	}
	h.Set("X-Page-Usage", `{"call_count":10,"total_cputime":5,"total_time":5,"estimated_time_to_regain_access":3}`)
	if d := pace(h); d != 3*time.Minute {
		t.Fatalf("regain time: %s", d)
	}
}
