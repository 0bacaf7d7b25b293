package bluesky

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	psync "github.com/parleyhq/parley/sync"
)

func hideAction(kind inbox.ActionKind, conv, target string) psync.Action {
	return psync.Action{Kind: kind, ConversationID: conv, TargetID: target, IdempotencyKey: string(kind) + target, Attempt: 1, Queued: time.Now()}
}

// gate is the threadgate on the root post, nil when there is none.
func (f *fakePDS) gate(root string) map[string]any {
	u, _ := parseATURI(root)
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.records[me+"/"+threadgateCollection+"/"+u.RKey]
}

func hiddenOf(g map[string]any) []string {
	var out []string
	l, _ := g["hiddenReplies"].([]any)
	for _, v := range l {
		s, _ := v.(string)
		out = append(out, s)
	}
	return out
}

func TestHideAndUnhideRepliesInOurThread(t *testing.T) {
	f := newFake(t)
	ours, r1, r2, _ := seed(f)
	c := newConn(t, f, Options{})
	ctx := context.Background()
	if caps := c.Capabilities(); !caps.Hide || !slices.Contains(caps.Moderation, inbox.ActionHide) || !slices.Contains(caps.Moderation, inbox.ActionUnhide) {
		t.Fatalf("capabilities do not offer hide: %+v", caps)
	}
	if _, err := c.Perform(ctx, hideAction(inbox.ActionHide, threadConv(ours), r2)); err != nil {
		t.Fatal(err)
	}
	g := f.gate(ours)
	if g == nil || g["$type"] != threadgateCollection || g["post"] != ours || !slices.Equal(hiddenOf(g), []string{r2}) {
		t.Fatalf("new threadgate: %v", g)
	}
	if _, has := g["allow"]; has {
		t.Errorf("a new gate must not carry an allow list (an empty one closes the thread to replies): %v", g)
	}
	if _, err := c.Perform(ctx, hideAction(inbox.ActionHide, threadConv(ours), r1)); err != nil {
		t.Fatal(err)
	}
	if got := hiddenOf(f.gate(ours)); !slices.Equal(got, []string{r2, r1}) {
		t.Errorf("after hiding r1: %v", got)
	}
	puts := f.count("com.atproto.repo.putRecord")
	// A repeat (a retried action) changes nothing.
	if _, err := c.Perform(ctx, hideAction(inbox.ActionHide, threadConv(ours), r1)); err != nil {
		t.Fatal(err)
	}
	if n := f.count("com.atproto.repo.putRecord"); n != puts {
		t.Errorf("hiding a hidden reply wrote the gate again (%d puts, want %d)", n, puts)
	}
	if _, err := c.Perform(ctx, hideAction(inbox.ActionUnhide, threadConv(ours), r2)); err != nil {
		t.Fatal(err)
	}
	if got := hiddenOf(f.gate(ours)); !slices.Equal(got, []string{r1}) {
		t.Errorf("after unhiding r2: %v", got)
	}
	if _, err := c.Perform(ctx, hideAction(inbox.ActionUnhide, threadConv(ours), r1)); err != nil {
		t.Fatal(err)
	}
	if got := hiddenOf(f.gate(ours)); len(got) != 0 {
		t.Errorf("after unhiding r1: %v", got)
	}
}

func TestHideKeepsReplyRulesAndRetriesAfterAConcurrentChange(t *testing.T) {
	f := newFake(t)
	ours, r1, _, _ := seed(f)
	u, _ := parseATURI(ours)
	k := me + "/" + threadgateCollection + "/" + u.RKey
	other := "at://did:plc:eve/app.bsky.feed.post/3leveother005"
	f.with(func() {
		f.records[k] = map[string]any{"$type": threadgateCollection, "post": ours, "createdAt": "2026-01-01T00:00:00.000Z",
			"allow": []any{map[string]any{"$type": "app.bsky.feed.threadgate#followingRule"}}, "hiddenReplies": []any{}}
		f.cids[k] = "bafy-gate-1"
		// The Bluesky app hides another reply between parley's read and write.
		f.beforePut = func() {
			f.records[k] = map[string]any{"$type": threadgateCollection, "post": ours, "createdAt": "2026-01-01T00:00:00.000Z",
				"allow": []any{map[string]any{"$type": "app.bsky.feed.threadgate#followingRule"}}, "hiddenReplies": []any{other}}
			f.cids[k] = "bafy-gate-2"
		}
	})
	c := newConn(t, f, Options{})
	if _, err := c.Perform(context.Background(), hideAction(inbox.ActionHide, threadConv(ours), r1)); err != nil {
		t.Fatal(err)
	}
	g := f.gate(ours)
	if got := hiddenOf(g); !slices.Equal(got, []string{other, r1}) {
		t.Errorf("hidden after the concurrent change: %v, want both", got)
	}
	if allow, _ := g["allow"].([]any); len(allow) != 1 {
		t.Errorf("the reply rules set in the app were lost: %v", g)
	}
	if gets, puts := f.count("com.atproto.repo.getRecord"), f.count("com.atproto.repo.putRecord"); gets != 2 || puts != 2 {
		t.Errorf("getRecord %d, putRecord %d times; want a re-read and one retry", gets, puts)
	}

	// Losing the race twice is left to the outbox's next attempt.
	swap := fault{status: 400, body: `{"error":"InvalidSwap","message":"Record was at bafy-x"}`}
	f.inject("com.atproto.repo.putRecord", swap)
	f.inject("com.atproto.repo.putRecord", swap)
	_, err := c.Perform(context.Background(), hideAction(inbox.ActionUnhide, threadConv(ours), r1))
	if err == nil || psync.IsPermanent(err) || !strings.Contains(err.Error(), "try again") {
		t.Errorf("two lost swaps: %v, want a retryable error", err)
	}
	if got := hiddenOf(f.gate(ours)); !slices.Equal(got, []string{other, r1}) {
		t.Errorf("gate changed by failed writes: %v", got)
	}
}

func TestHideIsRefusedOutsideOurThreads(t *testing.T) {
	f := newFake(t)
	ours, _, _, mention := seed(f)
	now := time.Now().Add(-time.Hour)
	theirs, theirsCID := f.post("did:plc:cy", "cy.bsky.social", "3lcyroot00006", "who sells good boots?", nil, now)
	inTheirs, _ := f.post(joDID, "jo.bsky.social", "3ljoinhers007", "@acme.bsky.social does!", map[string]any{"root": ref(theirs, theirsCID), "parent": ref(theirs, theirsCID)}, now)
	c := newConn(t, f, Options{})
	for _, tc := range []struct {
		name, conv, target, want string
	}{
		{"reply in someone else's thread", postConv(inTheirs), inTheirs, "someone else's post"},
		{"a mention that is no reply", postConv(mention), mention, "not a reply"},
		{"the brand's own post", threadConv(ours), "", "brand's own"},
	} {
		for _, k := range []inbox.ActionKind{inbox.ActionHide, inbox.ActionUnhide} {
			_, err := c.Perform(context.Background(), hideAction(k, tc.conv, tc.target))
			if !psync.IsPermanent(err) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s %s: %v, want a permanent refusal saying %q", k, tc.name, err, tc.want)
			}
		}
	}
	if n := f.count("com.atproto.repo.putRecord") + f.count("com.atproto.repo.createRecord"); n != 0 {
		t.Errorf("%d writes for refused hides", n)
	}
}
