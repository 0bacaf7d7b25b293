// Package demo is the built-in simulated community: four pretend networks
// styled after Facebook, Instagram, VK and Google reviews, behind the same
// Connector interface as a real network. Content is a pure function of the
// seed and a sequence number, so a seed always tells the same story.
package demo

import (
	"context"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"strconv"
	"strings"
	gosync "sync"
	"time"

	"github.com/parleyhq/parley/inbox"
	psync "github.com/parleyhq/parley/sync"
)

// Flavor is one pretend network.
type Flavor struct {
	Network string // registry name
	Label   string // account label
	Slug    string // for permalinks
	kinds   []inbox.Kind
	// limits like the real networks', so the composer's counter shows
	limit, dmLimit inbox.TextLimit
}

// Flavors are the demo networks, in the order the demo adds them.
var Flavors = []Flavor{
	{"demo-facebook", "Northwind on Facebook (demo)", "facebook", []inbox.Kind{inbox.KindComment, inbox.KindComment, inbox.KindComment, inbox.KindDM, inbox.KindDM, inbox.KindMention},
		inbox.TextLimit{Max: 8000, Unit: inbox.CountChars}, inbox.TextLimit{Max: 2000, Unit: inbox.CountChars}},
	{"demo-instagram", "@northwind on Instagram (demo)", "instagram", []inbox.Kind{inbox.KindComment, inbox.KindComment, inbox.KindComment, inbox.KindDM, inbox.KindMention, inbox.KindMention},
		inbox.TextLimit{Max: 2200, Unit: inbox.CountChars}, inbox.TextLimit{Max: 1000, Unit: inbox.CountBytes}},
	{"demo-vk", "Northwind on VK (demo)", "vk", []inbox.Kind{inbox.KindComment, inbox.KindComment, inbox.KindDM, inbox.KindDM},
		inbox.TextLimit{Max: 4096, Unit: inbox.CountChars}, inbox.TextLimit{}},
	{"demo-google", "Northwind Harbour St on Google (demo)", "google", []inbox.Kind{inbox.KindReview},
		inbox.TextLimit{Max: 4096, Unit: inbox.CountBytes}, inbox.TextLimit{}},
}

func init() {
	for _, f := range Flavors {
		psync.Register(f.Network, func(cfg psync.AccountConfig) (psync.Connector, error) {
			c := New(f, 1)
			if v, ok := cfg.Options["seed"]; ok {
				n, ok := v.(int64)
				if !ok {
					return nil, fmt.Errorf("account %q: seed must be an integer", cfg.Label)
				}
				c.seed = uint64(n)
			}
			if v, ok := cfg.Options["rate"]; ok {
				switch r := v.(type) {
				case float64:
					c.Rate = r
				case int64:
					c.Rate = float64(r)
				default:
					return nil, fmt.Errorf("account %q: rate must be a number of messages per minute", cfg.Label)
				}
			}
			return c, nil
		}, "seed", "rate")
	}
}

// Connector is one demo account.
type Connector struct {
	flavor Flavor
	seed   uint64
	// Rate is new messages per minute.
	Rate float64
	// Backlog is how many messages the first sync brings.
	Backlog int
	// FailShare is the share of sends that fail with a retryable error.
	FailShare float64
	// Now is the clock.
	Now func() time.Time

	mu       gosync.Mutex
	sent     map[string]psync.Receipt // idempotency key → receipt
	attempts map[string]int
	pending  []pendingFollowUp
	replies  int
}

type pendingFollowUp struct {
	due  time.Time
	item inbox.Inbound
}

// New creates a demo connector for a flavor.
func New(f Flavor, seed uint64) *Connector {
	return &Connector{flavor: f, seed: seed, Rate: 1.5, Backlog: 40, FailShare: 0.08, Now: time.Now,
		sent: map[string]psync.Receipt{}, attempts: map[string]int{}}
}

// Capabilities implements sync.Connector.
func (c *Connector) Capabilities() psync.Capabilities {
	return psync.Capabilities{Reply: true, ReviewReply: c.flavor.Slug == "google", PollInterval: 2 * time.Second, IdempotentSends: true,
		TextLimit: c.flavor.limit, DMLimit: c.flavor.dmLimit}
}

// cursor is "v1:<next seq>:<unix ms of the last generated message>".
func parseCursor(s string) (seq int, last int64, err error) {
	if s == "" {
		return 0, 0, nil
	}
	parts := strings.Split(s, ":")
	if len(parts) != 3 || parts[0] != "v1" {
		return 0, 0, fmt.Errorf("demo: cannot read cursor %q", s)
	}
	if seq, err = strconv.Atoi(parts[1]); err != nil {
		return 0, 0, fmt.Errorf("demo: cursor %q: %w", s, err)
	}
	if last, err = strconv.ParseInt(parts[2], 10, 64); err != nil {
		return 0, 0, fmt.Errorf("demo: cursor %q: %w", s, err)
	}
	return seq, last, nil
}

