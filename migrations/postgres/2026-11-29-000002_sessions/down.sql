ALTER TABLE users DROP COLUMN sessions_revoked_at;
DROP TABLE login_failures;
DROP TABLE refresh_tokens;
