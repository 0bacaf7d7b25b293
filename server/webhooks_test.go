package server

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	gosync "sync"
	"testing"

	psync "github.com/parleyhq/parley/sync"
)

type webhookEnv struct {
	srv    *httptest.Server
	log    *bytes.Buffer
	mu     gosync.Mutex
	pushes []psync.Push
}

func newWebhookEnv(t *testing.T) *webhookEnv {
	e := &webhookEnv{log: &bytes.Buffer{}}
	secret := func(s string) func(context.Context) (string, error) {
		return func(context.Context) (string, error) { return s, nil }
	}
	var logMu gosync.Mutex
	h := &MetaWebhooks{VerifyToken: "verify-me-123", AppSecrets: []func(context.Context) (string, error){secret("other-app"), secret("app-secret-shh")},
		Push: func(p psync.Push) int {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.pushes = append(e.pushes, p)
			if p.ID == "unknown" {
				return 0
			}
			return 1
		},
		Log: slog.New(slog.NewTextHandler(lockedWriter{&logMu, e.log}, nil))}
	e.srv = httptest.NewServer(h)
	t.Cleanup(e.srv.Close)
	return e
}

type lockedWriter struct {
	mu *gosync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func sign(secret, body string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(body))
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

func (e *webhookEnv) post(t *testing.T, body, sig string) int {
	req, _ := http.NewRequest("POST", e.srv.URL, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if sig != "" {
		req.Header.Set("X-Hub-Signature-256", sig)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// Payloads as Meta sends them: a Page comment (feed), a Messenger message,
// an Instagram comment and an Instagram mention.
const (
	feedBody    = `{"object":"page","entry":[{"id":"122104","time":1741000000,"changes":[{"field":"feed","value":{"item":"comment","verb":"add","comment_id":"122104_9001_55501","post_id":"122104_9001","from":{"id":"610","name":"Ana"},"message":"Is it decaf?","created_time":1741000000}}]}]}`
	msgBody     = `{"object":"page","entry":[{"id":"122104","time":1741000001,"messaging":[{"sender":{"id":"PSID-1"},"recipient":{"id":"122104"},"timestamp":1741000001000,"message":{"mid":"m_1","text":"hello"}}]}]}`
	igBody      = `{"object":"instagram","entry":[{"id":"17841400000000001","time":1741000002,"changes":[{"field":"comments","value":{"id":"17865799348089039","text":"blue?","from":{"id":"1784","username":"kai"},"media":{"id":"17900001"}}},{"field":"mentions","value":{"media_id":"17895695668004550","comment_id":"17858893269000001"}}]}]}`
	unknownBody = `{"object":"page","entry":[{"id":"unknown","time":1,"changes":[{"field":"feed","value":{}}]}]}`
)

func TestWebhookSignaturesAndRouting(t *testing.T) {
	e := newWebhookEnv(t)
	for _, b := range []string{feedBody, msgBody, igBody, unknownBody} {
		if code := e.post(t, b, sign("app-secret-shh", b)); code != 200 {
			t.Fatalf("signed payload answered %d", code)
		}
	}
	e.mu.Lock()
	got := []string{}
	for _, p := range e.pushes {
		got = append(got, p.Object+" "+p.ID+" "+p.Field)
	}
	e.mu.Unlock()
	want := []string{"page 122104 feed", "page 122104 messages", "instagram 17841400000000001 comments",
		"instagram 17841400000000001 mentions", "page unknown feed"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("pushes:\n got %v\nwant %v", got, want)
	}

	// Missing, wrong, malformed, and signed with a secret we do not hold:
	// refused, logged, nothing pushed.
	cases := map[string]struct {
		sig  string
		code int
	}{
		"missing":      {"", 401},
		"mis-signed":   {sign("app-secret-shh", feedBody+" "), 403},
		"other secret": {sign("someone-else", feedBody), 403},
		"not hex":      {"sha256=zz", 403},
		"sha1":         {"sha1=" + strings.Repeat("0", 40), 403},
	}
	for name, c := range cases {
		if code := e.post(t, feedBody, c.sig); code != c.code {
			t.Errorf("%s signature: answered %d, want %d", name, code, c.code)
		}
	}
	e.mu.Lock()
	n := len(e.pushes)
	e.mu.Unlock()
	if n != len(want) {
		t.Fatalf("a refused payload was pushed (%d pushes)", n)
	}
	log := e.log.String()
	if strings.Count(log, "webhook refused") != len(cases) || strings.Contains(log, "app-secret-shh") || strings.Contains(log, "decaf") {
		t.Fatalf("log: refusals must be logged, secrets and payloads never:\n%s", log)
	}
}

func TestWebhookSubscriptionHandshake(t *testing.T) {
	e := newWebhookEnv(t)
	get := func(q string) (int, string) {
		resp, err := http.Get(e.srv.URL + "?" + q)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("hub.mode=subscribe&hub.verify_token=verify-me-123&hub.challenge=1158201444"); code != 200 || body != "1158201444" {
		t.Fatalf("handshake: %d %q", code, body)
	}
	for _, q := range []string{"hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1", "hub.mode=unsubscribe&hub.verify_token=verify-me-123&hub.challenge=1", "hub.challenge=1"} {
		if code, body := get(q); code != 403 || body == "1" {
			t.Fatalf("%s: %d %q", q, code, body)
		}
	}
}
