-- Back to the hash chain alone: the log's tables go; events recorded since have no chain hash and stay.
DROP TABLE audit_sequencer;
DROP TABLE audit_checkpoints;
DROP TABLE audit_nodes;
DROP TABLE audit_leaves;
DROP TABLE audit_pending;
ALTER TABLE audit_events ALTER COLUMN seq DROP DEFAULT;
DROP SEQUENCE audit_events_seq_seq;
