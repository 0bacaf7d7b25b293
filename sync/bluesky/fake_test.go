package bluesky

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rivo/uniseg"
)

// fakePDS behaves like a PDS (with the Bluesky AppView and chat service
// behind it) for one account: createSession with handle and app password
// (a didDoc naming the PDS), Bearer access tokens that expire (400
// ExpiredToken) and refreshSession with the refresh token, XRPC error
// bodies {"error","message"}, RateLimit-* headers on every answer,
// listNotifications newest first with an opaque cursor and a reasons
// filter, getPostThread (400 NotFound for deleted posts), createRecord
// with rkeys (a taken rkey is refused), getRecord (RecordNotFound),
// putRecord with swapRecord (400 InvalidSwap when the cid moved), the
// 300-grapheme limit, and chat.bsky.* only with the atproto-proxy header
// (and not for an app password without DM access).
type fakePDS struct {
	t   *testing.T
	srv *httptest.Server

	mu         sync.Mutex
	password   string
	access     string
	refresh    string
	n          int
	expired    bool // the current access token has expired
	noChat     bool // the app password lacks DM access
	notifs     []map[string]any
	posts      map[string]map[string]any // uri → postView
	records    map[string]map[string]any // repo/collection/rkey → record
	cids       map[string]string         // repo/collection/rkey → cid, new on every write
	beforePut  func()                    // runs (once) before a putRecord: someone else's change
	convos     []map[string]any
	messages   map[string][]map[string]any // convo → messages, newest first
	logs       []map[string]any
	calls      []string
	faults     map[string][]fault
	remaining  int
	createdRec []map[string]any
	sent       []map[string]any
	muted      []string
	reports    []map[string]any
}

type fault struct {
	status   int
	body     string
	after    bool // carry the call out, then drop the answer
	truncate bool
	header   map[string]string
}

const (
	me       = "did:plc:acme"
	myHandle = "acme.bsky.social"
	appPass  = "abcd-efgh-ijkl-mnop"
	joDID    = "did:plc:jo"
)

func newFake(t *testing.T) *fakePDS {
	f := &fakePDS{t: t, password: appPass, posts: map[string]map[string]any{}, records: map[string]map[string]any{}, cids: map[string]string{},
		messages: map[string][]map[string]any{}, faults: map[string][]fault{}, remaining: 3000}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakePDS) fail(w http.ResponseWriter, status int, name, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": name, "message": msg})
}

