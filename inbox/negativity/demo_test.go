package negativity_test

import (
	"testing"

	"github.com/parleyhq/parley/inbox/negativity"
	"github.com/parleyhq/parley/sync/demo"
)

// knownMisses are demo complaints the detector does not catch, and why.
// Making them pass by adding their words to the data would only teach the
// test; they stay listed until a general change catches them.
var knownMisses = map[string]string{
	"I've heard that before. When exactly?": "impatience without a single complaint word or pattern",
}

// Every text the demo posts is read in the mood it was written in:
// complaints are negative, praise and questions are never negative. None
// of these texts is in the training data (data/ holds different
// sentences, and nothing was tuned on them); a false alarm here is what a
// manager would see at the top of the Inbox.
func TestDemoTextsByMood(t *testing.T) {
	d := negativity.New("")
	var right, n int
	for _, tp := range demo.Templates() {
		res, why := d.Explain(tp.Text, 0)
		neg := res.Label == negativity.Negative
		n++
		if neg == (tp.Mood == "complaint") {
			right++
			if _, ok := knownMisses[tp.Text]; ok {
				t.Errorf("%q is now caught: take it off knownMisses", tp.Text)
			}
			continue
		}
		if reason, ok := knownMisses[tp.Text]; ok {
			t.Logf("known miss %q: %s", tp.Text, reason)
			continue
		}
		if len(why) > 4 {
			why = why[:4]
		}
		t.Errorf("%s %s %q: %s (score %.2f) %v", tp.Lang, tp.Mood, tp.Text, res.Label, res.Score, why)
	}
	t.Logf("demo texts read by their mood: %d of %d", right, n)
}
