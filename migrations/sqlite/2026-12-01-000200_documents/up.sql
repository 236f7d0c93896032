-- Documents attached to an agreement, an amendment, an activity, a commitment progress report or an
-- outcome. The content lives in the database in chunks (document_chunks), so that memory stays flat while
-- a file goes in or out and every server process on the database sees the same files. A document is
-- written whole, with its audit event, in one transaction: a half upload is never visible.
CREATE TABLE documents (
    id TEXT PRIMARY KEY NOT NULL,
    owner_kind TEXT NOT NULL CHECK (owner_kind IN ('agreement', 'amendment', 'activity', 'commitment_update',
        'outcome')),
    owner_id TEXT NOT NULL,
    file_name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL CHECK (size_bytes >= 0),
    sha256 TEXT NOT NULL,
    chunk_size INTEGER NOT NULL CHECK (chunk_size > 0),
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT
);
CREATE INDEX documents_owner ON documents (owner_kind, owner_id, id);

CREATE TABLE document_chunks (
    document_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL CHECK (seq >= 0),
    data BLOB NOT NULL,
    PRIMARY KEY (document_id, seq)
);
