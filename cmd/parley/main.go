// Command parley is a keyboard-driven terminal community inbox.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"syscall"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/inbox/negativity"
	"github.com/parleyhq/parley/inbox/rules"
	"github.com/parleyhq/parley/inbox/sqlite"
	psync "github.com/parleyhq/parley/sync"
	_ "github.com/parleyhq/parley/sync/demo"     // registers the demo networks
	_ "github.com/parleyhq/parley/sync/facebook" // registers facebook (Page comments; more to come)
	_ "github.com/parleyhq/parley/sync/mastodon" // registers mastodon
	"github.com/parleyhq/parley/tui"
)

// version is set at release time with -ldflags "-X main.version=…".
var version = "dev"

const usage = `parley — a keyboard-driven terminal community inbox

Usage:
  parley [flags]              open the inbox for the configured accounts
  parley demo [flags]         open a demo workspace (no credentials needed)
  parley sync --once [flags]  fetch every account once and deliver the outbox
  parley serve [flags]        serve the inbox over SSH (--listen :2222, --demo,
                              --authorized-keys PATH)
  parley connect mastodon URL connect a Mastodon (or compatible) account
                              (--token-file F, --token-env VAR, --label L)
  parley accounts [remove L]  list accounts and their sync state; remove one
  parley classify             score text from stdin (a line each, or JSON lines with
                              "text" and "rating"): one JSON verdict per line
  parley rules check|test|undo  validate ~/.config/parley/rules.toml (line of any error);
                              try it on history without changing anything
                              (--since 30d); undo the rules' last action
  parley stats [--since 30d] [--json|--csv]
                              volume, negativity, response rate, first-response times
  parley version              print the version

Flags (every command):
  --db PATH       database file (default ~/.local/share/parley/parley.db)
  --config PATH   config file (default ~/.config/parley/config.toml)

Demo flags:
  --rate N        new messages per minute across the demo networks (default 6)
  --seed N        demo content seed (default 1)
  --generate N    fill the database with N conversations (3 messages each) and exit

Press ? inside parley for every key.
`

func main() {
	// A soft ceiling: the GC works harder before the TUI grows past it,
	// instead of letting the heap double after a big filter or search.
	debug.SetMemoryLimit(64 << 20)
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "parley:", err)
		os.Exit(1)
	}
}

type common struct {
	db, config string
	paths      Paths
	cfg        *Config
}

func (c *common) flags(fs *flag.FlagSet) {
	fs.StringVar(&c.db, "db", "", "database file")
	fs.StringVar(&c.config, "config", "", "config file")
}

func (c *common) load(defaultDB string) error {
	c.paths = defaultPaths()
	path, explicit := c.config, c.config != ""
	if !explicit {
		path = filepath.Join(c.paths.ConfigDir, "config.toml")
	}
	cfg, err := loadConfig(path, explicit, c.paths)
	if err != nil {
		return err
	}
	c.cfg = cfg
	if c.db == "" {
		c.db = cfg.DB
	}
	if c.db == "" {
		c.db = filepath.Join(c.paths.DataDir, defaultDB)
	}
	return nil
}

// openStore loads the config and opens the database, for commands that
// read or change the inbox without syncing.
func (c *common) openStore() (*sqlite.Store, error) {
	if err := c.load("parley.db"); err != nil {
		return nil, err
	}
	return sqlite.Open(context.Background(), c.db)
}

func run(args []string, stdout, stderr io.Writer) error {
	cmd := ""
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "--version") {
		cmd, args = args[0], args[1:]
	} else if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "", "tui":
		return runTUI(args, false, stdout)
	case "demo":
		return runTUI(args, true, stdout)
	case "sync":
		return runSync(args, stdout)
	case "serve":
		return runServe(args, stdout)
	case "connect":
		return runConnect(args, os.Stdin, stdout)
	case "accounts":
		return runAccounts(args, stdout)
	case "classify":
		return runClassify(args, os.Stdin, stdout)
	case "rules":
		return runRules(args, stdout)
	case "stats":
		return runStats(args, stdout)
	case "version", "--version":
		fmt.Fprintln(stdout, "parley", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q\n\n%s", cmd, usage)
}

// openLog sends engine logs to a private file: the terminal belongs to the TUI.
func openLog(dir string) (*slog.Logger, func(), error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, err
	}
	f, err := os.OpenFile(filepath.Join(dir, "parley.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, nil, err
	}
	return slog.New(slog.NewTextHandler(f, nil)), func() { f.Close() }, nil
}

type workspace struct {
	svc        *inbox.Service
	engine     *psync.Engine
	cfg        *Config
	repliesDir string
	close      func()
}

// start runs the sync engine (with the outbox worker) and snooze wake-ups
// in the background; stop cancels them and waits until the outbox has
// recorded whatever was in flight.
func (ws *workspace) start() (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); ws.engine.Run(ctx) }()
	go ws.svc.RunMaintenance(ctx, 30*time.Second)
	return func() { cancel(); <-done }
}

