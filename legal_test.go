package parley

import (
	"testing"

	"github.com/parleyhq/parley/internal/legal"
)

// The shipped list of module licences must match what the binary compiles
// in: a new dependency without its licence fails here.
func TestThirdPartyLicencesAreCurrent(t *testing.T) {
	want, err := legal.Generate(".", "./cmd/parley")
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != ThirdParty {
		t.Fatal("third_party_licenses.txt is stale: run `go generate .` at the repository root and commit it")
	}
	if License == "" || Notice == "" {
		t.Fatal("LICENSE or NOTICE is empty")
	}
}
