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
)

// Views lists every view in tab order.
var Views = []View{ViewInbox, ViewNegative, ViewEscalated, ViewSnoozed, ViewDone, ViewAll}

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
}

// Cursor is a position in a view: the sort key and id of a row.
type Cursor struct {
	Key int64
	ID  int64
}

// Counts holds the number of conversations in each view.
type Counts map[View]int
