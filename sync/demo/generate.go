package demo

import (
	"fmt"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// Generate produces n conversations of three messages each, spread over the
// year before now and across the demo networks, and hands them to emit in
// batches of about a thousand messages, as a connector would. Most are
// answered; about one in twenty-five ends with the customer waiting.
func Generate(seed uint64, n int, now time.Time, emit func(flavor int, b inbox.Batch) error) error {
	conns := make([]*Connector, len(Flavors))
	for i, f := range Flavors {
		conns[i] = New(f, seed)
	}
	const perBatch = 333
	span := 365 * 24 * time.Hour
	for start := 0; start < n; start += perBatch * len(Flavors) {
		for fi, c := range conns {
			var b inbox.Batch
			for k := 0; k < perBatch; k++ {
				i := start + k*len(Flavors) + fi
				if i >= n {
					break
				}
				at := now.Add(-span + time.Duration(float64(span)*float64(i)/float64(n)))
				c.generated(&b, i, at)
			}
			if len(b.Items) == 0 {
				continue
			}
			b.Cursor = fmt.Sprintf("v1:0:%d", now.UnixMilli())
			if err := emit(fi, b); err != nil {
				return err
			}
		}
	}
	return nil
}

func (c *Connector) generated(b *inbox.Batch, i int, at time.Time) {
	it := c.item(i)
	conv := fmt.Sprintf("gen-%d", i)
	author := it.author
	author.ID = fmt.Sprintf("%s-%d", author.ID, i%40000)
	in := func(id string, t time.Time, text string) inbox.Inbound {
		return inbox.Inbound{ConversationID: conv, Kind: it.kind, Message: inbox.Message{ExternalID: id, Direction: inbox.In,
			Author: author, Text: text, Rating: it.rating, CreatedAt: t, Permalink: c.permalink(it, id)}}
	}
	out := func(id string, t time.Time) inbox.Inbound {
		return inbox.Inbound{ConversationID: conv, Kind: it.kind, Message: inbox.Message{ExternalID: id, Direction: inbox.Out,
			Author: inbox.Author{Name: brand}, Text: "Thanks for reaching out! We're on it.", CreatedAt: t}}
	}
	id := fmt.Sprintf("gen-%d-", i)
	happy := followUps[it.lang][it.mood != complaint]
	if i%25 == 0 { // still waiting for us
		b.Items = append(b.Items, in(id+"1", at, it.text), out(id+"2", at.Add(20*time.Minute)), in(id+"3", at.Add(time.Hour), happy[i%len(happy)]))
		return
	}
	b.Items = append(b.Items, in(id+"1", at, it.text), in(id+"2", at.Add(5*time.Minute), happy[i%len(happy)]), out(id+"3", at.Add(30*time.Minute)))
}
