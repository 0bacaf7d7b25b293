package vk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	gosync "sync"
	"time"

	psync "github.com/parleyhq/parley/sync"
)

// Version is the API version parley speaks; the fake and the schema in
// testdata are for the same one.
const Version = "5.199"

// tokenKind is which of the community's two credentials a call uses. VK
// decides per method which kinds it accepts (the schema's
// access_token_type): a community token for messages, Long Poll and wall
// replies; an admin user token for reading walls and boards and for
// moderation.
type tokenKind int

const (
	anyToken tokenKind = iota
	groupToken
	userToken
)

func (k tokenKind) what() string {
	switch k {
	case groupToken:
		return "community token"
	case userToken:
		return "user token"
	}
	return "token"
}

// api calls VK methods with one credential, paced below VK's per-token
// limit so error 6 is not how we find the limit.
type api struct {
	kind tokenKind
	http *psync.HTTPClient
	pace *pacer
	// retries6 is how often a call is repeated after error 6 (too many
	// requests per second: another app may share the token) before the
	// engine is told to back off.
	retries6 int
}

func newAPI(base string, kind tokenKind, token func(context.Context) (string, error), perSecond int) (*api, error) {
	c, err := psync.NewHTTPClient(strings.TrimRight(base, "/"), false, token)
	if err != nil {
		return nil, err
	}
	c.MapError = httpError
	a := &api{kind: kind, http: c, retries6: 3}
	a.pace = &pacer{limit: perSecond, now: func() time.Time { return c.Now() }, sleep: func(ctx context.Context, d time.Duration) error { return c.Sleep(ctx, d) }}
	return a, nil
}

// call runs one method with form-encoded parameters (VK takes no JSON
// bodies) and decodes the response member into out.
func (a *api) call(ctx context.Context, method string, params url.Values, out any) error {
	form := url.Values{}
	for k, v := range params {
		form[k] = v
	}
	form.Set("v", Version)
	var lastErr error
	for attempt := 0; ; attempt++ {
		if err := a.pace.wait(ctx); err != nil {
			return err
		}
		var env struct {
			Response json.RawMessage `json:"response"`
			Error    *apiError       `json:"error"`
		}
		_, err := a.http.Do(ctx, psync.Request{Method: "POST", Path: "/method/" + method, Form: form}, &env)
		if err != nil {
			return fmt.Errorf("vk %s: %w", method, err)
		}
		if env.Error != nil {
			lastErr = mapError(method, a.kind, *env.Error)
			retry := (env.Error.Code == errTooMany && attempt < a.retries6) || (env.Error.Code == errInternal && attempt < 1)
			if !retry {
				return lastErr
			}
			// Obey: wait a whole window before the same call again.
			if err := a.http.Sleep(ctx, time.Second+a.pace.margin()); err != nil {
				return err
			}
			continue
		}
		if len(env.Response) == 0 {
			return fmt.Errorf("vk %s: the answer has neither response nor error; will retry", method)
		}
		if out == nil {
			return nil
		}
		if err := json.Unmarshal(env.Response, out); err != nil {
			return fmt.Errorf("vk %s: unexpected response shape (%v); will retry", method, err)
		}
		return nil
	}
}

// pacer keeps at most limit requests in any one-second window.
type pacer struct {
	mu    gosync.Mutex
	limit int
	sent  []time.Time // start times of the last limit requests
	now   func() time.Time
	sleep func(context.Context, time.Duration) error
}

// margin covers clock skew between us and VK's counter.
func (p *pacer) margin() time.Duration { return 50 * time.Millisecond }

func (p *pacer) wait(ctx context.Context) error {
	if p.limit <= 0 {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		now := p.now()
		if len(p.sent) < p.limit {
			p.sent = append(p.sent, now)
			return nil
		}
		d := p.sent[0].Add(time.Second + p.margin()).Sub(now)
		if d <= 0 {
			p.sent = append(p.sent[1:], now)
			return nil
		}
		if err := p.sleep(ctx, d); err != nil {
			return err
		}
	}
}

// ids joins ints the way VK takes lists: comma-separated.
func ids[T ~int | ~int64](xs []T) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ",")
}

var errNoToken = errors.New("no token")
