package main

import (
	"fmt"
	"os"
	"os/user"
	"path/filepath"
)

// tuiUser is the name actions are signed with, and, when it was guessed
// rather than set, a note saying where to set it. The config defaults user
// to $USER, then "manager"; the login name is a better guess than that.
func tuiUser(c *Config) (name, note string) {
	name = c.User
	if name != "manager" && name != os.Getenv("USER") {
		return name, "" // set in the config
	}
	if name == "manager" {
		if u, err := user.Current(); err == nil && u.Username != "" {
			name = u.Username
		}
	}
	// Short: the status bar gives a note half its width.
	return name, fmt.Sprintf("you are %s · set user in %s", name, filepath.Base(c.path))
}
