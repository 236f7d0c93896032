-- The audit trail as a transparency log (docs/audit.md). A write inserts its event and a row of
-- audit_pending, and touches no shared row; the sequencer later gives each pending event the next
-- position of the Merkle tree (audit_leaves), stores the tree's complete inner nodes (audit_nodes) and
-- signs a checkpoint (audit_checkpoints). audit_chain keeps the head of the old hash chain, which ends
-- with the events recorded before this migration.

-- New events are numbered by a sequence (not gap-free: the log's positions are), and the chain's hashes
-- are kept for the old events only.
CREATE SEQUENCE audit_events_seq_seq OWNED BY audit_events.seq;
SELECT setval('audit_events_seq_seq', COALESCE((SELECT MAX(seq) FROM audit_events), 0) + 1, false);
ALTER TABLE audit_events
    ALTER COLUMN seq SET DEFAULT nextval('audit_events_seq_seq'),
    ALTER COLUMN prev_hash DROP NOT NULL,
    ALTER COLUMN hash DROP NOT NULL;

-- Events committed but not yet in the tree. The old chain's events wait here too, and the sequencer
-- takes pending events by `seq`, so they become the first leaves in the chain's order.
CREATE TABLE audit_pending (
    seq BIGINT PRIMARY KEY NOT NULL REFERENCES audit_events (seq)
);
INSERT INTO audit_pending (seq) SELECT seq FROM audit_events ORDER BY seq;

-- Leaf `position` (0-based, gap-free) of the tree holds event `seq`; leaf_hash = SHA-256(0x00 || entry).
CREATE TABLE audit_leaves (
    position BIGINT PRIMARY KEY NOT NULL,
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
-- Which process sequences (the advisory lock decides on PostgreSQL; the row says who won).
CREATE TABLE audit_sequencer (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    holder TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
INSERT INTO audit_sequencer (id, holder, expires_at) VALUES (1, '', 0);

CREATE TRIGGER audit_leaves_no_update BEFORE UPDATE OR DELETE ON audit_leaves
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
