package telegram

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/parleyhq/parley/sync/synctest"
)

// fakeTelegram behaves like api.telegram.org for one bot: the token in the
// path (401 when revoked, 404 for one that never existed), every answer
// {"ok":…} with error_code/description/parameters on failure and the
// matching HTTP status, getUpdates honouring offset (confirmed updates are
// dropped), limit, allowed_updates and a long-poll hold that ends when an
// update arrives, 409 for a second concurrent poll (the earlier one is
// terminated) or while a webhook is set, sendMessage with
// reply_parameters, the 4096 UTF-16 limit, a per-chat send rate that earns
// 429 + retry_after, and bots blocked by users (403).
type fakeTelegram struct {
	t   *testing.T
	srv *httptest.Server

	mu        sync.Mutex
	token     string
	revoked   bool
	bot       map[string]any
	webhook   string
	updates   []map[string]any // pending, update_id ascending
	nextID    int64
	nextMsg   map[int64]int64          // chat → next message id
	messages  map[int64]map[int64]bool // chat → message ids that exist
	blocked   map[int64]bool
	sent      []map[string]any // sendMessage bodies accepted
	calls     []fakeCall
	faults    map[string][]fault
	lastSend  map[int64]time.Time
	polling   chan struct{} // closed to terminate the poll in flight
	wake      chan struct{}
	holdCap   time.Duration // longest real hold of a long poll
	confirmed int64         // highest offset seen
	deleted   []string
	banned    []string
	// changed wakes a waiting test after every call logged.
	changed synctest.Wake
}

type fakeCall struct {
	Method string
	Body   map[string]any
}

// fault replaces one answer of a method. after: the call is carried out
// first, then the answer is lost (the connection dropped or cut short).
type fault struct {
	status   int
	body     string
	after    bool
	truncate bool
	replay   bool // getUpdates: serve the page as if offset were 0 (a duplicate page)
}

const (
	testToken = "123456789:AAH-test_token-ZZZZZZZZZZZZZZZZZZZZZZZ"
	botID     = 123456789
)

