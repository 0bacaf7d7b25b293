package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	psync "github.com/parleyhq/parley/sync"
)

// The Bot API takes the token in the path (/bot<TOKEN>/<method>). parley's
// requests name only /bot/<method>; botTransport puts the token in as the
// request leaves, so no error, log line or redirect built from our request
// can ever show it.
type botTransport struct {
	base  http.RoundTripper
	token func(context.Context) (string, error)
}

func (t *botTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	tok, err := t.token(req.Context())
	if err != nil {
		return nil, errNoToken
	}
	if strings.ContainsAny(tok, "/?#% \t\n") {
		return nil, errBadToken
	}
	r := req.Clone(req.Context())
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot/")
	if !ok {
		return nil, fmt.Errorf("telegram: refusing an unexpected path")
	}
	r.URL.Path = "/bot" + tok + "/" + rest
	r.URL.RawPath = ""
	return t.base.RoundTrip(r)
}

var (
	errNoToken  = errors.New("the bot token could not be read")
	errBadToken = errors.New("the bot token has characters a bot token never has (it looks like 123456:ABC-…)")
)

// api calls Bot API methods with JSON bodies.
type api struct {
	http  *psync.HTTPClient
	token func(context.Context) (string, error)
}

func newAPI(base string, token func(context.Context) (string, error)) (*api, error) {
	hc, err := psync.NewHTTPClient(strings.TrimRight(base, "/"), false, nil)
	if err != nil {
		return nil, err
	}
	hc.HTTP.Transport = &botTransport{base: hc.HTTP.Transport, token: token}
	// A long poll holds the request up to pollTimeout; the client must
	// wait longer than Telegram does.
	hc.HTTP.Timeout = pollTimeout + 20*time.Second
	hc.MapError = mapHTTPError
	return &api{http: hc, token: token}, nil
}

// call runs one method and decodes its result into out.
func (a *api) call(ctx context.Context, method string, params any, out any) error {
	// Read the token first so that a missing one is an auth problem, not
	// a transport failure to retry.
	if _, err := a.token(ctx); err != nil {
		return fmt.Errorf("%w: telegram: %v", psync.ErrAuth, err)
	}
	if params == nil {
		params = struct{}{}
	}
	var env envelope
	_, err := a.http.Do(ctx, psync.Request{Method: "POST", Path: "/bot/" + method, JSON: params}, &env)
	if err != nil {
		if errors.Is(err, errNoToken) || errors.Is(err, errBadToken) {
			return fmt.Errorf("%w: telegram %s: %v", psync.ErrAuth, method, err)
		}
		return fmt.Errorf("telegram %s: %w", method, err)
	}
	if !env.OK {
		if env.ErrorCode == 0 && env.Description == "" {
			return fmt.Errorf("telegram %s: the answer is not a Bot API answer; will retry", method)
		}
		return fmt.Errorf("telegram %s: %w", method, mapError(env))
	}
	if out == nil {
		return nil
	}
	if len(env.Result) == 0 {
		return fmt.Errorf("telegram %s: ok without a result; will retry", method)
	}
	if err := json.Unmarshal(env.Result, out); err != nil {
		return fmt.Errorf("telegram %s: unexpected result shape (%v); will retry", method, err)
	}
	return nil
}
