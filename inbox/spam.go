package inbox

import "context"

// MarkSpam closes conversations as spam: they leave the Inbox for the Spam
// view and stay closed when their authors write again. Journalled as one
// group, so undo puts each back where it was.
func (s *Service) MarkSpam(ctx context.Context, actor string, ids []int64) error {
	return s.apply(ctx, actor, "spam", ids, markSpam)
}

// NotSpam takes the spam mark away and puts the conversations back in the
// Inbox.
func (s *Service) NotSpam(ctx context.Context, actor string, ids []int64) error {
	return s.apply(ctx, actor, "not spam", ids, func(t *Triage) {
		if t.Spam {
			t.Spam, t.State, t.SnoozeUntil = false, StateOpen, 0
		}
	})
}

func markSpam(t *Triage) { t.Spam, t.State, t.SnoozeUntil = true, StateDone, 0 }
