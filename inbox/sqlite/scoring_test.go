package sqlite

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/inbox/negativity"
)

// The pipeline: a message arrives, is scored, and a negative one marks its
// conversation negative (auto) with the reasons; a manual mark wins and is
// kept as a labelled example.
func TestIngestScoresAndManualMarkWins(t *testing.T) {
	s, acc := open(t)
	ctx := context.Background()
	svc := inbox.NewService(s, inbox.Options{Detector: negativity.New(""), Now: func() time.Time { return t0 }})
	err := svc.Ingest(ctx, acc, inbox.Batch{Items: []inbox.Inbound{
		in("bad", "m1", t0, "Terrible service, my order is still missing!!!"),
		in("good", "m2", t0, "Great coffee, thank you"),
		in("q", "m3", t0, "Do you ship to Belgium?"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	bad := convByExt(t, s, "bad")
	if !bad.Negative || bad.NegSource != inbox.NegAuto || bad.NegScore >= 0 || !strings.Contains(strings.Join(bad.NegReasons, " "), "terrible") {
		t.Fatalf("complaint: %+v", bad)
	}
	for _, ext := range []string{"good", "q"} {
		if c := convByExt(t, s, ext); c.Negative {
			t.Fatalf("%s marked negative: %+v", ext, c)
		}
	}
	th, _ := svc.Open(ctx, bad.ID)
	if m := th.Messages[0]; m.Sentiment != "negative" || m.Lang != "en" || len(m.Reasons) == 0 {
		t.Fatalf("message scores: %+v", m)
	}
	// The manager disagrees: that wins over later negative messages too.
	if err := svc.SetNegative(ctx, "ann", []int64{bad.ID}, false); err != nil {
		t.Fatal(err)
	}
	svc.Ingest(ctx, acc, inbox.Batch{Items: []inbox.Inbound{in("bad", "m4", t0.Add(time.Minute), "This is awful")}})
	if c := convByExt(t, s, "bad"); c.Negative || c.NegSource != inbox.NegManual {
		t.Fatalf("manual mark lost: %+v", c)
	}
	var text, label, actor string
	if err := s.r.QueryRow(`SELECT text, label, actor FROM labelled_examples`).Scan(&text, &label, &actor); err != nil {
		t.Fatal(err)
	}
	if label != "not_negative" || actor != "ann" || !strings.Contains(text, "Terrible service") {
		t.Fatalf("example: %q %q %q", text, label, actor)
	}
}
