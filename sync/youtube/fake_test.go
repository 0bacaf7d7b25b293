package youtube

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	gosync "sync"
	"testing"
	"time"
)

// fakeYouTube speaks the Data API v3 as its discovery document shapes it
// (youtube-api.json in the module cache; schema_test checks the field
// names): Google error bodies with a reason, nextPageToken left out on the
// last page, setModerationStatus and delete answering 204, quota units
// counted per call and 403 quotaExceeded when they run out, and Google's
// token endpoint beside it.
type fakeYouTube struct {
	t   testing.TB
	srv *httptest.Server

	mu        gosync.Mutex
	channel   string
	threads   []*fThread
	videos    map[string]string // id → title
	pageSize  int               // threads per page (order=time serves ~20 whatever maxResults says)
	inline    int               // replies carried inside a thread
	units     int               // spent
	quota     int               // the project's daily units
	calls     []string          // "GET /youtube/v3/commentThreads" …
	moderated []string          // "id status ban"
	deleted   []string
	seq       int
	// auth
	refreshes  int
	revoked    bool
	dropTokens bool // the next API call finds every issued token invalid
	validFrom  int  // tokens at-N with N < validFrom are refused
	// failures: path → status and body, served once
	fail map[string][]fFail
}

type fFail struct {
	status int
	body   string
}

type fThread struct {
	id, video string
	top       fComment
	replies   []fComment
}

type fComment struct {
	ID, Parent, AuthorID, Author, Text string
	Published, Updated                 time.Time
}

func newFake(t testing.TB) *fakeYouTube {
	f := &fakeYouTube{t: t, channel: "UCbrand", videos: map[string]string{}, pageSize: 2, inline: 2, quota: 10000,
		fail: map[string][]fFail{}}
	f.srv = httptest.NewServer(f)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeYouTube) addThread(id, video string, at time.Time, author, text string) *fThread {
	f.mu.Lock()
	defer f.mu.Unlock()
	th := &fThread{id: id, video: video, top: fComment{ID: id, AuthorID: "UC" + author, Author: "@" + author, Text: text, Published: at, Updated: at}}
	f.threads = append(f.threads, th)
	if _, ok := f.videos[video]; !ok && video != "" {
		f.videos[video] = "Video " + video
	}
	return th
}

func (f *fakeYouTube) addReply(th *fThread, at time.Time, authorID, author, text string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seq++
	id := fmt.Sprintf("%s.r%d", th.id, f.seq)
	th.replies = append(th.replies, fComment{ID: id, Parent: th.id, AuthorID: authorID, Author: author, Text: text, Published: at, Updated: at})
	return id
}

func (f *fakeYouTube) failNext(path string, status int, body string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail[path] = append(f.fail[path], fFail{status, body})
}

func (f *fakeYouTube) count(prefix string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		if strings.HasPrefix(c, prefix) {
			n++
		}
	}
	return n
}

func googleError(code int, reason, domain, msg string) string {
	b, _ := json.Marshal(map[string]any{"error": map[string]any{"code": code, "message": msg,
		"errors": []any{map[string]any{"message": msg, "domain": domain, "reason": reason}}}})
	return string(b)
}

