package demo

import (
	"slices"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// A few public messages are spam, from spam accounts; every other message
// is what the seed made before spam existed (its author and item text).
func TestDemoSendsSomeSpamAndLeavesTheRestAlone(t *testing.T) {
	at := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	public, spam := 0, 0
	for _, f := range Flavors {
		c, again := New(f, 7), New(f, 7)
		for seq := range 600 {
			it := c.item(seq)
			in := c.inbound(seq, at)
			if in.Message.Text != again.inbound(seq, at).Message.Text {
				t.Fatalf("%s %d: not deterministic", f.Network, seq)
			}
			if it.kind == inbox.KindComment || it.kind == inbox.KindMention {
				public++
			}
			if !c.isSpam(seq) {
				if in.Message.Author != it.author {
					t.Fatalf("%s %d: a message that is not spam changed author: %+v", f.Network, seq, in.Message.Author)
				}
				continue
			}
			spam++
			if it.kind != inbox.KindComment && it.kind != inbox.KindMention {
				t.Fatalf("%s %d: spam as a %s", f.Network, seq, it.kind)
			}
			if !slices.Contains(spamTexts, in.Message.Text) || in.Message.Author.ID == it.author.ID {
				t.Fatalf("%s %d: spam %q from %+v", f.Network, seq, in.Message.Text, in.Message.Author)
			}
		}
	}
	if share := float64(spam) / float64(public); share < 0.01 || share > 0.08 {
		t.Fatalf("spam share %.3f of %d public messages, want a few percent", share, public)
	}
}
