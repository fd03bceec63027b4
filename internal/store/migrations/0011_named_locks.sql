-- Named locks: a transaction that must not run beside another of its kind
-- updates the lock's row first (see store.Lock); PostgreSQL then makes the
-- other wait until it ends, and SQLite runs one writer at a time anyway.
-- "organisation_names": whoever finds an organisation by name and creates
-- it when missing (imports, join confirmations), so that two of them never
-- create the same organisation twice.
CREATE TABLE named_locks (
    name   TEXT PRIMARY KEY,
    taken  BIGINT NOT NULL DEFAULT 0
);
INSERT INTO named_locks (name, taken) VALUES ('organisation_names', 0);
