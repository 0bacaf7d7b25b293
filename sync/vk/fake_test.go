package vk

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/sync/synctest"
)

// fakeVK behaves like api.vk.com for one community, built from the 5.199
// schema: only the schema's methods exist (error 3 otherwise), each takes
// only the token types the schema lists (a community token on a user-only
// method gets error 27), required parameters and enums are enforced (error
// 100), v is required (error 8), every answer is HTTP 200 with a response
// or an error object whose message comes from errors.json, and a token
// making more than its per-second share gets error 6. It also serves the
// Bots Long Poll server with ts, key expiry and failed 1/2/3.
type fakeVK struct {
	t      *testing.T
	srv    *httptest.Server
	schema *schema
	clock  *fakeClock

	mu       sync.Mutex
	groupID  int64
	groupTok string
	userTok  string
	users    map[int64][2]string // id → first, last name
	posts    []*fPost
	topics   []*fTopic
	items    []*fItem
	msgAtts  map[int64][]any // message id → its attachments
	marketOn bool
	dialogs  map[int64][]*fMsg
	nextID   int64
	calls    []fCall
	answers  []fAnswer
	faults   []fFault
	rate     map[string][]time.Time
	sentRIDs map[string]int64 // peer/random_id → message id
	guids    map[string]int64

	lpEnabled bool
	lpKey     string
	lpEvents  []map[string]any // index = ts
	lpFirst   int              // events before this were trimmed
	lpFail    int              // next a_check answers failed=N
	lpWake    chan struct{}
	lpChecks  int
	lpHold    time.Duration // longest a_check hold (real time)
	tooMany   int           // error 6 answers given
	// changed wakes a waiting test after every call logged (a Long Poll
	// check among them).
	changed synctest.Wake
}

type fPost struct {
	ID       int
	Date     int64
	Text     string
	FromID   int64
	Pinned   bool
	Comments []*fComment
}

type fComment struct {
	ID       int64
	FromID   int64
	Date     int64
	Text     string
	Top      int64 // 0: top-level
	ReplyTo  int64
	Deleted  bool
	Photo    string
	PostID   int
	TopicID  int
	ItemID   int
	Mentions bool
	Atts     []any // extra attachments, in VK's wire form
}

type fItem struct {
	ID       int
	Title    string
	Desc     string
	Date     int64
	Comments []*fComment
}

type fTopic struct {
	ID       int
	Title    string
	Created  int64
	Updated  int64
	Comments []*fComment
}

type fMsg struct {
	ID       int64
	Date     int64
	Peer     int64
	From     int64
	Text     string
	Out      bool
	RandomID int64
	CMID     int64
}

type fCall struct {
	Method string
	Token  string // "group", "user" or "bad"
	Params url.Values
}

type fAnswer struct {
	Method   string
	Extended bool
	Body     []byte
}

