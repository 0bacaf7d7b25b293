package server

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"

	psync "github.com/parleyhq/parley/sync"
)

// MetaWebhooks receives Meta's webhooks for Facebook Pages and Instagram
// accounts (fields feed, messages, comments, mentions) behind the user's
// HTTPS reverse proxy, and hands each change to the connector of that Page
// or account as a push. It never stores what a payload says: the
// connector reads the change from the Graph API (a payload is a hint, and
// anyone can post to a public URL).
type MetaWebhooks struct {
	// VerifyToken is what the app's webhook settings were given; Meta
	// sends it back in the subscription handshake.
	VerifyToken string
	// AppSecrets are the secrets of the Meta apps of the configured
	// accounts: a payload counts only if one of them signed it.
	AppSecrets []func(context.Context) (string, error)
	// Push delivers a change (psync.Webhooks.Publish) and says how many
	// connectors took it.
	Push func(psync.Push) int
	Log  *slog.Logger
}

// maxWebhookBody bounds a payload: Meta batches up to 1000 changes, each
// small.
const maxWebhookBody = 1 << 20

func (h *MetaWebhooks) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		h.verify(w, r)
	case http.MethodPost:
		h.receive(w, r)
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

// verify answers the subscription handshake: hub.mode=subscribe with our
// verify token is answered with hub.challenge, anything else refused.
func (h *MetaWebhooks) verify(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	tok := q.Get("hub.verify_token")
	if q.Get("hub.mode") != "subscribe" || h.VerifyToken == "" || subtle.ConstantTimeCompare([]byte(tok), []byte(h.VerifyToken)) != 1 {
		h.Log.Warn("webhook subscription refused: wrong mode or verify token", "remote", remote(r), "mode", q.Get("hub.mode"))
		http.Error(w, "verification failed", http.StatusForbidden)
		return
	}
	h.Log.Info("webhook subscription verified", "remote", remote(r))
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, q.Get("hub.challenge"))
}

// receive checks the signature over the raw body, then routes each entry's
// changes (feed, comments, mentions) and messaging events (messages) to
// the connector of that Page or Instagram account.
func (h *MetaWebhooks) receive(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhookBody))
	if err != nil {
		h.Log.Warn("webhook refused: body too large or unreadable", "remote", remote(r), "err", err)
		http.Error(w, "unreadable body", http.StatusRequestEntityTooLarge)
		return
	}
	sig := r.Header.Get("X-Hub-Signature-256")
	if sig == "" {
		h.Log.Warn("webhook refused: unsigned (no X-Hub-Signature-256)", "remote", remote(r), "bytes", len(body))
		http.Error(w, "missing signature", http.StatusUnauthorized)
		return
	}
	if !h.signed(r.Context(), body, sig) {
		h.Log.Warn("webhook refused: the signature matches no configured app secret", "remote", remote(r), "bytes", len(body))
		http.Error(w, "bad signature", http.StatusForbidden)
		return
	}
	var p struct {
		Object string `json:"object"`
		Entry  []struct {
			ID      string `json:"id"`
			Changes []struct {
				Field string          `json:"field"`
				Value json.RawMessage `json:"value"`
			} `json:"changes"`
			Messaging []json.RawMessage `json:"messaging"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		h.Log.Warn("webhook: signed but not JSON", "remote", remote(r), "err", err)
		http.Error(w, "malformed JSON", http.StatusBadRequest)
		return
	}
	taken, unknown := 0, 0
	route := func(push psync.Push) {
		if n := h.Push(push); n > 0 {
			taken++
		} else {
			unknown++
		}
	}
	for _, e := range p.Entry {
		for _, c := range e.Changes {
			route(psync.Push{Object: p.Object, ID: e.ID, Field: c.Field, Value: c.Value})
		}
		for _, m := range e.Messaging {
			route(psync.Push{Object: p.Object, ID: e.ID, Field: "messages", Value: m})
		}
	}
	if unknown > 0 {
		h.Log.Info("webhook for a Page or account parley does not sync, or busy; ignored", "object", p.Object, "changes", unknown)
	}
	// 200 at once: Meta retries anything else, and the fetch happens in
	// the connector's own time.
	w.WriteHeader(http.StatusOK)
}

// signed checks "sha256=<hex HMAC-SHA256 of the body>" against every app
// secret, in constant time.
func (h *MetaWebhooks) signed(ctx context.Context, body []byte, header string) bool {
	hexSig, ok := strings.CutPrefix(header, "sha256=")
	if !ok {
		return false
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil || len(got) != sha256.Size {
		return false
	}
	for _, secret := range h.AppSecrets {
		s, err := secret(ctx)
		if err != nil || s == "" {
			continue
		}
		mac := hmac.New(sha256.New, []byte(s))
		mac.Write(body)
		if hmac.Equal(mac.Sum(nil), got) {
			return true
		}
	}
	return false
}

func remote(r *http.Request) string {
	// Behind the reverse proxy the peer is the proxy; it names the client.
	if f := r.Header.Get("X-Forwarded-For"); f != "" {
		return f + " via " + r.RemoteAddr
	}
	return r.RemoteAddr
}
