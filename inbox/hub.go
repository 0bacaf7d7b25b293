package inbox

import (
	"context"
	"sync"
)

// Change tells subscribers that stored state moved on. It carries no data:
// subscribers re-read what they show, so a coalesced signal never loses an
// update and a slow subscriber never blocks a writer.
type Change struct {
	Data          bool    // stored conversations changed
	Conversations []int64 // which ones, as a hint
	Accounts      bool    // account sync state changed
	Presence      bool    // who is viewing or replying changed
}

// merge combines two unread changes into one.
func (c Change) merge(o Change) Change {
	return Change{
		Data:          c.Data || o.Data,
		Conversations: append(append([]int64{}, c.Conversations...), o.Conversations...),
		Accounts:      c.Accounts || o.Accounts,
		Presence:      c.Presence || o.Presence,
	}
}

type hub struct {
	mu   sync.Mutex
	subs map[chan Change]struct{}
}

func (h *hub) subscribe(ctx context.Context) <-chan Change {
	ch := make(chan Change, 1)
	h.mu.Lock()
	if h.subs == nil {
		h.subs = map[chan Change]struct{}{}
	}
	h.subs[ch] = struct{}{}
	h.mu.Unlock()
	go func() {
		<-ctx.Done()
		h.mu.Lock()
		delete(h.subs, ch)
		h.mu.Unlock()
	}()
	return ch
}

// publish merges c into any change a subscriber has not read yet.
func (h *hub) publish(c Change) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs {
		select {
		case ch <- c:
			continue
		default:
		}
		// Full: take the pending change out, merge, put it back. We hold the
		// lock, so no other publisher can refill it in between.
		select {
		case old := <-ch:
			ch <- old.merge(c)
		default:
			ch <- c
		}
	}
}
