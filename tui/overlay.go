package tui

import (
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/sahilm/fuzzy"
)

// overlay is a modal box drawn over the screen: a picker, a prompt or help.
// It gets every key while it is open.
type overlay interface {
	update(tea.KeyPressMsg) (overlay, tea.Cmd) // nil overlay: closed
	view(st *Styles, width, height int) string
}

// picker chooses one item with a fuzzy filter; with create set, text that
// matches nothing can be picked as a new item (e.g. a new tag).
type picker struct {
	title  string
	items  []string
	create bool
	input  textinput.Model
	shown  []string
	cursor int
	onPick func(choice string) tea.Cmd
}

func newPicker(title string, items []string, create bool, onPick func(string) tea.Cmd) *picker {
	in := textinput.New()
	in.Prompt = "› "
	in.Placeholder = "type to filter"
	if create {
		in.Placeholder = "type to filter or create"
	}
	in.CharLimit = 200
	in.Focus()
	p := &picker{title: title, items: items, create: create, input: in, onPick: onPick}
	p.refilter()
	return p
}

func (p *picker) refilter() {
	q := strings.TrimSpace(p.input.Value())
	p.shown = p.shown[:0]
	if q == "" {
		p.shown = append(p.shown, p.items...)
	} else {
		for _, m := range fuzzy.Find(q, p.items) {
			p.shown = append(p.shown, m.Str)
		}
	}
	p.cursor = min(p.cursor, max(len(p.shown)-1, 0))
}

func (p *picker) update(k tea.KeyPressMsg) (overlay, tea.Cmd) {
	switch k.String() {
	case "esc", "ctrl+c":
		return nil, nil
	case "up", "ctrl+p", "ctrl+k":
		p.cursor = max(p.cursor-1, 0)
		return p, nil
	case "down", "ctrl+n", "ctrl+j", "tab":
		p.cursor = min(p.cursor+1, max(len(p.shown)-1, 0))
		return p, nil
	case "enter":
		q := strings.TrimSpace(p.input.Value())
		switch {
		case len(p.shown) > 0:
			return nil, p.onPick(p.shown[p.cursor])
		case p.create && q != "":
			return nil, p.onPick(q)
		}
		return p, nil
	}
	var cmd tea.Cmd
	before := p.input.Value()
	p.input, cmd = p.input.Update(k)
	if p.input.Value() != before {
		p.cursor = 0
		p.refilter()
	}
	return p, cmd
}

func (p *picker) view(st *Styles, width, height int) string {
	w := min(max(width/2, 40), width-4)
	var b strings.Builder
	b.WriteString(ansiCut(st.BoxTitle.Render(screenLine(p.title)), w-4) + "\n")
	p.input.SetWidth(w - 6)
	b.WriteString(p.input.View() + "\n")
	maxItems := max(min(height-8, 12), 1)
	start := max(0, p.cursor-maxItems+1)
	for i := start; i < len(p.shown) && i < start+maxItems; i++ {
		item := ansiCut(screenLine(p.shown[i]), w-6)
		if i == p.cursor {
			b.WriteString(st.PickerActive.Render("› "+item) + "\n")
		} else {
			b.WriteString(st.PickerItem.Render("  "+item) + "\n")
		}
	}
	q := strings.TrimSpace(p.input.Value())
	if len(p.shown) == 0 {
		if p.create && q != "" {
			b.WriteString(st.Dim.Render("enter: create "+ansiCut(screenLine(q), w-20)) + "\n")
		} else {
			b.WriteString(st.Dim.Render("no match") + "\n")
		}
	}
	b.WriteString(st.Faint.Render("↑/↓ choose · enter pick · esc cancel"))
	return st.Box.Width(w).Render(b.String())
}

// prompt asks for one line of text.
type prompt struct {
	title    string
	hint     string
	input    textinput.Model
	onSubmit func(string) tea.Cmd
}

func newPrompt(title, hint, value string, onSubmit func(string) tea.Cmd) *prompt {
	in := textinput.New()
	in.Prompt = "› "
	in.CharLimit = 2000
	in.SetValue(value)
	in.Focus()
	return &prompt{title: title, hint: hint, input: in, onSubmit: onSubmit}
}

func (p *prompt) update(k tea.KeyPressMsg) (overlay, tea.Cmd) {
	switch k.String() {
	case "esc", "ctrl+c":
		return nil, nil
	case "enter":
		return nil, p.onSubmit(p.input.Value())
	}
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(k)
	return p, cmd
}

// paste lets bracketed paste reach the prompt's input.
func (p *prompt) paste(msg tea.PasteMsg) {
	p.input, _ = p.input.Update(msg)
}

func (p *prompt) view(st *Styles, width, height int) string {
	w := min(max(width/2, 40), width-4)
	p.input.SetWidth(w - 6)
	body := st.BoxTitle.Render(p.title) + "\n" + p.input.View()
	if p.hint != "" {
		body += "\n" + st.Faint.Render(ansiCut(p.hint, w-4))
	}
	return st.Box.Width(w).Render(body)
}

// place draws an overlay box centred over the background.
func place(bg, box string, width, height int) string {
	bw, bh := lipgloss.Width(box), lipgloss.Height(box)
	x, y := max((width-bw)/2, 0), max((height-bh)/3, 0)
	return lipgloss.NewCompositor(lipgloss.NewLayer(bg), lipgloss.NewLayer(box).X(x).Y(y).Z(1)).Render()
}

// confirm asks yes or no before an action.
type confirm struct {
	title, question string
	yes             func() tea.Cmd
	strict          bool // only y answers yes: enter typed by habit must not send
}

func newConfirm(title, question string, yes func() tea.Cmd) *confirm {
	return &confirm{title: title, question: question, yes: yes}
}

// newStrictConfirm is a confirm that only y answers yes.
func newStrictConfirm(title, question string, yes func() tea.Cmd) *confirm {
	return &confirm{title: title, question: question, yes: yes, strict: true}
}

func (c *confirm) update(k tea.KeyPressMsg) (overlay, tea.Cmd) {
	if c.strict && k.String() == "enter" {
		return c, nil
	}
	switch k.String() {
	case "y", "Y", "enter":
		yes := c.yes
		return nil, func() tea.Msg { return confirmedMsg{do: yes} }
	case "n", "N", "esc", "q":
		return nil, nil
	}
	return c, nil
}

func (c *confirm) view(st *Styles, width, height int) string {
	w := min(max(width/2, 40), width-4)
	return st.Box.Width(w).Render(st.Escalated.Render(c.title) + "\n" + c.question + "  " + st.Faint.Render("y / n"))
}

// choice asks the manager to pick one of a few answers by key; esc cancels.
type choice struct {
	title string
	items []choiceItem
}

type choiceItem struct {
	key, label string
	pick       func() tea.Msg
}

func newChoice(title string, items []choiceItem) *choice { return &choice{title: title, items: items} }

func (c *choice) update(k tea.KeyPressMsg) (overlay, tea.Cmd) {
	if s := k.String(); s == "esc" || s == "q" {
		return nil, nil
	}
	for _, it := range c.items {
		if k.String() == it.key {
			return nil, it.pick
		}
	}
	return c, nil
}

func (c *choice) view(st *Styles, width, height int) string {
	w := min(max(width/2, 40), width-4)
	var b strings.Builder
	b.WriteString(st.Escalated.Render(c.title) + "\n")
	for _, it := range c.items {
		b.WriteString(st.Title.Render(it.key) + "  " + it.label + "\n")
	}
	b.WriteString(st.Faint.Render("esc  cancel"))
	return st.Box.Width(w).Render(b.String())
}
