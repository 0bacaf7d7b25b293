package tui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"

	"github.com/parleyhq/parley/inbox"
)

// profilePane is the customer's profile: who they are on each network
// linked to them, first seen, every conversation with any of them (each
// row with its network), their tags, how negative they were over time, and
// the team's notes. Its own keys choose an identity, link a suggested one
// and unlink a linked one (profileKeys); movement scrolls; any other key
// closes it.
type profilePane struct {
	p      inbox.Profile
	env    profileEnv
	keys   *KeyMap
	vp     viewport.Model
	width  int
	choice int    // into choices()
	status string // what the last link, unlink or undo did
	dirty  bool   // content changed since the viewport was filled
	busy   bool   // a link, unlink or undo of this pane is under way
	keepY  int    // scroll offset to restore once filled (a reload)
}

// profileEnv is what the pane's actions need: the session's context,
// service and manager, and the conversation the profile was opened from
// (links are journalled there, so its activity log shows them).
type profileEnv struct {
	ctx  context.Context
	svc  *inbox.Service
	user string
	conv int64
	now  time.Time
}

// profileKeys are the pane's own keys, shown in its footer and in help.
var profileKeys = struct{ Choose, Link, Unlink, Undo, Help key.Binding }{
	Choose: bind("tab", "profile: next linked or suggested identity", "tab", "shift+tab"),
	Link:   bind("l", "profile: link the chosen suggestion", "l"),
	Unlink: bind("U", "profile: unlink the chosen identity", "U"),
	Undo:   bind("u", "profile: undo the last link or unlink", "u"),
	Help:   bind("l/U", "profile: (un)link", "l", "U"),
}

func newProfilePane(p inbox.Profile, env profileEnv, keys *KeyMap) *profilePane {
	return &profilePane{p: p, env: env, keys: keys, vp: viewport.New()}
}

// loadProfilePane reads the profile as it is now into a new pane: opening
// it, after the pane's own action, and after another session's change.
func loadProfilePane(env profileEnv, keys *KeyMap) (*profilePane, error) {
	pr, err := env.svc.Profile(env.ctx, env.conv)
	if err != nil {
		return nil, err
	}
	env.now = env.svc.Now()
	return newProfilePane(pr, env, keys), nil
}

// choices are what tab moves through: the linked identities (when there
// are several), then the suggestions.
func (p *profilePane) choices() []inbox.Identity {
	var out []inbox.Identity
	if p.p.Linked() {
		out = append(out, p.p.Identities...)
	}
	return append(out, p.p.Suggested...)
}

func (p *profilePane) chosen() (inbox.Identity, bool, bool) {
	cs := p.choices()
	if p.choice < 0 || p.choice >= len(cs) {
		return inbox.Identity{}, false, false
	}
	return cs[p.choice], p.p.Linked() && p.choice < len(p.p.Identities), true
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
	case key.Matches(k, profileKeys.Choose):
		if n := len(p.choices()); n > 0 {
			step := 1
			if k.String() == "shift+tab" {
				step = n - 1
			}
			p.choice = (p.choice + step) % n
			p.status, p.dirty = "", true
		}
	case key.Matches(k, profileKeys.Link):
		id, linked, ok := p.chosen()
		switch {
		case !ok:
			p.status = "nobody on another network matches this name or handle"
		case linked:
			p.status = "already linked: U unlinks"
		default:
			return p, p.act("link", "linked "+identityLabel(id), func(ctx context.Context) (string, error) {
				return "", p.env.svc.Link(ctx, p.env.user, p.env.conv, p.p.Ref(), id.Ref())
			})
		}
		p.dirty = true
	case key.Matches(k, profileKeys.Unlink):
		id, linked, ok := p.chosen()
		if !ok || !linked {
			p.status, p.dirty = "choose a linked identity (tab) to unlink", true
			break
		}
		return p, p.act("unlink", "unlinked "+identityLabel(id), func(ctx context.Context) (string, error) {
			return "", p.env.svc.Unlink(ctx, p.env.user, p.env.conv, id.Ref())
		})
	case key.Matches(k, profileKeys.Undo):
		return p, p.act("undo", "", func(ctx context.Context) (string, error) {
			u, err := p.env.svc.Undo(ctx, p.env.user)
			return u.Describe(), err
		})
	default:
		return nil, nil
	}
	return p, nil
}

