package bluesky

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	gosync "sync"
	"time"

	psync "github.com/parleyhq/parley/sync"
)

// chatProxy routes chat.bsky.* through the PDS to Bluesky's chat service;
// without it the PDS sends them to the AppView, which does not know them.
const chatProxy = "did:web:api.bsky.chat#bsky_chat"

// session is what createSession and refreshSession return, and what
// session_file keeps.
type session struct {
	DID        string `json:"did"`
	Handle     string `json:"handle"`
	AccessJwt  string `json:"accessJwt"`
	RefreshJwt string `json:"refreshJwt"`
	PDS        string `json:"pds,omitempty"`
}

type sessionAnswer struct {
	session
	DIDDoc *didDoc `json:"didDoc,omitempty"`
	Active *bool   `json:"active,omitempty"`
	Status string  `json:"status,omitempty"`
}

type didDoc struct {
	Service []struct {
		ID              string `json:"id"`
		Type            string `json:"type"`
		ServiceEndpoint any    `json:"serviceEndpoint"`
	} `json:"service"`
}

// pds is the account's PDS from its DID document, "" when it names none.
func (d *didDoc) pds() string {
	if d == nil {
		return ""
	}
	for _, s := range d.Service {
		if s.ID == "#atproto_pds" || strings.HasSuffix(s.ID, "#atproto_pds") || s.Type == "AtprotoPersonalDataServer" {
			if u, ok := s.ServiceEndpoint.(string); ok && (strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")) {
				return strings.TrimRight(u, "/")
			}
		}
	}
	return ""
}

// api calls XRPC methods on the account's PDS with a session it keeps
// alive.
type api struct {
	opts     Options
	password func(context.Context) (string, error)
	// sleep replaces the clients' wait (tests).
	sleep func(context.Context, time.Duration) error

	mu      gosync.Mutex
	sess    *session
	pds     *psync.HTTPClient
	refresh gosync.Mutex // one sign-in or refresh at a time
}

type useRefreshKey struct{}

func newAPI(o Options, password func(context.Context) (string, error)) (*api, error) {
	if _, err := psync.NewHTTPClient(o.Service, false, nil); err != nil {
		return nil, fmt.Errorf("bluesky service: %w", err)
	}
	return &api{opts: o, password: password}, nil
}

// client builds an HTTP client for a host, with Bluesky's error mapping
// and rate-limit pacing; the token is the session's access token, or its
// refresh token for refreshSession.
func (a *api) client(base string) (*psync.HTTPClient, error) {
	hc, err := psync.NewHTTPClient(base, false, func(ctx context.Context) (string, error) {
		a.mu.Lock()
		defer a.mu.Unlock()
		if a.sess == nil {
			return "", nil
		}
		if ctx.Value(useRefreshKey{}) != nil {
			return a.sess.RefreshJwt, nil
		}
		return a.sess.AccessJwt, nil
	})
	if err != nil {
		return nil, err
	}
	hc.MapError = mapError
	hc.Pace = psync.PaceRemaining("RateLimit-Remaining", lowWater, resetWait, hc.Now)
	if a.sleep != nil {
		hc.Sleep = a.sleep
	}
	hc.Sleep = psync.ReportingSleep(hc.Sleep)
	return hc, nil
}

// did is the signed-in account.
func (a *api) did() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.sess == nil {
		return ""
	}
	return a.sess.DID
}

// ensure has a session: the one in memory, the one kept in
// session_file, or a new sign-in.
func (a *api) ensure(ctx context.Context) (*psync.HTTPClient, string, error) {
	a.mu.Lock()
	pds, access := a.pds, ""
	if a.sess != nil {
		access = a.sess.AccessJwt
	}
	a.mu.Unlock()
	if pds != nil {
		return pds, access, nil
	}
	a.refresh.Lock()
	defer a.refresh.Unlock()
	if a.pds != nil {
		return a.ensure(ctx)
	}
	if s, ok := a.load(); ok {
		if err := a.use(s); err != nil {
			return nil, "", err
		}
		return a.ensure(ctx)
	}
	if err := a.login(ctx); err != nil {
		return nil, "", err
	}
	return a.ensure(ctx)
}

