package inbox

import (
	"context"
	"fmt"
)

// LabelledExample is one of the manager's marks as stored: the text of the
// conversation's latest inbound message and whether it was marked negative.
type LabelledExample struct {
	ID       int64
	Text     string
	Negative bool
}

// ExampleStore is a Store that can hand back its labelled examples, in id
// order, after a given id. The detector's workspace layer learns from them.
type ExampleStore interface {
	ExamplesAfter(ctx context.Context, afterID int64, limit int) ([]LabelledExample, error)
}

// LearnFromMarks teaches the detector every stored mark it has not taken
// yet: all of them at start, the new ones after each mark. A store that
// keeps no examples, or no detector, makes it a no-op.
func (s *Service) LearnFromMarks(ctx context.Context) error {
	d := s.opts.Detector
	es, ok := s.store.(ExampleStore)
	if d == nil || !ok {
		return nil
	}
	for {
		batch, err := es.ExamplesAfter(ctx, d.LastMark(), 500)
		if err != nil {
			return fmt.Errorf("learning from the manager's marks: %w", err)
		}
		for _, ex := range batch {
			d.LearnMark(ex.ID, ex.Text, ex.Negative)
		}
		if len(batch) < 500 {
			return nil
		}
	}
}
