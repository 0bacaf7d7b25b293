package tui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/inbox/sanitize"
)

// profilePane is the customer's profile: who they are on this network,
// first seen, every conversation with them, their tags, how negative they
// were over time, and the team's notes. Read-only; any key but movement
// closes it.
type profilePane struct {
	p     inbox.Profile
	now   time.Time
	keys  *KeyMap
	vp    viewport.Model
	width int
}

func newProfilePane(p inbox.Profile, now time.Time, keys *KeyMap) *profilePane {
	return &profilePane{p: p, now: now, keys: keys, vp: viewport.New()}
}

func (p *profilePane) update(k tea.KeyPressMsg) (overlay, tea.Cmd) {
	switch {
	case key.Matches(k, p.keys.Down):
		p.vp.ScrollDown(1)
	case key.Matches(k, p.keys.Up):
		p.vp.ScrollUp(1)
	case key.Matches(k, p.keys.PageDown):
		p.vp.PageDown()
	case key.Matches(k, p.keys.PageUp):
		p.vp.PageUp()
	default:
		return nil, nil
	}
	return p, nil
}

// moodLine is negativity over time, oldest first: one mark per
// conversation, ! for negative, · for not.
func moodLine(cs []inbox.Conversation) string {
	var b strings.Builder
	for i := len(cs) - 1; i >= 0; i-- {
		if cs[i].Negative {
			b.WriteString("!")
		} else {
			b.WriteString("·")
		}
	}
	return b.String()
}

func (p *profilePane) content(st *Styles, w int) string {
	pr := p.p
	var b strings.Builder
	head := st.Title.Render(sanitize.Line(pr.Author.Display()))
	if pr.Author.Handle != "" && pr.Author.Handle != pr.Author.Name {
		head += "  " + st.Meta.Render(sanitize.Line(pr.Author.Handle))
	}
	head += "  " + st.Network.Render(networkName(pr.Network)) + st.Faint.Render(" · "+sanitize.Line(pr.AccountLabel))
	b.WriteString(ansiCut(head, w) + "\n")
	neg := 0
	for _, c := range pr.Conversations {
		if c.Negative {
			neg++
		}
	}
	b.WriteString(st.Meta.Render(fmt.Sprintf("first seen %s · %s · %d negative",
		pr.FirstSeen.Local().Format("2 Jan 2006"), plural(pr.Total, "conversation"), neg)) + "\n")
	if len(pr.Tags) > 0 {
		tags := slices.Sorted(func(yield func(string) bool) {
			for t := range pr.Tags {
				if !yield(t) {
					return
				}
			}
		})
		var parts []string
		for _, t := range tags {
			parts = append(parts, fmt.Sprintf("#%s ×%d", t, pr.Tags[t]))
		}
		b.WriteString(st.Tag.Render(ansiCut(strings.Join(parts, "  "), w)) + "\n")
	}
	b.WriteString(st.Faint.Render("mood, oldest → newest: ") + st.Negative.Render(ansiCut(moodLine(pr.Conversations), w-24)) + "\n\n")
	for _, c := range pr.Conversations {
		mark := "  "
		if c.Negative {
			mark = st.Negative.Render("! ")
		}
		line := mark + st.Meta.Render(c.FirstInAt.Local().Format("2 Jan 06")) + "  " + st.Kind.Render(fmt.Sprintf("%-8s %-7s", kindLabel(c), c.State)) + " " + sanitize.Line(c.Preview)
		b.WriteString(ansiCut(line, w) + "\n")
	}
	if pr.Total > len(pr.Conversations) {
		b.WriteString(st.Faint.Render(fmt.Sprintf("… and %d older", pr.Total-len(pr.Conversations))) + "\n")
	}
	if len(pr.Notes) > 0 {
		b.WriteString("\n" + st.BoxTitle.Render("Notes") + "\n")
		for _, n := range pr.Notes {
			b.WriteString(st.NoteMention.Render(ansiCut(sanitize.Line(n.Author)+" · "+ago(n.CreatedAt, p.now), w)) + "\n")
			b.WriteString(st.Note.Width(w).Render(sanitize.Text(n.Text)) + "\n")
		}
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func (p *profilePane) view(st *Styles, width, height int) string {
	w := min(max(width*3/4, 50), width-4)
	h := max(height-6, 3)
	if p.width != w || p.vp.Height() != h {
		p.width = w
		p.vp.SetWidth(w - 4)
		p.vp.SetContent(p.content(st, w-4))
		p.vp.SetHeight(min(h, p.vp.TotalLineCount()))
	}
	return st.Box.Width(w).Render(st.BoxTitle.Render("Customer") + "\n" + p.vp.View() + "\n" + st.Faint.Render("j/k scroll · any other key closes"))
}

// openProfile routes the profile key: the person behind the open
// conversation (or the row under the cursor).
func (m *Model) openProfile() tea.Cmd {
	ids := m.targets()
	if len(ids) != 1 {
		m.setFlash("a profile is of one person: select one conversation", true)
		return nil
	}
	ctx, svc, keys, id := m.ctx, m.svc, &m.keys, ids[0]
	return func() tea.Msg {
		p, err := svc.Profile(ctx, id)
		if err != nil {
			return actionMsg{label: "profile", err: err}
		}
		return pickMsg{open: newProfilePane(p, svc.Now(), keys)}
	}
}
