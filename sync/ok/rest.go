package ok

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	gosync "sync"
	"time"

	psync "github.com/parleyhq/parley/sync"
)

// rest calls OK's REST API (https://api.ok.ru/fb.do) with one access
// token, every request signed as OK requires. The token and the secrets
// travel only in the request body and never appear in an error.
type rest struct {
	http   *psync.HTTPClient
	appKey string
	// token is the access token; secret the signing secret for it: the
	// session_secret_key of a client-flow token, or else
	// md5(access_token + application secret key).
	token, appSecret, sessionSecret func(context.Context) (string, error)
	pace                            *pacer
}

func newREST(base, appKey string, token, appSecret, sessionSecret func(context.Context) (string, error), perSecond int) (*rest, error) {
	c, err := psync.NewHTTPClient(strings.TrimRight(base, "/"), false, nil)
	if err != nil {
		return nil, err
	}
	c.MapError = httpError
	r := &rest{http: c, appKey: appKey, token: token, appSecret: appSecret, sessionSecret: sessionSecret}
	r.pace = &pacer{every: time.Second / time.Duration(max(perSecond, 1)), now: func() time.Time { return c.Now() },
		sleep: func(ctx context.Context, d time.Duration) error { return c.Sleep(ctx, d) }}
	return r, nil
}

// Sign is OK's request signature (apiok.ru/en/dev/methods): every
// parameter but access_token, session_key and sig, sorted by name, joined
// as name=value with nothing between them, then the secret appended; the
// lower-case hex MD5 of that. The secret is the session_secret_key when
// the token came with one, else the lower-case hex MD5 of the access
// token followed by the application's secret key.
func Sign(params url.Values, token, appSecret, sessionSecret string) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		if k == "access_token" || k == "session_key" || k == "sig" {
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(params.Get(k))
	}
	secret := sessionSecret
	if secret == "" {
		secret = md5hex(token + appSecret)
	}
	b.WriteString(secret)
	return md5hex(b.String())
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// call runs one method and decodes its result into out. OK answers
// errors with HTTP 200 and {"error_code":…,"error_msg":…,"error_data":…};
// a result may be an object, an array, a string or a bare true/false.
func (r *rest) call(ctx context.Context, method string, params url.Values, out any) error {
	token, err := r.token(ctx)
	if err != nil {
		return fmt.Errorf("%w: %v", psync.ErrAuth, err)
	}
	appSecret, sessionSecret := "", ""
	if r.sessionSecret != nil {
		if sessionSecret, err = r.sessionSecret(ctx); err != nil {
			return fmt.Errorf("%w: %v", psync.ErrAuth, err)
		}
	}
	if sessionSecret == "" {
		if appSecret, err = r.appSecret(ctx); err != nil {
			return fmt.Errorf("%w: %v", psync.ErrAuth, err)
		}
	}
	form := url.Values{}
	for k, v := range params {
		form[k] = v
	}
	form.Set("application_key", r.appKey)
	form.Set("method", method)
	form.Set("format", "json")
	form.Set("sig", Sign(form, token, appSecret, sessionSecret))
	form.Set("access_token", token)
	for attempt := 0; ; attempt++ {
		if err := r.pace.wait(ctx); err != nil {
			return err
		}
		var raw json.RawMessage
		if _, err := r.http.Do(ctx, psync.Request{Method: "POST", Path: "/fb.do", Form: form}, &raw); err != nil {
			return fmt.Errorf("ok %s: %w", method, err)
		}
		if ae, isErr := asError(raw); isErr {
			err := mapError(method, ae)
			// SERVICE (temporarily unavailable) once more after a pause.
			if ae.Code == errService && attempt < 1 {
				if err := r.http.Sleep(ctx, 2*time.Second); err != nil {
					return err
				}
				continue
			}
			return err
		}
		if len(bytes.TrimSpace(raw)) == 0 {
			return fmt.Errorf("ok %s: an empty answer; will retry", method)
		}
		if out == nil {
			return nil
		}
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("ok %s: unexpected answer (%v); will retry", method, err)
		}
		return nil
	}
}

// asError finds OK's error object in an answer.
func asError(raw json.RawMessage) (apiError, bool) {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || t[0] != '{' {
		return apiError{}, false
	}
	var ae apiError
	if json.Unmarshal(t, &ae) != nil || ae.Code == 0 {
		return apiError{}, false
	}
	return ae, true
}

// httpError maps an answer that is not HTTP 2xx (a proxy's 5xx, a 429):
// OK's own error body when it has one, the shared mapping otherwise.
func httpError(status int, h http.Header, body []byte) error {
	if ae, ok := asError(body); ok {
		return mapError("request", ae)
	}
	return nil
}

// pacer spaces requests: OK publishes no per-second limit, but floods
// are punished (FLOOD_BLOCKED), so parley keeps a steady pace.
type pacer struct {
	mu    gosync.Mutex
	every time.Duration
	next  time.Time
	now   func() time.Time
	sleep func(context.Context, time.Duration) error
}

func (p *pacer) wait(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if d := p.next.Sub(now); d > 0 {
		if err := p.sleep(ctx, d); err != nil {
			return err
		}
		now = p.now()
	}
	p.next = now.Add(p.every)
	return nil
}
