package mastodon

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/sync/synctest"
)

// fakeServer behaves like a Mastodon server for the endpoints parley uses:
// real field names and shapes, Link paging with max_id/min_id/since_id,
// rate-limit headers, Idempotency-Key, and failures on demand.
type fakeServer struct {
	t   *testing.T
	srv *httptest.Server

	mu        sync.Mutex
	token     string
	me        account
	accounts  map[string]account
	statuses  map[string]*status
	notifs    []notification // any order; served newest first
	nextID    int64
	idem      map[string]status
	posts     []url.Values // every accepted POST /api/v1/statuses form
	actions   []string     // mutes, blocks, reports, dismissals
	requests  []string
	remaining int // X-RateLimit-Remaining to report
	resetIn   time.Duration
	// ignoreIdem: a server of the API that ignores Idempotency-Key, as
	// some implementations do.
	ignoreIdem bool
	history    map[string][]statusEdit // earlier versions of edited statuses
	// failures, consumed in order, for requests whose path has the prefix
	faults []fault
	now    time.Time
	// streaming (stream_fake_test.go): nil hub means no streaming server
	hub          *streamHub
	streamingAPI string // urls.streaming_api in /api/v1/instance
	maxChars     int    // configuration.statuses.max_characters (0: 500)
	noInstance   bool   // /api/v1/instance answers 404 (an old or odd server)
	// changed wakes a waiting test after every request logged and every
	// streaming client joined, gone or (un)subscribed.
	changed synctest.Wake
}

type fault struct {
	method     string // "" matches any
	path       string
	status     int    // 0: no status fault
	body       string // raw body to send instead
	retryAfter string
	link       string // Link header to send with the fault
	skip       int    // let this many matching requests through first
	afterWork  bool   // do the work, then fail (an ambiguous failure)
}

func newFake(t *testing.T) *fakeServer {
	f := &fakeServer{t: t, token: "s3cr3t-token-value", accounts: map[string]account{}, statuses: map[string]*status{},
		idem: map[string]status{}, history: map[string][]statusEdit{}, nextID: 1000, remaining: 300, resetIn: 5 * time.Minute, now: time.Now().UTC()}
	f.me = f.account("acme", "Acme Coffee")
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeServer) id() string {
	f.nextID++
	return strconv.FormatInt(f.nextID, 10)
}

func (f *fakeServer) account(user, name string) account {
	a := account{ID: f.id(), Username: user, Acct: user, DisplayName: name, URL: "https://m.example/@" + user}
	if user != "acme" {
		a.Acct = user + "@other.example"
	}
	f.accounts[a.ID] = a
	return a
}

// post adds a status; a mention of us also makes a notification.
func (f *fakeServer) post(from account, html, visibility string, replyTo *status, at time.Time, notify bool) *status {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := &status{ID: f.id(), CreatedAt: at, Account: from, Content: html, Visibility: visibility,
		URL: "https://m.example/@" + from.Username + "/" + strconv.FormatInt(f.nextID, 10)}
	s.URI = s.URL
	if replyTo != nil {
		s.InReplyToID, s.InReplyToAccountID = &replyTo.ID, &replyTo.Account.ID
	}
	if notify {
		s.Mentions = []mention{{ID: f.me.ID, Username: "acme", Acct: "acme", URL: f.me.URL}}
	}
	f.statuses[s.ID] = s
	if notify {
		n := notification{ID: f.id(), Type: "mention", CreatedAt: at, Account: from, Status: s}
		f.notifs = append(f.notifs, n)
		f.streamNotification(n)
	}
	return s
}

// edit changes a status as its author would: the old version goes to its
// history, edited_at is set, and we get an "update" notification (a status
// we took part in was edited).
func (f *fakeServer) edit(s *status, html string, at time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.history[s.ID]) == 0 {
		f.history[s.ID] = []statusEdit{{Content: s.Content, SpoilerText: s.SpoilerText, CreatedAt: s.CreatedAt}}
	}
	s.Content, s.EditedAt = html, &at
	f.history[s.ID] = append(f.history[s.ID], statusEdit{Content: html, SpoilerText: s.SpoilerText, CreatedAt: at})
	n := notification{ID: f.id(), Type: "update", CreatedAt: at, Account: s.Account, Status: s}
	f.notifs = append(f.notifs, n)
	f.streamNotification(n)
	if f.hub != nil {
		f.hub.push("user", "status.update", s)
	}
}

