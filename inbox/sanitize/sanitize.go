// Package sanitize makes untrusted remote text inert for a terminal.
//
// Posts, names and messages come from strangers. Left raw, they could move
// the cursor, clear or spoof the screen, set the window title, write the
// clipboard (OSC 52), plant hyperlinks (OSC 8) or reorder text with bidi
// overrides. Text is cleaned at ingest and again at render.
package sanitize

import (
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// MaxText is the most runes kept of one message; longer text is cut with a
// visible marker, so one hostile message cannot bloat the store or the screen.
const MaxText = 20000

const truncMark = " …[truncated]"

// Text returns s with every escape sequence, control character (except
// newline), bidi control and zero-width character removed, tabs expanded,
// line endings normalised and invalid UTF-8 replaced. It is idempotent.
func Text(s string) string {
	if isPlain(s) {
		return s
	}
	if strings.ContainsAny(s, "\x1b\u009b\u009d\u0090\u009e\u009f") {
		s = ansi.Strip(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	n := 0
	var prev rune // the last rune written
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r == zwj {
			// Kept only where it joins two emoji (👨‍👩‍👧 is one picture);
			// anywhere else it is invisible text and goes.
			if next, _ := utf8.DecodeRuneInString(s[i:]); pictographic(prev) && pictographic(next) && n < MaxText {
				b.WriteRune(r)
				n++
				prev = r
			}
			continue
		}
		if r == utf8.RuneError && size <= 1 {
			r = '\uFFFD'
		}
		switch {
		case r == '\r':
			if i < len(s) && s[i] == '\n' {
				continue // \r\n → \n
			}
			r = '\n'
		case r == '\u2028' || r == '\u2029':
			r = '\n'
		case r == '\t':
			b.WriteString("    ")
			n += 4
			continue
		case drop(r):
			continue
		}
		if n >= MaxText {
			b.WriteString(truncMark)
			break
		}
		b.WriteRune(r)
		n++
		prev = r
	}
	return b.String()
}

const zwj = '\u200d'

// pictographic is a rough test for the code points emoji sequences join:
// the emoji planes, dingbats and symbols, and the variation selector 16.
func pictographic(r rune) bool {
	return r >= 0x1f000 && r <= 0x1faff || r >= 0x2600 && r <= 0x27bf || r == 0xfe0f || r == 0x2640 || r == 0x2642
}

// Line is Text folded onto one line: newlines become spaces and runs of
// spaces collapse. Use it for names, handles, URLs and list rows.
func Line(s string) string {
	s = Text(s)
	if !strings.ContainsAny(s, "\n  ") {
		return strings.TrimSpace(s)
	}
	return strings.Join(strings.Fields(s), " ")
}

// isPlain reports whether s is printable ASCII plus newlines: the common
// case, returned unchanged without allocating.
func isPlain(s string) bool {
	if len(s) > MaxText {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 0x20 && c != '\n') || c >= 0x7f {
			return false
		}
	}
	return true
}

// drop reports whether r must not reach a terminal.
func drop(r rune) bool {
	switch {
	case r < 0x20 && r != '\n': // C0 controls
		return true
	case r == 0x7f || (r >= 0x80 && r <= 0x9f): // DEL, C1 controls
		return true
	case r >= 0x200b && r <= 0x200f: // zero-width space/joiners, LRM, RLM
		return true
	case r >= 0x202a && r <= 0x202e: // bidi embeddings and overrides
		return true
	case r >= 0x2060 && r <= 0x206f: // word joiner, invisible operators, bidi isolates
		return true
	case r == 0xfeff || r == 0x061c || r == 0x180e: // BOM/ZWNBSP, Arabic letter mark, Mongolian vowel separator
		return true
	case r >= 0xfff9 && r <= 0xfffb: // interlinear annotation controls
		return true
	case r >= 0xe0000 && r <= 0xe007f: // tag characters (invisible text smuggling)
		return true
	}
	return false
}
