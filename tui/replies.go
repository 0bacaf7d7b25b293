package tui

import (
	"context"
	"os"
	"path/filepath"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textarea"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/parleyhq/parley/inbox"
)

// repliesPane manages the saved replies (plain-text files in replies_dir):
// every file with its language, a preview filled with the current
// customer's values, and new, edit and delete. Opened from the composer
// (ctrl+r), enter inserts the variant for the conversation's language.
type repliesPane struct {
	ctx    context.Context
	dir    string
	keys   *KeyMap
	isDark bool
	all    []inbox.SavedReply
	vars   map[string]string // the current customer's values; nil: none open
	lang   string            // the conversation's detected language
	who    string            // whose values fill the preview
	cursor int
	status string
	insert func(inbox.SavedReply) tea.Cmd // nil: not composing
}

// replyContext is what a saved reply is previewed against.
type replyContext struct {
	vars      map[string]string
	lang, who string
}

func threadContext(th *inbox.Thread, me string) replyContext {
	if th == nil {
		return replyContext{}
	}
	return replyContext{vars: inbox.ReplyVars(th.Conversation, th.Account, me), lang: inbox.ConversationLang(*th),
		who: th.Conversation.Author.Display()}
}

func newRepliesPane(ctx context.Context, dir string, keys *KeyMap, isDark bool, all []inbox.SavedReply, rc replyContext,
	insert func(inbox.SavedReply) tea.Cmd) *repliesPane {
	p := &repliesPane{ctx: ctx, dir: dir, keys: keys, isDark: isDark, all: all, vars: rc.vars, lang: rc.lang, who: rc.who, insert: insert}
	// Start on the variant this conversation would get.
	for i, r := range all {
		if v, _ := inbox.PickVariant(all, r.Name, rc.lang); v.File == r.File {
			p.cursor = i
			break
		}
	}
	return p
}

func (p *repliesPane) selected() (inbox.SavedReply, bool) {
	if p.cursor < 0 || p.cursor >= len(p.all) {
		return inbox.SavedReply{}, false
	}
	return p.all[p.cursor], true
}

// context is what reopening the pane after a change needs.
func (p *repliesPane) context() replyContext {
	return replyContext{vars: p.vars, lang: p.lang, who: p.who}
}

func (p *repliesPane) update(k tea.KeyPressMsg) (overlay, tea.Cmd) {
	r, ok := p.selected()
	switch s := k.String(); {
	case s == "esc" || s == "q":
		return nil, nil
	case key.Matches(k, p.keys.Down):
		p.cursor = min(p.cursor+1, max(len(p.all)-1, 0))
	case key.Matches(k, p.keys.Up):
		p.cursor = max(p.cursor-1, 0)
	case s == "enter" && ok && p.insert != nil:
		v, _ := inbox.PickVariant(p.all, r.Name, p.lang)
		return nil, p.insert(v)
	case (s == "enter" || s == "e") && ok:
		return newReplyEditor(p, r.File, r.Body), nil
	case s == "n":
		return newPrompt("New saved reply", "a name, e.g. sorry; sorry.nl is its variant for Dutch conversations", "", func(in string) tea.Cmd {
			name, lang, err := inbox.ParseReplyName(in)
			if err != nil {
				return func() tea.Msg { return actionMsg{label: "saved reply", err: err} }
			}
			body := ""
			if base, ok := inbox.PickVariant(p.all, name, ""); ok {
				body = base.Body // a new language variant starts from the text it translates
			}
			ed := newReplyEditor(p, inbox.ReplyFile(name, lang), body)
			return func() tea.Msg { return pickMsg{open: ed} }
		}), nil
	case s == "D" && ok:
		return newConfirm("Delete the saved reply "+shortName(r.File)+"?", "The file is removed from "+screenLine(p.dir)+".", func() tea.Cmd {
			return p.afterChange("deleted "+r.File, "", func() error { return inbox.DeleteSavedReply(p.dir, r.File) })
		}), nil
	}
	return p, nil
}

