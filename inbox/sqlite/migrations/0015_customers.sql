-- Customers (issue 17). A person is an identity per account: the author id
-- the conversations carry. The manager links identities on different
-- networks into one customer, and the profile then spans them.
CREATE TABLE customers (
	-- AUTOINCREMENT: an undo may bring back a customer an unlink removed,
	-- so an id is never given to anyone else.
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	created_at INTEGER NOT NULL
);

-- One row per person seen, kept by ingest (latest name and handle). The
-- keys are inbox.MatchKey of the name and inbox.HandleKey of the handle
-- ('' when too short to mean anything): link suggestions look them up in
-- their indexes, one account at a time, instead of comparing names across
-- 10⁶ conversations; a common name costs at most a few rows per account.
CREATE TABLE identities (
	account_id  INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	author_id   TEXT    NOT NULL,
	handle      TEXT    NOT NULL DEFAULT '',
	name        TEXT    NOT NULL DEFAULT '',
	name_key    TEXT    NOT NULL DEFAULT '',
	handle_key  TEXT    NOT NULL DEFAULT '',
	customer_id INTEGER REFERENCES customers(id) ON DELETE SET NULL,
	PRIMARY KEY (account_id, author_id)
) WITHOUT ROWID;
CREATE INDEX identities_name     ON identities (name_key, account_id)   WHERE name_key <> '';
CREATE INDEX identities_handle   ON identities (handle_key, account_id) WHERE handle_key <> '';
CREATE INDEX identities_customer ON identities (customer_id) WHERE customer_id IS NOT NULL;

-- Everyone already stored, with the name and handle of their latest
-- conversation. parley_name_key and parley_handle_key are Go functions the
-- store registers (the same inbox.MatchKey and inbox.HandleKey ingest
-- uses); nothing in the schema calls them, so other SQLite clients can
-- still read and write this file.
INSERT INTO identities (account_id, author_id, handle, name, name_key, handle_key)
	SELECT account_id, author_id, author_handle, author_name, parley_name_key(author_name), parley_handle_key(author_handle)
	FROM (SELECT account_id, author_id, author_handle, author_name, MAX(last_in_at)
		FROM conversations INDEXED BY conv_author WHERE author_id <> '' GROUP BY account_id, author_id);

-- What undo needs of a link or unlink: each identity's customer before and
-- after, by journal group (see Link, Unlink and undoLinks in customers.go).
CREATE TABLE link_journal (
	grp             INTEGER NOT NULL,
	account_id      INTEGER NOT NULL,
	author_id       TEXT    NOT NULL,
	before_customer INTEGER,
	after_customer  INTEGER
);
CREATE INDEX link_journal_grp ON link_journal (grp);
