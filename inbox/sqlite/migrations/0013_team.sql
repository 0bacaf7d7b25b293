-- The team (issue 17). A conversation can be owned by one manager; the
-- Mine and Unassigned views page on the urgency key like the Inbox, each
-- served by its partial index (keep in step with teamViewDefs in team.go).
ALTER TABLE conversations ADD COLUMN assignee TEXT NOT NULL DEFAULT '';
CREATE INDEX conv_mine       ON conversations (assignee, triage_key, id) WHERE state = 'open' AND assignee <> '';
CREATE INDEX conv_unassigned ON conversations (triage_key, id)           WHERE state = 'open' AND assignee = '';

-- Internal notes: the team's words about a conversation, never sent to any
-- network, so they live apart from messages (whose rows are what the
-- networks said and what we sent). @name marks a note for that manager.
CREATE TABLE notes (
	id              INTEGER PRIMARY KEY,
	conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
	author          TEXT    NOT NULL,
	text            TEXT    NOT NULL,
	created_at      INTEGER NOT NULL
);
CREATE INDEX notes_conversation ON notes (conversation_id, created_at, id);

CREATE TABLE note_mentions (
	manager         TEXT    NOT NULL COLLATE NOCASE,
	conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
	note_id         INTEGER NOT NULL REFERENCES notes(id) ON DELETE CASCADE,
	PRIMARY KEY (manager, conversation_id, note_id)
) WITHOUT ROWID;

-- Notes are searched with the messages. Few are written, so a trigger
-- (rather than the batched indexing messages need) is cheap here.
CREATE VIRTUAL TABLE notes_fts USING fts5 (
	text, author,
	content = '', contentless_delete = 1,
	tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER notes_fts_insert AFTER INSERT ON notes BEGIN
	INSERT INTO notes_fts (rowid, text, author) VALUES (new.id, new.text, new.author);
END;
CREATE TRIGGER notes_fts_delete AFTER DELETE ON notes BEGIN
	DELETE FROM notes_fts WHERE rowid = old.id;
END;

-- A customer's profile: every conversation with one person on one account,
-- oldest first, without scanning.
CREATE INDEX conv_author ON conversations (account_id, author_id, first_in_at, id);
