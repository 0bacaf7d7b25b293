package x

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	psync "github.com/parleyhq/parley/sync"
	"github.com/parleyhq/parley/sync/synctest"
)

// seedDMs: jo wrote three messages and the brand answered once (from the
// X app); cy wrote one; one event is older than the backlog.
func seedDMs(f *fakeX) {
	now := time.Now()
	f.addDM(dmID(1), joID, "jo", dmConvWith(joID), "ancient", now.Add(-40*24*time.Hour))
	f.addDM(dmID(2), joID, "jo", dmConvWith(joID), "my order #123 is late &amp; wrong \u202e", now.Add(-time.Hour))
	f.addDM(dmID(3), brandID, brandUser, dmConvWith(joID), "Sorry! Checking now", now.Add(-50*time.Minute))
	f.addDM(dmID(4), "1700000000000000003", "cy", dmConvWith("1700000000000000003"), "do you ship to Oslo?", now.Add(-40*time.Minute))
	f.addDM(dmID(5), joID, "jo", dmConvWith(joID), "thanks", now.Add(-30*time.Minute))
}

func dmConn(t *testing.T, f *fakeX) *Connector {
	c := newConn(t, f, Options{DirectMessages: true})
	c.pageMax = 2
	return c
}

func TestDMsFirstSyncPagingAndInterval(t *testing.T) {
	f := newFake(t)
	seedDMs(f)
	in := synctest.New(t, "x", "Acme")
	c := dmConn(t, f)
	if err := in.Sync(c); err != nil {
		t.Fatal(err)
	}
	th := in.Threads(t)
	jo := th[dmConv(dmConvWith(joID))]
	if jo.Conversation.Kind != inbox.KindDM || len(jo.Messages) != 3 {
		t.Fatalf("jo's conversation: %+v, %d messages (have %d conversations)", jo.Conversation, len(jo.Messages), len(th))
	}
	m0, m1, m2 := jo.Messages[0], jo.Messages[1], jo.Messages[2]
	if m0.Direction != inbox.In || m0.Author.Handle != "@jo" || !strings.Contains(m0.Text, "late & wrong") || strings.ContainsRune(m0.Text, '\u202e') {
		t.Errorf("jo's first message (unescaped, sanitised): %+v", m0)
	}
	if m1.Direction != inbox.Out || m1.Text != "Sorry! Checking now" || m2.Text != "thanks" {
		t.Errorf("the brand's answer outbound, then jo: %+v / %+v", m1, m2)
	}
	if cy := th[dmConv(dmConvWith("1700000000000000003"))]; len(cy.Messages) != 1 || len(th) != 2 {
		t.Errorf("cy's conversation: %+v; %d conversations", cy.Messages, len(th))
	}
	if n := f.count("GET /2/dm_events"); n != 3 {
		t.Errorf("dm_events read %d times, want 3 pages of 2 (back to the backlog's start)", n)
	}
	note := accountOf(t, in).Notice
	if !strings.Contains(note, "direct messages read every 5m0s") {
		t.Errorf("note: %q", note)
	}
	// The five events of the backlog, each billed once.
	f.with(func() {
		if f.read.dms != 5 {
			t.Errorf("DM events returned: %d", f.read.dms)
		}
	})
	if !strings.Contains(note, "spend this month $0.") {
		t.Errorf("note without the spend: %q", note)
	}

	// Within the interval DMs are not read again, whatever the poll.
	f.addDM(dmID(6), joID, "jo", dmConvWith(joID), "hello again", time.Now())
	if err := in.Sync(dmConn(t, f)); err != nil {
		t.Fatal(err)
	}
	if n := f.count("GET /2/dm_events"); n != 3 {
		t.Errorf("dm_events read again within the interval: %d requests", n)
	}
	// Past it (a new process, the stored cursor): only the new event, one page.
	c3 := dmConn(t, f)
	c3.now = func() time.Time { return time.Now().Add(DefaultDMInterval + time.Second) }
	if err := in.Sync(c3); err != nil {
		t.Fatal(err)
	}
	if n := f.count("GET /2/dm_events"); n != 4 {
		t.Errorf("dm_events requests: %d, want 4", n)
	}
	if n := len(in.Threads(t)[dmConv(dmConvWith(joID))].Messages); n != 4 {
		t.Errorf("jo's conversation after the new message: %d, want 4 (nothing twice)", n)
	}
}

