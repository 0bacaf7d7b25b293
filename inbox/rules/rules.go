// Package rules reads triage rules from a TOML file and decides what each
// rule does to an arriving message. It does not change anything itself:
// the inbox service applies the actions (journalled, so they can be undone)
// and `parley rules test` prints them without applying.
//
// Order and effects: rules are tried in file order against the message as
// it arrived (after scoring), every rule whose conditions all hold
// contributes its actions, in file order; tags add up, and for the
// conversation's state the last rule wins (a later done beats an earlier
// snooze). A rule with stop = true ends the evaluation for that message.
package rules

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// Rule is one [[rule]] table.
type Rule struct {
	Name string `toml:"name"`
	// Conditions: all given ones must hold. Lists match any of their items.
	Network   []string `toml:"network"`
	Account   []string `toml:"account"`
	Kind      []string `toml:"kind"`     // comment, dm, mention, review
	Language  []string `toml:"language"` // en, nl, de, fr, es, ru, und
	Negative  *bool    `toml:"negative"`
	RatingMax int      `toml:"rating_max"`
	RatingMin int      `toml:"rating_min"`
	Keywords  []string `toml:"keywords"` // words or phrases, case-insensitive
	Regex     string   `toml:"regex"`
	Author    []string `toml:"author"` // handle or name
	HasLink   *bool    `toml:"has_link"`
	Hours     string   `toml:"hours"` // "09:00-17:00", local time; may wrap midnight
	// Breached = true makes a rule run when a conversation's reply deadline
	// passes unanswered, instead of when a message arrives.
	Breached *bool `toml:"breached"`
	// Actions.
	Tag          []string `toml:"tag"`
	MarkNegative bool     `toml:"mark_negative"`
	Priority     string   `toml:"priority"` // high or low: recorded as tag priority-high/priority-low
	Escalate     string   `toml:"escalate"` // destination name
	Note         string   `toml:"note"`
	Snooze       string   `toml:"snooze"` // duration, e.g. "2h"
	Done         bool     `toml:"done"`
	Hide         bool     `toml:"hide"`   // where the network allows it
	Assign       string   `toml:"assign"` // a manager's name; only an unassigned conversation
	Spam         bool     `toml:"spam"`   // close as spam (the Spam view)
	Stop         bool     `toml:"stop"`

	line   int
	re     *regexp.Regexp
	snooze time.Duration
	from   int // minutes after midnight
	to     int
}

// Line is where the rule starts in its file.
func (r Rule) Line() int { return r.line }

// Message is what a rule looks at.
type Message struct {
	Network, Account, Kind, Language string
	Negative                         bool
	Rating                           int
	Text                             string
	AuthorHandle, AuthorName         string
	At                               time.Time
	Breached                         bool // evaluated because the reply deadline passed
}

// Set is a parsed rules file.
type Set struct {
	Path  string
	Rules []Rule
}

// Load reads and checks a rules file; a missing file is an empty set.
// Errors name the file and line. destinations lists valid escalation names.
func Load(path string, destinations []string) (*Set, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return &Set{Path: path}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("rules: %w", err)
	}
	return Parse(path, string(b), destinations)
}

