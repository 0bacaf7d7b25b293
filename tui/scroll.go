package tui

import (
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// scroller moves an overlay that is taller than the screen (help, stats on
// a small terminal) with the list's keys, instead of cutting it.
type scroller struct {
	top        int // the first line shown
	rows, page int // lines in all and lines shown, as last drawn
}

// scrolls says whether there is more than fits.
func (s *scroller) scrolls() bool { return s.rows > s.page }

// key moves by a scrolling key; false when k is not one, or nothing scrolls
// (the overlay then closes, as any other key closes it).
func (s *scroller) key(k tea.KeyPressMsg, keys *KeyMap) bool {
	if !s.scrolls() {
		return false
	}
	switch {
	case key.Matches(k, keys.Down):
		s.top++
	case key.Matches(k, keys.Up):
		s.top--
	case key.Matches(k, keys.PageDown):
		s.top += s.page
	case key.Matches(k, keys.PageUp):
		s.top -= s.page
	case key.Matches(k, keys.Top):
		s.top = 0
	case key.Matches(k, keys.Bottom):
		s.top = s.rows
	default:
		return false
	}
	s.top = max(min(s.top, s.rows-s.page), 0)
	return true
}

// fit notes how many lines there are and how many fit, and returns the
// ones shown.
func (s *scroller) fit(lines []string, page int) []string {
	s.rows, s.page = len(lines), max(page, 1)
	s.top = max(min(s.top, s.rows-s.page), 0)
	if !s.scrolls() {
		return lines
	}
	return lines[s.top : s.top+s.page]
}

// hint says how to scroll and where the view is, in the longest wording
// that fits width cells (or fallback when nothing scrolls).
func (s *scroller) hint(width int, fallback string) string {
	if !s.scrolls() {
		return fallback
	}
	var h string
	for _, f := range []string{"j/k pgup/pgdn scroll · %d–%d of %d · other keys close", "j/k scroll · %d–%d of %d · other keys close",
		"j/k scroll · %d–%d/%d · others close"} {
		if h = fmt.Sprintf(f, s.top+1, s.top+s.page, s.rows); cellWidth(h) <= width {
			break
		}
	}
	return h
}
