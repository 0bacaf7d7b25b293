package tui

import (
	"strconv"
	"strings"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// Styles are built per program from the terminal's background, never
// shared between sessions. Colour downsampling (and NO_COLOR) is done by
// Bubble Tea for each program's own colour profile.
type Styles struct {
	IsDark bool

	App, Header, Tab, TabActive, TabCount, Dim, Faint      lipgloss.Style
	Row, RowSelected, RowCursor, RowMarked                 lipgloss.Style
	Network, Kind, Author, Preview, Tag, Age, Stars        lipgloss.Style
	Negative, Escalated, Failed, Queued, Sent, Match       lipgloss.Style
	StatusBar, StatusOK, StatusSync, StatusErr, Flash, Err lipgloss.Style
	Title, Context, Meta, Inbound, Outbound, Link, Reason  lipgloss.Style
	Box, BoxTitle, PickerItem, PickerActive, Help          lipgloss.Style
	Assignee, Note, NoteMention                            lipgloss.Style
}

// NewStyles builds complete styles for a dark or light background.
func NewStyles(isDark bool) Styles {
	ld := lipgloss.LightDark(isDark)
	fg := ld(lipgloss.Color("#1f1f24"), lipgloss.Color("#e4e4ea"))
	dim := ld(lipgloss.Color("#6c6c78"), lipgloss.Color("#8a8a99"))
	// Faint still reads: about 4.5:1 on white and 5:1 on black.
	faint := ld(lipgloss.Color("#767682"), lipgloss.Color("#7d7d8c"))
	accent := ld(lipgloss.Color("#5b3fd1"), lipgloss.Color("#a993ff"))
	red := ld(lipgloss.Color("#c4232f"), lipgloss.Color("#ff6b6b"))
	amber := ld(lipgloss.Color("#a15c00"), lipgloss.Color("#ffb454"))
	green := ld(lipgloss.Color("#1d7a3a"), lipgloss.Color("#6ee7a0"))
	blue := ld(lipgloss.Color("#1d5fb0"), lipgloss.Color("#7fb8ff"))
	selBg := ld(lipgloss.Color("#e3ddff"), lipgloss.Color("#2e2850"))
	markBg := ld(lipgloss.Color("#fff1c9"), lipgloss.Color("#3d3420"))
	barBg := ld(lipgloss.Color("#ececf2"), lipgloss.Color("#1c1c24"))

	s := Styles{IsDark: isDark}
	base := lipgloss.NewStyle().Foreground(fg)
	s.App = base
	s.Header = base.Bold(true)
	s.Tab = lipgloss.NewStyle().Foreground(dim).PaddingLeft(1)
	s.TabActive = lipgloss.NewStyle().Foreground(accent).Bold(true).Underline(true).PaddingLeft(1)
	s.TabCount = lipgloss.NewStyle().Foreground(faint)
	s.Dim = lipgloss.NewStyle().Foreground(dim)
	s.Faint = lipgloss.NewStyle().Foreground(faint)
	s.Row = base
	s.RowSelected = base.Background(selBg)
	s.RowCursor = lipgloss.NewStyle().Foreground(accent).Bold(true)
	s.RowMarked = base.Background(markBg)
	s.Network = lipgloss.NewStyle().Foreground(blue)
	s.Kind = lipgloss.NewStyle().Foreground(dim)
	s.Author = base.Bold(true)
	s.Preview = base
	s.Tag = lipgloss.NewStyle().Foreground(accent)
	s.Age = lipgloss.NewStyle().Foreground(dim)
	s.Stars = lipgloss.NewStyle().Foreground(amber)
	s.Negative = lipgloss.NewStyle().Foreground(red).Bold(true)
	s.Escalated = lipgloss.NewStyle().Foreground(amber).Bold(true)
	s.Failed = lipgloss.NewStyle().Foreground(red)
	s.Queued = lipgloss.NewStyle().Foreground(amber)
	s.Sent = lipgloss.NewStyle().Foreground(green)
	s.Match = lipgloss.NewStyle().Foreground(accent).Bold(true).Underline(true)
	s.StatusBar = lipgloss.NewStyle().Foreground(dim).Background(barBg)
	s.StatusOK = lipgloss.NewStyle().Foreground(green).Background(barBg)
	s.StatusSync = lipgloss.NewStyle().Foreground(blue).Background(barBg)
	s.StatusErr = lipgloss.NewStyle().Foreground(red).Background(barBg)
	s.Flash = lipgloss.NewStyle().Foreground(accent).Background(barBg)
	s.Err = lipgloss.NewStyle().Foreground(red).Bold(true)
	s.Title = base.Bold(true)
	s.Context = lipgloss.NewStyle().Foreground(dim).BorderStyle(lipgloss.NormalBorder()).BorderLeft(true).BorderForeground(faint).PaddingLeft(1)
	s.Meta = lipgloss.NewStyle().Foreground(dim)
	s.Inbound = base
	s.Outbound = lipgloss.NewStyle().Foreground(ld(lipgloss.Color("#2b4a7a"), lipgloss.Color("#b9d3ff")))
	s.Link = lipgloss.NewStyle().Foreground(blue).Underline(true)
	s.Reason = lipgloss.NewStyle().Foreground(red)
	s.Box = lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(accent).Padding(0, 1)
	s.BoxTitle = lipgloss.NewStyle().Foreground(accent).Bold(true)
	s.PickerItem = base
	s.PickerActive = lipgloss.NewStyle().Foreground(accent).Bold(true)
	s.Help = base
	s.Assignee = lipgloss.NewStyle().Foreground(green)
	// Internal notes look like nothing a customer wrote or will read: a
	// yellow bar on the left and amber text.
	s.Note = lipgloss.NewStyle().Foreground(amber).BorderStyle(lipgloss.ThickBorder()).BorderLeft(true).BorderForeground(amber).PaddingLeft(1)
	s.NoteMention = lipgloss.NewStyle().Foreground(amber).Bold(true)
	return s
}

// HelpStyles are the key hints' styles. The bubbles defaults put the
// descriptions at about 2:1 against a dark background; these keep keys
// and descriptions above 6:1 on black or white.
func HelpStyles(isDark bool) help.Styles {
	ld := lipgloss.LightDark(isDark)
	key := lipgloss.NewStyle().Foreground(ld(lipgloss.Color("#2a2a33"), lipgloss.Color("#d0d0da"))).Bold(true)
	desc := lipgloss.NewStyle().Foreground(ld(lipgloss.Color("#55555f"), lipgloss.Color("#9a9aa8")))
	sep := lipgloss.NewStyle().Foreground(ld(lipgloss.Color("#8a8a95"), lipgloss.Color("#6c6c78")))
	return help.Styles{
		Ellipsis: sep, ShortKey: key, ShortDesc: desc, ShortSeparator: sep,
		FullKey: key, FullDesc: desc, FullSeparator: sep,
	}
}

// darkFromCOLORFGBG reads the background from COLORFGBG ("15;0": light
// text on black), which rxvt, Konsole and others set; ok is false when it
// is unset or unreadable. The last field is the background colour index:
// 0–6 and 8 are dark, 7 and 9–15 light.
func darkFromCOLORFGBG(v string) (dark, ok bool) {
	if v == "" {
		return false, false
	}
	f := strings.Split(v, ";")
	bg, err := strconv.Atoi(f[len(f)-1])
	if err != nil || bg < 0 || bg > 15 {
		return false, false
	}
	return bg < 7 || bg == 8, true
}

// onEnv takes the background from COLORFGBG while the terminal has not
// answered the background query (styleGen counts its answers): the answer,
// when it comes, wins.
func (m *Model) onEnv(env tea.EnvMsg) {
	dark, ok := darkFromCOLORFGBG(env.Getenv("COLORFGBG"))
	if !ok || m.styleGen > 0 {
		return
	}
	m.st = NewStyles(dark)
	m.help.Styles = HelpStyles(dark)
	m.styleGen++
	if m.conv != nil {
		m.conv.render(&m.st, m.now)
	}
}
