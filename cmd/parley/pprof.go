//go:build pprof

// Profiling is compiled in only with `go build -tags pprof`, so release
// binaries never listen on a debug port. PARLEY_PPROF names a loopback
// address (127.0.0.1:6060) for net/http/pprof; BENCHMARKS.md shows its use.
package main

import (
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
)

func init() {
	addr := os.Getenv("PARLEY_PPROF")
	if addr == "" {
		return
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil || !net.ParseIP(host).IsLoopback() {
		fmt.Fprintf(os.Stderr, "PARLEY_PPROF=%q: give a loopback address such as 127.0.0.1:6060\n", addr)
		os.Exit(2)
	}
	go func() { _ = http.ListenAndServe(addr, nil) }()
}
