package demo

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/inbox/sanitize"
	psync "github.com/parleyhq/parley/sync"
	"github.com/parleyhq/parley/sync/synctest"
)

var t0 = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

func at(c *Connector, t time.Time) *Connector { c.Now = func() time.Time { return t }; return c }

func TestDeterministicFromSeed(t *testing.T) {
	a, _ := at(New(Flavors[0], 7), t0).Fetch(context.Background(), "")
	b, _ := at(New(Flavors[0], 7), t0).Fetch(context.Background(), "")
	c, _ := at(New(Flavors[0], 8), t0).Fetch(context.Background(), "")
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed gave different content")
	}
	if reflect.DeepEqual(a.Items, c.Items) {
		t.Fatal("different seeds gave the same content")
	}
	if fresh(a) != 40 || a.Cursor == "" {
		t.Fatalf("backlog: %d new messages, cursor %q", fresh(a), a.Cursor)
	}
	for _, it := range a.Items {
		if !it.Message.CreatedAt.Before(t0) || it.Message.CreatedAt.Before(t0.Add(-49*time.Hour)) {
			t.Fatalf("backlog item outside the last two days: %s", it.Message.CreatedAt)
		}
	}
}

// fresh counts the messages a batch brings for the first time (not edits
// of earlier ones).
func fresh(b inbox.Batch) int {
	n := 0
	for _, it := range b.Items {
		if !it.Message.Edited() {
			n++
		}
	}
	return n
}

func TestRateAndPaging(t *testing.T) {
	c := at(New(Flavors[1], 1), t0)
	c.Rate = 6 // one every 10s
	b, _ := c.Fetch(context.Background(), "")
	c.Now = func() time.Time { return t0.Add(65 * time.Second) }
	b2, _ := c.Fetch(context.Background(), b.Cursor)
	if fresh(b2) != 6 || b2.More {
		t.Fatalf("after 65s at 6/min: %d new messages (more=%v), want 6", fresh(b2), b2.More)
	}
	if b3, _ := c.Fetch(context.Background(), b2.Cursor); len(b3.Items) != 0 {
		t.Fatalf("refetch at the same time returned %d items", len(b3.Items))
	}
	c.Now = func() time.Time { return t0.Add(time.Hour) }
	b4, _ := c.Fetch(context.Background(), b2.Cursor)
	if fresh(b4) != pageSize || !b4.More {
		t.Fatalf("an hour later: %d new messages more=%v, want a full page and more", fresh(b4), b4.More)
	}
	if _, err := c.Fetch(context.Background(), "garbage"); err == nil {
		t.Fatal("a corrupt cursor must be an error")
	}
}

func TestContentMix(t *testing.T) {
	langsSeen := map[lang]int{}
	kinds := map[inbox.Kind]int{}
	complaints, hostileSeen, n := 0, 0, 0
	for _, f := range Flavors {
		c := New(f, 3)
		for seq := 0; seq < 500; seq++ {
			it := c.item(seq)
			n++
			langsSeen[it.lang]++
			kinds[it.kind]++
			if it.mood == complaint {
				complaints++
			}
			if sanitize.Text(it.text) != it.text {
				hostileSeen++
			}
			if it.kind == inbox.KindReview && (it.rating < 1 || it.rating > 5) {
				t.Fatalf("rating %d", it.rating)
			}
		}
	}
	share := float64(complaints) / float64(n)
	if share < 0.08 || share > 0.2 {
		t.Fatalf("complaint share %.2f, want about a tenth", share)
	}
	if langsSeen[en] == 0 || langsSeen[nl] == 0 || langsSeen[ru] == 0 {
		t.Fatalf("languages: %v", langsSeen)
	}
	for _, k := range []inbox.Kind{inbox.KindComment, inbox.KindDM, inbox.KindMention, inbox.KindReview} {
		if kinds[k] == 0 {
			t.Fatalf("no %s generated: %v", k, kinds)
		}
	}
	if hostileSeen == 0 {
		t.Fatal("no hostile text generated")
	}
}

func TestPerformIdempotentFailsSometimesAndFollowsUp(t *testing.T) {
	c := at(New(Flavors[0], 1), t0)
	b, _ := c.Fetch(context.Background(), "")
	target := b.Items[0]
	fails, posted := 0, map[string]bool{}
	for i := 0; i < 200; i++ {
		a := psync.Action{Kind: inbox.ActionReply, ConversationID: target.ConversationID, TargetID: target.Message.ExternalID,
			Body: "hi", IdempotencyKey: strings.Repeat("k", 4) + string(rune('a'+i%26)) + string(rune('a'+i/26))}
		r, err := c.Perform(context.Background(), a)
		if err != nil {
			fails++
			if psync.IsPermanent(err) {
				t.Fatalf("demo failures must be retryable: %v", err)
			}
			if r, err = c.Perform(context.Background(), a); err != nil {
				r, err = c.Perform(context.Background(), a)
			}
		}
		if err == nil {
			again, _ := c.Perform(context.Background(), a)
			if again != r {
				t.Fatalf("resend with the same key posted again: %v vs %v", again, r)
			}
			posted[r.ExternalID] = true
		}
	}
	if fails == 0 || fails > 40 {
		t.Fatalf("%d of 200 sends failed, want a small share", fails)
	}
	c.Now = func() time.Time { return t0.Add(5 * time.Minute) }
	fu, _ := c.Fetch(context.Background(), b.Cursor)
	followed := 0
	for _, it := range fu.Items {
		if strings.Contains(it.Message.ExternalID, "followup") {
			followed++
			if it.ConversationID != target.ConversationID || it.Message.Direction != inbox.In {
				t.Fatalf("follow-up in the wrong place: %+v", it)
			}
		}
	}
	if followed == 0 {
		t.Fatal("no customer followed up after the brand's replies")
	}
	if _, err := c.Perform(context.Background(), psync.Action{Kind: "hide", IdempotencyKey: "x"}); !psync.IsPermanent(err) {
		t.Fatalf("unsupported action must fail permanently: %v", err)
	}
}

func TestDemoEditsDeletesAttachesAndPolls(t *testing.T) {
	in := synctest.New(t, Flavors[0].Network, Flavors[0].Label)
	c := at(New(Flavors[0], 5), t0)
	c.Backlog = 300
	if err := in.Sync(c); err != nil {
		t.Fatal(err)
	}
	var edited, deleted, pictures, pictureOnly, polls int
	for _, th := range in.Threads(t) {
		for _, m := range th.Messages {
			if m.Edited() {
				edited++
				if m.PreviousText == "" || !strings.Contains(m.Text, m.PreviousText) {
					t.Fatalf("edit without its previous text: %+v", m)
				}
			}
			if m.Deleted() {
				deleted++
			}
			if len(m.Attachments) > 0 {
				pictures++
				if m.Text == "" && th.Conversation.Kind == inbox.KindDM {
					pictureOnly++
					if th.Conversation.Preview == "" {
						t.Fatalf("a picture-only DM has no preview: %+v", th.Conversation)
					}
				}
			}
			if m.Poll != nil && len(m.Poll.Options) > 1 {
				polls++
			}
		}
	}
	if edited == 0 || deleted == 0 || pictures == 0 || pictureOnly == 0 || polls == 0 {
		t.Fatalf("in 300 demo messages: %d edited, %d deleted, %d with attachments (%d picture-only DMs), %d polls; want some of each",
			edited, deleted, pictures, pictureOnly, polls)
	}
}
