package sync

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/smtp"
	"net/textproto"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// Escalation is what a destination receives: the conversation, a link,
// the note, the negativity score and the latest messages.
type Escalation struct {
	Destination string `json:"destination"`
	// Retracted: the escalation was undone in parley; whoever acted on the
	// first message should stop.
	Retracted    bool            `json:"retracted,omitempty"`
	Note         string          `json:"note"`
	EscalatedBy  string          `json:"escalated_by,omitempty"`
	Link         string          `json:"link"`
	Network      string          `json:"network"`
	Account      string          `json:"account"`
	Kind         string          `json:"kind"`
	Author       string          `json:"author"`
	Negative     bool            `json:"negative"`
	Score        float64         `json:"score"`
	Rating       int             `json:"rating,omitempty"`
	Conversation int64           `json:"conversation_id"`
	Messages     []EscalationMsg `json:"messages"`
	// Notes are the team's internal notes on the conversation (latest ten):
	// context for whoever it is handed to, never seen by the customer.
	Notes []EscalationMsg `json:"notes,omitempty"`
}

// EscalationMsg is one message in an escalation.
type EscalationMsg struct {
	From string    `json:"from"`
	At   time.Time `json:"at"`
	Text string    `json:"text"`
}

// Summary is the one-paragraph text for chat and the mail subject line.
func (e Escalation) Summary() string {
	neg := ""
	if e.Negative {
		neg = " (negative)"
	}
	last := ""
	if n := len(e.Messages); n > 0 {
		last = e.Messages[n-1].Text
		if r := []rune(last); len(r) > 280 {
			last = string(r[:280]) + "…"
		}
	}
	s := fmt.Sprintf("Escalated to %s: %s %s from %s on %s%s", e.Destination, e.Kind, "conversation", e.Author, e.Network, neg)
	if e.Retracted {
		s = fmt.Sprintf("WITHDRAWN — the escalation to %s of the %s conversation from %s on %s was undone; no action needed", e.Destination, e.Kind, e.Author, e.Network)
	}
	if e.Note != "" {
		s += "\nNote: " + e.Note
	}
	if last != "" {
		s += "\n> " + strings.ReplaceAll(last, "\n", "\n> ")
	}
	for _, n := range e.Notes {
		s += "\nInternal note by " + n.From + ": " + strings.ReplaceAll(n.Text, "\n", " ")
	}
	if e.Link != "" {
		s += "\n" + e.Link
	}
	return s
}

// NewEscalation builds the payload from a thread.
func NewEscalation(dest, note string, th inbox.Thread) Escalation {
	c := th.Conversation
	e := Escalation{Destination: dest, Note: note, Network: c.Network, Account: th.Account.Label, Kind: string(c.Kind),
		Author: c.Author.Display(), Negative: c.Negative, Score: c.NegScore, Rating: c.Rating, Conversation: c.ID,
		EscalatedBy: ""}
	msgs := th.Messages
	if len(msgs) > 10 {
		msgs = msgs[len(msgs)-10:]
	}
	for _, m := range msgs {
		e.Messages = append(e.Messages, EscalationMsg{From: m.Author.Display(), At: m.CreatedAt, Text: m.Text})
		if m.Permalink != "" {
			e.Link = m.Permalink
		}
	}
	notes := th.Notes
	if len(notes) > 10 {
		notes = notes[len(notes)-10:]
	}
	for _, n := range notes {
		e.Notes = append(e.Notes, EscalationMsg{From: n.Author, At: n.CreatedAt, Text: n.Text})
	}
	if e.Link == "" && th.Post != nil {
		e.Link = th.Post.Permalink
	}
	return e
}

// Deliverer sends an escalation somewhere people will see it.
type Deliverer interface {
	Deliver(ctx context.Context, e Escalation) error
}

// Webhook posts JSON: Slack- and Mattermost-compatible ("text"), with the
// whole escalation beside it for generic receivers.
type Webhook struct {
	URL  string
	HTTP *http.Client
}

