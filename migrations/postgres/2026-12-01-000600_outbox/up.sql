-- The outbox: every email and webhook call to make, written in the transaction that decides it (a
-- change, or a reminder pass) under a unique key, so that one occurrence is sent once. Workers in any
-- server process claim due rows for a while (claimed_until), send, and mark them sent; a claim that
-- expires without that (a crash) is claimed again, so delivery is at least once.
CREATE TABLE outbox (
    id UUID PRIMARY KEY NOT NULL,
    dedupe_key TEXT NOT NULL UNIQUE,
    channel TEXT NOT NULL,
    target TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    claimed_until TIMESTAMP,
    claimed_by TEXT,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status = 'queued';
