-- The audit trail as a transparency log (docs/audit.md). A write inserts its event and a row of
-- audit_pending, and touches no shared row; the sequencer later gives each pending event the next
-- position of the Merkle tree (audit_leaves), stores the tree's complete inner nodes (audit_nodes) and
-- signs a checkpoint (audit_checkpoints). audit_chain keeps the head of the old hash chain, which ends
-- with the events recorded before this migration.

-- `seq` becomes SQLite's rowid (INTEGER PRIMARY KEY numbers new rows itself), and the chain's hashes
-- are kept for the old events only.
DROP TRIGGER audit_events_no_update;
DROP TRIGGER audit_events_no_delete;
CREATE TABLE audit_events_numbered (
    seq INTEGER PRIMARY KEY NOT NULL,
    id TEXT NOT NULL UNIQUE,
    occurred_at TIMESTAMP NOT NULL,
    actor_user_id TEXT,
    actor_username TEXT,
    actor_role TEXT,
    actor_organization_id TEXT,
    action TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id TEXT,
    request_id TEXT,
    before_state TEXT,
    after_state TEXT,
    prev_hash TEXT,
    hash TEXT
);
INSERT INTO audit_events_numbered SELECT * FROM audit_events;
DROP TABLE audit_events;
ALTER TABLE audit_events_numbered RENAME TO audit_events;
CREATE INDEX audit_events_entity ON audit_events (entity_type, entity_id, seq);
CREATE INDEX audit_events_actor ON audit_events (actor_user_id, seq);
CREATE INDEX audit_events_occurred_at ON audit_events (occurred_at, seq);
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;

-- Events committed but not yet in the tree. The old chain's events wait here too, and the sequencer
-- takes pending events by `seq`, so they become the first leaves in the chain's order.
CREATE TABLE audit_pending (
    seq INTEGER PRIMARY KEY NOT NULL REFERENCES audit_events (seq)
);
INSERT INTO audit_pending (seq) SELECT seq FROM audit_events ORDER BY seq;

-- Leaf `position` (0-based, gap-free) of the tree holds event `seq`; leaf_hash = SHA-256(0x00 || entry).
CREATE TABLE audit_leaves (
    position INTEGER PRIMARY KEY NOT NULL,
    seq BIGINT NOT NULL UNIQUE REFERENCES audit_events (seq),
    leaf_hash TEXT NOT NULL
);
-- The hash of every complete subtree: node `idx` of `level` covers leaves [idx·2^level, (idx+1)·2^level).
CREATE TABLE audit_nodes (
    level INTEGER NOT NULL,
    idx BIGINT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (level, idx)
);
-- One signed checkpoint per sequenced batch (C2SP tlog-checkpoint signed note).
CREATE TABLE audit_checkpoints (
    tree_size BIGINT PRIMARY KEY NOT NULL,
    root_hash TEXT NOT NULL,
    note TEXT NOT NULL,
    sequencer TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
-- Which process sequences, and (SQLite) until when its lease holds.
CREATE TABLE audit_sequencer (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    holder TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
INSERT INTO audit_sequencer (id, holder, expires_at) VALUES (1, '', 0);

CREATE TRIGGER audit_leaves_no_update BEFORE UPDATE ON audit_leaves
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;
CREATE TRIGGER audit_leaves_no_delete BEFORE DELETE ON audit_leaves
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;
