package facebook

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

// fakeGraph behaves like the Graph API for a Page: data/paging envelopes
// with cursors, field selection ignored but shapes real, error objects with
// code, subcode and fbtrace_id, and usage headers.
type fakeGraph struct {
	t   *testing.T
	srv *httptest.Server

	mu         sync.Mutex
	token      string
	pageID     string
	posts      []post
	comments   map[string][]comment // post id → comments, chronological
	hidden     map[string]bool
	deleted    map[string]bool
	nextID     int
	posted     []url.Values
	requests   []string
	usage      string // X-App-Usage to send
	convs      []conversation
	igID       string
	igMedia    []igMedia
	igComms    map[string][]igComment // media id → top-level comments with replies
	platform   string                 // last conversations platform asked for
	emptyFirst bool                   // the next feed page is empty but has a next link
	igTags     []igMedia
	sent       []map[string]any // Send API bodies
	faults     []graphFault     // consumed in order for matching paths
	pageSize   int
	now        time.Time

	// Tokens as Meta issues them: a short-lived user token exchanges (with
	// the app's id and secret) for a long-lived one; debug_token knows
	// every token's expiry (0: never).
	appID, appSecret string
	exchange         map[string]string // short-lived → long-lived
	expires          map[string]int64  // token → expires_at
	requireProof     bool              // the app has "Require App Secret"
	proofs           int               // calls that carried a valid appsecret_proof
	deny             map[string][2]int // path prefix → code, subcode on every call
	// comments on other people's media that @mention the IG account: only
	// the mentions webhook names them, and mentioned_comment reads them
	igMentioned map[string]igMention
	// changed wakes a waiting test after every request logged.
	changed synctest.Wake
}

type igMention struct {
	comment igComment
	media   igMedia
}

type graphFault struct {
	path      string
	status    int
	code, sub int
	afterWork bool
}

func newGraph(t *testing.T) *fakeGraph {
	g := &fakeGraph{t: t, token: "EAAB-page-token-secret", pageID: "122104", comments: map[string][]comment{},
		hidden: map[string]bool{}, deleted: map[string]bool{}, nextID: 9000, pageSize: 3, now: time.Now().UTC(),
		igID: "17841400000000001", igComms: map[string][]igComment{},
		appID: "4410001", appSecret: "app-secret-shh", exchange: map[string]string{}, expires: map[string]int64{}, deny: map[string][2]int{}}
	g.srv = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(g.srv.Close)
	return g
}

func ts(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05-0700") }

func (g *fakeGraph) addPost(msg string, at time.Time) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.nextID++
	id := fmt.Sprintf("%s_%d", g.pageID, g.nextID)
	g.posts = append(g.posts, post{ID: id, Message: msg, Created: ts(at), Permalink: "https://www.facebook.com/" + id,
		From: &from{ID: g.pageID, Name: "Acme Store"}})
	return id
}

func (g *fakeGraph) addComment(postID, parent, fromID, name, msg string, at time.Time) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.nextID++
	id := fmt.Sprintf("55501_%d", g.nextID)
	c := comment{ID: id, Message: msg, Created: ts(at), Permalink: "https://www.facebook.com/" + postID + "?comment_id=" + id}
	if fromID != "" {
		c.From = &from{ID: fromID, Name: name}
	}
	if parent != "" {
		c.Parent = &struct {
			ID string `json:"id"`
		}{parent}
	}
	g.comments[postID] = append(g.comments[postID], c)
	return id
}

func (g *fakeGraph) writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func (g *fakeGraph) graphErr(w http.ResponseWriter, status, code, sub int, msg string) {
	g.writeJSON(w, status, map[string]any{"error": map[string]any{"message": msg, "type": "OAuthException",
		"code": code, "error_subcode": sub, "fbtrace_id": "AbCdEf123"}})
}

