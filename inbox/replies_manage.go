package inbox

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode"
)

// Saved replies are plain-text files, one per reply: sorry.txt is the
// reply "sorry"; sorry.nl.txt beside it is its variant for conversations
// whose latest customer message was detected as Dutch.

// splitLang takes a language suffix off a reply's file stem: "sorry.nl"
// is "sorry" in "nl". Only a 2–3 letter lowercase suffix counts, so
// "v1.2" stays a name.
func splitLang(stem string) (name, lang string) {
	i := strings.LastIndexByte(stem, '.')
	if i <= 0 || !isLang(stem[i+1:]) {
		return stem, ""
	}
	return stem[:i], stem[i+1:]
}

func isLang(s string) bool {
	if len(s) < 2 || len(s) > 3 {
		return false
	}
	for _, r := range s {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	return true
}

// ReplyNames lists each saved reply once, whatever its variants, in order.
func ReplyNames(replies []SavedReply) []string {
	var out []string
	for _, r := range replies {
		if len(out) == 0 || out[len(out)-1] != r.Name {
			out = append(out, r.Name)
		}
	}
	return out
}

// PickVariant is the variant of reply name for a conversation in lang: the
// one in that language, else the default, else any.
func PickVariant(replies []SavedReply, name, lang string) (SavedReply, bool) {
	var def, first SavedReply
	found := false
	for _, r := range replies {
		if r.Name != name {
			continue
		}
		if lang != "" && r.Lang == lang {
			return r, true
		}
		if !found {
			first, found = r, true
		}
		if r.Lang == "" {
			def = r
		}
	}
	if def.File != "" {
		return def, true
	}
	return first, found
}

// ParseReplyName reads what a manager types to name a new saved reply:
// "sorry" or "sorry.nl" for its Dutch variant. The name becomes a file
// name, so it is kept to letters, digits, spaces, '-' and '_'.
func ParseReplyName(s string) (name, lang string, err error) {
	name, lang = splitLang(strings.TrimSpace(s))
	name = strings.TrimSpace(name)
	if name == "" {
		return "", "", fmt.Errorf("a saved reply needs a name, e.g. sorry (or sorry.nl for its Dutch variant): %w", ErrInvalid)
	}
	if len([]rune(name)) > 60 {
		return "", "", fmt.Errorf("saved reply name %q is longer than 60 characters: %w", name, ErrInvalid)
	}
	for _, r := range name {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != ' ' && r != '-' && r != '_' {
			return "", "", fmt.Errorf("saved reply name %q: use letters, digits, spaces, - and _ (then .nl for a language variant): %w", name, ErrInvalid)
		}
	}
	return name, lang, nil
}

// ReplyFile is the file a new saved reply is written to.
func ReplyFile(name, lang string) string {
	if lang != "" {
		return name + "." + lang + ".txt"
	}
	return name + ".txt"
}

// WriteSavedReply writes a saved reply's text to file in dir (created if
// missing), through a temporary file so a crash never leaves half a reply.
func WriteSavedReply(dir, file, body string) error {
	if err := checkReplyFile(file); err != nil {
		return err
	}
	if strings.TrimSpace(body) == "" {
		return fmt.Errorf("saved reply %s is empty: write its text, or delete it: %w", file, ErrInvalid)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("saved replies in %s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, ".reply-*")
	if err != nil {
		return fmt.Errorf("saved reply %s: %w", filepath.Join(dir, file), err)
	}
	_, err = tmp.WriteString(strings.TrimRight(body, "\n") + "\n")
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), filepath.Join(dir, file))
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("saved reply %s: %w", filepath.Join(dir, file), err)
	}
	return nil
}

// DeleteSavedReply removes a saved reply's file.
func DeleteSavedReply(dir, file string) error {
	if err := checkReplyFile(file); err != nil {
		return err
	}
	if err := os.Remove(filepath.Join(dir, file)); err != nil {
		return fmt.Errorf("delete saved reply: %w", err)
	}
	return nil
}

// checkReplyFile keeps writes and deletes inside the replies directory.
func checkReplyFile(file string) error {
	if file == "" || file != filepath.Base(file) || strings.HasPrefix(file, ".") || strings.ContainsAny(file, `/\`) {
		return fmt.Errorf("saved reply file %q: not a file name in the replies directory: %w", file, ErrInvalid)
	}
	return nil
}

// ConversationLang is a thread's language for choosing reply variants:
// the detected language of its latest customer message.
func ConversationLang(th Thread) string {
	for i := len(th.Messages) - 1; i >= 0; i-- {
		if m := th.Messages[i]; m.Direction == In {
			return m.Lang
		}
	}
	return ""
}
