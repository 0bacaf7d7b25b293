package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// miniGraph answers what connect facebook asks, like the Graph API.
func miniGraph(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		auth := r.Header.Get("Authorization")
		switch {
		case r.URL.Path == "/v25.0/me/permissions" && auth == "Bearer user-tok":
			json.NewEncoder(w).Encode(map[string]any{"data": []map[string]string{
				{"permission": "pages_read_engagement", "status": "granted"},
				{"permission": "pages_manage_engagement", "status": "granted"},
				{"permission": "pages_messaging", "status": "declined"},
				{"permission": "pages_manage_metadata", "status": "granted"},
				{"permission": "pages_read_user_content", "status": "granted"},
				{"permission": "instagram_basic", "status": "granted"},
				{"permission": "instagram_manage_comments", "status": "granted"},
				{"permission": "instagram_manage_messages", "status": "granted"}}})
		case r.URL.Path == "/v25.0/me/accounts" && auth == "Bearer user-tok":
			json.NewEncoder(w).Encode(map[string]any{"data": []map[string]string{
				{"id": "111", "name": "Acme Store", "access_token": "page-tok-111"},
				{"id": "222", "name": "Acme Outlet", "access_token": "page-tok-222"}}})
		case r.URL.Path == "/v25.0/222" && auth == "Bearer page-tok-222":
			json.NewEncoder(w).Encode(map[string]any{"instagram_business_account": map[string]string{"id": "1784", "username": "acme.outlet"}})
		default:
			w.WriteHeader(400)
			json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": "Invalid OAuth access token", "code": 190, "fbtrace_id": "X1"}})
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestConnectFacebookPicksPageChecksPermissions(t *testing.T) {
	home := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "cfg"))
	t.Setenv("XDG_DATA_HOME", filepath.Join(home, "data"))
	srv := miniGraph(t)
	var out bytes.Buffer
	err := runConnectFacebook([]string{"--base-url", srv.URL, "--instagram"}, strings.NewReader("user-tok\n2\n"), &out)
	if err != nil {
		t.Fatalf("connect: %v\n%s", err, out.String())
	}
	s := out.String()
	if !strings.Contains(s, "missing permission pages_messaging: answering Messenger conversations and private replies will not work") ||
		!strings.Contains(s, `Connected the Page "Acme Outlet"`) || !strings.Contains(s, `"@acme.outlet (Instagram)"`) {
		t.Fatalf("output:\n%s", s)
	}
	if strings.Contains(s, "page-tok") || strings.Contains(s, "user-tok") {
		t.Fatal("a token was printed")
	}
	cfg, _ := os.ReadFile(filepath.Join(home, "cfg", "parley", "config.toml"))
	if !strings.Contains(string(cfg), `page_id = "222"`) || !strings.Contains(string(cfg), `ig_user_id = "1784"`) {
		t.Fatalf("config:\n%s", cfg)
	}
	tok, err := os.ReadFile(filepath.Join(home, "cfg", "parley", "secrets", "facebook-222.token"))
	st, _ := os.Stat(filepath.Join(home, "cfg", "parley", "secrets", "facebook-222.token"))
	if err != nil || strings.TrimSpace(string(tok)) != "page-tok-222" || st.Mode().Perm() != 0o600 {
		t.Fatalf("page token file: %q %v %v", tok, st.Mode(), err)
	}
	// A bad token is refused with Graph's reason.
	err = runConnectFacebook([]string{"--base-url", srv.URL}, strings.NewReader("nope\n"), &out)
	if err == nil || !strings.Contains(err.Error(), "190") {
		t.Fatalf("bad token: %v", err)
	}
}

func TestConnectInstagramLogin(t *testing.T) {
	home := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "cfg"))
	t.Setenv("XDG_DATA_HOME", filepath.Join(home, "data"))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/v25.0/me" && r.Header.Get("Authorization") == "Bearer ig-tok" {
			json.NewEncoder(w).Encode(map[string]string{"id": "17841", "user_id": "17841400", "username": "acme.store"})
			return
		}
		w.WriteHeader(400)
		json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": "Invalid OAuth access token", "code": 190}})
	}))
	defer srv.Close()
	var out bytes.Buffer
	if err := runConnectInstagram([]string{"--base-url", srv.URL}, strings.NewReader("ig-tok\n"), &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	cfg, _ := os.ReadFile(filepath.Join(home, "cfg", "parley", "config.toml"))
	if !strings.Contains(string(cfg), `ig_user_id = "17841400"`) || !strings.Contains(string(cfg), "instagram_login = true") {
		t.Fatalf("config:\n%s", cfg)
	}
	if err := runConnectInstagram([]string{"--base-url", srv.URL}, strings.NewReader("bad\n"), &out); err == nil || !strings.Contains(err.Error(), "190") {
		t.Fatalf("bad token: %v", err)
	}
}
