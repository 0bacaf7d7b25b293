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

// miniVK answers what connect vk asks, as api.vk.com does: HTTP 200 with
// a response or an error object; the community token may not call
// groups.get (error 27), an unknown token gets error 5.
func miniVK(t *testing.T, longPoll bool) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		r.ParseForm()
		tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		method := strings.TrimPrefix(r.URL.Path, "/method/")
		fail := func(code int, msg string) {
			json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"error_code": code, "error_msg": msg,
				"request_params": []any{map[string]any{"key": "method", "value": method}}}})
		}
		if r.Form.Get("v") != "5.199" {
			fail(8, "Invalid request: v (version) is required")
			return
		}
		ok := func(v any) { json.NewEncoder(w).Encode(map[string]any{"response": v}) }
		zerno := map[string]any{"id": 1234567, "name": "Кофейня «Зерно» ☕", "screen_name": "zerno_coffee", "is_closed": 0, "type": "page"}
		switch {
		case tok == "vk1.a.community" && method == "groups.getById":
			ok(map[string]any{"groups": []any{zerno}, "profiles": []any{}})
		case tok == "vk1.a.community" && method == "groups.getTokenPermissions":
			ok(map[string]any{"mask": 4096 + 262144, "permissions": []any{map[string]any{"name": "messages", "setting": 4096}}})
		case tok == "vk1.a.community" && method == "groups.getLongPollSettings":
			ok(map[string]any{"is_enabled": longPoll, "api_version": "5.199", "events": map[string]int{}})
		case tok == "vk1.a.user" && method == "groups.get":
			ok(map[string]any{"count": 2, "items": []any{map[string]any{"id": 99, "name": "Другая группа", "screen_name": "other"}, zerno}})
		case tok == "vk1.a.community" || tok == "vk1.a.user":
			fail(27, "Group authorization failed: method is unavailable with group auth.")
		default:
			fail(5, "User authorization failed: invalid access_token (4).")
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestConnectVK(t *testing.T) {
	home := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "cfg"))
	t.Setenv("XDG_DATA_HOME", filepath.Join(home, "data"))
	srv := miniVK(t, true)
	cfgPath := filepath.Join(home, "cfg", "parley", "config.toml")
	secrets := filepath.Join(home, "cfg", "parley", "secrets")

	// Both tokens pasted: the community is found, the user token's
	// communities listed, both saved 0600, nothing said to be off.
	var out bytes.Buffer
	if err := runConnect([]string{"vk", "--base-url", srv.URL}, strings.NewReader("vk1.a.community\nvk1.a.user\n"), &out); err != nil {
		t.Fatalf("connect: %v\n%s", err, out.String())
	}
	s := out.String()
	if !strings.Contains(s, "Другая группа (id 99)") || !strings.Contains(s, `Connected "Кофейня «Зерно» ☕ (VK)"`) || strings.Contains(s, "! ") {
		t.Fatalf("output:\n%s", s)
	}
	if strings.Contains(s, "vk1.a.") {
		t.Fatal("a token was printed")
	}
	cfg, _ := os.ReadFile(cfgPath)
	if !strings.Contains(string(cfg), "group_id = 1234567") || !strings.Contains(string(cfg), "user_token_file") {
		t.Fatalf("config:\n%s", cfg)
	}
	for name, want := range map[string]string{"vk-1234567.token": "vk1.a.community", "vk-1234567-user.token": "vk1.a.user"} {
		b, err := os.ReadFile(filepath.Join(secrets, name))
		st, _ := os.Stat(filepath.Join(secrets, name))
		if err != nil || strings.TrimSpace(string(b)) != want || st.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %q %v", name, b, err)
		}
	}

	// No user token (Enter), Long Poll off: saved, and what is off is said.
	home2 := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home2, "cfg"))
	t.Setenv("XDG_DATA_HOME", filepath.Join(home2, "data"))
	out.Reset()
	if err := runConnect([]string{"vk", "--base-url", miniVK(t, false).URL}, strings.NewReader("vk1.a.community\n\n"), &out); err != nil {
		t.Fatalf("connect without a user token: %v\n%s", err, out.String())
	}
	s = out.String()
	if !strings.Contains(s, "! no user token: wall comments and board topics are not read back") || !strings.Contains(s, "comments cannot be deleted") ||
		!strings.Contains(s, "! Bots Long Poll is off: turn it on in Manage → API usage → Long Poll API") || !strings.Contains(s, "Connected") {
		t.Fatalf("output:\n%s", s)
	}
	cfg, _ = os.ReadFile(filepath.Join(home2, "cfg", "parley", "config.toml"))
	if strings.Contains(string(cfg), "user_token") {
		t.Fatalf("config names a user token that was not given:\n%s", cfg)
	}

	// A bad community token, and a good one with a bad user token: refused
	// with VK's reason, nothing saved, no token in the error.
	for _, in := range []string{"vk1.a.nonsense\n", "vk1.a.community\nvk1.a.expired\n"} {
		home3 := t.TempDir()
		t.Setenv("XDG_CONFIG_HOME", filepath.Join(home3, "cfg"))
		out.Reset()
		err := runConnect([]string{"vk", "--base-url", srv.URL}, strings.NewReader(in), &out)
		if err == nil || !strings.Contains(err.Error(), "error 5") || !strings.Contains(err.Error(), "parley connect vk") || strings.Contains(err.Error(), "vk1.a.") {
			t.Fatalf("%q: %v", in, err)
		}
		if _, err := os.Stat(filepath.Join(home3, "cfg", "parley", "config.toml")); err == nil {
			if b, _ := os.ReadFile(filepath.Join(home3, "cfg", "parley", "config.toml")); strings.Contains(string(b), "[[account]]") {
				t.Fatalf("an account was saved after a refusal:\n%s", b)
			}
		}
	}
}