// act runs a link, unlink or undo, then reopens the pane on the profile as
// it now is (unless the manager closed it meanwhile), saying what it did.
func (p *profilePane) act(label, done string, f func(context.Context) (string, error)) tea.Cmd {
	p.busy = true // its own answer reopens the pane: no reload in between
	env, keys, old := p.env, p.keys, p
	return func() tea.Msg {
		said, err := f(env.ctx)
		if err != nil {
			return actionMsg{label: label, err: err}
		}
		next, err := loadProfilePane(env, keys)
		if err != nil {
			return actionMsg{label: "profile", err: err}
		}
		next.status = done + said
		if done != "" {
			next.status += " — u undoes"
		}
		return pickMsg{open: next, replaces: old}
	}
}

// identityLabel is Identity.Label with the name and handle cut to
// nameLimit, so the status after a link keeps its "— u undoes".
func identityLabel(id inbox.Identity) string {
	a := id.Author
	a.Name, a.Handle = shortName(a.Name), shortName(a.Handle)
	id.Author = a
	return id.Label()
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

// identityLine is one identity in the Linked or Suggested list.
func identityLine(st *Styles, id inbox.Identity, mark bool, w int) string {
	m := "  "
	if mark {
		m = st.RowCursor.Render("› ")
	}
	line := m + st.Network.Render(fmt.Sprintf("%-9s", networkName(id.Network))) + " " + nameCut(id.Author.Display(), w)
	if id.Author.Handle != "" && id.Author.Handle != id.Author.Name {
		line += "  " + st.Meta.Render(shortName(id.Author.Handle))
	}
	return ansiCut(line+st.Faint.Render(" · "+screenLine(id.AccountLabel)), w)
}

func (p *profilePane) content(st *Styles, w int) string {
	pr := p.p
	var b strings.Builder
	head := st.Title.Render(nameCut(pr.Author.Display(), w))
	if pr.Author.Handle != "" && pr.Author.Handle != pr.Author.Name {
		head += "  " + st.Meta.Render(shortName(pr.Author.Handle))
	}
	head += "  " + st.Network.Render(networkName(pr.Network)) + st.Faint.Render(" · "+screenLine(pr.AccountLabel))
	b.WriteString(ansiCut(head, w) + "\n")
	neg := 0
	for _, c := range pr.Conversations {
		if c.Negative {
			neg++
		}
	}
	nets := ""
	if pr.Linked() {
		nets = fmt.Sprintf(" · on %d networks", len(pr.Identities))
	}
	b.WriteString(st.Meta.Render(ansiCut(fmt.Sprintf("first seen %s · %s · %d negative%s",
		pr.FirstSeen.Local().Format("2 Jan 2006"), plural(pr.Total, "conversation"), neg, nets), w)) + "\n")
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
			parts = append(parts, fmt.Sprintf("#%s ×%d", screenLine(t), pr.Tags[t]))
		}
		b.WriteString(st.Tag.Render(ansiCut(strings.Join(parts, "  "), w)) + "\n")
	}
	b.WriteString(st.Faint.Render("mood, oldest → newest: ") + st.Negative.Render(ansiCut(moodLine(pr.Conversations), w-24)) + "\n")
	i := 0
	if pr.Linked() {
		b.WriteString("\n" + st.BoxTitle.Render("Linked") + "\n")
		for _, id := range pr.Identities {
			b.WriteString(identityLine(st, id, i == p.choice, w) + "\n")
			i++
		}
	}
	if len(pr.Suggested) > 0 {
		b.WriteString("\n" + ansiCut(st.BoxTitle.Render("Maybe the same person")+st.Faint.Render("  same name or handle on another network"), w) + "\n")
		for _, id := range pr.Suggested {
			b.WriteString(identityLine(st, id, i == p.choice, w) + "\n")
			i++
		}
	}
	b.WriteString("\n")
	for _, c := range pr.Conversations {
		mark := "  "
		if c.Negative {
			mark = st.Negative.Render("! ")
		}
		line := mark + st.Meta.Render(c.FirstInAt.Local().Format("2 Jan 06")) + "  " + st.Network.Render(fmt.Sprintf("%-9s", networkName(c.Network))) +
			" " + st.Kind.Render(fmt.Sprintf("%-8s %-7s", kindLabel(c), c.State)) + " " + screenLine(c.Preview)
		b.WriteString(ansiCut(line, w) + "\n")
	}
	if pr.Total > len(pr.Conversations) {
		b.WriteString(st.Faint.Render(fmt.Sprintf("… and %d older", pr.Total-len(pr.Conversations))) + "\n")
	}
	if len(pr.Notes) > 0 {
		b.WriteString("\n" + st.BoxTitle.Render("Notes") + "\n")
		for _, n := range pr.Notes {
			b.WriteString(st.NoteMention.Render(ansiCut(shortName(n.Author)+" · "+ago(n.CreatedAt, p.env.now), w)) + "\n")
			b.WriteString(cutLines(st.Note.Width(w).Render(screenText(n.Text)), w) + "\n")
		}
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// footer says what the pane's keys do here: link only with a suggestion
// to link, unlink only with a link to undo.
func (p *profilePane) footer() string {
	parts := []string{"j/k scroll"}
	if len(p.choices()) > 1 {
		parts = append(parts, "tab choose")
	}
	if len(p.p.Suggested) > 0 {
		parts = append(parts, "l link")
	}
	if p.p.Linked() {
		parts = append(parts, "U unlink")
	}
	return strings.Join(append(parts, "u undo", "esc close"), " · ")
}

func (p *profilePane) view(st *Styles, width, height int) string {
	w := min(max(width*3/4, 50), width-4)
	h := max(height-7, 3)
	if p.width != w || p.vp.Height() != h || p.dirty {
		p.width, p.dirty = w, false
		p.vp.SetWidth(w - 4)
		p.vp.SetContent(p.content(st, w-4))
		p.vp.SetHeight(min(h, p.vp.TotalLineCount()))
		if p.keepY > 0 {
			p.vp.SetYOffset(p.keepY)
			p.keepY = 0
		}
	}
	foot := st.Faint.Render(ansiCut(p.footer(), w-4))
	if p.status != "" {
		foot = st.Meta.Render(ansiCut(screenLine(p.status), w-4)) + "\n" + foot
	}
	return st.Box.Width(w).Render(st.BoxTitle.Render("Customer") + "\n" + p.vp.View() + "\n" + foot)
}

// onChange reloads the pane after a change that can alter what it shows:
// another manager linked or unlinked identities, or one of the customer's
// conversations changed. The reload keeps the choice, the status and the
// scroll; a failed one keeps what is shown.
func (p *profilePane) onChange(c pendingChanges) tea.Cmd {
	if p.busy || !(c.all || c.customers || p.shows(c.ids)) {
		return nil
	}
	env, keys, old := p.env, p.keys, p
	choice, status, y := p.choice, p.status, p.vp.YOffset()
	return func() tea.Msg {
		next, err := loadProfilePane(env, keys)
		if err != nil {
			return nil
		}
		next.choice, next.status, next.keepY = choice, status, y
		return pickMsg{open: next, replaces: old}
	}
}

// shows says whether any of ids is a conversation the pane lists or was
// opened from.
func (p *profilePane) shows(ids map[int64]bool) bool {
	if ids[p.env.conv] {
		return true
	}
	for _, c := range p.p.Conversations {
		if ids[c.ID] {
			return true
		}
	}
	return false
}

// openProfile routes the profile key: the person behind the open
// conversation (or the row under the cursor).
func (m *Model) openProfile() tea.Cmd {
	ids := m.targets()
	if len(ids) != 1 {
		m.setFlash("a profile is of one person: select one conversation", true)
		return nil
	}
	env, keys := profileEnv{ctx: m.ctx, svc: m.svc, user: m.opt.User, conv: ids[0]}, &m.keys
	return func() tea.Msg {
		p, err := loadProfilePane(env, keys)
		if err != nil {
			return actionMsg{label: "profile", err: err}
		}
		return pickMsg{open: p}
	}
}
