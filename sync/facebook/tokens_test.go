package facebook

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	psync "github.com/parleyhq/parley/sync"
)

// Finding 1: a short-lived user token is exchanged with the app's id and
// secret for a long-lived one; /debug_token says a Page token derived from
// it never expires.
func TestLongLivedExchangeAndDebugToken(t *testing.T) {
	g := newGraph(t)
	g.exchange["EAA-short-user"] = "EAA-long-user"
	g.expires["EAA-short-user"] = time.Now().Add(time.Hour).Unix()
	g.expires[g.token] = 0 // a Page token from a long-lived user token
	ctx := context.Background()
	long, err := ExchangeUserToken(ctx, g.srv.URL, "v25.0", g.appID, g.appSecret, "EAA-short-user")
	if err != nil || long.Value != "EAA-long-user" {
		t.Fatalf("exchange: %+v %v", long, err)
	}
	if d := time.Until(long.ExpiresAt); d < 59*24*time.Hour || d > 61*24*time.Hour {
		t.Fatalf("a long-lived token lasts about 60 days, got %s", d)
	}
	_, err = ExchangeUserToken(ctx, g.srv.URL, "v25.0", g.appID, "wrong-secret", "EAA-short-user")
	if err == nil || !strings.Contains(err.Error(), "101") || strings.Contains(err.Error(), "wrong-secret") || strings.Contains(err.Error(), "EAA-short") {
		t.Fatalf("a bad secret must be refused without echoing secrets: %v", err)
	}
	if _, err := ExchangeUserToken(ctx, g.srv.URL, "v25.0", "", "", "EAA-short-user"); err == nil || !strings.Contains(err.Error(), "App Dashboard") {
		t.Fatalf("no app id: %v", err)
	}
	short, err := DebugToken(ctx, g.srv.URL, "v25.0", "EAA-short-user", g.appID, g.appSecret)
	if err != nil || !short.Valid || time.Until(short.ExpiresAt) > time.Hour+time.Minute {
		t.Fatalf("short-lived token: %+v %v", short, err)
	}
	// The connector reports its Page token's expiry the same way.
	conn, err := New(Options{PageID: g.pageID, Version: "v25.0", BaseURL: g.srv.URL, AppID: g.appID,
		AppSecret: func(context.Context) (string, error) { return g.appSecret, nil }},
		func(context.Context) (string, error) { return g.token, nil })
	if err != nil {
		t.Fatal(err)
	}
	exp, err := conn.TokenExpiry(ctx)
	if err != nil || !exp.IsZero() {
		t.Fatalf("a Page token from a long-lived user token does not expire: %v %v", exp, err)
	}
	delete(g.expires, g.token) // Meta no longer knows it: revoked
	if _, err := conn.TokenExpiry(ctx); !errors.Is(err, psync.ErrAuth) {
		t.Fatalf("an invalid token must say re-auth: %v", err)
	}
}

// Finding 1: an Instagram Login token is refreshed well before its 60 days
// run out and the new one is written back to its file (0600) and used.
func TestInstagramLoginTokenRefreshedAndKept(t *testing.T) {
	g := newGraph(t)
	g.token = "IGAA-long-lived"
	dir := t.TempDir()
	file := filepath.Join(dir, "instagram.token")
	if err := psync.WriteSecretFile(file, g.token); err != nil {
		t.Fatal(err)
	}
	c, err := instagramFactory(psync.AccountConfig{Label: "@acme", Options: map[string]any{"page_id": g.igID, "ig_user_id": g.igID,
		"instagram_login": true, "api_version": "v25.0", "base_url": g.srv.URL, "token_file": file}})
	if err != nil {
		t.Fatal(err)
	}
	conn := c.(*Connector)
	ctx := context.Background()
	// A token obtained two days ago is left alone.
	twoDays := time.Now().Add(-48 * time.Hour)
	os.Chtimes(file, twoDays, twoDays)
	if _, err := conn.Fetch(ctx, ""); err != nil || g.token != "IGAA-long-lived" {
		t.Fatalf("a young token was refreshed: %v (%s)", err, g.token)
	}
	if exp, _ := conn.TokenExpiry(ctx); exp.Sub(twoDays.Add(60*24*time.Hour)).Abs() > time.Minute {
		t.Fatalf("expiry from the token file: %v", exp)
	}
	// Eight days old: refreshed, written back, and the listing after it
	// already uses the new token (the fake retires the old one).
	old := time.Now().Add(-8 * 24 * time.Hour)
	os.Chtimes(file, old, old)
	b, err := conn.Fetch(ctx, "")
	if err != nil {
		t.Fatalf("fetch with a refresh due: %v", err)
	}
	if !strings.HasPrefix(g.token, "IGAA-refreshed-") {
		t.Fatal("the token was not refreshed")
	}
	saved, err := psync.ReadSecretFile(file)
	if err != nil || saved != g.token {
		t.Fatalf("the refreshed token was not kept: %q %v", saved, err)
	}
	if st, _ := os.Stat(file); st.Mode().Perm() != 0o600 {
		t.Fatalf("token file mode %v", st.Mode())
	}
	if strings.Contains(b.Notice, "IGAA") {
		t.Fatal("a token reached the account's note")
	}
	if exp, _ := conn.TokenExpiry(ctx); time.Until(exp) < 59*24*time.Hour {
		t.Fatalf("after a refresh the token has 60 days: %v", exp)
	}
	// A refresh Meta refuses outright (revoked) is a re-auth, not a note.
	os.Chtimes(file, old, old)
	g.token = "IGAA-someone-else"
	conn.tok.lastTried = time.Time{}
	if _, err := conn.Fetch(ctx, ""); !errors.Is(err, psync.ErrAuth) {
		t.Fatalf("refused refresh: %v", err)
	}
}

// Finding 7: with "Require App Secret" every call carries appsecret_proof,
// paging links included.
func TestAppSecretProofOnEveryCall(t *testing.T) {
	e := newEnv(t)
	e.g.requireProof = true
	now := time.Now()
	p := e.g.addPost("p", now.Add(-time.Hour))
	for i := 0; i < 5; i++ { // two pages of comments
		e.g.addComment(p, "", "61"+string(rune('0'+i)), "Fan", "hi", now.Add(-time.Duration(30-i)*time.Minute))
	}
	if _, err := e.conn.Fetch(context.Background(), ""); err == nil || !strings.Contains(err.Error(), "appsecret_proof") {
		t.Fatalf("without the app secret the app's calls are refused: %v", err)
	}
	conn, err := New(Options{PageID: e.g.pageID, Version: "v25.0", BaseURL: e.g.srv.URL, AppID: e.g.appID,
		AppSecret: func(context.Context) (string, error) { return e.g.appSecret, nil }},
		func(context.Context) (string, error) { return e.g.token, nil })
	if err != nil {
		t.Fatal(err)
	}
	e.conn = conn
	e.g.requests, e.g.proofs = nil, 0
	if err := e.sync(t); err != nil {
		t.Fatal(err)
	}
	if n := len(e.threads(t)); n != 5 {
		t.Fatalf("%d conversations", n)
	}
	if e.g.proofs != len(e.g.requests) || e.g.proofs < 4 {
		t.Fatalf("%d of %d calls carried appsecret_proof", e.g.proofs, len(e.g.requests))
	}
	for _, r := range e.g.requests {
		if strings.Contains(r, e.g.appSecret) {
			t.Fatal("the app secret itself was sent")
		}
	}
}
