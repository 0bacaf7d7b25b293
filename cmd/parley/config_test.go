package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestConfigErrorsNameFileAndLine(t *testing.T) {
	paths := Paths{ConfigDir: t.TempDir(), DataDir: t.TempDir()}
	cases := []struct{ body, want string }{
		{"user = \"ann\"\nescalaton = [\"support\"]\n", ":2: unknown setting \"escalaton\""},
		{"user = \"ann\"\n\n[keys]\nreplly = [\"r\"]\n", ":4: [keys]: unknown key action \"replly\""},
		{"user = \"ann\"\nreply_marks_done = maybe\n", ":2: "},
		{"[[account]]\nlabel = \"x\"\n", ":1: account 1 has no network"},
		{"user = \"a\"\n[serve]\nidle_timeout = \"soon\"\n", ":3: [serve] idle_timeout \"soon\""},
		{"user = \"a\"\n[[destination]]\nname = \"legal\"\nemail = [\"l@x\"]\n", ":2: destination \"legal\" sends email: add an [smtp] table"},
		{"[sla]\nnegative = \"half an hour\"\n", ":2: [sla] negative \"half an hour\""},
		{"[sla]\nbusiness_hours = \"weekdays\"\n", ":2: [sla] business hours"},
		{"[[destination]]\nname = \"pr\"\nwebhook = \"https://x\"\ncommand = \"y\"\n", ":1: destination \"pr\": give exactly one of webhook, email, command"},
		// Unknown account options, at their line in the right account.
		{"[[account]]\nnetwork = \"demo-vk\"\n[account.options]\nseed = 1\n\n[[account]]\nnetwork = \"mastodon\"\nlabel = \"m\"\n[account.options]\nserver = \"https://x\"\nsever = \"https://y\"\n",
			":11: account \"m\": unknown mastodon option \"sever\" (it takes: backlog_days, insecure_skip_verify, poll_interval, server, token_cmd, token_env, token_file)"},
		{"[[account]]\nnetwork = \"facebook\"\nlabel = \"f\"\noptions = { page_id = \"1\", pageid = \"2\" }\n", ":1: account \"f\": unknown facebook option \"pageid\""},
		// Keys that clash, naming both actions.
		{"user = \"a\"\n[keys]\nundo = [\"U\"]\ndone = [\"r\"]\n", ":4: [keys]: key \"r\" is bound to both done and reply"},
		{"[keys]\nsnooze = [\"j\"]\n", ":2: [keys]: key \"j\" is bound to both snooze and down"},
		// Type errors in plain words.
		{"user = \"a\"\ndestination = \"legal\"\n", ":2: `destination` must be a list of tables `[[destination]]`, not a string"},
		{"[destination]\nname = \"legal\"\n", ":1: `destination` must be a list of tables `[[destination]]`, not a single table"},
		{"escalation = \"support\"\n", ":1: `escalation` must be a list of strings, e.g. `escalation = [\"a\", \"b\"]`, not a string"},
		{"reply_marks_done = \"yes\"\n", ":1: `reply_marks_done` must be true or false (no quotes), not a string"},
		{"[smtp]\nport = \"25\"\n", ":2: `smtp.port` must be a whole number (no quotes), not a string"},
		{"[keys]\ndone = \"D\"\n", ":2: `keys.done` must be a list of strings"},
	}
	for _, c := range cases {
		p := writeConfig(t, c.body)
		_, err := loadConfig(p, true, paths)
		if err == nil || !strings.Contains(err.Error(), p+c.want) {
			t.Errorf("config %q: err = %v, want it to contain %q", c.body, err, p+c.want)
		}
	}
}