// Parse checks rules text.
func Parse(path, text string, destinations []string) (*Set, error) {
	var doc struct {
		Rule []Rule `toml:"rule"`
	}
	md, err := toml.Decode(text, &doc)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("%s:%d: %s", path, pe.Position.Line, pe.Message)
		}
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	starts := ruleLines(text)
	if und := md.Undecoded(); len(und) > 0 {
		k := und[0]
		return nil, fmt.Errorf("%s:%d: unknown setting %q in a rule (conditions: network account kind language negative rating_max rating_min keywords regex author has_link hours breached; actions: tag mark_negative priority escalate note snooze done hide assign spam stop)",
			path, keyLine(text, starts, -1, k[len(k)-1]), k.String())
	}
	set := &Set{Path: path}
	for i, r := range doc.Rule {
		if i < len(starts) {
			r.line = starts[i]
		}
		where := func(key string) string { return fmt.Sprintf("%s:%d", path, keyLine(text, starts, i, key)) }
		if r.Name == "" {
			r.Name = fmt.Sprintf("rule %d", i+1)
		}
		for _, k := range r.Kind {
			if !slices.Contains([]string{"comment", "dm", "mention", "review"}, k) {
				return nil, fmt.Errorf("%s: kind %q: use comment, dm, mention or review", where("kind"), k)
			}
		}
		if r.Regex != "" {
			if r.re, err = regexp.Compile(r.Regex); err != nil {
				return nil, fmt.Errorf("%s: regex: %v", where("regex"), err)
			}
		}
		if r.Snooze != "" {
			if r.snooze, err = time.ParseDuration(r.Snooze); err != nil || r.snooze <= 0 {
				return nil, fmt.Errorf("%s: snooze %q: use a duration such as \"2h\"", where("snooze"), r.Snooze)
			}
		}
		if r.Hours != "" {
			if r.from, r.to, err = parseHours(r.Hours); err != nil {
				return nil, fmt.Errorf("%s: hours %q: %v", where("hours"), r.Hours, err)
			}
		}
		if r.Escalate != "" && len(destinations) > 0 && !slices.Contains(destinations, r.Escalate) {
			return nil, fmt.Errorf("%s: escalate to %q: not a destination in the config (%s)", where("escalate"), r.Escalate, strings.Join(destinations, ", "))
		}
		if r.Priority != "" && r.Priority != "high" && r.Priority != "low" {
			return nil, fmt.Errorf("%s: priority %q: use high or low", where("priority"), r.Priority)
		}
		if r.RatingMin < 0 || r.RatingMin > 5 || r.RatingMax < 0 || r.RatingMax > 5 {
			return nil, fmt.Errorf("%s: ratings are 1 to 5", where("rating_max"))
		}
		if !r.hasAction() {
			return nil, fmt.Errorf("%s:%d: rule %q does nothing: give it an action (tag, mark_negative, priority, escalate, snooze, done, hide, assign, spam)", path, r.line, r.Name)
		}
		for i := range r.Keywords {
			r.Keywords[i] = strings.ToLower(r.Keywords[i])
		}
		set.Rules = append(set.Rules, r)
	}
	return set, nil
}

func (r Rule) hasAction() bool {
	return len(r.Tag) > 0 || r.MarkNegative || r.Priority != "" || r.Escalate != "" || r.Snooze != "" || r.Done || r.Hide || r.Assign != "" || r.Spam
}

func parseHours(s string) (int, int, error) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return 0, 0, errors.New(`use "HH:MM-HH:MM"`)
	}
	ta, err1 := time.Parse("15:04", strings.TrimSpace(a))
	tb, err2 := time.Parse("15:04", strings.TrimSpace(b))
	if err1 != nil || err2 != nil {
		return 0, 0, errors.New(`use "HH:MM-HH:MM"`)
	}
	return ta.Hour()*60 + ta.Minute(), tb.Hour()*60 + tb.Minute(), nil
}

// ruleLines finds the line of each [[rule]] header.
func ruleLines(text string) []int {
	var out []int
	for i, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "[[rule]]") {
			out = append(out, i+1)
		}
	}
	return out
}

// keyLine finds key inside rule i (or anywhere when i < 0).
func keyLine(text string, starts []int, i int, key string) int {
	lines := strings.Split(text, "\n")
	from, to := 0, len(lines)
	if i >= 0 && i < len(starts) {
		from = starts[i]
		if i+1 < len(starts) {
			to = starts[i+1] - 1
		}
	}
	for n := from; n < to; n++ {
		t := strings.TrimSpace(lines[n])
		if strings.HasPrefix(t, key+" ") || strings.HasPrefix(t, key+"=") {
			return n + 1
		}
	}
	if from > 0 {
		return from
	}
	return 1
}

var linkRe = regexp.MustCompile(`(?i)\bhttps?://|\bwww\.`)

