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

// miniPDS signs one account in and refuses chat (an app password
// without DM access).
func miniPDS(t *testing.T, password string) *httptest.Server {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/xrpc/com.atproto.server.createSession":
			var body map[string]string
			json.NewDecoder(r.Body).Decode(&body)
			if body["identifier"] != "acme.bsky.social" || body["password"] != password {
				w.WriteHeader(401)
				w.Write([]byte(`{"error":"AuthenticationRequired","message":"Invalid identifier or password"}`))
				return
			}
			json.NewEncoder(w).Encode(map[string]any{"did": "did:plc:acme", "handle": "acme.bsky.social", "accessJwt": "acc-secret", "refreshJwt": "ref-secret",
				"didDoc": map[string]any{"service": []any{map[string]any{"id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": srv.URL}}}})
		case "/xrpc/chat.bsky.convo.listConvos":
			w.WriteHeader(400)
			w.Write([]byte(`{"error":"InvalidToken","message":"Bad token method"}`))
		default:
			w.WriteHeader(501)
			w.Write([]byte(`{"error":"MethodNotImplemented","message":"Method Not Implemented"}`))
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestConnectBluesky(t *testing.T) {
	home := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "cfg"))
	t.Setenv("XDG_DATA_HOME", filepath.Join(home, "data"))
	const pw = "abcd-efgh-ijkl-mnop"
	srv := miniPDS(t, pw)
	var out bytes.Buffer
	if err := runConnect([]string{"bluesky", "acme.bsky.social", "--service", srv.URL}, strings.NewReader("wrong-pass\n"), &out); err == nil ||
		!strings.Contains(err.Error(), "app password") || strings.Contains(err.Error(), "wrong-pass") {
		t.Fatalf("a wrong app password: %v", err)
	}
	out.Reset()
	if err := runConnect([]string{"bluesky", "acme.bsky.social", "--service", srv.URL}, strings.NewReader(pw+"\n"), &out); err != nil {
		t.Fatalf("connect: %v\n%s", err, out.String())
	}
	for _, want := range []string{"did:plc:acme", "direct messages", `Connected "@acme.bsky.social (Bluesky)"`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("connect output lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	if err := runConnect([]string{"bluesky", "acme.bsky.social", "--service", srv.URL}, strings.NewReader(pw+"\n"), &out); err != nil || !strings.Contains(out.String(), "Re-authorised") {
		t.Fatalf("re-connect: %v\n%s", err, out.String())
	}
	cfg, _ := os.ReadFile(filepath.Join(home, "cfg", "parley", "config.toml"))
	if !strings.Contains(string(cfg), `network = "bluesky"`) || !strings.Contains(string(cfg), `did = "did:plc:acme"`) || !strings.Contains(string(cfg), "session_file") ||
		strings.Contains(string(cfg), pw) || strings.Contains(string(cfg), "secret") && !strings.Contains(string(cfg), ".secret") {
		t.Fatalf("config:\n%s", cfg)
	}
	if strings.Count(string(cfg), "[[account]]") != 1 {
		t.Errorf("re-connect added a second account:\n%s", cfg)
	}
}

// Without --service the account's PDS is found from its handle: the handle
// resolves to a DID, the DID document names the PDS, and a self-hosted
// account signs in there (and keeps it as its service).
func TestConnectBlueskyFindsTheSelfHostedPDS(t *testing.T) {
	home := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "cfg"))
	t.Setenv("XDG_DATA_HOME", filepath.Join(home, "data"))
	const pw = "abcd-efgh-ijkl-mnop"
	pds := miniPDS(t, pw)
	var asked []string
	dir := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked = append(asked, r.URL.Path)
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/xrpc/com.atproto.identity.resolveHandle" && r.URL.Query().Get("handle") == "acme.bsky.social":
			w.Write([]byte(`{"did":"did:plc:acme"}`))
		case r.URL.Path == "/did:plc:acme":
			json.NewEncoder(w).Encode(map[string]any{"id": "did:plc:acme",
				"service": []any{map[string]any{"id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": pds.URL}}})
		default:
			w.WriteHeader(400)
			w.Write([]byte(`{"error":"InvalidRequest","message":"Unable to resolve handle"}`))
		}
	}))
	t.Cleanup(dir.Close)
	var out bytes.Buffer
	if err := runConnect([]string{"bluesky", "acme.bsky.social", "--appview", dir.URL, "--plc", dir.URL}, strings.NewReader(pw+"\n"), &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	cfg, _ := os.ReadFile(filepath.Join(home, "cfg", "parley", "config.toml"))
	if !strings.Contains(out.String(), "served by "+pds.URL) || !strings.Contains(string(cfg), `service = "`+pds.URL+`"`) {
		t.Fatalf("output:\n%s\nconfig:\n%s", out.String(), cfg)
	}
	// A handle that does not resolve says so, and how to go on.
	out.Reset()
	err := runConnect([]string{"bluesky", "nobody.example", "--appview", dir.URL, "--plc", dir.URL}, strings.NewReader(pw+"\n"), &out)
	if err == nil || !strings.Contains(err.Error(), "finding where nobody.example lives (or give --service)") {
		t.Fatalf("unresolvable handle: %v", err)
	}
}
