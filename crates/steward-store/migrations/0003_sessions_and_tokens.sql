-- Who is signed in, and with what. Only keyed digests of session ids and API tokens are
-- stored: a copy of the database signs nobody in.

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at {{timestamp}} NOT NULL,
    expires_at {{timestamp}} NOT NULL
);

CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_expiry_idx ON sessions (expires_at);

CREATE TABLE api_tokens (
    id {{id}},
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    -- The first characters, to tell tokens apart in lists; not enough to use one.
    prefix TEXT NOT NULL,
    created_at {{timestamp}} NOT NULL,
    last_used_at {{timestamp}},
    revoked_at {{timestamp}},
    version BIGINT NOT NULL DEFAULT 1
);

CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);
