// Package sqlite is parley's store: one SQLite file (pure Go driver), WAL,
// one writer connection with IMMEDIATE transactions, a pool of readers,
// embedded migrations and an FTS5 index.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	gosync "sync"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/parleyhq/parley/inbox"
)

// Store implements inbox.Store.
type Store struct {
	w *sql.DB // the one writer
	r *sql.DB // readers

	mu    gosync.Mutex
	stmts map[string]*sql.Stmt // hot writer statements, parsed once
	due   inbox.DuePolicy
}

// SetDuePolicy implements inbox.Store.
func (s *Store) SetDuePolicy(p inbox.DuePolicy) { s.due = p }

// dueAt applies the policy; 0 when there is none or nobody waits.
func (s *Store) dueAt(acc int64, waitSince, lastIn int64, needsReply, negative bool, kind string) int64 {
	if s.due == nil || !needsReply || waitSince == 0 {
		return 0
	}
	return ms(s.due(acc, fromMS(waitSince), fromMS(lastIn), negative, kind == string(inbox.KindDM)))
}

var _ inbox.Store = (*Store)(nil)

func dsn(path string, write bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	if write {
		q.Set("_txlock", "immediate")
		// Checkpoint the WAL every ~40 MB instead of every 4 MB: a big
		// ingest then spends less of each commit copying pages back.
		q.Add("_pragma", "wal_autocheckpoint(10000)")
	} else {
		q.Add("_pragma", "query_only(1)")
	}
	return "file:" + path + "?" + q.Encode()
}

// Open opens (creating if needed) the database at path and migrates it.
func Open(ctx context.Context, path string) (*Store, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("create data directory %s: %w", dir, err)
		}
	}
	// The file holds customers' messages: create it private, so the WAL and
	// shared-memory files SQLite makes beside it inherit 0600 too.
	if err := ensurePrivate(path); err != nil {
		return nil, err
	}
	w, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := migrate(ctx, w, path); err != nil {
		w.Close()
		return nil, err
	}
	st := &Store{w: w}
	if err := st.prepareHot(ctx); err != nil {
		w.Close()
		return nil, err
	}
	r, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		st.Close()
		return nil, err
	}
	r.SetMaxOpenConns(4)
	st.r = r
	return st, nil
}

func ensurePrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	f.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(p, 0o600); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("make %s private: %w", p, err)
		}
	}
	return nil
}

// Close closes both pools.
func (s *Store) Close() error {
	s.mu.Lock()
	for _, st := range s.stmts {
		st.Close()
	}
	s.stmts = nil
	s.mu.Unlock()
	var rerr error
	if s.r != nil {
		rerr = s.r.Close()
	}
	return errors.Join(rerr, s.w.Close())
}

// hotStatements are parsed once when the store opens; preparing them later
// would wait for the one writer connection while a transaction holds it.
var hotStatements = []string{sqlFindConv, sqlNewConv, sqlPutMsg, sqlEditMsg, sqlPutPost, sqlSaveAgg, sqlPutIdentity}

func (s *Store) prepareHot(ctx context.Context) error {
	s.stmts = map[string]*sql.Stmt{}
	for _, q := range hotStatements {
		p, err := s.w.PrepareContext(ctx, q)
		if err != nil {
			return fmt.Errorf("prepare: %w", err)
		}
		s.stmts[q] = p
	}
	return nil
}

// stmt binds a hot statement to tx; the transaction runs on the one writer
// connection the statement was parsed on, so it is not parsed again.
func (s *Store) stmt(ctx context.Context, tx *sql.Tx, q string) (*sql.Stmt, error) {
	s.mu.Lock()
	p, ok := s.stmts[q]
	s.mu.Unlock()
	if !ok {
		return tx.PrepareContext(ctx, q)
	}
	return tx.StmtContext(ctx, p), nil
}

// DB exposes the writer for benchmarks that compare against bare inserts.
func (s *Store) DB() *sql.DB { return s.w }

// wrap maps driver errors to domain errors at the store boundary.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", op, inbox.ErrNotFound)
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY, sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return fmt.Errorf("%s: %w: %v", op, inbox.ErrConflict, err)
		case sqlite3.SQLITE_FULL:
			// The transaction was rolled back whole, so say that too: the
			// next run redoes it once there is room.
			return fmt.Errorf("%s: the database is out of space (the disk is full, or the file reached its size limit), "+
				"so nothing of it was stored; free some space and run again: %w", op, err)
		}
	}
	return fmt.Errorf("%s: %w", op, err)
}

// tx runs f in an IMMEDIATE write transaction.
func (s *Store) tx(ctx context.Context, op string, f func(*sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return wrap(op, err)
	}
	if err := f(tx); err != nil {
		tx.Rollback()
		return wrap(op, err)
	}
	return wrap(op, tx.Commit())
}

func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// UpsertAccount inserts an account or updates its label-matched twin.
func (s *Store) UpsertAccount(ctx context.Context, a inbox.Account) (inbox.Account, error) {
	err := s.tx(ctx, "save account", func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO accounts (network, label, status) VALUES (?, ?, ?)
			ON CONFLICT (network, label) DO UPDATE SET network = excluded.network
			RETURNING id, cursor`, a.Network, a.Label, string(a.Status)).Scan(&a.ID, &a.Cursor)
	})
	return a, err
}

// Accounts lists every account.
func (s *Store) Accounts(ctx context.Context) ([]inbox.Account, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, network, label, status, last_sync, last_error, cursor, notice FROM accounts ORDER BY id`)
	if err != nil {
		return nil, wrap("list accounts", err)
	}
	defer rows.Close()
	var out []inbox.Account
	for rows.Next() {
		var a inbox.Account
		var st string
		var last int64
		if err := rows.Scan(&a.ID, &a.Network, &a.Label, &st, &last, &a.LastError, &a.Cursor, &a.Notice); err != nil {
			return nil, wrap("list accounts", err)
		}
		a.Status, a.LastSync = inbox.AccountStatus(st), fromMS(last)
		out = append(out, a)
	}
	return out, wrap("list accounts", rows.Err())
}

// SetAccountStatus records sync health; a zero synced time keeps the last one.
func (s *Store) SetAccountStatus(ctx context.Context, id int64, st inbox.AccountStatus, lastErr string, synced time.Time) error {
	return s.tx(ctx, "set account status", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE accounts SET status = ?, last_error = ?,
			last_sync = CASE WHEN ? > 0 THEN ? ELSE last_sync END WHERE id = ?`,
			string(st), lastErr, ms(synced), ms(synced), id)
		return err
	})
}

// MarkAnsweredDone marks every open conversation that is not waiting for a
// reply as done, unjournalled. Only the demo generator uses it, to make a
// year of history look like a year of work.
func (s *Store) MarkAnsweredDone(ctx context.Context) error {
	return s.tx(ctx, "mark answered done", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE conversations SET state = 'done', done_at = last_out_at
			WHERE state = 'open' AND needs_reply = 0`)
		return err
	})
}
