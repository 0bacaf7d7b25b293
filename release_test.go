package parley

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// .ci/run runs goreleaser check and a one-platform snapshot build; this test
// checks, on every go test and without goreleaser, what the full release
// would trip on: every file an archive or a package ships exists in the
// repository or is made by a before hook, LICENSE, NOTICE and the
// third-party licences ship in both, and the version the build stamps is a
// variable that exists.
func TestReleaseConfigShipsWhatItNames(t *testing.T) {
	b, err := os.ReadFile(".goreleaser.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Version int
		Before  struct{ Hooks []string }
		Builds  []struct {
			Main    string
			Ldflags []string
		}
		Archives []struct{ Files []string }
		Nfpms    []struct {
			Contents []struct{ Src, Dst string }
		}
	}
	if err := yaml.Unmarshal(b, &cfg); err != nil {
		t.Fatalf(".goreleaser.yaml: %v", err)
	}
	if cfg.Version != 2 {
		t.Fatalf(".goreleaser.yaml: version %d, want 2", cfg.Version)
	}
	hooks := strings.Join(cfg.Before.Hooks, "\n")
	check := func(pattern string) {
		t.Helper()
		dir := strings.SplitN(pattern, "/", 2)[0]
		if strings.Contains(pattern, "/") && strings.Contains(hooks, dir) {
			return // made by a before hook (completions, manpages)
		}
		if m, _ := filepath.Glob(pattern); len(m) == 0 {
			t.Errorf(".goreleaser.yaml ships %q, which does not exist", pattern)
		}
	}
	var shipped []string
	for _, a := range cfg.Archives {
		for _, f := range a.Files {
			check(f)
			shipped = append(shipped, f)
		}
	}
	for _, n := range cfg.Nfpms {
		for _, c := range n.Contents {
			check(c.Src)
			shipped = append(shipped, c.Src)
		}
	}
	for _, want := range []string{"LICENSE", "NOTICE", "third_party_licenses.txt"} {
		n := 0
		for _, s := range shipped {
			if s == want {
				n++
			}
		}
		if n < 2 {
			t.Errorf("%s is not shipped in both the archives and the packages", want)
		}
	}
	main, err := os.ReadFile(filepath.Join(cfg.Builds[0].Main, "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(cfg.Builds[0].Ldflags, " "), "-X main.version=") || !strings.Contains(string(main), "var version =") {
		t.Error("the build stamps main.version, which must be a package-level var in cmd/parley/main.go")
	}
}
