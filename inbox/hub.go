package inbox

import (
	"context"
	"sync"
)

// Change tells subscribers that stored state moved on. It carries no rows:
// subscribers re-read what they show, so a coalesced signal never loses an
// update and a slow subscriber never blocks a writer. It does say where each
// changed conversation now sits, looked up once per change for every
// subscriber, so a session can tell whether its window is touched without
// a query of its own.
type Change struct {
	Data          bool        // stored conversations changed
	Conversations []int64     // which ones
	Placed        []Placement // where they sit now, in the order they changed
	// All: which conversations changed is not known (too many, or the
	// lookup failed); anything on screen may be stale.
	All      bool
	Accounts bool // account sync state changed
	Presence bool // who is viewing or replying changed
	// Customers: identities were linked or unlinked (or that was undone),
	// so an open profile of anyone may now span other conversations.
	Customers bool
	// ForAssignee are new inbound messages on conversations a manager
	// owns: that manager's sessions say so at once, others ignore them.
	ForAssignee []AssignedArrival
}

// Placement is where a conversation sits after a change: its network and
// its sort key in each view that holds it (none: in no view, or deleted).
type Placement struct {
	ID      int64
	Network string
	Keys    map[View]int64
}

// maxPlaced bounds the conversations one change (or a subscriber's unread
// merge of several) names; beyond it the change says All, which costs a
// subscriber one full refresh and keeps a slow one's backlog small.
const maxPlaced = 512

// merge combines two unread changes into one, the later placements last.
func (c Change) merge(o Change) Change {
	m := Change{
		Data:        c.Data || o.Data,
		All:         c.All || o.All,
		Accounts:    c.Accounts || o.Accounts,
		Presence:    c.Presence || o.Presence,
		Customers:   c.Customers || o.Customers,
		ForAssignee: append(append([]AssignedArrival{}, c.ForAssignee...), o.ForAssignee...),
	}
	// A subscriber that reads nothing for long keeps only the latest.
	m.ForAssignee = m.ForAssignee[max(len(m.ForAssignee)-maxPlaced, 0):]
	if len(c.Conversations)+len(o.Conversations) > maxPlaced {
		m.All = true // too many to be worth naming
	} else {
		m.Conversations = append(append([]int64{}, c.Conversations...), o.Conversations...)
		m.Placed = append(append([]Placement{}, c.Placed...), o.Placed...)
	}
	return m
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
