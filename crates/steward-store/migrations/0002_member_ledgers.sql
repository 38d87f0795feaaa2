-- Member-level data, pseudonymized, one ledger per account (see steward-domain's ledger
-- module for what it holds and steward-store's ledger_codec for its bytes) stored in
-- parts that imports rewrite separately, and the program metrics materialized from it per
-- account and cut, as month-by-month counts.

CREATE TABLE member_ledgers (
    account_id BIGINT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    version BIGINT NOT NULL,
    people BIGINT NOT NULL,
    visits BIGINT NOT NULL,
    survey_responses BIGINT NOT NULL,
    updated_at {{timestamp}} NOT NULL
);

CREATE TABLE member_ledger_parts (
    account_id BIGINT NOT NULL REFERENCES member_ledgers (account_id) ON DELETE CASCADE,
    part TEXT NOT NULL CHECK (part IN ('people', 'visits', 'surveys')),
    data {{bytes}} NOT NULL,
    PRIMARY KEY (account_id, part)
);

-- One row per account and cut: the month-by-month counts from first_month on, as a
-- compact series (see steward-store's series_codec). Pages read a handful of rows.
CREATE TABLE account_metrics (
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    cut_kind TEXT NOT NULL CHECK (cut_kind IN ('all', 'metro', 'worksite')),
    cut_value TEXT{{postgres: COLLATE "C"}} NOT NULL,
    first_month DATE NOT NULL,
    months BIGINT NOT NULL CHECK (months > 0),
    counts {{bytes}} NOT NULL,
    PRIMARY KEY (account_id, cut_kind, cut_value)
){{sqlite: WITHOUT ROWID}};

CREATE TABLE column_mappings (
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    mapping TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL,
    PRIMARY KEY (account_id, name)
);
