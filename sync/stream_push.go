package sync

import (
	"context"
	"encoding/json"
	gosync "sync"
)

// Push is a nudge from outside a connector that something changed on one
// of its network's objects: a Meta webhook for a Page or an Instagram
// account, received by `parley serve`. It is a hint, never the only copy:
// the connector reads what changed from the network before anything is
// stored.
type Push struct {
	Object string          // "page" or "instagram"
	ID     string          // the Page's or Instagram account's id
	Field  string          // feed, messages, comments, mentions, …
	Value  json.RawMessage // the change as the network sent it
}

// Pushes routes pushes to the connectors that stream from them, by object
// id. One per process: the webhook receiver publishes, each connector of a
// pushing network subscribes for its ids.
type Pushes struct {
	mu        gosync.Mutex
	listening bool
	subs      map[string]map[chan Push]bool
}

// Webhooks is the process's push router: `parley serve` with a [webhooks]
// table feeds it.
var Webhooks = &Pushes{}

// Listen says pushes will come (the receiver is up): from now on a
// connector's Stream subscribes instead of answering ErrNoStream. Call it
// before the engine starts.
func (p *Pushes) Listen() {
	p.mu.Lock()
	p.listening = true
	p.mu.Unlock()
}

// Listening reports whether a receiver feeds this router.
func (p *Pushes) Listening() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.listening
}

// Subscribe returns the pushes for an object id until ctx ends.
func (p *Pushes) Subscribe(ctx context.Context, id string) <-chan Push {
	ch := make(chan Push, 64)
	p.mu.Lock()
	if p.subs == nil {
		p.subs = map[string]map[chan Push]bool{}
	}
	if p.subs[id] == nil {
		p.subs[id] = map[chan Push]bool{}
	}
	p.subs[id][ch] = true
	p.mu.Unlock()
	go func() {
		<-ctx.Done()
		p.mu.Lock()
		delete(p.subs[id], ch)
		p.mu.Unlock()
	}()
	return ch
}

// Publish hands a push to every subscriber of its id and says how many
// took it (0: no account here has that id). A subscriber too busy to take
// it misses it; its next catch-up fetch finds the change anyway.
func (p *Pushes) Publish(push Push) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for ch := range p.subs[push.ID] {
		select {
		case ch <- push:
			n++
		default:
		}
	}
	return n
}

// catchUpKey carries, in a stream's context, how to ask for a fetch now.
type catchUpKey struct{}

// CatchUpNow asks the engine running this stream to fetch the account from
// its cursor now: for a push that says something changed, where the
// connector's regular fetch is the way to read it.
func CatchUpNow(ctx context.Context) {
	if f, ok := ctx.Value(catchUpKey{}).(func()); ok {
		f()
	}
}
