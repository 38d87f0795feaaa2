-- Failed sign-ins, counted per key and shared by every server on this database (see
-- steward_domain::throttle). A key is a keyed digest of an address, an account's e-mail
-- or both: no address or e-mail is kept here.
CREATE TABLE sign_in_failures (
    scope TEXT NOT NULL,
    key_digest TEXT NOT NULL,
    failures BIGINT NOT NULL,
    last_failure_at {{timestamp}} NOT NULL,
    -- The failure before the last, put back when the last attempt turns out to succeed,
    -- so a success does not keep old failures from being forgotten.
    previous_failure_at {{timestamp}},
    PRIMARY KEY (scope, key_digest)
);

CREATE INDEX sign_in_failures_age_idx ON sign_in_failures (last_failure_at);