// children lists the statuses below s in its thread, in order.
func (f *fakeServer) descendants(id string) []status {
	var out []status
	ids := []string{id}
	for len(ids) > 0 {
		var next []string
		for _, st := range f.statuses {
			if st.InReplyToID != nil && contains(ids, *st.InReplyToID) {
				out = append(out, *st)
				next = append(next, st.ID)
			}
		}
		ids = next
	}
	sort.Slice(out, func(i, j int) bool { return idLess(out[i].ID, out[j].ID) })
	return out
}

// mentioned finds the accounts a posted text addresses (@acct tokens).
func (f *fakeServer) mentioned(text string) []mention {
	var out []mention
	for _, w := range strings.Fields(text) {
		for _, a := range f.accounts {
			if w == "@"+a.Acct {
				out = append(out, mention{ID: a.ID, Username: a.Username, Acct: a.Acct, URL: a.URL})
			}
		}
	}
	return out
}

// pageOf serves a newest-first list with Mastodon's paging parameters and
// Link header.
func (f *fakeServer) pageOf(w http.ResponseWriter, r *http.Request, base string, ids []string) []string {
	q := r.URL.Query()
	limit := 20
	if n, err := strconv.Atoi(q.Get("limit")); err == nil && n > 0 {
		limit = min(n, 40)
	}
	sort.Slice(ids, func(i, j int) bool { return idLess(ids[j], ids[i]) })
	var page []string
	if mn := q.Get("min_id"); mn != "" {
		for _, id := range ids {
			if idLess(mn, id) {
				page = append(page, id)
			}
		}
		if len(page) > limit {
			page = page[len(page)-limit:]
		}
	} else {
		for _, id := range ids {
			if mx := q.Get("max_id"); mx != "" && !idLess(id, mx) {
				continue
			}
			page = append(page, id)
			if len(page) == limit {
				break
			}
		}
	}
	if len(page) > 0 {
		u := f.srv.URL + base + "?limit=" + strconv.Itoa(limit)
		w.Header().Set("Link", fmt.Sprintf(`<%s&max_id=%s>; rel="next", <%s&min_id=%s>; rel="prev"`, u, page[len(page)-1], u, page[0]))
	}
	return page
}

func (f *fakeServer) writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func (f *fakeServer) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, r.Method+" "+r.URL.Path+"?"+r.URL.RawQuery)
	f.changed.Notify()
	// Rate-limit headers on every answer, as Mastodon sends them.
	w.Header().Set("X-RateLimit-Limit", "300")
	w.Header().Set("X-RateLimit-Remaining", strconv.Itoa(f.remaining))
	w.Header().Set("X-RateLimit-Reset", f.now.Add(f.resetIn).Format("2006-01-02T15:04:05.000Z"))
	if f.remaining > 0 {
		f.remaining--
	}
	var flt *fault
	if len(f.faults) > 0 && strings.HasPrefix(r.URL.Path, f.faults[0].path) && (f.faults[0].method == "" || f.faults[0].method == r.Method) {
		if f.faults[0].skip > 0 {
			f.faults[0].skip--
		} else {
			flt = &f.faults[0]
			f.faults = f.faults[1:]
			if !flt.afterWork {
				f.fail(w, *flt)
				return
			}
		}
	}
	if r.Header.Get("Authorization") != "Bearer "+f.token && r.URL.Path != "/api/v1/apps" && r.URL.Path != "/oauth/token" {
		f.writeJSON(w, 401, map[string]string{"error": "The access token is invalid"})
		return
	}
	rec := httptest.NewRecorder()
	f.route(rec, r)
	if flt != nil { // the work is done, the answer is lost
		f.fail(w, *flt)
		return
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
}

func (f *fakeServer) fail(w http.ResponseWriter, flt fault) {
	if flt.retryAfter != "" {
		w.Header().Set("Retry-After", flt.retryAfter)
	}
	if flt.link != "" {
		w.Header().Set("Link", flt.link)
	}
	if flt.body != "" {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(max(flt.status, 200))
		w.Write([]byte(flt.body))
		return
	}
	msg := map[int]string{401: "The access token is invalid", 429: "Too many requests", 500: "Internal server error", 503: "Remote data could not be fetched"}[flt.status]
	f.writeJSON(w, flt.status, map[string]string{"error": msg})
}

