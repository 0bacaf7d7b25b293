package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// Every command answers -h and --help on stdout with exit status 0.
func TestEveryCommandHasHelp(t *testing.T) {
	var paths [][]string
	var walk func(c *cobra.Command, path []string)
	walk = func(c *cobra.Command, path []string) {
		paths = append(paths, path)
		for _, sub := range c.Commands() {
			walk(sub, append(append([]string{}, path...), sub.Name()))
		}
	}
	walk(newRoot(nil, nil, nil), nil)
	if len(paths) < 15 {
		t.Fatalf("only %d commands found", len(paths))
	}
	for _, p := range paths {
		for _, flag := range []string{"--help", "-h"} {
			var out, errOut bytes.Buffer
			err := runWith(append(append([]string{}, p...), flag), strings.NewReader(""), &out, &errOut)
			if err != nil || !strings.Contains(out.String(), "Usage:") || errOut.Len() != 0 {
				t.Errorf("parley %s %s: err %v, stdout %q, stderr %q", strings.Join(p, " "), flag, err, out.String(), errOut.String())
			}
		}
	}
}

func TestRootHelpListsEveryCommand(t *testing.T) {
	var out bytes.Buffer
	if err := run([]string{"--help"}, &out, &out); err != nil {
		t.Fatal(err)
	}
	want := []string{"demo", "sync", "serve", "accounts remove LABEL", "classify", "rules check", "rules test", "rules undo",
		"stats", "version", "completion", "man"}
	for _, n := range connectorNames() {
		want = append(want, "connect "+n)
	}
	for _, w := range want {
		if !strings.Contains(out.String(), "\n  "+w+" ") {
			t.Errorf("parley --help does not list %q:\n%s", w, out.String())
		}
	}
}

func TestUnknownCommandsAndFlagsSuggest(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"conect"}, `unknown command "conect" for "parley"; did you mean "parley connect"?`},
		{[]string{"connect", "facebok"}, `did you mean "parley connect facebook"?`},
		{[]string{"connect", "myspace"}, `(one of: bluesky, facebook, google-reviews, instagram, mastodon, ok, telegram, vk, x, youtube)`},
		{[]string{"rules", "tst"}, `did you mean "parley rules test"?`},
		{[]string{"stats", "--sinc", "3d"}, "unknown flag: --sinc; did you mean --since?"},
		{[]string{"connect", "mastodon", "x", "--token-fil", "f"}, "did you mean --token-file?"},
		{[]string{"--dbb", "x"}, "did you mean --db?"},
		{[]string{"sync", "now"}, `"parley sync" takes no arguments`},
	}
	for _, c := range cases {
		var out bytes.Buffer
		err := runWith(c.args, strings.NewReader(""), &out, &out)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("parley %v: %v, want %q", c.args, err, c.want)
		}
	}
}

func TestVersionFlag(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"version"}} {
		var out bytes.Buffer
		if err := run(args, &out, &out); err != nil || out.String() != "parley "+version+"\n" {
			t.Errorf("%v: %q %v", args, out.String(), err)
		}
	}
}

func TestCompletionsAndManPage(t *testing.T) {
	for shell, want := range map[string]string{"bash": "# bash completion V2 for parley", "zsh": "#compdef parley", "fish": "complete -c parley"} {
		var out bytes.Buffer
		if err := run([]string{"completion", shell}, &out, &out); err != nil || !strings.Contains(out.String(), want) {
			t.Errorf("completion %s: %v\n%.200s", shell, err, out.String())
		}
	}
	var out bytes.Buffer
	if err := run([]string{"man"}, &out, &out); err != nil || !strings.Contains(out.String(), `.TH "PARLEY" "1"`) || !strings.Contains(out.String(), "parley-connect(1)") {
		t.Fatalf("man: %v\n%.500s", err, out.String())
	}
	dir := t.TempDir()
	if err := run([]string{"man", "--dir", dir}, &out, &out); err != nil {
		t.Fatal(err)
	}
	for _, page := range []string{"parley.1", "parley-connect-facebook.1", "parley-rules-test.1", "parley-serve.1"} {
		if _, err := os.Stat(filepath.Join(dir, page)); err != nil {
			t.Errorf("man --dir: %v", err)
		}
	}
}
