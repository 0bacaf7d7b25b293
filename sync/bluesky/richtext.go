package bluesky

import (
	"context"
	"hash/fnv"
	"regexp"
	"strings"
	"time"
)

// Facets mark mentions, links and tags in a post by UTF-8 byte offsets
// (app.bsky.richtext.facet): without them Bluesky shows them as plain
// text and notifies nobody.
var (
	mentionRE = regexp.MustCompile(`(?:^|[\s(])(@[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?\.[a-zA-Z]{2,})`)
	linkRE    = regexp.MustCompile(`https?://[^\s<>"]+`)
	tagRE     = regexp.MustCompile(`(?:^|\s)(#[^\d\s\p{P}][^\s\p{P}]*)`)
)

// facets finds the rich text in text; resolve turns a handle into a DID
// ("" when it names nobody: that mention stays plain text).
func facets(ctx context.Context, text string, resolve func(context.Context, string) string) []facet {
	var out []facet
	for _, m := range mentionRE.FindAllStringSubmatchIndex(text, -1) {
		s, e := m[2], m[3]
		if did := resolve(ctx, text[s+1:e]); did != "" {
			out = append(out, facet{Index: byteSlice{s, e}, Features: []map[string]any{{"$type": "app.bsky.richtext.facet#mention", "did": did}}})
		}
	}
	for _, m := range linkRE.FindAllStringIndex(text, -1) {
		s, e := m[0], m[1]
		e = s + len(strings.TrimRight(text[s:e], ".,;:!?)'"))
		out = append(out, facet{Index: byteSlice{s, e}, Features: []map[string]any{{"$type": "app.bsky.richtext.facet#link", "uri": text[s:e]}}})
	}
	for _, m := range tagRE.FindAllStringSubmatchIndex(text, -1) {
		s, e := m[2], m[3]
		if tag := text[s+1 : e]; len(tag) <= 64 {
			out = append(out, facet{Index: byteSlice{s, e}, Features: []map[string]any{{"$type": "app.bsky.richtext.facet#tag", "tag": tag}}})
		}
	}
	return out
}

// resolveHandle asks the PDS for a handle's DID; any failure leaves the
// mention as plain text rather than fail the reply.
func (c *Connector) resolveHandle(ctx context.Context, handle string) string {
	var ans struct {
		DID string `json:"did"`
	}
	if err := c.api.get(ctx, "com.atproto.identity.resolveHandle", map[string][]string{"handle": {handle}}, &ans); err != nil {
		return ""
	}
	if !strings.HasPrefix(ans.DID, "did:") {
		return ""
	}
	return ans.DID
}

const tidAlphabet = "234567abcdefghijklmnopqrstuvwxyz"

// tid is the record key of an outbox action: a TID (13 base32-sortable
// characters: microseconds, then a 10-bit clock id) made from when the
// action was queued and its idempotency key, so every attempt of one
// action writes the same record and a retry cannot post twice.
func tid(queued time.Time, key string) string {
	h := fnv.New64a()
	h.Write([]byte(key))
	sum := h.Sum64()
	us := uint64(queued.UnixMicro())
	if queued.IsZero() || queued.UnixMicro() <= 0 {
		us = sum >> 11 // no queue time: still stable per key
	}
	v := (us&(1<<53-1))<<10 | sum&0x3ff
	var b [13]byte
	for i := 12; i >= 0; i-- {
		b[i] = tidAlphabet[v&31]
		v >>= 5
	}
	return string(b[:])
}
