package inbox

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestSavedReplyVariantsAndFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "replies")
	for file, body := range map[string]string{"sorry.txt": "Sorry {{first_name}}!", "sorry.nl.txt": "Sorry {{first_name}}, het spijt ons!", "thanks.txt": "Thanks!", "v1.2.txt": "versioned"} {
		if err := WriteSavedReply(dir, file, body); err != nil {
			t.Fatal(err)
		}
	}
	rs, err := LoadSavedReplies(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := ReplyNames(rs); !slices.Equal(got, []string{"sorry", "thanks", "v1.2"}) {
		t.Fatalf("names: %v", got)
	}
	for lang, want := range map[string]string{"nl": "sorry.nl.txt", "ru": "sorry.txt", "": "sorry.txt"} {
		if r, ok := PickVariant(rs, "sorry", lang); !ok || r.File != want {
			t.Fatalf("variant for %q: %+v", lang, r)
		}
	}
	if r, ok := PickVariant(rs, "thanks", "nl"); !ok || r.Body != "Thanks!" {
		t.Fatalf("fallback: %+v", r)
	}
	if name, lang, err := ParseReplyName(" sorry.nl "); err != nil || name != "sorry" || lang != "nl" || ReplyFile(name, lang) != "sorry.nl.txt" {
		t.Fatalf("parse: %q %q %v", name, lang, err)
	}
	for _, bad := range []string{"", "../etc/passwd", "a/b", ".nl"} {
		if _, _, err := ParseReplyName(bad); !errors.Is(err, ErrInvalid) {
			t.Fatalf("name %q accepted", bad)
		}
	}
	for _, bad := range []string{"../x.txt", ".hidden", "a/b.txt", ""} {
		if err := WriteSavedReply(dir, bad, "x"); !errors.Is(err, ErrInvalid) {
			t.Fatalf("write %q: %v", bad, err)
		}
		if err := DeleteSavedReply(dir, bad); !errors.Is(err, ErrInvalid) {
			t.Fatalf("delete %q: %v", bad, err)
		}
	}
	if err := WriteSavedReply(dir, "thanks.txt", "  \n"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("empty body: %v", err)
	}
	if err := DeleteSavedReply(dir, "sorry.nl.txt"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "sorry.nl.txt")); !os.IsNotExist(err) {
		t.Fatalf("not deleted: %v", err)
	}
	left, _ := os.ReadDir(dir)
	if len(left) != 3 {
		t.Fatalf("temporary files left behind: %v", left)
	}
	th := Thread{Messages: []Message{{Direction: In, Lang: "nl"}, {Direction: Out, Lang: "en"}}}
	if ConversationLang(th) != "nl" {
		t.Fatal("language of the latest inbound message")
	}
}
