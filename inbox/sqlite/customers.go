package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"slices"
	"strings"
	"time"

	"modernc.org/sqlite"

	"github.com/parleyhq/parley/inbox"
)

// The migration that builds identities from the conversations already
// stored computes their keys with the very functions ingest uses.
func init() {
	key := func(f func(string) string) func(*sqlite.FunctionContext, []driver.Value) (driver.Value, error) {
		return func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
			s, _ := args[0].(string)
			return f(s), nil
		}
	}
	sqlite.MustRegisterDeterministicScalarFunction("parley_name_key", 1, key(inbox.MatchKey))
	sqlite.MustRegisterDeterministicScalarFunction("parley_handle_key", 1, key(inbox.HandleKey))
}

// sqlPutIdentity records the person behind a conversation, or brings their
// name and handle up to date (see 0015_customers.sql).
const sqlPutIdentity = `INSERT INTO identities (account_id, author_id, handle, name, name_key, handle_key) VALUES (?, ?, ?, ?, ?, ?)
	ON CONFLICT (account_id, author_id) DO UPDATE SET handle = excluded.handle, name = excluded.name,
	name_key = excluded.name_key, handle_key = excluded.handle_key
	WHERE handle <> excluded.handle OR name <> excluded.name`

// putIdentity runs after a conversation's aggregates are saved: only when
// its author is new to it or changed name, so a customer writing again
// costs nothing here.
func putIdentity(ctx context.Context, st *ingestStmts, accountID int64, c *convAgg) error {
	a := c.author
	if a.ID == "" || (a.ID == c.author0.ID && a.Handle == c.author0.Handle && a.Name == c.author0.Name) {
		return nil
	}
	_, err := st.putIdent.ExecContext(ctx, accountID, a.ID, a.Handle, a.Name, inbox.MatchKey(a.Name), inbox.HandleKey(a.Handle))
	if err != nil {
		return fmt.Errorf("identity %s: %w", a.ID, err)
	}
	return nil
}

const identityCols = `i.account_id, i.author_id, i.handle, i.name, COALESCE(i.customer_id, 0), a.network, a.label`

func scanIdentity(rows interface{ Scan(...any) error }) (inbox.Identity, error) {
	var id inbox.Identity
	err := rows.Scan(&id.AccountID, &id.AuthorID, &id.Author.Handle, &id.Author.Name, &id.Customer, &id.Network, &id.AccountLabel)
	id.Author.ID = id.AuthorID
	return id, err
}

func (s *Store) identities(ctx context.Context, op, q string, args ...any) ([]inbox.Identity, error) {
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, wrap(op, err)
	}
	defer rows.Close()
	var out []inbox.Identity
	for rows.Next() {
		id, err := scanIdentity(rows)
		if err != nil {
			return nil, wrap(op, err)
		}
		out = append(out, id)
	}
	return out, wrap(op, rows.Err())
}

// customerOf is the identity the profile opens from, then every identity
// linked to it. An identity ingest never recorded (no author id) stands
// alone.
func (s *Store) customerOf(ctx context.Context, acc int64, a inbox.Author) ([]inbox.Identity, error) {
	self, err := s.identities(ctx, "profile identity", `SELECT `+identityCols+` FROM identities i JOIN accounts a ON a.id = i.account_id
		WHERE i.account_id = ? AND i.author_id = ?`, acc, a.ID)
	if err != nil || len(self) == 0 || self[0].Customer == 0 {
		if len(self) == 0 {
			var net, label string
			if err := s.r.QueryRowContext(ctx, `SELECT network, label FROM accounts WHERE id = ?`, acc).Scan(&net, &label); err != nil {
				return nil, wrap("profile account", err)
			}
			self = []inbox.Identity{{IdentityRef: inbox.IdentityRef{AccountID: acc, AuthorID: a.ID}, Network: net, AccountLabel: label, Author: a}}
		}
		return self, err
	}
	others, err := s.identities(ctx, "profile identities", `SELECT `+identityCols+` FROM identities i INDEXED BY identities_customer
		JOIN accounts a ON a.id = i.account_id
		WHERE i.customer_id = ? AND NOT (i.account_id = ? AND i.author_id = ?) ORDER BY a.network, i.account_id, i.author_id`,
		self[0].Customer, acc, a.ID)
	return append(self, others...), err
}

