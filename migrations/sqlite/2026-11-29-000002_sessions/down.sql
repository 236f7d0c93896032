ALTER TABLE users DROP COLUMN session_epoch;
DROP TABLE login_failures;
DROP TABLE refresh_tokens;