func newFake(t *testing.T) *fakeTelegram {
	f := &fakeTelegram{t: t, token: testToken, nextID: 815203001, nextMsg: map[int64]int64{}, messages: map[int64]map[int64]bool{},
		blocked: map[int64]bool{}, faults: map[string][]fault{}, lastSend: map[int64]time.Time{}, wake: make(chan struct{}), holdCap: 3 * time.Second,
		bot: map[string]any{"id": botID, "is_bot": true, "first_name": "Acme Support", "username": "acme_support_bot",
			"can_join_groups": true, "can_read_all_group_messages": false, "supports_inline_queries": false}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeTelegram) reply(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (f *fakeTelegram) fail(w http.ResponseWriter, code int, desc string, params map[string]any) {
	body := map[string]any{"ok": false, "error_code": code, "description": desc}
	if params != nil {
		body["parameters"] = params
	}
	f.reply(w, code, body)
}

func (f *fakeTelegram) serve(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	tok, method, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 {
		f.fail(w, 404, "Not Found", nil)
		return
	}
	f.mu.Lock()
	revoked, want := f.revoked, f.token
	f.mu.Unlock()
	switch {
	case tok != want:
		f.fail(w, 404, "Not Found", nil)
		return
	case revoked:
		f.fail(w, 401, "Unauthorized", nil)
		return
	}
	var body map[string]any
	if r.ContentLength != 0 {
		if r.Header.Get("Content-Type") != "application/json" {
			f.fail(w, 400, "Bad Request: unsupported content type", nil)
			return
		}
		b, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(b, &body); err != nil {
			f.fail(w, 400, "Bad Request: can't parse JSON object", nil)
			return
		}
	}
	f.mu.Lock()
	f.calls = append(f.calls, fakeCall{Method: method, Body: body})
	f.changed.Notify()
	var flt *fault
	if q := f.faults[method]; len(q) > 0 {
		flt, f.faults[method] = &q[0], q[1:]
	}
	f.mu.Unlock()
	if flt != nil && !flt.after && !flt.replay {
		if flt.truncate {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(flt.body))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(flt.status)
		w.Write([]byte(flt.body))
		return
	}
	rec := httptest.NewRecorder()
	f.handle(rec, r, method, body, flt)
	if flt != nil && flt.after {
		// The call happened; the answer never arrives.
		hj, ok := w.(http.Hijacker)
		if !ok {
			f.t.Fatal("no hijacker")
		}
		conn, _, _ := hj.Hijack()
		conn.Close()
		return
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
}

func num(v any) int64 {
	switch n := v.(type) {
	case int:
		return int64(n)
	case int64:
		return n
	case float64:
		return int64(n)
	case json.Number:
		i, _ := n.Int64()
		return i
	}
	return 0
}

func (f *fakeTelegram) handle(w http.ResponseWriter, r *http.Request, method string, body map[string]any, flt *fault) {
	ok := func(v any) { f.reply(w, 200, map[string]any{"ok": true, "result": v}) }
	switch method {
	case "getMe":
		f.mu.Lock()
		defer f.mu.Unlock()
		ok(f.bot)
	case "getWebhookInfo":
		f.mu.Lock()
		defer f.mu.Unlock()
		ok(map[string]any{"url": f.webhook, "has_custom_certificate": false, "pending_update_count": len(f.updates)})
	case "deleteWebhook":
		f.mu.Lock()
		f.webhook = ""
		f.mu.Unlock()
		ok(true)
	case "getUpdates":
		f.getUpdates(w, r, body, flt != nil && flt.replay)
	case "sendMessage":
		f.sendMessage(w, body)
	case "deleteMessage":
		f.mu.Lock()
		defer f.mu.Unlock()
		chat, id := num(body["chat_id"]), num(body["message_id"])
		if !f.messages[chat][id] {
			f.fail(w, 400, "Bad Request: message to delete not found", nil)
			return
		}
		delete(f.messages[chat], id)
		f.deleted = append(f.deleted, fmt.Sprintf("%d:%d", chat, id))
		ok(true)
	case "banChatMember", "banChatSenderChat":
		f.mu.Lock()
		defer f.mu.Unlock()
		chat := num(body["chat_id"])
		if chat > 0 {
			f.fail(w, 400, "Bad Request: method is available for supergroup and channel chats only", nil)
			return
		}
		f.banned = append(f.banned, fmt.Sprintf("%s %d:%d", method, chat, num(body["user_id"])+num(body["sender_chat_id"])))
		ok(true)
	default:
		f.fail(w, 404, "Not Found", nil)
	}
}

func (f *fakeTelegram) getUpdates(w http.ResponseWriter, r *http.Request, body map[string]any, replay bool) {
	offset, limit, timeout := num(body["offset"]), num(body["limit"]), num(body["timeout"])
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	if _, set := body["allowed_updates"]; !set {
		f.t.Errorf("getUpdates without allowed_updates")
	}
	f.mu.Lock()
	if f.webhook != "" {
		f.mu.Unlock()
		f.fail(w, 409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first", nil)
		return
	}
	if f.polling != nil {
		close(f.polling) // the earlier request is terminated
	}
	mine := make(chan struct{})
	f.polling = mine
	defer func() {
		f.mu.Lock()
		if f.polling == mine {
			f.polling = nil
		}
		f.mu.Unlock()
	}()
	deadline := time.After(min(time.Duration(timeout)*time.Second, f.holdCap))
	for {
		if offset > 0 && !replay {
			// Confirm: everything before offset is gone for good.
			f.confirmed = max(f.confirmed, offset)
			kept := f.updates[:0]
			for _, u := range f.updates {
				if num(u["update_id"]) >= offset {
					kept = append(kept, u)
				}
			}
			f.updates = kept
		}
		var page []map[string]any
		for _, u := range f.updates {
			if int64(len(page)) < limit {
				page = append(page, u)
			}
		}
		if len(page) > 0 || timeout == 0 {
			f.mu.Unlock()
			f.reply(w, 200, map[string]any{"ok": true, "result": orEmpty(page)})
			return
		}
		wake := f.wake
		f.mu.Unlock()
		select {
		case <-wake:
		case <-mine:
			f.fail(w, 409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running", nil)
			return
		case <-deadline:
			f.reply(w, 200, map[string]any{"ok": true, "result": []any{}})
			return
		case <-r.Context().Done():
			return
		}
		f.mu.Lock()
	}
}

func orEmpty(p []map[string]any) any {
	if p == nil {
		return []any{}
	}
	return p
}

func (f *fakeTelegram) sendMessage(w http.ResponseWriter, body map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	chat := num(body["chat_id"])
	text, _ := body["text"].(string)
	if _, pm := body["parse_mode"]; pm {
		f.t.Errorf("sendMessage with a parse_mode: user text must go as plain text")
	}
	switch {
	case f.messages[chat] == nil:
		f.fail(w, 400, "Bad Request: chat not found", nil)
		return
	case f.blocked[chat]:
		f.fail(w, 403, "Forbidden: bot was blocked by the user", nil)
		return
	case strings.TrimSpace(text) == "":
		f.fail(w, 400, "Bad Request: message text is empty", nil)
		return
	case len(utf16.Encode([]rune(text))) > 4096:
		f.fail(w, 400, "Bad Request: message is too long", nil)
		return
	}
	if t, ok := f.lastSend[chat]; ok && time.Since(t) < 900*time.Millisecond && chat > 0 {
		f.fail(w, 429, "Too Many Requests: retry after 1", map[string]any{"retry_after": 1})
		return
	}
	if rp, ok := body["reply_parameters"].(map[string]any); ok {
		id := num(rp["message_id"])
		if !f.messages[chat][id] && rp["allow_sending_without_reply"] != true {
			f.fail(w, 400, "Bad Request: message to be replied not found", nil)
			return
		}
	}
	f.lastSend[chat] = time.Now()
	id := f.newMsgID(chat)
	f.sent = append(f.sent, body)
	typ := "private"
	if chat < 0 {
		typ = "supergroup"
	}
	f.reply(w, 200, map[string]any{"ok": true, "result": map[string]any{"message_id": id, "date": time.Now().Unix(),
		"from": f.bot, "chat": map[string]any{"id": chat, "type": typ}, "text": text}})
}

func (f *fakeTelegram) newMsgID(chat int64) int64 {
	if f.nextMsg[chat] == 0 {
		f.nextMsg[chat] = 40
	}
	f.nextMsg[chat]++
	if f.messages[chat] == nil {
		f.messages[chat] = map[int64]bool{}
	}
	f.messages[chat][f.nextMsg[chat]] = true
	return f.nextMsg[chat]
}

// push adds an update of kind ("message", "edited_message") holding m;
// a new message gets the chat's next id unless it has one. It returns the
// message id.
func (f *fakeTelegram) push(kind string, m map[string]any) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	chat := num(m["chat"].(map[string]any)["id"])
	if _, has := m["message_id"]; !has {
		m["message_id"] = f.newMsgID(chat)
	} else {
		id := num(m["message_id"])
		if f.messages[chat] == nil {
			f.messages[chat] = map[int64]bool{}
		}
		f.messages[chat][id] = true
		f.nextMsg[chat] = max(f.nextMsg[chat], id)
	}
	if _, has := m["date"]; !has {
		m["date"] = time.Now().Unix()
	}
	// Round-trip through JSON so the handler serves what Telegram would.
	b, _ := json.Marshal(m)
	var mm map[string]any
	json.Unmarshal(b, &mm)
	f.updates = append(f.updates, map[string]any{"update_id": f.nextID, kind: mm})
	f.nextID++
	close(f.wake)
	f.wake = make(chan struct{})
	return num(m["message_id"])
}

// sentMessages are the sendMessage bodies accepted so far.
func (f *fakeTelegram) sentMessages() []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]map[string]any(nil), f.sent...)
}

// with changes the fake's state under its lock.
func (f *fakeTelegram) with(change func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	change()
}

func (f *fakeTelegram) inject(method string, fl fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults[method] = append(f.faults[method], fl)
}

func (f *fakeTelegram) callsOf(method string) []fakeCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakeCall
	for _, c := range f.calls {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// Sample people and chats, with Telegram's shapes.
const (
	lenaID      = 5566778899
	discussion  = -1001987654321 // the brand channel's discussion group
	channelID   = -1001122334455 // the brand channel
	groupID     = -1001555000111 // a community group the bot administers
	forumID     = -1001777000222 // a forum supergroup
	basicGroup  = -4011223344    // a basic group
	privateUser = 6677889900
)

func lena() map[string]any {
	return map[string]any{"id": lenaID, "is_bot": false, "first_name": "Lena", "last_name": "K", "username": "lena_k", "language_code": "de"}
}

func privChat(id int64, name string) map[string]any {
	return map[string]any{"id": id, "type": "private", "first_name": name}
}

func discussionChat() map[string]any {
	return map[string]any{"id": discussion, "type": "supergroup", "title": "Acme Chat"}
}

func channelChat() map[string]any {
	return map[string]any{"id": channelID, "type": "channel", "title": "Acme News", "username": "acme_news"}
}

// newConn is a connector against the fake with a test clock.
func newConn(t *testing.T, f *fakeTelegram) *Connector {
	t.Helper()
	c, err := New(Options{BaseURL: f.srv.URL, BotID: botID}, func(context.Context) (string, error) { return testToken, nil })
	if err != nil {
		t.Fatal(err)
	}
	return c
}
