package tui

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"charm.land/bubbles/v2/viewport"
	"charm.land/lipgloss/v2"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/inbox/sanitize"
)

// convPane shows one conversation: its context post, every message in
// order with author, time and permalink, and outbound replies with their
// delivery status.
type convPane struct {
	id       int64
	user     string // whose drafts are "yours"
	thread   *inbox.Thread
	err      error
	vp       viewport.Model
	composer *composer
	width    int
	height   int
	follow   bool // stick to the bottom when new messages arrive
	// answered is the line where the last message from the customer
	// starts (-1: none): the one a reply answers, kept in view while the
	// composer takes the lower half of a short terminal.
	answered int
	others   []inbox.Viewer
	now      time.Time // of the last render
}

func newConvPane(id int64, user string, width, height int) *convPane {
	c := &convPane{id: id, user: user, follow: true, vp: viewport.New()}
	c.setSize(width, height)
	return c
}

func (c *convPane) setSize(w, h int) {
	c.width, c.height = w, h
	vh := h
	if c.composer != nil {
		c.composer.setSize(w, h)
		vh -= c.composer.height()
	}
	c.vp.SetWidth(w)
	c.vp.SetHeight(max(vh, 1))
	if c.composer != nil && c.vp.AtBottom() {
		c.toEnd()
	}
}

// toEnd shows the end of the thread; while a reply is written, not past
// the start of the message it answers, whatever follows it (notes, the
// brand's earlier replies) and however short the terminal.
func (c *convPane) toEnd() {
	c.vp.GotoBottom()
	if c.composer != nil && c.answered >= 0 && c.answered < c.vp.YOffset() {
		c.vp.SetYOffset(c.answered)
	}
}

func (c *convPane) setThread(th inbox.Thread, st *Styles, now time.Time) {
	atBottom := c.vp.AtBottom() || c.thread == nil || (c.composer != nil && c.vp.YOffset() == c.answered)
	c.thread = &th
	c.err = nil
	c.render(st, now)
	if atBottom && c.follow {
		c.toEnd()
	}
}

// retryable returns the outbox id of the latest failed reply, if any.
func (c *convPane) retryable() int64 {
	if c.thread == nil {
		return 0
	}
	for i := len(c.thread.Messages) - 1; i >= 0; i-- {
		m := c.thread.Messages[i]
		if m.Direction == inbox.Out && m.Delivery == inbox.DeliveryFailed && m.OutboxID > 0 {
			return m.OutboxID
		}
	}
	return 0
}

// permalink is the link to copy: the latest message's, else the post's.
func (c *convPane) permalink() string {
	if c.thread == nil {
		return ""
	}
	for i := len(c.thread.Messages) - 1; i >= 0; i-- {
		if p := c.thread.Messages[i].Permalink; p != "" {
			return screenLine(p)
		}
	}
	if c.thread.Post != nil {
		return screenLine(c.thread.Post.Permalink)
	}
	return ""
}

