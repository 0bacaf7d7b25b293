package main

import (
	"os/user"
	"strings"
	"testing"
)

func TestTUIUser(t *testing.T) {
	t.Setenv("USER", "bob")
	if name, note := tuiUser(&Config{User: "alice", path: "/x/config.toml"}); name != "alice" || note != "" {
		t.Fatalf("set in config: %q %q", name, note)
	}
	if name, note := tuiUser(&Config{User: "bob", path: "/x/config.toml"}); name != "bob" || !strings.Contains(note, "set user in config.toml") {
		t.Fatalf("from $USER: %q %q", name, note)
	}
	name, note := tuiUser(&Config{User: "manager", path: "/x/config.toml"})
	if u, err := user.Current(); err == nil && u.Username != "" && name != u.Username {
		t.Fatalf("no $USER: %q, want the login %q", name, u.Username)
	}
	if !strings.Contains(note, "you are "+name) {
		t.Fatalf("note %q", note)
	}
}
