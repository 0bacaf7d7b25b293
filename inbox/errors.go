package inbox

import "errors"

// Domain errors; the store maps driver errors to these at its boundary.
var (
	ErrNotFound      = errors.New("not found")
	ErrConflict      = errors.New("conflict")
	ErrInvalid       = errors.New("invalid")
	ErrNothingToUndo = errors.New("nothing to undo")
)
