package server

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A manager whose name nobody chose — a key without a comment, or with
// ssh-keygen's default user@host — is told where a name is set; one named
// by the allow-list is not.
func TestGuessedNameSaysWhereToSetIt(t *testing.T) {
	f := setup(t, "ann", "bob@laptop", "carol")
	// carol's key loses its comment: the name falls back to the key.
	ak := filepath.Join(f.dir, "authorized_keys")
	b, err := os.ReadFile(ak)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(ak, []byte(strings.Replace(string(b), " carol\n", "\n", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"bob@laptop": "you are bob@laptop", "carol": "you are manager-"} {
		tm := f.open(name, 100, 30)
		tm.waitFor("Alice", want, "[serve] names")
		tm.send("q")
		<-tm.done
	}
	tm := f.open("ann", 100, 30)
	tm.waitFor("Alice", onList)
	if s := tm.text(); strings.Contains(s, "you are") {
		t.Fatalf("ann chose her name, yet:\n%s", s)
	}
}

func TestDefaultComment(t *testing.T) {
	for c, want := range map[string]bool{"ann@laptop": true, "root@host.example": true, "ann": false, "Ann Smith": false,
		"ann smith@laptop": false, "@x": false, "x@": false, "": false} {
		if got := defaultComment(c); got != want {
			t.Errorf("defaultComment(%q) = %v", c, got)
		}
	}
}
