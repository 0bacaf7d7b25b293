package ok

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeOK behaves like api.ok.ru for one group, in the form the reference
// documents: REST calls at /fb.do, form-encoded, answered HTTP 200 with
// the result or {"error_code","error_msg","error_data"}; every call must
// carry application_key, method, format and a sig that the fake computes
// itself from the documented rule (a wrong one gets 104 PARAM_SIGNATURE);
// an unknown token gets 102 PARAM_SESSION_EXPIRED; more than five calls in
// a second get 8 FLOOD_BLOCKED; topics and comments page by opaque
// anchors. The Bot API lives under /graph/me with the token as
// access_token.
type fakeOK struct {
	t     *testing.T
	srv   *httptest.Server
	clock *fakeClock

	mu        sync.Mutex
	appKey    string
	appSecret string
	token     string
	botToken  string
	groupID   string
	users     map[string]string // uid → name
	topics    []*fTopic         // newest first
	chats     []*fChat
	perms     map[string]bool
	nextID    int
	calls     []fCall
	faults    []fFault
	rate      []time.Time
	floods    int
	badSigs   int
	stuck     bool // discussions.getComments repeats its first page forever
}

type fTopic struct {
	ID       string
	Created  time.Time
	Text     string
	Comments []*fComment
}

type fComment struct {
	ID       string
	Author   string // uid, or the group id
	Text     string
	At       time.Time
	ReplyTo  string
	Deleted  bool
	Spam     bool
	DateOnly bool // sent with "date" (Moscow time) and no created_ms
}

type fChat struct {
	ID       string
	Type     string
	Title    string
	Messages []*fMsg // oldest first
}

type fMsg struct {
	MID    string
	Sender string // "user:…" or "group:…"
	Name   string
	Text   string
	At     time.Time
	Image  string
}

type fCall struct {
	Method string
	Params url.Values
}

type fFault struct {
	method string
	code   int
	raw    string
	status int
	after  bool // do the work, then fail
}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
	return nil
}

// errorMsgs are OK's error names, as its error_msg starts with them.
var errorMsgs = map[int]string{
	1: "UNKNOWN : Unknown error", 2: "SERVICE : Service temporary unavailable", 3: "METHOD : Method does not exist",
	8: "FLOOD_BLOCKED : Flood blocked", 10: "PERMISSION_DENIED : Permission denied", 11: "LIMIT_REACHED : Limit reached",
	50: "NOT_ADMIN : User is not an administrator", 100: "PARAM : Missing or invalid parameter",
	101: "PARAM_API_KEY : Application key is invalid", 102: "PARAM_SESSION_EXPIRED : Session expired",
	104: "PARAM_SIGNATURE : Invalid signature", 160: "PARAM_GROUP_ID : Invalid group id",
	200: "PARAM_PERMISSION : No permission for this operation", 300: "NOT_FOUND : Not found",
	454: "CENSOR_MATCH : Text rejected by censor", 514: "IDS_SESSION_VERIFICATION_REQUIRED : Verification required",
	9999: "SYSTEM : Critical system error",
}

func newFake(t *testing.T) *fakeOK {
	f := &fakeOK{t: t, clock: &fakeClock{t: time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)}, appKey: "CBAKLMNOPQ",
		appSecret: "APPSECRET-0123456789", token: "tkn1-access-token-SECRET", botToken: "tkn18YdUJZe:bot-token-SECRET",
		groupID: "55348644610059", users: map[string]string{}, perms: map[string]bool{"VALUABLE_ACCESS": true, "GROUP_CONTENT": true, "LONG_ACCESS_TOKEN": true}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeOK) id() string { f.nextID++; return strconv.Itoa(63000000 + f.nextID) }

func (f *fakeOK) addTopic(text string, at time.Time) *fTopic {
	f.mu.Lock()
	defer f.mu.Unlock()
	tp := &fTopic{ID: "15" + f.id(), Created: at, Text: text}
	f.topics = append([]*fTopic{tp}, f.topics...)
	sort.SliceStable(f.topics, func(i, j int) bool { return f.topics[i].Created.After(f.topics[j].Created) })
	return tp
}

