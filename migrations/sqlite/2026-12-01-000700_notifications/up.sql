-- Reminder rules: which records are reminded of, how many days ahead (or idle), and who is told.
CREATE TABLE notification_rules (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    days INTEGER NOT NULL,
    audience TEXT NOT NULL,
    enabled BOOLEAN NOT NULL,
    version INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    created_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    UNIQUE (kind, days)
);
INSERT INTO notification_rules (id, kind, days, audience, enabled, version, created_at, updated_at) VALUES
    ('0193a5c0-0000-7000-8000-000000000001', 'commitment_due', 14, 'responsible', TRUE, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('0193a5c0-0000-7000-8000-000000000002', 'commitment_due', 3, 'responsible', TRUE, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('0193a5c0-0000-7000-8000-000000000003', 'commitment_overdue', 0, 'responsible', TRUE, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('0193a5c0-0000-7000-8000-000000000004', 'action_item_due', 3, 'responsible', TRUE, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('0193a5c0-0000-7000-8000-000000000005', 'action_item_overdue', 0, 'responsible', TRUE, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('0193a5c0-0000-7000-8000-000000000006', 'agreement_expiring', 90, 'agreement_parties', TRUE, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('0193a5c0-0000-7000-8000-000000000007', 'agreement_expiring', 30, 'agreement_parties', TRUE, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('0193a5c0-0000-7000-8000-000000000008', 'draft_agreement_idle', 30, 'agreement_parties', TRUE, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP);

-- One row per occurrence a rule fired for, so that it fires once: (rule, record, the date it is about).
CREATE TABLE reminder_occurrences (
    rule_id TEXT NOT NULL REFERENCES notification_rules (id) ON DELETE CASCADE,
    subject_id TEXT NOT NULL,
    due_on DATE NOT NULL,
    fired_at TIMESTAMP NOT NULL,
    PRIMARY KEY (rule_id, subject_id, due_on)
);

-- A user's notices. `in_app` ones are listed (unread first); `digest_pending` ones wait for the
-- user's next daily email.
CREATE TABLE notifications (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    parent_id TEXT,
    title TEXT NOT NULL,
    due_on DATE NOT NULL,
    in_app BOOLEAN NOT NULL,
    is_read BOOLEAN NOT NULL DEFAULT FALSE,
    read_at TIMESTAMP,
    digest_pending BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX notifications_inbox ON notifications (user_id, is_read, id) WHERE in_app;
CREATE INDEX notifications_digest ON notifications (user_id) WHERE digest_pending;

-- How a user wants each kind of reminder (none, in_app, email, both); no row means both.
CREATE TABLE notification_preferences (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    PRIMARY KEY (user_id, kind)
);

-- Records a user muted: no reminders about them.
CREATE TABLE notification_mutes (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    subject_id TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, subject_id)
);

-- A user's own settings (the language of emails and of the console).
CREATE TABLE user_settings (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    language TEXT NOT NULL
);