// afterChange does a change to the files, then reopens the pane on the
// directory as it now is, on file when it is still there.
func (p *repliesPane) afterChange(done, file string, change func() error) tea.Cmd {
	return func() tea.Msg {
		if err := change(); err != nil {
			return actionMsg{label: "saved reply", err: err}
		}
		all, err := inbox.LoadSavedReplies(p.dir)
		if err != nil {
			return actionMsg{label: "saved replies", err: err}
		}
		next := newRepliesPane(p.ctx, p.dir, p.keys, p.isDark, all, p.context(), p.insert)
		next.status = done
		for i, r := range all {
			if r.File == file {
				next.cursor = i
			}
		}
		return pickMsg{open: next}
	}
}

func (p *repliesPane) view(st *Styles, width, height int) string {
	w := min(max(width*3/4, 50), width-4)
	var b strings.Builder
	b.WriteString(ansiCut(st.BoxTitle.Render("Saved replies")+st.Faint.Render("  "+screenLine(homeShort(p.dir))), w-4) + "\n")
	if len(p.all) == 0 {
		b.WriteString(st.Dim.Render("None yet: n writes the first.") + "\n")
	}
	// The box fits the screen: its border, title, blank line, preview
	// heading, status and hint take 7 lines; the list and the preview
	// share the rest (leaving the header and status bar in view where
	// there is room), the list at most half of it.
	room := max(height-10, min(height-7, 4), 2)
	listH := max(min(len(p.all), height/3, room/2), 1)
	top := max(min(p.cursor-listH/2, len(p.all)-listH), 0)
	for i := top; i < len(p.all) && i < top+listH; i++ {
		r := p.all[i]
		label := screenLine(r.Name)
		if r.Lang != "" {
			label += " · " + screenLine(r.Lang)
		}
		if v, _ := inbox.PickVariant(p.all, r.Name, p.lang); v.File == r.File && p.vars != nil {
			label += st.Faint.Render("  ← for this conversation")
		}
		if i == p.cursor {
			b.WriteString(ansiCut(st.PickerActive.Render("› "+label), w-4) + "\n")
		} else {
			b.WriteString(ansiCut(st.PickerItem.Render("  "+label), w-4) + "\n")
		}
	}
	if r, ok := p.selected(); ok {
		head := "Preview"
		if p.vars != nil {
			head += " for " + shortName(p.who)
		} else {
			head += " (open a conversation to fill in a customer's values)"
		}
		text := r.Body
		if p.vars != nil {
			text = inbox.FillTemplate(r.Body, p.vars)
		}
		lines := strings.Split(cutLines(lipgloss.NewStyle().Width(w-4).Render(screenText(text)), w-4), "\n")
		lines = lines[:min(len(lines), max(room-listH, 1))]
		b.WriteString("\n" + st.Dim.Render(ansiCut(head, w-4)) + "\n" + strings.Join(lines, "\n") + "\n")
	}
	if p.status != "" {
		b.WriteString(st.Faint.Render(ansiCut(screenLine(p.status), w-4)) + "\n")
	}
	hint := "e edit · n new (name.nl: Dutch variant) · D delete · esc close"
	if cellWidth(hint) > w-4 {
		hint = "e edit · n new · D delete · esc close"
	}
	if p.insert != nil {
		hint = "enter insert · " + hint
	}
	b.WriteString(st.Faint.Render(ansiCut(hint, w-4)))
	return st.Box.Width(w).Render(b.String())
}

// homeShort writes a path under the home directory as ~/…, as the
// config does: shorter, so the pane's title keeps the part that differs.
func homeShort(p string) string {
	home, err := os.UserHomeDir()
	if err != nil || home == "" || home == "/" {
		return p
	}
	if rel, err := filepath.Rel(home, p); err == nil && rel != ".." && !strings.HasPrefix(rel, "../") {
		return filepath.Join("~", rel)
	}
	return p
}

