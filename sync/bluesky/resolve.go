package bluesky

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/parleyhq/parley/inbox/sanitize"
	psync "github.com/parleyhq/parley/sync"
)

// Where an account lives is found from its handle, not assumed: the
// handle resolves to a DID (com.atproto.identity.resolveHandle, answered
// by any AppView for any handle), and the DID document names the PDS
// (#atproto_pds). A self-hosted account then signs in at its own PDS.

// Resolver finds an account's PDS. The zero value uses Bluesky's public
// AppView and the PLC directory.
type Resolver struct {
	AppView string // https://public.api.bsky.app
	PLC     string // https://plc.directory
	HTTP    *http.Client
}

// PDS returns the handle's DID and the address of its PDS.
func (r Resolver) PDS(ctx context.Context, handle string) (did, pds string, err error) {
	handle = strings.TrimPrefix(strings.TrimSpace(handle), "@")
	appView, plc := or(r.AppView, "https://public.api.bsky.app"), or(r.PLC, "https://plc.directory")
	var ans struct {
		DID string `json:"did"`
	}
	if err := r.getJSON(ctx, appView+"/xrpc/com.atproto.identity.resolveHandle?handle="+url.QueryEscape(handle), &ans); err != nil {
		return "", "", fmt.Errorf("looking up the handle %s: %w", handle, err)
	}
	var doc didDoc
	switch {
	case strings.HasPrefix(ans.DID, "did:plc:"):
		err = r.getJSON(ctx, plc+"/"+url.PathEscape(ans.DID), &doc)
	case strings.HasPrefix(ans.DID, "did:web:"):
		host := strings.TrimPrefix(ans.DID, "did:web:")
		if strings.ContainsAny(host, "/:?#@") || host == "" {
			return "", "", fmt.Errorf("the handle %s resolves to %q, which is not a did:web parley can follow", handle, ans.DID)
		}
		err = r.getJSON(ctx, "https://"+host+"/.well-known/did.json", &doc)
	default:
		return "", "", fmt.Errorf("the handle %s resolves to %q, not a did:plc or did:web", handle, ans.DID)
	}
	if err != nil {
		return "", "", fmt.Errorf("reading the DID document of %s: %w", ans.DID, err)
	}
	if pds = doc.pds(); pds == "" {
		return "", "", fmt.Errorf("the DID document of %s names no PDS (#atproto_pds)", ans.DID)
	}
	return ans.DID, pds, nil
}

func (r Resolver) getJSON(ctx context.Context, u string, v any) error {
	client := r.HTTP
	if client == nil {
		client = &http.Client{Timeout: 20 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, "GET", u, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %s: %s", req.URL.Host, resp.Status, sanitize.Line(psync.Truncate(string(body), 200)))
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("%s answered something that is not the expected JSON: %v", req.URL.Host, err)
	}
	return nil
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return strings.TrimRight(s, "/")
}

// BlueskyHosted says whether a PDS is one of Bluesky's own, where the
// entryway (DefaultService) opens sessions; any other PDS is signed in to
// directly.
func BlueskyHosted(pds string) bool {
	u, err := url.Parse(pds)
	return err == nil && (strings.HasSuffix(u.Hostname(), ".bsky.network") || u.Hostname() == "bsky.social")
}