const pageSize = 50

// Fetch implements sync.Connector: the first sync brings a backlog spread
// over the last two days; later ones bring what the rate says has happened
// since, plus customers' answers to the brand's replies.
func (c *Connector) Fetch(ctx context.Context, cursor string) (inbox.Batch, error) {
	seq, last, err := parseCursor(cursor)
	if err != nil {
		return inbox.Batch{}, err
	}
	now := c.Now()
	var b inbox.Batch
	if cursor == "" {
		n := c.Backlog
		for i := 0; i < n; i++ {
			// Spread over 48h, oldest first, the newest a few minutes old.
			at := now.Add(-time.Duration(n-i) * 48 * time.Hour / time.Duration(n+1))
			c.add(&b, seq+i, at)
		}
		b.Cursor = fmt.Sprintf("v1:%d:%d", seq+n, now.UnixMilli())
		return b, nil
	}
	interval := time.Duration(float64(time.Minute) / max(c.Rate, 0.001))
	lastAt := time.UnixMilli(last)
	n := 0
	for lastAt.Add(interval).Before(now) || lastAt.Add(interval).Equal(now) {
		if n == pageSize {
			b.More = true
			break
		}
		lastAt = lastAt.Add(interval)
		c.add(&b, seq+n, lastAt)
		n++
	}
	b.Cursor = fmt.Sprintf("v1:%d:%d", seq+n, lastAt.UnixMilli())
	c.mu.Lock()
	keep := c.pending[:0]
	for _, p := range c.pending {
		if p.due.After(now) {
			keep = append(keep, p)
			continue
		}
		b.Items = append(b.Items, p.item)
	}
	c.pending = keep
	c.mu.Unlock()
	return b, nil
}

// item is the deterministic content of sequence number seq.
type item struct {
	kind   inbox.Kind
	lang   lang
	mood   mood
	author inbox.Author
	text   string
	rating int
	post   int
	convID string
}

func (c *Connector) rng(seq int, salt uint64) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(c.flavor.Network))
	return rand.New(rand.NewPCG(c.seed^h.Sum64()^salt, uint64(seq)))
}

func (c *Connector) item(seq int) item {
	r := c.rng(seq, 0)
	it := item{kind: c.flavor.kinds[r.IntN(len(c.flavor.kinds))], lang: langs[r.IntN(len(langs))]}
	switch p := r.Float64(); {
	case p < 0.11:
		it.mood = complaint
	case p < 0.45:
		it.mood = praise
	}
	ns := names[it.lang]
	ai := r.IntN(len(ns))
	it.author = inbox.Author{ID: fmt.Sprintf("%s-%s-%d", c.flavor.Slug, it.lang, ai), Name: ns[ai],
		Handle: handle(ns[ai], ai)}
	it.author.URL = fmt.Sprintf("https://demo.parley.invalid/%s/u/%s", c.flavor.Slug, it.author.ID)
	pool := texts[it.lang][it.mood]
	it.text = pool[r.IntN(len(pool))]
	if strings.Contains(it.text, "%d") {
		it.text = fmt.Sprintf(it.text, 10000+r.IntN(90000))
	}
	if r.Float64() < 0.04 {
		if r.IntN(4) == 0 {
			it.text = longLine()
		} else {
			it.text = hostile[r.IntN(len(hostile))]
		}
		it.mood = complaint
	}
	switch it.kind {
	case inbox.KindReview:
		switch it.mood {
		case complaint:
			it.rating = 1 + r.IntN(2)
		case praise:
			it.rating = 4 + r.IntN(2)
		default:
			it.rating = 3 + r.IntN(2)
		}
		it.convID = fmt.Sprintf("review-%d", seq)
	case inbox.KindDM:
		it.convID = "dm-" + it.author.ID // one conversation per person
	case inbox.KindMention:
		it.convID = fmt.Sprintf("mention-%d", seq)
	default:
		it.post = r.IntN(len(posts))
		it.convID = fmt.Sprintf("comment-%d", seq)
	}
	return it
}

func handle(name string, i int) string {
	f := strings.ToLower(strings.Fields(name)[0])
	if f[0] >= 0x80 {
		f = []string{"anya", "dima", "katya", "sergey", "olga", "lyosha", "masha", "vanya"}[i%8]
	}
	return fmt.Sprintf("@%s%d", f, 10+i)
}

