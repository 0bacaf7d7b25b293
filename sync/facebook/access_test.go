package facebook

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	psync "github.com/parleyhq/parley/sync"
)

func (e *env) account(t *testing.T) inbox.Account {
	t.Helper()
	accs, err := e.svc.Accounts(context.Background())
	if err != nil || len(accs) != 1 {
		t.Fatalf("accounts: %v %v", accs, err)
	}
	return accs[0]
}

// Finding 2: a permission error while listing comments is not an empty
// inbox: the account names what is hidden and what it needs, and the parts
// Meta does allow still sync.
func TestPermissionRefusalIsNamedNotSilent(t *testing.T) {
	e := newEnv(t)
	now := time.Now()
	p := e.g.addPost("Winter blend", now.Add(-2*time.Hour))
	e.g.addComment(p, "", "610", "Ana", "where is my order?", now.Add(-time.Hour))
	e.g.addDM("t_100", "7712", "Bo", "hello?", now.Add(-time.Hour))
	e.g.deny[p+"/comments"] = [2]int{10, 0} // no Advanced Access / pages_read_user_content
	if err := e.sync(t); err != nil {
		t.Fatalf("one refused part must not fail the account: %v", err)
	}
	acc := e.account(t)
	for _, want := range []string{"comments on the Page's posts are hidden", "pages_read_user_content", "Advanced Access", "graph error 10", "reviews are not available"} {
		if !strings.Contains(acc.Notice, want) {
			t.Errorf("note %q lacks %q", acc.Notice, want)
		}
	}
	if _, ok := e.threads(t)["dm:t_100"]; !ok {
		t.Fatal("Messenger, which Meta allows, did not sync")
	}
	// Granted later: the note says so instead of the refusal.
	delete(e.g.deny, p+"/comments")
	if err := e.sync(t); err != nil {
		t.Fatal(err)
	}
	if acc := e.account(t); strings.Contains(acc.Notice, "hidden") || len(e.threads(t)) != 2 {
		t.Fatalf("after the grant: %q, %d conversations", acc.Notice, len(e.threads(t)))
	}
}

// Finding 2: a Page managed in Business Manager without ads_read or
// ads_management gets permission errors for Instagram media and tags.
func TestBusinessManagerPageWithoutAdsPermissionIsNamed(t *testing.T) {
	e := newEnv(t)
	e.conn.opts.IGUserID = e.g.igID
	now := time.Now()
	e.g.igMedia = []igMedia{{ID: "17900001", Caption: "mugs", Timestamp: ts(now.Add(-time.Hour)), Username: "acme.store"}}
	e.g.igComms["17900001"] = []igComment{{ID: "17873440459141021", Text: "blue?", Timestamp: ts(now.Add(-time.Hour)), Username: "kai.moves"}}
	e.g.addIGDM("ig_t_1", "IGSID-5", "kai.moves", "hi", now.Add(-time.Hour), false)
	e.g.deny[e.g.igID+"/"] = [2]int{10, 0} // media and tags
	if err := e.sync(t); err != nil {
		t.Fatal(err)
	}
	note := e.account(t).Notice
	for _, want := range []string{"Instagram comments are hidden", "posts the account is tagged in are hidden", "ads_read or ads_management"} {
		if !strings.Contains(note, want) {
			t.Errorf("note %q lacks %q", note, want)
		}
	}
	if _, ok := e.threads(t)["dm:ig_t_1"]; !ok {
		t.Fatal("Instagram DMs, which Meta allows, did not sync")
	}
	delete(e.g.deny, e.g.igID+"/")
	if err := e.sync(t); err != nil {
		t.Fatal(err)
	}
	if note := e.account(t).Notice; note != "" {
		t.Fatalf("a resolved refusal must not stay on the account: %q", note)
	}
}

// Finding 2 and 6: when Meta refuses everything (1/99: no Advanced Access
// or business verification) the account fails with the reason, and the
// error is final, not retried without end.
func TestEverythingRefusedFailsTheAccountWithTheReason(t *testing.T) {
	e := newEnv(t)
	e.g.addPost("p", time.Now().Add(-time.Hour))
	e.g.deny[e.g.pageID+"/"] = [2]int{1, 99}
	err := e.sync(t)
	if err == nil || !psync.IsPermanent(err) {
		t.Fatalf("all refused: %v", err)
	}
	acc := e.account(t)
	if acc.Status != inbox.AccountError || !strings.Contains(acc.LastError, "Messenger conversations are hidden") ||
		!strings.Contains(acc.LastError, "graph error 1/99") {
		t.Fatalf("account: %+v", acc)
	}
}

// Finding 2: only 100/33 ("does not exist") means the post was deleted;
// another code 100 on a post's comments is an error, not a skipped post.
func TestOnlyObjectDoesNotExistMeansDeleted(t *testing.T) {
	e := newEnv(t)
	p := e.g.addPost("p", time.Now().Add(-time.Hour))
	e.g.addComment(p, "", "610", "Ana", "hi", time.Now().Add(-time.Minute))
	e.g.faults = []graphFault{{path: p + "/comments", status: 400, code: 100, sub: 0}}
	if err := e.sync(t); err == nil || !strings.Contains(err.Error(), "graph error 100") {
		t.Fatalf("a bad request was taken for a deleted post: %v", err)
	}
	e.g.faults = []graphFault{{path: p + "/comments", status: 400, code: 100, sub: 33}}
	if err := e.sync(t); err != nil {
		t.Fatalf("a deleted post: %v", err)
	}
}
