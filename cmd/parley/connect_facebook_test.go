package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// proof is appsecret_proof for a token under the test app's secret.
func proof(token string) string {
	m := hmac.New(sha256.New, []byte("app-secret-shh"))
	m.Write([]byte(token))
	return hex.EncodeToString(m.Sum(nil))
}

// miniGraph answers what connect facebook asks, like the Graph API: the
// pasted token is short-lived and exchanges for a long-lived one, whose
// Page tokens never expire; every call after the exchange must carry
// appsecret_proof.
func miniGraph(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		auth := r.Header.Get("Authorization")
		q := r.URL.Query()
		if tok, ok := strings.CutPrefix(auth, "Bearer "); ok && tok != "4410001|app-secret-shh" && q.Get("appsecret_proof") != proof(tok) {
			auth = "" // Require App Secret: refused below
		}
		switch {
		case r.URL.Path == "/v25.0/oauth/access_token" && q.Get("fb_exchange_token") == "user-tok" &&
			q.Get("client_id") == "4410001" && q.Get("client_secret") == "app-secret-shh":
			json.NewEncoder(w).Encode(map[string]any{"access_token": "long-user-tok", "token_type": "bearer", "expires_in": 5183944})
		case r.URL.Path == "/v25.0/debug_token" && auth == "Bearer 4410001|app-secret-shh" && q.Get("input_token") == "page-tok-222":
			json.NewEncoder(w).Encode(map[string]any{"data": map[string]any{"type": "PAGE", "is_valid": true, "expires_at": 0}})
		case r.URL.Path == "/v25.0/me/permissions" && auth == "Bearer long-user-tok":
			json.NewEncoder(w).Encode(map[string]any{"data": []map[string]string{
				{"permission": "pages_read_engagement", "status": "granted"},
				{"permission": "pages_manage_engagement", "status": "granted"},
				{"permission": "pages_messaging", "status": "declined"},
				{"permission": "pages_manage_metadata", "status": "granted"},
				{"permission": "pages_read_user_content", "status": "granted"},
				{"permission": "instagram_basic", "status": "granted"},
				{"permission": "instagram_manage_comments", "status": "granted"},
				{"permission": "instagram_manage_messages", "status": "granted"}}})
		case r.URL.Path == "/v25.0/me/accounts" && auth == "Bearer long-user-tok":
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
	err := runConnect([]string{"facebook", "--base-url", srv.URL, "--instagram"}, strings.NewReader("user-tok\n4410001\napp-secret-shh\n2\n"), &out)
	if err != nil {
		t.Fatalf("connect: %v\n%s", err, out.String())
	}
	s := out.String()
	if !strings.Contains(s, "missing permission pages_messaging: answering Messenger conversations and private replies will not work") ||
		!strings.Contains(s, `Connected "Acme Outlet (Facebook)"`) || !strings.Contains(s, `"@acme.outlet (Instagram)"`) {
		t.Fatalf("output:\n%s", s)
	}
	if !strings.Contains(s, "The Page token does not expire.") || !strings.Contains(s, "missing permission ads_read (or ads_management)") {
		t.Fatalf("output:\n%s", s)
	}
	if strings.Contains(s, "page-tok") || strings.Contains(s, "user-tok") || strings.Contains(s, "Secret-shh") {
		t.Fatal("a token was printed")
	}
	cfg, _ := os.ReadFile(filepath.Join(home, "cfg", "parley", "config.toml"))
	if !strings.Contains(string(cfg), `page_id = "222"`) || !strings.Contains(string(cfg), `ig_user_id = "1784"`) ||
		!strings.Contains(string(cfg), `app_id = "4410001"`) || !strings.Contains(string(cfg), "app_secret_file") || strings.Contains(string(cfg), "app-secret-shh") {
		t.Fatalf("config:\n%s", cfg)
	}
	sec, err := os.ReadFile(filepath.Join(home, "cfg", "parley", "secrets", "facebook-app-4410001.secret"))
	if st, _ := os.Stat(filepath.Join(home, "cfg", "parley", "secrets", "facebook-app-4410001.secret")); err != nil ||
		strings.TrimSpace(string(sec)) != "app-secret-shh" || st.Mode().Perm() != 0o600 {
		t.Fatalf("app secret file: %v", err)
	}
	tok, err := os.ReadFile(filepath.Join(home, "cfg", "parley", "secrets", "facebook-222.token"))
	st, _ := os.Stat(filepath.Join(home, "cfg", "parley", "secrets", "facebook-222.token"))
	if err != nil || strings.TrimSpace(string(tok)) != "page-tok-222" || st.Mode().Perm() != 0o600 {
		t.Fatalf("page token file: %q %v %v", tok, st.Mode(), err)
	}
	// A bad token is refused with Graph's reason, and so is a wrong secret.
	err = runConnect([]string{"facebook", "--base-url", srv.URL, "--app-id", "4410001"}, strings.NewReader("nope\napp-secret-shh\n"), &out)
	if err == nil || !strings.Contains(err.Error(), "190") {
		t.Fatalf("bad token: %v", err)
	}
	err = runConnect([]string{"facebook", "--base-url", srv.URL, "--app-id", "4410001"}, strings.NewReader("user-tok\nwrong\n"), &out)
	if err == nil || !strings.Contains(err.Error(), "long-lived") || strings.Contains(err.Error(), "wrong") {
		t.Fatalf("bad secret: %v", err)
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
		if q := r.URL.Query(); r.URL.Path == "/access_token" && q.Get("grant_type") == "ig_exchange_token" &&
			q.Get("client_secret") == "ig-secret" && q.Get("access_token") == "ig-tok" {
			json.NewEncoder(w).Encode(map[string]any{"access_token": "ig-long-tok", "token_type": "bearer", "expires_in": 5184000})
			return
		}
		w.WriteHeader(400)
		json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": "Invalid OAuth access token", "code": 190}})
	}))
	defer srv.Close()
	var out bytes.Buffer
	if err := runConnect([]string{"instagram", "--base-url", srv.URL}, strings.NewReader("ig-tok\nig-secret\n"), &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	// The one-hour login token was exchanged for a 60-day one, and that is kept.
	kept, _ := os.ReadFile(filepath.Join(home, "cfg", "parley", "secrets", "instagram-17841400.token"))
	if strings.TrimSpace(string(kept)) != "ig-long-tok" || !strings.Contains(out.String(), "exchanged for a 60-day token") {
		t.Fatalf("kept %q; output:\n%s", kept, out.String())
	}
	cfg, _ := os.ReadFile(filepath.Join(home, "cfg", "parley", "config.toml"))
	if !strings.Contains(string(cfg), `ig_user_id = "17841400"`) || !strings.Contains(string(cfg), "instagram_login = true") {
		t.Fatalf("config:\n%s", cfg)
	}
	if err := runConnect([]string{"instagram", "--base-url", srv.URL}, strings.NewReader("bad\n"), &out); err == nil || !strings.Contains(err.Error(), "190") {
		t.Fatalf("bad token: %v", err)
	}
}

