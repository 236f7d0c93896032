-- Regions (Kemendagri/BPS codes). West Sumatra and its 19 regencies and cities are reference data that
-- every installation needs, so they come with the schema.
CREATE TABLE regions (
    code TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('province', 'regency', 'city')),
    parent_code TEXT REFERENCES regions (code)
);

INSERT INTO regions (code, name, kind, parent_code) VALUES
('13', 'Sumatera Barat', 'province', NULL),
('1301', 'Kepulauan Mentawai', 'regency', '13'),
('1302', 'Pesisir Selatan', 'regency', '13'),
('1303', 'Solok', 'regency', '13'),
('1304', 'Sijunjung', 'regency', '13'),
('1305', 'Tanah Datar', 'regency', '13'),
('1306', 'Padang Pariaman', 'regency', '13'),
('1307', 'Agam', 'regency', '13'),
('1308', 'Lima Puluh Kota', 'regency', '13'),
('1309', 'Pasaman', 'regency', '13'),
('1310', 'Solok Selatan', 'regency', '13'),
('1311', 'Dharmasraya', 'regency', '13'),
('1312', 'Pasaman Barat', 'regency', '13'),
('1371', 'Padang', 'city', '13'),
('1372', 'Solok', 'city', '13'),
('1373', 'Sawahlunto', 'city', '13'),
('1374', 'Padang Panjang', 'city', '13'),
('1375', 'Bukittinggi', 'city', '13'),
('1376', 'Payakumbuh', 'city', '13'),
('1377', 'Pariaman', 'city', '13');

CREATE TABLE organizations (
    id UUID PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    short_name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    sector TEXT NOT NULL,
    parent_id UUID REFERENCES organizations (id),
    region_code TEXT REFERENCES regions (code),
    address TEXT,
    phone TEXT,
    email TEXT,
    website TEXT,
    status TEXT NOT NULL DEFAULT 'active',
    notes TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    created_by UUID
);
CREATE INDEX organizations_parent_id ON organizations (parent_id);
CREATE INDEX organizations_region_code ON organizations (region_code);

CREATE TABLE contacts (
    id UUID PRIMARY KEY NOT NULL,
    organization_id UUID NOT NULL REFERENCES organizations (id),
    full_name TEXT NOT NULL,
    position TEXT,
    phone TEXT,
    email TEXT,
    notes TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    created_by UUID
);
CREATE INDEX contacts_organization_id ON contacts (organization_id, id);

CREATE TABLE users (
    id UUID PRIMARY KEY NOT NULL,
    username TEXT NOT NULL UNIQUE,
    full_name TEXT NOT NULL,
    email TEXT,
    role TEXT NOT NULL CHECK (role IN ('admin', 'bpjs_staff', 'opd_staff', 'partner_staff', 'auditor')),
    organization_id UUID REFERENCES organizations (id),
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    password_hash TEXT NOT NULL,
    password_changed_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    created_by UUID
);
CREATE INDEX users_organization_id ON users (organization_id);

-- The audit trail: append-only, one hash chain. audit_chain holds the head of the chain in one row; a
-- writer updates it first, which serialises writers through the database (a row lock on PostgreSQL, the
-- write lock on SQLite) and keeps the sequence gap-free, since a rolled-back change rolls back its number.
CREATE TABLE audit_chain (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    last_seq BIGINT NOT NULL,
    last_hash TEXT NOT NULL
);
INSERT INTO audit_chain (id, last_seq, last_hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE audit_events (
    seq BIGINT PRIMARY KEY NOT NULL,
    id UUID NOT NULL UNIQUE,
    occurred_at TIMESTAMP NOT NULL,
    actor_user_id UUID,
    actor_username TEXT,
    actor_role TEXT,
    actor_organization_id UUID,
    action TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id TEXT,
    request_id TEXT,
    before_state TEXT,
    after_state TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_events_entity ON audit_events (entity_type, entity_id, seq);
CREATE INDEX audit_events_actor ON audit_events (actor_user_id, seq);
CREATE INDEX audit_events_occurred_at ON audit_events (occurred_at, seq);

-- The database itself refuses to change or remove an audit event.
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only';
END;
$$;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
