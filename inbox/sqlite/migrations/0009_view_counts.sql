-- View sizes per network, kept by triggers in the same transaction as every
-- change to a conversation, so showing the counts reads a dozen rows instead
-- of counting a million (136 ms at 10⁶ rows, once per change per session).
-- Membership must match viewDefs in views.go: a test recounts after random
-- changes. 'all' counts every conversation.
CREATE TABLE view_counts (
	network TEXT    NOT NULL,
	view    TEXT    NOT NULL,
	n       INTEGER NOT NULL,
	PRIMARY KEY (network, view)
) WITHOUT ROWID;

INSERT INTO view_counts (network, view, n)
WITH t AS (
	SELECT network,
		sum(state = 'open') AS inbox,
		sum(negative = 1 AND state <> 'done') AS negative,
		sum(esc_dest <> '') AS escalated,
		sum(state = 'snoozed') AS snoozed,
		sum(state = 'done') AS done,
		count(*) AS everything
	FROM conversations GROUP BY network)
SELECT network, 'inbox', inbox FROM t
UNION ALL SELECT network, 'negative', negative FROM t
UNION ALL SELECT network, 'escalated', escalated FROM t
UNION ALL SELECT network, 'snoozed', snoozed FROM t
UNION ALL SELECT network, 'done', done FROM t
UNION ALL SELECT network, 'all', everything FROM t;

CREATE TRIGGER view_counts_insert AFTER INSERT ON conversations BEGIN
	INSERT INTO view_counts (network, view, n)
	SELECT nw, v, d FROM (
		SELECT new.network AS nw, 'inbox' AS v, (new.state = 'open') AS d
		UNION ALL SELECT new.network AS nw, 'negative' AS v, (new.negative = 1 AND new.state <> 'done') AS d
		UNION ALL SELECT new.network AS nw, 'escalated' AS v, (new.esc_dest <> '') AS d
		UNION ALL SELECT new.network AS nw, 'snoozed' AS v, (new.state = 'snoozed') AS d
		UNION ALL SELECT new.network AS nw, 'done' AS v, (new.state = 'done') AS d
		UNION ALL SELECT new.network AS nw, 'all' AS v, 1 AS d)
	WHERE d <> 0
	ON CONFLICT (network, view) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER view_counts_delete AFTER DELETE ON conversations BEGIN
	INSERT INTO view_counts (network, view, n)
	SELECT nw, v, d FROM (
		SELECT old.network AS nw, 'inbox' AS v, -(old.state = 'open') AS d
		UNION ALL SELECT old.network AS nw, 'negative' AS v, -(old.negative = 1 AND old.state <> 'done') AS d
		UNION ALL SELECT old.network AS nw, 'escalated' AS v, -(old.esc_dest <> '') AS d
		UNION ALL SELECT old.network AS nw, 'snoozed' AS v, -(old.state = 'snoozed') AS d
		UNION ALL SELECT old.network AS nw, 'done' AS v, -(old.state = 'done') AS d
		UNION ALL SELECT old.network AS nw, 'all' AS v, -1 AS d)
	WHERE d <> 0
	ON CONFLICT (network, view) DO UPDATE SET n = n + excluded.n;
END;

-- Only updates that can move a conversation between views do any work; a
-- new message on a conversation (preview, times, sort keys) does not.
CREATE TRIGGER view_counts_update AFTER UPDATE OF state, negative, esc_dest, network ON conversations
WHEN old.state IS NOT new.state OR old.negative IS NOT new.negative
	OR (old.esc_dest <> '') IS NOT (new.esc_dest <> '') OR old.network IS NOT new.network
BEGIN
	INSERT INTO view_counts (network, view, n)
	SELECT nw, v, sum(d) FROM (
		SELECT old.network AS nw, 'inbox' AS v, -(old.state = 'open') AS d
		UNION ALL SELECT old.network AS nw, 'negative' AS v, -(old.negative = 1 AND old.state <> 'done') AS d
		UNION ALL SELECT old.network AS nw, 'escalated' AS v, -(old.esc_dest <> '') AS d
		UNION ALL SELECT old.network AS nw, 'snoozed' AS v, -(old.state = 'snoozed') AS d
		UNION ALL SELECT old.network AS nw, 'done' AS v, -(old.state = 'done') AS d
		UNION ALL SELECT old.network AS nw, 'all' AS v, -1 AS d
		UNION ALL SELECT new.network AS nw, 'inbox' AS v, (new.state = 'open') AS d
		UNION ALL SELECT new.network AS nw, 'negative' AS v, (new.negative = 1 AND new.state <> 'done') AS d
		UNION ALL SELECT new.network AS nw, 'escalated' AS v, (new.esc_dest <> '') AS d
		UNION ALL SELECT new.network AS nw, 'snoozed' AS v, (new.state = 'snoozed') AS d
		UNION ALL SELECT new.network AS nw, 'done' AS v, (new.state = 'done') AS d
		UNION ALL SELECT new.network AS nw, 'all' AS v, 1 AS d)
	WHERE true GROUP BY nw, v HAVING sum(d) <> 0
	ON CONFLICT (network, view) DO UPDATE SET n = n + excluded.n;
END;
