package vk

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// handle answers one schema-valid call: the response, or an error code.
func (f *fakeVK) handle(method, kind string, p url.Values) (any, int, string) {
	owner := -f.groupID
	ownerOK := func(k string) bool { return p.Get(k) == fmt.Sprint(owner) }
	groupOK := func() bool { return p.Get("group_id") == "" || p.Get("group_id") == fmt.Sprint(f.groupID) }
	switch method {
	case "groups.getById":
		return map[string]any{"groups": []any{map[string]any{"id": f.groupID, "name": "Кофейня «Зерно» ☕", "screen_name": "zerno_coffee",
			"is_closed": 0, "type": "page", "is_admin": 1, "admin_level": 3}}, "profiles": []any{}}, 0, ""
	case "groups.get":
		return map[string]any{"count": 1, "items": []any{map[string]any{"id": f.groupID, "name": "Кофейня «Зерно» ☕",
			"screen_name": "zerno_coffee", "is_closed": 0, "type": "page", "is_admin": 1, "admin_level": 3}}}, 0, ""
	case "groups.getTokenPermissions":
		return map[string]any{"mask": 4096 + 262144, "permissions": []any{map[string]any{"name": "messages", "setting": 4096},
			map[string]any{"name": "manage", "setting": 262144}}}, 0, ""
	case "groups.getLongPollSettings":
		ev := map[string]any{}
		for _, k := range []string{"audio_new", "board_post_delete", "board_post_edit", "board_post_new", "board_post_restore", "group_change_photo",
			"group_change_settings", "group_join", "group_leave", "group_officers_edit", "market_comment_delete", "market_comment_edit",
			"market_comment_new", "market_comment_restore", "message_allow", "message_deny", "message_new", "message_read", "message_reply",
			"message_typing_state", "message_edit", "photo_comment_delete", "photo_comment_edit", "photo_comment_new", "photo_comment_restore",
			"photo_new", "poll_vote_new", "user_block", "user_unblock", "video_comment_delete", "video_comment_edit", "video_comment_new",
			"video_comment_restore", "video_new", "message_reaction_event", "wall_post_new", "wall_reply_delete", "wall_reply_edit",
			"wall_reply_new", "wall_reply_restore", "wall_repost", "wall_schedule_post_new", "wall_schedule_post_delete"} {
			ev[k] = 1
		}
		for _, k := range []string{"donut_money_withdraw", "donut_money_withdraw_error", "donut_subscription_cancelled", "donut_subscription_create",
			"donut_subscription_expired", "donut_subscription_price_changed", "donut_subscription_prolonged"} {
			ev[k] = 0
		}
		ev["message_typing_state"] = 0
		return map[string]any{"is_enabled": f.lpEnabled, "api_version": Version, "events": ev}, 0, ""
	case "groups.getLongPollServer":
		if !groupOK() {
			return nil, 15, "wrong group"
		}
		return map[string]any{"key": f.lpKey, "server": f.srv.URL + fmt.Sprintf("/lp/wh%d", f.groupID), "ts": strconv.Itoa(len(f.lpEvents))}, 0, ""
	case "users.get":
		var out []any
		for _, s := range strings.Split(p.Get("user_ids"), ",") {
			id := atoi(s)
			if n, ok := f.users[id]; ok {
				out = append(out, map[string]any{"id": id, "first_name": n[0], "last_name": n[1], "screen_name": fmt.Sprintf("user%d", id)})
			}
		}
		return orEmpty(out), 0, ""
	case "wall.get":
		if p.Get("owner_id") != fmt.Sprint(owner) {
			return nil, 15, "wrong owner"
		}
		// Newest first, the pinned post on top.
		all := slices.Clone(f.posts)
		slices.SortStableFunc(all, func(a, b *fPost) int {
			if a.Pinned != b.Pinned {
				if a.Pinned {
					return -1
				}
				return 1
			}
			return int(b.Date - a.Date)
		})
		pg := page(all, p, 20)
		items := []any{}
		ids := map[int64]bool{}
		for _, ps := range pg {
			ids[ps.FromID] = true
			o := map[string]any{"id": ps.ID, "owner_id": owner, "from_id": ps.FromID, "date": ps.Date, "text": ps.Text, "post_type": "post",
				"comments": map[string]any{"count": ps.live(), "can_post": 1, "groups_can_post": true},
				"likes":    map[string]any{"count": 3, "user_likes": 0, "can_like": 1}, "views": map[string]any{"count": 120}, "inner_type": "wall_wallpost"}
			if ps.Pinned {
				o["is_pinned"] = 1
			}
			items = append(items, o)
		}
		res := map[string]any{"count": len(f.posts), "items": items}
		if p.Get("extended") == "1" {
			res["profiles"], res["groups"] = f.profiles(ids)
		}
		return res, 0, ""
	case "wall.getComments":
		ps := f.post(int(atoi(p.Get("post_id"))))
		if ps == nil || !ownerOK("owner_id") {
			return nil, 100, "post_id is invalid"
		}
		var level []*fComment
		top := atoi(p.Get("comment_id"))
		for _, c := range ps.Comments {
			// VK lists a deleted comment only while it has replies, as a placeholder.
			if c.Top == top && (!c.Deleted || ps.hasReplies(c.ID)) {
				level = append(level, c)
			}
		}
		if p.Get("sort") == "desc" {
			slices.Reverse(level)
		}
		ids := map[int64]bool{}
		items := []any{}
		for _, c := range page(level, p, 10) {
			ids[c.FromID] = true
			items = append(items, f.commentObj(c, p.Get("thread_items_count") != "" && p.Get("thread_items_count") != "0", ps))
		}
		res := map[string]any{"count": len(ps.Comments), "current_level_count": len(level), "items": items, "can_post": true,
			"show_reply_button": true, "groups_can_post": true}
		if top != 0 {
			res["count"] = len(level)
		}
		if p.Get("extended") == "1" {
			res["profiles"], res["groups"] = f.profiles(ids)
		}
		return res, 0, ""
	case "wall.getComment":
		for _, ps := range f.posts {
			for _, c := range ps.Comments {
				if c.ID == atoi(p.Get("comment_id")) && ownerOK("owner_id") {
					return map[string]any{"items": []any{f.commentObj(c, false, ps)}}, 0, ""
				}
			}
		}
		return nil, 100, "comment_id is invalid"
	case "wall.createComment":
		ps := f.post(int(atoi(p.Get("post_id"))))
		if ps == nil || !ownerOK("owner_id") {
			return nil, 100, "post_id is invalid"
		}
		if g := p.Get("guid"); g != "" {
			if id, ok := f.guids[g]; ok {
				return map[string]any{"comment_id": id, "parents_stack": []int64{}}, 0, ""
			}
		}
		c := &fComment{ID: f.id(), FromID: owner, Date: f.clock.Now().Unix(), Text: p.Get("message"), PostID: ps.ID}
		if kind == "user" && p.Get("from_group") == "" {
			c.FromID = 777
		}
		stack := []int64{}
		if rt := atoi(p.Get("reply_to_comment")); rt != 0 {
			for _, x := range ps.Comments {
				if x.ID == rt {
					c.Top, c.ReplyTo = x.ID, rt
					if x.Top != 0 {
						c.Top = x.Top
					}
				}
			}
			stack = []int64{c.Top}
		}
		ps.Comments = append(ps.Comments, c)
		f.guids[p.Get("guid")] = c.ID
		return map[string]any{"comment_id": c.ID, "parents_stack": stack}, 0, ""
	case "wall.deleteComment", "wall.restoreComment":
		for _, ps := range f.posts {
			for _, c := range ps.Comments {
				if c.ID == atoi(p.Get("comment_id")) && ownerOK("owner_id") {
					c.Deleted = method == "wall.deleteComment"
					return 1, 0, ""
				}
			}
		}
		return nil, 104, ""
	case "board.getTopics":
		if !groupOK() {
			return nil, 15, ""
		}
		ts := slices.Clone(f.topics)
		slices.SortFunc(ts, func(a, b *fTopic) int { return int(b.Updated - a.Updated) })
		if want := p.Get("topic_ids"); want != "" {
			ts = slices.DeleteFunc(ts, func(t *fTopic) bool { return !slices.Contains(strings.Split(want, ","), strconv.Itoa(t.ID)) })
		}
		items := []any{}
		for _, t := range page(ts, p, 40) {
			items = append(items, map[string]any{"id": t.ID, "title": t.Title, "created": t.Created, "created_by": -f.groupID,
				"updated": t.Updated, "updated_by": -f.groupID, "is_closed": 0, "is_fixed": 0, "comments": len(t.Comments)})
		}
		res := map[string]any{"count": len(ts), "items": items, "default_order": 1, "can_add_topics": 1}
		if p.Get("extended") == "1" {
			res["profiles"], res["groups"] = f.profiles(map[int64]bool{-f.groupID: true})
		}
		return res, 0, ""
	case "board.getComments":
		t := f.topic(int(atoi(p.Get("topic_id"))))
		if t == nil || !groupOK() {
			return nil, 100, "topic_id is invalid"
		}
		cs := slices.Clone(t.Comments)
		if start := atoi(p.Get("start_comment_id")); start != 0 {
			if i := slices.IndexFunc(cs, func(c *fComment) bool { return c.ID >= start }); i >= 0 {
				cs = cs[i:]
			} else {
				cs = nil
			}
		}
		if p.Get("sort") == "desc" {
			slices.Reverse(cs)
		}
		ids := map[int64]bool{}
		items := []any{}
		for _, c := range page(cs, p, 20) {
			ids[c.FromID] = true
			items = append(items, map[string]any{"id": c.ID, "from_id": c.FromID, "date": c.Date, "text": c.Text,
				"likes": map[string]any{"count": 0, "user_likes": 0, "can_like": 1}})
		}
		res := map[string]any{"count": len(t.Comments), "items": items}
		if p.Get("extended") == "1" {
			res["profiles"], res["groups"] = f.profiles(ids)
		}
		return res, 0, ""
	case "board.createComment":
		t := f.topic(int(atoi(p.Get("topic_id"))))
		if t == nil || !groupOK() {
			return nil, 100, "topic_id is invalid"
		}
		if id, ok := f.guids[p.Get("guid")]; ok && p.Get("guid") != "" {
			return id, 0, ""
		}
		c := &fComment{ID: f.id(), FromID: -f.groupID, Date: f.clock.Now().Unix(), Text: p.Get("message"), TopicID: t.ID}
		t.Comments = append(t.Comments, c)
		f.guids[p.Get("guid")] = c.ID
		return c.ID, 0, ""
	case "board.deleteComment":
		t := f.topic(int(atoi(p.Get("topic_id"))))
		if t == nil {
			return nil, 104, ""
		}
		n := len(t.Comments)
		t.Comments = slices.DeleteFunc(t.Comments, func(c *fComment) bool { return c.ID == atoi(p.Get("comment_id")) })
		if n == len(t.Comments) {
			return nil, 104, ""
		}
		return 1, 0, ""
	case "groups.ban":
		if !groupOK() || atoi(p.Get("owner_id")) <= 0 {
			return nil, 100, "owner_id is invalid"
		}
		return 1, 0, ""
	case "market.get", "market.getComments", "market.createComment", "market.deleteComment", "market.restoreComment", "market.getById":
		return f.market(method, p)
	case "messages.getConversations":
		peers := make([]int64, 0, len(f.dialogs))
		for peer := range f.dialogs {
			peers = append(peers, peer)
		}
		last := func(peer int64) *fMsg { d := f.dialogs[peer]; return d[len(d)-1] }
		slices.SortFunc(peers, func(a, b int64) int { return int(last(b).ID - last(a).ID) })
		ids := map[int64]bool{}
		items := []any{}
		for _, peer := range page(peers, p, 20) {
			ids[peer] = true
			lm := last(peer)
			items = append(items, map[string]any{"conversation": map[string]any{"peer": map[string]any{"id": peer, "type": "user", "local_id": peer},
				"last_message_id": lm.ID, "last_conversation_message_id": lm.CMID, "in_read": lm.ID, "out_read": lm.ID, "version": 1,
				"can_write": map[string]any{"allowed": true}}, "last_message": f.msgObj(lm)})
		}
		res := map[string]any{"count": len(peers), "items": items, "unread_count": 0}
		if p.Get("extended") == "1" {
			res["profiles"], res["groups"] = f.profiles(ids)
		}
		return res, 0, ""
	case "messages.getHistory":
		d := slices.Clone(f.dialogs[atoi(p.Get("peer_id"))])
		if p.Get("rev") != "1" {
			slices.Reverse(d)
		}
		ids := map[int64]bool{}
		items := []any{}
		for _, m := range page(d, p, 20) {
			ids[m.From] = true
			items = append(items, f.msgObj(m))
		}
		res := map[string]any{"count": len(d), "items": items}
		if p.Get("extended") == "1" {
			res["profiles"], res["groups"] = f.profiles(ids)
		}
		return res, 0, ""
	case "messages.send":
		peer := atoi(p.Get("peer_id"))
		if _, ok := f.dialogs[peer]; !ok {
			return nil, 901, "" // the user never wrote to the community
		}
		key := p.Get("peer_id") + "/" + p.Get("random_id")
		if id, ok := f.sentRIDs[key]; ok {
			return id, 0, "" // the same random_id again: not sent twice
		}
		m := f.addMessageLocked(peer, -f.groupID, p.Get("message"), f.clock.Now(), atoi(p.Get("random_id")))
		f.sentRIDs[key] = m.ID
		return m.ID, 0, ""
	}
	return nil, 3, "the fake does not implement it"
}

