package vk

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/parleyhq/parley/inbox"
)

// attachment is the typed union VK uses: {"type":"photo","photo":{…}}
// (wall_comment_attachment, wall_wallpost_attachment,
// messages_message_attachment in the 5.199 schema). The object is kept
// raw: each type has its own shape and only a few fields matter.
type attachment struct {
	Type string
	Obj  map[string]json.RawMessage
}

func (a *attachment) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	if t, ok := raw["type"]; ok {
		_ = json.Unmarshal(t, &a.Type)
	}
	if o, ok := raw[a.Type]; ok {
		_ = json.Unmarshal(o, &a.Obj)
	}
	return nil
}

func (a attachment) str(k string) string {
	var s string
	if v, ok := a.Obj[k]; ok && json.Unmarshal(v, &s) == nil {
		return s
	}
	return ""
}

func (a attachment) num(k string) int64 {
	var n int64
	if v, ok := a.Obj[k]; ok && json.Unmarshal(v, &n) == nil {
		return n
	}
	return 0
}

// image is one size of a picture: photos_photo_sizes (url), base_image
// (url) and docs' photos_photo_sizes in previews (src).
type image struct {
	URL    string `json:"url"`
	Src    string `json:"src"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
}

func (i image) addr() string {
	if i.URL != "" {
		return i.URL
	}
	return i.Src
}

// sizes picks the largest and the smallest of a list of sizes.
func sizes(raw json.RawMessage) (big, small image) {
	var xs []image
	if json.Unmarshal(raw, &xs) != nil || len(xs) == 0 {
		return image{}, image{}
	}
	big, small = xs[0], xs[0]
	for _, x := range xs[1:] {
		if x.Width*x.Height > big.Width*big.Height {
			big = x
		}
		if x.Width*x.Height < small.Width*small.Height {
			small = x
		}
	}
	return big, small
}

// VK doc types (docs_doc_attachment_type): 3 is a GIF, 4 a picture, 5 a
// sound, 6 a video.
const (
	docGIF   = 3
	docImage = 4
	docAudio = 5
	docVideo = 6
)

// toInbox is what parley stores of an attachment; ok is false for a poll,
// which is not an attachment in the inbox (see poll).
func (a attachment) toInbox() (inbox.Attachment, bool) {
	owner, id := a.num("owner_id"), a.num("id")
	switch a.Type {
	case "photo", "posted_photo":
		big, small := sizes(a.Obj["sizes"])
		out := inbox.Attachment{Kind: inbox.AttachImage, URL: big.addr(), PreviewURL: small.addr(), Width: big.Width, Height: big.Height,
			Description: a.str("text")}
		if out.URL == "" {
			out.URL = fmt.Sprintf("https://vk.com/photo%d_%d", owner, id)
		}
		return out, true
	case "graffiti":
		return inbox.Attachment{Kind: inbox.AttachImage, URL: a.str("url"), Width: int(a.num("width")), Height: int(a.num("height")),
			Description: "graffiti"}, true
	case "video", "clip":
		big, small := sizes(a.Obj["image"])
		return inbox.Attachment{Kind: inbox.AttachVideo, URL: fmt.Sprintf("https://vk.com/video%d_%d", owner, id), PreviewURL: pick(small.addr(), big.addr()),
			Description: a.str("title")}, true
	case "doc":
		out := inbox.Attachment{Kind: inbox.AttachFile, URL: a.str("url"), Description: a.str("title")}
		switch a.num("type") {
		case docGIF:
			out.Kind = inbox.AttachGIFV
		case docImage:
			out.Kind = inbox.AttachImage
		case docAudio:
			out.Kind = inbox.AttachAudio
		case docVideo:
			out.Kind = inbox.AttachVideo
		}
		var pv struct {
			Photo struct {
				Sizes json.RawMessage `json:"sizes"`
			} `json:"photo"`
		}
		if raw, ok := a.Obj["preview"]; ok && json.Unmarshal(raw, &pv) == nil {
			_, small := sizes(pv.Photo.Sizes)
			out.PreviewURL = small.addr()
		}
		return out, true
	case "audio":
		return inbox.Attachment{Kind: inbox.AttachAudio, URL: a.str("url"),
			Description: strings.Trim(a.str("artist")+" — "+a.str("title"), " —")}, true
	case "audio_message":
		// A voice note: the transcript, when VK made one, says what it holds.
		return inbox.Attachment{Kind: inbox.AttachAudio, URL: pick(a.str("link_mp3"), a.str("link_ogg")), Description: a.str("transcript")}, true
	case "sticker":
		big, small := sizes(a.Obj["images"])
		return inbox.Attachment{Kind: inbox.AttachSticker, URL: big.addr(), PreviewURL: small.addr(), Width: big.Width, Height: big.Height,
			Description: fmt.Sprintf("sticker %d", a.num("sticker_id"))}, true
	case "link":
		return inbox.Attachment{Kind: inbox.AttachLink, URL: a.str("url"), Description: pick(a.str("title"), a.str("caption"))}, true
	case "wall":
		o := owner
		if o == 0 {
			o = pickN(a.num("to_id"), a.num("from_id"))
		}
		return inbox.Attachment{Kind: inbox.AttachLink, URL: fmt.Sprintf("https://vk.com/wall%d_%d", o, id), Description: "wall post"}, true
	case "wall_reply":
		return inbox.Attachment{Kind: inbox.AttachLink, URL: fmt.Sprintf("https://vk.com/wall%d_%d?reply=%d", owner, a.num("post_id"), id),
			Description: "wall comment"}, true
	case "market":
		return inbox.Attachment{Kind: inbox.AttachLink, URL: fmt.Sprintf("https://vk.com/product%d_%d", owner, id), Description: a.str("title"),
			PreviewURL: a.str("thumb_photo")}, true
	case "poll":
		return inbox.Attachment{}, false
	case "":
		return inbox.Attachment{Kind: inbox.AttachLink, Description: "attachment"}, true
	}
	// article, page, event, podcast…: what it is and its address, if any.
	return inbox.Attachment{Kind: inbox.AttachLink, URL: pick(a.str("url"), a.str("view_url")), Description: pick(a.str("title"), a.Type)}, true
}

// poll is a poll attachment (polls_poll) in parley's form, and its
// question, which parley keeps in the message's text.
func (a attachment) poll() (*inbox.Poll, string) {
	if a.Type != "poll" {
		return nil, ""
	}
	var p struct {
		Question string `json:"question"`
		Votes    int    `json:"votes"`
		Multiple bool   `json:"multiple"`
		EndDate  int64  `json:"end_date"` // 0: open-ended
		Closed   bool   `json:"closed"`
		Answers  []struct {
			Text  string `json:"text"`
			Votes int    `json:"votes"`
		} `json:"answers"`
	}
	raw, _ := json.Marshal(a.Obj)
	if json.Unmarshal(raw, &p) != nil {
		return nil, ""
	}
	out := &inbox.Poll{Multiple: p.Multiple, Closed: p.Closed, Voters: p.Votes}
	if p.EndDate > 0 {
		out.ExpiresAt = unix(p.EndDate)
	}
	for _, an := range p.Answers {
		out.Options = append(out.Options, inbox.PollOption{Title: an.Text, Votes: an.Votes})
	}
	return out, p.Question
}

// content is a message's text and attachments as parley stores them:
// mentions shown as names, attachments and a poll in their own fields, the
// poll's question as the text's last line.
type content struct {
	Text        string
	Attachments []inbox.Attachment
	Poll        *inbox.Poll
}

func contentOf(text string, atts []attachment) content {
	out := content{Text: render(text)}
	for _, a := range atts {
		if p, q := a.poll(); p != nil {
			out.Poll = p
			if q != "" {
				out.Text = strings.TrimLeft(out.Text+"\n"+q, "\n")
			}
			continue
		}
		if at, ok := a.toInbox(); ok {
			out.Attachments = append(out.Attachments, at)
		}
	}
	return out
}

// set fills a message's text, attachments and poll.
func (c content) set(m *inbox.Message) {
	m.Text, m.Attachments, m.Poll = c.Text, c.Attachments, c.Poll
}

// postText is a post's context text: a post has no attachment list of its
// own in the inbox, so each attachment is one line with its address.
func postText(text string, atts []attachment) string {
	c := contentOf(text, atts)
	lines := []string{c.Text}
	for _, a := range c.Attachments {
		lines = append(lines, strings.TrimSpace(fmt.Sprintf("[%s] %s %s", a.Kind, a.Description, a.URL)))
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

func pick(xs ...string) string {
	for _, x := range xs {
		if x != "" {
			return x
		}
	}
	return ""
}

func pickN(xs ...int64) int64 {
	for _, x := range xs {
		if x != 0 {
			return x
		}
	}
	return 0
}