func TestDMReplyRoundTripAndLostAnswer(t *testing.T) {
	f := newFake(t)
	seedDMs(f)
	in := synctest.New(t, "x", "Acme")
	c := dmConn(t, f)
	c.opts.DMInterval = time.Second
	if err := in.Sync(c); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	conv := dmConv(dmConvWith(joID))
	a := psync.Action{Kind: inbox.ActionReply, ConversationID: conv, Body: "Your parcel left today & arrives Friday", Attempt: 1, Queued: time.Now()}
	r, err := c.Perform(ctx, a)
	if err != nil || !strings.HasPrefix(r.ExternalID, "dm:") {
		t.Fatalf("DM reply: %+v %v", r, err)
	}
	// The message is sent, the answer lost: the retry finds it and does not send again.
	a2 := a
	a2.Body, a2.Queued = "One more thing: the tracking number is in your email", time.Now()
	f.failNext("POST /2/dm_conversations/:id/messages", fault{after: true})
	if _, err := c.Perform(ctx, a2); err == nil || psync.IsPermanent(err) {
		t.Fatalf("a lost answer should be retryable: %v", err)
	}
	a2.Attempt = 2
	r2, err := c.Perform(ctx, a2)
	if err != nil || r2.ExternalID == "" {
		t.Fatalf("retry: %v", err)
	}
	if n := f.count("POST /2/dm_conversations/:id/messages"); n != 2 {
		t.Errorf("%d sends for two messages, one retried", n)
	}
	if f.count("GET /2/dm_conversations/:id/dm_events") != 1 {
		t.Errorf("the retry did not look first")
	}
	// The next sync brings both back as the brand's, once each.
	c.now = func() time.Time { return time.Now().Add(time.Minute) }
	if err := in.Sync(c); err != nil {
		t.Fatal(err)
	}
	ms := in.Threads(t)[conv].Messages
	var out []string
	for _, m := range ms {
		if m.Direction == inbox.Out {
			out = append(out, m.ExternalID)
		}
	}
	if len(ms) != 5 || len(out) != 3 || out[1] != r.ExternalID || out[2] != r2.ExternalID {
		t.Errorf("after the round trip: %d messages, outbound %v (sent %s, %s)", len(ms), out, r.ExternalID, r2.ExternalID)
	}
	// A conversation the person closed is refused for good; a bad id never reaches a path.
	if _, err := c.Perform(ctx, psync.Action{Kind: inbox.ActionReply, ConversationID: dmConv(dmConvWith("1999")), Body: "hi", Attempt: 1}); !psync.IsPermanent(err) {
		t.Errorf("a refused conversation: %v", err)
	}
	if _, err := c.Perform(ctx, psync.Action{Kind: inbox.ActionReply, ConversationID: "dm:../../2/tweets", Body: "hi", Attempt: 1}); !psync.IsPermanent(err) {
		t.Errorf("a hostile conversation id: %v", err)
	}
}

func TestDMsWithoutScopeAreANoteNotAFailure(t *testing.T) {
	f := newFake(t)
	seedDMs(f)
	ours, r1, _, _ := seed(f)
	f.with(func() { f.noDMScope = true })
	in := synctest.New(t, "x", "Acme")
	if err := in.Sync(dmConn(t, f)); err != nil {
		t.Fatalf("a 403 on dm_events failed the sync: %v", err)
	}
	th := in.Threads(t)
	if len(th[convID(ours)].Messages) == 0 || th[convID(ours)].Messages[0].ExternalID != r1 {
		t.Errorf("mentions were not read beside the refused DMs: %+v", th)
	}
	note := accountOf(t, in).Notice
	if !strings.Contains(note, "parley connect x again") || !strings.Contains(note, "dm.read") {
		t.Errorf("note: %q", note)
	}
	// The refusal is not asked again at every poll.
	if err := in.Sync(dmConn(t, f)); err != nil {
		t.Fatal(err)
	}
	if n := f.count("GET /2/dm_events"); n != 1 {
		t.Errorf("dm_events asked %d times after a refusal", n)
	}
}

func TestDMScopesAndOptions(t *testing.T) {
	have := strings.Join(Scopes, " ")
	if !strings.Contains(have, "dm.read") || !strings.Contains(have, "dm.write") {
		t.Errorf("scopes: %v", Scopes)
	}
	tok := t.TempDir() + "/t"
	base := func() map[string]any {
		return map[string]any{"user_id": "1", "client_id": "c", "token_file": tok}
	}
	conn, err := psync.New(psync.AccountConfig{Network: "x", Label: "A", Options: base()})
	if err != nil {
		t.Fatal(err)
	}
	xc := conn.(*Connector)
	if !xc.opts.DirectMessages || xc.opts.DMInterval != DefaultDMInterval || xc.opts.Prices.DMRead != 0.010 || xc.Capabilities().DMLimit.Max != 10000 {
		t.Errorf("defaults: %+v", xc.opts)
	}
	o := base()
	o["dm_poll_interval"], o["price_dm_read"], o["direct_messages"] = "10m", 0.02, false
	conn, err = psync.New(psync.AccountConfig{Network: "x", Label: "A", Options: o})
	if err != nil {
		t.Fatal(err)
	}
	if xc = conn.(*Connector); xc.opts.DirectMessages || xc.opts.DMInterval != 10*time.Minute || xc.opts.Prices.DMRead != 0.02 {
		t.Errorf("options: %+v", xc.opts)
	}
	o["dm_poll_interval"] = "10s"
	if _, err := psync.New(psync.AccountConfig{Network: "x", Label: "A", Options: o}); err == nil || !strings.Contains(err.Error(), "15 DM reads") {
		t.Errorf("a too-short DM interval: %v", err)
	}
}
