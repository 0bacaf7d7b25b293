package inbox

import (
	"slices"
	"strings"
	"time"
)

// Describe says in words what an event did to its conversation: the
// action's name where it says it all, else what changed between before
// and after ("done", "tagged #vip", "assigned to bob").
func (e Event) Describe() string {
	switch {
	case e.Action == "note":
		return "wrote an internal note"
	case e.Action == "reply":
		return "replied" + withChanges(e.Before, e.After)
	case e.Action == "discard draft":
		return "discarded their draft"
	case strings.HasPrefix(e.Action, "moderate:"):
		return "asked the network to " + strings.ReplaceAll(strings.TrimPrefix(e.Action, "moderate:"), "_", " ")
	case strings.HasPrefix(e.Action, "rule: "):
		return "rule " + strings.TrimPrefix(e.Action, "rule: ") + changes(e.Before, e.After, ": ")
	case strings.HasPrefix(e.Action, LinkAction):
		return "linked " + strings.TrimPrefix(e.Action, LinkAction)
	case strings.HasPrefix(e.Action, UnlinkAction):
		return "unlinked " + strings.TrimPrefix(e.Action, UnlinkAction)
	case e.Action == "undo":
		return "undid" + changes(e.Before, e.After, ": ")
	}
	if c := changes(e.Before, e.After, ""); c != "" {
		return c
	}
	return strings.ReplaceAll(e.Action, "_", " ")
}

func withChanges(before, after Triage) string { return changes(before, after, ", ") }

// changes lists what differs between two triage states, after a prefix;
// "" when nothing did.
func changes(b, a Triage, prefix string) string {
	var out []string
	if b.State != a.State || b.SnoozeUntil != a.SnoozeUntil {
		switch a.State {
		case StateSnoozed:
			out = append(out, "snoozed until "+time.UnixMilli(a.SnoozeUntil).Local().Format("Mon 2 Jan 15:04"))
		case StateDone:
			out = append(out, "marked done")
		default:
			out = append(out, "reopened")
		}
	}
	if b.Negative != a.Negative {
		s := "marked negative"
		if !a.Negative {
			s = "marked not negative"
		}
		if a.NegSource != NegNone && a.NegSource != NegManual {
			s += " (" + string(a.NegSource) + ")"
		}
		out = append(out, s)
	}
	for _, t := range a.Tags {
		if !slices.Contains(b.Tags, t) {
			out = append(out, "tagged #"+t)
		}
	}
	for _, t := range b.Tags {
		if !slices.Contains(a.Tags, t) {
			out = append(out, "removed #"+t)
		}
	}
	if b.EscDest != a.EscDest {
		if a.EscDest == "" {
			out = append(out, "ended the escalation to "+b.EscDest)
		} else {
			s := "escalated to " + a.EscDest
			if a.EscNote != "" {
				s += " (" + a.EscNote + ")"
			}
			out = append(out, s)
		}
	}
	if b.Assignee != a.Assignee {
		switch {
		case a.Assignee == "":
			out = append(out, "unassigned "+b.Assignee)
		case b.Assignee == "":
			out = append(out, "assigned to "+a.Assignee)
		default:
			out = append(out, "reassigned from "+b.Assignee+" to "+a.Assignee)
		}
	}
	if len(out) == 0 {
		return ""
	}
	return prefix + strings.Join(out, ", ")
}
