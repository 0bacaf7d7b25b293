package inbox

import "fmt"

// View is one of the triage queues.
type View int

// Views, in tab order.
const (
	ViewInbox View = iota
	ViewNegative
	ViewEscalated
	ViewSnoozed
	ViewDone
	ViewAll
	// The team's views: per manager, so their rows depend on who asks
	// (Page.Manager); they are not in Views, whose membership is the same
	// for everyone.
	ViewMine       // open conversations assigned to the manager asking
	ViewUnassigned // open conversations nobody owns
	ViewMentions   // conversations with a note that names the manager asking
	ViewSpam       // conversations marked spam (closed, whatever their author writes)
)

// Views lists every view in tab order.
var Views = []View{ViewInbox, ViewNegative, ViewEscalated, ViewSnoozed, ViewDone, ViewAll}

// TeamViews are the views counted apart from view_counts (by the store's
// team counters): those whose rows depend on the manager asking, and Spam.
var TeamViews = []View{ViewMine, ViewUnassigned, ViewMentions, ViewSpam}

// Tabs lists every view a manager can switch to, in tab order.
var Tabs = append(append([]View{}, Views...), TeamViews...)

func (v View) String() string {
	switch v {
	case ViewInbox:
		return "Inbox"
	case ViewNegative:
		return "Negative"
	case ViewEscalated:
		return "Escalated"
	case ViewSnoozed:
		return "Snoozed"
	case ViewDone:
		return "Done"
	case ViewAll:
		return "All"
	case ViewMine:
		return "Mine"
	case ViewUnassigned:
		return "Unassigned"
	case ViewMentions:
		return "Mentions"
	case ViewSpam:
		return "Spam"
	}
	return fmt.Sprintf("View(%d)", int(v))
}

// Page asks for a window of a view, keyset-paged on the view's sort key.
// With an Anchor, rows strictly after it (or strictly before it when Before
// is set) are returned, always in view order.
type Page struct {
	View    View
	Network string // "" for every network
	Anchor  *Cursor
	Before  bool
	Limit   int
	// Manager is who asks, for the team views (Mine); the Service fills it
	// from the context (WithManager) when empty.
	Manager string
}

// Cursor is a position in a view: the sort key and id of a row.
type Cursor struct {
	Key int64
	ID  int64
}

// Counts holds the number of conversations in each view.
type Counts map[View]int
