package x

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeX behaves like api.x.com for one brand account: OAuth 2.0 refresh
// with rotating refresh tokens (a used one is refused), Bearer access
// tokens that expire (401 problem body), x-rate-limit-* headers on every
// answer, GET /2/users/:id/mentions newest first with since_id,
// start_time, max_results 5–100 and opaque pagination tokens, includes
// (users, referenced tweets), GET /2/users/:id/tweets, POST /2/tweets
// (403 for a reply to a post that is gone), PUT /2/tweets/:id/hidden,
// GET /2/dm_events and /2/dm_conversations/:id/dm_events (newest first,
// pagination tokens, 403 without dm.read, 429 past 15 reads per window),
// POST /2/dm_conversations/:id/messages,
// and faults: any status and body, an answer lost after the call was
// carried out, a truncated body.
type fakeX struct {
	t   *testing.T
	srv *httptest.Server

	mu        sync.Mutex
	refresh   string
	access    string
	n         int
	expired   bool
	tweets    []map[string]any // every post, oldest first
	users     map[string]map[string]any
	hidden    map[string]bool
	calls     []string
	queries   []map[string][]string
	faults    map[string][]fault
	remaining int
	// repeat serves the next paged request the previous page again, with
	// the token it was asked for (a server repeating itself).
	repeat bool
	read   struct{ posts, users, dms int } // resources returned
	// DMs: every event, oldest first; noDMScope refuses them (a token
	// without dm.read); dmReads counts dm_events requests in X's
	// 15-minute window.
	dms       []map[string]any
	noDMScope bool
	dmReads   int
}

type fault struct {
	status   int
	body     string
	after    bool
	truncate bool
	header   map[string]string
}

const (
	brandID   = "1500000000000000001"
	brandUser = "acme"
	clientID  = "client-abc"
)

func newFake(t *testing.T) *fakeX {
	f := &fakeX{t: t, refresh: "refresh-0", users: map[string]map[string]any{}, hidden: map[string]bool{}, faults: map[string][]fault{}, remaining: 300}
	f.users[brandID] = map[string]any{"id": brandID, "username": brandUser, "name": "Acme"}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeX) with(fn func()) { f.mu.Lock(); defer f.mu.Unlock(); fn() }

// id makes the n-th post id (snowflakes are decimal strings of 19 digits).
func postID(n int) string { return fmt.Sprintf("18%017d", n) }

// add posts a tweet by author (a user it also registers).
func (f *fakeX) add(id, authorID, username, text, conversation, replyTo, replyToUser string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.users[authorID] = map[string]any{"id": authorID, "username": username, "name": strings.ToUpper(username[:1]) + username[1:]}
	t := map[string]any{"id": id, "text": text, "author_id": authorID, "conversation_id": conversation,
		"created_at": time.Now().UTC().Format("2006-01-02T15:04:05.000Z"), "edit_history_tweet_ids": []string{id}}
	if replyTo != "" {
		t["referenced_tweets"] = []any{map[string]any{"type": "replied_to", "id": replyTo}}
		t["in_reply_to_user_id"] = replyToUser
	}
	f.tweets = append(f.tweets, t)
}

func (f *fakeX) problem(w http.ResponseWriter, status int, title, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"title": title, "detail": detail, "type": "about:blank", "status": status})
}

