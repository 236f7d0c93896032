-- Calendar feeds: one per user at most, reached by a secret token in its URL (calendar programs cannot
-- send a bearer token). Only the token's SHA-256 is kept; a new token replaces the old one, and deleting
-- the row revokes the feed.
CREATE TABLE calendar_feeds (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_sha256 TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL
);