func (c *convPane) render(st *Styles, now time.Time) {
	c.now = now
	if c.thread == nil {
		return
	}
	w := max(c.width-2, 10)
	wrap := lipgloss.NewStyle().Width(w)
	th := c.thread
	cv := th.Conversation
	var b strings.Builder

	head := []string{st.Network.Render(networkBadge(cv.Network)), st.Kind.Render(kindLabel(cv)),
		st.Title.Render(nameCut(cv.Author.Display(), w))}
	if cv.Author.Handle != "" && cv.Author.Handle != cv.Author.Name {
		head = append(head, st.Meta.Render(nameCut(cv.Author.Handle, w)))
	}
	if cv.Rating > 0 {
		head = append(head, st.Stars.Render(stars(cv.Rating)))
	}
	head = append(head, st.Meta.Render(string(cv.State)))
	if cv.State == inbox.StateSnoozed {
		head = append(head, st.Meta.Render("until "+cv.SnoozeUntil.Local().Format("Mon 2 Jan 15:04")))
	}
	if wc := th.WindowCloses; !wc.IsZero() {
		if wc.After(now) {
			head = append(head, st.Queued.Render("reply window closes "+until(wc, now)))
		} else {
			head = append(head, st.Negative.Render("reply window closed "+ago(wc, now)))
		}
	}
	if cv.NeedsReply && !cv.DueAt.IsZero() {
		if cv.DueAt.After(now) {
			head = append(head, st.Queued.Render("reply due "+until(cv.DueAt, now)))
		} else {
			head = append(head, st.Negative.Render("reply overdue by "+age(cv.DueAt, now)))
		}
	}
	b.WriteString(wrap.Render(strings.Join(head, st.Faint.Render(" · "))) + "\n")
	var marks []string
	if cv.Negative {
		src := string(cv.NegSource)
		if src == "" {
			src = "manual"
		}
		reason := "negative (" + src + ")"
		if cv.NegSource == inbox.NegAuto && len(cv.NegReasons) > 0 {
			reason = "negative (auto: " + screenLine(strings.Join(cv.NegReasons, ", ")) + ")"
		} else if cv.NegSource == inbox.NegAuto && cv.Rating > 0 && cv.Rating <= 2 {
			reason = fmt.Sprintf("negative (auto: %d-star rating)", cv.Rating)
		}
		marks = append(marks, st.Negative.Render("! "+reason))
	}
	if cv.Assignee != "" {
		marks = append(marks, st.Assignee.Render("@ assigned to "+screenLine(cv.Assignee)))
	}
	if len(cv.Tags) > 0 {
		marks = append(marks, st.Tag.Render(ansiCut(screenLine("#"+strings.Join(cv.Tags, " #")), w/2)))
	}
	if cv.Escalated() {
		e := "↑ escalated to " + screenLine(cv.EscDest)
		if cv.EscNote != "" {
			e += ": " + screenLine(cv.EscNote)
		}
		marks = append(marks, st.Escalated.Render(e+" ("+ago(cv.EscAt, now)+")"))
	}
	if len(marks) > 0 {
		b.WriteString(wrap.Render(strings.Join(marks, "   ")) + "\n")
	}
	b.WriteString(st.Faint.Render(ansiCut(screenLine(th.Account.Label), w)) + "\n")
	if line := presenceLine(c.others); line != "" {
		b.WriteString(st.Escalated.Render(line) + "\n")
	}
	b.WriteString("\n")

	if th.Post != nil {
		p := th.Post
		meta := st.Meta.Render("on the post by " + screenLine(p.Author.Display()) + " · " + ago(p.CreatedAt, now))
		body := screenText(p.Text)
		if p.Permalink != "" {
			body += "\n" + st.Link.Render(screenLine(p.Permalink))
		}
		b.WriteString(st.Context.Width(w).Render(meta+"\n"+body) + "\n\n")
	}
	// Notes sit among the messages at the time they were written.
	notes := th.Notes
	c.answered = -1
	for _, m := range th.Messages {
		for len(notes) > 0 && notes[0].CreatedAt.Before(m.CreatedAt) {
			b.WriteString(renderNote(st, notes[0], w, now) + "\n")
			notes = notes[1:]
		}
		if m.Direction == inbox.In {
			c.answered = strings.Count(b.String(), "\n")
		}
		b.WriteString(c.renderMessage(st, m, w, now))
		b.WriteString("\n")
	}
	for _, n := range notes {
		b.WriteString(renderNote(st, n, w, now) + "\n")
	}
	for _, a := range th.Actions {
		line := "⚑ " + string(a.Action)
		switch a.Status {
		case inbox.DeliverySent:
			b.WriteString(st.Sent.Render(line+": done") + "\n")
		case inbox.DeliveryFailed:
			b.WriteString(st.Failed.Render(line+" failed: "+screenLine(a.LastError)) + "\n")
		default:
			b.WriteString(st.Queued.Render(line+": "+string(a.Status)) + "\n")
		}
	}
	if d, ok := th.DraftOf(c.user); ok && c.composer == nil {
		b.WriteString(st.Queued.Render("✎ your unsent draft ("+ago(d.UpdatedAt, now)+") — r to continue it, :discard to throw it away") + "\n")
	}
	// Others' drafts are shown, never loaded into this manager's composer.
	for _, d := range th.OthersDrafts(c.user) {
		owner := screenLine(d.Owner) + "'s"
		if d.Owner == "" {
			owner = "an"
		}
		b.WriteString(st.Faint.Render(wrap.Render("✎ "+owner+" unsent draft, "+ago(d.UpdatedAt, now)+" (read-only):")) + "\n")
		b.WriteString(st.Faint.Width(w).PaddingLeft(2).Render(screenText(d.Body)) + "\n")
	}
	c.vp.SetContent(b.String())
}

