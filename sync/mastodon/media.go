package mastodon

import (
	"github.com/parleyhq/parley/inbox"
)

// attachments maps a status's media and its link card. Remote media keep
// the local copy's URL (the server's cache), else the remote one.
func attachments(s status) []inbox.Attachment {
	var out []inbox.Attachment
	for _, m := range s.MediaAttachments {
		a := inbox.Attachment{Kind: mediaKind(m.Type), URL: m.URL, PreviewURL: deref(m.PreviewURL), Description: deref(m.Description)}
		if a.URL == "" {
			a.URL = deref(m.RemoteURL)
		}
		if o := m.Meta.Original; o != nil {
			a.Width, a.Height = o.Width, o.Height
		}
		out = append(out, a)
	}
	if c := s.Card; c != nil && c.URL != "" {
		out = append(out, inbox.Attachment{Kind: inbox.AttachLink, URL: c.URL, PreviewURL: deref(c.Image),
			Description: c.Title, Width: c.Width, Height: c.Height})
	}
	return out
}

func mediaKind(t string) inbox.AttachmentKind {
	switch t {
	case "image":
		return inbox.AttachImage
	case "video":
		return inbox.AttachVideo
	case "gifv":
		return inbox.AttachGIFV
	case "audio":
		return inbox.AttachAudio
	}
	return inbox.AttachFile // "unknown": a file the server could not process
}

// mapPoll maps a poll; option counts are null while the poll hides them.
func mapPoll(p *poll) *inbox.Poll {
	if p == nil || len(p.Options) == 0 {
		return nil
	}
	out := &inbox.Poll{Closed: p.Expired, Multiple: p.Multiple}
	if p.ExpiresAt != nil {
		out.ExpiresAt = *p.ExpiresAt
	}
	if p.VotersCount != nil {
		out.Voters = *p.VotersCount
	}
	for _, o := range p.Options {
		opt := inbox.PollOption{Title: o.Title}
		if o.VotesCount == nil {
			out.CountsHidden = true
		} else {
			opt.Votes = *o.VotesCount
		}
		out.Options = append(out.Options, opt)
	}
	return out
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
