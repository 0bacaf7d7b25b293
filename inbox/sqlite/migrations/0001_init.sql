-- parley schema v1. Times are unix milliseconds; 0 means "never".

CREATE TABLE accounts (
	id         INTEGER PRIMARY KEY,
	network    TEXT    NOT NULL,
	label      TEXT    NOT NULL,
	status     TEXT    NOT NULL DEFAULT 'ok',
	last_sync  INTEGER NOT NULL DEFAULT 0,
	last_error TEXT    NOT NULL DEFAULT '',
	cursor     TEXT    NOT NULL DEFAULT '',
	UNIQUE (network, label)
);

CREATE TABLE posts (
	id            INTEGER PRIMARY KEY,
	account_id    INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	external_id   TEXT    NOT NULL,
	author_id     TEXT    NOT NULL DEFAULT '',
	author_handle TEXT    NOT NULL DEFAULT '',
	author_name   TEXT    NOT NULL DEFAULT '',
	author_url    TEXT    NOT NULL DEFAULT '',
	text          TEXT    NOT NULL DEFAULT '',
	permalink     TEXT    NOT NULL DEFAULT '',
	created_at    INTEGER NOT NULL DEFAULT 0,
	UNIQUE (account_id, external_id)
);

CREATE TABLE conversations (
	id            INTEGER PRIMARY KEY,
	account_id    INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	network       TEXT    NOT NULL,
	external_id   TEXT    NOT NULL,
	kind          TEXT    NOT NULL,
	post_id       TEXT    NOT NULL DEFAULT '',
	state         TEXT    NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'done', 'snoozed')),
	snooze_until  INTEGER NOT NULL DEFAULT 0,
	done_at       INTEGER NOT NULL DEFAULT 0,
	negative      INTEGER NOT NULL DEFAULT 0,
	neg_source    TEXT    NOT NULL DEFAULT '',
	neg_score     REAL    NOT NULL DEFAULT 0,
	esc_dest      TEXT    NOT NULL DEFAULT '',
	esc_note      TEXT    NOT NULL DEFAULT '',
	esc_at        INTEGER NOT NULL DEFAULT 0,
	author_id     TEXT    NOT NULL DEFAULT '',
	author_handle TEXT    NOT NULL DEFAULT '',
	author_name   TEXT    NOT NULL DEFAULT '',
	author_url    TEXT    NOT NULL DEFAULT '',
	preview       TEXT    NOT NULL DEFAULT '',
	rating        INTEGER NOT NULL DEFAULT 0,
	first_in_at   INTEGER NOT NULL DEFAULT 0,
	last_in_at    INTEGER NOT NULL DEFAULT 0,
	last_out_at   INTEGER NOT NULL DEFAULT 0,
	wait_since    INTEGER NOT NULL DEFAULT 0,
	needs_reply   INTEGER NOT NULL DEFAULT 0,
	last_activity INTEGER NOT NULL DEFAULT 0,
	messages      INTEGER NOT NULL DEFAULT 0,
	-- Sort keys. Every view pages on (key, id) ascending, served by a
	-- partial index, so a window of a million-row view never scans.
	-- urgency: complaints first, then conversations waiting for a reply,
	-- then the longest wait.
	urgency  INTEGER GENERATED ALWAYS AS ((1 - negative) * 2251799813685248 + (1 - needs_reply) * 1125899906842624 + wait_since) VIRTUAL,
	done_key INTEGER GENERATED ALWAYS AS (-done_at) VIRTUAL,
	act_key  INTEGER GENERATED ALWAYS AS (-last_activity) VIRTUAL,
	UNIQUE (account_id, external_id)
);

CREATE INDEX conv_inbox     ON conversations (urgency, id)      WHERE state = 'open';
CREATE INDEX conv_negative  ON conversations (urgency, id)      WHERE negative = 1 AND state <> 'done';
CREATE INDEX conv_escalated ON conversations (urgency, id)      WHERE esc_dest <> '' AND state <> 'done';
CREATE INDEX conv_snoozed   ON conversations (snooze_until, id) WHERE state = 'snoozed';
CREATE INDEX conv_done      ON conversations (done_key, id)     WHERE state = 'done';
CREATE INDEX conv_all       ON conversations (act_key, id);

