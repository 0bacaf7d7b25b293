-- The team (issue 17). A conversation can be owned by one manager; the
-- Mine and Unassigned views page on the urgency key like the Inbox, each
-- served by its partial index (keep in step with teamViewDefs in team.go).
ALTER TABLE conversations ADD COLUMN assignee TEXT NOT NULL DEFAULT '';
CREATE INDEX conv_mine       ON conversations (assignee, triage_key, id) WHERE state = 'open' AND assignee <> '';
CREATE INDEX conv_unassigned ON conversations (triage_key, id)           WHERE state = 'open' AND assignee = '';
