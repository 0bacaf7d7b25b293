package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/parleyhq/parley/server"
	psync "github.com/parleyhq/parley/sync"
)

// startWebhooks starts the [webhooks] receiver, if configured, before the
// engine starts, so the facebook and instagram accounts stream from it
// instead of only polling. It returns how to stop it.
func startWebhooks(c *common, ws *workspace, stdout io.Writer) (func(), error) {
	w := c.cfg.Webhooks
	if w.Listen == "" {
		return func() {}, nil
	}
	verify := strings.TrimSpace(os.Getenv(w.VerifyTokenEnv))
	if w.VerifyTokenFile != "" {
		var err error
		if verify, err = psync.ReadSecretFile(w.VerifyTokenFile); err != nil {
			return nil, fmt.Errorf("[webhooks] verify_token_file: %w", err)
		}
	}
	if verify == "" {
		return nil, fmt.Errorf("[webhooks]: the verify token is empty (verify_token_env %s unset?)", w.VerifyTokenEnv)
	}
	secrets, err := c.cfg.metaSecrets()
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle(w.Path, &server.MetaWebhooks{VerifyToken: verify, AppSecrets: secrets, Push: psync.Webhooks.Publish, Log: ws.log})
	l, err := net.Listen("tcp", w.Listen)
	if err != nil {
		return nil, fmt.Errorf("[webhooks] listen %s: %w", w.Listen, err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second}
	psync.Webhooks.Listen()
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			ws.log.Error("webhook receiver stopped", "err", err)
		}
	}()
	fmt.Fprintf(stdout, "receiving Meta webhooks on %s%s (put your HTTPS reverse proxy in front)\n", l.Addr(), w.Path)
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}, nil
}
