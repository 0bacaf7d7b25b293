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
	err := runConnect([]string{"facebook", "--base-url", srv.URL, "--instagram"}, strings.NewReader("user-tok\n2\n"), &out)
	if err != nil {
		t.Fatalf("connect: %v\n%s", err, out.String())
	}
	s := out.String()
	if !strings.Contains(s, "missing permission pages_messaging: answering Messenger conversations and private replies will not work") ||
		!strings.Contains(s, `Connected "Acme Outlet (Facebook)"`) || !strings.Contains(s, `"@acme.outlet (Instagram)"`) {
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
	err = runConnect([]string{"facebook", "--base-url", srv.URL}, strings.NewReader("nope\n"), &out)
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
	if err := runConnect([]string{"instagram", "--base-url", srv.URL}, strings.NewReader("ig-tok\n"), &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	cfg, _ := os.ReadFile(filepath.Join(home, "cfg", "parley", "config.toml"))
	if !strings.Contains(string(cfg), `ig_user_id = "17841400"`) || !strings.Contains(string(cfg), "instagram_login = true") {
		t.Fatalf("config:\n%s", cfg)
	}
	if err := runConnect([]string{"instagram", "--base-url", srv.URL}, strings.NewReader("bad\n"), &out); err == nil || !strings.Contains(err.Error(), "190") {
		t.Fatalf("bad token: %v", err)
	}
}

// Connecting a Page the config already has replaces its token where it
// stands: its label, options and the rest of the file stay, no second table.
func TestConnectReauthorisesInPlace(t *testing.T) {
	home := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "cfg"))
	t.Setenv("XDG_DATA_HOME", filepath.Join(home, "data"))
	srv := miniGraph(t)
	cfgPath := filepath.Join(home, "cfg", "parley", "config.toml")
	os.MkdirAll(filepath.Dir(cfgPath), 0o700)
	before := `user = "ann" # me

[[account]]
network = "facebook"
label = "Outlet"
[account.options]
page_id = "222"
poll_interval = "2m"
token_env = "OLD_PAGE_TOKEN"

[[account]]
network = "demo-vk"
label = "Demo"

[serve]
listen = ":2222" # keep
`
	os.WriteFile(cfgPath, []byte(before), 0o600)
	var out bytes.Buffer
	if err := runConnect([]string{"facebook", "--base-url", srv.URL, "--page", "222"}, strings.NewReader("user-tok\n"), &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), `Re-authorised "Outlet"`) {
		t.Fatalf("output:\n%s", out.String())
	}
	b, _ := os.ReadFile(cfgPath)
	cfg := string(b)
	secret := filepath.Join(home, "cfg", "parley", "secrets", "facebook-222.token")
	for _, want := range []string{"user = \"ann\" # me\n", `label = "Outlet"`, `poll_interval = "2m"`, `token_file = "` + secret + `"`,
		"[[account]]\nnetwork = \"demo-vk\"\nlabel = \"Demo\"\n", "listen = \":2222\" # keep\n"} {
		if !strings.Contains(cfg, want) {
			t.Errorf("config lacks %q:\n%s", want, cfg)
		}
	}
	if strings.Count(cfg, "[[account]]") != 2 || strings.Contains(cfg, "OLD_PAGE_TOKEN") {
		t.Fatalf("config after re-auth:\n%s", cfg)
	}
	if tok, _ := os.ReadFile(secret); strings.TrimSpace(string(tok)) != "page-tok-222" {
		t.Fatalf("secret: %q", tok)
	}
	loaded, err := loadConfig(cfgPath, true, defaultPaths())
	if err != nil || len(loaded.Accounts) != 2 || loaded.Accounts[0].Label != "Outlet" {
		t.Fatalf("re-read: %v %+v", err, loaded)
	}
	// Again: the secret is replaced, the config is not touched.
	out.Reset()
	if err := runConnect([]string{"facebook", "--base-url", srv.URL, "--page", "222"}, strings.NewReader("user-tok\n"), &out); err != nil {
		t.Fatal(err)
	}
	if again, _ := os.ReadFile(cfgPath); string(again) != cfg {
		t.Fatalf("second re-auth changed the config:\n%s", again)
	}
}