func (g *fakeGraph) serve(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	defer g.mu.Unlock()
	r.ParseForm()
	g.requests = append(g.requests, r.Method+" "+r.URL.Path+"?"+r.URL.RawQuery)
	g.changed.Notify()
	if g.usage != "" {
		w.Header().Set("X-App-Usage", g.usage)
	}
	if g.tokenEndpoint(w, r) {
		return
	}
	if !strings.HasPrefix(r.URL.Path, "/v25.0/") {
		g.graphErr(w, 400, 2635, 0, "You are calling a deprecated version of the Ads API")
		return
	}
	node := strings.TrimPrefix(r.URL.Path, "/v25.0/")
	var flt *graphFault
	if len(g.faults) > 0 && strings.HasPrefix(node, g.faults[0].path) {
		flt = &g.faults[0]
		g.faults = g.faults[1:]
		if !flt.afterWork {
			g.graphErr(w, flt.status, flt.code, flt.sub, map[int]string{190: "Error validating access token: Session has expired",
				4: "Application request limit reached", 17: "User request limit reached", 2: "An unexpected error has occurred. Please retry your request later.",
				100: "Unsupported get request. Object with ID does not exist"}[flt.code])
			return
		}
	}
	if r.Header.Get("Authorization") != "Bearer "+g.token {
		g.graphErr(w, 400, 190, 463, "Error validating access token: Session has expired")
		return
	}
	if p := r.URL.Query().Get("appsecret_proof"); p != "" || g.requireProof {
		if p != appSecretProof(g.token, g.appSecret) {
			g.graphErr(w, 400, 100, 0, "API calls from the server require an appsecret_proof argument")
			return
		}
		g.proofs++
	}
	for prefix, cs := range g.deny {
		if strings.HasPrefix(node, prefix) {
			g.graphErr(w, 400, cs[0], cs[1], map[int]string{10: "(#10) Application does not have permission for this action",
				200: "(#200) Requires pages_read_user_content permission to manage the object", 1: "An unknown error occurred"}[cs[0]])
			return
		}
	}
	rec := httptest.NewRecorder()
	g.route(rec, r, node)
	if flt != nil {
		g.graphErr(w, flt.status, flt.code, flt.sub, "An unexpected error has occurred. Please retry your request later.")
		return
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
}

func (g *fakeGraph) route(w http.ResponseWriter, r *http.Request, node string) {
	parts := strings.Split(node, "/")
	switch {
	case r.Method == "GET" && node == g.igID && strings.HasPrefix(r.Form.Get("fields"), "mentioned_comment.comment_id("):
		f := strings.TrimPrefix(r.Form.Get("fields"), "mentioned_comment.comment_id(")
		id, _, _ := strings.Cut(f, ")")
		m, ok := g.igMentioned[id]
		if !ok {
			g.graphErr(w, 400, 100, 33, "Unsupported get request. Object with ID '"+id+"' does not exist")
			return
		}
		g.writeJSON(w, 200, map[string]any{"id": g.igID, "mentioned_comment": map[string]any{"id": m.comment.ID, "text": m.comment.Text,
			"timestamp": m.comment.Timestamp, "like_count": 0, "media": map[string]any{"id": m.media.ID, "permalink": m.media.Permalink}}})
	case r.Method == "GET" && len(parts) == 2 && parts[0] == g.pageID && parts[1] == "feed":
		if g.emptyFirst {
			g.emptyFirst = false
			q := url.Values{}
			for k, v := range r.Form {
				q[k] = v
			}
			q.Set("after", "0")
			g.writeJSON(w, 200, map[string]any{"data": []any{}, "paging": map[string]any{"next": g.srv.URL + "/v25.0/" + node + "?" + q.Encode()}})
			return
		}
		since, _ := strconv.ParseInt(r.Form.Get("since"), 10, 64)
		var out []post
		for _, p := range g.posts {
			if g.deleted[p.ID] || graphTime(p.Created).Unix() < since {
				continue
			}
			out = append(out, p)
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Created > out[j].Created })
		g.page(w, r, node, out)
	case r.Method == "GET" && len(parts) == 2 && parts[1] == "comments" && !strings.HasPrefix(parts[0], "1790"):
		id := parts[0]
		if g.deleted[id] {
			g.graphErr(w, 400, 100, 33, "Unsupported get request. Object with ID does not exist")
			return
		}
		since, _ := strconv.ParseInt(r.Form.Get("since"), 10, 64)
		var out []comment
		list := g.comments[id]
		if !strings.Contains(id, "_") || strings.HasPrefix(id, "55501_") { // comments of a comment
			list = nil
			for _, cs := range g.comments {
				for _, c := range cs {
					if c.Parent != nil && c.Parent.ID == id {
						list = append(list, c)
					}
				}
			}
		}
		for _, c := range list {
			if g.deleted[c.ID] || graphTime(c.Created).Unix() < since {
				continue
			}
			if r.Form.Get("filter") != "stream" && c.Parent != nil && !strings.HasPrefix(id, "55501_") {
				continue
			}
			c.IsHidden = g.hidden[c.ID]
			out = append(out, c)
		}
		g.page(w, r, node, out)
	case r.Method == "GET" && len(parts) == 2 && parts[0] == g.pageID && parts[1] == "ratings":
		g.graphErr(w, 400, 12, 0, "(#12) ratings is deprecated for versions v22.0 and higher")
	case r.Method == "GET" && len(parts) == 2 && parts[0] == g.igID && parts[1] == "media":
		out := append([]igMedia(nil), g.igMedia...)
		sort.Slice(out, func(i, j int) bool { return out[i].Timestamp > out[j].Timestamp })
		g.page(w, r, node, out)
	case r.Method == "GET" && len(parts) == 2 && strings.HasPrefix(parts[0], "1790") && parts[1] == "comments":
		var out []igComment
		for _, c := range g.igComms[parts[0]] {
			c.Hidden = g.hidden[c.ID]
			// Field expansion holds the first page of replies; the rest
			// are behind the nested paging.next.
			if len(c.Replies.Data) > g.pageSize {
				c.Replies.Data = c.Replies.Data[:g.pageSize]
				c.Replies.Paging.Next = fmt.Sprintf("%s/v25.0/%s/replies?after=%d", g.srv.URL, c.ID, g.pageSize)
			}
			out = append(out, c)
		}
		g.page(w, r, node, out)
	case r.Method == "GET" && len(parts) == 2 && parts[1] == "replies":
		for _, cs := range g.igComms {
			for _, c := range cs {
				if c.ID == parts[0] {
					g.page(w, r, node, c.Replies.Data)
					return
				}
			}
		}
		g.page(w, r, node, []igComment{})
	case r.Method == "POST" && len(parts) == 2 && parts[1] == "replies":
		g.posted = append(g.posted, r.Form)
		g.nextID++
		id := fmt.Sprintf("1787%d", g.nextID)
		for mid, cs := range g.igComms {
			for i, c := range cs {
				if c.ID == parts[0] {
					g.igComms[mid][i].Replies.Data = append(g.igComms[mid][i].Replies.Data, igComment{ID: id, Text: r.Form.Get("message"),
						Timestamp: ts(time.Now()), Username: "acme.store", From: &igUser{ID: g.igID, Username: "acme.store"}, ParentID: c.ID})
				}
			}
		}
		g.writeJSON(w, 200, map[string]string{"id": id})
	case r.Method == "POST" && len(parts) == 1 && r.Form.Get("hide") != "":
		g.hidden[parts[0]] = r.Form.Get("hide") == "true"
		g.writeJSON(w, 200, map[string]bool{"success": true})
	case r.Method == "GET" && len(parts) == 2 && parts[0] == g.pageID && parts[1] == "conversations":
		g.platform = r.Form.Get("platform")
		if g.platform != "messenger" && g.platform != "instagram" {
			g.graphErr(w, 400, 100, 0, "(#100) platform is required")
			return
		}
		out := append([]conversation(nil), g.convs...)
		sort.Slice(out, func(i, j int) bool { return out[i].Updated > out[j].Updated })
		g.page(w, r, node, out)
	case r.Method == "GET" && len(parts) == 1 && strings.HasPrefix(parts[0], "55501_"):
		for _, cs := range g.comments {
			for _, c := range cs {
				if c.ID == parts[0] {
					g.writeJSON(w, 200, c)
					return
				}
			}
		}
		g.graphErr(w, 400, 100, 33, "Unsupported get request")
	case r.Method == "GET" && len(parts) == 2 && parts[0] == g.igID && parts[1] == "tags":
		g.page(w, r, node, g.igTags)
	case r.Method == "POST" && len(parts) == 2 && parts[0] == g.igID && parts[1] == "mentions":
		g.posted = append(g.posted, r.Form)
		g.nextID++
		g.writeJSON(w, 200, map[string]string{"id": fmt.Sprintf("1788%d", g.nextID)})
	case r.Method == "GET" && len(parts) == 2 && parts[0] == g.igID && parts[1] == "conversations":
		g.platform = "ig-login:" + r.Form.Get("platform")
		g.page(w, r, node, g.convs)
	case r.Method == "POST" && len(parts) == 2 && parts[0] == g.igID && parts[1] == "messages":
		var body map[string]any
		json.NewDecoder(r.Body).Decode(&body)
		g.sent = append(g.sent, body)
		g.nextID++
		g.writeJSON(w, 200, map[string]string{"message_id": fmt.Sprintf("m_%d", g.nextID)})
	case r.Method == "GET" && len(parts) == 1 && (strings.HasPrefix(parts[0], "t_") || strings.HasPrefix(parts[0], "ig_t_")):
		for _, cv := range g.convs {
			if cv.ID == parts[0] {
				g.writeJSON(w, 200, map[string]any{"id": cv.ID, "messages": map[string]any{"data": cv.Messages.Data}})
				return
			}
		}
		g.graphErr(w, 400, 100, 33, "Unsupported get request. Object with ID does not exist")
	case r.Method == "GET" && len(parts) == 1 && strings.HasPrefix(parts[0], "m_"):
		for _, cv := range g.convs {
			for _, m := range cv.Messages.Data {
				if m.ID == parts[0] {
					g.writeJSON(w, 200, m)
					return
				}
			}
		}
		g.graphErr(w, 400, 100, 33, "Unsupported get request")
	case r.Method == "POST" && len(parts) == 2 && parts[0] == g.pageID && parts[1] == "messages":
		var body map[string]any
		json.NewDecoder(r.Body).Decode(&body)
		rec, _ := body["recipient"].(map[string]any)
		if cid, ok := rec["comment_id"].(string); ok {
			for _, s := range g.sent {
				if rr, _ := s["recipient"].(map[string]any); rr["comment_id"] == cid {
					g.graphErr(w, 400, 10, 2018278, "(#10) This message is sent outside of allowed window.")
					return
				}
			}
		}
		g.sent = append(g.sent, body)
		g.nextID++
		id := fmt.Sprintf("m_%d", g.nextID)
		// The message is in the conversation now, as on Messenger: a resend
		// after a lost answer can find it there.
		if psid, ok := rec["id"].(string); ok {
			text, _ := body["message"].(map[string]any)["text"].(string)
			for _, cv := range g.convs {
				for _, m := range cv.Messages.Data {
					if m.From != nil && m.From.ID == psid {
						g.putMessage(cv.ID, message{ID: id, Created: ts(time.Now()), From: &from{ID: g.pageID, Name: "Acme Store"},
							To: msgTo{Data: []from{{ID: psid}}}, Message: text}, time.Now())
						goto sent
					}
				}
			}
		}
	sent:
		g.writeJSON(w, 200, map[string]string{"recipient_id": fmt.Sprint(rec["id"]), "message_id": id})
	case r.Method == "POST" && len(parts) == 2 && parts[1] == "comments":
		if strings.TrimSpace(r.Form.Get("message")) == "" {
			g.graphErr(w, 400, 100, 0, "(#100) The parameter message is required")
			return
		}
		g.posted = append(g.posted, r.Form)
		g.nextID++
		id := fmt.Sprintf("55501_%d", g.nextID)
		for pid, cs := range g.comments {
			for _, c := range cs {
				if c.ID == parts[0] {
					g.comments[pid] = append(g.comments[pid], comment{ID: id, Message: r.Form.Get("message"),
						Created: ts(time.Now()), From: &from{ID: g.pageID, Name: "Acme Store"},
						Parent: &struct {
							ID string `json:"id"`
						}{parts[0]}})
				}
			}
		}
		g.writeJSON(w, 200, map[string]string{"id": id})
	case r.Method == "POST" && len(parts) == 1 && r.Form.Get("is_hidden") != "":
		g.hidden[parts[0]] = r.Form.Get("is_hidden") == "true"
		g.writeJSON(w, 200, map[string]bool{"success": true})
	case r.Method == "DELETE" && len(parts) == 1:
		g.deleted[parts[0]] = true
		g.writeJSON(w, 200, map[string]bool{"success": true})
	default:
		g.graphErr(w, 400, 100, 33, "Unsupported request")
	}
}