func (f *fakeVK) post(id int) *fPost {
	for _, p := range f.posts {
		if p.ID == id {
			return p
		}
	}
	return nil
}

func (f *fakeVK) topic(id int) *fTopic {
	for _, t := range f.topics {
		if t.ID == id {
			return t
		}
	}
	return nil
}

func (f *fakeVK) msgObj(m *fMsg) map[string]any {
	out := 0
	if m.Out {
		out = 1
	}
	o := map[string]any{"id": m.ID, "date": m.Date, "peer_id": m.Peer, "from_id": m.From, "text": m.Text, "out": out,
		"conversation_message_id": m.CMID, "version": 1, "attachments": []any{}, "fwd_messages": []any{}, "important": false, "is_hidden": false}
	if a, ok := f.msgAtts[m.ID]; ok {
		o["attachments"] = a
	}
	if m.RandomID != 0 {
		o["random_id"] = m.RandomID
	}
	return o
}

// serveLongPoll is the Bots Long Poll server: a_check with key, ts and
// wait; it holds the request until an event or the wait (capped at lpHold
// real time) runs out.
func (f *fakeVK) serveLongPoll(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f.mu.Lock()
	f.lpChecks++
	f.calls = append(f.calls, fCall{Method: "a_check", Params: q})
	f.changed.Notify()
	switch {
	case q.Get("act") != "a_check":
		f.mu.Unlock()
		http.Error(w, "bad act", 400)
		return
	case f.lpFail != 0:
		n := f.lpFail
		f.lpFail = 0
		ans := map[string]any{"failed": n}
		if n == 1 {
			ans["ts"] = strconv.Itoa(len(f.lpEvents))
		}
		f.mu.Unlock()
		f.writeJSON(w, ans)
		return
	case q.Get("key") != f.lpKey:
		f.mu.Unlock()
		f.writeJSON(w, map[string]any{"failed": 2})
		return
	}
	ts := int(atoi(q.Get("ts")))
	if ts < f.lpFirst {
		f.mu.Unlock()
		f.writeJSON(w, map[string]any{"failed": 1, "ts": strconv.Itoa(len(f.lpEvents))})
		return
	}
	wait := time.Duration(atoi(q.Get("wait"))) * time.Second
	for ts >= len(f.lpEvents) && wait > 0 {
		wake := f.lpWake
		f.mu.Unlock()
		select {
		case <-wake:
		case <-time.After(min(wait, f.lpHold)):
			wait = 0
		case <-r.Context().Done():
			return
		}
		f.mu.Lock()
	}
	ups := []any{}
	for i := ts; i < len(f.lpEvents); i++ {
		ups = append(ups, f.lpEvents[i])
	}
	next := strconv.Itoa(len(f.lpEvents))
	f.mu.Unlock()
	f.writeJSON(w, map[string]any{"ts": next, "updates": ups})
}

