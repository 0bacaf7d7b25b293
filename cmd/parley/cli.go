package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
	"github.com/spf13/pflag"
)

// The command line is spf13/cobra: help on every command (-h/--help, to
// stdout, exit 0), "did you mean" for commands and flags, --version, and
// shell completions and man pages generated from the same command tree, so
// a new command or connect network shows up everywhere without more code.

// newRoot builds the whole command tree for one run.
func newRoot(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	c := &common{}
	root := &cobra.Command{
		Use:   "parley",
		Short: "a keyboard-driven terminal community inbox",
		Long: "parley — a keyboard-driven terminal community inbox.\n\n" +
			"Without a command it opens the inbox for the accounts in the config.\n" +
			"Press ? inside parley for every key.",
		Version:       version,
		Args:          noArgs,
		SilenceErrors: true,
		SilenceUsage:  true,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runTUI(c, nil, cmd.OutOrStdout())
		},
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetVersionTemplate("parley {{.Version}}\n")
	root.SetFlagErrorFunc(flagError)
	pf := root.PersistentFlags()
	pf.StringVar(&c.db, "db", "", "database file (default ~/.local/share/parley/parley.db)")
	pf.StringVar(&c.config, "config", "", "config file (default ~/.config/parley/config.toml)")

	root.AddCommand(
		&cobra.Command{Use: "tui", Hidden: true, Args: noArgs, RunE: root.RunE},
		demoCmd(c), syncCmd(c), serveCmd(c), connectCmd(c), accountsCmd(c),
		classifyCmd(c), rulesCmd(c), statsCmd(c), versionCmd(), licensesCmd(), manCmd(root),
	)
	root.InitDefaultCompletionCmd()
	if comp, _, err := root.Find([]string{"completion"}); err == nil && comp != root {
		comp.Short = "print the shell completion script (bash, zsh, fish, powershell)"
	}
	root.SetUsageTemplate("{{if .HasParent}}" + root.UsageTemplate() + "{{else}}" + rootUsage + "{{end}}")
	return root
}

// rootUsage lists every command, nested ones too (connect facebook, rules
// test), so `parley --help` is the whole map.
const rootUsage = `Usage:
  parley [flags]
  parley [command]

Commands:{{range allCommands .}}
  {{rpad .Path 26}} {{.Short}}{{end}}

Flags:
{{.LocalFlags.FlagUsages | trimTrailingWhitespaces}}

Use "parley [command] --help" for more about a command.
`

type commandLine struct{ Path, Short string }

func init() { cobra.AddTemplateFunc("allCommands", allCommands) }

func allCommands(root *cobra.Command) []commandLine {
	var out []commandLine
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			if !sub.IsAvailableCommand() {
				continue
			}
			path := strings.TrimPrefix(sub.CommandPath(), root.Name()+" ")
			if use := strings.TrimPrefix(sub.Use, sub.Name()); use != "" {
				path += use
			}
			out = append(out, commandLine{path, sub.Short})
			if sub.Name() != "completion" { // one line says it: SHELL is in its help
				walk(sub)
			}
		}
	}
	walk(root)
	return out
}

// noArgs refuses arguments to a command that takes none, suggesting a
// subcommand when one is close.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	return unknownCommand(cmd, args[0])
}

func unknownCommand(cmd *cobra.Command, name string) error {
	msg := fmt.Sprintf("unknown command %q for %q", name, cmd.CommandPath())
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2
	}
	if s := cmd.SuggestionsFor(name); len(s) > 0 {
		msg += fmt.Sprintf("; did you mean %q?", cmd.CommandPath()+" "+s[0])
	} else if cmd.HasAvailableSubCommands() {
		var names []string
		for _, sub := range cmd.Commands() {
			if sub.IsAvailableCommand() {
				names = append(names, sub.Name())
			}
		}
		msg += " (one of: " + strings.Join(names, ", ") + ")"
	} else {
		msg = fmt.Sprintf("%q takes no arguments (got %q)", cmd.CommandPath(), name)
	}
	return fmt.Errorf("%s\nRun '%s --help' for usage.", msg, cmd.CommandPath())
}

// group is a command that only holds others: alone it prints its help,
// with an unknown word it says so and suggests the closest.
func group(cmd *cobra.Command) *cobra.Command {
	cmd.Args = cobra.ArbitraryArgs
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return cmd.Help()
		}
		return unknownCommand(cmd, args[0])
	}
	return cmd
}

var flagName = regexp.MustCompile(`unknown (?:shorthand )?flag: (?:'(.)' in -\S+|--?([^\s=]+))`)

// flagError names the unknown flag and the closest one the command has.
func flagError(cmd *cobra.Command, err error) error {
	m := flagName.FindStringSubmatch(err.Error())
	if m == nil {
		return fmt.Errorf("%w\nRun '%s --help' for usage.", err, cmd.CommandPath())
	}
	name := m[1] + m[2]
	best, bestD := "", 3
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		if d := editDistance(name, f.Name); d < bestD || (strings.HasPrefix(f.Name, name) && len(name) > 1 && bestD > 1) {
			best, bestD = f.Name, min(d, 1)
		}
	})
	if best != "" {
		return fmt.Errorf("%v; did you mean --%s?\nRun '%s --help' for usage.", err, best, cmd.CommandPath())
	}
	return fmt.Errorf("%w\nRun '%s --help' for usage.", err, cmd.CommandPath())
}

// editDistance is the Levenshtein distance, for "did you mean".
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

func versionCmd() *cobra.Command {
	return &cobra.Command{Use: "version", Short: "print the version", Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			fmt.Fprintln(cmd.OutOrStdout(), "parley", version)
			return nil
		}}
}

// manCmd writes parley(1) to stdout, or with --dir one page per command
// (parley.1, parley-connect-mastodon.1, …) as packages ship them.
func manCmd(root *cobra.Command) *cobra.Command {
	var dir string
	cmd := &cobra.Command{Use: "man", Short: "print the man page (--dir DIR: one page per command)", Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			root.DisableAutoGenTag = true
			header := &doc.GenManHeader{Title: "PARLEY", Section: "1", Source: "parley " + version, Manual: "parley manual"}
			if dir == "" {
				return doc.GenMan(root, header, cmd.OutOrStdout())
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			if err := doc.GenManTree(root, header, dir); err != nil {
				return err
			}
			pages, _ := filepath.Glob(filepath.Join(dir, "*.1"))
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %d man pages to %s\n", len(pages), dir)
			return nil
		}}
	cmd.Flags().StringVar(&dir, "dir", "", "write one page per command into this directory")
	return cmd
}

// run executes one command line; main and the tests use it.
func run(args []string, stdout, stderr io.Writer) error {
	return runWith(args, os.Stdin, stdout, stderr)
}

func runWith(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return runContext(context.Background(), args, stdin, stdout, stderr)
}

// runContext is runWith under a context a test can cancel (parley serve).
func runContext(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	root := newRoot(stdin, stdout, stderr)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err != nil && errors.Is(err, pflag.ErrHelp) {
		return nil
	}
	return err
}