// tokenEndpoint serves Meta's token endpoints: the long-lived exchange and
// debug_token on graph.facebook.com, and Instagram Login's exchange and
// refresh (unversioned, on graph.instagram.com).
func (g *fakeGraph) tokenEndpoint(w http.ResponseWriter, r *http.Request) bool {
	q := r.URL.Query()
	switch r.URL.Path {
	case "/v25.0/oauth/access_token":
		long, ok := g.exchange[q.Get("fb_exchange_token")]
		switch {
		case q.Get("grant_type") != "fb_exchange_token":
			g.graphErr(w, 400, 100, 0, "Invalid grant_type")
		case q.Get("client_id") != g.appID || q.Get("client_secret") != g.appSecret:
			g.graphErr(w, 400, 101, 0, "Error validating client secret.")
		case !ok:
			g.graphErr(w, 400, 190, 0, "Invalid OAuth access token.")
		default:
			g.writeJSON(w, 200, map[string]any{"access_token": long, "token_type": "bearer", "expires_in": 5183944})
		}
	case "/v25.0/debug_token":
		caller := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		if caller != g.appID+"|"+g.appSecret && caller != q.Get("input_token") {
			g.graphErr(w, 400, 190, 0, "Invalid OAuth access token.")
			return true
		}
		in := q.Get("input_token")
		exp, known := g.expires[in]
		typ := "USER"
		if in == g.token {
			typ = "PAGE"
		}
		g.writeJSON(w, 200, map[string]any{"data": map[string]any{"app_id": g.appID, "type": typ, "application": "Acme Inbox",
			"expires_at": exp, "is_valid": known, "scopes": []string{"pages_show_list", "pages_messaging"}}})
	case "/access_token":
		long, ok := g.exchange[q.Get("access_token")]
		if q.Get("grant_type") != "ig_exchange_token" || q.Get("client_secret") != g.appSecret || !ok {
			g.graphErr(w, 400, 190, 0, "Invalid OAuth access token.")
			return true
		}
		g.writeJSON(w, 200, map[string]any{"access_token": long, "token_type": "bearer", "expires_in": 5184000})
	case "/refresh_access_token":
		if q.Get("grant_type") != "ig_refresh_token" || q.Get("access_token") != g.token {
			g.graphErr(w, 400, 190, 0, "Invalid OAuth access token.")
			return true
		}
		// The old token stops working here so a test sees the new one used.
		g.nextID++
		g.token = fmt.Sprintf("IGAA-refreshed-%d", g.nextID)
		g.writeJSON(w, 200, map[string]any{"access_token": g.token, "token_type": "bearer", "expires_in": 5184000})
	default:
		return false
	}
	return true
}

