package ok

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	psync "github.com/parleyhq/parley/sync"
)

// bot calls OK's Bot API (Graph API, https://api.ok.ru/graph/me/…) with
// the group's bot token, which the group's administrator creates in the
// group's settings. It takes the token as the access_token query
// parameter and no signature.
type bot struct {
	http  *psync.HTTPClient
	token func(context.Context) (string, error)
	pace  *pacer
}

func newBot(base string, token func(context.Context) (string, error)) (*bot, error) {
	c, err := psync.NewHTTPClient(strings.TrimRight(base, "/"), false, nil)
	if err != nil {
		return nil, err
	}
	c.MapError = httpError
	b := &bot{http: c, token: token}
	b.pace = &pacer{every: 200 * time.Millisecond, now: func() time.Time { return c.Now() },
		sleep: func(ctx context.Context, d time.Duration) error { return c.Sleep(ctx, d) }}
	return b, nil
}

// do runs one Bot API request; body, when set, is sent as JSON.
func (b *bot) do(ctx context.Context, method, path string, q url.Values, body, out any) error {
	tok, err := b.token(ctx)
	if err != nil {
		return fmt.Errorf("%w: %v", psync.ErrAuth, err)
	}
	query := url.Values{}
	for k, v := range q {
		query[k] = v
	}
	query.Set("access_token", tok)
	if err := b.pace.wait(ctx); err != nil {
		return err
	}
	var raw json.RawMessage
	req := psync.Request{Method: method, Path: path, Query: query}
	if body != nil {
		req.JSON = body
		req.Headers = map[string]string{"Content-Type": "application/json;charset=utf-8"}
	}
	what := "bot " + method + " " + path
	if _, err := b.http.Do(ctx, req, &raw); err != nil {
		return fmt.Errorf("ok %s: %w", what, err)
	}
	if ae, isErr := asError(raw); isErr {
		return mapError(what, ae)
	}
	if out == nil || len(bytes.TrimSpace(raw)) == 0 {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("ok %s: unexpected answer (%v); will retry", what, err)
	}
	return nil
}

// botInfo is /me/info for a group token.
type botInfo struct {
	Name    string `json:"name"`
	GroupID string `json:"group_id"` // "group:123…"
}

type chat struct {
	ChatID        string `json:"chat_id"` // "chat:C3ecb9d02a600"
	Type          string `json:"type"`    // GROUP_CHAT, DIALOG or CHAT
	Status        string `json:"status"`  // ACTIVE, LEFT, REMOVED
	Title         string `json:"title"`
	LastEventTime int64  `json:"lastEventTime"` // ms
	OwnerID       string `json:"owner_id"`
}

type chatsPage struct {
	Chats  []chat `json:"chats"`
	Marker string `json:"marker"` // absent at the end of the list
}

type botMessage struct {
	Sender struct {
		Name   string `json:"name"`
		UserID string `json:"user_id"` // "user:…" (or "group:…" for the group itself)
	} `json:"sender"`
	Recipient struct {
		ChatID string `json:"chat_id"`
	} `json:"recipient"`
	Message struct {
		Text        string          `json:"text"`
		Seq         json.Number     `json:"seq"`
		MID         string          `json:"mid"` // "mid:C3ecb9d02a600.15cea67d78d2059"
		Attachments []botAttachment `json:"attachments"`
	} `json:"message"`
	Timestamp int64 `json:"timestamp"` // ms
}

type botAttachment struct {
	Type    string `json:"type"` // IMAGE, VIDEO, AUDIO, SHARE
	Payload struct {
		URL string `json:"url"`
	} `json:"payload"`
}

type messagesPage struct {
	Messages []botMessage `json:"messages"`
}

// sendResult is what posting a chat message answers: the chat and the new
// message's id (the documentation shows no example; this is the Bot API's
// usual answer).
type sendResult struct {
	ChatID    string `json:"chat_id"`
	MessageID string `json:"message_id"`
}

func (b *bot) info(ctx context.Context) (botInfo, error) {
	var in botInfo
	err := b.do(ctx, "GET", "/graph/me/info", nil, nil, &in)
	return in, err
}

func (b *bot) chats(ctx context.Context, marker string, count int) (chatsPage, error) {
	q := url.Values{"count": {strconv.Itoa(count)}}
	if marker != "" {
		q.Set("marker", marker)
	}
	var pg chatsPage
	err := b.do(ctx, "GET", "/graph/me/chats", q, nil, &pg)
	return pg, err
}

// messages reads a chat newest first: those created between to and from
// (ms, from ≥ to).
func (b *bot) messages(ctx context.Context, chatID string, from, to int64, count int) ([]botMessage, error) {
	q := url.Values{"count": {strconv.Itoa(count)}, "from": {strconv.FormatInt(from, 10)}, "to": {strconv.FormatInt(to, 10)}}
	var pg messagesPage
	err := b.do(ctx, "GET", "/graph/me/messages/"+url.PathEscape(chatID), q, nil, &pg)
	return pg.Messages, err
}

func (b *bot) send(ctx context.Context, chatID, text string) (sendResult, error) {
	body := map[string]any{"recipient": map[string]string{"chat_id": chatID}, "message": map[string]string{"text": text}}
	var res sendResult
	err := b.do(ctx, "POST", "/graph/me/messages/"+url.PathEscape(chatID), nil, body, &res)
	return res, err
}