func TestConfigDefaultsAndAccounts(t *testing.T) {
	paths := Paths{ConfigDir: "/cfg", DataDir: "/data"}
	cfg, err := loadConfig(filepath.Join(t.TempDir(), "missing.toml"), false, paths)
	if err != nil {
		t.Fatal(err)
	}
	if !*cfg.ReplyMarksDone || len(cfg.Escalation) != 3 || cfg.RepliesDir != "/cfg/replies" {
		t.Fatalf("defaults: %+v", cfg)
	}
	if _, err := loadConfig(filepath.Join(t.TempDir(), "missing.toml"), true, paths); err == nil {
		t.Fatal("a config file named on the command line must exist")
	}
	p := writeConfig(t, `user = "ann"
reply_marks_done = false
escalation = ["support", "billing"]
record_only = ["billing"]
send_hold = "5s"
[keys]
done = ["D"]
[[destination]]
name = "support"
command = "cat"
[[account]]
network = "demo-vk"
[account.options]
seed = 3
`)
	cfg, err = loadConfig(p, true, paths)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.User != "ann" || *cfg.ReplyMarksDone || cfg.Accounts[0].Label != "demo-vk" || cfg.Accounts[0].Options["seed"] != int64(3) || cfg.sendHold != 5*time.Second {
		t.Fatalf("parsed: %+v %+v", cfg, cfg.Accounts)
	}
}

// Keys the defaults share on purpose, and composer keys that look like
// list keys, are not clashes.
func TestKeysThatDoNotClash(t *testing.T) {
	paths := Paths{ConfigDir: t.TempDir(), DataDir: t.TempDir()}
	for _, body := range []string{"[keys]\nback = [\"esc\", \"q\"]\n", "[keys]\nsend = [\"ctrl+d\"]\n", "[keys]\ndone = [\"D\"]\nreply = [\"d\"]\n"} {
		if _, err := loadConfig(writeConfig(t, body), true, paths); err != nil {
			t.Errorf("%q: %v", body, err)
		}
	}
}

// A --db in a directory that does not exist is refused, not created.
func TestDBInMissingDirectoryRefused(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "cfg"))
	missing := filepath.Join(dir, "no-such-dir", "p.db")
	var out bytes.Buffer
	err := run([]string{"stats", "--db", missing}, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "the directory "+filepath.Dir(missing)+" does not exist") {
		t.Fatalf("missing directory: %v", err)
	}
	if _, err := os.Stat(filepath.Dir(missing)); err == nil {
		t.Fatal("the directory was created")
	}
	cfg := writeConfig(t, "db = \""+missing+"\"\n")
	if err := run([]string{"stats", "--config", cfg}, &out, &out); err == nil || !strings.Contains(err.Error(), cfg+": db "+missing) {
		t.Fatalf("db in config: %v", err)
	}
}