func (f *fakeServer) route(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case r.Method == "GET" && p == "/api/v1/accounts/verify_credentials":
		f.writeJSON(w, 200, f.me)
	case r.Method == "GET" && p == "/api/v1/instance" && !f.noInstance:
		var in instance
		in.URLs.StreamingAPI = f.streamingAPI
		if in.URLs.StreamingAPI == "" {
			in.URLs.StreamingAPI = "ws" + strings.TrimPrefix(f.srv.URL, "http") // the same host
		}
		in.Configuration.Statuses.MaxCharacters = 500
		if f.maxChars > 0 {
			in.Configuration.Statuses.MaxCharacters = f.maxChars
		}
		in.Configuration.Statuses.CharactersReservedPerURL = 23
		f.writeJSON(w, 200, in)
	case r.Method == "GET" && p == "/api/v1/notifications":
		f.notifications(w, r)
	case r.Method == "GET" && strings.HasPrefix(p, "/api/v1/statuses/") && strings.HasSuffix(p, "/context"):
		id := strings.TrimSuffix(strings.TrimPrefix(p, "/api/v1/statuses/"), "/context")
		s, ok := f.statuses[id]
		if !ok {
			f.writeJSON(w, 404, map[string]string{"error": "Record not found"})
			return
		}
		var anc []status
		for cur := s; cur.InReplyToID != nil; {
			parent, ok := f.statuses[*cur.InReplyToID]
			if !ok {
				break
			}
			anc = append([]status{*parent}, anc...)
			cur = parent
		}
		f.writeJSON(w, 200, threadContext{Ancestors: anc, Descendants: append([]status{}, f.descendants(id)...)})
	case r.Method == "GET" && strings.HasPrefix(p, "/api/v1/statuses/") && strings.HasSuffix(p, "/history"):
		id := strings.TrimSuffix(strings.TrimPrefix(p, "/api/v1/statuses/"), "/history")
		s, ok := f.statuses[id]
		if !ok {
			f.writeJSON(w, 404, map[string]string{"error": "Record not found"})
			return
		}
		h := f.history[id]
		if len(h) == 0 {
			h = []statusEdit{{Content: s.Content, SpoilerText: s.SpoilerText, CreatedAt: s.CreatedAt}}
		}
		f.writeJSON(w, 200, h)
	case r.Method == "GET" && strings.HasPrefix(p, "/api/v1/accounts/") && strings.HasSuffix(p, "/statuses"):
		acct := strings.TrimSuffix(strings.TrimPrefix(p, "/api/v1/accounts/"), "/statuses")
		var ids []string
		for id, st := range f.statuses {
			if st.Account.ID == acct {
				ids = append(ids, id)
			}
		}
		out := []status{}
		for _, id := range f.pageOf(w, r, p, ids) {
			out = append(out, *f.statuses[id])
		}
		f.writeJSON(w, 200, out)
	case r.Method == "GET" && strings.HasPrefix(p, "/api/v1/statuses/"):
		s, ok := f.statuses[strings.TrimPrefix(p, "/api/v1/statuses/")]
		if !ok {
			f.writeJSON(w, 404, map[string]string{"error": "Record not found"})
			return
		}
		f.writeJSON(w, 200, s)
	case r.Method == "POST" && p == "/api/v1/statuses":
		r.ParseForm()
		if k := r.Header.Get("Idempotency-Key"); k != "" && !f.ignoreIdem {
			if s, ok := f.idem[k]; ok {
				f.writeJSON(w, 200, s)
				return
			}
		}
		if strings.TrimSpace(r.Form.Get("status")) == "" {
			f.writeJSON(w, 422, map[string]string{"error": "Validation failed: Text can't be blank"})
			return
		}
		// Mastodon renders a mention as a link showing the short @user.
		var words []string
		for _, w := range strings.Fields(r.Form.Get("status")) {
			if strings.HasPrefix(w, "@") {
				user, _, _ := strings.Cut(w[1:], "@")
				w = `<span class="h-card"><a href="https://other.example/@` + user + `" class="u-url mention">@<span>` + user + `</span></a></span>`
			}
			words = append(words, w)
		}
		s := status{ID: f.id(), CreatedAt: f.now, Account: f.me, Content: "<p>" + strings.Join(words, " ") + "</p>",
			Visibility: r.Form.Get("visibility"), URL: "https://m.example/@acme/" + strconv.FormatInt(f.nextID, 10),
			SpoilerText: r.Form.Get("spoiler_text"), Mentions: f.mentioned(r.Form.Get("status"))}
		if in := r.Form.Get("in_reply_to_id"); in != "" {
			s.InReplyToID = &in
		}
		f.statuses[s.ID] = &s
		f.posts = append(f.posts, r.Form)
		if k := r.Header.Get("Idempotency-Key"); k != "" {
			f.idem[k] = s
		}
		f.writeJSON(w, 200, s)
	case r.Method == "POST" && strings.HasPrefix(p, "/api/v1/accounts/"):
		f.actions = append(f.actions, strings.TrimPrefix(p, "/api/v1/accounts/"))
		f.writeJSON(w, 200, map[string]any{"id": strings.Split(strings.TrimPrefix(p, "/api/v1/accounts/"), "/")[0], "muting": true, "blocking": true})
	case r.Method == "POST" && p == "/api/v1/reports":
		r.ParseForm()
		f.actions = append(f.actions, "report "+r.Form.Get("account_id")+" "+r.Form.Get("status_ids[]")+" "+r.Form.Get("comment"))
		f.writeJSON(w, 200, map[string]any{"id": f.id(), "category": "other"})
	case r.Method == "POST" && strings.HasPrefix(p, "/api/v1/notifications/") && strings.HasSuffix(p, "/dismiss"):
		id := strings.TrimSuffix(strings.TrimPrefix(p, "/api/v1/notifications/"), "/dismiss")
		f.actions = append(f.actions, "dismiss "+id)
		f.writeJSON(w, 200, map[string]any{})
	case r.Method == "POST" && p == "/api/v1/apps":
		r.ParseForm()
		f.writeJSON(w, 200, map[string]any{"id": "1", "name": r.Form.Get("client_name"), "client_id": "cid", "client_secret": "csecret",
			"redirect_uris": []string{r.Form.Get("redirect_uris")}, "scopes": strings.Fields(r.Form.Get("scopes"))})
	case r.Method == "POST" && p == "/oauth/token":
		r.ParseForm()
		if r.Form.Get("code") != "good-code" || r.Form.Get("client_secret") != "csecret" {
			f.writeJSON(w, 400, map[string]string{"error": "invalid_grant", "error_description": "The provided authorization grant is invalid"})
			return
		}
		f.writeJSON(w, 200, map[string]any{"access_token": f.token, "token_type": "Bearer", "scope": "read write", "created_at": 1})
	default:
		f.writeJSON(w, 404, map[string]string{"error": "Record not found"})
	}
}

