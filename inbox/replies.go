package inbox

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// SavedReply is a canned answer from a plain-text file.
type SavedReply struct {
	Name string // file name without extension and language
	Lang string // "nl" for sorry.nl.txt: the variant for Dutch conversations; "" for the default
	File string // the file's name in the replies directory
	Body string
}

// LoadSavedReplies reads every regular file in dir (sorted by name). A
// missing directory is not an error: there are simply no saved replies.
func LoadSavedReplies(dir string) ([]SavedReply, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("saved replies in %s: %w", dir, err)
	}
	var out []SavedReply
	for _, e := range entries {
		if !e.Type().IsRegular() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("saved reply %s: %w", filepath.Join(dir, e.Name()), err)
		}
		name, lang := splitLang(strings.TrimSuffix(e.Name(), filepath.Ext(e.Name())))
		out = append(out, SavedReply{Name: name, Lang: lang, File: e.Name(), Body: strings.TrimRight(string(b), "\n")})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].Lang < out[j].Lang
	})
	return out, nil
}

// ReplyVars are the placeholders a saved reply can use.
func ReplyVars(c Conversation, acc Account, me string) map[string]string {
	first := c.Author.Name
	if f := strings.Fields(first); len(f) > 0 {
		first = f[0]
	}
	return map[string]string{
		"author":     c.Author.Display(),
		"name":       c.Author.Name,
		"first_name": first,
		"handle":     c.Author.Handle,
		"network":    c.Network,
		"account":    acc.Label,
		"me":         me,
	}
}

// FillTemplate replaces {{name}} placeholders (spaces inside the braces are
// allowed); unknown placeholders stay as they are so the manager sees them.
func FillTemplate(tpl string, vars map[string]string) string {
	var b strings.Builder
	for {
		i := strings.Index(tpl, "{{")
		if i < 0 {
			b.WriteString(tpl)
			return b.String()
		}
		j := strings.Index(tpl[i:], "}}")
		if j < 0 {
			b.WriteString(tpl)
			return b.String()
		}
		key := strings.TrimSpace(tpl[i+2 : i+j])
		b.WriteString(tpl[:i])
		if v, ok := vars[key]; ok {
			b.WriteString(v)
		} else {
			b.WriteString(tpl[i : i+j+2])
		}
		tpl = tpl[i+j+2:]
	}
}