func (f *fakeOK) addComment(tp *fTopic, author, text string, at time.Time, replyTo *fComment) *fComment {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := &fComment{ID: "MTU" + f.id(), Author: author, Text: text, At: at}
	if replyTo != nil {
		c.ReplyTo = replyTo.ID
	}
	tp.Comments = append(tp.Comments, c)
	return c
}

func (f *fakeOK) addChat(id, typ, title string) *fChat {
	f.mu.Lock()
	defer f.mu.Unlock()
	ch := &fChat{ID: id, Type: typ, Title: title}
	f.chats = append(f.chats, ch)
	return ch
}

func (f *fakeOK) addChatMsg(ch *fChat, sender, name, text string, at time.Time) *fMsg {
	f.mu.Lock()
	defer f.mu.Unlock()
	m := &fMsg{MID: "mid:" + strings.TrimPrefix(ch.ID, "chat:") + "." + f.id(), Sender: sender, Name: name, Text: text, At: at}
	ch.Messages = append(ch.Messages, m)
	return m
}

func (f *fakeOK) fault(ft fFault) { f.mu.Lock(); f.faults = append(f.faults, ft); f.mu.Unlock() }

func (f *fakeOK) callsOf(method string) []fCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fCall
	for _, c := range f.calls {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

func (f *fakeOK) writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	w.Write(b)
}

func (f *fakeOK) okError(w http.ResponseWriter, code int, extra string) {
	msg := errorMsgs[code]
	if msg == "" {
		f.t.Errorf("fake: no message for error %d", code)
	}
	if extra != "" {
		msg += " : " + extra
	}
	f.writeJSON(w, 200, map[string]any{"error_code": code, "error_msg": msg, "error_data": nil})
}

// expectedSig is the documented signature rule, written out again here
// so the connector's Sign is checked against an independent copy.
func (f *fakeOK) expectedSig(p url.Values) string {
	var keys []string
	for k := range p {
		if k != "sig" && k != "access_token" && k != "session_key" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	s := ""
	for _, k := range keys {
		s += k + "=" + p.Get(k)
	}
	h := md5.Sum([]byte(f.token + f.appSecret))
	sum := md5.Sum([]byte(s + hex.EncodeToString(h[:])))
	return hex.EncodeToString(sum[:])
}

func (f *fakeOK) serve(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/graph/") {
		f.serveBot(w, r)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.URL.Path != "/fb.do" {
		http.NotFound(w, r)
		return
	}
	if err := r.ParseForm(); err != nil {
		f.t.Errorf("fake: form: %v", err)
	}
	p := r.Form
	method := p.Get("method")
	f.calls = append(f.calls, fCall{Method: method, Params: p})
	switch {
	case p.Get("application_key") != f.appKey:
		f.okError(w, 101, "")
		return
	case p.Get("sig") == "":
		f.okError(w, 100, "sig is missing")
		return
	case p.Get("access_token") != f.token:
		f.okError(w, 102, "")
		return
	case p.Get("sig") != f.expectedSig(p):
		f.badSigs++
		f.okError(w, 104, "Invalid signature "+p.Get("sig"))
		return
	case p.Get("format") != "json":
		f.t.Errorf("fake: %s without format=json", method)
	}
	now := f.clock.Now()
	win := f.rate[:0:0]
	for _, at := range f.rate {
		if now.Sub(at) < time.Second {
			win = append(win, at)
		}
	}
	if len(win) >= 5 {
		f.rate = win
		f.floods++
		f.okError(w, 8, "")
		return
	}
	f.rate = append(win, now)
	var flt *fFault
	if len(f.faults) > 0 && f.faults[0].method == method {
		flt = &f.faults[0]
		f.faults = f.faults[1:]
		if !flt.after {
			f.failWith(w, *flt)
			return
		}
	}
	res, code, extra := f.handle(method, p)
	if flt != nil {
		f.failWith(w, *flt)
		return
	}
	if code != 0 {
		f.okError(w, code, extra)
		return
	}
	f.writeJSON(w, 200, res)
}

func (f *fakeOK) failWith(w http.ResponseWriter, ft fFault) {
	if ft.raw != "" || ft.status != 0 {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(max(ft.status, 200))
		w.Write([]byte(ft.raw))
		return
	}
	f.okError(w, ft.code, "")
}

// anchor is an opaque position, as OK's are.
func anchor(kind string, i int) string {
	return base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf("%s:%d:%d", kind, i, i*7919)))
}

