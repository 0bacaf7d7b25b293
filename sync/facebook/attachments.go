package facebook

import "strings"

// Attachments are asked for on every listing: without them a photo, a
// sticker, a voice note or a shared post arrives as a blank message. Until
// the inbox has attachments of its own (issue 9) each becomes a readable
// line under the text, "[photo] https://…".

// commentAttachmentFields is a comment's one attachment (a StoryAttachment:
// photo, sticker, GIF, video or link).
const commentAttachmentFields = "attachment{type,url,media{image{src}},target{url}}"

// messageAttachmentFields are a Messenger or Instagram message's files,
// sticker and shared links.
const messageAttachmentFields = "attachments{id,mime_type,name,file_url,image_data{url,preview_url},video_data{url,preview_url}},sticker,shares{link,name}"

type storyAttachment struct {
	Type  string `json:"type"`
	URL   string `json:"url,omitempty"`
	Media *struct {
		Image struct {
			Src string `json:"src"`
		} `json:"image"`
	} `json:"media,omitempty"`
	Target *struct {
		URL string `json:"url"`
	} `json:"target,omitempty"`
}

func (a *storyAttachment) lines() []string {
	if a == nil {
		return nil
	}
	link := a.URL
	if a.Media != nil && a.Media.Image.Src != "" {
		link = a.Media.Image.Src
	}
	if link == "" && a.Target != nil {
		link = a.Target.URL
	}
	kind := map[string]string{"photo": "photo", "sticker": "sticker", "animated_image_share": "GIF", "animated_image_autoplay": "GIF",
		"video_inline": "video", "video_autoplay": "video", "share": "link"}[a.Type]
	if kind == "" {
		kind = "attachment"
	}
	return []string{attachmentLine(kind, link)}
}

type urls struct {
	URL        string `json:"url"`
	PreviewURL string `json:"preview_url,omitempty"`
}

type msgAttachment struct {
	ID        string `json:"id"`
	MimeType  string `json:"mime_type,omitempty"`
	Name      string `json:"name,omitempty"`
	FileURL   string `json:"file_url,omitempty"`
	ImageData *urls  `json:"image_data,omitempty"`
	VideoData *urls  `json:"video_data,omitempty"`
}

type msgAttachments struct {
	Data []msgAttachment `json:"data"`
}

type msgShares struct {
	Data []struct {
		Link string `json:"link"`
		Name string `json:"name,omitempty"`
	} `json:"data"`
}

// attachmentLines are a message's attachments, sticker and shares.
func (m message) attachmentLines() []string {
	var out []string
	for _, a := range m.Attachments.Data {
		kind, link := "file", a.FileURL
		switch {
		case a.ImageData != nil:
			kind, link = "photo", a.ImageData.URL
			if a.MimeType == "image/gif" {
				kind = "GIF"
			}
		case a.VideoData != nil:
			kind, link = "video", a.VideoData.URL
		case strings.HasPrefix(a.MimeType, "audio/"):
			kind = "voice message"
		case strings.HasPrefix(a.MimeType, "image/"):
			kind = "photo"
		case strings.HasPrefix(a.MimeType, "video/"):
			kind = "video"
		}
		if kind == "file" && a.Name != "" {
			kind = "file " + a.Name
		}
		out = append(out, attachmentLine(kind, link))
	}
	if m.Sticker != "" {
		out = append(out, attachmentLine("sticker", m.Sticker))
	}
	for _, s := range m.Shares.Data {
		out = append(out, attachmentLine("shared", s.Link))
	}
	return out
}

func attachmentLine(kind, link string) string {
	if link == "" {
		return "[" + kind + "]"
	}
	return "[" + kind + "] " + link
}

// withAttachments is the text a message shows: its own text, then one line
// per attachment.
func withAttachments(text string, lines []string) string {
	if len(lines) == 0 {
		return text
	}
	if text == "" {
		return strings.Join(lines, "\n")
	}
	return text + "\n" + strings.Join(lines, "\n")
}
