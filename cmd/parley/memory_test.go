package main

import (
	"math"
	"runtime/debug"
	"testing"
)

// The server must not inherit the TUI's ceiling: with a team connected its
// heap is past 64 MiB and the GC would run without pause (issue 19).
func TestMemoryLimitPerCommand(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })

	t.Setenv("GOMEMLIMIT", "")
	setMemoryLimit(false)
	if got := debug.SetMemoryLimit(-1); got != localMemoryLimit {
		t.Fatalf("local TUI: limit %d, want %d", got, localMemoryLimit)
	}
	setMemoryLimit(true)
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Fatalf("serve: limit %d, want none", got)
	}

	t.Setenv("GOMEMLIMIT", "300MiB")
	debug.SetMemoryLimit(12345)
	setMemoryLimit(false)
	setMemoryLimit(true)
	if got := debug.SetMemoryLimit(-1); got != 12345 {
		t.Fatalf("GOMEMLIMIT set: limit changed to %d", got)
	}
}
