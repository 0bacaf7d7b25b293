-- Spam (issue 17). A spam conversation is closed (state 'done', so it has
-- left the Inbox and every triage view) and flagged; ingest does not reopen
-- it when its author writes again. The Spam view pages on latest activity
-- through its partial index (keep in step with teamViewDefs in team.go).
ALTER TABLE conversations ADD COLUMN spam INTEGER NOT NULL DEFAULT 0;
CREATE INDEX conv_spam ON conversations (act_key, id) WHERE spam = 1;
