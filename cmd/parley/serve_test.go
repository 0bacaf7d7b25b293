package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// parley serve says where it listens and the host key's fingerprint, so
// the first connection can be checked against it.
func TestServePrintsHostKeyFingerprint(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "cfg"))
	keys := filepath.Join(dir, "authorized_keys")
	os.WriteFile(keys, []byte("# nobody yet\n"), 0o600)
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- runContext(ctx, []string{"serve", "--demo", "--listen", "127.0.0.1:0", "--authorized-keys", keys,
			"--db", filepath.Join(dir, "demo.db")}, strings.NewReader(""), pw, pw)
		pw.Close()
	}()
	var got strings.Builder
	buf := make([]byte, 4096)
	fp := regexp.MustCompile(`host key SHA256:[A-Za-z0-9+/]{43} `)
	deadline := time.Now().Add(10 * time.Second)
	for !fp.MatchString(got.String()) || !strings.Contains(got.String(), "parley.log") {
		if time.Now().After(deadline) {
			t.Fatalf("no fingerprint printed:\n%s", got.String())
		}
		n, err := pr.Read(buf)
		got.Write(buf[:n])
		if err != nil {
			t.Fatalf("serve ended: %v\n%s", err, got.String())
		}
	}
	cancel()
	go io.Copy(io.Discard, pr)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