// nameCut keeps a name or handle to half the width (at least 20 cells),
// so a 200-character name does not push the time and state off the line
// or take over the header.
func nameCut(s string, w int) string { return cutCell(screenLine(s), max(w/2, 20)) }

func (c *convPane) renderMessage(st *Styles, m inbox.Message, w int, now time.Time) string {
	wrap := lipgloss.NewStyle().Width(w)
	var head []string
	textStyle := st.Inbound
	if m.Direction == inbox.Out {
		textStyle = st.Outbound
		who := "↳ " + nameCut(m.Author.Display(), w)
		if m.Author.Display() == "" {
			who = "↳ brand"
		}
		head = append(head, st.Title.Render(who))
	} else {
		head = append(head, st.Author.Render(nameCut(m.Author.Display(), w)))
		if m.Author.Handle != "" && m.Author.Handle != m.Author.Name {
			head = append(head, st.Meta.Render(nameCut(m.Author.Handle, w)))
		}
	}
	head = append(head, st.Meta.Render(ago(m.CreatedAt, now)))
	if m.Edited() {
		head = append(head, st.Meta.Render("edited "+ago(m.EditedAt, now)))
	}
	if m.Deleted() {
		head = append(head, st.Failed.Render("deleted on "+networkName(c.network())+" "+ago(m.DeletedAt, now)))
	}
	if m.Rating > 0 {
		head = append(head, st.Stars.Render(stars(m.Rating)))
	}
	if m.Direction == inbox.Out {
		switch m.Delivery {
		case inbox.DeliveryQueued, inbox.DeliverySending:
			s := "… " + string(m.Delivery)
			if m.Delivery == inbox.DeliveryQueued && m.HoldUntil.After(now) {
				s = fmt.Sprintf("… sending in %ds — u takes it back", int(m.HoldUntil.Sub(now).Seconds()+0.999))
			}
			if m.Error != "" {
				s += " (last try: " + screenLine(m.Error) + ")"
			}
			head = append(head, st.Queued.Render(s))
		case inbox.DeliverySent:
			head = append(head, st.Sent.Render("✓ sent"))
		case inbox.DeliveryFailed:
			head = append(head, st.Failed.Render("✗ failed: "+screenLine(m.Error)+" — R to retry"))
		}
	}
	var b strings.Builder
	b.WriteString(wrap.Render(strings.Join(head, st.Faint.Render(" · "))) + "\n")
	if m.Deleted() {
		textStyle = textStyle.Strikethrough(true)
	}
	if text := screenText(m.Text); text != "" {
		b.WriteString(textStyle.Width(w).PaddingLeft(2).Render(text) + "\n")
	}
	if m.Edited() && m.PreviousText != "" {
		b.WriteString(st.Faint.Width(w).PaddingLeft(2).Render("was: "+firstLineOf(screenText(m.PreviousText))) + "\n")
	}
	for _, a := range m.Attachments {
		b.WriteString(attachmentLine(st, a, w) + "\n")
	}
	if m.Poll != nil {
		b.WriteString(pollLines(st, *m.Poll, w, now))
	}
	if m.Permalink != "" {
		b.WriteString(lipgloss.NewStyle().PaddingLeft(2).Render(st.Link.Render(ansiCut(screenLine(m.Permalink), w-2))) + "\n")
	}
	return b.String()
}

func (c *convPane) view(st *Styles) string {
	if c.err != nil {
		return st.Err.Render("Could not open this conversation: "+screenLine(c.err.Error())) + "\n" + st.Dim.Render("esc to go back")
	}
	if c.thread == nil {
		return st.Dim.Render("Loading…")
	}
	out := c.vp.View()
	if c.composer != nil {
		out += "\n" + c.composer.view(st, c.now)
	}
	return out
}

