package sync

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	gosync "sync"
	"time"
)

// HTTPClient is the HTTP side every connector shares: bearer auth from a
// token source, rate limits obeyed before they are hit (X-RateLimit-*) and
// when they are (429 + Retry-After), and errors mapped to the engine's
// kinds: ErrAuth, RateLimitError, PermanentError, or retryable. Tokens
// never appear in errors.
type HTTPClient struct {
	Base  *url.URL
	HTTP  *http.Client
	Token func(context.Context) (string, error)
	// UserAgent identifies parley to servers.
	UserAgent string
	// Now and Sleep are the clock; tests replace them.
	Now   func() time.Time
	Sleep func(context.Context, time.Duration) error
	// MapError turns a network's own error body into the engine's error
	// kinds (nil: use the generic mapping).
	MapError func(status int, h http.Header, body []byte) error
	// Pace reads a network's own usage signals from a response and says
	// how long to hold the next request back (nil: none). PaceRemaining
	// builds one for a countdown header of the network's own spelling.
	Pace func(h http.Header) time.Duration

	mu        gosync.Mutex
	remaining int // -1: unknown
	reset     time.Time
	notBefore time.Time // from Pace
}

// NewHTTPClient builds a client for a base URL. insecure skips TLS
// verification (only for a local test server).
func NewHTTPClient(base string, insecure bool, token func(context.Context) (string, error)) (*HTTPClient, error) {
	u, err := url.Parse(strings.TrimRight(base, "/"))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("server %q: give a full URL such as https://mastodon.social", base)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if insecure {
		tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // opt-in, for loopback test servers
	}
	return &HTTPClient{Base: u, HTTP: &http.Client{Transport: tr, Timeout: 30 * time.Second}, Token: token,
		UserAgent: "parley (+https://github.com/parleyhq/parley)", Now: time.Now, Sleep: sleepCtx, remaining: -1}, nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// lowWater is how many requests we keep in reserve: below it we wait for
// the window to reset instead of spending the last ones.
const lowWater = 3

// Request is one API call.
type Request struct {
	Method  string
	Path    string // absolute path, or a full URL from a Link header
	Query   url.Values
	Form    url.Values // sent as application/x-www-form-urlencoded
	JSON    any        // sent as application/json
	Headers map[string]string
}

// Response is what a call returned beyond the decoded body.
type Response struct {
	Status int
	Header http.Header
	Links  map[string]string // rel → URL, from the Link header
}

// Do sends the request and decodes a JSON body into out (if not nil).
func (c *HTTPClient) Do(ctx context.Context, r Request, out any) (*Response, error) {
	if err := c.waitForBudget(ctx); err != nil {
		return nil, err
	}
	req, err := c.build(ctx, r)
	if err != nil {
		return nil, err
	}
	what := r.Method + " " + req.URL.Path
	resp, err := c.HTTP.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("%s: %w", what, scrub(err)) // timeouts and resets: retryable
	}
	defer resp.Body.Close()
	c.noteLimits(resp.Header)
	if c.Pace != nil {
		if d := c.Pace(resp.Header); d > 0 {
			c.mu.Lock()
			c.notBefore = c.Now().Add(d)
			c.mu.Unlock()
		}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, fmt.Errorf("%s: reading the answer: %w", what, err)
	}
	res := &Response{Status: resp.StatusCode, Header: resp.Header, Links: ParseLinks(resp.Header.Get("Link"))}
	if resp.StatusCode >= 300 {
		if c.MapError != nil {
			if err := c.MapError(resp.StatusCode, resp.Header, body); err != nil {
				return res, fmt.Errorf("%s: %w", what, err)
			}
		}
		return res, c.statusError(what, resp, body)
	}
	if out != nil && len(bytes.TrimSpace(body)) > 0 {
		if err := json.Unmarshal(body, out); err != nil {
			return res, fmt.Errorf("%s: malformed JSON from the server (%v); will retry", what, err)
		}
	}
	return res, nil
}

func (c *HTTPClient) build(ctx context.Context, r Request) (*http.Request, error) {
	u, err := c.Base.Parse(r.Path)
	if err != nil {
		return nil, fmt.Errorf("bad path %q: %w", r.Path, err)
	}
	// Links must stay on the server we were given: never send our token elsewhere.
	if u.Host != c.Base.Host || u.Scheme != c.Base.Scheme {
		return nil, Permanent(fmt.Errorf("refusing to follow a link to another host (%s)", u.Host))
	}
	if len(r.Query) > 0 {
		q := u.Query()
		for k, vs := range r.Query {
			q[k] = vs
		}
		u.RawQuery = q.Encode()
	}
	var body io.Reader
	ctype := ""
	switch {
	case r.Form != nil:
		body, ctype = strings.NewReader(r.Form.Encode()), "application/x-www-form-urlencoded"
	case r.JSON != nil:
		b, err := json.Marshal(r.JSON)
		if err != nil {
			return nil, err
		}
		body, ctype = bytes.NewReader(b), "application/json"
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, u.String(), body)
	if err != nil {
		return nil, err
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.UserAgent)
	for k, v := range r.Headers {
		req.Header.Set(k, v)
	}
	if c.Token != nil {
		tok, err := c.Token(ctx)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrAuth, err)
		}
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
	}
	return req, nil
}

