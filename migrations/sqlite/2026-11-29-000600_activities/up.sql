-- Activities (meetings, sosialisasi, pembinaan, ...) with their participants, decisions and CGR components,
-- the action items they decide, the outcomes of the collaboration, and coverage targets and realisation.
-- Derived values (coverage achievement and zone) are never stored.
CREATE TABLE activities (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('coordination_meeting', 'regulation_drafting', 'sosialisasi', 'pembinaan',
        'monev', 'bimtek', 'publication', 'field_visit', 'other')),
    title TEXT NOT NULL,
    agreement_id TEXT REFERENCES agreements (id),
    scope TEXT CHECK (scope IN ('regulation', 'budget', 'sosialisasi', 'pembinaan', 'monev',
        'enrolment', 'data_sharing', 'service', 'compliance')),
    organizer_organization_id TEXT NOT NULL REFERENCES organizations (id),
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP,
    location TEXT,
    status TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'held', 'cancelled')),
    audience TEXT,
    people_reached INTEGER CHECK (people_reached IS NULL OR people_reached >= 0),
    minutes TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    created_by TEXT,
    CHECK (ends_at IS NULL OR ends_at >= starts_at)
);
CREATE INDEX activities_agreement ON activities (agreement_id);
CREATE INDEX activities_organizer ON activities (organizer_organization_id);
CREATE INDEX activities_starts_at ON activities (starts_at);

CREATE TABLE activity_participants (
    activity_id TEXT NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    attendees INTEGER CHECK (attendees IS NULL OR attendees >= 0),
    ordinal INTEGER NOT NULL,
    PRIMARY KEY (activity_id, organization_id)
);
CREATE INDEX activity_participants_organization ON activity_participants (organization_id, activity_id);

CREATE TABLE activity_decisions (
    activity_id TEXT NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    decision TEXT NOT NULL,
    PRIMARY KEY (activity_id, ordinal)
);

CREATE TABLE activity_cgr_components (
    activity_id TEXT NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    component TEXT NOT NULL CHECK (component IN ('discovery', 'definition', 'deliberation', 'determination',
        'trust', 'mutual_understanding', 'internal_legitimacy', 'shared_commitment', 'procedural_arrangements',
        'leadership', 'knowledge', 'resources')),
    PRIMARY KEY (activity_id, component)
);
CREATE INDEX activity_cgr_components_component ON activity_cgr_components (component, activity_id);

CREATE TABLE action_items (
    id TEXT PRIMARY KEY NOT NULL,
    activity_id TEXT NOT NULL REFERENCES activities (id),
    description TEXT NOT NULL,
    owner_organization_id TEXT NOT NULL REFERENCES organizations (id),
    due_on DATE,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'dropped')),
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    created_by TEXT
);
CREATE INDEX action_items_activity ON action_items (activity_id, id);
CREATE INDEX action_items_owner ON action_items (owner_organization_id, status);

CREATE TABLE outcomes (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('enrolment', 'regulation_enacted', 'budget_allocated', 'people_reached',
        'other')),
    title TEXT NOT NULL,
    value BIGINT NOT NULL CHECK (value >= 0),
    unit TEXT NOT NULL CHECK (unit IN ('people', 'idr', 'documents', 'sessions', 'other')),
    segment TEXT CHECK (segment IN ('pu', 'bpu', 'jakon', 'pmi', 'total')),
    period_start DATE NOT NULL,
    period_end DATE NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    agreement_id TEXT REFERENCES agreements (id),
    activity_id TEXT REFERENCES activities (id),
    commitment_id TEXT REFERENCES commitments (id),
    regulation_id TEXT REFERENCES regulations (id),
    evidence TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    created_by TEXT,
    CHECK (period_end >= period_start)
);
CREATE INDEX outcomes_organization ON outcomes (organization_id);
CREATE INDEX outcomes_agreement ON outcomes (agreement_id);
CREATE INDEX outcomes_activity ON outcomes (activity_id);

CREATE TABLE coverage (
    id TEXT PRIMARY KEY NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions (code),
    segment TEXT NOT NULL CHECK (segment IN ('pu', 'bpu', 'jakon', 'pmi', 'total')),
    period TEXT NOT NULL,
    target BIGINT NOT NULL CHECK (target >= 0),
    realization BIGINT NOT NULL CHECK (realization >= 0),
    source TEXT,
    note TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    created_by TEXT,
    UNIQUE (region_code, segment, period)
);
CREATE INDEX coverage_order ON coverage (region_code, period, segment);
