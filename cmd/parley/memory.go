package main

import (
	"math"
	"os"
	"runtime/debug"
)

// localMemoryLimit is a soft ceiling for one manager's TUI: the GC works
// harder before the heap grows past it, instead of letting it double after
// a big filter or search.
const localMemoryLimit = 64 << 20

// setMemoryLimit applies the soft ceiling that suits the command. A server's
// heap grows with its sessions (about 2.5 MiB each), so a fixed ceiling there
// makes the GC run without pause once a team is connected: fifty sessions
// at 170 MiB spent three quarters of the process's CPU in the collector
// (BENCHMARKS.md, issue 19). `parley serve` therefore lifts it and lets the
// heap pace the GC. A GOMEMLIMIT the operator sets always wins.
func setMemoryLimit(serving bool) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	if serving {
		debug.SetMemoryLimit(math.MaxInt64)
		return
	}
	debug.SetMemoryLimit(localMemoryLimit)
}
