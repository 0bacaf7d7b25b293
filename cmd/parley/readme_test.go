package main

import (
	"os"
	"strings"
	"testing"

	"github.com/parleyhq/parley/tui"
)

// The README's key table names every default key, so a new binding cannot
// ship undocumented (S, m and ctrl+l once were).
func TestReadmeKeyTableIsComplete(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	start, end := strings.Index(text, "## Keys"), strings.Index(text, "## Configuration")
	if start < 0 || end < start {
		t.Fatal("README has no Keys section before Configuration")
	}
	table := text[start:end]
	shown := map[string]string{"up": "↑", "down": "↓", "pgdown": "pgdn"}
	for _, col := range tui.DefaultKeyMap().FullHelp() {
		for _, b := range col {
			for _, k := range b.Keys() {
				if s, ok := shown[k]; ok {
					k = s
				}
				if !strings.Contains(table, "`"+k+"`") {
					t.Errorf("README key table lacks `%s` (%s)", k, b.Help().Desc)
				}
			}
		}
	}
}
