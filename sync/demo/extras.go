package demo

import (
	"fmt"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// What the demo networks do besides posting text: customers attach
// pictures (some DMs are a picture and nothing else), run polls, edit a
// message a little later and sometimes delete one. Like the rest of the
// content, all of it follows from the seed and the sequence number, drawn
// from its own random stream so the text of a seed stays what it was.

const (
	saltExtras = 0x6174746163686d // "attachm"
	editLag    = 3                // a message is edited when the third after it arrives
	deleteLag  = 2                // and deleted when the second after it arrives
)

// extras adds attachments and a poll to an item.
func (c *Connector) extras(seq int, it *item, msg *inbox.Message) {
	r := c.rng(seq, saltExtras)
	p := r.Float64()
	switch {
	case it.kind == inbox.KindReview:
	case p < 0.10:
		a := pictures[r.IntN(len(pictures))]
		a.URL = fmt.Sprintf("https://demo.parley.invalid/%s/media/%d.%s", c.flavor.Slug, seq, ext(a.Kind))
		a.PreviewURL = fmt.Sprintf("https://demo.parley.invalid/%s/media/%d-small.jpg", c.flavor.Slug, seq)
		msg.Attachments = []inbox.Attachment{a}
		if it.kind == inbox.KindDM && r.IntN(3) == 0 {
			msg.Text = "" // a picture and nothing else
		}
	case p < 0.13 && it.kind != inbox.KindDM:
		msg.Text = pollQuestion[it.lang]
		opts := pollOptions[it.lang]
		poll := &inbox.Poll{ExpiresAt: msg.CreatedAt.Add(24 * time.Hour)}
		for _, o := range opts {
			v := r.IntN(40)
			poll.Options = append(poll.Options, inbox.PollOption{Title: o, Votes: v})
			poll.Voters += v
		}
		poll.Closed = !poll.ExpiresAt.After(c.Now())
		msg.Poll = poll
	}
}

func ext(k inbox.AttachmentKind) string {
	switch k {
	case inbox.AttachVideo, inbox.AttachGIFV:
		return "mp4"
	case inbox.AttachAudio:
		return "ogg"
	case inbox.AttachFile:
		return "pdf"
	}
	return "jpg"
}

// edited reports whether the customer edits message seq, and how.
func (c *Connector) edited(seq int) (string, bool) {
	r := c.rng(seq, saltExtras+1)
	if r.Float64() >= 0.07 {
		return "", false
	}
	it := c.item(seq)
	if it.kind == inbox.KindReview {
		return "", false
	}
	return fmt.Sprintf(editNotes[it.lang], 10000+r.IntN(90000)), true
}

// deleted reports whether the customer deletes message seq.
func (c *Connector) deleted(seq int) bool {
	r := c.rng(seq, saltExtras+2)
	return r.Float64() < 0.03 && c.item(seq).kind != inbox.KindReview
}

// changes adds to b what happened to earlier messages when message seq
// arrives at time at: an edit of one, the deletion of another.
func (c *Connector) changes(b *inbox.Batch, seq int, at time.Time) {
	if e := seq - editLag; e >= 0 {
		if note, ok := c.edited(e); ok {
			in := c.inbound(e, at)
			if in.Message.Poll != nil {
				return // polls are not edited here: their expiry follows the post time, unknown now
			}
			if in.Message.Text != "" {
				in.Message.Text += "\n" + note
			} else {
				in.Message.Text = note
			}
			in.Message.EditedAt = at
			b.Items = append(b.Items, in)
		}
	}
	c.deletions(b, seq, at)
}

func (c *Connector) deletions(b *inbox.Batch, seq int, at time.Time) {
	if d := seq - deleteLag; d >= 0 && c.deleted(d) {
		b.Deletions = append(b.Deletions, inbox.Deletion{ExternalID: c.msgID(d), At: at})
	}
}

var pictures = []inbox.Attachment{
	{Kind: inbox.AttachImage, Description: "A torn parcel with coffee beans spilling out of a split bag", Width: 1600, Height: 1200},
	{Kind: inbox.AttachImage, Description: "Screenshot of a bank statement showing two identical charges of €14.50", Width: 1080, Height: 2340},
	{Kind: inbox.AttachImage, Description: "A flat white with a heart drawn in the foam, on a wooden table", Width: 1200, Height: 1200},
	{Kind: inbox.AttachImage, Width: 800, Height: 600}, // no alt text, as often happens
	{Kind: inbox.AttachVideo, Description: "Ten seconds of a grinder making a rattling noise", Width: 1920, Height: 1080},
	{Kind: inbox.AttachGIFV, Description: "A cat knocking a mug off a counter", Width: 480, Height: 270},
	{Kind: inbox.AttachAudio, Description: "Voice note"},
	{Kind: inbox.AttachFile, Description: "invoice.pdf"},
	{Kind: inbox.AttachSticker, Description: "☕ thumbs up sticker", Width: 512, Height: 512},
}

var pollQuestion = map[lang]string{
	en: "Settle this for us: which roast should be next month's special?",
	nl: "Welke branding wordt de special van volgende maand?",
	ru: "Какую обжарку сделать следующей в месяце?",
}

var pollOptions = map[lang][]string{
	en: {"Dark and chocolatey", "Light and fruity", "Decaf, please"},
	nl: {"Donker", "Licht", "Cafeïnevrij"},
	ru: {"Тёмную", "Светлую", "Без кофеина"},
}

var editNotes = map[lang]string{
	en: "Edit: it's order #%d, sorry.",
	nl: "Edit: bestelnummer #%d.",
	ru: "UPD: номер заказа #%d.",
}