func (f *fakeYouTube) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	if r.URL.Path == "/token" {
		f.token(w, r)
		return
	}
	f.calls = append(f.calls, r.Method+" "+r.URL.Path)
	tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer at-")
	n, err := strconv.Atoi(tok)
	if f.dropTokens {
		f.dropTokens, f.validFrom = false, f.refreshes+1
	}
	if err != nil || n < f.validFrom || n > f.refreshes {
		w.WriteHeader(401)
		io.WriteString(w, googleError(401, "authError", "global", "Request had invalid authentication credentials. Expected OAuth 2 access token."))
		return
	}
	if fs := f.fail[r.URL.Path]; len(fs) > 0 {
		f.fail[r.URL.Path] = fs[1:]
		f.units++
		w.WriteHeader(fs[0].status)
		io.WriteString(w, fs[0].body)
		return
	}
	cost := 1
	if r.Method != "GET" {
		cost = 50
	}
	if f.units+cost > f.quota {
		w.WriteHeader(403)
		io.WriteString(w, googleError(403, "quotaExceeded", "youtube.quota", "The request cannot be completed because you have exceeded your <a href=\"/youtube/v3/getting-started#quota\">quota</a>."))
		return
	}
	f.units += cost
	q := r.URL.Query()
	switch r.Method + " " + r.URL.Path {
	case "GET /youtube/v3/commentThreads":
		if q.Get("allThreadsRelatedToChannelId") != f.channel || q.Get("order") != "time" || !strings.Contains(q.Get("part"), "snippet") {
			w.WriteHeader(400)
			io.WriteString(w, googleError(400, "invalidParameter", "youtube.parameter", "bad filter"))
			return
		}
		ths := append([]*fThread{}, f.threads...)
		sort.SliceStable(ths, func(i, j int) bool { return ths[i].top.Published.After(ths[j].top.Published) })
		start, _ := strconv.Atoi(strings.TrimPrefix(q.Get("pageToken"), "QURTSl9p"))
		end := min(start+f.pageSize, len(ths))
		items := []any{}
		for _, th := range ths[start:end] {
			items = append(items, f.threadJSON(th))
		}
		out := map[string]any{"kind": "youtube#commentThreadListResponse", "etag": "e1",
			"pageInfo": map[string]any{"totalResults": len(items), "resultsPerPage": f.pageSize}, "items": items}
		if end < len(ths) {
			out["nextPageToken"] = "QURTSl9p" + strconv.Itoa(end)
		}
		json.NewEncoder(w).Encode(out)
	case "GET /youtube/v3/comments":
		items := []any{}
		if id := q.Get("id"); id != "" {
			for _, th := range f.threads {
				for _, c := range append([]fComment{th.top}, th.replies...) {
					if c.ID == id {
						items = append(items, f.commentJSON(c, th.video))
					}
				}
			}
			json.NewEncoder(w).Encode(map[string]any{"kind": "youtube#commentListResponse", "items": items})
			return
		}
		th := f.find(q.Get("parentId"))
		if th == nil {
			w.WriteHeader(404)
			io.WriteString(w, googleError(404, "commentNotFound", "youtube.comment", "The comment identified by the request's parentId parameter could not be found."))
			return
		}
		start, _ := strconv.Atoi(q.Get("pageToken"))
		size := 3 // small pages, to exercise paging
		end := min(start+size, len(th.replies))
		for _, c := range th.replies[start:end] {
			items = append(items, f.commentJSON(c, th.video))
		}
		out := map[string]any{"kind": "youtube#commentListResponse", "items": items}
		if end < len(th.replies) {
			out["nextPageToken"] = strconv.Itoa(end)
		}
		json.NewEncoder(w).Encode(out)
	case "POST /youtube/v3/comments":
		var in struct {
			Snippet struct{ ParentId, TextOriginal string } `json:"snippet"`
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Snippet.TextOriginal == "" {
			w.WriteHeader(400)
			io.WriteString(w, googleError(400, "invalidCommentMetadata", "youtube.comment", "The request metadata is invalid."))
			return
		}
		th := f.find(in.Snippet.ParentId)
		if th == nil {
			w.WriteHeader(404)
			io.WriteString(w, googleError(404, "parentCommentNotFound", "youtube.comment", "The parent comment could not be found."))
			return
		}
		f.seq++
		c := fComment{ID: fmt.Sprintf("%s.r%d", th.id, f.seq), Parent: th.id, AuthorID: f.channel, Author: "@brand",
			Text: in.Snippet.TextOriginal, Published: time.Now().UTC(), Updated: time.Now().UTC()}
		th.replies = append(th.replies, c)
		json.NewEncoder(w).Encode(f.commentJSON(c, th.video))
	case "POST /youtube/v3/comments/setModerationStatus":
		st, ban := q.Get("moderationStatus"), q.Get("banAuthor") == "true"
		if ban && st != "rejected" {
			w.WriteHeader(400)
			io.WriteString(w, googleError(400, "banWithoutReject", "youtube.comment", "banAuthor can only be used with rejected."))
			return
		}
		f.moderated = append(f.moderated, fmt.Sprintf("%s %s %v", q.Get("id"), st, ban))
		w.WriteHeader(204)
	case "DELETE /youtube/v3/comments":
		id := q.Get("id")
		for _, th := range f.threads {
			for i, c := range th.replies {
				if c.ID == id && c.AuthorID == f.channel {
					th.replies = append(th.replies[:i], th.replies[i+1:]...)
					f.deleted = append(f.deleted, id)
					w.WriteHeader(204)
					return
				}
			}
		}
		w.WriteHeader(403)
		io.WriteString(w, googleError(403, "forbidden", "youtube.comment", "The comment could not be deleted."))
	case "GET /youtube/v3/videos":
		items := []any{}
		for _, id := range strings.Split(q.Get("id"), ",") {
			if title, ok := f.videos[id]; ok {
				items = append(items, map[string]any{"kind": "youtube#video", "etag": "v", "id": id, "snippet": map[string]any{
					"publishedAt": "2025-02-01T10:00:00Z", "channelId": f.channel, "title": title, "channelTitle": "Brand"}})
			}
		}
		json.NewEncoder(w).Encode(map[string]any{"kind": "youtube#videoListResponse", "items": items})
	case "GET /youtube/v3/channels":
		json.NewEncoder(w).Encode(map[string]any{"kind": "youtube#channelListResponse", "items": []any{
			map[string]any{"kind": "youtube#channel", "id": f.channel, "snippet": map[string]any{"title": "Brand", "customUrl": "@brand"}}}})
	default:
		w.WriteHeader(404)
		io.WriteString(w, googleError(404, "notFound", "global", "Not Found"))
	}
}

