package facebook

import (
	"strings"

	"github.com/parleyhq/parley/inbox"
)

// Attachments are asked for on every listing: without them a photo, a
// sticker, a voice note or a shared post arrives as a blank message.

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

func (a *storyAttachment) attachments() []inbox.Attachment {
	if a == nil {
		return nil
	}
	out := inbox.Attachment{URL: a.URL}
	if a.Media != nil && a.Media.Image.Src != "" {
		out.URL, out.PreviewURL = a.Media.Image.Src, a.Media.Image.Src
	}
	if out.URL == "" && a.Target != nil {
		out.URL = a.Target.URL
	}
	switch a.Type {
	case "photo", "animated_image_share", "animated_image_autoplay", "animated_image_video":
		out.Kind = inbox.AttachImage
	case "sticker":
		out.Kind = inbox.AttachSticker
	case "video_inline", "video_autoplay", "video":
		out.Kind = inbox.AttachVideo
	default: // share and the rest: a link to what was attached
		out.Kind = inbox.AttachLink
	}
	return []inbox.Attachment{out}
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

// attachments are a message's files, sticker and shared links.
func (m message) attachments() []inbox.Attachment {
	var out []inbox.Attachment
	for _, a := range m.Attachments.Data {
		at := inbox.Attachment{Kind: inbox.AttachFile, URL: a.FileURL, Description: a.Name}
		switch {
		case a.ImageData != nil:
			at = inbox.Attachment{Kind: inbox.AttachImage, URL: a.ImageData.URL, PreviewURL: a.ImageData.PreviewURL}
		case a.VideoData != nil:
			at = inbox.Attachment{Kind: inbox.AttachVideo, URL: a.VideoData.URL, PreviewURL: a.VideoData.PreviewURL}
		case strings.HasPrefix(a.MimeType, "audio/"):
			at.Kind, at.Description = inbox.AttachAudio, "" // a voice note's file name says nothing
		case strings.HasPrefix(a.MimeType, "image/"):
			at.Kind = inbox.AttachImage
		case strings.HasPrefix(a.MimeType, "video/"):
			at.Kind = inbox.AttachVideo
		}
		out = append(out, at)
	}
	if m.Sticker != "" {
		out = append(out, inbox.Attachment{Kind: inbox.AttachSticker, URL: m.Sticker})
	}
	for _, s := range m.Shares.Data {
		out = append(out, inbox.Attachment{Kind: inbox.AttachLink, URL: s.Link, Description: s.Name})
	}
	return out
}
