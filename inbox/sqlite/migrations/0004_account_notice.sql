-- A standing note about an account that is not an error (e.g. a feature
-- the network no longer offers), shown once in parley accounts.
ALTER TABLE accounts ADD COLUMN notice TEXT NOT NULL DEFAULT '';
