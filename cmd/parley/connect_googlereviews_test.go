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

func TestConnectGoogleReviewsPicksAccountAndLocations(t *testing.T) {
	home := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "cfg"))
	t.Setenv("XDG_DATA_HOME", filepath.Join(home, "data"))
	t.Setenv("GOOGLE_CLIENT_SECRET_TEST", "csecret-shh")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		r.ParseForm()
		authed := r.Header.Get("Authorization") == "Bearer at-1"
		switch {
		case r.URL.Path == "/token" && r.Form.Get("grant_type") == "authorization_code" && r.Form.Get("code") == "4/code":
			io.WriteString(w, `{"access_token":"at-0","expires_in":3599,"refresh_token":"rt-secret","token_type":"Bearer"}`)
		case r.URL.Path == "/token" && r.Form.Get("refresh_token") == "rt-secret":
			io.WriteString(w, `{"access_token":"at-1","expires_in":3599,"token_type":"Bearer"}`)
		case authed && r.URL.Path == "/v1/accounts":
			json.NewEncoder(w).Encode(map[string]any{"accounts": []any{map[string]any{"name": "accounts/1234", "accountName": "Acme Bakeries", "type": "LOCATION_GROUP"}}})
		case authed && r.URL.Path == "/v1/accounts/1234/locations" && r.URL.Query().Get("readMask") != "":
			if r.URL.Query().Get("pageToken") == "" {
				json.NewEncoder(w).Encode(map[string]any{"locations": []any{map[string]any{"name": "locations/1", "title": "Main St"}}, "nextPageToken": "p2"})
				return
			}
			json.NewEncoder(w).Encode(map[string]any{"locations": []any{map[string]any{"name": "locations/2", "title": "Station"},
				map[string]any{"name": "locations/3", "title": "Airport"}}})
		default:
			w.WriteHeader(403)
			io.WriteString(w, `{"error":{"code":403,"message":"The caller does not have permission","status":"PERMISSION_DENIED"}}`)
		}
	}))
	defer srv.Close()
	var out bytes.Buffer
	err := runConnect([]string{"google-reviews", "--base-url", srv.URL, "--token-url", srv.URL + "/token", "--auth-url", srv.URL + "/auth",
		"--client-id", "cid-2", "--client-secret-env", "GOOGLE_CLIENT_SECRET_TEST"}, strings.NewReader("4/code\n1,3\n"), &out)
	if err != nil {
		t.Fatalf("connect: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "3) Airport (locations/3)") || !strings.Contains(out.String(), `Connected "Acme Bakeries (Google reviews)"`) {
		t.Fatalf("output:\n%s", out.String())
	}
	cfg, _ := os.ReadFile(filepath.Join(home, "cfg", "parley", "config.toml"))
	for _, want := range []string{`network = "google-reviews"`, `account = "accounts/1234"`, `"locations/1"`, `"locations/3"`, `client_secret_env = "GOOGLE_CLIENT_SECRET_TEST"`} {
		if !strings.Contains(string(cfg), want) {
			t.Fatalf("config lacks %s:\n%s", want, cfg)
		}
	}
	if strings.Contains(string(cfg), "locations/2") || strings.Contains(string(cfg), "csecret") {
		t.Fatalf("config:\n%s", cfg)
	}
	// The config it wrote loads back into a connector.
	out.Reset()
	if err := run([]string{"accounts"}, &out, &out); err != nil || !strings.Contains(out.String(), "Acme Bakeries (Google reviews)") {
		t.Fatalf("accounts: %v\n%s", err, out.String())
	}
}
