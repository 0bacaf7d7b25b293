package demo

import (
	"fmt"

	"github.com/parleyhq/parley/inbox"
)

// Spam: a few public comments and mentions come from accounts selling
// followers or giving away crypto, for the Spam view and `spam = true`
// rules to have something to catch. Drawn from its own random stream, so
// every other message of a seed stays what it was.

const (
	saltSpam = 0x7370616d6d6572 // "spammer"
	spamRate = 0.04
)

var (
	spamTexts = []string{
		"🔥 Want 10K real followers? DM us or visit followers-boost.example 🔥",
		"Congrats!! You've been selected for our $500 giveaway 🎁 claim now at bit.example/claim",
		"I made $3,200 this week trading crypto with Mr. Daniels 📈 message him on WhatsApp +1 555 0134",
		"Nice post! Check out my profile for exclusive content 💋",
		"Promote your brand to 2M people!! Send DM for prices 🚀🚀🚀",
		"Bitcoin doubling event LIVE ✅ send 0.1 BTC receive 0.2 BTC back — official",
	}
	spamNames = []string{"Growth Hub", "Crypto Giveaway", "Promo Queen", "Daniel Trades", "Followers Pro", "Lucky Winner Desk"}
)

// spam turns message seq into spam when its own stream says so (public
// comments and mentions only: that is where spam lands on these networks).
func (c *Connector) spam(seq int, it item, msg *inbox.Message) {
	if it.kind != inbox.KindComment && it.kind != inbox.KindMention {
		return
	}
	r := c.rng(seq, saltSpam)
	if r.Float64() >= spamRate {
		return
	}
	i := r.IntN(len(spamNames))
	id := fmt.Sprintf("%s-spam-%d", c.flavor.Slug, i)
	msg.Author = inbox.Author{ID: id, Name: spamNames[i], Handle: fmt.Sprintf("@promo_%d%d", i, 100+r.IntN(900)),
		URL: fmt.Sprintf("https://demo.parley.invalid/%s/u/%s", c.flavor.Slug, id)}
	msg.Text = spamTexts[r.IntN(len(spamTexts))]
	msg.Attachments, msg.Poll = nil, nil
}

// isSpam reports whether message seq is spam.
func (c *Connector) isSpam(seq int) bool {
	it := c.item(seq)
	var m inbox.Message
	c.spam(seq, it, &m)
	return m.Text != ""
}