func (f *fakeX) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/2/oauth2/token" {
		f.token(w, r)
		return
	}
	var body map[string]any
	if r.Method == "POST" || r.Method == "PUT" {
		b, _ := io.ReadAll(r.Body)
		if json.Unmarshal(b, &body) != nil {
			f.problem(w, 400, "Invalid Request", "One or more parameters to your request was invalid.")
			return
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	key := r.Method + " " + route(r.URL.Path)
	f.calls = append(f.calls, key)
	f.queries = append(f.queries, r.URL.Query())
	f.remaining--
	w.Header().Set("x-rate-limit-limit", "300")
	w.Header().Set("x-rate-limit-remaining", strconv.Itoa(max(f.remaining, 0)))
	w.Header().Set("x-rate-limit-reset", strconv.FormatInt(time.Now().Add(15*time.Minute).Unix(), 10))
	var flt *fault
	if q := f.faults[key]; len(q) > 0 {
		flt, f.faults[key] = &q[0], q[1:]
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
	if auth := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "); auth == "" || auth != f.access || f.expired {
		f.problem(w, 401, "Unauthorized", "Unauthorized")
		return
	}
	out, status := f.handle(r, body)
	if flt != nil && flt.after {
		conn, _, _ := w.(http.Hijacker).Hijack()
		conn.Close()
		return
	}
	if status >= 300 {
		b, _ := json.Marshal(out)
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(status)
		w.Write(b)
		return
	}
	b, _ := json.Marshal(out)
	if flt != nil && flt.truncate {
		b = b[:len(b)/2]
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}

// route names a path by its shape: /2/users/:id/mentions.
func route(p string) string {
	parts := strings.Split(strings.Trim(p, "/"), "/")
	for i, s := range parts {
		if i == 0 {
			continue // the version, "2"
		}
		if validDMConv(s) {
			parts[i] = ":id" // a post or user id, or a DM conversation's
		}
	}
	return "/" + strings.Join(parts, "/")
}

func (f *fakeX) token(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	id, _, ok := r.BasicAuth()
	if !ok {
		id = r.PostForm.Get("client_id")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "token "+r.PostForm.Get("grant_type"))
	w.Header().Set("Content-Type", "application/json")
	if q := f.faults["token"]; len(q) > 0 {
		f.faults["token"] = q[1:]
		w.WriteHeader(q[0].status)
		io.WriteString(w, q[0].body)
		return
	}
	if id != clientID {
		w.WriteHeader(401)
		io.WriteString(w, `{"error":"unauthorized_client","error_description":"Missing valid authorization header"}`)
		return
	}
	switch r.PostForm.Get("grant_type") {
	case "refresh_token":
		if r.PostForm.Get("refresh_token") != f.refresh {
			w.WriteHeader(400)
			io.WriteString(w, `{"error":"invalid_request","error_description":"Value passed for the token was invalid."}`)
			return
		}
	case "authorization_code":
		if r.PostForm.Get("code") != "good-code" || r.PostForm.Get("code_verifier") == "" {
			w.WriteHeader(400)
			io.WriteString(w, `{"error":"invalid_request","error_description":"Value passed for the authorization code was invalid."}`)
			return
		}
	default:
		w.WriteHeader(400)
		io.WriteString(w, `{"error":"unsupported_grant_type"}`)
		return
	}
	f.n++
	f.access, f.refresh, f.expired = fmt.Sprintf("access-secret-%d", f.n), fmt.Sprintf("refresh-secret-%d", f.n), false
	json.NewEncoder(w).Encode(map[string]any{"token_type": "bearer", "expires_in": 7200, "access_token": f.access,
		"scope": "tweet.read users.read tweet.write tweet.moderate.write offline.access", "refresh_token": f.refresh})
}

func (f *fakeX) handle(r *http.Request, body map[string]any) (any, int) {
	q := r.URL.Query()
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if strings.HasPrefix(r.URL.Path, "/2/dm_") {
		return f.handleDM(r, body)
	}
	switch key := r.Method + " " + route(r.URL.Path); key {
	case "GET /2/users/me":
		f.read.users++
		return map[string]any{"data": f.users[brandID]}, 200
	case "GET /2/users/:id/mentions", "GET /2/users/:id/tweets":
		if parts[2] != brandID {
			return map[string]any{"title": "Forbidden", "detail": "not your timeline", "type": "about:blank", "status": 403}, 403
		}
		n, err := strconv.Atoi(q.Get("max_results"))
		if q.Has("max_results") && (err != nil || n < 5 || n > 100) {
			return map[string]any{"errors": []any{map[string]any{"parameters": map[string]any{"max_results": []string{q.Get("max_results")}},
				"message": "The `max_results` query parameter value [" + q.Get("max_results") + "] is not between 5 and 100"}},
				"title": "Invalid Request", "detail": "One or more parameters to your request was invalid.", "type": "https://api.twitter.com/2/problems/invalid-request"}, 400
		}
		if !q.Has("max_results") {
			n = 10
		}
		var all []map[string]any
		for i := len(f.tweets) - 1; i >= 0; i-- {
			t := f.tweets[i]
			mine := t["author_id"] == brandID
			if key == "GET /2/users/:id/mentions" && (mine || !strings.Contains(t["text"].(string), "@"+brandUser)) ||
				key == "GET /2/users/:id/tweets" && !mine {
				continue
			}
			if s := q.Get("since_id"); s != "" && !newer(t["id"].(string), s) {
				continue
			}
			if s := q.Get("start_time"); s != "" && t["created_at"].(string) < s {
				continue
			}
			all = append(all, t)
		}
		start := 0
		if tok := q.Get("pagination_token"); tok != "" {
			start, _ = strconv.Atoi(strings.TrimPrefix(tok, "7140dibdnow9c7btw"))
		}
		if q.Get("pagination_token") != "" && f.repeat {
			f.repeat = false
			prev := max(start-n, 0)
			out := map[string]any{"data": all[prev:start], "meta": map[string]any{"result_count": start - prev, "newest_id": all[prev]["id"],
				"oldest_id": all[start-1]["id"], "next_token": q.Get("pagination_token")}}
			f.read.posts += start - prev
			return out, 200
		}
		end := min(start+n, len(all))
		pageData := all[min(start, len(all)):end]
		meta := map[string]any{"result_count": len(pageData)}
		out := map[string]any{"meta": meta}
		if len(pageData) > 0 {
			out["data"] = pageData
			meta["newest_id"], meta["oldest_id"] = pageData[0]["id"], pageData[len(pageData)-1]["id"]
			f.read.posts += len(pageData)
		}
		if end < len(all) {
			meta["next_token"] = "7140dibdnow9c7btw" + strconv.Itoa(end)
		}
		if strings.Contains(q.Get("expansions"), "author_id") {
			seen := map[string]bool{}
			var us, refs []any
			for _, t := range pageData {
				if a := t["author_id"].(string); !seen[a] {
					seen[a] = true
					us = append(us, f.users[a])
				}
				if strings.Contains(q.Get("expansions"), "referenced_tweets.id") {
					if rt, ok := t["referenced_tweets"].([]any); ok {
						id := rt[0].(map[string]any)["id"].(string)
						if p := f.find(id); p != nil {
							refs = append(refs, p)
						}
					}
				}
			}
			inc := map[string]any{}
			if len(us) > 0 {
				inc["users"] = us
				f.read.users += len(us)
			}
			if len(refs) > 0 {
				inc["tweets"] = refs
				f.read.posts += len(refs)
			}
			if len(inc) > 0 {
				out["includes"] = inc
			}
		}
		return out, 200
	case "POST /2/tweets":
		text, _ := body["text"].(string)
		reply, _ := body["reply"].(map[string]any)
		to, _ := reply["in_reply_to_tweet_id"].(string)
		parent := f.find(to)
		if parent == nil {
			return map[string]any{"detail": "You attempted to reply to a Tweet that is deleted or not visible to you.", "type": "about:blank", "title": "Forbidden", "status": 403}, 403
		}
		id := postID(900 + len(f.tweets))
		t := map[string]any{"id": id, "text": text, "author_id": brandID, "conversation_id": parent["conversation_id"],
			"created_at": time.Now().UTC().Format("2006-01-02T15:04:05.000Z"), "in_reply_to_user_id": parent["author_id"],
			"referenced_tweets": []any{map[string]any{"type": "replied_to", "id": to}}}
		f.tweets = append(f.tweets, t)
		return map[string]any{"data": map[string]any{"id": id, "text": text, "edit_history_tweet_ids": []string{id}}}, 201
	case "PUT /2/tweets/:id/hidden":
		t := f.find(parts[2])
		if t == nil || f.find(fmt.Sprint(t["conversation_id"]))["author_id"] != brandID {
			return map[string]any{"detail": "You cannot hide or unhide replies to a conversation you do not own.", "type": "about:blank", "title": "Forbidden", "status": 403}, 403
		}
		f.hidden[parts[2]] = body["hidden"] == true
		return map[string]any{"data": map[string]any{"hidden": f.hidden[parts[2]]}}, 200
	}
	return map[string]any{"title": "Not Found Error", "detail": "no such route", "type": "about:blank", "status": 404}, 404
}

func (f *fakeX) find(id string) map[string]any {
	for _, t := range f.tweets {
		if t["id"] == id {
			return t
		}
	}
	return nil
}

// brandPosts are the brand's posts, oldest first.
func (f *fakeX) brandPosts() []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []map[string]any
	for _, t := range f.tweets {
		if t["author_id"] == brandID {
			out = append(out, t)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return newer(out[j]["id"].(string), out[i]["id"].(string)) })
	return out
}

func (f *fakeX) count(key string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		if c == key {
			n++
		}
	}
	return n
}

func (f *fakeX) failNext(key string, flt ...fault) {
	f.with(func() { f.faults[key] = append(f.faults[key], flt...) })
}

// newConn is a connector for the fake with its refresh token in a 0600
// file.
func newConn(t *testing.T, f *fakeX, o Options) *Connector {
	t.Helper()
	o.UserID, o.Username, o.ClientID = brandID, brandUser, clientID
	o.Base, o.TokenURL = f.srv.URL, f.srv.URL+"/2/oauth2/token"
	if o.TokenFile == "" {
		o.TokenFile = filepath.Join(t.TempDir(), "x.token")
		var rt string
		f.with(func() { rt = f.refresh })
		if err := os.WriteFile(o.TokenFile, []byte(rt), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if o.MaxSpend == 0 {
		o.MaxSpend = DefaultMonthlySpend
	}
	if o.Backlog == 0 {
		o.Backlog = 7 * 24 * time.Hour
	}
	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	c.api.hc.Sleep = func(context.Context, time.Duration) error { return nil }
	return c
}
