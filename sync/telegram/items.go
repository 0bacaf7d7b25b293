package telegram

import (
	"fmt"
	"strings"

	"github.com/parleyhq/parley/inbox"
	psync "github.com/parleyhq/parley/sync"
)

// telegramService is the sender of automatic forwards from a channel into
// its discussion group.
const telegramService = 777000

// item turns one message (new or edited) into an inbox item, and the post
// it hangs under when the message shows it. ok is false for what is not a
// customer's message: service messages, the channel's automatic forwards
// (those are posts), channels themselves.
func (c *Connector) item(m *message, links channelLinks) (it inbox.Inbound, post *inbox.Post, ok bool) {
	if m == nil || m.MessageID == 0 || m.Chat.ID == 0 {
		return it, nil, false
	}
	switch m.Chat.Type {
	case "private":
		it.ConversationID, it.Kind = dmConv(m.Chat.ID), inbox.KindDM
	case "group", "supergroup":
		it.Kind = inbox.KindComment
		if m.IsAutomaticForward {
			return it, forwardPost(m), false
		}
		switch {
		case m.IsTopicMessage && m.MessageThreadID != 0:
			// A forum topic is one conversation, as a board topic is.
			it.ConversationID, it.PostID = topicConv(m.Chat.ID, m.MessageThreadID), topicPostID(m.Chat.ID, m.MessageThreadID)
			post = topicPost(m)
		default:
			// A reply chain is one conversation. In a discussion group the
			// chain's root is the automatic forward of the channel post.
			root := m.MessageID
			switch {
			case m.MessageThreadID != 0:
				root = m.MessageThreadID
			case m.ReplyToMessage != nil && m.ReplyToMessage.MessageID != 0:
				root = m.ReplyToMessage.MessageID // basic groups have no thread ids
			}
			it.ConversationID, it.PostID = threadConv(m.Chat.ID, root), postID(m.Chat.ID, root)
			if r := m.ReplyToMessage; r != nil && r.IsAutomaticForward && r.MessageID == root {
				post = forwardPost(r)
			}
		}
	default:
		return it, nil, false
	}
	text := body(m)
	atts := attachments(m)
	p := pollOf(m)
	if strings.TrimSpace(text) == "" && len(atts) == 0 && p == nil {
		return it, post, false
	}
	if it.Kind == inbox.KindDM && m.ReplyToMessage != nil {
		if q := firstLine(body(m.ReplyToMessage)); q != "" {
			text = "↪ " + psync.Truncate(q, 80) + "\n" + text
		}
	}
	snd := sender(m)
	dir := inbox.In
	if m.SenderChat != nil && (snd == m.Chat.ID || links[m.Chat.ID] == snd) {
		dir = inbox.Out // an anonymous admin, or the brand channel itself
	}
	msg := inbox.Message{ExternalID: msgID(m.Chat.ID, m.MessageID, snd), Direction: dir, Author: author(m),
		Text: text, CreatedAt: unix(m.Date), Permalink: permalink(m.Chat, m.MessageID), Attachments: atts, Poll: p}
	if r := m.ReplyToMessage; r != nil && !r.IsAutomaticForward && r.ForumTopicCreated == nil {
		msg.ParentID = msgID(m.Chat.ID, r.MessageID, sender(r))
	}
	if m.EditDate > 0 {
		msg.EditedAt = unix(m.EditDate)
	}
	it.Message = msg
	return it, post, true
}

// sender is who wrote a message: a user's id (positive) or, for messages
// sent on behalf of a chat, that chat's id (negative).
func sender(m *message) int64 {
	switch {
	case m.SenderChat != nil:
		return m.SenderChat.ID
	case m.From != nil:
		return m.From.ID
	}
	return 0
}

func author(m *message) inbox.Author {
	if ch := m.SenderChat; ch != nil {
		return chatAuthor(ch)
	}
	if u := m.From; u != nil {
		a := inbox.Author{ID: fmt.Sprint(u.ID), Handle: u.Username, Name: strings.TrimSpace(u.FirstName + " " + u.LastName)}
		if u.Username != "" {
			a.Handle, a.URL = "@"+u.Username, "https://t.me/"+u.Username
		}
		return a
	}
	return inbox.Author{}
}

func chatAuthor(ch *chat) inbox.Author {
	a := inbox.Author{ID: fmt.Sprint(ch.ID), Name: ch.Title}
	if a.Name == "" {
		a.Name = strings.TrimSpace(ch.FirstName + " " + ch.LastName)
	}
	if ch.Username != "" {
		a.Handle, a.URL = "@"+ch.Username, "https://t.me/"+ch.Username
	}
	return a
}

// body is what a message says, and whom it was forwarded from.
func body(m *message) string {
	text := content(m)
	if o := m.ForwardOrigin; o != nil {
		text = strings.TrimSpace("[forwarded from " + originName(o) + "]\n" + text)
	}
	return text
}

