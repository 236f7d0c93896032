-- Attendance by person and the minutes' lifecycle of an activity: the people who attended (each with the
-- organization they came for, optionally the contact they are), the finalisation of the minutes (a row
-- here means the minutes, decisions and attendance are final) and the corrections appended after it.
CREATE TABLE activity_attendees (
    id TEXT PRIMARY KEY NOT NULL,
    activity_id TEXT NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    position TEXT,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    contact_id TEXT REFERENCES contacts (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT
);
CREATE INDEX activity_attendees_activity ON activity_attendees (activity_id, id);
CREATE INDEX activity_attendees_organization ON activity_attendees (organization_id);
CREATE INDEX activity_attendees_contact ON activity_attendees (contact_id);

CREATE TABLE activity_minutes_finals (
    activity_id TEXT PRIMARY KEY NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    finalised_at TIMESTAMP NOT NULL,
    finalised_by TEXT
);

CREATE TABLE activity_minutes_corrections (
    id TEXT PRIMARY KEY NOT NULL,
    activity_id TEXT NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    what TEXT NOT NULL,
    why TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT
);
CREATE INDEX activity_minutes_corrections_activity ON activity_minutes_corrections (activity_id, created_at);
