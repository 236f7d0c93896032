-- Short names are unique whatever their case ("BPJS-PDG" and "bpjs-pdg" name one organization).
CREATE UNIQUE INDEX organizations_short_name_lower ON organizations (LOWER(short_name));
CREATE INDEX organizations_name_lower ON organizations (LOWER(name));
CREATE INDEX organizations_created_by ON organizations (created_by);

-- Legal instruments. One instrument is one (kind, number, year, issuer); number and issuer compare
-- without case.
CREATE TABLE regulations (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    number TEXT NOT NULL,
    year INTEGER NOT NULL,
    title TEXT NOT NULL,
    issuer TEXT NOT NULL,
    status TEXT NOT NULL,
    enacted_on DATE,
    summary TEXT,
    url TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    created_by TEXT
);
CREATE UNIQUE INDEX regulations_identity ON regulations (kind, LOWER(number), year, LOWER(issuer));

-- Idempotency-Key of creating POSTs: the first response to a (user, key), kept 24 hours. The row is
-- inserted in the same transaction as the record it creates, so a key is never kept without its record.
CREATE TABLE idempotency_keys (
    user_id TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INTEGER,
    location TEXT,
    etag TEXT,
    body TEXT,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, idempotency_key)
);
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