func TestSyncOnceWithDemoAccount(t *testing.T) {
	dir := t.TempDir()
	p := writeConfig(t, "[[account]]\nnetwork = \"demo-google\"\nlabel = \"Shop\"\n")
	var out bytes.Buffer
	if err := run([]string{"sync", "--once", "--config", p, "--db", filepath.Join(dir, "p.db")}, &out, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Shop") || !strings.Contains(out.String(), "ok") {
		t.Fatalf("sync output: %s", out.String())
	}
	st, err := os.Stat(filepath.Join(dir, "p.db"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("database file mode: %v %v", st.Mode(), err)
	}
	bad := writeConfig(t, "[[account]]\nnetwork = \"myspace\"\n")
	err = run([]string{"sync", "--once", "--config", bad, "--db", filepath.Join(dir, "q.db")}, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "unknown network \"myspace\"") {
		t.Fatalf("unknown network: %v", err)
	}
}

func TestGenerate(t *testing.T) {
	var out bytes.Buffer
	db := filepath.Join(t.TempDir(), "g.db")
	if err := run([]string{"demo", "--generate", "200", "--db", db}, &out, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "generated 200 conversations, 600 messages") {
		t.Fatalf("generate output: %s", out.String())
	}
}

func TestVersionAndUnknownCommand(t *testing.T) {
	var out bytes.Buffer
	if err := run([]string{"version"}, &out, &out); err != nil || !strings.HasPrefix(out.String(), "parley ") {
		t.Fatalf("version: %q %v", out.String(), err)
	}
	if err := run([]string{"frobnicate"}, &out, &out); err == nil {
		t.Fatal("unknown command accepted")
	}
}

func TestRulesCommands(t *testing.T) {
	dir := t.TempDir()
	rp := filepath.Join(dir, "rules.toml")
	os.WriteFile(rp, []byte("[[rule]]\nname = \"refunds\"\nkeywords = [\"refund\"]\ntag = [\"refund\"]\n"), 0o600)
	db := filepath.Join(dir, "g.db")
	var out bytes.Buffer
	if err := run([]string{"demo", "--generate", "400", "--db", db}, &out, &out); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run([]string{"rules", "check", "--rules", rp}, &out, &out); err != nil || !strings.Contains(out.String(), "1 rules, all valid") {
		t.Fatalf("check: %v %s", err, out.String())
	}
	out.Reset()
	if err := run([]string{"rules", "test", "--rules", rp, "--db", db, "--since", "400d"}, &out, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "refunds (line 1):") || !strings.Contains(out.String(), "→ tag #refund") || !strings.Contains(out.String(), "nothing was changed") {
		t.Fatalf("test output:\n%s", out.String())
	}
	os.WriteFile(rp, []byte("[[rule]]\nname = \"x\"\nregex = \"[\"\ndone = true\n"), 0o600)
	err := run([]string{"rules", "check", "--rules", rp}, &out, &out)
	if err == nil || !strings.Contains(err.Error(), rp+":3: regex") {
		t.Fatalf("bad regex: %v", err)
	}
}

func TestStatsCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "g.db")
	var out bytes.Buffer
	if err := run([]string{"demo", "--generate", "300", "--db", db}, &out, &out); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run([]string{"stats", "--db", db, "--since", "400d", "--json"}, &out, &out); err != nil {
		t.Fatal(err)
	}
	var st struct {
		Conversations int     `json:"conversations"`
		Inbound       int     `json:"inbound_messages"`
		ResponseRate  float64 `json:"response_rate"`
		PerNetwork    []any   `json:"per_network"`
	}
	if err := json.Unmarshal(out.Bytes(), &st); err != nil || st.Conversations != 300 || st.Inbound != 600 || len(st.PerNetwork) != 4 {
		t.Fatalf("stats json: %+v %v\n%s", st, err, out.String())
	}
	out.Reset()
	if err := run([]string{"stats", "--db", db, "--since", "400d"}, &out, &out); err != nil || !strings.Contains(out.String(), "First response: median 30m") ||
		!strings.Contains(out.String(), "Detector vs the manager: no manual marks yet") ||
		!strings.Contains(out.String(), "No SLA set: overdue counts the platforms' reply windows only") {
		t.Fatalf("stats text: %v\n%s", err, out.String())
	}
}

// An escalation name with no destination would "escalate" to nobody: the
// config is refused, naming the line and how to fix it, unless the name is
// listed as record-only on purpose.
func TestEscalationMustReachSomeone(t *testing.T) {
	paths := Paths{ConfigDir: t.TempDir(), DataDir: t.TempDir()}
	p := writeConfig(t, "user = \"ann\"\n\nescalation = [\"support\", \"legal\"]\n[[destination]]\nname = \"support\"\ncommand = \"cat\"\n")
	_, err := loadConfig(p, true, paths)
	if err == nil || !strings.Contains(err.Error(), "config.toml:3: escalation \"legal\" reaches nobody") ||
		!strings.Contains(err.Error(), "[[destination]]") || !strings.Contains(err.Error(), "record_only = [\"legal\"]") {
		t.Fatalf("escalation without destination: %v", err)
	}
	p = writeConfig(t, "escalation = [\"legal\"]\nrecord_only = [\"legal\"]\n")
	if _, err := loadConfig(p, true, paths); err != nil {
		t.Fatalf("record_only is a valid choice: %v", err)
	}
	p = writeConfig(t, "escalation = [\"legal\"]\nrecord_only = [\"pr\"]\n")
	if _, err := loadConfig(p, true, paths); err == nil || !strings.Contains(err.Error(), "record_only names \"pr\"") {
		t.Fatalf("record_only of an unknown name: %v", err)
	}
	p = writeConfig(t, "send_hold = \"soon\"\n")
	if _, err := loadConfig(p, true, paths); err == nil || !strings.Contains(err.Error(), "config.toml:1: send_hold") {
		t.Fatalf("bad send_hold: %v", err)
	}
	cfg, err := loadConfig(filepath.Join(t.TempDir(), "none.toml"), false, paths)
	if err != nil || cfg.sendHold != 10*time.Second || len(cfg.RecordOnly) != 3 {
		t.Fatalf("defaults: hold %v record-only %v %v", cfg.sendHold, cfg.RecordOnly, err)
	}
}