// replyEditor edits one saved reply's text: ctrl+s saves the file, esc
// goes back to the list unchanged, ctrl+e hands the text to $EDITOR (the
// composer's flow) and brings back what it left, to save with ctrl+s.
type replyEditor struct {
	list   *repliesPane
	file   string
	ta     textarea.Model
	status string
}

func newReplyEditor(list *repliesPane, file, body string) *replyEditor {
	ta := textarea.New()
	ta.SetStyles(textarea.DefaultStyles(list.isDark))
	ta.Placeholder = "Hi {{first_name}}, … ({{name}} {{handle}} {{network}} {{account}} {{me}})"
	ta.ShowLineNumbers = false
	ta.CharLimit = 8000
	ta.SetHeight(8)
	ta.SetValue(body)
	ta.MoveToEnd()
	ta.Focus()
	return &replyEditor{list: list, file: file, ta: ta}
}

func (e *replyEditor) update(k tea.KeyPressMsg) (overlay, tea.Cmd) {
	switch {
	case k.String() == "esc":
		return e.list, nil
	case key.Matches(k, e.list.keys.Send):
		body := e.ta.Value()
		return e.list, e.list.afterChange("saved "+e.file, e.file, func() error { return inbox.WriteSavedReply(e.list.dir, e.file, body) })
	case key.Matches(k, e.list.keys.Editor):
		return e, editorOpen(e.ta.Value(), e.fromEditor)
	}
	var cmd tea.Cmd
	e.ta, cmd = e.ta.Update(k)
	return e, cmd
}

// fromEditor reopens the editor on the text $EDITOR left, unless the
// manager has left this editor meanwhile.
func (e *replyEditor) fromEditor(text string, err error) tea.Msg {
	if err != nil {
		return actionMsg{label: "editor", err: err}
	}
	next := newReplyEditor(e.list, e.file, text)
	next.status = "edited in $EDITOR — ctrl+s saves"
	return pickMsg{open: next, replaces: e}
}

func (e *replyEditor) paste(msg tea.PasteMsg) { e.ta, _ = e.ta.Update(msg) }

func (e *replyEditor) view(st *Styles, width, height int) string {
	w := min(max(width*3/4, 50), width-4)
	e.ta.SetWidth(w - 4)
	hint := "ctrl+s save · ctrl+e $EDITOR · esc back · placeholders: {{first_name}} {{name}} {{author}} {{handle}} {{network}} {{account}} {{me}}"
	body := ansiCut(st.BoxTitle.Render("Saved reply "+screenLine(e.file)), w-4) + "\n" + e.ta.View() + "\n"
	if e.status != "" {
		body += st.Meta.Render(ansiCut(e.status, w-4)) + "\n"
	}
	body += st.Faint.Render(ansiCut(hint, w-4))
	return st.Box.Width(w).Render(body)
}

// openReplies routes the saved-replies key: the manager, previewing
// against the open conversation (or the row under the cursor).
func (m *Model) openReplies() tea.Cmd {
	ctx, svc, dir, keys, dark, me := m.ctx, m.svc, m.opt.RepliesDir, &m.keys, m.st.IsDark, m.opt.User
	if dir == "" {
		m.setFlash("no replies_dir in the config, so there is nowhere to keep saved replies", true)
		return nil
	}
	var id int64
	if ids := m.targets(); len(ids) == 1 {
		id = ids[0]
	}
	return func() tea.Msg {
		all, err := inbox.LoadSavedReplies(dir)
		if err != nil {
			return actionMsg{label: "saved replies", err: err}
		}
		var rc replyContext
		if id != 0 {
			if th, err := svc.Open(ctx, id); err == nil {
				rc = threadContext(&th, me)
			}
		}
		return pickMsg{open: newRepliesPane(ctx, dir, keys, dark, all, rc, nil)}
	}
}