CREATE TABLE conversation_tags (
	conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
	tag             TEXT    NOT NULL,
	PRIMARY KEY (conversation_id, tag)
) WITHOUT ROWID;
CREATE INDEX conversation_tags_tag ON conversation_tags (tag);

CREATE TABLE messages (
	id              INTEGER PRIMARY KEY,
	conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
	account_id      INTEGER NOT NULL,
	external_id     TEXT    NOT NULL,
	parent_id       TEXT    NOT NULL DEFAULT '',
	direction       TEXT    NOT NULL CHECK (direction IN ('in', 'out')),
	author_id       TEXT    NOT NULL DEFAULT '',
	author_handle   TEXT    NOT NULL DEFAULT '',
	author_name     TEXT    NOT NULL DEFAULT '',
	author_url      TEXT    NOT NULL DEFAULT '',
	text            TEXT    NOT NULL DEFAULT '',
	rating          INTEGER NOT NULL DEFAULT 0,
	created_at      INTEGER NOT NULL DEFAULT 0,
	permalink       TEXT    NOT NULL DEFAULT '',
	delivery        TEXT    NOT NULL DEFAULT '',
	error           TEXT    NOT NULL DEFAULT '',
	UNIQUE (account_id, external_id)
);
CREATE INDEX messages_conversation ON messages (conversation_id, created_at, id);

-- Full-text index over message text and author names. Contentless: search
-- only needs rowids, and the text already lives in messages. The store
-- indexes new messages once per batch (see ftsIndex): a trigger would make
-- FTS5 flush a segment for every single row, which made ingest 40% slower.
CREATE VIRTUAL TABLE messages_fts USING fts5 (
	text, author,
	content = '', contentless_delete = 1,
	tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
	DELETE FROM messages_fts WHERE rowid = old.id;
END;

CREATE TABLE drafts (
	conversation_id INTEGER PRIMARY KEY REFERENCES conversations(id) ON DELETE CASCADE,
	body            TEXT    NOT NULL,
	updated_at      INTEGER NOT NULL
);

CREATE TABLE outbox (
	id               INTEGER PRIMARY KEY,
	conversation_id  INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
	account_id       INTEGER NOT NULL,
	message_id       INTEGER NOT NULL DEFAULT 0,
	action           TEXT    NOT NULL,
	body             TEXT    NOT NULL DEFAULT '',
	conv_external_id TEXT    NOT NULL DEFAULT '',
	target_id        TEXT    NOT NULL DEFAULT '',
	idempotency_key  TEXT    NOT NULL UNIQUE,
	status           TEXT    NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
	attempts         INTEGER NOT NULL DEFAULT 0,
	next_attempt_at  INTEGER NOT NULL DEFAULT 0,
	last_error       TEXT    NOT NULL DEFAULT '',
	created_at       INTEGER NOT NULL,
	updated_at       INTEGER NOT NULL
);
CREATE INDEX outbox_due          ON outbox (next_attempt_at, id) WHERE status = 'queued';
CREATE INDEX outbox_conversation ON outbox (conversation_id, status);

-- Append-only journal of triage actions: who, what, before, after.
CREATE TABLE events (
	id              INTEGER PRIMARY KEY,
	grp             INTEGER NOT NULL,
	at              INTEGER NOT NULL,
	actor           TEXT    NOT NULL,
	conversation_id INTEGER NOT NULL,
	action          TEXT    NOT NULL,
	before          TEXT    NOT NULL,
	after           TEXT    NOT NULL,
	undone          INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX events_grp          ON events (grp);
CREATE INDEX events_undo         ON events (actor, grp) WHERE undone = 0;
CREATE INDEX events_conversation ON events (conversation_id, id);
