package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// miniGoogle is Google's token endpoint and the YouTube channels.list call
// that connect youtube makes.
func miniGoogle(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		r.ParseForm()
		switch {
		case r.URL.Path == "/token" && r.Form.Get("grant_type") == "authorization_code" && r.Form.Get("code") == "4/code" &&
			r.Form.Get("client_secret") == "csecret-shh" && r.Form.Get("code_verifier") != "":
			io.WriteString(w, `{"access_token":"at-0","expires_in":3599,"refresh_token":"rt-secret","token_type":"Bearer"}`)
		case r.URL.Path == "/token" && r.Form.Get("grant_type") == "refresh_token" && r.Form.Get("refresh_token") == "rt-secret":
			io.WriteString(w, `{"access_token":"at-1","expires_in":3599,"token_type":"Bearer"}`)
		case r.URL.Path == "/token":
			w.WriteHeader(400)
			io.WriteString(w, `{"error":"invalid_grant","error_description":"Bad Request"}`)
		case r.URL.Path == "/youtube/v3/channels" && r.URL.Query().Get("mine") == "true" && r.Header.Get("Authorization") == "Bearer at-1":
			json.NewEncoder(w).Encode(map[string]any{"kind": "youtube#channelListResponse", "items": []any{
				map[string]any{"kind": "youtube#channel", "id": "UCacme", "snippet": map[string]any{"title": "Acme", "customUrl": "@acme"}}}})
		default:
			w.WriteHeader(401)
			io.WriteString(w, `{"error":{"code":401,"message":"Request had invalid authentication credentials.","errors":[{"reason":"authError"}]}}`)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestConnectYouTubeSignsInAndShowsQuota(t *testing.T) {
	home := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "cfg"))
	t.Setenv("XDG_DATA_HOME", filepath.Join(home, "data"))
	srv := miniGoogle(t)
	var out bytes.Buffer
	// Over SSH: the browser's last page does not load; the code is pasted.
	err := runConnect([]string{"youtube", "--base-url", srv.URL, "--token-url", srv.URL + "/token", "--auth-url", srv.URL + "/auth"},
		strings.NewReader("cid-1.apps.googleusercontent.com\ncsecret-shh\n4/code\n"), &out)
	if err != nil {
		t.Fatalf("connect: %v\n%s", err, out.String())
	}
	s := out.String()
	if !strings.Contains(s, srv.URL+"/auth?") || !strings.Contains(s, `Connected "Acme (YouTube)"`) {
		t.Fatalf("output:\n%s", s)
	}
	if strings.Contains(s, "rt-secret") || strings.Contains(s, "csecret-shh") {
		t.Fatal("a secret was printed")
	}
	cfg, _ := os.ReadFile(filepath.Join(home, "cfg", "parley", "config.toml"))
	for _, want := range []string{`network = "youtube"`, `channel_id = "UCacme"`, `client_id = "cid-1.apps.googleusercontent.com"`, "client_secret_file", "token_file"} {
		if !strings.Contains(string(cfg), want) {
			t.Fatalf("config lacks %s:\n%s", want, cfg)
		}
	}
	for name, want := range map[string]string{"youtube-UCacme.token": "rt-secret", "google-client-cid-1.apps.googleusercontent.com.secret": "csecret-shh"} {
		p := filepath.Join(home, "cfg", "parley", "secrets", name)
		b, err := os.ReadFile(p)
		st, _ := os.Stat(p)
		if err != nil || strings.TrimSpace(string(b)) != want || st.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v", name, err)
		}
	}
	out.Reset()
	if err := run([]string{"accounts"}, &out, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "QUOTA") || !strings.Contains(out.String(), "10,000 left today") {
		t.Fatalf("accounts:\n%s", out.String())
	}
	// A code Google refuses is said plainly.
	err = runConnect([]string{"youtube", "--base-url", srv.URL, "--token-url", srv.URL + "/token", "--auth-url", srv.URL + "/auth",
		"--client-id", "cid-1.apps.googleusercontent.com"}, strings.NewReader("csecret-shh\n4/wrong\n"), &out)
	if err == nil || !strings.Contains(err.Error(), "refused the code") {
		t.Fatalf("bad code: %v", err)
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 7450: "7,450", 10000: "10,000", 1234567: "1,234,567"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
