package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/inbox/negativity"
	"github.com/parleyhq/parley/inbox/sqlite"
	"github.com/parleyhq/parley/sync/demo"
)

// generate fills a database with n demo conversations through the same store
// path the sync engine uses, for benchmarks and load trials.
func generate(ctx context.Context, path string, seed uint64, n int, out io.Writer) error {
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		return err
	}
	defer st.Close()
	svc := inbox.NewService(st, inbox.Options{Detector: negativity.New("")})
	var ids []int64
	for _, f := range demo.Flavors {
		a, err := svc.AddAccount(ctx, inbox.Account{Network: f.Network, Label: f.Label})
		if err != nil {
			return err
		}
		ids = append(ids, a.ID)
	}
	start := time.Now()
	msgs := 0
	err = demo.Generate(seed, n, time.Now(), func(flavor int, b inbox.Batch) error {
		msgs += len(b.Items)
		if err := svc.Ingest(ctx, ids[flavor], b); err != nil {
			return err
		}
		if msgs%300000 < len(b.Items) {
			fmt.Fprintf(out, "%d messages…\n", msgs)
		}
		return ctx.Err()
	})
	if err != nil {
		return err
	}
	el := time.Since(start)
	if err := st.MarkAnsweredDone(ctx); err != nil {
		return err
	}
	fmt.Fprintf(out, "generated %d conversations, %d messages in %s (%.0f messages/s) into %s\n",
		n, msgs, el.Round(time.Second), float64(msgs)/el.Seconds(), path)
	return nil
}
