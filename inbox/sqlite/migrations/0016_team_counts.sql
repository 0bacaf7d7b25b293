-- The team views' sizes (issue 17), kept by triggers like view_counts
-- (0009), so a session's counts read a few dozen rows at any size instead
-- of counting index ranges that grow with the database: every spam
-- conversation ever marked (a spam rule marks thousands), every open
-- conversation a manager owns (a rule can assign the whole Inbox), every
-- conversation a manager was ever @mentioned on.
--   spam:     spam = 1, manager ''
--   mine:     state = 'open' AND assignee <> '', manager = assignee (exact,
--             as the Mine view compares it); their sum over managers is
--             what Unassigned leaves out of the Inbox
--   mentions: conversations with a note naming the manager, manager =
--             lower(name) (note_mentions compares names NOCASE: ASCII only,
--             like lower())
-- Membership must match teamViewDefs in team.go: a test recounts after
-- random changes.
CREATE TABLE team_counts (
	view    TEXT    NOT NULL,
	manager TEXT    NOT NULL,
	network TEXT    NOT NULL,
	n       INTEGER NOT NULL,
	PRIMARY KEY (view, manager, network)
) WITHOUT ROWID;

INSERT INTO team_counts (view, manager, network, n)
SELECT 'spam', '', network, count(*) FROM conversations WHERE spam = 1 GROUP BY network;
INSERT INTO team_counts (view, manager, network, n)
SELECT 'mine', assignee, network, count(*) FROM conversations WHERE state = 'open' AND assignee <> '' GROUP BY assignee, network;
INSERT INTO team_counts (view, manager, network, n)
SELECT 'mentions', m.manager, c.network, count(*)
FROM (SELECT DISTINCT lower(manager) AS manager, conversation_id FROM note_mentions) m
JOIN conversations c ON c.id = m.conversation_id
GROUP BY m.manager, c.network;

CREATE TRIGGER team_counts_insert AFTER INSERT ON conversations
WHEN new.spam = 1 OR (new.state = 'open' AND new.assignee <> '')
BEGIN
	INSERT INTO team_counts (view, manager, network, n)
	SELECT v, mgr, new.network, 1 FROM (
		SELECT 'spam' AS v, '' AS mgr, new.spam = 1 AS d
		UNION ALL SELECT 'mine' AS v, new.assignee AS mgr, (new.state = 'open' AND new.assignee <> '') AS d)
	WHERE d
	ON CONFLICT (view, manager, network) DO UPDATE SET n = n + 1;
END;

-- Before the row goes, while its mentions are still there to be read: the
-- cascade that deletes them runs after the row is gone, when
-- team_counts_unmention finds no conversation and does nothing.
CREATE TRIGGER team_counts_delete BEFORE DELETE ON conversations BEGIN
	INSERT INTO team_counts (view, manager, network, n)
	SELECT v, mgr, old.network, -1 FROM (
		SELECT 'spam' AS v, '' AS mgr, old.spam = 1 AS d
		UNION ALL SELECT 'mine' AS v, old.assignee AS mgr, (old.state = 'open' AND old.assignee <> '') AS d
		UNION ALL SELECT DISTINCT 'mentions' AS v, lower(manager) AS mgr, 1 AS d FROM note_mentions WHERE conversation_id = old.id)
	WHERE d
	ON CONFLICT (view, manager, network) DO UPDATE SET n = n - 1;
END;

-- Only updates that move a conversation in or out of a team view do any
-- work: a new message (times, preview) or a tag does not.
CREATE TRIGGER team_counts_update AFTER UPDATE OF state, assignee, spam, network ON conversations
WHEN old.spam IS NOT new.spam OR old.network IS NOT new.network
	OR (old.state = 'open' AND old.assignee <> '') IS NOT (new.state = 'open' AND new.assignee <> '')
	OR (new.state = 'open' AND old.assignee IS NOT new.assignee)
BEGIN
	INSERT INTO team_counts (view, manager, network, n)
	SELECT v, mgr, nw, sum(d) FROM (
		SELECT 'spam' AS v, '' AS mgr, old.network AS nw, -(old.spam = 1) AS d
		UNION ALL SELECT 'mine' AS v, old.assignee AS mgr, old.network AS nw, -(old.state = 'open' AND old.assignee <> '') AS d
		UNION ALL SELECT 'spam' AS v, '' AS mgr, new.network AS nw, (new.spam = 1) AS d
		UNION ALL SELECT 'mine' AS v, new.assignee AS mgr, new.network AS nw, (new.state = 'open' AND new.assignee <> '') AS d)
	WHERE true GROUP BY v, mgr, nw HAVING sum(d) <> 0
	ON CONFLICT (view, manager, network) DO UPDATE SET n = n + excluded.n;
END;

-- A conversation that moves network takes its mentions along.
CREATE TRIGGER team_counts_mentions_network AFTER UPDATE OF network ON conversations
WHEN old.network IS NOT new.network
BEGIN
	INSERT INTO team_counts (view, manager, network, n)
	SELECT v, mgr, nw, sum(d) FROM (
		SELECT DISTINCT 'mentions' AS v, lower(manager) AS mgr, old.network AS nw, -1 AS d FROM note_mentions WHERE conversation_id = old.id
		UNION ALL
		SELECT DISTINCT 'mentions' AS v, lower(manager) AS mgr, new.network AS nw, 1 AS d FROM note_mentions WHERE conversation_id = old.id)
	WHERE true GROUP BY v, mgr, nw HAVING sum(d) <> 0
	ON CONFLICT (view, manager, network) DO UPDATE SET n = n + excluded.n;
END;

-- A manager's first mention on a conversation counts it; later notes
-- naming them there do not.
CREATE TRIGGER team_counts_mention AFTER INSERT ON note_mentions
WHEN NOT EXISTS (SELECT 1 FROM note_mentions
	WHERE manager = new.manager AND conversation_id = new.conversation_id AND note_id <> new.note_id)
BEGIN
	INSERT INTO team_counts (view, manager, network, n)
	SELECT 'mentions', lower(new.manager), c.network, 1 FROM conversations c WHERE c.id = new.conversation_id
	ON CONFLICT (view, manager, network) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER team_counts_unmention AFTER DELETE ON note_mentions
WHEN NOT EXISTS (SELECT 1 FROM note_mentions WHERE manager = old.manager AND conversation_id = old.conversation_id)
BEGIN
	INSERT INTO team_counts (view, manager, network, n)
	SELECT 'mentions', lower(old.manager), c.network, -1 FROM conversations c WHERE c.id = old.conversation_id
	ON CONFLICT (view, manager, network) DO UPDATE SET n = n - 1;
END;
