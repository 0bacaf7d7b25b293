package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// miniX trades one sign-in code (with a PKCE verifier) for tokens,
// rotates the refresh token, and says who the access token belongs to.
func miniX(t *testing.T) (*httptest.Server, func() string) {
	var mu sync.Mutex
	n, refresh, access := 0, "", ""
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/2/oauth2/token":
			r.ParseForm()
			f := r.PostForm
			ok := f.Get("client_id") == "client-abc" && (f.Get("grant_type") == "authorization_code" && f.Get("code") == "good-code" && f.Get("code_verifier") != "" ||
				f.Get("grant_type") == "refresh_token" && f.Get("refresh_token") == refresh && refresh != "")
			if !ok {
				w.WriteHeader(400)
				w.Write([]byte(`{"error":"invalid_request","error_description":"Value passed for the authorization code was invalid."}`))
				return
			}
			n++
			refresh, access = fmt.Sprintf("refresh-secret-%d", n), fmt.Sprintf("access-secret-%d", n)
			json.NewEncoder(w).Encode(map[string]any{"token_type": "bearer", "expires_in": 7200, "access_token": access, "refresh_token": refresh})
		case "/2/users/me":
			if r.Header.Get("Authorization") != "Bearer "+access {
				w.WriteHeader(401)
				w.Write([]byte(`{"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"}`))
				return
			}
			w.Write([]byte(`{"data":{"id":"1500000000000000001","name":"Acme","username":"acme"}}`))
		default:
			w.WriteHeader(404)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, func() string { mu.Lock(); defer mu.Unlock(); return refresh }
}

func TestConnectX(t *testing.T) {
	home := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "cfg"))
	t.Setenv("XDG_DATA_HOME", filepath.Join(home, "data"))
	srv, current := miniX(t)
	args := []string{"x", "--client-id", "client-abc", "--base-url", srv.URL, "--token-url", srv.URL + "/2/oauth2/token", "--auth-url", srv.URL + "/i/oauth2/authorize"}
	var out bytes.Buffer
	// An empty client secret (a public client), then a code that is not valid.
	if err := runConnect(args, strings.NewReader("\nbad-code\n"), &out); err == nil || !strings.Contains(err.Error(), "sign-in code") {
		t.Fatalf("a bad code: %v", err)
	}
	out.Reset()
	if err := runConnect(args, strings.NewReader("\ngood-code\n"), &out); err != nil {
		t.Fatalf("connect: %v\n%s", err, out.String())
	}
	for _, want := range []string{"code_challenge_method=S256", "127.0.0.1%3A8976%2Fcallback", "Signed in as @acme", `Connected "@acme (X)"`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("connect output lacks %q:\n%s", want, out.String())
		}
	}
	cfg, _ := os.ReadFile(filepath.Join(home, "cfg", "parley", "config.toml"))
	if !strings.Contains(string(cfg), `network = "x"`) || !strings.Contains(string(cfg), `user_id = "1500000000000000001"`) || strings.Contains(string(cfg), "refresh-secret") {
		t.Fatalf("config:\n%s", cfg)
	}
	// What was saved is the refresh token X holds now (checking the
	// account rotated the one the sign-in gave).
	m := regexp.MustCompile(`token_file = "([^"]+)"`).FindStringSubmatch(string(cfg))
	if m == nil {
		t.Fatalf("no token_file in the config:\n%s", cfg)
	}
	b, _ := os.ReadFile(m[1])
	found := strings.TrimSpace(string(b)) == current()
	if !found {
		t.Errorf("%s holds %q, X's current refresh token is %q", m[1], b, current())
	}
}
