package tui

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/sahilm/fuzzy"

	"github.com/parleyhq/parley/inbox"
)

// Every query or action runs in a tea.Cmd that captures its inputs by value
// and answers with one of these messages. Replies carrying a request id
// older than the model's latest are stale and dropped.

type windowMsg struct {
	req            int
	rows           []inbox.Conversation
	atStart, atEnd bool
	keepID         int64
	fallback       int
	base           int // view index of rows[0]; -1: not known
	err            error
}

type moreMsg struct {
	req  int
	dir  fetchDir
	rows []inbox.Conversation
	err  error
}

type countsMsg struct {
	counts inbox.Counts
	err    error
}

type accountsMsg struct {
	accounts []inbox.Account
	problems []string // broken rules or word list files
	err      error
}

type threadMsg struct {
	id     int64
	thread inbox.Thread
	err    error
}

type changeMsg struct{ change inbox.Change }

type actionMsg struct {
	label string
	err   error
}

type corpusMsg struct {
	req  int
	rows []inbox.Conversation
	err  error
}

type filterMsg struct {
	gen     int
	rows    []inbox.Conversation
	matches map[int64][]int
}

type searchMsg struct {
	query string
	limit int // how many were asked for: an answer to an older ask is dropped
	rows  []inbox.Conversation
	more  bool // more conversations match than rows holds
	err   error
}

type searchCountMsg struct {
	query string
	n     int
	exact bool
	err   error
}

// pickMsg opens an overlay. With replaces set it is the answer of that
// overlay's own action (a pane reopening on fresh data), dropped if the
// manager has closed or changed the overlay meanwhile.
type pickMsg struct{ open, replaces overlay }

type tagsMsg struct {
	tags []string
	ids  []int64
	err  error
}

type repliesMsg struct {
	replies []inbox.SavedReply
	err     error
}

type insertMsg struct {
	text string
	mode insertMode
}

type draftTickMsg struct {
	conv int64
	gen  int
}

type editorReadyMsg struct {
	path string
	err  error
	then editorThen
}

type editorDoneMsg struct {
	path string
	err  error
	then editorThen
}

// editorThen takes the text $EDITOR left (or why there is none) when
// something other than the composer asked for the editor: the saved-reply
// editor. nil: the composer.
type editorThen func(text string, err error) tea.Msg

type editorTextMsg struct {
	conv int64
	text string
	err  error
}

type tickMsg time.Time

// waitChange blocks on the subscription or the program's context, so the
// goroutine never outlives an SSH session.
func waitChange(ctx context.Context, ch <-chan inbox.Change) tea.Cmd {
	return func() tea.Msg {
		select {
		case c := <-ch:
			return changeMsg{change: c}
		case <-ctx.Done():
			return nil
		}
	}
}

func tick() tea.Cmd {
	return tea.Tick(30*time.Second, func(t time.Time) tea.Msg { return tickMsg(t) })
}

// loadWindow loads rows around an anchor row: `above` rows before it and
// `below` rows from it on. With no anchor it loads the top of the view, or
// with last set the bottom.
func loadWindow(ctx context.Context, svc *inbox.Service, req int, v inbox.View, network string, anchor *inbox.Cursor, last bool, above, below int, keepID int64) tea.Cmd {
	return func() tea.Msg {
		m := windowMsg{req: req, keepID: keepID, base: -1}
		switch {
		case last:
			rows, err := svc.List(ctx, inbox.Page{View: v, Network: network, Before: true, Limit: below})
			m.rows, m.err, m.atEnd, m.atStart = rows, err, true, len(rows) < below
			m.fallback = len(rows) - 1
			if counts, err := svc.Counts(ctx, network); err == nil && !m.atStart {
				m.base = max(counts[v]-len(rows), 0) // maintained counters: no scan
			}
		case anchor == nil:
			rows, err := svc.List(ctx, inbox.Page{View: v, Network: network, Limit: below})
			m.rows, m.err, m.atStart, m.atEnd = rows, err, true, len(rows) < below
		default:
			up, err := svc.List(ctx, inbox.Page{View: v, Network: network, Anchor: anchor, Before: true, Limit: above})
			if err != nil {
				m.err = err
				break
			}
			// (key, id-1) < (key, id): the anchor row itself comes first.
			from := &inbox.Cursor{Key: anchor.Key, ID: anchor.ID - 1}
			down, err := svc.List(ctx, inbox.Page{View: v, Network: network, Anchor: from, Limit: below})
			m.rows, m.err = append(up, down...), err
			m.atStart, m.atEnd, m.fallback = len(up) < above, len(down) < below, len(up)
			if !m.atStart && err == nil {
				if n, err := svc.Position(ctx, inbox.Page{View: v, Network: network}, *anchor); err == nil {
					m.base = max(n-len(up), 0)
				}
			}
		}
		return m
	}
}

func loadMore(ctx context.Context, svc *inbox.Service, req int, v inbox.View, network string, dir fetchDir, anchor inbox.Cursor, limit int) tea.Cmd {
	return func() tea.Msg {
		rows, err := svc.List(ctx, inbox.Page{View: v, Network: network, Anchor: &anchor, Before: dir == fetchBefore, Limit: limit})
		return moreMsg{req: req, dir: dir, rows: rows, err: err}
	}
}

