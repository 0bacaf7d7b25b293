package x

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const joID = "1600000000000000002"

// dmConvWith is the one-to-one conversation id X gives the brand and a user.
func dmConvWith(userID string) string { return brandID + "-" + userID }

// addDM stores a DM event (the fake's lock is taken).
func (f *fakeX) addDM(id, sender, username, conv, text string, at time.Time) {
	f.with(func() {
		if f.users[sender] == nil {
			f.users[sender] = map[string]any{"id": sender, "username": username, "name": strings.ToUpper(username[:1]) + username[1:]}
		}
		f.dms = append(f.dms, map[string]any{"id": id, "event_type": "MessageCreate", "text": text, "sender_id": sender,
			"dm_conversation_id": conv, "created_at": at.UTC().Format("2006-01-02T15:04:05.000Z")})
	})
}

func dmID(n int) string { return fmt.Sprintf("17%017d", n) }

func (f *fakeX) handleDM(r *http.Request, body map[string]any) (any, int) {
	q := r.URL.Query()
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	key := r.Method + " " + route(r.URL.Path)
	if f.noDMScope {
		return map[string]any{"title": "Forbidden", "detail": "You are not permitted to perform this action.", "type": "about:blank", "status": 403}, 403
	}
	switch key {
	case "GET /2/dm_events", "GET /2/dm_conversations/:id/dm_events":
		if f.dmReads++; f.dmReads > 15 {
			return map[string]any{"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429}, 429
		}
		n := 100
		if q.Has("max_results") {
			var err error
			if n, err = strconv.Atoi(q.Get("max_results")); err != nil || n < 1 || n > 100 {
				return map[string]any{"title": "Invalid Request", "detail": "One or more parameters to your request was invalid.", "type": "https://api.twitter.com/2/problems/invalid-request"}, 400
			}
		}
		var all []map[string]any
		for i := len(f.dms) - 1; i >= 0; i-- {
			if e := f.dms[i]; key == "GET /2/dm_events" || e["dm_conversation_id"] == parts[2] {
				all = append(all, e)
			}
		}
		start := 0
		if tok := q.Get("pagination_token"); tok != "" {
			start, _ = strconv.Atoi(strings.TrimPrefix(tok, "DMPAGE"))
		}
		end := min(start+n, len(all))
		data := all[min(start, len(all)):end]
		meta := map[string]any{"result_count": len(data)}
		out := map[string]any{"meta": meta}
		if len(data) > 0 {
			out["data"] = data
			f.read.dms += len(data)
		}
		if end < len(all) {
			meta["next_token"] = "DMPAGE" + strconv.Itoa(end)
		}
		if strings.Contains(q.Get("expansions"), "sender_id") {
			seen := map[string]bool{}
			var us []any
			for _, e := range data {
				if s := e["sender_id"].(string); !seen[s] {
					seen[s] = true
					us = append(us, f.users[s])
				}
			}
			if len(us) > 0 {
				out["includes"] = map[string]any{"users": us}
				f.read.users += len(us)
			}
		}
		return out, 200
	case "POST /2/dm_conversations/:id/messages":
		known := false
		for _, e := range f.dms {
			known = known || e["dm_conversation_id"] == parts[2]
		}
		if !known {
			return map[string]any{"title": "Forbidden", "detail": "You cannot send messages to this conversation.", "type": "about:blank", "status": 403}, 403
		}
		f.n++
		id := dmID(900 + f.n)
		f.dms = append(f.dms, map[string]any{"id": id, "event_type": "MessageCreate", "text": body["text"], "sender_id": brandID,
			"dm_conversation_id": parts[2], "created_at": time.Now().UTC().Format("2006-01-02T15:04:05.000Z")})
		return map[string]any{"data": map[string]any{"dm_conversation_id": parts[2], "dm_event_id": id}}, 201
	}
	return map[string]any{"title": "Not Found Error", "detail": "no such route", "type": "about:blank", "status": 404}, 404
}
