package synctest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// Wake tells a waiting test that something it may be waiting for has
// changed: a fake calls Notify after each change to its state (a request
// logged, a client joined), and Follow adds every change a service
// publishes (a row stored, an account gone live). A waiter looks at its
// condition again after each wake-up, so it waits for the condition, never
// for time to pass. The zero Wake is ready; any number may wait at once.
type Wake struct {
	mu sync.Mutex
	ch chan struct{} // closed by the next Notify
}

// Notify wakes every waiter.
func (w *Wake) Notify() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.ch != nil {
		close(w.ch)
		w.ch = nil
	}
}

func (w *Wake) next() <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.ch == nil {
		w.ch = make(chan struct{})
	}
	return w.ch
}

// Follow wakes w after every change svc publishes, until the test ends.
func (w *Wake) Follow(t testing.TB, svc *inbox.Service) {
	ctx, cancel := context.WithCancel(context.Background())
	changes := svc.Subscribe(ctx) // at once: no change after Follow returns is missed
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-ctx.Done():
				return
			case <-changes:
				w.Notify()
			}
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
}

// WaitLimit only fails a test that is really stuck; a busy machine stays
// far below it.
const WaitLimit = 20 * time.Second

// Until waits until cond holds, looking again after every wake-up, and
// fails the test if it still does not after WaitLimit.
func (w *Wake) Until(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(WaitLimit)
	defer deadline.Stop()
	for {
		next := w.next() // before the look: a change during it wakes the wait below
		if cond() {
			return
		}
		select {
		case <-next:
		case <-deadline.C:
			t.Fatalf("still waiting for %s after %v", what, WaitLimit)
		}
	}
}
