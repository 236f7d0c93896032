-- Refresh tokens: opaque, stored as SHA-256 hashes. A login starts a family; each refresh marks the
-- presented token used and issues the next one in the same family, so a token presented twice (stolen
-- and replayed) is recognised and its whole family revoked.
CREATE TABLE refresh_tokens (
    id UUID PRIMARY KEY NOT NULL,
    user_id UUID NOT NULL REFERENCES users (id),
    family_id UUID NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    issued_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE INDEX refresh_tokens_user_id ON refresh_tokens (user_id);
CREATE INDEX refresh_tokens_family_id ON refresh_tokens (family_id);

-- Failed logins within the throttling window, counted by username and by client address. Kept in the
-- database so that every server process sees the same counts.
CREATE TABLE login_failures (
    id UUID PRIMARY KEY NOT NULL,
    username TEXT NOT NULL,
    client_addr TEXT NOT NULL,
    failed_at TIMESTAMP NOT NULL
);
CREATE INDEX login_failures_username ON login_failures (username, failed_at);
CREATE INDEX login_failures_client_addr ON login_failures (client_addr, failed_at);
CREATE INDEX login_failures_failed_at ON login_failures (failed_at);

-- Access tokens carry the epoch they were issued in; raising it (password change, logout everywhere,
-- disabling) makes every access token issued before refused.
ALTER TABLE users ADD COLUMN session_epoch INTEGER NOT NULL DEFAULT 0;