// open builds the store, service and engine for the configured accounts
// (or the demo ones).
func open(ctx context.Context, c *common, demoOpts *demoOptions) (*workspace, error) {
	st, err := sqlite.Open(ctx, c.db)
	if err != nil {
		return nil, err
	}
	dests, err := deliverers(c.cfg)
	if err != nil {
		st.Close()
		return nil, err
	}
	svc := inbox.NewService(st, inbox.Options{ReplyMarksDone: *c.cfg.ReplyMarksDone, Detector: negativity.New(c.cfg.Words),
		Rules:       rules.Watch(c.cfg.Rules, c.cfg.Escalation).Current,
		Deliverable: func(d string) bool { _, ok := dests[d]; return ok },
		SLA:         c.cfg.slaPolicy})
	log, closeLog, err := openLog(filepath.Dir(c.db))
	if err != nil {
		st.Close()
		return nil, err
	}
	eng := psync.NewEngine(svc, log)
	eng.Worker.Destinations = dests
	svc.SetModeration(eng.Moderation)
	svc.SetReplyWindows(eng.ReplyWindow)
	accounts := c.cfg.Accounts
	if demoOpts != nil {
		accounts = demoAccounts(*demoOpts)
	}
	for _, ac := range accounts {
		conn, err := psync.New(psync.AccountConfig{Network: ac.Network, Label: ac.Label, Options: ac.Options})
		if err != nil {
			st.Close()
			closeLog()
			return nil, fmt.Errorf("%s: %w", c.cfg.path, err)
		}
		acc, err := svc.AddAccount(ctx, inbox.Account{Network: ac.Network, Label: ac.Label})
		if err != nil {
			st.Close()
			closeLog()
			return nil, err
		}
		eng.Add(psync.Account{Account: acc, Conn: conn})
	}
	ws := &workspace{svc: svc, engine: eng, cfg: c.cfg, repliesDir: c.cfg.RepliesDir, close: func() { st.Close(); closeLog() }}
	if demoOpts != nil {
		ws.repliesDir = demoReplies(ws.repliesDir, c.paths.DataDir)
	}
	return ws, nil
}

func runTUI(args []string, demo bool, stdout io.Writer) error {
	var c common
	name := "parley"
	if demo {
		name = "parley demo"
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	c.flags(fs)
	var d demoOptions
	if demo {
		fs.Float64Var(&d.rate, "rate", 6, "new messages per minute")
		fs.Uint64Var(&d.seed, "seed", 1, "demo content seed")
		fs.IntVar(&d.generate, "generate", 0, "fill the database with N conversations and exit")
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	dbName := "parley.db"
	if demo {
		dbName = "demo.db"
	}
	if err := c.load(dbName); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if demo && d.generate > 0 {
		return generate(ctx, c.db, d.seed, d.generate, stdout)
	}
	var dp *demoOptions
	if demo {
		dp = &d
	}
	ws, err := open(ctx, &c, dp)
	if err != nil {
		return err
	}
	defer ws.close()
	stopEngine := ws.start()
	defer stopEngine()

	editor := os.Getenv("VISUAL")
	if editor == "" {
		editor = os.Getenv("EDITOR")
	}
	if editor == "" {
		editor = "vi"
	}
	m, err := tui.New(tui.Options{Service: ws.svc, User: c.cfg.User, Destinations: c.cfg.Escalation,
		RepliesDir: ws.repliesDir, Keys: c.cfg.Keys, Editor: editor, Context: ctx})
	if err != nil {
		return fmt.Errorf("%s: %w", c.cfg.path, err)
	}
	_, err = tea.NewProgram(m, tea.WithContext(ctx)).Run()
	if err != nil && !errors.Is(err, tea.ErrProgramKilled) && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

func runSync(args []string, stdout io.Writer) error {
	var c common
	fs := flag.NewFlagSet("parley sync", flag.ContinueOnError)
	c.flags(fs)
	once := fs.Bool("once", false, "fetch every account until caught up, deliver the outbox, then exit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !*once {
		return fmt.Errorf("sync: only --once is supported; plain parley syncs in the background")
	}
	if err := c.load("parley.db"); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ws, err := open(ctx, &c, nil)
	if err != nil {
		return err
	}
	defer ws.close()
	if len(c.cfg.Accounts) == 0 {
		fmt.Fprintf(stdout, "no accounts in %s; nothing to sync\n", c.cfg.path)
		return nil
	}
	ws.engine.Once = true
	ws.engine.Progress = func(a inbox.Account, msg string) { fmt.Fprintf(stdout, "%s: %s\n", a.Label, msg) }
	err = ws.engine.Run(ctx)
	accs, _ := ws.svc.Accounts(ctx)
	for _, a := range accs {
		line := fmt.Sprintf("%-30s %-16s %s", a.Label, a.Network, a.Status)
		if a.LastError != "" {
			line += ": " + a.LastError
		}
		fmt.Fprintln(stdout, line)
	}
	return err
}

// deliverers builds the escalation deliveries the config names.
func deliverers(cfg *Config) (map[string]psync.Deliverer, error) {
	out := map[string]psync.Deliverer{}
	for _, d := range cfg.Destinations {
		switch {
		case d.Webhook != "":
			out[d.Name] = psync.Webhook{URL: d.Webhook}
		case d.Command != "":
			out[d.Name] = psync.Command{Cmd: d.Command}
		case len(d.Email) > 0:
			s := cfg.SMTP
			pw, err := psync.TokenSource("smtp", map[string]any{"token_file": s.PasswordFile, "token_env": s.PasswordEnv, "token_cmd": s.PasswordCmd})
			if err != nil && s.Username != "" {
				return nil, fmt.Errorf("%s: [smtp]: %w", cfg.path, err)
			}
			starttls := s.StartTLS == nil || *s.StartTLS
			out[d.Name] = psync.Email{To: d.Email, Server: psync.SMTP{Host: s.Host, Port: s.Port, Username: s.Username,
				Password: pw, From: s.From, StartTLS: starttls}}
		}
	}
	return out, nil
}
