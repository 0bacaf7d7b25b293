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

// miniMastodon answers the calls connect and a first sync make.
func miniMastodon(t *testing.T, token string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		r.ParseForm()
		switch r.URL.Path {
		case "/api/v1/apps":
			json.NewEncoder(w).Encode(map[string]any{"id": "1", "client_id": "cid", "client_secret": "cs"})
			return
		case "/oauth/token":
			if r.Form.Get("code") != "good-code" {
				w.WriteHeader(400)
				json.NewEncoder(w).Encode(map[string]string{"error": "invalid_grant"})
				return
			}
			json.NewEncoder(w).Encode(map[string]any{"access_token": token, "token_type": "Bearer"})
			return
		}
		if r.Header.Get("Authorization") != "Bearer "+token {
			w.WriteHeader(401)
			json.NewEncoder(w).Encode(map[string]string{"error": "The access token is invalid"})
			return
		}
		switch r.URL.Path {
		case "/api/v1/accounts/verify_credentials":
			json.NewEncoder(w).Encode(map[string]any{"id": "1", "username": "acme", "acct": "acme"})
		case "/api/v1/notifications":
			if r.URL.Query().Get("min_id") != "" || r.URL.Query().Get("max_id") != "" {
				w.Write([]byte("[]"))
				return
			}
			w.Write([]byte(`[{"id":"10","type":"mention","created_at":"2099-01-01T00:00:00.000Z","account":{"id":"2","acct":"zoe@x.example"},
				"status":{"id":"11","created_at":"2099-01-01T00:00:00.000Z","visibility":"direct","content":"<p>@acme hi</p>",
				"account":{"id":"2","acct":"zoe@x.example","display_name":"Zoe"},"mentions":[{"id":"1","acct":"acme"}]}}]`))
		default:
			w.WriteHeader(404)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestConnectSyncListRemove(t *testing.T) {
	home := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "cfg"))
	t.Setenv("XDG_DATA_HOME", filepath.Join(home, "data"))
	const token = "tok-ABCDEF-123456"
	srv := miniMastodon(t, token)
	cfgPath := filepath.Join(home, "cfg", "parley", "config.toml")
	os.MkdirAll(filepath.Dir(cfgPath), 0o700)
	os.WriteFile(cfgPath, []byte("user = \"ann\" # me\n\n[serve]\nlisten = \":2222\"\n"), 0o600)

	var out bytes.Buffer
	err := runConnect([]string{"mastodon", srv.URL}, strings.NewReader("good-code\n"), &out)
	if err != nil {
		t.Fatalf("connect: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "/oauth/authorize?") || !strings.Contains(out.String(), `Connected "@acme@127.0.0.1`) {
		t.Fatalf("connect output:\n%s", out.String())
	}
	secret := filepath.Join(home, "cfg", "parley", "secrets")
	files, _ := filepath.Glob(filepath.Join(secret, "*.token"))
	if len(files) != 1 {
		t.Fatalf("token files: %v", files)
	}
	if st, _ := os.Stat(files[0]); st.Mode().Perm() != 0o600 {
		t.Fatalf("token file mode %v", st.Mode())
	}
	cfg, _ := os.ReadFile(cfgPath)
	if !strings.Contains(string(cfg), `network = "mastodon"`) || !strings.Contains(string(cfg), "user = \"ann\" # me") {
		t.Fatalf("config after connect:\n%s", cfg)
	}
	// Connecting the same account again re-authorises it in place.
	out.Reset()
	if err := runConnect([]string{"mastodon", srv.URL}, strings.NewReader("good-code\n"), &out); err != nil || !strings.Contains(out.String(), "Re-authorised") {
		t.Fatalf("second connect of the same account: %v\n%s", err, out.String())
	}
	if cfg, _ := os.ReadFile(cfgPath); strings.Count(string(cfg), "[[account]]") != 1 {
		t.Fatalf("re-auth duplicated the account:\n%s", cfg)
	}
	out.Reset()
	if err := run([]string{"sync", "--once"}, &out, &out); err != nil {
		t.Fatalf("sync: %v\n%s", err, out.String())
	}
	out.Reset()
	if err := run([]string{"accounts"}, &out, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "@acme@127.0.0.1") || !strings.Contains(out.String(), " ok ") {
		t.Fatalf("accounts:\n%s", out.String())
	}
	for _, s := range []string{out.String()} {
		if strings.Contains(s, token) {
			t.Fatal("token printed")
		}
	}
	out.Reset()
	if err := run([]string{"accounts", "remove", "@acme@127.0.0.1:" + strings.Split(srv.URL, ":")[2]}, &out, &out); err != nil {
		// label uses the host with port
		t.Fatalf("remove: %v", err)
	}
	cfg, _ = os.ReadFile(cfgPath)
	if strings.Contains(string(cfg), "mastodon") || !strings.Contains(string(cfg), "[serve]") {
		t.Fatalf("config after remove:\n%s", cfg)
	}
	if files, _ := filepath.Glob(filepath.Join(secret, "*.token")); len(files) != 0 {
		t.Fatalf("token file left behind: %v", files)
	}
}

func TestConnectRefusesReadableTokenFileAndBadCode(t *testing.T) {
	home := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "cfg"))
	t.Setenv("XDG_DATA_HOME", filepath.Join(home, "data"))
	srv := miniMastodon(t, "tok")
	tf := filepath.Join(home, "token")
	os.WriteFile(tf, []byte("tok\n"), 0o644)
	var out bytes.Buffer
	err := runConnect([]string{"mastodon", srv.URL, "--token-file", tf}, strings.NewReader(""), &out)
	if err == nil || !strings.Contains(err.Error(), "chmod 600 "+tf) {
		t.Fatalf("readable token file: %v", err)
	}
	os.Chmod(tf, 0o600)
	if err := runConnect([]string{"mastodon", srv.URL, "--token-file", tf, "--label", "shop"}, strings.NewReader(""), &out); err != nil {
		t.Fatalf("token file: %v", err)
	}
	err = runConnect([]string{"mastodon", srv.URL, "--label", "other"}, strings.NewReader("bad-code\n"), &out)
	if err == nil || !strings.Contains(err.Error(), "invalid_grant") {
		t.Fatalf("bad code: %v", err)
	}
	err = runConnect([]string{"mastodon", "http://mastodon.example"}, strings.NewReader(""), &out)
	if err == nil || !strings.Contains(err.Error(), "plain http") {
		t.Fatalf("plain http remote: %v", err)
	}
}