var posts = []string{
	"New in: Ethiopia Yirgacheffe, bright and floral. Available in all shops from today ☕",
	"We're hiring baristas for our new Harbour St shop! Apply in store.",
	"Holiday opening hours: Dec 24 until 15:00, closed Dec 25–26.",
	"Our subscription now ships every 2, 3 or 4 weeks — you choose.",
	"Meet Sam, our head roaster, and the story behind our house blend.",
}

func (c *Connector) permalink(it item, msgID string) string {
	base := "https://demo.parley.invalid/" + c.flavor.Slug
	switch it.kind {
	case inbox.KindComment:
		return fmt.Sprintf("%s/posts/%d?comment=%s", base, it.post, msgID)
	case inbox.KindDM:
		return base + "/inbox/" + it.author.ID
	}
	return base + "/" + msgID
}

func (c *Connector) msgID(seq int) string { return fmt.Sprintf("%s-%d", c.flavor.Slug, seq) }

// inbound is message seq as the network shows it, posted at time at.
func (c *Connector) inbound(seq int, at time.Time) inbox.Inbound {
	it := c.item(seq)
	id := c.msgID(seq)
	in := inbox.Inbound{ConversationID: it.convID, Kind: it.kind, Message: inbox.Message{
		ExternalID: id, Direction: inbox.In, Author: it.author, Text: it.text, Rating: it.rating, CreatedAt: at,
		Permalink: c.permalink(it, id)}}
	if it.kind == inbox.KindComment {
		in.PostID = fmt.Sprintf("%s-post-%d", c.flavor.Slug, it.post)
	}
	c.extras(seq, &it, &in.Message)
	c.spam(seq, it, &in.Message)
	return in
}

func (c *Connector) add(b *inbox.Batch, seq int, at time.Time) {
	in := c.inbound(seq, at)
	if in.Kind == inbox.KindComment {
		post := c.item(seq).post
		b.Posts = append(b.Posts, inbox.Post{ExternalID: in.PostID, Author: inbox.Author{Name: brand, Handle: "@northwind"},
			Text: posts[post], Permalink: fmt.Sprintf("https://demo.parley.invalid/%s/posts/%d", c.flavor.Slug, post),
			CreatedAt: at.Add(-72 * time.Hour).Truncate(24 * time.Hour)})
	}
	b.Items = append(b.Items, in)
	c.changes(b, seq, at)
}

// Perform implements sync.Connector: replies are accepted, a share fails
// with a retryable error, and a resend with the same idempotency key
// returns the first receipt instead of posting twice.
func (c *Connector) Perform(ctx context.Context, a psync.Action) (psync.Receipt, error) {
	if a.Kind != inbox.ActionReply {
		return psync.Receipt{}, psync.Permanent(fmt.Errorf("demo network cannot %s", a.Kind))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if r, ok := c.sent[a.IdempotencyKey]; ok {
		return r, nil
	}
	c.attempts[a.IdempotencyKey]++
	h := fnv.New64a()
	fmt.Fprintf(h, "%s/%d", a.IdempotencyKey, c.attempts[a.IdempotencyKey])
	if float64(h.Sum64()%1000)/1000 < c.FailShare {
		return psync.Receipt{}, fmt.Errorf("demo network: 503 Service Unavailable (simulated), will retry")
	}
	c.replies++
	id := fmt.Sprintf("%s-reply-%d-%s", c.flavor.Slug, c.replies, a.IdempotencyKey[:min(8, len(a.IdempotencyKey))])
	r := psync.Receipt{ExternalID: id, Permalink: "https://demo.parley.invalid/" + c.flavor.Slug + "/" + id}
	c.sent[a.IdempotencyKey] = r
	c.scheduleFollowUp(a, h.Sum64())
	return r, nil
}

// scheduleFollowUp has some customers answer the brand's reply: thanks, or,
// for complaints, that it is still not solved.
func (c *Connector) scheduleFollowUp(a psync.Action, h uint64) {
	if h%100 >= 45 {
		return
	}
	seq := -1
	if i := strings.LastIndexByte(a.TargetID, '-'); i >= 0 {
		seq, _ = strconv.Atoi(a.TargetID[i+1:])
	}
	if seq < 0 {
		return
	}
	it := c.item(seq)
	happy := it.mood != complaint || h%3 == 0
	pool := followUps[it.lang][happy]
	id := fmt.Sprintf("%s-followup-%s", c.flavor.Slug, a.IdempotencyKey)
	due := c.Now().Add(time.Duration(15+h%60) * time.Second)
	c.pending = append(c.pending, pendingFollowUp{due: due, item: inbox.Inbound{ConversationID: a.ConversationID, Kind: it.kind,
		Message: inbox.Message{ExternalID: id, ParentID: a.TargetID, Direction: inbox.In, Author: it.author,
			Text: pool[int(h/7)%len(pool)], CreatedAt: due, Permalink: c.permalink(it, id)}}})
}