// Matches reports whether every condition of r holds for m.
func (r Rule) Matches(m Message) bool {
	in := func(list []string, v string) bool {
		return len(list) == 0 || slices.ContainsFunc(list, func(x string) bool { return strings.EqualFold(x, v) })
	}
	if (r.Breached != nil && *r.Breached) != m.Breached {
		return false // arrival rules run on arrival, breach rules on breach
	}
	if !in(r.Network, m.Network) || !in(r.Account, m.Account) || !in(r.Kind, m.Kind) || !in(r.Language, m.Language) {
		return false
	}
	if r.Negative != nil && *r.Negative != m.Negative {
		return false
	}
	if r.RatingMax > 0 && (m.Rating == 0 || m.Rating > r.RatingMax) {
		return false
	}
	if r.RatingMin > 0 && m.Rating < r.RatingMin {
		return false
	}
	if len(r.Author) > 0 && !slices.ContainsFunc(r.Author, func(a string) bool {
		return strings.EqualFold(a, m.AuthorHandle) || strings.EqualFold(a, m.AuthorName)
	}) {
		return false
	}
	if r.HasLink != nil && *r.HasLink != linkRe.MatchString(m.Text) {
		return false
	}
	if len(r.Keywords) > 0 {
		low := " " + strings.ToLower(m.Text) + " "
		if !slices.ContainsFunc(r.Keywords, func(k string) bool { return containsWord(low, k) }) {
			return false
		}
	}
	if r.re != nil && !r.re.MatchString(m.Text) {
		return false
	}
	if r.Hours != "" {
		t := m.At.Local()
		min := t.Hour()*60 + t.Minute()
		if r.from <= r.to {
			if min < r.from || min >= r.to {
				return false
			}
		} else if min < r.from && min >= r.to { // wraps midnight
			return false
		}
	}
	return true
}

// containsWord finds k in s at word boundaries (s is lower case, padded).
func containsWord(s, k string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], k)
		if j < 0 {
			return false
		}
		j += i
		before, after := s[j-1], byte(' ')
		if j+len(k) < len(s) {
			after = s[j+len(k)]
		}
		if !isWordByte(before) && !isWordByte(after) {
			return true
		}
		i = j + 1
	}
}

func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b >= 0x80
}

// Actions is what the matching rules ask for, in order.
type Actions struct {
	Rules        []string // names of the rules that matched
	Tags         []string
	MarkNegative bool
	Escalate     string
	Note         string
	Snooze       time.Duration
	Done         bool
	Hide         bool
	Assign       string
	Spam         bool
}

// Actions is what this rule alone asks for.
func (r Rule) Actions() Actions {
	a := Actions{Rules: []string{r.Name}, MarkNegative: r.MarkNegative, Escalate: r.Escalate, Note: r.Note,
		Snooze: r.snooze, Done: r.Done, Hide: r.Hide, Assign: r.Assign, Spam: r.Spam}
	a.Tags = append(a.Tags, r.Tag...)
	if r.Priority != "" {
		a.Tags = append(a.Tags, "priority-"+r.Priority)
	}
	return a
}

// merge adds a later rule's actions: tags add up, escalation and the
// conversation's state follow the last rule that sets them.
func (a *Actions) merge(b Actions) {
	a.Rules = append(a.Rules, b.Rules...)
	for _, t := range b.Tags {
		if !slices.Contains(a.Tags, t) {
			a.Tags = append(a.Tags, t)
		}
	}
	a.MarkNegative = a.MarkNegative || b.MarkNegative
	if b.Escalate != "" {
		a.Escalate, a.Note = b.Escalate, b.Note
	}
	if b.Snooze > 0 {
		a.Snooze, a.Done = b.Snooze, false
	}
	if b.Done {
		a.Done, a.Snooze = true, 0
	}
	a.Hide = a.Hide || b.Hide
	if b.Assign != "" {
		a.Assign = b.Assign
	}
	a.Spam = a.Spam || b.Spam
}

// Empty reports whether nothing is to be done.
func (a Actions) Empty() bool { return len(a.Rules) == 0 }

// Evaluate runs the rules over one message.
func (s *Set) Evaluate(m Message) Actions {
	var a Actions
	if s == nil {
		return a
	}
	for _, r := range s.Rules {
		if !r.Matches(m) {
			continue
		}
		a.merge(r.Actions())
		if r.Stop {
			break
		}
	}
	return a
}

// Describe says in words what the actions would do.
func (a Actions) Describe() string {
	var parts []string
	if len(a.Tags) > 0 {
		parts = append(parts, "tag #"+strings.Join(a.Tags, " #"))
	}
	if a.MarkNegative {
		parts = append(parts, "mark negative")
	}
	if a.Escalate != "" {
		s := "escalate to " + a.Escalate
		if a.Note != "" {
			s += " (" + a.Note + ")"
		}
		parts = append(parts, s)
	}
	if a.Snooze > 0 {
		parts = append(parts, "snooze "+a.Snooze.String())
	}
	if a.Done {
		parts = append(parts, "mark done")
	}
	if a.Hide {
		parts = append(parts, "hide the comment")
	}
	if a.Assign != "" {
		parts = append(parts, "assign to "+a.Assign)
	}
	if a.Spam {
		parts = append(parts, "mark spam")
	}
	return strings.Join(parts, ", ")
}