func loadCounts(ctx context.Context, svc *inbox.Service, network string) tea.Cmd {
	return func() tea.Msg {
		c, err := svc.Counts(ctx, network)
		return countsMsg{counts: c, err: err}
	}
}

func loadAccounts(ctx context.Context, svc *inbox.Service) tea.Cmd {
	return func() tea.Msg {
		a, err := svc.Accounts(ctx)
		return accountsMsg{accounts: a, problems: svc.Problems(), err: err}
	}
}

func loadThread(ctx context.Context, svc *inbox.Service, id int64) tea.Cmd {
	return func() tea.Msg {
		th, err := svc.Open(ctx, id)
		return threadMsg{id: id, thread: th, err: err}
	}
}

// act runs a service action and reports it for the status line.
func act(ctx context.Context, label string, f func(context.Context) error) tea.Cmd {
	return func() tea.Msg {
		return actionMsg{label: label, err: f(ctx)}
	}
}

// corpusLimit bounds how many rows the in-memory filter searches.
const corpusLimit = 20000

func loadCorpus(ctx context.Context, svc *inbox.Service, req int, v inbox.View, network string) tea.Cmd {
	return func() tea.Msg {
		rows, err := svc.FilterCorpus(ctx, v, network, corpusLimit)
		return corpusMsg{req: req, rows: rows, err: err}
	}
}

// corpusSource adapts rows to fuzzy.Source without copying strings around.
type corpusSource []string

func (c corpusSource) String(i int) string { return c[i] }
func (c corpusSource) Len() int            { return len(c) }

// runFilter matches the query against the corpus, best first (see
// rankMatches), equal matches in view order, so typing a name brings that
// person's conversations up, most urgent first.
func runFilter(gen int, query string, rows []inbox.Conversation, targets []string) tea.Cmd {
	return func() tea.Msg {
		q, _ := fold(query)
		ms := rankMatches(q, fuzzy.FindFrom(q, corpusSource(targets)), targets)
		out := filterMsg{gen: gen, matches: make(map[int64][]int, len(ms))}
		out.rows = make([]inbox.Conversation, 0, len(ms))
		for _, m := range ms {
			c := rows[m.Index]
			out.rows = append(out.rows, c)
			out.matches[c.ID] = unfoldOffsets(displayTarget(c), m.MatchedIndexes)
		}
		return out
	}
}

func loadTags(ctx context.Context, svc *inbox.Service, ids []int64) tea.Cmd {
	return func() tea.Msg {
		t, err := svc.Tags(ctx)
		return tagsMsg{tags: t, ids: ids, err: err}
	}
}

func loadReplies(dir string) tea.Cmd {
	return func() tea.Msg {
		r, err := inbox.LoadSavedReplies(dir)
		return repliesMsg{replies: r, err: err}
	}
}

func saveDraft(ctx context.Context, svc *inbox.Service, user string, conv int64, body string) tea.Cmd {
	return func() tea.Msg {
		if err := svc.SaveDraft(ctx, user, conv, body); err != nil {
			return actionMsg{label: "save draft", err: err}
		}
		return nil
	}
}

// editorOpen writes the text to a private temp file for $EDITOR; then is
// who takes the result (nil: the composer).
func editorOpen(body string, then editorThen) tea.Cmd {
	return func() tea.Msg {
		f, err := os.CreateTemp("", "parley-reply-*.txt")
		if err != nil {
			return editorReadyMsg{err: err, then: then}
		}
		defer f.Close()
		if _, err := f.WriteString(body); err != nil {
			return editorReadyMsg{err: err, then: then}
		}
		return editorReadyMsg{path: f.Name(), then: then}
	}
}

func editorRun(editor, path string, then editorThen) tea.Cmd {
	args := strings.Fields(editor)
	c := exec.Command(args[0], append(args[1:], path)...)
	return tea.ExecProcess(c, func(err error) tea.Msg { return editorDoneMsg{path: path, err: err, then: then} })
}

// editorText reads and removes what $EDITOR left.
func editorText(path string) (string, error) {
	defer os.Remove(path)
	b, err := os.ReadFile(filepath.Clean(path))
	return strings.TrimRight(string(b), "\n"), err
}

func editorRead(conv int64, path string) tea.Cmd {
	return func() tea.Msg {
		text, err := editorText(path)
		return editorTextMsg{conv: conv, text: text, err: err}
	}
}

// editorReadThen hands what $EDITOR left to then; an editor that failed
// leaves the text as it was.
func editorReadThen(path string, runErr error, then editorThen) tea.Cmd {
	return func() tea.Msg {
		text, err := editorText(path)
		if runErr != nil {
			err = fmt.Errorf("the editor exited: %w (nothing changed)", runErr)
		}
		return then(text, err)
	}
}

func errText(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, inbox.ErrNothingToUndo):
		return "nothing to undo"
	case errors.Is(err, context.Canceled):
		return "cancelled"
	}
	return err.Error()
}

func plural(n int, one string) string {
	if n == 1 {
		return one
	}
	return fmt.Sprintf("%s ×%d", one, n)
}

type presenceMsg []inbox.Viewer

// loadPresence reads who is where; it is in memory, but stays off Update
// like every other service call.
func loadPresence(svc *inbox.Service) tea.Cmd {
	return func() tea.Msg { return presenceMsg(svc.Presence()) }
}

// confirmedMsg runs an action the user confirmed, inside Update.
type confirmedMsg struct{ do func() tea.Cmd }

func newSessionID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
