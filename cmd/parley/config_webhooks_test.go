package main

import (
	"strings"
	"testing"
)

func TestWebhooksConfig(t *testing.T) {
	paths := Paths{ConfigDir: t.TempDir(), DataDir: t.TempDir()}
	fb := "[[account]]\nnetwork = \"facebook\"\nlabel = \"f\"\n[account.options]\npage_id = \"1\"\ntoken_env = \"FB_TOKEN\"\n"
	cases := []struct{ body, want string }{
		{"[webhooks]\nlisten = \"127.0.0.1:8089\"\n" + fb, ":1: [webhooks]: set one of verify_token_file, verify_token_env"},
		{"[webhooks]\nlisten = \"127.0.0.1:8089\"\nverify_token_env = \"V\"\n" + fb, ":1: [webhooks]: no facebook or instagram account has app_secret_file"},
		{"[webhooks]\nlisten = \"127.0.0.1:8089\"\npath = \"hooks\"\nverify_token_env = \"V\"\n" + fb, ":1: [webhooks] path \"hooks\": start it with /"},
	}
	for _, c := range cases {
		p := writeConfig(t, c.body)
		if _, err := loadConfig(p, true, paths); err == nil || !strings.Contains(err.Error(), p+c.want) {
			t.Errorf("config %q: err = %v, want %q", c.body, err, c.want)
		}
	}
	p := writeConfig(t, "[webhooks]\nlisten = \"127.0.0.1:8089\"\nverify_token_env = \"V\"\n"+fb+"app_secret_env = \"FB_APP_SECRET\"\n")
	cfg, err := loadConfig(p, true, paths)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Webhooks.Path != "/webhooks/meta" {
		t.Fatalf("default path: %q", cfg.Webhooks.Path)
	}
}