// suggestions are identities on networks the customer has none on, whose
// name or handle key equals one of the customer's keys. Each account of
// another network is asked on its own, once through identities_name and
// once through identities_handle (key, account), each with a limit, so a
// common name costs a few rows per account however many people share it.
func (s *Store) suggestions(ctx context.Context, ids []inbox.Identity) ([]inbox.Identity, error) {
	var keys []any
	nets := map[string]bool{}
	for _, id := range ids {
		for _, k := range []string{inbox.MatchKey(id.Author.Name), inbox.HandleKey(id.Author.Handle)} {
			if k != "" && !slices.Contains(keys, any(k)) {
				keys = append(keys, k)
			}
		}
		nets[id.Network] = true
	}
	if len(keys) == 0 {
		return nil, nil
	}
	accs, err := s.Accounts(ctx)
	if err != nil {
		return nil, err
	}
	// The keys are ?4, ?5, …
	nums := make([]string, len(keys))
	for i := range keys {
		nums[i] = fmt.Sprintf("?%d", i+4)
	}
	in := strings.Join(nums, ",")
	var out []inbox.Identity
	seen := map[inbox.IdentityRef]bool{}
	for _, a := range accs {
		if nets[a.Network] {
			continue
		}
		for _, q := range []string{suggestQuery("identities_name", "name_key", in), suggestQuery("identities_handle", "handle_key", in)} {
			rows, err := s.r.QueryContext(ctx, q, append([]any{a.ID, ids[0].Customer, inbox.SuggestLimit}, keys...)...)
			if err != nil {
				return nil, wrap("link suggestions", err)
			}
			for rows.Next() {
				id := inbox.Identity{Network: a.Network, AccountLabel: a.Label}
				if err := rows.Scan(&id.AccountID, &id.AuthorID, &id.Author.Handle, &id.Author.Name, &id.Customer); err != nil {
					rows.Close()
					return nil, wrap("link suggestions", err)
				}
				id.Author.ID = id.AuthorID
				if !seen[id.Ref()] {
					seen[id.Ref()] = true
					out = append(out, id)
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return nil, wrap("link suggestions", err)
			}
		}
	}
	slices.SortFunc(out, func(x, y inbox.Identity) int {
		return cmp.Or(cmp.Compare(x.Network, y.Network), cmp.Compare(x.Author.Name, y.Author.Name), cmp.Compare(x.AccountID, y.AccountID),
			cmp.Compare(x.AuthorID, y.AuthorID))
	})
	return out[:min(len(out), inbox.SuggestLimit)], nil
}

// suggestQuery asks one account (?1) for at most ?3 identities outside
// customer ?2 whose key column is among in, through index. INDEXED BY:
// without statistics the planner would rather walk the account's whole
// primary key.
func suggestQuery(index, col, in string) string {
	return `SELECT i.account_id, i.author_id, i.handle, i.name, COALESCE(i.customer_id, 0) FROM identities i INDEXED BY ` + index + `
		WHERE i.` + col + ` <> '' AND i.` + col + ` IN (` + in + `) AND i.account_id = ?1 AND (i.customer_id IS NULL OR i.customer_id <> ?2) LIMIT ?3`
}

// linkMove is one identity's change of customer (0: none), journalled so
// undo can put it back.
type linkMove struct {
	ref           inbox.IdentityRef
	before, after int64
}

func customerIn(ctx context.Context, tx *sql.Tx, r inbox.IdentityRef) (int64, error) {
	var c sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT customer_id FROM identities WHERE account_id = ? AND author_id = ?`, r.AccountID, r.AuthorID).Scan(&c)
	if err == sql.ErrNoRows {
		return 0, fmt.Errorf("no person %q on account %d is stored: %w", r.AuthorID, r.AccountID, inbox.ErrNotFound)
	}
	return c.Int64, err
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// moveLinks applies moves and journals them, with an event on conv under
// action (before and after triage alike: a link changes no conversation).
func moveLinks(ctx context.Context, tx *sql.Tx, actor string, conv int64, action string, moves []linkMove, now time.Time) error {
	grp, err := journalOnly(ctx, tx, actor, conv, action, now)
	if err != nil {
		return err
	}
	for _, m := range moves {
		if err := setCustomer(ctx, tx, m.ref, m.after, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO link_journal (grp, account_id, author_id, before_customer, after_customer) VALUES (?, ?, ?, ?, ?)`,
			grp, m.ref.AccountID, m.ref.AuthorID, nullID(m.before), nullID(m.after)); err != nil {
			return err
		}
	}
	return dropEmptyCustomers(ctx, tx, moves)
}

// setCustomer moves an identity, creating the customer if it is new (or
// was dropped and comes back through undo).
func setCustomer(ctx context.Context, tx *sql.Tx, r inbox.IdentityRef, customer int64, now time.Time) error {
	if customer != 0 {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO customers (id, created_at) VALUES (?, ?)`, customer, ms(now)); err != nil {
			return err
		}
	}
	_, err := tx.ExecContext(ctx, `UPDATE identities SET customer_id = ? WHERE account_id = ? AND author_id = ?`,
		nullID(customer), r.AccountID, r.AuthorID)
	return err
}

// dropEmptyCustomers deletes the customers the moves left without anyone.
func dropEmptyCustomers(ctx context.Context, tx *sql.Tx, moves []linkMove) error {
	for _, m := range moves {
		if m.before == 0 {
			continue
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM customers WHERE id = ?
			AND NOT EXISTS (SELECT 1 FROM identities INDEXED BY identities_customer WHERE customer_id = ?)`, m.before, m.before); err != nil {
			return err
		}
	}
	return nil
}