func (f *fakeYouTube) token(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	if f.revoked || r.Form.Get("refresh_token") != "rt-1" {
		w.WriteHeader(400)
		io.WriteString(w, `{"error":"invalid_grant","error_description":"Token has been expired or revoked."}`)
		return
	}
	f.refreshes++
	fmt.Fprintf(w, `{"access_token":"at-%d","expires_in":3599,"scope":"https://www.googleapis.com/auth/youtube.force-ssl","token_type":"Bearer"}`, f.refreshes)
}

func (f *fakeYouTube) find(id string) *fThread {
	for _, th := range f.threads {
		if th.id == id {
			return th
		}
	}
	return nil
}

func (f *fakeYouTube) threadJSON(th *fThread) map[string]any {
	replies := []any{}
	for i, c := range th.replies {
		if i >= f.inline {
			break
		}
		replies = append(replies, f.commentJSON(c, th.video))
	}
	out := map[string]any{"kind": "youtube#commentThread", "etag": "t", "id": th.id,
		"snippet": map[string]any{"channelId": f.channel, "videoId": th.video, "canReply": true, "isPublic": true,
			"totalReplyCount": len(th.replies), "topLevelComment": f.commentJSON(th.top, th.video)}}
	if len(replies) > 0 {
		out["replies"] = map[string]any{"comments": replies}
	}
	return out
}

func (f *fakeYouTube) commentJSON(c fComment, video string) map[string]any {
	s := map[string]any{"channelId": f.channel, "videoId": video, "textDisplay": c.Text, "textOriginal": c.Text,
		"authorDisplayName": c.Author, "authorProfileImageUrl": "https://yt3.ggpht.com/a",
		"authorChannelUrl": "http://www.youtube.com/" + c.Author, "authorChannelId": map[string]any{"value": c.AuthorID},
		"canRate": true, "viewerRating": "none", "likeCount": 0,
		"publishedAt": c.Published.UTC().Format(time.RFC3339), "updatedAt": c.Updated.UTC().Format(time.RFC3339)}
	if c.Parent != "" {
		s["parentId"] = c.Parent
	}
	return map[string]any{"kind": "youtube#comment", "etag": "c", "id": c.ID, "snippet": s}
}