// market serves the shop's items and their comments (user token only, as
// the schema says; a community without a shop gets error 1438).
func (f *fakeVK) market(method string, p url.Values) (any, int, string) {
	if !f.marketOn {
		return nil, 1438, ""
	}
	owner := fmt.Sprint(-f.groupID)
	if method != "market.getById" && p.Get("owner_id") != owner {
		return nil, 205, ""
	}
	itemObj := func(it *fItem) map[string]any {
		return map[string]any{"id": it.ID, "owner_id": -f.groupID, "title": it.Title, "description": it.Desc, "date": it.Date,
			"price":        map[string]any{"amount": "45000", "currency": map[string]any{"id": 643, "name": "RUB", "title": "Рубль"}, "text": "450 ₽"},
			"category":     map[string]any{"inner_type": "market_market_category_nested", "id": 1, "name": "Кофе"},
			"availability": 0, "thumb_photo": "https://sun9-2.userapi.com/item.jpg"}
	}
	switch method {
	case "market.get":
		items := []any{}
		for _, it := range page(f.items, p, 100) {
			items = append(items, itemObj(it))
		}
		return map[string]any{"count": len(f.items), "items": items}, 0, ""
	case "market.getById":
		items := []any{}
		for _, it := range f.items {
			if slices.Contains(strings.Split(p.Get("item_ids"), ","), fmt.Sprintf("%s_%d", owner, it.ID)) {
				items = append(items, itemObj(it))
			}
		}
		return map[string]any{"count": len(items), "items": items}, 0, ""
	}
	if method == "market.deleteComment" || method == "market.restoreComment" {
		for _, it := range f.items {
			for _, c := range it.Comments {
				if c.ID == atoi(p.Get("comment_id")) {
					c.Deleted = method == "market.deleteComment"
					return 1, 0, ""
				}
			}
		}
		return 0, 0, "" // base_bool_response: 0 when the comment is not found
	}
	var it *fItem
	for _, x := range f.items {
		if x.ID == int(atoi(p.Get("item_id"))) {
			it = x
		}
	}
	if it == nil {
		return nil, 1403, ""
	}
	if method == "market.createComment" {
		if id, ok := f.guids[p.Get("guid")]; ok && p.Get("guid") != "" {
			return id, 0, ""
		}
		c := &fComment{ID: f.id(), FromID: -f.groupID, Date: f.clock.Now().Unix(), Text: p.Get("message"), ItemID: it.ID, ReplyTo: atoi(p.Get("reply_to_comment"))}
		if p.Get("from_group") != "1" {
			c.FromID = 777
		}
		it.Comments = append(it.Comments, c)
		f.guids[p.Get("guid")] = c.ID
		return c.ID, 0, ""
	}
	cs := slices.Clone(it.Comments)
	if p.Get("sort") == "desc" {
		slices.Reverse(cs)
	}
	ids := map[int64]bool{}
	items := []any{}
	for _, c := range page(cs, p, 20) {
		ids[c.FromID] = true
		o := map[string]any{"id": c.ID, "from_id": c.FromID, "date": c.Date, "text": c.Text}
		if c.ReplyTo != 0 {
			o["reply_to_comment"] = c.ReplyTo
		}
		if c.Deleted {
			o["deleted"], o["text"] = true, ""
		}
		if len(c.Atts) > 0 {
			o["attachments"] = c.Atts
		}
		items = append(items, o)
	}
	res := map[string]any{"count": len(it.Comments), "items": items}
	if p.Get("extended") == "1" {
		res["profiles"], res["groups"] = f.profiles(ids)
	}
	return res, 0, ""
}

// live counts the comments VK would count: those not deleted.
func (p *fPost) live() int {
	n := 0
	for _, c := range p.Comments {
		if !c.Deleted {
			n++
		}
	}
	return n
}

func (p *fPost) hasReplies(id int64) bool {
	for _, c := range p.Comments {
		if c.Top == id && !c.Deleted {
			return true
		}
	}
	return false
}