// fFault is an injected failure for the next call of a method.
type fFault struct {
	method string
	code   int    // VK error code
	raw    string // or a raw body (malformed JSON, truncated)
	status int    // HTTP status for raw
	after  bool   // do the work, then fail (an ambiguous failure)
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

func newFake(t *testing.T) *fakeVK {
	f := &fakeVK{t: t, schema: loadSchema(t), clock: &fakeClock{t: time.Now().UTC()}, groupID: 1234567,
		groupTok: "vk1.a.community-token-SECRET", userTok: "vk1.a.user-token-SECRET", users: map[int64][2]string{},
		dialogs: map[int64][]*fMsg{}, nextID: 500, rate: map[string][]time.Time{}, sentRIDs: map[string]int64{},
		guids: map[string]int64{}, lpEnabled: true, marketOn: true, lpKey: "lpkey-1", lpWake: make(chan struct{}), lpHold: 3 * time.Second}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeVK) id() int64 { f.nextID++; return f.nextID }

func (f *fakeVK) addUser(id int64, first, last string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.users[id] = [2]string{first, last}
}

func (f *fakeVK) addPost(text string, at time.Time) *fPost {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := &fPost{ID: int(f.id()), Date: at.Unix(), Text: text, FromID: -f.groupID}
	f.posts = append([]*fPost{p}, f.posts...) // the wall lists newest first
	return p
}

func (f *fakeVK) addComment(p *fPost, top *fComment, from int64, text string, at time.Time) *fComment {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := &fComment{ID: f.id(), FromID: from, Date: at.Unix(), Text: text, PostID: p.ID}
	if top != nil {
		c.Top, c.ReplyTo = top.ID, top.ID
	}
	p.Comments = append(p.Comments, c)
	return c
}

func (f *fakeVK) addTopic(title string, at time.Time) *fTopic {
	f.mu.Lock()
	defer f.mu.Unlock()
	tp := &fTopic{ID: int(f.id()), Title: title, Created: at.Unix(), Updated: at.Unix()}
	f.topics = append(f.topics, tp)
	return tp
}

func (f *fakeVK) addBoardComment(tp *fTopic, from int64, text string, at time.Time) *fComment {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := &fComment{ID: f.id(), FromID: from, Date: at.Unix(), Text: text, TopicID: tp.ID}
	tp.Comments = append(tp.Comments, c)
	tp.Updated = max(tp.Updated, at.Unix())
	return c
}

func (f *fakeVK) addItem(title, desc string, at time.Time) *fItem {
	f.mu.Lock()
	defer f.mu.Unlock()
	it := &fItem{ID: int(f.id()), Title: title, Desc: desc, Date: at.Unix()}
	f.items = append(f.items, it)
	return it
}

func (f *fakeVK) addItemComment(it *fItem, from int64, text string, at time.Time) *fComment {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := &fComment{ID: f.id(), FromID: from, Date: at.Unix(), Text: text, ItemID: it.ID}
	it.Comments = append(it.Comments, c)
	return c
}

func (f *fakeVK) addMessage(peer, from int64, text string, at time.Time) *fMsg {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.addMessageLocked(peer, from, text, at, 0)
}

func (f *fakeVK) addMessageLocked(peer, from int64, text string, at time.Time, rid int64) *fMsg {
	m := &fMsg{ID: f.id(), Date: at.Unix(), Peer: peer, From: from, Text: text, Out: from == -f.groupID, RandomID: rid,
		CMID: int64(len(f.dialogs[peer]) + 1)}
	f.dialogs[peer] = append(f.dialogs[peer], m)
	return m
}

// event queues a Long Poll event and wakes a waiting a_check.
func (f *fakeVK) event(typ string, obj map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lpEvents = append(f.lpEvents, map[string]any{"type": typ, "object": obj, "group_id": f.groupID,
		"event_id": fmt.Sprintf("ev%d", len(f.lpEvents)), "v": Version})
	close(f.lpWake)
	f.lpWake = make(chan struct{})
}

func (f *fakeVK) fault(ft fFault) { f.mu.Lock(); f.faults = append(f.faults, ft); f.mu.Unlock() }

func (f *fakeVK) callsOf(method string) []fCall {
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

// ---- wire objects, with the schema's field names ----

func (f *fakeVK) commentObj(c *fComment, thread bool, p *fPost) map[string]any {
	o := map[string]any{"id": c.ID, "from_id": c.FromID, "date": c.Date, "text": c.Text, "post_id": c.PostID,
		"owner_id": -f.groupID, "parents_stack": []int64{}, "likes": map[string]any{"count": 0, "user_likes": 0, "can_like": 1}}
	if c.Top != 0 {
		o["parents_stack"] = []int64{c.Top}
		o["reply_to_comment"] = c.ReplyTo
		o["reply_to_user"] = f.authorOf(p, c.ReplyTo)
	}
	if c.Deleted {
		o["deleted"] = true
		o["text"] = ""
	}
	if c.Photo != "" {
		o["attachments"] = []any{map[string]any{"type": "photo", "photo": map[string]any{"id": 457239017, "owner_id": c.FromID,
			"sizes": []any{map[string]any{"type": "s", "url": c.Photo + "?s", "width": 75, "height": 56},
				map[string]any{"type": "x", "url": c.Photo, "width": 604, "height": 453}}}}}
	}
	if len(c.Atts) > 0 {
		atts, _ := o["attachments"].([]any)
		o["attachments"] = append(atts, c.Atts...)
	}
	if thread && c.Top == 0 {
		var items []any
		n := 0
		for _, r := range p.Comments {
			if r.Top == c.ID {
				n++
				if len(items) < 10 {
					items = append(items, f.commentObj(r, false, p))
				}
			}
		}
		o["thread"] = map[string]any{"count": n, "items": orEmpty(items), "can_post": true, "show_reply_button": true, "groups_can_post": true}
	}
	return o
}

func orEmpty(xs []any) []any {
	if xs == nil {
		return []any{}
	}
	return xs
}

func (f *fakeVK) authorOf(p *fPost, id int64) int64 {
	for _, c := range p.Comments {
		if c.ID == id {
			return c.FromID
		}
	}
	return 0
}

func (f *fakeVK) profiles(ids map[int64]bool) (profiles, groups []any) {
	keys := make([]int64, 0, len(ids))
	for id := range ids {
		keys = append(keys, id)
	}
	slices.Sort(keys)
	for _, id := range keys {
		if id < 0 {
			groups = append(groups, map[string]any{"id": -id, "name": "Кофейня «Зерно» ☕", "screen_name": "zerno_coffee", "is_closed": 0, "type": "page"})
		} else if n, ok := f.users[id]; ok {
			profiles = append(profiles, map[string]any{"id": id, "first_name": n[0], "last_name": n[1], "screen_name": fmt.Sprintf("user%d", id),
				"can_access_closed": true, "is_closed": false})
		}
	}
	return orEmpty(profiles), orEmpty(groups)
}

// ---- the HTTP side ----

func (f *fakeVK) writeJSON(w http.ResponseWriter, v any) []byte {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(200)
	w.Write(b)
	return b
}

func (f *fakeVK) vkError(w http.ResponseWriter, code int, method string, params url.Values, extra string) {
	msg := f.schema.errors[code]
	if msg == "" {
		f.t.Errorf("fake: error code %d is not in errors.json", code)
	}
	if extra != "" {
		msg += ": " + extra
	}
	rp := []any{map[string]any{"key": "method", "value": method}}
	for _, k := range []string{"v", "owner_id", "group_id", "post_id"} {
		if v := params.Get(k); v != "" {
			rp = append(rp, map[string]any{"key": k, "value": v})
		}
	}
	e := map[string]any{"error_code": code, "error_msg": msg, "request_params": rp}
	if code == errCaptcha {
		e["captcha_sid"] = "548746284375"
		e["captcha_img"] = "https://api.vk.com/captcha.php?sid=548746284375"
	}
	f.writeJSON(w, map[string]any{"error": e})
}

func (f *fakeVK) serve(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/lp/") {
		f.serveLongPoll(w, r)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := r.ParseForm(); err != nil {
		f.t.Errorf("fake: unparsable form: %v", err)
	}
	method := strings.TrimPrefix(r.URL.Path, "/method/")
	p := r.Form
	tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if tok == "" {
		tok = p.Get("access_token")
	}
	kind := map[string]string{f.groupTok: "group", f.userTok: "user"}[tok]
	if kind == "" {
		kind = "bad"
	}
	f.calls = append(f.calls, fCall{Method: method, Token: kind, Params: p})
	f.changed.Notify()
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		f.vkError(w, 8, method, p, "use GET or POST")
		return
	}
	spec, known := f.schema.methods[method]
	if method == "users.get" { // users/methods.json is not in the stored part of the schema
		spec, known = methodSpec{Name: method, TokenTypes: []string{"user", "group", "service"}, Params: []paramSpec{{Name: "user_ids"}, {Name: "fields"}, {Name: "name_case"}}}, true
	}
	switch {
	case !known:
		f.vkError(w, 3, method, p, "")
		return
	case p.Get("v") == "":
		f.vkError(w, 8, method, p, "v (version) is required")
		return
	case kind == "bad":
		f.vkError(w, 5, method, p, "invalid access_token (4)")
		return
	case !slices.Contains(spec.TokenTypes, kind):
		if kind == "group" {
			f.vkError(w, 27, method, p, "method is unavailable with group auth.")
		} else {
			f.vkError(w, 15, method, p, "method is unavailable with user auth.")
		}
		return
	}
	if msg := checkParams(spec, p, method); msg != "" {
		f.vkError(w, 100, method, p, msg)
		return
	}
	// Per-token requests in the last second: 3 for users, 20 for communities.
	limit := map[string]int{"user": 3, "group": 20}[kind]
	now := f.clock.Now()
	win := f.rate[kind][:0:0]
	for _, at := range f.rate[kind] {
		if now.Sub(at) < time.Second {
			win = append(win, at)
		}
	}
	if len(win) >= limit {
		f.rate[kind] = win
		f.tooMany++
		f.vkError(w, 6, method, p, "")
		return
	}
	f.rate[kind] = append(win, now)
	var flt *fFault
	if len(f.faults) > 0 && f.faults[0].method == method {
		flt = &f.faults[0]
		f.faults = f.faults[1:]
		if !flt.after {
			f.failWith(w, *flt, method, p)
			return
		}
	}
	resp, errCode, errMsg := f.handle(method, kind, p)
	if flt != nil {
		f.failWith(w, *flt, method, p)
		return
	}
	if errCode != 0 {
		f.vkError(w, errCode, method, p, errMsg)
		return
	}
	body := f.writeJSON(w, map[string]any{"response": resp})
	f.answers = append(f.answers, fAnswer{Method: method, Extended: p.Get("extended") == "1", Body: body})
}

func (f *fakeVK) failWith(w http.ResponseWriter, ft fFault, method string, p url.Values) {
	if ft.raw != "" || ft.status != 0 {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(max(ft.status, 200))
		w.Write([]byte(ft.raw))
		return
	}
	f.vkError(w, ft.code, method, p, "")
}

// checkParams enforces the schema's parameter list: known names, required
// ones present, integers, enums and bounds.
func checkParams(spec methodSpec, p url.Values, method string) string {
	byName := map[string]paramSpec{}
	for _, ps := range spec.Params {
		byName[ps.Name] = ps
	}
	for k := range p {
		if k == "v" || k == "access_token" || k == "lang" {
			continue
		}
		if _, ok := byName[k]; !ok && !(method == "wall.get" && k == "owner_id") {
			// wall.get: the stored schema lists only domain; VK documents owner_id.
			return k + " is not a parameter of " + method
		}
	}
	for _, ps := range spec.Params {
		v, has := p[ps.Name]
		if ps.Required && (!has || v[0] == "") {
			return ps.Name + " is undefined"
		}
		if !has {
			continue
		}
		if ps.Type == "integer" {
			n, err := strconv.ParseInt(v[0], 10, 64)
			if err != nil {
				return ps.Name + " not integer"
			}
			if ps.Minimum != nil && float64(n) < *ps.Minimum || ps.Maximum != nil && float64(n) > *ps.Maximum {
				return ps.Name + " out of range"
			}
		}
		if ps.Enum != nil && !inEnum(ps.Enum, v[0]) {
			return ps.Name + " should be one of " + fmt.Sprint(ps.Enum)
		}
	}
	if method == "messages.send" && p.Get("random_id") == "" {
		return "random_id is a required parameter" // since 5.90, though the schema does not say so
	}
	return ""
}

func atoi(s string) int64 { n, _ := strconv.ParseInt(s, 10, 64); return n }

func page[T any](xs []T, p url.Values, def int) []T {
	off, cnt := int(atoi(p.Get("offset"))), int(atoi(p.Get("count")))
	if cnt == 0 {
		cnt = def
	}
	if off > len(xs) {
		off = len(xs)
	}
	return xs[off:min(off+cnt, len(xs))]
}