// Deliver implements Deliverer. 2xx is delivered; 429 and 5xx are retried;
// other answers are final.
func (w Webhook) Deliver(ctx context.Context, e Escalation) error {
	body, _ := json.Marshal(struct {
		Text string `json:"text"`
		Escalation
	}{e.Summary(), e})
	req, err := http.NewRequestWithContext(ctx, "POST", w.URL, bytes.NewReader(body))
	if err != nil {
		return Permanent(fmt.Errorf("webhook: %v", err))
	}
	req.Header.Set("Content-Type", "application/json")
	client := w.HTTP
	if client == nil {
		client = &http.Client{Timeout: 20 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("webhook: %w", scrub(err))
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode < 300:
		return nil
	case resp.StatusCode == 429:
		return &RateLimitError{RetryAfter: RetryAfter(resp.Header.Get("Retry-After"), time.Now()), Msg: "webhook: 429"}
	case resp.StatusCode >= 500:
		return fmt.Errorf("webhook: %s", resp.Status)
	}
	return Permanent(fmt.Errorf("webhook refused the escalation: %s", resp.Status))
}

// SMTP is a mail server to send escalations through.
type SMTP struct {
	Host     string
	Port     int // 587 by default
	Username string
	Password func(context.Context) (string, error)
	From     string
	StartTLS bool // required unless the server is on this machine
	Insecure bool // skip certificate checks (local test servers only)
}

// Email sends escalations by mail.
type Email struct {
	To     []string
	Server SMTP
}

// Deliver implements Deliverer. SMTP 4xx answers and connection failures
// are retried; 5xx answers are final.
func (m Email) Deliver(ctx context.Context, e Escalation) error {
	s := m.Server
	port := s.Port
	if port == 0 {
		port = 587
	}
	addr := net.JoinHostPort(s.Host, strconv.Itoa(port))
	d := net.Dialer{Timeout: 20 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("email: %w", err)
	}
	c, err := smtp.NewClient(conn, s.Host)
	if err != nil {
		conn.Close()
		return smtpErr(err)
	}
	defer c.Close()
	if s.StartTLS {
		if err := c.StartTLS(&tls.Config{ServerName: s.Host, InsecureSkipVerify: s.Insecure}); err != nil { //nolint:gosec // opt-in for local servers
			return smtpErr(err)
		}
	}
	if s.Username != "" && s.Password != nil {
		pw, err := s.Password(ctx)
		if err != nil {
			return Permanent(fmt.Errorf("email: password: %v", err))
		}
		if err := c.Auth(smtp.PlainAuth("", s.Username, pw, s.Host)); err != nil {
			return smtpErr(err)
		}
	}
	if err := c.Mail(s.From); err != nil {
		return smtpErr(err)
	}
	for _, to := range m.To {
		if err := c.Rcpt(to); err != nil {
			return smtpErr(err)
		}
	}
	wc, err := c.Data()
	if err != nil {
		return smtpErr(err)
	}
	subject := fmt.Sprintf("[parley] %s: %s on %s", e.Destination, e.Author, e.Network)
	msg := "From: " + s.From + "\r\nTo: " + strings.Join(m.To, ", ") + "\r\nSubject: " + mimeHeader(subject) +
		"\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" +
		strings.ReplaceAll(e.Summary(), "\n", "\r\n") + "\r\n"
	if _, err := wc.Write([]byte(msg)); err != nil {
		return smtpErr(err)
	}
	if err := wc.Close(); err != nil {
		return smtpErr(err)
	}
	return c.Quit()
}

func mimeHeader(s string) string {
	for _, r := range s {
		if r > 127 {
			return "=?utf-8?q?" + strings.NewReplacer("?", "=3F", "_", "=5F", " ", "_", "=", "=3D").Replace(s) + "?="
		}
	}
	return s
}

func smtpErr(err error) error {
	var te *textproto.Error
	if errors.As(err, &te) && te.Code >= 500 {
		return Permanent(fmt.Errorf("email refused: %v", err))
	}
	return fmt.Errorf("email: %w", err)
}

// Command runs a shell command with the escalation as JSON on stdin.
type Command struct{ Cmd string }

// Deliver implements Deliverer; a non-zero exit is retried.
func (c Command) Deliver(ctx context.Context, e Escalation) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	body, _ := json.Marshal(e)
	cmd := exec.CommandContext(ctx, "sh", "-c", c.Cmd)
	cmd.Stdin = bytes.NewReader(body)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("command %q: %v: %s", c.Cmd, err, Truncate(strings.TrimSpace(stderr.String()), 200))
	}
	return nil
}
