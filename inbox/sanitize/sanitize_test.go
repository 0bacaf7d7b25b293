package sanitize

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestText(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"plain", "hello world", "hello world"},
		{"csi clear", "a\x1b[2Jb\x1b[31mred\x1b[0m", "abred"},
		{"osc title", "x\x1b]0;pwned\x07y", "xy"},
		{"osc52 clipboard", "x\x1b]52;c;cm0gLXJmIC8=\x1b\\y", "xy"},
		{"osc8 link", "\x1b]8;;http://evil\x1b\\click\x1b]8;;\x1b\\", "click"},
		{"c1 csi", "a\u009b2Jb", "a2Jb"},
		{"bidi override", "abc\u202egnp.exe", "abcgnp.exe"},
		{"bidi isolate", "a\u2066b\u2069c", "abc"},
		{"zero width", "ad\u200bmin\u200d", "admin"},
		{"bell backspace", "a\x07b\x08c", "abc"},
		{"crlf", "a\r\nb\rc", "a\nb\nc"},
		{"tab", "a\tb", "a    b"},
		{"invalid utf8", "a\xffb", "a\uFFFDb"},
		{"emoji kept", "great 👍🏽 🇳🇱", "great 👍🏽 🇳🇱"},
		{"cyrillic kept", "Привет, мир", "Привет, мир"},
	}
	for _, c := range cases {
		if got := Text(c.in); got != c.want {
			t.Errorf("%s: Text(%q) = %q, want %q", c.name, c.in, got, c.want)
		}
	}
}

func TestLine(t *testing.T) {
	if got := Line("  a\n\nb   c \x1b[1m d "); got != "a b c d" {
		t.Fatalf("Line = %q", got)
	}
}

func TestTextTruncatesHugeInput(t *testing.T) {
	in := strings.Repeat("é", MaxText+500)
	out := Text(in)
	if utf8.RuneCountInString(out) > MaxText+len(truncMark) {
		t.Fatalf("not truncated: %d runes", utf8.RuneCountInString(out))
	}
	if !strings.HasSuffix(out, truncMark) {
		t.Fatalf("missing truncation marker")
	}
	if Text(out) != out {
		t.Fatalf("truncated text is not stable under a second pass")
	}
}

// inert reports what in s could still act on a terminal, or "".
func inert(s string) string {
	if !utf8.ValidString(s) {
		return "invalid utf-8"
	}
	var prev rune
	rs := []rune(s)
	for i, r := range rs {
		if r == zwj && i+1 < len(rs) && pictographic(prev) && pictographic(rs[i+1]) {
			prev = r
			continue // an emoji sequence's joiner: one picture, not hidden text
		}
		prev = r
		if r != '\n' && drop(r) {
			return "control " + string(r)
		}
		if r == '\x1b' || r == '\r' || r == '\t' {
			return "escape/cr/tab"
		}
	}
	return ""
}

func FuzzText(f *testing.F) {
	for _, s := range []string{
		"hello", "\x1b[2J\x1b[H", "\x1b]0;t\x07", "\x1bP1$r\x1b\\", "\u202e\u2066x",
		"a\r\nb", "\xc2\x9b31m", "\x1b_APC\x1b\\", "\x1b[38;2;1;2;3m", "👨‍👩‍👧", "\x00\x01",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := Text(in)
		if why := inert(out); why != "" {
			t.Fatalf("Text(%q) = %q still has %s", in, out, why)
		}
		if again := Text(out); again != out {
			t.Fatalf("not idempotent: %q → %q → %q", in, out, again)
		}
		line := Line(in)
		if strings.Contains(line, "\n") || inert(line) != "" {
			t.Fatalf("Line(%q) = %q is not one inert line", in, line)
		}
	})
}

// A zero-width joiner survives only inside an emoji sequence.
func TestZWJKeptOnlyBetweenEmoji(t *testing.T) {
	family := "👨\u200d👩\u200d👧"
	if got := Text("hi " + family); got != "hi "+family {
		t.Fatalf("family emoji: %q", got)
	}
	if got := Text("pay\u200dpal"); got != "paypal" {
		t.Fatalf("joiner between letters kept: %q", got)
	}
	if got := Text("👍\u200d"); got != "👍" {
		t.Fatalf("trailing joiner kept: %q", got)
	}
	if once := Text("x👨\u200d\u200d👩"); Text(once) != once {
		t.Fatalf("not idempotent: %q", once)
	}
}