// noteLimits remembers the rate-limit window the server reports.
func (c *HTTPClient) noteLimits(h http.Header) {
	rem := h.Get("X-RateLimit-Remaining")
	if rem == "" {
		return
	}
	n, err := strconv.Atoi(rem)
	if err != nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.remaining = n
	c.reset = parseReset(h.Get("X-RateLimit-Reset"), c.Now())
}

// parseReset reads X-RateLimit-Reset: an ISO 8601 time (Mastodon) or unix
// seconds (some other servers).
func parseReset(v string, now time.Time) time.Time {
	if v == "" {
		return now.Add(time.Minute)
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n > 1e9 {
			return time.Unix(n, 0)
		}
		return now.Add(time.Duration(n) * time.Second)
	}
	return now.Add(time.Minute)
}

// waitForBudget sleeps until the window resets when we are nearly out of
// requests, so the limit is never hit by us.
func (c *HTTPClient) waitForBudget(ctx context.Context) error {
	c.mu.Lock()
	rem, reset, notBefore := c.remaining, c.reset, c.notBefore
	c.mu.Unlock()
	if wait := notBefore.Sub(c.Now()); wait > 0 {
		if err := c.Sleep(ctx, min(wait, 15*time.Minute)); err != nil {
			return err
		}
	}
	if rem < 0 || rem > lowWater {
		return nil
	}
	wait := reset.Sub(c.Now())
	if wait <= 0 {
		return nil
	}
	if wait > 15*time.Minute {
		wait = 15 * time.Minute
	}
	if err := c.Sleep(ctx, wait); err != nil {
		return err
	}
	c.mu.Lock()
	c.remaining = -1
	c.mu.Unlock()
	return nil
}

// apiError is the usual error body: {"error": "...", "error_description": "..."}.
type apiError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

func (c *HTTPClient) statusError(what string, resp *http.Response, body []byte) error {
	var ae apiError
	_ = json.Unmarshal(body, &ae)
	msg := ae.Error
	if ae.Description != "" {
		msg += ": " + ae.Description
	}
	if msg == "" {
		msg = http.StatusText(resp.StatusCode)
	}
	msg = fmt.Sprintf("%s: %d %s", what, resp.StatusCode, Truncate(msg, 200))
	switch {
	case resp.StatusCode == http.StatusUnauthorized:
		return fmt.Errorf("%w: %s (sign in again: parley connect)", ErrAuth, msg)
	case resp.StatusCode == http.StatusForbidden:
		return fmt.Errorf("%w: %s (the token lacks a permission, or the account is suspended)", ErrAuth, msg)
	case resp.StatusCode == http.StatusTooManyRequests:
		return &RateLimitError{RetryAfter: RetryAfter(resp.Header.Get("Retry-After"), c.Now()), Msg: msg}
	case resp.StatusCode >= 500:
		return errors.New(msg) // retryable
	}
	return Permanent(errors.New(msg))
}

// RetryAfter reads a Retry-After value (seconds or an HTTP date); a minute
// when it says nothing usable.
func RetryAfter(v string, now time.Time) time.Duration {
	if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0)
	}
	return time.Minute
}

// ParseLinks reads an RFC 8288 Link header into rel → URL.
func ParseLinks(h string) map[string]string {
	out := map[string]string{}
	for _, part := range strings.Split(h, ",") {
		part = strings.TrimSpace(part)
		lt, gt := strings.Index(part, "<"), strings.Index(part, ">")
		if lt != 0 || gt < 0 {
			continue
		}
		target := part[1:gt]
		for _, p := range strings.Split(part[gt+1:], ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.TrimSpace(k) == "rel" {
				for _, rel := range strings.Fields(strings.Trim(v, `"`)) {
					out[rel] = target
				}
			}
		}
	}
	return out
}

// scrub drops the URL from transport errors (it may carry query secrets).
func scrub(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}

// Truncate cuts s to n characters, marking the cut with an ellipsis, for
// remote text quoted in an error.
func Truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