// presenceLine says who else is here: "also here: bob (replying), cy".
func presenceLine(others []inbox.Viewer) string {
	if len(others) == 0 {
		return ""
	}
	var names []string
	for _, v := range others {
		n := screenLine(v.User)
		if v.Composing {
			n += " (replying)"
		}
		names = append(names, n)
	}
	return "👥 also here: " + strings.Join(names, ", ")
}

func (c *convPane) network() string {
	if c.thread == nil {
		return ""
	}
	return c.thread.Conversation.Network
}

// networkName is how a network calls itself, for sentences.
func networkName(n string) string {
	switch n = strings.TrimPrefix(n, "demo-"); n {
	case "facebook":
		return "Facebook"
	case "instagram":
		return "Instagram"
	case "vk":
		return "VK"
	case "google":
		return "Google"
	case "mastodon":
		return "Mastodon"
	case "telegram":
		return "Telegram"
	case "":
		return "the network"
	}
	return n
}

func firstLineOf(s string) string {
	first, _, more := strings.Cut(strings.TrimSpace(s), "\n")
	if more {
		first += " …"
	}
	return first
}

// attachmentLine is one attachment under a message: its kind, size and
// description, and its URL as a terminal hyperlink when the URL is a plain
// web address (remote text never becomes a link target unchecked).
func attachmentLine(st *Styles, a inbox.Attachment, w int) string {
	line := "📎 " + screenLine(string(a.Kind))
	if a.Width > 0 && a.Height > 0 {
		line += fmt.Sprintf(" %d×%d", a.Width, a.Height)
	}
	if a.Description != "" {
		line += ": " + firstLineOf(screenText(a.Description))
	}
	out := lipgloss.NewStyle().PaddingLeft(2).Render(ansiCut(line, w-2))
	raw := a.URL
	if raw == "" {
		raw = a.PreviewURL
	}
	if raw == "" {
		return out
	}
	shown := ansiCut(screenLine(raw), w-4)
	if link, ok := safeLink(raw); ok {
		return out + "\n" + lipgloss.NewStyle().PaddingLeft(4).Render(st.Link.Hyperlink(link).Render(shown))
	}
	return out + "\n" + lipgloss.NewStyle().PaddingLeft(4).Render(st.Faint.Render(shown+" (not a web link)"))
}

// safeLink returns a remote URL fit to be a hyperlink target: http or
// https, a host, no credentials, no control or bidi characters.
func safeLink(raw string) (string, bool) {
	if raw != sanitize.Line(raw) || strings.ContainsAny(raw, " \t") {
		return "", false
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return "", false
	}
	return u.String(), true
}

// pollLines shows a poll's options with their share of the votes, and
// whether it is still open.
func pollLines(st *Styles, p inbox.Poll, w int, now time.Time) string {
	total := 0
	for _, o := range p.Options {
		total += o.Votes
	}
	var b strings.Builder
	for _, o := range p.Options {
		line := "◦ " + screenLine(o.Title)
		switch {
		case p.CountsHidden:
		case total > 0:
			line += fmt.Sprintf(" — %d (%d%%)", o.Votes, o.Votes*100/total)
		default:
			line += " — 0"
		}
		b.WriteString(lipgloss.NewStyle().PaddingLeft(2).Render(ansiCut(line, w-2)) + "\n")
	}
	state := "poll"
	if p.Multiple {
		state += " (several answers)"
	}
	switch {
	case p.Closed || (!p.ExpiresAt.IsZero() && !p.ExpiresAt.After(now)):
		state += " · closed"
	case !p.ExpiresAt.IsZero():
		state += " · closes " + until(p.ExpiresAt, now)
	}
	if p.Voters > 0 {
		state += fmt.Sprintf(" · %d voters", p.Voters)
	} else if total > 0 && !p.CountsHidden {
		state += fmt.Sprintf(" · %d votes", total)
	}
	b.WriteString(lipgloss.NewStyle().PaddingLeft(2).Render(st.Meta.Render(state)) + "\n")
	return b.String()
}
