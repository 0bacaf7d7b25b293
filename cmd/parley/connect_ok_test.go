package main

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	psync "github.com/parleyhq/parley/sync"
)

// miniOK answers what connect ok asks, as api.ok.ru does: HTTP 200 with
// the result or {"error_code","error_msg"}; each REST call's sig is
// checked against the documented rule with the app's secret key.
func miniOK(t *testing.T) *httptest.Server {
	const appKey, appSecret, token, bot = "CBAKLMNOPQ", "app-secret-shh", "tkn1-admin", "tkn18-bot"
	md5hex := func(s string) string { h := md5.Sum([]byte(s)); return hex.EncodeToString(h[:]) }
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json;charset=utf-8")
		enc := json.NewEncoder(w)
		fail := func(code int, msg string) {
			enc.Encode(map[string]any{"error_code": code, "error_msg": msg, "error_data": nil})
		}
		if r.URL.Path == "/graph/me/info" {
			if r.URL.Query().Get("access_token") != bot {
				fail(102, "PARAM_SESSION_EXPIRED : Session expired")
				return
			}
			enc.Encode(map[string]any{"name": "Пекарня «Колосок» 🥖", "group_id": "group:55348644610059"})
			return
		}
		r.ParseForm()
		p := r.Form
		var keys []string
		for k := range p {
			if k != "sig" && k != "access_token" {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		s := ""
		for _, k := range keys {
			s += k + "=" + p.Get(k)
		}
		switch {
		case p.Get("application_key") != appKey:
			fail(101, "PARAM_API_KEY : Application key is invalid")
		case p.Get("access_token") != token:
			fail(102, "PARAM_SESSION_EXPIRED : Session expired")
		case p.Get("sig") != md5hex(s+md5hex(token+appSecret)):
			fail(104, "PARAM_SIGNATURE : Invalid signature")
		case p.Get("method") == "users.getCurrentUser":
			enc.Encode(map[string]any{"uid": "574021130023", "name": "Ольга Админова"})
		case p.Get("method") == "group.getInfo" && p.Get("uids") == "55348644610059":
			enc.Encode([]any{map[string]any{"uid": "55348644610059", "name": "Пекарня «Колосок» 🥖"}})
		case p.Get("method") == "group.getInfo":
			enc.Encode([]any{})
		case p.Get("method") == "users.hasAppPermission":
			enc.Encode(p.Get("ext_perm") != "GROUP_CONTENT")
		default:
			fail(3, "METHOD : Method does not exist")
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestConnectOK(t *testing.T) {
	home := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "cfg"))
	t.Setenv("XDG_DATA_HOME", filepath.Join(home, "data"))
	srv := miniOK(t)
	var out bytes.Buffer
	// Everything pasted: access token, Bot API token (names the group),
	// application key and secret.
	err := runConnect([]string{"ok", "--base-url", srv.URL}, strings.NewReader("tkn1-admin\ntkn18-bot\nCBAKLMNOPQ\napp-secret-shh\n"), &out)
	if err != nil {
		t.Fatalf("connect: %v\n%s", err, out.String())
	}
	s := out.String()
	if !strings.Contains(s, `Connected "Пекарня «Колосок» 🥖 (OK)"`) || !strings.Contains(s, "Ольга Админова") ||
		!strings.Contains(s, "! missing permission GROUP_CONTENT: answering, deleting and reporting comments as the group will not work — ask api-support@ok.ru") {
		t.Fatalf("output:\n%s", s)
	}
	if strings.Contains(s, "tkn1-admin") || strings.Contains(s, "tkn18-bot") || strings.Contains(s, "app-secret-shh") {
		t.Fatal("a secret was printed")
	}
	cfg, _ := os.ReadFile(filepath.Join(home, "cfg", "parley", "config.toml"))
	for _, want := range []string{`group_id = "55348644610059"`, `application_key = "CBAKLMNOPQ"`, "app_secret_file", "bot_token_file", "token_file"} {
		if !strings.Contains(string(cfg), want) {
			t.Fatalf("config lacks %s:\n%s", want, cfg)
		}
	}
	if strings.Contains(string(cfg), "app-secret-shh") || strings.Contains(string(cfg), "tkn1") {
		t.Fatalf("a secret in the config:\n%s", cfg)
	}
	// The saved account loads, its options pass the config's check, and
	// the connector builds from them.
	c, err := loadConfig(filepath.Join(home, "cfg", "parley", "config.toml"), true, defaultPaths())
	if err != nil || len(c.Accounts) != 1 {
		t.Fatalf("config: %v", err)
	}
	a := c.Accounts[0]
	if _, err := psync.New(psync.AccountConfig{Network: a.Network, Label: a.Label, Options: a.Options}); err != nil {
		t.Fatalf("connector from the saved account: %v", err)
	}
	secrets := filepath.Join(home, "cfg", "parley", "secrets")
	for name, want := range map[string]string{"ok-55348644610059.token": "tkn1-admin", "ok-app-CBAKLMNOPQ.secret": "app-secret-shh",
		"ok-55348644610059-bot.secret": "tkn18-bot"} {
		b, err := os.ReadFile(filepath.Join(secrets, name))
		st, _ := os.Stat(filepath.Join(secrets, name))
		if err != nil || strings.TrimSpace(string(b)) != want || st.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %q %v", name, b, err)
		}
	}

	// No Bot API token: the group id is asked for, and chats are said to be off.
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(t.TempDir(), "cfg"))
	out.Reset()
	err = runConnect([]string{"ok", "--base-url", srv.URL, "--app-key", "CBAKLMNOPQ"}, strings.NewReader("tkn1-admin\n\n55348644610059\napp-secret-shh\n"), &out)
	if err != nil || !strings.Contains(out.String(), "! no Bot API token: group chats are not synced") {
		t.Fatalf("without a bot token: %v\n%s", err, out.String())
	}

	// A wrong secret is refused by OK's signature check, and named as such.
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(t.TempDir(), "cfg"))
	err = runConnect([]string{"ok", "--base-url", srv.URL, "--group", "55348644610059", "--app-key", "CBAKLMNOPQ"},
		strings.NewReader("tkn1-admin\n\nwrong-secret\n"), &out)
	if err == nil || !strings.Contains(err.Error(), "PARAM_SIGNATURE") || !strings.Contains(err.Error(), "secret key") || strings.Contains(err.Error(), "wrong-secret") {
		t.Fatalf("wrong secret: %v", err)
	}
	// A bad Bot API token and an unknown group are refused before anything is saved.
	err = runConnect([]string{"ok", "--base-url", srv.URL}, strings.NewReader("tkn1-admin\nnot-a-bot-token\n"), &out)
	if err == nil || !strings.Contains(err.Error(), "the Bot API token") {
		t.Fatalf("bad bot token: %v", err)
	}
	err = runConnect([]string{"ok", "--base-url", srv.URL, "--group", "42", "--app-key", "CBAKLMNOPQ"}, strings.NewReader("tkn1-admin\n\napp-secret-shh\n"), &out)
	if err == nil || !strings.Contains(err.Error(), "no group 42") {
		t.Fatalf("unknown group: %v", err)
	}
}
