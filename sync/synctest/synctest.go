// Package synctest is what connector tests share: an inbox on a temporary
// database with one account, a run of the engine over it as
// `parley sync --once` does, and a look at the conversations it stored.
package synctest

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/inbox/sqlite"
	psync "github.com/parleyhq/parley/sync"
)

// Inbox is a service over a fresh store with one account.
type Inbox struct {
	Svc *inbox.Service
	Acc inbox.Account
	Log *bytes.Buffer // what the engine logged (check it for leaked secrets)
}

// New opens the store and adds the account.
func New(t testing.TB, network, label string) *Inbox {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc := inbox.NewService(st, inbox.Options{ReplyMarksDone: true})
	acc, err := svc.AddAccount(context.Background(), inbox.Account{Network: network, Label: label})
	if err != nil {
		t.Fatal(err)
	}
	return &Inbox{Svc: svc, Acc: acc, Log: &bytes.Buffer{}}
}

// Sync runs the engine once over the account with its stored cursor.
func (in *Inbox) Sync(conn psync.Connector) error {
	accs, _ := in.Svc.Accounts(context.Background())
	eng := psync.NewEngine(in.Svc, slog.New(slog.NewTextHandler(in.Log, nil)))
	eng.Once = true
	for _, a := range accs {
		if a.ID == in.Acc.ID {
			eng.Add(psync.Account{Account: a, Conn: conn})
		}
	}
	return eng.Run(context.Background())
}

// Threads returns every stored conversation, opened, by external id.
func (in *Inbox) Threads(t testing.TB) map[string]inbox.Thread {
	t.Helper()
	cs, err := in.Svc.List(context.Background(), inbox.Page{View: inbox.ViewAll, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]inbox.Thread{}
	for _, c := range cs {
		th, _ := in.Svc.Open(context.Background(), c.ID)
		out[c.ExternalID] = th
	}
	return out
}
