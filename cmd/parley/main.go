// Command parley is a keyboard-driven terminal community inbox.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/spf13/cobra"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/inbox/negativity"
	"github.com/parleyhq/parley/inbox/rules"
	"github.com/parleyhq/parley/inbox/sqlite"
	"github.com/parleyhq/parley/server"
	psync "github.com/parleyhq/parley/sync"
	_ "github.com/parleyhq/parley/sync/bluesky"  // registers bluesky
	_ "github.com/parleyhq/parley/sync/demo"     // registers the demo networks
	_ "github.com/parleyhq/parley/sync/facebook" // registers facebook (Page comments; more to come)
	_ "github.com/parleyhq/parley/sync/googlereviews"
	_ "github.com/parleyhq/parley/sync/mastodon" // registers mastodon
	_ "github.com/parleyhq/parley/sync/ok"       // registers ok
	_ "github.com/parleyhq/parley/sync/telegram" // registers telegram
	_ "github.com/parleyhq/parley/sync/vk"       // registers vk
	_ "github.com/parleyhq/parley/sync/x"        // registers x
	_ "github.com/parleyhq/parley/sync/youtube"
	"github.com/parleyhq/parley/tui"
)

// version is set at release time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	setMemoryLimit(false)
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
	source := "--db"
	if c.db == "" && cfg.DB != "" {
		c.db, source = cfg.DB, cfg.path+": db"
	}
	if c.db == "" {
		// The default place is parley's own: create it as needed.
		c.db = filepath.Join(c.paths.DataDir, defaultDB)
		return nil
	}
	// A path the user chose is taken as written: a mistyped directory is
	// refused rather than created (the inbox would seem empty).
	dir := filepath.Dir(c.db)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return fmt.Errorf("%s %s: the directory %s does not exist; create it first (mkdir -p %s) or choose another path", source, c.db, dir, dir)
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
	log        *slog.Logger
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
		SLA:         c.cfg.slaPolicy, SendHold: c.cfg.sendHold})
	log, closeLog, err := openLog(filepath.Dir(c.db))
	if err != nil {
		st.Close()
		return nil, err
	}
	eng := psync.NewEngine(svc, log)
	eng.Worker.Destinations = dests
	svc.SetModeration(eng.Moderation)
	svc.SetLimits(eng.Limit)
	svc.SetReplyWindows(eng.ReplyWindow)
	svc.SetFeeds(eng.FillFeed)
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
	ws := &workspace{log: log, svc: svc, engine: eng, cfg: c.cfg, repliesDir: c.cfg.RepliesDir, close: func() { st.Close(); closeLog() }}
	if demoOpts != nil {
		ws.repliesDir = demoReplies(ws.repliesDir, c.paths.DataDir)
	}
	return ws, nil
}

// demoCmd is `parley demo`: the inbox over built-in simulated networks.
func demoCmd(c *common) *cobra.Command {
	var d demoOptions
	cmd := &cobra.Command{Use: "demo", Short: "open a demo workspace (no credentials needed)", Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runTUI(c, &d, cmd.OutOrStdout()) }}
	cmd.Flags().Float64Var(&d.rate, "rate", 6, "new messages per minute across the demo networks")
	cmd.Flags().Uint64Var(&d.seed, "seed", 1, "demo content seed")
	cmd.Flags().IntVar(&d.generate, "generate", 0, "fill the database with N conversations (3 messages each) and exit")
	return cmd
}

// runTUI opens the inbox on this terminal: the configured accounts, or the
// demo ones when demo is set.
func runTUI(c *common, demo *demoOptions, stdout io.Writer) error {
	dbName := "parley.db"
	if demo != nil {
		dbName = "demo.db"
	}
	if err := c.load(dbName); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if demo != nil && demo.generate > 0 {
		return generate(ctx, c.db, demo.seed, demo.generate, stdout)
	}
	ws, err := open(ctx, c, demo)
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
	managers := append(c.cfg.Managers(), server.Managers(c.cfg.Serve.AuthorizedKeys, c.cfg.Serve.Names)...)
	who, whoNote := tuiUser(c.cfg)
	m, err := tui.New(tui.Options{Service: ws.svc, User: who, UserNote: whoNote, Destinations: c.cfg.Escalation, Managers: managers,
		RepliesDir: ws.repliesDir, Keys: c.cfg.Keys, Editor: editor, Context: ctx, Networks: connectorNames()})
	if err != nil {
		return fmt.Errorf("%s: %w", c.cfg.path, err)
	}
	_, err = tea.NewProgram(m, tea.WithContext(ctx)).Run()
	if err != nil && !errors.Is(err, tea.ErrProgramKilled) && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// syncCmd is `parley sync --once`, for cron and scripts.
func syncCmd(c *common) *cobra.Command {
	var once bool
	cmd := &cobra.Command{Use: "sync", Short: "fetch every account once and deliver the outbox (--once)", Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !once {
				return fmt.Errorf("sync: only --once is supported; plain parley syncs in the background")
			}
			return runSync(c, cmd.OutOrStdout())
		}}
	cmd.Flags().BoolVar(&once, "once", false, "fetch every account until caught up, deliver the outbox, then exit")
	return cmd
}

func runSync(c *common, stdout io.Writer) error {
	if err := c.load("parley.db"); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ws, err := open(ctx, c, nil)
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