func fromAnchor(kind, a string) (int, bool) {
	b, err := base64.StdEncoding.DecodeString(a)
	if err != nil {
		return 0, false
	}
	parts := strings.Split(string(b), ":")
	if len(parts) != 3 || parts[0] != kind {
		return 0, false
	}
	n, err := strconv.Atoi(parts[1])
	return n, err == nil
}

func (f *fakeOK) topic(id string) *fTopic {
	for _, t := range f.topics {
		if t.ID == id {
			return t
		}
	}
	return nil
}

func (f *fakeOK) handle(method string, p url.Values) (any, int, string) {
	count := func(def, most int) int {
		n, err := strconv.Atoi(p.Get("count"))
		if err != nil || n <= 0 {
			return def
		}
		return min(n, most)
	}
	switch method {
	case "users.getCurrentUser":
		return map[string]any{"uid": "574021130023", "name": "Ольга Админова", "first_name": "Ольга", "last_name": "Админова"}, 0, ""
	case "users.hasAppPermission":
		return f.perms[p.Get("ext_perm")], 0, ""
	case "group.getInfo":
		if p.Get("uids") != f.groupID {
			return []any{}, 0, ""
		}
		return []any{map[string]any{"uid": f.groupID, "name": "Пекарня «Колосок» 🥖"}}, 0, ""
	case "mediatopic.getTopics":
		if p.Get("gid") != f.groupID {
			return nil, 160, ""
		}
		start := 0
		if a := p.Get("anchor"); a != "" {
			var ok bool
			if start, ok = fromAnchor("t", a); !ok {
				return nil, 100, "anchor"
			}
		}
		n := count(20, 100)
		end := min(start+n, len(f.topics))
		items := []any{}
		for _, t := range f.topics[min(start, end):end] {
			items = append(items, map[string]any{"id": t.ID, "created_ms": t.Created.UnixMilli(), "author_ref": "group:" + f.groupID,
				"owner_ref": "group:" + f.groupID, "media": []any{map[string]any{"type": "text", "text": t.Text}},
				"discussion_summary": map[string]any{"comments_count": f.live(t)}})
		}
		return map[string]any{"media_topics": items, "anchor": anchor("t", end), "has_more": end < len(f.topics)}, 0, ""
	case "discussions.getComments":
		t := f.topic(p.Get("discussionId"))
		switch {
		case p.Get("discussionType") != "GROUP_TOPIC":
			return nil, 100, "discussionType"
		case t == nil:
			return nil, 300, ""
		case p.Get("direction") != "" && p.Get("direction") != "FORWARD" && p.Get("direction") != "BACKWARD" && p.Get("direction") != "AROUND":
			return nil, 100, "direction"
		}
		var live []*fComment
		for _, c := range t.Comments {
			if !c.Deleted {
				live = append(live, c)
			}
		}
		start := 0
		if a := p.Get("anchor"); a != "" {
			var ok bool
			if start, ok = fromAnchor("c"+t.ID, a); !ok {
				return nil, 100, "anchor"
			}
		}
		n := count(20, 100)
		if f.stuck {
			start, n = 0, 2
		}
		end := min(start+n, len(live))
		start = min(start, end)
		items, users := []any{}, []any{}
		seen := map[string]bool{}
		for _, c := range live[start:end] {
			o := map[string]any{"id": c.ID, "text": c.Text, "author_id": c.Author, "type": "ACTIVE_MESSAGE"}
			if c.DateOnly {
				o["date"] = c.At.In(time.FixedZone("MSK", 3*3600)).Format("2006-01-02 15:04:05")
			} else {
				o["created_ms"], o["date"] = c.At.UnixMilli(), c.At.In(time.FixedZone("MSK", 3*3600)).Format("2006-01-02 15:04:05")
			}
			if c.Author == f.groupID {
				o["author_type"] = "GROUP"
			} else {
				o["author_type"] = "USER"
				if !seen[c.Author] {
					seen[c.Author] = true
					users = append(users, map[string]any{"uid": c.Author, "name": f.users[c.Author]})
				}
			}
			if c.ReplyTo != "" {
				o["reply_to_comment_id"] = c.ReplyTo
				for _, x := range t.Comments {
					if x.ID == c.ReplyTo {
						o["reply_to_id"] = x.Author
					}
				}
			}
			items = append(items, o)
		}
		return map[string]any{"comments": items, "anchor": anchor("c"+t.ID, end), "has_more": end < len(live) || f.stuck,
			"entities": map[string]any{"users": users}}, 0, ""
	case "discussions.addDiscussionComment":
		t := f.topic(p.Get("entityId"))
		switch {
		case p.Get("entityType") != "GROUP_TOPIC" || t == nil:
			return nil, 100, "entityId"
		case !f.perms["GROUP_CONTENT"]:
			return nil, 10, ""
		case strings.Contains(p.Get("comment"), "казино"):
			return nil, 454, ""
		}
		c := &fComment{ID: "MTU" + f.id(), Author: f.groupID, Text: p.Get("comment"), At: f.clock.Now(), ReplyTo: p.Get("reply_to_comment_id")}
		if p.Get("as_admin") != "true" {
			c.Author = "574021130023"
		}
		t.Comments = append(t.Comments, c)
		return c.ID, 0, ""
	case "discussions.deleteDiscussionComment", "discussions.markCommentAsSpam":
		t := f.topic(p.Get("discussionId"))
		if t == nil || p.Get("discussionType") != "GROUP_TOPIC" {
			return nil, 100, "discussionId"
		}
		if !f.perms["GROUP_CONTENT"] {
			return nil, 10, ""
		}
		for _, c := range t.Comments {
			if c.ID == p.Get("comment_id") && !c.Deleted {
				if method == "discussions.markCommentAsSpam" {
					c.Spam = true
				} else {
					c.Deleted = true
				}
				return true, 0, ""
			}
		}
		return nil, 300, ""
	}
	return nil, 3, ""
}

