package googlereviews

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

// fakeGBP is the Business Profile v4 reviews API as documented
// (network-apis.md §5, network-apis-2.md §4): reviews newest change first,
// pageSize ≤ 50, nextPageToken left out on the last page, PUT …/reply to
// create or overwrite an answer, DELETE …/reply, Google error bodies with
// a status and details, and Google's token endpoint.
type fakeGBP struct {
	srv *httptest.Server

	mu        sync
	reviews   map[string][]*fReview // location → reviews
	pageSize  int
	calls     []string
	refreshes int
	revoked   bool
	fail      []fFail // served once each, in order, to the next API calls
}

type sync = gosync.Mutex

type fFail struct {
	status int
	body   string
	header map[string]string
}

type fReview struct {
	Review
}

func newFake(t testing.TB) *fakeGBP {
	f := &fakeGBP{reviews: map[string][]*fReview{}, pageSize: 2}
	f.srv = httptest.NewServer(f)
	t.Cleanup(f.srv.Close)
	return f
}

func ts(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000000Z") }

func (f *fakeGBP) add(loc, id, name, stars, comment string, at time.Time) *fReview {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := &fReview{}
	r.Name = "accounts/1234/" + loc + "/reviews/" + id
	r.ReviewID = id
	r.Reviewer.DisplayName = name
	r.Reviewer.ProfilePhotoURL = "https://lh3.googleusercontent.com/a"
	r.StarRating, r.Comment, r.CreateTime, r.UpdateTime = stars, comment, ts(at), ts(at)
	f.reviews[loc] = append(f.reviews[loc], r)
	return r
}

func (f *fakeGBP) edit(r *fReview, stars, comment string, at time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r.StarRating, r.Comment, r.UpdateTime = stars, comment, ts(at)
}

func (f *fakeGBP) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	if r.URL.Path == "/token" {
		r.ParseForm()
		if f.revoked || r.Form.Get("refresh_token") != "rt-1" {
			w.WriteHeader(400)
			io.WriteString(w, `{"error":"invalid_grant","error_description":"Token has been expired or revoked."}`)
			return
		}
		f.refreshes++
		fmt.Fprintf(w, `{"access_token":"at-%d","expires_in":3599,"token_type":"Bearer"}`, f.refreshes)
		return
	}
	f.calls = append(f.calls, r.Method+" "+r.URL.RequestURI())
	if r.Header.Get("Authorization") != "Bearer at-"+strconv.Itoa(f.refreshes) {
		w.WriteHeader(401)
		io.WriteString(w, `{"error":{"code":401,"message":"Request had invalid authentication credentials.","status":"UNAUTHENTICATED"}}`)
		return
	}
	if len(f.fail) > 0 {
		fl := f.fail[0]
		f.fail = f.fail[1:]
		for k, v := range fl.header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(fl.status)
		io.WriteString(w, fl.body)
		return
	}
	p := strings.TrimPrefix(r.URL.Path, "/v4/accounts/1234/")
	parts := strings.Split(p, "/") // locations/L/reviews[/ID/reply]
	if len(parts) < 3 || parts[0] != "locations" || parts[2] != "reviews" {
		notFound(w)
		return
	}
	loc := "locations/" + parts[1]
	rs, ok := f.reviews[loc]
	if !ok {
		notFound(w)
		return
	}
	if len(parts) == 3 && r.Method == "GET" {
		q := r.URL.Query()
		if q.Get("orderBy") != "updateTime desc" {
			w.WriteHeader(400)
			io.WriteString(w, `{"error":{"code":400,"message":"Invalid orderBy.","status":"INVALID_ARGUMENT"}}`)
			return
		}
		size, _ := strconv.Atoi(q.Get("pageSize"))
		if size < 1 || size > 50 {
			size = 50
		}
		size = min(size, f.pageSize)
		sorted := append([]*fReview{}, rs...)
		sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].UpdateTime > sorted[j].UpdateTime })
		start, _ := strconv.Atoi(q.Get("pageToken"))
		end := min(start+size, len(sorted))
		out := map[string]any{}
		if len(sorted) > 0 {
			list := []Review{}
			for _, x := range sorted[start:end] {
				list = append(list, x.Review)
			}
			out["reviews"], out["averageRating"], out["totalReviewCount"] = list, 4.3, len(sorted)
		}
		if end < len(sorted) {
			out["nextPageToken"] = strconv.Itoa(end)
		}
		json.NewEncoder(w).Encode(out)
		return
	}
	if len(parts) == 5 && parts[4] == "reply" {
		var target *fReview
		for _, x := range rs {
			if x.ReviewID == parts[3] {
				target = x
			}
		}
		if target == nil {
			notFound(w)
			return
		}
		switch r.Method {
		case "PUT":
			var in struct {
				Comment string `json:"comment"`
			}
			if json.NewDecoder(r.Body).Decode(&in) != nil || in.Comment == "" || len(in.Comment) > 4096 {
				w.WriteHeader(400)
				io.WriteString(w, `{"error":{"code":400,"message":"Request contains an invalid argument.","status":"INVALID_ARGUMENT"}}`)
				return
			}
			now := ts(time.Now())
			target.ReviewReply = &struct {
				Comment    string `json:"comment"`
				UpdateTime string `json:"updateTime"`
			}{in.Comment, now}
			json.NewEncoder(w).Encode(map[string]string{"comment": in.Comment, "updateTime": now})
		case "DELETE":
			target.ReviewReply = nil
			io.WriteString(w, "{}")
		}
		return
	}
	notFound(w)
}

func notFound(w http.ResponseWriter) {
	w.WriteHeader(404)
	io.WriteString(w, `{"error":{"code":404,"message":"Requested entity was not found.","status":"NOT_FOUND"}}`)
}
