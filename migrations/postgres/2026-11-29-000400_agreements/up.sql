-- Agreements (MoU, Nota Kesepakatan, PKS), their parties, scopes and legal basis, the amendments that
-- change an active agreement, and the commitments under it with their append-only progress log.
-- Parties, scopes and legal basis are child tables so that filters stay plain SQL on both backends.
-- `expired` is never stored: it is derived from effective_until and today's date.
CREATE TABLE agreements (
    id UUID PRIMARY KEY NOT NULL,
    number TEXT UNIQUE,
    title TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('nota_kesepahaman', 'nota_kesepakatan', 'perjanjian_kerja_sama',
        'kerja_sama_operasional', 'kerja_sama_fungsional', 'other')),
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'active', 'terminated')),
    signed_on DATE,
    effective_from DATE,
    effective_until DATE,
    summary TEXT,
    confidentiality TEXT NOT NULL DEFAULT 'internal' CHECK (confidentiality IN ('internal', 'restricted')),
    terminated_on DATE,
    termination_reason TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    created_by UUID,
    CHECK (effective_until IS NULL OR effective_from IS NULL OR effective_until >= effective_from)
);
CREATE INDEX agreements_status ON agreements (status, effective_until);
CREATE INDEX agreements_signed_on ON agreements (signed_on);

CREATE TABLE agreement_parties (
    agreement_id UUID NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
    organization_id UUID NOT NULL REFERENCES organizations (id),
    role TEXT NOT NULL CHECK (role IN ('first_party', 'second_party', 'party', 'witness')),
    signatory_name TEXT,
    signatory_position TEXT,
    ordinal INTEGER NOT NULL,
    PRIMARY KEY (agreement_id, organization_id)
);
CREATE INDEX agreement_parties_organization ON agreement_parties (organization_id, agreement_id);

CREATE TABLE agreement_scopes (
    agreement_id UUID NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
    scope TEXT NOT NULL CHECK (scope IN ('regulation', 'budget', 'sosialisasi', 'pembinaan', 'monev',
        'enrolment', 'data_sharing', 'service', 'compliance')),
    PRIMARY KEY (agreement_id, scope)
);
CREATE INDEX agreement_scopes_scope ON agreement_scopes (scope, agreement_id);

CREATE TABLE agreement_legal_basis (
    agreement_id UUID NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
    regulation_id UUID NOT NULL REFERENCES regulations (id),
    PRIMARY KEY (agreement_id, regulation_id)
);
CREATE INDEX agreement_legal_basis_regulation ON agreement_legal_basis (regulation_id);

-- Amendments (addenda) are kept as signed: never changed, never removed.
CREATE TABLE amendments (
    id UUID PRIMARY KEY NOT NULL,
    agreement_id UUID NOT NULL REFERENCES agreements (id),
    number TEXT NOT NULL,
    signed_on DATE NOT NULL,
    summary TEXT NOT NULL,
    changes TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by UUID,
    UNIQUE (agreement_id, number)
);
CREATE INDEX amendments_agreement ON amendments (agreement_id, id);

CREATE TABLE commitments (
    id UUID PRIMARY KEY NOT NULL,
    agreement_id UUID NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    description TEXT,
    responsible_organization_id UUID NOT NULL REFERENCES organizations (id),
    scope TEXT CHECK (scope IN ('regulation', 'budget', 'sosialisasi', 'pembinaan', 'monev',
        'enrolment', 'data_sharing', 'service', 'compliance')),
    due_on DATE,
    target_value BIGINT,
    target_unit TEXT,
    status TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'in_progress', 'fulfilled', 'missed',
        'cancelled')),
    progress_pct INTEGER NOT NULL DEFAULT 0 CHECK (progress_pct BETWEEN 0 AND 100),
    value_achieved BIGINT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    created_by UUID
);
CREATE INDEX commitments_agreement ON commitments (agreement_id, id);
CREATE INDEX commitments_responsible ON commitments (responsible_organization_id);

CREATE TABLE commitment_updates (
    id UUID PRIMARY KEY NOT NULL,
    commitment_id UUID NOT NULL REFERENCES commitments (id) ON DELETE CASCADE,
    reported_on DATE NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('planned', 'in_progress', 'fulfilled', 'missed', 'cancelled')),
    progress_pct INTEGER NOT NULL CHECK (progress_pct BETWEEN 0 AND 100),
    value_achieved BIGINT,
    note TEXT,
    created_at TIMESTAMP NOT NULL,
    created_by UUID
);
CREATE INDEX commitment_updates_commitment ON commitment_updates (commitment_id, id);