// page serves a data/paging envelope with after cursors.
func (g *fakeGraph) page(w http.ResponseWriter, r *http.Request, node string, all any) {
	b, _ := json.Marshal(all)
	var items []json.RawMessage
	json.Unmarshal(b, &items)
	start, _ := strconv.Atoi(r.Form.Get("after"))
	end := min(start+g.pageSize, len(items))
	if start > len(items) {
		start = len(items)
	}
	env := map[string]any{"data": items[start:end]}
	if items[start:end] == nil {
		env["data"] = []any{}
	}
	if end < len(items) {
		q := url.Values{}
		for k, v := range r.Form {
			q[k] = v
		}
		q.Set("after", strconv.Itoa(end))
		env["paging"] = map[string]any{"cursors": map[string]string{"before": strconv.Itoa(start), "after": strconv.Itoa(end)},
			"next": g.srv.URL + "/v25.0/" + node + "?" + q.Encode()}
	}
	g.writeJSON(w, 200, env)
}

func (g *fakeGraph) addDM(convID, psid, name, text string, at time.Time) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.nextID++
	id := fmt.Sprintf("m_%d", g.nextID)
	m := message{ID: id, Created: ts(at), From: &from{ID: psid, Name: name}, To: msgTo{Data: []from{{ID: g.pageID, Name: "Acme Store"}}}, Message: text}
	g.putMessage(convID, m, at)
	return id
}

// addIGDM adds a message to an Instagram conversation in Instagram's shape:
// participants are {username, id}, the business is its IG account id.
func (g *fakeGraph) addIGDM(convID, igsid, username, text string, at time.Time, fromBusiness bool) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.nextID++
	id := fmt.Sprintf("m_%d", g.nextID)
	customer, business := from{ID: igsid, Username: username}, from{ID: g.igID, Username: "acme.store"}
	m := message{ID: id, Created: ts(at), From: &customer, To: msgTo{Data: []from{business}}, Message: text}
	if fromBusiness {
		m.From, m.To = &business, msgTo{Data: []from{customer}}
	}
	g.putMessage(convID, m, at)
	return id
}

// putMessage adds a message (newest first) to a conversation.
func (g *fakeGraph) putMessage(convID string, m message, at time.Time) {
	for i := range g.convs {
		if g.convs[i].ID == convID {
			g.convs[i].Messages.Data = append([]message{m}, g.convs[i].Messages.Data...)
			g.convs[i].Updated = ts(at)
			return
		}
	}
	cv := conversation{ID: convID, Updated: ts(at)}
	cv.Messages.Data = []message{m}
	g.convs = append(g.convs, cv)
}
