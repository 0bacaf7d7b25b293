// Package parley holds what the whole program ships with: its licence, the
// NOTICE for the data and lexicons embedded in it, and the licences of the
// Go modules compiled in (parley licenses prints them all).
package parley

import _ "embed"

//go:generate go run ./internal/legal/gen

// License is parley's own licence.
//
//go:embed LICENSE
var License string

// Notice lists the third-party data and lexicons embedded in the binary,
// with the attributions their licences require.
//
//go:embed NOTICE
var Notice string

// ThirdParty is the licence of every Go module compiled in, generated from
// the build graph.
//
//go:embed third_party_licenses.txt
var ThirdParty string