func (f *fakeOK) live(t *fTopic) int {
	n := 0
	for _, c := range t.Comments {
		if !c.Deleted {
			n++
		}
	}
	return n
}

// serveBot is the Bot API: /graph/me/info, /graph/me/chats (marker
// paging, most recent activity first), /graph/me/messages/chat:ID (GET:
// newest first between from and to; POST: send).
func (f *fakeOK) serveBot(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	q := r.URL.Query()
	path := strings.TrimPrefix(r.URL.Path, "/graph/me/")
	f.calls = append(f.calls, fCall{Method: "bot " + r.Method + " " + strings.SplitN(path, "/", 2)[0], Params: q})
	if q.Get("access_token") != f.botToken {
		f.okError(w, 102, "")
		return
	}
	if len(f.faults) > 0 && f.faults[0].method == "bot "+r.Method+" "+strings.SplitN(path, "/", 2)[0] {
		ft := f.faults[0]
		f.faults = f.faults[1:]
		if !ft.after {
			f.failWith(w, ft)
			return
		}
		defer f.failWith(w, ft)
		w = discard{w.Header()}
	}
	last := func(ch *fChat) int64 {
		if len(ch.Messages) == 0 {
			return 0
		}
		return ch.Messages[len(ch.Messages)-1].At.UnixMilli()
	}
	switch {
	case path == "info" && r.Method == "GET":
		f.writeJSON(w, 200, map[string]any{"name": "Пекарня «Колосок» 🥖", "group_id": "group:" + f.groupID})
	case path == "chats" && r.Method == "GET":
		chats := slices.Clone(f.chats)
		sort.SliceStable(chats, func(i, j int) bool { return last(chats[i]) > last(chats[j]) })
		start := 0
		if m := q.Get("marker"); m != "" {
			var ok bool
			if start, ok = fromAnchor("m", m); !ok {
				f.okError(w, 100, "marker")
				return
			}
		}
		n, _ := strconv.Atoi(q.Get("count"))
		if n <= 0 || n > 100 {
			f.okError(w, 100, "count must be 1..100")
			return
		}
		end := min(start+n, len(chats))
		items := []any{}
		for _, ch := range chats[min(start, end):end] {
			items = append(items, map[string]any{"type": ch.Type, "status": "ACTIVE", "title": ch.Title, "chat_id": ch.ID,
				"lastEventTime": last(ch), "participants": map[string]any{"user:1": last(ch)}, "owner_id": "group:" + f.groupID,
				"group_id": "group:" + f.groupID})
		}
		res := map[string]any{"chats": items}
		if end < len(chats) {
			res["marker"] = anchor("m", end)
		}
		f.writeJSON(w, 200, res)
	case strings.HasPrefix(path, "messages/chat:") && r.Method == "GET":
		ch := f.chat(strings.TrimPrefix(path, "messages/"))
		from, err1 := strconv.ParseInt(q.Get("from"), 10, 64)
		to, err2 := strconv.ParseInt(q.Get("to"), 10, 64)
		if ch == nil || err1 != nil || err2 != nil || from < to {
			f.okError(w, 100, "chat_id, from ≥ to")
			return
		}
		n, _ := strconv.Atoi(q.Get("count"))
		items := []any{}
		for i := len(ch.Messages) - 1; i >= 0 && len(items) < n; i-- {
			m := ch.Messages[i]
			if ts := m.At.UnixMilli(); ts > from || ts < to {
				continue
			}
			msg := map[string]any{"text": m.Text, "seq": 98211023614189660 + i, "mid": m.MID}
			if m.Image != "" {
				msg["attachments"] = []any{map[string]any{"type": "IMAGE", "payload": map[string]any{"url": m.Image}}}
			}
			items = append(items, map[string]any{"sender": map[string]any{"name": m.Name, "user_id": m.Sender},
				"recipient": map[string]any{"chat_id": ch.ID}, "message": msg, "timestamp": m.At.UnixMilli()})
		}
		f.writeJSON(w, 200, map[string]any{"messages": items})
	case strings.HasPrefix(path, "messages/chat:") && r.Method == "POST":
		ch := f.chat(strings.TrimPrefix(path, "messages/"))
		var body struct {
			Recipient struct {
				ChatID string `json:"chat_id"`
			} `json:"recipient"`
			Message struct {
				Text string `json:"text"`
			} `json:"message"`
		}
		if ch == nil || json.NewDecoder(r.Body).Decode(&body) != nil || body.Recipient.ChatID != ch.ID || body.Message.Text == "" ||
			!strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			f.okError(w, 100, "recipient.chat_id and message.text")
			return
		}
		m := &fMsg{MID: "mid:" + strings.TrimPrefix(ch.ID, "chat:") + "." + f.id(), Sender: "group:" + f.groupID,
			Name: "Пекарня «Колосок» 🥖", Text: body.Message.Text, At: f.clock.Now()}
		ch.Messages = append(ch.Messages, m)
		f.writeJSON(w, 200, map[string]any{"chat_id": ch.ID, "message_id": m.MID})
	default:
		f.okError(w, 3, "")
	}
}

// discard swallows a response whose work is done but whose answer is lost.
type discard struct{ h http.Header }

func (d discard) Header() http.Header         { return d.h }
func (d discard) Write(b []byte) (int, error) { return len(b), nil }
func (d discard) WriteHeader(int)             {}

func (f *fakeOK) chat(id string) *fChat {
	for _, c := range f.chats {
		if c.ID == id {
			return c
		}
	}
	return nil
}