// call runs one XRPC method: a new access token when the old one
// expired, a new sign-in when the session was revoked, each once.
func (a *api) call(ctx context.Context, r psync.Request, out any) error {
	what := "bluesky " + strings.TrimPrefix(r.Path, "/xrpc/")
	for try := 0; ; try++ {
		hc, access, err := a.ensure(ctx)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		_, err = hc.Do(ctx, r, out)
		switch {
		case err == nil:
			return nil
		case try == 0 && errors.Is(err, errExpired):
			err = a.renew(ctx, access)
		case try == 0 && errors.Is(err, errSessionGone) && !errors.Is(err, errNoChat):
			err = a.relogin(ctx, access)
		default:
			return fmt.Errorf("%s: %w", what, err)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
	}
}

// renew trades the refresh token for a new pair (unless another call
// already did); a refused refresh signs in again.
func (a *api) renew(ctx context.Context, stale string) error {
	a.refresh.Lock()
	defer a.refresh.Unlock()
	a.mu.Lock()
	pds, cur := a.pds, a.sess
	a.mu.Unlock()
	if cur == nil || cur.AccessJwt != stale {
		return nil
	}
	var ans sessionAnswer
	_, err := pds.Do(context.WithValue(ctx, useRefreshKey{}, true), psync.Request{Method: "POST", Path: "/xrpc/com.atproto.server.refreshSession"}, &ans)
	if err != nil {
		if errors.Is(err, errExpired) || errors.Is(err, errSessionGone) {
			return a.login(ctx) // the refresh token too is gone
		}
		return err
	}
	return a.adopt(ans)
}

func (a *api) relogin(ctx context.Context, stale string) error {
	a.refresh.Lock()
	defer a.refresh.Unlock()
	a.mu.Lock()
	cur := a.sess
	a.mu.Unlock()
	if cur != nil && cur.AccessJwt != stale {
		return nil
	}
	return a.login(ctx)
}

// login opens a new session with the app password (createSession, at
// the configured service).
func (a *api) login(ctx context.Context) error {
	pw, err := a.password(ctx)
	if err != nil {
		return fmt.Errorf("%w: %v", psync.ErrAuth, err)
	}
	entry, err := a.client(a.opts.Service)
	if err != nil {
		return err
	}
	entry.Token = nil
	var ans sessionAnswer
	_, err = entry.Do(ctx, psync.Request{Method: "POST", Path: "/xrpc/com.atproto.server.createSession",
		JSON: map[string]string{"identifier": a.opts.Handle, "password": pw}}, &ans)
	switch {
	case isXRPC(err, "AuthFactorTokenRequired"):
		return fmt.Errorf("%w: Bluesky asks for an email code: sign in with an app password instead of the account password (Settings → Privacy and security → App passwords)", psync.ErrAuth)
	case errors.Is(err, errSessionGone) || isXRPC(err, "AuthenticationRequired"):
		return fmt.Errorf("%w: Bluesky refused the handle %q with this app password (deleted, or mistyped); create a new one and run: parley connect bluesky", psync.ErrAuth, a.opts.Handle)
	case err != nil:
		return err
	}
	if ans.DIDDoc.pds() == "" {
		ans.PDS = a.opts.Service
	}
	return a.adopt(ans)
}

// adopt makes a session answer the current session, and keeps it.
func (a *api) adopt(ans sessionAnswer) error {
	s := ans.session
	if p := ans.DIDDoc.pds(); p != "" {
		s.PDS = p
	}
	a.mu.Lock()
	if s.PDS == "" && a.sess != nil {
		s.PDS = a.sess.PDS
	}
	a.mu.Unlock()
	if s.PDS == "" {
		s.PDS = a.opts.Service
	}
	if s.AccessJwt == "" || s.RefreshJwt == "" || s.DID == "" {
		return errors.New("bluesky: the session answer lacks its tokens or DID; will retry")
	}
	if ans.Active != nil && !*ans.Active {
		return fmt.Errorf("%w: the Bluesky account is %s", psync.ErrAuth, orWord(ans.Status, "not active"))
	}
	if err := a.use(s); err != nil {
		return err
	}
	a.save(s)
	return nil
}

func orWord(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// use installs s as the session.
func (a *api) use(s session) error {
	if a.opts.DID != "" && s.DID != a.opts.DID {
		return fmt.Errorf("%w: the app password signs in as %s, not as the account connected (%s); run: parley connect bluesky", psync.ErrAuth, s.DID, a.opts.DID)
	}
	pds, err := a.client(s.PDS)
	if err != nil {
		return fmt.Errorf("bluesky: the account's PDS %q: %w", s.PDS, err)
	}
	a.mu.Lock()
	a.sess, a.pds = &s, pds
	a.mu.Unlock()
	return nil
}

func (a *api) load() (session, bool) {
	if a.opts.SessionFile == "" {
		return session{}, false
	}
	raw, err := psync.ReadSecretFile(a.opts.SessionFile)
	if err != nil {
		return session{}, false
	}
	var s session
	if json.Unmarshal([]byte(raw), &s) != nil || s.AccessJwt == "" || s.RefreshJwt == "" || s.DID == "" || s.PDS == "" {
		return session{}, false
	}
	return s, true
}

// save keeps the session for the next run; failing to is not fatal (the
// next run signs in again).
func (a *api) save(s session) {
	if a.opts.SessionFile == "" {
		return
	}
	b, _ := json.Marshal(s)
	_ = psync.WriteSecretFile(a.opts.SessionFile, string(b))
}

// removeSession forgets a kept session (connect does it before a new sign-in).
func removeSession(path string) {
	if path != "" {
		_ = os.Remove(path)
	}
}

// get and post are XRPC queries and procedures; chat ones go through
// the chat proxy.
func (a *api) get(ctx context.Context, nsid string, q map[string][]string, out any) error {
	return a.call(ctx, psync.Request{Method: "GET", Path: "/xrpc/" + nsid, Query: q, Headers: proxyFor(nsid)}, out)
}

func (a *api) post(ctx context.Context, nsid string, body any, out any) error {
	return a.call(ctx, psync.Request{Method: "POST", Path: "/xrpc/" + nsid, JSON: body, Headers: proxyFor(nsid)}, out)
}

func proxyFor(nsid string) map[string]string {
	if strings.HasPrefix(nsid, "chat.bsky.") {
		return map[string]string{"atproto-proxy": chatProxy}
	}
	return nil
}
