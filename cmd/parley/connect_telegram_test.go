package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// miniTelegram answers getMe, getWebhookInfo, deleteWebhook and an empty
// getUpdates for one bot token.
func miniTelegram(t *testing.T, token string) (*httptest.Server, *atomic.Bool) {
	var webhook atomic.Bool
	webhook.Store(true)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		method, ok := strings.CutPrefix(r.URL.Path, "/bot"+token+"/")
		if !ok {
			w.WriteHeader(401)
			w.Write([]byte(`{"ok":false,"error_code":401,"description":"Unauthorized"}`))
			return
		}
		var res any
		switch method {
		case "getMe":
			res = map[string]any{"id": 42, "is_bot": true, "first_name": "Acme", "username": "acme_bot", "can_read_all_group_messages": false}
		case "getWebhookInfo":
			u := ""
			if webhook.Load() {
				u = "https://hooks.example/x"
			}
			res = map[string]any{"url": u, "pending_update_count": 0}
		case "deleteWebhook":
			webhook.Store(false)
			res = true
		case "getUpdates":
			res = []any{}
		default:
			w.WriteHeader(404)
			w.Write([]byte(`{"ok":false,"error_code":404,"description":"Not Found"}`))
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"ok": true, "result": res})
	}))
	t.Cleanup(srv.Close)
	return srv, &webhook
}

func TestConnectTelegram(t *testing.T) {
	home := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "cfg"))
	t.Setenv("XDG_DATA_HOME", filepath.Join(home, "data"))
	const token = "42:AAF-secret-part"
	srv, webhook := miniTelegram(t, token)
	var out bytes.Buffer
	if err := runConnect([]string{"telegram", "--base-url", srv.URL}, strings.NewReader("wrong:token\n"), &out); err == nil || !strings.Contains(err.Error(), "@BotFather") {
		t.Fatalf("a wrong token: %v", err)
	}
	out.Reset()
	if err := runConnect([]string{"telegram", "--base-url", srv.URL}, strings.NewReader(token+"\n"), &out); err != nil {
		t.Fatalf("connect: %v\n%s", err, out.String())
	}
	for _, want := range []string{"@acme_bot", "Privacy mode is on", "--delete-webhook", `Connected "@acme_bot (Telegram)"`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("connect output lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	if err := runConnect([]string{"telegram", "--base-url", srv.URL, "--delete-webhook"}, strings.NewReader(token+"\n"), &out); err != nil ||
		!strings.Contains(out.String(), "Re-authorised") || webhook.Load() {
		t.Fatalf("re-connect with --delete-webhook: %v (webhook still set: %v)\n%s", err, webhook.Load(), out.String())
	}
	cfg, _ := os.ReadFile(filepath.Join(home, "cfg", "parley", "config.toml"))
	if !strings.Contains(string(cfg), `network = "telegram"`) || !strings.Contains(string(cfg), "bot_id = 42") || strings.Contains(string(cfg), "secret-part") {
		t.Fatalf("config:\n%s", cfg)
	}
	out.Reset()
	if err := run([]string{"sync", "--once"}, &out, &out); err != nil || strings.Contains(out.String(), "secret-part") {
		t.Fatalf("sync: %v\n%s", err, out.String())
	}
}
