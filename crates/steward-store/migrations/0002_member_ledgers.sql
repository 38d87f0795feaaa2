-- Member-level data, pseudonymized, one ledger per account (see steward-domain's ledger
-- module for what it holds and steward-store's ledger_codec for its bytes), and the
-- program metrics materialized from it per account, cut and month, as counts.

CREATE TABLE member_ledgers (
    account_id BIGINT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    version BIGINT NOT NULL,
    people BIGINT NOT NULL,
    visits BIGINT NOT NULL,
    survey_responses BIGINT NOT NULL,
    data {{bytes}} NOT NULL,
    updated_at {{timestamp}} NOT NULL
);

CREATE TABLE account_metrics (
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    cut_kind TEXT NOT NULL CHECK (cut_kind IN ('all', 'metro', 'worksite')),
    cut_value TEXT{{postgres: COLLATE "C"}} NOT NULL,
    month DATE NOT NULL,
    eligible_lives BIGINT NOT NULL,
    eligible_employees BIGINT NOT NULL,
    enrolled_members BIGINT NOT NULL,
    new_enrollments BIGINT NOT NULL,
    visits_in_office BIGINT NOT NULL,
    visits_video BIGINT NOT NULL,
    visits_remote_other BIGINT NOT NULL,
    unmatched_visits BIGINT NOT NULL,
    active_members_12m BIGINT NOT NULL,
    visits_12m BIGINT NOT NULL,
    virtual_visits_12m BIGINT NOT NULL,
    member_months_12m BIGINT NOT NULL,
    promoters_12m BIGINT NOT NULL,
    detractors_12m BIGINT NOT NULL,
    responses_12m BIGINT NOT NULL,
    PRIMARY KEY (account_id, cut_kind, cut_value, month)
);

CREATE TABLE column_mappings (
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    mapping TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL,
    PRIMARY KEY (account_id, name)
);
