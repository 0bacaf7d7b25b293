package rules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const sample = `# rules for the shop
[[rule]]
name = "refunds to support"
keywords = ["refund", "money back"]
tag = ["refund"]
escalate = "support"
note = "refund request"

[[rule]]
name = "bad reviews"
kind = ["review"]
rating_max = 2
mark_negative = true
priority = "high"

[[rule]]
name = "night spam"
has_link = true
hours = "22:00-06:00"
snooze = "8h"
stop = true

[[rule]]
name = "never reached after stop"
regex = "(?i)http"
done = true
`

func TestParseAndEvaluate(t *testing.T) {
	set, err := Parse("rules.toml", sample, []string{"support", "legal"})
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Rules) != 4 || set.Rules[1].Line() != 9 {
		t.Fatalf("rules: %d, second at line %d", len(set.Rules), set.Rules[1].Line())
	}
	day := time.Date(2026, 11, 26, 14, 0, 0, 0, time.Local)
	night := time.Date(2026, 11, 26, 23, 30, 0, 0, time.Local)
	a := set.Evaluate(Message{Kind: "review", Rating: 1, Text: "I want my MONEY BACK, refund now", At: day})
	if strings.Join(a.Rules, "|") != "refunds to support|bad reviews" || a.Escalate != "support" || !a.MarkNegative ||
		strings.Join(a.Tags, ",") != "refund,priority-high" {
		t.Fatalf("refund review: %+v", a)
	}
	if a := set.Evaluate(Message{Kind: "comment", Text: "refunded already?", At: day}); !a.Empty() {
		t.Fatalf("keywords match whole words only: %+v", a)
	}
	a = set.Evaluate(Message{Kind: "comment", Text: "cheap pills http://spam.example", At: night})
	if strings.Join(a.Rules, "|") != "night spam" || a.Snooze != 8*time.Hour || a.Done {
		t.Fatalf("stop must end evaluation: %+v", a)
	}
	a = set.Evaluate(Message{Kind: "comment", Text: "see http://x.example", At: day})
	if strings.Join(a.Rules, "|") != "never reached after stop" || !a.Done {
		t.Fatalf("day link: %+v", a)
	}
	if got := a.Describe(); got != "mark done" {
		t.Fatalf("describe: %q", got)
	}
}

func TestErrorsPointAtTheLine(t *testing.T) {
	cases := []struct{ text, want string }{
		{"[[rule]]\nname = \"x\"\ntagg = [\"a\"]\n", "rules.toml:3: unknown setting \"rule.tagg\""},
		{"[[rule]]\nname = \"x\"\ndone = true\n\n[[rule]]\nregex = \"(\"\ndone = true\n", "rules.toml:6: regex"},
		{"[[rule]]\nsnooze = \"soon\"\n", "rules.toml:2: snooze \"soon\""},
		{"[[rule]]\nhours = \"9-5\"\ndone = true\n", "rules.toml:2: hours"},
		{"[[rule]]\nescalate = \"ceo\"\n", "rules.toml:2: escalate to \"ceo\": not a destination"},
		{"[[rule]]\nname = \"idle\"\nkeywords = [\"x\"]\n", "rules.toml:1: rule \"idle\" does nothing"},
		{"[[rule]]\nkind = [\"tweet\"]\ndone = true\n", "rules.toml:2: kind \"tweet\""},
		{"[[rule]\n", "rules.toml:2: expected end of table array"},
	}
	for _, c := range cases {
		_, err := Parse("rules.toml", c.text, []string{"support"})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: err = %v, want %q", c.text, err, c.want)
		}
	}
}

func TestWatcherReloadsAndKeepsLastGood(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rules.toml")
	w := Watch(path, nil)
	if set, err := w.Current(); err != nil || len(set.Rules) != 0 {
		t.Fatalf("missing file: %v %v", set, err)
	}
	os.WriteFile(path, []byte("[[rule]]\ndone = true\n"), 0o600)
	w.mu.Lock()
	w.checked = time.Time{}
	w.mu.Unlock()
	if set, _ := w.Current(); len(set.Rules) != 1 {
		t.Fatal("new rules not picked up")
	}
	os.WriteFile(path, []byte("[[rule]\n"), 0o600)
	os.Chtimes(path, time.Now().Add(time.Minute), time.Now().Add(time.Minute))
	w.mu.Lock()
	w.checked = time.Time{}
	w.mu.Unlock()
	set, err := w.Current()
	if err == nil || len(set.Rules) != 1 {
		t.Fatalf("broken file: %v rules, err %v; want the last good rules and an error", len(set.Rules), err)
	}
}
