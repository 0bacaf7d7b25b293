package synctest

import (
	"context"
	"testing"

	"github.com/parleyhq/parley/inbox"
)

// Each change starts only after the waiter's first look found the
// condition false: the wait can end only by a wake-up.
func TestWakeWaitsForAFakesChangeAndAStoredRow(t *testing.T) {
	var w Wake
	changed := make(chan bool, 1)
	w.Until(t, "the fake's change", func() bool {
		select {
		case v := <-changed:
			return v
		default:
			go func() { changed <- true; w.Notify() }()
			return false
		}
	})

	in := New(t, "fake", "A")
	w.Follow(t, in.Svc)
	started := false
	w.Until(t, "the row stored", func() bool {
		if !started {
			started = true
			go in.Svc.Ingest(context.Background(), in.Acc.ID, inbox.Batch{Items: []inbox.Inbound{{ConversationID: "c", Kind: inbox.KindDM,
				Message: inbox.Message{ExternalID: "m", Text: "hi", Author: inbox.Author{ID: "u", Name: "U"}}}}})
			return false
		}
		return len(in.Threads(t)) == 1
	})
}