// notifications pages like Mastodon: newest first; max_id for older pages,
// since_id for the newest above an id, min_id for the page just above an
// id; Link has next (max_id) and prev (min_id).
func (f *fakeServer) notifications(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := 40
	if n, err := strconv.Atoi(q.Get("limit")); err == nil && n > 0 {
		limit = min(n, 80)
	}
	types := q["types[]"]
	all := make([]notification, 0, len(f.notifs))
	for _, n := range f.notifs {
		if len(types) == 0 || contains(types, n.Type) {
			all = append(all, n)
		}
	}
	sort.Slice(all, func(i, j int) bool { return idLess(all[j].ID, all[i].ID) }) // newest first
	var page []notification
	switch {
	case q.Get("min_id") != "":
		var above []notification
		for _, n := range all {
			if idLess(q.Get("min_id"), n.ID) {
				above = append(above, n)
			}
		}
		// the `limit` oldest of those, newest first
		if len(above) > limit {
			above = above[len(above)-limit:]
		}
		page = above
	default:
		for _, n := range all {
			if mx := q.Get("max_id"); mx != "" && !idLess(n.ID, mx) {
				continue
			}
			if si := q.Get("since_id"); si != "" && !idLess(si, n.ID) {
				continue
			}
			page = append(page, n)
			if len(page) == limit {
				break
			}
		}
	}
	if len(page) > 0 {
		base := f.srv.URL + "/api/v1/notifications?limit=" + strconv.Itoa(limit)
		w.Header().Set("Link", fmt.Sprintf(`<%s&max_id=%s>; rel="next", <%s&min_id=%s>; rel="prev"`,
			base, page[len(page)-1].ID, base, page[0].ID))
	}
	f.writeJSON(w, 200, page)
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}
