package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"
)

// The config is the user's file: commands that change it (connect, accounts
// remove) touch only the [[account]] table concerned and leave every other
// line, comment and blank as it was.

// encodeAccount is one [[account]] table as parley writes it.
func encodeAccount(a AccountConfig) (string, error) {
	var b strings.Builder
	b.WriteString("[[account]]\n")
	enc := toml.NewEncoder(&b)
	if err := enc.Encode(map[string]any{"network": a.Network, "label": a.Label}); err != nil {
		return "", err
	}
	b.WriteString("[account.options]\n")
	if err := enc.Encode(a.Options); err != nil {
		return "", err
	}
	return b.String(), nil
}

// appendAccount adds an [[account]] table at the end of the config, creating
// the file (0600) if needed; the rest of the file is left as it was.
func appendAccount(path string, a AccountConfig) error {
	block, err := encodeAccount(a)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	_, err = f.WriteString("\n" + block)
	return err
}

// rewriteAccount replaces the [[account]] table labelled label with a, where
// it stands in the file.
func rewriteAccount(path, label string, a AccountConfig) error {
	text, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	lines, start, end, found := accountBlock(string(text), label)
	if found == nil {
		return fmt.Errorf("%s: no account labelled %q to re-authorise", path, label)
	}
	block, err := encodeAccount(a)
	if err != nil {
		return err
	}
	if end < len(lines) {
		block += "\n"
	}
	return replaceFile(path, strings.Join(lines[:start], "")+block+strings.Join(lines[end:], ""))
}

// replaceFile writes the new text beside the file and renames it over, so a
// crash leaves the old config or the new one, never half of it.
func replaceFile(path, text string) error {
	mode := os.FileMode(0o600)
	if st, err := os.Stat(path); err == nil {
		mode = st.Mode().Perm()
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(text), mode); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// accountBlock finds the [[account]] table (and its [account.*] subtables)
// labelled label: the file's lines and the block's [start, end).
func accountBlock(text, label string) (lines []string, start, end int, found *AccountConfig) {
	lines = strings.SplitAfter(text, "\n")
	blocks := accountBlocks(lines)
	for _, b := range blocks {
		var a struct {
			Account []AccountConfig `toml:"account"`
		}
		chunk := strings.Join(lines[b.start:b.end], "")
		if _, err := toml.Decode(chunk, &a); err != nil || len(a.Account) != 1 {
			continue
		}
		got := a.Account[0]
		if got.Label == "" {
			got.Label = got.Network
		}
		if got.Label == label {
			// Blank lines at the end of the block belong to what follows.
			end := b.end
			for end > b.start+1 && strings.TrimSpace(lines[end-1]) == "" {
				end--
			}
			return lines, b.start, end, &got
		}
	}
	return lines, 0, 0, nil
}

// span is a range of lines, [start, end).
type span struct{ start, end int }

// accountBlocks are the [[account]] tables of a config, in order, each with
// its [account.*] subtables.
func accountBlocks(lines []string) []span {
	var blocks []span
	open := func() bool { return len(blocks) > 0 && blocks[len(blocks)-1].end == len(lines) }
	for i, l := range lines {
		t := strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(t, "[[account]]"):
			if open() {
				blocks[len(blocks)-1].end = i
			}
			blocks = append(blocks, span{start: i, end: len(lines)})
		case strings.HasPrefix(t, "[") && !strings.HasPrefix(t, "[account.") && open():
			blocks[len(blocks)-1].end = i
		}
	}
	return blocks
}

// withoutAccount cuts the [[account]] table labelled label out of a
// config's text, leaving everything else as the user wrote it.
func withoutAccount(text, label string) (string, *AccountConfig, error) {
	lines, start, end, found := accountBlock(text, label)
	if found == nil {
		return text, nil, nil
	}
	// Drop a blank line left before the block too.
	if start > 0 && strings.TrimSpace(lines[start-1]) == "" {
		start--
	}
	return strings.Join(lines[:start], "") + strings.Join(lines[end:], ""), found, nil
}
