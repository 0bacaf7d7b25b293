-- Safe sending (issue 9).
--
-- Drafts belong to a manager and a conversation: another manager's text is
-- never loaded into your composer. Drafts from before this migration have
-- no known owner ('') and are shown to everyone read-only.
CREATE TABLE drafts_owned (
	conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
	owner           TEXT    NOT NULL,
	body            TEXT    NOT NULL,
	updated_at      INTEGER NOT NULL,
	PRIMARY KEY (conversation_id, owner)
);
INSERT INTO drafts_owned (conversation_id, owner, body, updated_at)
	SELECT conversation_id, '', body, updated_at FROM drafts;
DROP TABLE drafts;
ALTER TABLE drafts_owned RENAME TO drafts;

-- What an undo needs beyond the triage journal: the text of a discarded
-- draft, the outbox entry of a send (cancelled while still held) and the
-- conversation's reply bookkeeping before it.
CREATE TABLE undo_extras (
	grp             INTEGER NOT NULL,
	kind            TEXT    NOT NULL CHECK (kind IN ('draft', 'send')),
	conversation_id INTEGER NOT NULL,
	owner           TEXT    NOT NULL DEFAULT '',
	body            TEXT    NOT NULL DEFAULT '',
	outbox_id       INTEGER NOT NULL DEFAULT 0,
	before          TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX undo_extras_grp ON undo_extras (grp);

-- An escalation stays in the Escalated view until it is resolved, whatever
-- the conversation's state: replying no longer hides it.
DROP INDEX conv_escalated;
CREATE INDEX conv_escalated ON conversations (triage_key, id) WHERE esc_dest <> '';

-- The thread finds each outbound message's outbox entry (its delivery and
-- hold) without scanning the outbox.
CREATE INDEX outbox_message ON outbox (message_id) WHERE message_id <> 0;

-- Every outbound message ever stored in a conversation (queued by a manager
-- or synced from the network) bumps its out_seq; the send-time check
-- compares it with the count the sender saw when they started writing.
-- A counter, not a message id: ids of deleted rows can be handed out
-- again, a counter never goes back.
ALTER TABLE conversations ADD COLUMN out_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN out_last INTEGER NOT NULL DEFAULT 0;
UPDATE conversations SET
	out_seq = (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = conversations.id AND m.direction = 'out'),
	out_last = COALESCE((SELECT MAX(id) FROM messages m WHERE m.conversation_id = conversations.id AND m.direction = 'out'), 0);
CREATE TRIGGER messages_out_seq AFTER INSERT ON messages WHEN new.direction = 'out' BEGIN
	UPDATE conversations SET out_seq = out_seq + 1, out_last = new.id WHERE id = new.conversation_id;
END;
