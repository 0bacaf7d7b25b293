package inbox

import (
	"context"
	"fmt"
	"strings"

	"github.com/parleyhq/parley/inbox/sanitize"
)

type managerKey struct{}

// WithManager records in ctx which manager is asking: each TUI program
// (one per SSH session) carries its own, so the per-manager views (Mine)
// list that manager's rows while the Service stays shared.
func WithManager(ctx context.Context, name string) context.Context {
	return context.WithValue(ctx, managerKey{}, name)
}

// ManagerOf is the manager WithManager recorded, or "".
func ManagerOf(ctx context.Context) string {
	s, _ := ctx.Value(managerKey{}).(string)
	return s
}

// CleanManager makes a manager's name safe to store and show: one line,
// no control characters, trimmed, at most 40 characters, no leading '@'.
func CleanManager(name string) string {
	name = strings.TrimLeft(strings.TrimSpace(sanitize.Line(name)), "@")
	if r := []rune(name); len(r) > 40 {
		name = string(r[:40])
	}
	return strings.TrimSpace(name)
}

// Assign hands conversations to a manager; an empty name unassigns them.
// Journalled as one group, so undo gives them back to whoever had them.
func (s *Service) Assign(ctx context.Context, actor string, ids []int64, to string) error {
	to = CleanManager(to)
	action := "assign"
	if to == "" {
		action = "unassign"
	}
	return s.apply(ctx, actor, action, ids, func(t *Triage) { t.Assignee = to })
}

// teamCounts adds the per-manager views' sizes to a count of the shared
// views.
func (s *Service) teamCounts(ctx context.Context, c Counts, network string) (Counts, error) {
	tc, err := s.store.TeamCounts(ctx, ManagerOf(ctx), network)
	if err != nil {
		return c, fmt.Errorf("team counts: %w", err)
	}
	for v, n := range tc {
		c[v] = n
	}
	return c, nil
}
