-- Quarterly business reviews as generated for clients: each version's PDF and CSV, the
-- inputs it was made from (the member ledger's version and the date the data were as of),
-- a digest of its PDF (a regeneration that changes nothing is no new version), and who
-- generated and who published it. A client sees a quarter's latest published version.
CREATE TABLE reports (
    id {{id}},
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    quarter TEXT{{postgres: COLLATE "C"}} NOT NULL CHECK (quarter LIKE '____-Q_'),
    version BIGINT NOT NULL CHECK (version >= 1),
    ledger_version BIGINT,
    data_as_of DATE,
    digest TEXT NOT NULL,
    pdf {{bytes}} NOT NULL,
    csv TEXT NOT NULL,
    generated_by BIGINT REFERENCES users (id),
    generated_at {{timestamp}} NOT NULL,
    published_by BIGINT REFERENCES users (id),
    published_at {{timestamp}},
    UNIQUE (account_id, quarter, version)
);
