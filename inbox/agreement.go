package inbox

import "fmt"

// Agreement is how often the detector's flags agreed with the manager over
// the stats period, as the manager sees it: a flag left standing counts as
// confirmed, a flag the manager unmarked as a false alarm, and a
// conversation the manager marked negative by hand that the detector never
// flagged as a miss. Ratings and rules are not the detector and do not
// count either way.
type Agreement struct {
	Flagged   int     `json:"flagged"`             // conversations the detector flagged
	Unmarked  int     `json:"unmarked_by_manager"` // of those, marked not negative by hand
	Missed    int     `json:"missed"`              // marked negative by hand, never flagged
	Marks     int     `json:"manual_marks"`        // conversations whose mark is the manager's
	Precision float64 `json:"precision"`           // (Flagged-Unmarked)/Flagged
	Recall    float64 `json:"recall"`              // (Flagged-Unmarked)/(Flagged-Unmarked+Missed)
}

func (a *Agreement) add(r StatRow) {
	manual := r.NegSource == NegManual
	if manual {
		a.Marks++
	}
	switch {
	case r.Flagged:
		a.Flagged++
		if manual && !r.Negative {
			a.Unmarked++
		}
	case manual && r.Negative:
		a.Missed++
	}
}

func (a *Agreement) finish() {
	kept := a.Flagged - a.Unmarked
	if a.Flagged > 0 {
		a.Precision = float64(kept) / float64(a.Flagged)
	}
	if kept+a.Missed > 0 {
		a.Recall = float64(kept) / float64(kept+a.Missed)
	}
}

// Summary is the agreement in one line for the report and the stats view.
func (a Agreement) Summary() string {
	if a.Marks == 0 {
		return "no manual marks yet"
	}
	kept := a.Flagged - a.Unmarked
	return fmt.Sprintf("precision %s (%d of %d flags unmarked) · recall %s (%d missed)",
		Percent(kept, a.Flagged), a.Unmarked, a.Flagged, Percent(kept, kept+a.Missed), a.Missed)
}
