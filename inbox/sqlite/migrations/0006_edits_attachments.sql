-- Messages as they stand on the network: edits (when, and the text before
-- the latest one), deletions (when; the text is kept for the manager), and
-- attachments and polls as JSON, read only to show them.
ALTER TABLE messages ADD COLUMN edited_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN previous_text TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN deleted_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN attachments TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN poll TEXT NOT NULL DEFAULT '';
