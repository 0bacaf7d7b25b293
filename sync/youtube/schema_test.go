package youtube

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	yt "google.golang.org/api/youtube/v3"
)

// discovery loads the Data API's discovery document shipped with the
// generated client, from the module cache.
func discovery(t *testing.T) map[string]any {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "google.golang.org/api").Output()
	if err != nil {
		t.Skipf("no module directory for google.golang.org/api: %v", err)
	}
	b, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "youtube", "v3", "youtube-api.json"))
	if err != nil {
		t.Skipf("no discovery document: %v", err)
	}
	var d map[string]any
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	return d["schemas"].(map[string]any)
}

// conform reports every field of v that the schema does not have.
func conform(t *testing.T, schemas map[string]any, name, path string, v any) {
	s, ok := schemas[name].(map[string]any)
	if !ok {
		t.Errorf("%s: no schema %s", path, name)
		return
	}
	props, _ := s["properties"].(map[string]any)
	obj, ok := v.(map[string]any)
	if !ok {
		t.Errorf("%s: %T where %s is an object", path, v, name)
		return
	}
	for k, val := range obj {
		p, ok := props[k].(map[string]any)
		if !ok {
			t.Errorf("%s.%s: not a field of %s", path, k, name)
			continue
		}
		if ref, ok := p["$ref"].(string); ok {
			conform(t, schemas, ref, path+"."+k, val)
		}
		if items, ok := p["items"].(map[string]any); ok {
			if ref, ok := items["$ref"].(string); ok {
				for _, it := range val.([]any) {
					conform(t, schemas, ref, path+"."+k+"[]", it)
				}
			}
		}
	}
}

func TestFakeSpeaksTheDiscoveryDocument(t *testing.T) {
	schemas := discovery(t)
	f := newFake(t)
	th := f.addThread("Ugz1", "vid1", time.Now(), "maria", "hi")
	f.addReply(th, time.Now(), "UCx", "@x", "a")
	f.addReply(th, time.Now(), "UCx", "@x", "b")
	f.addReply(th, time.Now(), "UCx", "@x", "c")
	f.refreshes = 1
	for _, tc := range []struct{ method, target, body, schema string }{
		{"GET", "/youtube/v3/commentThreads?part=snippet,replies&allThreadsRelatedToChannelId=UCbrand&order=time", "", "CommentThreadListResponse"},
		{"GET", "/youtube/v3/comments?part=snippet&parentId=Ugz1", "", "CommentListResponse"},
		{"GET", "/youtube/v3/videos?part=snippet&id=vid1", "", "VideoListResponse"},
		{"GET", "/youtube/v3/channels?part=snippet&mine=true", "", "ChannelListResponse"},
		{"POST", "/youtube/v3/comments?part=snippet", `{"snippet":{"parentId":"Ugz1","textOriginal":"thanks"}}`, "Comment"},
		{"GET", "/youtube/v3/nothing", "", "ErrorBody"},
	} {
		req := httptest.NewRequest(tc.method, tc.target, strings.NewReader(tc.body))
		req.Header.Set("Authorization", "Bearer at-1")
		rec := httptest.NewRecorder()
		f.ServeHTTP(rec, req)
		var v map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
			t.Fatalf("%s: %v", tc.target, err)
		}
		if tc.schema == "ErrorBody" {
			// Google's error shape, as googleapi.CheckResponse reads it.
			e := v["error"].(map[string]any)
			if e["code"] == nil || e["message"] == nil || len(e["errors"].([]any)) == 0 {
				t.Errorf("error body %v", v)
			}
			continue
		}
		conform(t, schemas, tc.schema, tc.target, v)
	}
	// The generated types read what the fake writes.
	var res yt.CommentThreadListResponse
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/youtube/v3/commentThreads?part=snippet&allThreadsRelatedToChannelId=UCbrand&order=time", nil)
	req.Header.Set("Authorization", "Bearer at-1")
	f.ServeHTTP(rec, req)
	if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil || len(res.Items) != 1 || res.Items[0].Snippet.TotalReplyCount != 4 { // three, and the reply posted above
		t.Fatalf("%+v %v", res, err)
	}
}
