package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/tui"
)

type serveOptions struct {
	listen, keys string
	demo         bool
	d            demoOptions
}

// serveCmd is `parley serve`: one engine for every account, one program per
// SSH session. SIGTERM or SIGINT shuts it down gracefully.
func serveCmd(c *common) *cobra.Command {
	var o serveOptions
	cmd := &cobra.Command{Use: "serve", Short: "serve the inbox over SSH to the managers in authorized_keys", Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runServe(cmd.Context(), c, o, cmd.OutOrStdout()) }}
	fs := cmd.Flags()
	fs.StringVar(&o.listen, "listen", "", "address to listen on (default :2222, or [serve] listen)")
	fs.StringVar(&o.keys, "authorized-keys", "", "allow-list in authorized_keys format (default ~/.config/parley/authorized_keys)")
	fs.BoolVar(&o.demo, "demo", false, "serve the built-in demo workspace")
	fs.Float64Var(&o.d.rate, "rate", 6, "demo: new messages per minute")
	fs.Uint64Var(&o.d.seed, "seed", 1, "demo: content seed")
	return cmd
}

func runServe(ctx context.Context, c *common, o serveOptions, stdout io.Writer) error {
	setMemoryLimit(true)
	dbName := "parley.db"
	if o.demo {
		dbName = "demo.db"
	}
	if err := c.load(dbName); err != nil {
		return err
	}
	if o.listen != "" {
		c.cfg.Serve.Listen = o.listen
	}
	if o.keys != "" {
		c.cfg.Serve.AuthorizedKeys = o.keys
	}
	idle, _ := time.ParseDuration(c.cfg.Serve.IdleTimeout)

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	var dp *demoOptions
	if o.demo {
		dp = &o.d
	}
	ws, err := open(ctx, c, dp)
	if err != nil {
		return err
	}
	defer ws.close()
	stopWebhooks, err := startWebhooks(c, ws, stdout)
	if err != nil {
		return err
	}
	defer stopWebhooks()
	stopEngine := ws.start()
	defer stopEngine()

	srv, err := server.New(server.Config{
		Listen:            c.cfg.Serve.Listen,
		HostKeyPath:       filepath.Join(filepath.Dir(c.db), "ssh_host_ed25519"),
		AuthorizedKeys:    c.cfg.Serve.AuthorizedKeys,
		Names:             c.cfg.Serve.Names,
		IdleTimeout:       idle,
		Log:               ws.log,
		MaxSessionsPerKey: c.cfg.Serve.MaxSessions,
		TUI:               tui.Options{Service: ws.svc, Destinations: c.cfg.Escalation, Managers: c.cfg.Managers(), RepliesDir: ws.repliesDir, Keys: c.cfg.Keys, Networks: connectorNames()},
	})
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", c.cfg.Serve.Listen)
	if err != nil {
		return fmt.Errorf("listen %s: %w", c.cfg.Serve.Listen, err)
	}
	fmt.Fprintf(stdout, "parley serving %s on %s (allowed keys: %s)\n", c.db, l.Addr(), c.cfg.Serve.AuthorizedKeys)
	fmt.Fprintf(stdout, "host key %s — check it matches what ssh shows on the first connection\n", srv.HostKeyFingerprint())
	fmt.Fprintf(stdout, "logins, logouts and refused attempts are logged to %s\n", filepath.Join(filepath.Dir(c.db), "parley.log"))
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(l) }()
	select {
	case err := <-serveErr:
		return err
	case <-ctx.Done():
	}
	fmt.Fprintln(stdout, "shutting down: telling sessions, saving drafts…")
	shutCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = srv.Shutdown(shutCtx)
	// Stop syncing last: the outbox worker records what was in flight.
	stopEngine()
	return err
}
