-- Negativity scores at ingest, the reasons behind them, and the manager's
-- manual marks kept as labelled examples.
ALTER TABLE messages ADD COLUMN sentiment TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN sentiment_score REAL NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN lang TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN reasons TEXT NOT NULL DEFAULT '[]';
ALTER TABLE conversations ADD COLUMN neg_reasons TEXT NOT NULL DEFAULT '[]';

CREATE TABLE labelled_examples (
	id              INTEGER PRIMARY KEY,
	conversation_id INTEGER NOT NULL,
	text            TEXT    NOT NULL,
	label           TEXT    NOT NULL CHECK (label IN ('negative', 'not_negative')),
	actor           TEXT    NOT NULL,
	at              INTEGER NOT NULL
);
