-- First-reply deadlines (SLA target or the platform's reply window, the
-- earlier), and the views' urgency ordered by them: complaints first, then
-- conversations waiting for a reply by deadline (overdue ones are the
-- earliest), then the rest. Rows from before this migration fall back to
-- the time the customer started waiting.
ALTER TABLE conversations ADD COLUMN due_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN triage_key INTEGER GENERATED ALWAYS AS (
	(1 - negative) * 2251799813685248 + (1 - needs_reply) * 1125899906842624 +
	CASE WHEN needs_reply = 1 AND due_at > 0 THEN due_at ELSE wait_since END) VIRTUAL;
DROP INDEX conv_inbox;
DROP INDEX conv_negative;
DROP INDEX conv_escalated;
CREATE INDEX conv_inbox     ON conversations (triage_key, id) WHERE state = 'open';
CREATE INDEX conv_negative  ON conversations (triage_key, id) WHERE negative = 1 AND state <> 'done';
CREATE INDEX conv_escalated ON conversations (triage_key, id) WHERE esc_dest <> '' AND state <> 'done';