// content is a message's text or caption, and what has no text of its own
// (a location, a contact) in words.
func content(m *message) string {
	text := m.Text
	if text == "" {
		text = m.Caption
	}
	if l := m.Location; l != nil {
		text = strings.TrimSpace(text + fmt.Sprintf("\n[location %.5f, %.5f]", l.Latitude, l.Longitude))
	}
	if ct := m.Contact; ct != nil {
		text = strings.TrimSpace(text + "\n[contact " + strings.TrimSpace(ct.FirstName+" "+ct.LastName) + " " + ct.PhoneNumber + "]")
	}
	if p := m.Poll; p != nil && text == "" {
		text = p.Question
	}
	return strings.TrimSpace(text)
}

func originName(o *forwardOrigin) string {
	switch {
	case o.SenderUser != nil:
		return strings.TrimSpace(o.SenderUser.FirstName + " " + o.SenderUser.LastName)
	case o.SenderUserName != "":
		return o.SenderUserName
	case o.Chat != nil:
		return chatAuthor(o.Chat).Name
	case o.SenderChat != nil:
		return chatAuthor(o.SenderChat).Name
	}
	return "someone"
}

// attachments describe media without their files: a file's download URL
// carries the bot token, so none is stored.
func attachments(m *message) []inbox.Attachment {
	var out []inbox.Attachment
	if n := len(m.Photo); n > 0 {
		big := m.Photo[n-1] // sizes come smallest first
		out = append(out, inbox.Attachment{Kind: inbox.AttachImage, Width: big.Width, Height: big.Height})
	}
	add := func(kind inbox.AttachmentKind, md *media) {
		if md == nil {
			return
		}
		desc := md.FileName
		if md.Title != "" {
			desc = md.Title
		}
		w, h := md.Width, md.Height
		if md.Length > 0 {
			w, h = md.Length, md.Length
		}
		out = append(out, inbox.Attachment{Kind: kind, Description: desc, Width: w, Height: h})
	}
	add(inbox.AttachVideo, m.Video)
	add(inbox.AttachGIFV, m.Animation)
	add(inbox.AttachAudio, m.Audio)
	if m.Voice != nil {
		out = append(out, inbox.Attachment{Kind: inbox.AttachAudio, Description: fmt.Sprintf("voice message, %d s", m.Voice.Duration)})
	}
	add(inbox.AttachVideo, m.VideoNote)
	if m.Animation == nil {
		add(inbox.AttachFile, m.Document) // an animation also fills document
	}
	if s := m.Sticker; s != nil {
		out = append(out, inbox.Attachment{Kind: inbox.AttachSticker, Description: s.Emoji, Width: s.Width, Height: s.Height})
	}
	return out
}

func pollOf(m *message) *inbox.Poll {
	p := m.Poll
	if p == nil {
		return nil
	}
	out := &inbox.Poll{Closed: p.IsClosed, Multiple: p.AllowsMultipleAnswers, Voters: p.TotalVoterCount}
	if p.CloseDate > 0 {
		out.ExpiresAt = unix(p.CloseDate)
	}
	for _, o := range p.Options {
		out.Options = append(out.Options, inbox.PollOption{Title: o.Text, Votes: o.VoterCount})
	}
	return out
}

// forwardPost is the channel post an automatic forward carries: the
// context of the comments under it.
func forwardPost(m *message) *inbox.Post {
	p := &inbox.Post{ExternalID: postID(m.Chat.ID, m.MessageID), Text: content(m), CreatedAt: unix(m.Date),
		Permalink: permalink(m.Chat, m.MessageID)}
	if o := m.ForwardOrigin; o != nil && o.Chat != nil {
		p.Author = chatAuthor(o.Chat)
		if o.MessageID != 0 {
			p.Permalink = permalink(*o.Chat, o.MessageID)
		}
	} else if m.SenderChat != nil {
		p.Author = chatAuthor(m.SenderChat)
	}
	return p
}

// topicPost is a forum topic's context: its name when the message shows
// the topic's first (service) message.
func topicPost(m *message) *inbox.Post {
	name := ""
	if m.ForumTopicCreated != nil {
		name = m.ForumTopicCreated.Name
	} else if r := m.ReplyToMessage; r != nil && r.ForumTopicCreated != nil && r.MessageID == m.MessageThreadID {
		name = r.ForumTopicCreated.Name
	}
	if name == "" {
		return nil // the topic's name is not in this message; an earlier one may have stored it
	}
	return &inbox.Post{ExternalID: topicPostID(m.Chat.ID, m.MessageThreadID), Author: chatAuthor(&m.Chat),
		Text: "Topic: " + name, Permalink: permalink(m.Chat, m.MessageThreadID)}
}

// permalink is the t.me address of a message in a group or channel:
// public ones by username, private supergroups and channels through /c/.
// Private chats and basic groups have none.
func permalink(ch chat, id int64) string {
	switch {
	case ch.Type == "private" || id == 0:
		return ""
	case ch.Username != "":
		return fmt.Sprintf("https://t.me/%s/%d", ch.Username, id)
	case ch.ID < -1_000_000_000_000:
		return fmt.Sprintf("https://t.me/c/%d/%d", -ch.ID-1_000_000_000_000, id)
	}
	return ""
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}