func members(ctx context.Context, tx *sql.Tx, customer int64) ([]inbox.IdentityRef, error) {
	rows, err := tx.QueryContext(ctx, `SELECT account_id, author_id FROM identities INDEXED BY identities_customer WHERE customer_id = ?`, customer)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []inbox.IdentityRef
	for rows.Next() {
		var r inbox.IdentityRef
		if err := rows.Scan(&r.AccountID, &r.AuthorID); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// identityLabel names an identity in the journal: "Noor (@noor) on bluesky".
func identityLabel(ctx context.Context, tx *sql.Tx, r inbox.IdentityRef) (string, error) {
	var id inbox.Identity
	err := tx.QueryRowContext(ctx, `SELECT `+identityCols+` FROM identities i JOIN accounts a ON a.id = i.account_id
		WHERE i.account_id = ? AND i.author_id = ?`, r.AccountID, r.AuthorID).Scan(
		&id.AccountID, &id.AuthorID, &id.Author.Handle, &id.Author.Name, &id.Customer, &id.Network, &id.AccountLabel)
	if err != nil {
		return "", err
	}
	id.Author.ID = id.AuthorID
	return id.Label(), nil
}

// Link implements inbox.Store. Two unlinked identities become a new
// customer; an unlinked one joins the other's customer; two customers
// merge into a's.
func (s *Store) Link(ctx context.Context, actor string, conv int64, a, b inbox.IdentityRef, now time.Time) error {
	return s.tx(ctx, "link", func(tx *sql.Tx) error {
		ca, err := customerIn(ctx, tx, a)
		if err != nil {
			return err
		}
		cb, err := customerIn(ctx, tx, b)
		if err != nil {
			return err
		}
		if ca != 0 && ca == cb {
			return fmt.Errorf("they are already linked: %w", inbox.ErrConflict)
		}
		target := ca
		if target == 0 {
			target = cb
		}
		if target == 0 {
			if err := tx.QueryRowContext(ctx, `INSERT INTO customers (created_at) VALUES (?) RETURNING id`, ms(now)).Scan(&target); err != nil {
				return err
			}
		}
		var moves []linkMove
		if ca == 0 {
			moves = append(moves, linkMove{a, 0, target})
		}
		switch {
		case cb == 0:
			moves = append(moves, linkMove{b, 0, target})
		case cb != target:
			others, err := members(ctx, tx, cb)
			if err != nil {
				return err
			}
			for _, r := range others {
				moves = append(moves, linkMove{r, cb, target})
			}
		}
		la, err := identityLabel(ctx, tx, a)
		if err != nil {
			return err
		}
		lb, err := identityLabel(ctx, tx, b)
		if err != nil {
			return err
		}
		return moveLinks(ctx, tx, actor, conv, inbox.LinkAction+la+" with "+lb, moves, now)
	})
}

// Unlink implements inbox.Store. A customer left with one identity is no
// link any more: that one is freed too, in the same journal group.
func (s *Store) Unlink(ctx context.Context, actor string, conv int64, r inbox.IdentityRef, now time.Time) error {
	return s.tx(ctx, "unlink", func(tx *sql.Tx) error {
		c, err := customerIn(ctx, tx, r)
		if err != nil {
			return err
		}
		if c == 0 {
			return fmt.Errorf("this person is not linked to anyone: %w", inbox.ErrInvalid)
		}
		moves := []linkMove{{r, c, 0}}
		rest, err := members(ctx, tx, c)
		if err != nil {
			return err
		}
		if len(rest) == 2 {
			for _, o := range rest {
				if o != r {
					moves = append(moves, linkMove{o, c, 0})
				}
			}
		}
		l, err := identityLabel(ctx, tx, r)
		if err != nil {
			return err
		}
		return moveLinks(ctx, tx, actor, conv, inbox.UnlinkAction+l, moves, now)
	})
}

// undoLinks reverts the link moves of an undone group. An identity someone
// has moved again since keeps its later customer, as triage does.
func undoLinks(ctx context.Context, tx *sql.Tx, grp int64, now time.Time) error {
	rows, err := tx.QueryContext(ctx, `SELECT account_id, author_id, COALESCE(before_customer, 0), COALESCE(after_customer, 0)
		FROM link_journal WHERE grp = ?`, grp)
	if err != nil {
		return err
	}
	var moves []linkMove
	for rows.Next() {
		var m linkMove
		if err := rows.Scan(&m.ref.AccountID, &m.ref.AuthorID, &m.before, &m.after); err != nil {
			rows.Close()
			return err
		}
		moves = append(moves, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	var back []linkMove
	for _, m := range moves {
		cur, err := customerIn(ctx, tx, m.ref)
		if err != nil || cur != m.after {
			continue // gone, or moved again since
		}
		if err := setCustomer(ctx, tx, m.ref, m.before, now); err != nil {
			return err
		}
		back = append(back, linkMove{m.ref, m.after, m.before})
	}
	return dropEmptyCustomers(ctx, tx, back)
}
