package googlereviews

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	psync "github.com/parleyhq/parley/sync"
	"github.com/parleyhq/parley/sync/googleauth"
	"github.com/parleyhq/parley/sync/synctest"
)

var t0 = time.Date(2025, 3, 4, 15, 0, 0, 0, time.UTC)

func setup(t *testing.T, locs ...string) (*fakeGBP, *Connector, *synctest.Inbox) {
	f := newFake(t)
	for _, l := range locs {
		if _, ok := f.reviews[l]; !ok {
			f.reviews[l] = nil
		}
	}
	tr := &googleauth.Transport{Config: googleauth.NewConfig("cid", "csecret", googleauth.ScopeBusiness, "", f.srv.URL+"/token"),
		Refresh: func(context.Context) (string, error) { return "rt-1", nil }, Network: "google-reviews"}
	c, err := New(Options{Account: "accounts/1234", Locations: locs, Base: f.srv.URL, Transport: tr,
		Now: func() time.Time { return t0 }, Backlog: 365 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	return f, c, synctest.New(t, "google-reviews", "Acme (Google reviews)")
}

func TestSyncReviewsStarsRepliesAndAnEmptyLocation(t *testing.T) {
	f, c, in := setup(t, "locations/5678", "locations/9999")
	f.add("locations/5678", "r1", "Tom K.", "TWO", "Waited 40 minutes. 😡", t0.Add(-5*time.Hour))
	r2 := f.add("locations/5678", "r2", "سارة", "FIVE", "\u202bخدمة ممتازة\u202c 👍🏽", t0.Add(-4*time.Hour))
	r2.ReviewReply = &struct {
		Comment    string `json:"comment"`
		UpdateTime string `json:"updateTime"`
	}{"Thank you, Sara!", ts(t0.Add(-3 * time.Hour))}
	f.add("locations/5678", "r3", "", "FOUR", "", t0.Add(-2*time.Hour)).Reviewer.IsAnonymous = true
	f.add("locations/5678", "r4", "Odd", "STAR_RATING_UNSPECIFIED", "no stars?", t0.Add(-time.Hour))
	if err := in.Sync(c); err != nil {
		t.Fatal(err)
	}
	ths := in.Threads(t)
	if len(ths) != 4 {
		t.Fatalf("%d conversations, want 4 (the empty location adds none)", len(ths))
	}
	name := func(id string) string { return "accounts/1234/locations/5678/reviews/" + id }
	for id, want := range map[string]int{"r1": 2, "r2": 5, "r3": 4, "r4": 0} {
		th := ths[name(id)]
		if th.Conversation.Kind != inbox.KindReview || th.Conversation.Rating != want || th.Messages[0].Rating != want {
			t.Errorf("%s: kind %s, rating %d / %d, want %d", id, th.Conversation.Kind, th.Conversation.Rating, th.Messages[0].Rating, want)
		}
	}
	if !ths[name("r1")].Conversation.Negative {
		t.Error("a two-star review is not negative")
	}
	r2th := ths[name("r2")]
	if len(r2th.Messages) != 2 || r2th.Messages[1].Direction != inbox.Out || r2th.Messages[1].Text != "Thank you, Sara!" {
		t.Fatalf("r2 with its reply: %+v", r2th.Messages)
	}
	if txt := r2th.Messages[0].Text; strings.Contains(txt, "\u202b") || !strings.Contains(txt, "خدمة ممتازة") || !strings.Contains(txt, "👍🏽") {
		t.Fatalf("RTL/emoji text: %q", txt)
	}
	if a := ths[name("r3")].Messages[0].Author.Name; a != "A Google user" {
		t.Fatalf("anonymous reviewer shown as %q", a)
	}
	if !strings.Contains(strings.Join(f.calls, " "), "GET /v4/accounts/1234/locations/9999/reviews") {
		t.Fatal("the empty location was never asked")
	}
}

func TestEditedReviewReopensWithTheChangeInView(t *testing.T) {
	f, c, in := setup(t, "locations/5678")
	r := f.add("locations/5678", "r1", "Tom K.", "FIVE", "Lovely place", t0.Add(-5*time.Hour))
	f.add("locations/5678", "r0", "Ann", "FOUR", "ok", t0.Add(-6*time.Hour))
	if err := in.Sync(c); err != nil {
		t.Fatal(err)
	}
	conv := in.Threads(t)[r.Name].Conversation
	ctx := context.Background()
	if err := in.Svc.Done(ctx, "maria", []int64{conv.ID}); err != nil {
		t.Fatal(err)
	}
	// Unchanged on the next round: nothing reopens.
	if err := in.Sync(c); err != nil {
		t.Fatal(err)
	}
	if th := in.Threads(t)[r.Name]; th.Conversation.State != inbox.StateDone {
		t.Fatalf("a re-fetch reopened it: %s", th.Conversation.State)
	}
	f.edit(r, "ONE", "Food poisoning after the second visit", t0.Add(-time.Hour))
	if err := in.Sync(c); err != nil {
		t.Fatal(err)
	}
	th := in.Threads(t)[r.Name]
	if th.Conversation.State != inbox.StateOpen || !th.Conversation.NeedsReply || th.Conversation.Rating != 1 || !th.Conversation.Negative {
		t.Fatalf("after the edit: state %s, needs reply %v, rating %d, negative %v", th.Conversation.State, th.Conversation.NeedsReply, th.Conversation.Rating, th.Conversation.Negative)
	}
	if len(th.Messages) != 2 || th.Messages[0].Text != "Lovely place" || th.Messages[0].Rating != 5 ||
		th.Messages[1].Text != "Food poisoning after the second visit" || !th.Messages[1].Edited() || th.Messages[1].Rating != 1 {
		t.Fatalf("messages: %+v", th.Messages)
	}
	// Seen again: no second copy.
	if err := in.Sync(c); err != nil || len(in.Threads(t)[r.Name].Messages) != 2 {
		t.Fatalf("edit stored twice (%v)", err)
	}
}

func TestReplyRoundTripEditAndDelete(t *testing.T) {
	f, c, in := setup(t, "locations/5678")
	r := f.add("locations/5678", "r1", "Tom K.", "TWO", "Waited 40 minutes.", t0.Add(-5*time.Hour))
	if err := in.Sync(c); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	rec, err := c.Perform(ctx, psync.Action{Kind: inbox.ActionReply, ConversationID: r.Name, TargetID: r.Name, Body: "Sorry, Tom — we have added staff. 🙏", Attempt: 1})
	if err != nil || rec.ExternalID != r.Name+"/reply" {
		t.Fatalf("reply: %+v %v", rec, err)
	}
	// Retried (or edited): PUT overwrites, never a second answer.
	if _, err := c.Perform(ctx, psync.Action{Kind: inbox.ActionReply, ConversationID: r.Name, Body: "Sorry, Tom — we have added two more staff. 🙏", Attempt: 2}); err != nil {
		t.Fatal(err)
	}
	if err := in.Sync(c); err != nil {
		t.Fatal(err)
	}
	msgs := in.Threads(t)[r.Name].Messages
	if len(msgs) != 2 || msgs[1].Direction != inbox.Out || msgs[1].Text != "Sorry, Tom — we have added two more staff. 🙏" {
		t.Fatalf("after reply: %+v", msgs)
	}
	if _, err := c.Perform(ctx, psync.Action{Kind: inbox.ActionDelete, ConversationID: r.Name}); err != nil {
		t.Fatal(err)
	}
	if err := in.Sync(c); err != nil {
		t.Fatal(err)
	}
	if m := in.Threads(t)[r.Name].Messages[1]; !m.Deleted() {
		t.Fatalf("our deleted reply is not marked deleted: %+v", m)
	}
	if _, err := c.Perform(ctx, psync.Action{Kind: inbox.ActionHide, ConversationID: r.Name}); !psync.IsPermanent(err) {
		t.Fatalf("hiding a review: %v", err)
	}
	if long := strings.Repeat("é", 2049); replyLimit.Count(long) <= replyLimit.Max {
		t.Fatal("the reply limit does not count bytes")
	}
}

func TestAccessNotGrantedIsSaidPlainly(t *testing.T) {
	for _, fl := range []fFail{
		{status: 403, body: `{"error":{"code":403,"message":"Google My Business API has not been used in project 123 before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/mybusiness.googleapis.com/overview?project=123 then retry.","status":"PERMISSION_DENIED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"SERVICE_DISABLED","domain":"googleapis.com","metadata":{"service":"mybusiness.googleapis.com"}}]}}`},
		{status: 429, body: `{"error":{"code":429,"message":"Quota exceeded for quota metric 'Requests' and limit 'Requests per minute' of service 'mybusiness.googleapis.com' for consumer 'project_number:123'.","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"RATE_LIMIT_EXCEEDED","domain":"googleapis.com","metadata":{"quota_limit_value":"0","quota_metric":"mybusiness.googleapis.com/default_requests","service":"mybusiness.googleapis.com"}}]}}`},
	} {
		f, c, in := setup(t, "locations/5678")
		f.fail = []fFail{fl}
		err := in.Sync(c)
		if err == nil || !strings.Contains(err.Error(), "Google has not enabled the Business Profile API for this project yet: request access at") {
			t.Fatalf("%d: %v", fl.status, err)
		}
		accs, _ := in.Svc.Accounts(context.Background())
		if accs[0].Status != inbox.AccountError || !strings.Contains(accs[0].LastError, "request access") {
			t.Fatalf("account: %+v", accs[0])
		}
	}
	// A real rate limit waits as told.
	f, c, _ := setup(t, "locations/5678")
	f.fail = []fFail{{status: 429, header: map[string]string{"Retry-After": "30"}, body: `{"error":{"code":429,"message":"Quota exceeded for quota metric 'Requests' and limit 'Requests per minute'.","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"RATE_LIMIT_EXCEEDED","metadata":{"quota_limit_value":"300"}}]}}`}}
	_, err := c.Fetch(context.Background(), "")
	var rl *psync.RateLimitError
	if !errors.As(err, &rl) || rl.RetryAfter != 30*time.Second {
		t.Fatalf("rate limit: %v", err)
	}
	// A 5xx is retried; a truncated body too.
	f.fail = []fFail{{status: 503, body: `{"error":{"code":503,"message":"The service is currently unavailable.","status":"UNAVAILABLE"}}`}, {status: 200, body: `{"reviews":[{"name":"acc`}}
	for range 2 {
		if _, err := c.Fetch(context.Background(), ""); err == nil || psync.IsPermanent(err) {
			t.Fatalf("want a retryable error, got %v", err)
		}
	}
}

func TestRevokedGrantNeedsReauth(t *testing.T) {
	f, c, in := setup(t, "locations/5678")
	f.revoked = true
	if err := in.Sync(c); !errors.Is(err, psync.ErrAuth) {
		t.Fatalf("err = %v", err)
	}
	accs, _ := in.Svc.Accounts(context.Background())
	if accs[0].Status != inbox.AccountNeedsReauth || !strings.Contains(accs[0].LastError, "parley connect google-reviews") {
		t.Fatalf("%+v", accs[0])
	}
}

func TestLocationsOption(t *testing.T) {
	for _, v := range []any{"5678, locations/9", []any{"locations/5678", "9"}, []string{"5678", "locations/9"}} {
		got, err := locations(v)
		if err != nil || strings.Join(got, " ") != "locations/5678 locations/9" {
			t.Fatalf("%v → %v %v", v, got, err)
		}
	}
	if _, err := locations([]any{1}); err == nil {
		t.Fatal("a number taken as a location")
	}
}
