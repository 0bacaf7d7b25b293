package bluesky

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/parleyhq/parley/inbox"
	psync "github.com/parleyhq/parley/sync"
)

// threadgateCollection holds a thread's reply controls, including the
// replies its author hid. Its rkey is the root post's rkey, in the root
// author's repo: only the brand's own threads can be gated.
const threadgateCollection = "app.bsky.feed.threadgate"

// maxHidden is the lexicon's maxLength for hiddenReplies.
const maxHidden = 300

// hide adds the target reply to (or, for unhide, removes it from) the
// hiddenReplies of the threadgate on the root of the brand's thread. The
// gate may also hold reply rules set in the Bluesky app, so it is read,
// changed in place and written back with swapRecord: when someone else
// changed it in between, it is read again and the change made once more.
func (c *Connector) hide(ctx context.Context, a psync.Action) error {
	uri, ok := target(a)
	if !ok {
		return psync.Permanent(errors.New("bluesky: no reply chosen to hide"))
	}
	if _, _, err := c.api.ensure(ctx); err != nil {
		return err
	}
	me := c.api.did()
	root, err := c.threadRoot(ctx, a, uri, me)
	if err != nil {
		return err
	}
	for try := 1; ; try++ {
		done, err := c.changeGate(ctx, me, root, uri, a.Kind == inbox.ActionHide)
		if done || err == nil {
			return err
		}
		if !isXRPC(err, "InvalidSwap") && !alreadyExists(err) {
			return err
		}
		if try == 2 {
			return fmt.Errorf("bluesky: the thread's reply settings changed twice while parley wrote them; will try again (%v)", err)
		}
	}
}

// threadRoot is the root of the thread the reply belongs to, refusing
// replies that are not under the brand's own post.
func (c *Connector) threadRoot(ctx context.Context, a psync.Action, uri, me string) (atURI, error) {
	v, gone, err := c.thread(ctx, uri)
	if err != nil {
		return atURI{}, err
	}
	var root string
	switch {
	case gone || v == nil:
		// A deleted reply can still be unhidden (taken off the list); its
		// thread is the conversation's.
		root, _ = strings.CutPrefix(a.ConversationID, "thread:")
		if a.Kind == inbox.ActionHide || root == a.ConversationID {
			return atURI{}, psync.Permanent(errors.New("bluesky: the reply was deleted; there is nothing left to hide"))
		}
	default:
		if v.Author.DID == me {
			return atURI{}, psync.Permanent(errors.New("bluesky: that post is the brand's own; only other people's replies can be hidden"))
		}
		var rec postRecord
		_ = json.Unmarshal(v.Record, &rec)
		if rec.Reply == nil || rec.Reply.Root.URI == "" {
			return atURI{}, psync.Permanent(errors.New("bluesky: that post is not a reply in a thread, so there is nothing to hide it from; mute, block or report its author instead"))
		}
		root = rec.Reply.Root.URI
	}
	r, ok := parseATURI(root)
	if !ok || r.Collection != "app.bsky.feed.post" {
		return atURI{}, psync.Permanent(fmt.Errorf("bluesky: the reply's thread root %q is not a post", root))
	}
	if r.Repo != me {
		return atURI{}, psync.Permanent(errors.New("bluesky: replies can be hidden only in threads the brand started; this one is under someone else's post (mute, block or report instead)"))
	}
	return r, nil
}

// changeGate makes one read-modify-write of the threadgate. done reports
// that nothing needed writing.
func (c *Connector) changeGate(ctx context.Context, me string, root atURI, reply string, hide bool) (done bool, err error) {
	var cur createAnswer
	err = c.api.get(ctx, "com.atproto.repo.getRecord", map[string][]string{"repo": {me}, "collection": {threadgateCollection}, "rkey": {root.RKey}}, &cur)
	switch {
	case isXRPC(err, "RecordNotFound") || isXRPC(err, "NotFound"):
		if !hide {
			return true, nil
		}
		// No gate: anyone may reply, so the new one has no allow list (an
		// empty one would close the thread).
		rec := map[string]any{"$type": threadgateCollection, "post": "at://" + root.Repo + "/" + root.Collection + "/" + root.RKey,
			"hiddenReplies": []string{reply}, "createdAt": time.Now().UTC().Format("2006-01-02T15:04:05.000Z")}
		return false, c.api.post(ctx, "com.atproto.repo.createRecord", map[string]any{"repo": me, "collection": threadgateCollection, "rkey": root.RKey, "record": rec}, nil)
	case err != nil:
		return false, err
	}
	// Keep every field as it came, so rules set elsewhere survive.
	var rec map[string]json.RawMessage
	if err := json.Unmarshal(cur.Value, &rec); err != nil || rec == nil {
		return false, psync.Permanent(fmt.Errorf("bluesky: the thread's reply settings (%s) could not be read; change them in the Bluesky app", cur.URI))
	}
	var hidden []string
	if raw, ok := rec["hiddenReplies"]; ok {
		if err := json.Unmarshal(raw, &hidden); err != nil {
			return false, psync.Permanent(fmt.Errorf("bluesky: the thread's hidden replies (%s) could not be read; change them in the Bluesky app", cur.URI))
		}
	}
	has := slices.Contains(hidden, reply)
	switch {
	case hide && has, !hide && !has:
		return true, nil
	case hide && len(hidden) >= maxHidden:
		return true, psync.Permanent(fmt.Errorf("bluesky: this thread already hides %d replies, Bluesky's limit; unhide one first", len(hidden)))
	case hide:
		hidden = append(hidden, reply)
	default:
		hidden = slices.DeleteFunc(hidden, func(s string) bool { return s == reply })
	}
	rec["hiddenReplies"], _ = json.Marshal(orNone(hidden))
	body := map[string]any{"repo": me, "collection": threadgateCollection, "rkey": root.RKey, "record": rec}
	if cur.CID != "" {
		body["swapRecord"] = cur.CID
	}
	return false, c.api.post(ctx, "com.atproto.repo.putRecord", body, nil)
}

// alreadyExists: a createRecord lost the race to another writer.
func alreadyExists(err error) bool {
	return isXRPC(err, "RecordAlreadyExists") || isXRPC(err, "InvalidRequest") && strings.Contains(strings.ToLower(err.Error()), "exists")
}

func orNone(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