func (f *fakePDS) serve(w http.ResponseWriter, r *http.Request) {
	nsid, ok := strings.CutPrefix(r.URL.Path, "/xrpc/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	var body map[string]any
	if r.Method == "POST" {
		b, _ := io.ReadAll(r.Body)
		if len(b) > 0 && json.Unmarshal(b, &body) != nil {
			f.fail(w, 400, "InvalidRequest", "bad JSON")
			return
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, nsid)
	f.remaining--
	w.Header().Set("RateLimit-Limit", "3000")
	w.Header().Set("RateLimit-Remaining", strconv.Itoa(max(f.remaining, 0)))
	w.Header().Set("RateLimit-Reset", strconv.FormatInt(time.Now().Add(5*time.Minute).Unix(), 10))
	w.Header().Set("RateLimit-Policy", "3000;w=300")
	var flt *fault
	if q := f.faults[nsid]; len(q) > 0 {
		flt, f.faults[nsid] = &q[0], q[1:]
		for k, v := range flt.header {
			w.Header().Set(k, v)
		}
		if !flt.after && !flt.truncate {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(flt.status)
			io.WriteString(w, flt.body)
			return
		}
	}
	out, status, name, msg := f.handle(r, nsid, body)
	if flt != nil && flt.after {
		// The call was carried out; the answer is lost on the way.
		hj, _ := w.(http.Hijacker)
		conn, _, _ := hj.Hijack()
		conn.Close()
		return
	}
	if name != "" {
		f.fail(w, status, name, msg)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	b, _ := json.Marshal(out)
	if flt != nil && flt.truncate {
		b = b[:len(b)/2]
	}
	w.Write(b)
}

func (f *fakePDS) handle(r *http.Request, nsid string, body map[string]any) (out any, status int, name, msg string) {
	auth := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	switch nsid {
	case "com.atproto.server.createSession":
		if body["identifier"] != myHandle && body["identifier"] != me || body["password"] != f.password {
			return nil, 401, "AuthenticationRequired", "Invalid identifier or password"
		}
		return f.newSession(), 0, "", ""
	case "com.atproto.server.refreshSession":
		if auth == "" || auth != f.refresh {
			return nil, 400, "ExpiredToken", "Token has expired"
		}
		return f.newSession(), 0, "", ""
	}
	switch {
	case auth == "":
		return nil, 401, "AuthenticationRequired", "Authentication Required"
	case auth == f.access && f.expired:
		return nil, 400, "ExpiredToken", "Token has expired"
	case auth != f.access:
		return nil, 401, "InvalidToken", "Token could not be verified"
	}
	q := r.URL.Query()
	if strings.HasPrefix(nsid, "chat.bsky.") {
		if r.Header.Get("atproto-proxy") != chatProxy {
			return nil, 501, "MethodNotImplemented", "Method Not Implemented"
		}
		if f.noChat {
			return nil, 400, "InvalidToken", "Bad token method"
		}
	}
	switch nsid {
	case "app.bsky.notification.listNotifications":
		want := map[string]bool{}
		for _, v := range q["reasons"] {
			want[v] = true
		}
		var all []map[string]any
		for i := len(f.notifs) - 1; i >= 0; i-- {
			if n := f.notifs[i]; len(want) == 0 || want[n["reason"].(string)] {
				all = append(all, n)
			}
		}
		return page(all, q, "notifications"), 0, "", ""
	case "app.bsky.feed.getPostThread":
		p, ok := f.posts[q.Get("uri")]
		if !ok {
			return nil, 400, "NotFound", "Post not found: " + q.Get("uri")
		}
		return map[string]any{"thread": map[string]any{"$type": "app.bsky.feed.defs#threadViewPost", "post": p, "replies": []any{}}}, 0, "", ""
	case "com.atproto.identity.resolveHandle":
		if q.Get("handle") == "jo.bsky.social" {
			return map[string]any{"did": joDID}, 0, "", ""
		}
		return nil, 400, "InvalidRequest", "Unable to resolve handle"
	case "com.atproto.repo.createRecord":
		return f.createRecord(body)
	case "com.atproto.repo.getRecord":
		k := q.Get("repo") + "/" + q.Get("collection") + "/" + q.Get("rkey")
		rec, ok := f.records[k]
		if !ok {
			return nil, 400, "RecordNotFound", "Could not locate record: at://" + k
		}
		return map[string]any{"uri": "at://" + k, "cid": f.cid(k), "value": rec}, 0, "", ""
	case "com.atproto.repo.putRecord":
		return f.putRecord(body)
	case "app.bsky.graph.muteActor":
		f.muted = append(f.muted, fmt.Sprint(body["actor"]))
		return nil, 0, "", ""
	case "com.atproto.moderation.createReport":
		f.reports = append(f.reports, body)
		return map[string]any{"id": len(f.reports)}, 0, "", ""
	case "chat.bsky.convo.listConvos":
		return page(f.convos, q, "convos"), 0, "", ""
	case "chat.bsky.convo.getConvo":
		for _, c := range f.convos {
			if c["id"] == q.Get("convoId") {
				return map[string]any{"convo": c}, 0, "", ""
			}
		}
		return nil, 400, "InvalidConvo", "Convo not found"
	case "chat.bsky.convo.getMessages":
		ms, ok := f.messages[q.Get("convoId")]
		if !ok {
			return nil, 400, "InvalidConvo", "Convo not found"
		}
		return page(ms, q, "messages"), 0, "", ""
	case "chat.bsky.convo.getLog":
		var out []map[string]any
		for _, l := range f.logs {
			if l["rev"].(string) > q.Get("cursor") {
				out = append(out, l)
			}
		}
		res := map[string]any{"logs": orEmpty(out)}
		if len(out) > 0 {
			res["cursor"] = out[len(out)-1]["rev"]
		}
		return res, 0, "", ""
	case "chat.bsky.convo.sendMessage":
		convo := fmt.Sprint(body["convoId"])
		if _, ok := f.messages[convo]; !ok {
			return nil, 400, "InvalidConvo", "Convo not found"
		}
		m := body["message"].(map[string]any)
		if uniseg.GraphemeClusterCount(fmt.Sprint(m["text"])) > 1000 {
			return nil, 400, "InvalidRequest", "Input/message/text must not be longer than 1000 graphemes"
		}
		f.n++
		v := map[string]any{"id": fmt.Sprintf("msg%d", f.n), "rev": f.rev(), "text": m["text"], "sender": map[string]any{"did": me},
			"sentAt": time.Now().UTC().Format(time.RFC3339Nano)}
		f.messages[convo] = append([]map[string]any{v}, f.messages[convo]...)
		f.sent = append(f.sent, body)
		return v, 0, "", ""
	}
	return nil, 501, "MethodNotImplemented", "Method Not Implemented"
}

func (f *fakePDS) newSession() map[string]any {
	f.n++
	f.access, f.refresh, f.expired = fmt.Sprintf("acc-%d-secret", f.n), fmt.Sprintf("ref-%d-secret", f.n), false
	return map[string]any{"did": me, "handle": myHandle, "accessJwt": f.access, "refreshJwt": f.refresh, "active": true,
		"didDoc": map[string]any{"id": me, "service": []any{map[string]any{"id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": f.srv.URL}}}}
}

func (f *fakePDS) rev() string { return fmt.Sprintf("3rev%08d", f.n) }

func (f *fakePDS) createRecord(body map[string]any) (any, int, string, string) {
	if body["repo"] != me {
		return nil, 400, "InvalidRequest", "repo does not match the session"
	}
	col, _ := body["collection"].(string)
	rkey, _ := body["rkey"].(string)
	if len(rkey) != 13 {
		return nil, 400, "InvalidRequest", "Invalid record key"
	}
	rec, _ := body["record"].(map[string]any)
	if col == "app.bsky.feed.post" {
		text, _ := rec["text"].(string)
		if uniseg.GraphemeClusterCount(text) > 300 || len(text) > 3000 {
			return nil, 400, "InvalidRequest", "Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes"
		}
		if rp, ok := rec["reply"].(map[string]any); ok {
			for _, k := range []string{"root", "parent"} {
				ref, _ := rp[k].(map[string]any)
				if ref["uri"] == "" || ref["cid"] == "" || ref["uri"] == nil || ref["cid"] == nil {
					return nil, 400, "InvalidRequest", "Invalid app.bsky.feed.post record: Record/reply/" + k + " must have the property \"cid\""
				}
			}
		}
	}
	k := me + "/" + col + "/" + rkey
	if _, dup := f.records[k]; dup {
		return nil, 400, "InvalidRequest", "Record already exists"
	}
	f.records[k] = rec
	f.cids[k] = "bafy-" + rkey
	f.createdRec = append(f.createdRec, body)
	uri := "at://" + k
	if col == "app.bsky.feed.post" {
		f.posts[uri] = map[string]any{"uri": uri, "cid": "bafy-" + rkey, "author": map[string]any{"did": me, "handle": myHandle}, "record": rec,
			"indexedAt": time.Now().UTC().Format(time.RFC3339Nano)}
	}
	return map[string]any{"uri": uri, "cid": "bafy-" + rkey, "commit": map[string]any{"cid": "bafyc", "rev": f.rev()}, "validationStatus": "valid"}, 0, "", ""
}

// page serves items with limit and an opaque cursor (an offset in
// disguise); the last page has none.
func page(items []map[string]any, q map[string][]string, key string) map[string]any {
	limit := 50
	if v, err := strconv.Atoi(first(q["limit"])); err == nil && v > 0 {
		limit = min(v, 100)
	}
	start := 0
	if c := first(q["cursor"]); c != "" {
		start, _ = strconv.Atoi(strings.TrimPrefix(c, "c"))
	}
	start = min(start, len(items))
	end := min(start+limit, len(items))
	res := map[string]any{key: orEmpty(items[start:end])}
	if end < len(items) {
		res["cursor"] = fmt.Sprintf("c%d", end)
	}
	return res
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// putRecord writes a record in place; with swapRecord it is refused
// (400 InvalidSwap) unless the record's current cid is that one.
func (f *fakePDS) putRecord(body map[string]any) (any, int, string, string) {
	if body["repo"] != me {
		return nil, 400, "InvalidRequest", "repo does not match the session"
	}
	if f.beforePut != nil {
		f.beforePut()
		f.beforePut = nil
	}
	k := me + "/" + fmt.Sprint(body["collection"]) + "/" + fmt.Sprint(body["rkey"])
	if swap, ok := body["swapRecord"]; ok {
		if _, exists := f.records[k]; swap == nil && exists || swap != nil && swap != f.cids[k] {
			return nil, 400, "InvalidSwap", fmt.Sprintf("Record was at %s", f.cids[k])
		}
	}
	rec, _ := body["record"].(map[string]any)
	f.records[k] = rec
	f.n++
	f.cids[k] = fmt.Sprintf("bafy-%s-%d", body["rkey"], f.n)
	return map[string]any{"uri": "at://" + k, "cid": f.cids[k], "commit": map[string]any{"cid": "bafyc", "rev": f.rev()}}, 0, "", ""
}

func (f *fakePDS) cid(k string) string {
	if c, ok := f.cids[k]; ok {
		return c
	}
	return "bafy-" + k[strings.LastIndex(k, "/")+1:]
}

func orEmpty(p []map[string]any) any {
	if p == nil {
		return []any{}
	}
	return p
}

// post stores a post and returns its uri and cid.
func (f *fakePDS) post(did, handle, rkey, text string, reply map[string]any, at time.Time) (string, string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	uri := "at://" + did + "/app.bsky.feed.post/" + rkey
	rec := map[string]any{"$type": "app.bsky.feed.post", "text": text, "createdAt": at.UTC().Format(time.RFC3339Nano)}
	if reply != nil {
		rec["reply"] = reply
	}
	f.posts[uri] = map[string]any{"uri": uri, "cid": "bafy-" + rkey, "author": map[string]any{"did": did, "handle": handle, "displayName": strings.Split(handle, ".")[0]},
		"record": rec, "indexedAt": at.UTC().Format(time.RFC3339Nano)}
	return uri, "bafy-" + rkey
}

// notify adds a notification about a stored post.
func (f *fakePDS) notify(reason, uri, subject string, at time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.posts[uri]
	f.notifs = append(f.notifs, map[string]any{"uri": uri, "cid": p["cid"], "author": p["author"], "reason": reason, "reasonSubject": subject,
		"record": p["record"], "isRead": false, "indexedAt": at.UTC().Format(time.RFC3339Nano)})
}

func ref(uri, cid string) map[string]any { return map[string]any{"uri": uri, "cid": cid} }

func (f *fakePDS) inject(nsid string, fl fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults[nsid] = append(f.faults[nsid], fl)
}

func (f *fakePDS) count(nsid string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		if c == nsid {
			n++
		}
	}
	return n
}

func (f *fakePDS) with(change func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	change()
}

func newConn(t *testing.T, f *fakePDS, o Options) *Connector {
	t.Helper()
	o.Handle, o.Service, o.DirectMessages = myHandle, f.srv.URL, true
	if o.Backlog == 0 {
		o.Backlog = 7 * 24 * time.Hour
	}
	c, err := New(o, func(context.Context) (string, error) { return appPass, nil })
	if err != nil {
		t.Fatal(err)
	}
	c.api.sleep = func(ctx context.Context, d time.Duration) error { return nil }
	return c
}

func sortedKeys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