// parley accounts shows when each Facebook token expires (/debug_token,
// asked as the app) and warns days ahead.
func TestAccountsShowTokenExpiry(t *testing.T) {
	expiresAt := int64(0)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/v25.0/debug_token" && r.Header.Get("Authorization") == "Bearer 4410001|app-secret-shh" &&
			r.URL.Query().Get("input_token") == "page-tok" {
			json.NewEncoder(w).Encode(map[string]any{"data": map[string]any{"type": "PAGE", "is_valid": true, "expires_at": expiresAt}})
			return
		}
		w.WriteHeader(400)
		json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": "Invalid OAuth access token", "code": 190}})
	}))
	defer srv.Close()
	dir := t.TempDir()
	tok, sec := filepath.Join(dir, "page.token"), filepath.Join(dir, "app.secret")
	os.WriteFile(tok, []byte("page-tok\n"), 0o600)
	os.WriteFile(sec, []byte("app-secret-shh\n"), 0o600)
	a := AccountConfig{Network: "facebook", Label: "Acme", Options: map[string]any{"page_id": "222", "base_url": srv.URL,
		"token_file": tok, "app_id": "4410001", "app_secret_file": sec}}
	now := time.Now()
	if got := tokenExpiry(a, now); got != "never expires" {
		t.Fatalf("non-expiring Page token: %q", got)
	}
	expiresAt = now.Add(3*24*time.Hour - time.Hour).Unix()
	if got := tokenExpiry(a, now); !strings.HasPrefix(got, "! expires in 3 days") || !strings.Contains(got, "parley connect") {
		t.Fatalf("soon: %q", got)
	}
	expiresAt = now.Add(40 * 24 * time.Hour).Unix()
	if got := tokenExpiry(a, now); !strings.HasPrefix(got, "expires ") {
		t.Fatalf("later: %q", got)
	}
	os.WriteFile(tok, []byte("revoked\n"), 0o600)
	if got := tokenExpiry(a, now); !strings.Contains(got, "unknown") || strings.Contains(got, "revoked") || strings.Contains(got, "shh") {
		t.Fatalf("bad token: %q", got)
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
	if err := runConnect([]string{"facebook", "--base-url", srv.URL, "--page", "222", "--app-id", "4410001"}, strings.NewReader("user-tok\napp-secret-shh\n"), &out); err != nil {
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
	if err := runConnect([]string{"facebook", "--base-url", srv.URL, "--page", "222", "--app-id", "4410001"}, strings.NewReader("user-tok\napp-secret-shh\n"), &out); err != nil {
		t.Fatal(err)
	}
	if again, _ := os.ReadFile(cfgPath); string(again) != cfg {
		t.Fatalf("second re-auth changed the config:\n%s", again)
	}
}
