package bluesky

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
)

// The sign-in side, for `parley connect bluesky`: open a session with the
// handle and app password, and see whether it may read direct messages.

// Account is who signed in.
type Account struct {
	DID    string
	Handle string
	PDS    string
	// Session is the opened session (JSON, secret): saved for the
	// connector so the first sync need not sign in again.
	Session string
	// NoChat says why direct messages cannot be read ("" when they can).
	NoChat string
}

// SignIn opens a session at service (the entryway, or a self-hosted PDS).
func SignIn(ctx context.Context, service, handle, password string) (Account, error) {
	handle = strings.TrimPrefix(strings.TrimSpace(handle), "@")
	if handle == "" {
		return Account{}, errors.New("give the account's handle, e.g. acme.bsky.social")
	}
	pw := strings.TrimSpace(password)
	a, err := newAPI(Options{Handle: handle, Service: service}, func(context.Context) (string, error) { return pw, nil })
	if err != nil {
		return Account{}, err
	}
	if _, _, err := a.ensure(ctx); err != nil {
		return Account{}, err
	}
	a.mu.Lock()
	s := *a.sess
	a.mu.Unlock()
	b, _ := json.Marshal(s)
	acc := Account{DID: s.DID, Handle: s.Handle, PDS: s.PDS, Session: string(b)}
	err = a.get(ctx, "chat.bsky.convo.listConvos", map[string][]string{"limit": {"1"}}, &convoPage{})
	switch {
	case errors.Is(err, errNoChat):
		acc.NoChat = "this app password has no access to direct messages: create one with “Allow access to your direct messages” ticked to answer DMs too"
	case err != nil:
		acc.NoChat = "direct messages could not be checked (" + err.Error() + "); parley will try again while syncing"
	}
	return acc, nil
}
