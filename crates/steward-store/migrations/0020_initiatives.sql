-- Engagement initiatives: what was done for a client's employees, for whom (the target, as
-- JSON: the whole account, worksites or metros), when, by whom, at what cost, and the
-- metric it meant to move. Status and impact are worked out from the dates and the ledger.
CREATE TABLE initiatives (
    id {{id}},
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('email_campaign', 'webinar', 'onsite_event', 'benefits_fair', 'flu_shot_clinic',
        'manager_toolkit', 'other')),
    title TEXT NOT NULL,
    target TEXT NOT NULL,
    start_date DATE NOT NULL,
    end_date DATE NOT NULL,
    owner_id BIGINT REFERENCES users (id),
    cost_cents BIGINT CHECK (cost_cents >= 0),
    metric TEXT NOT NULL CHECK (metric IN ('enrollment_rate', 'new_enrollments', 'utilization', 'visits_per_1000')),
    notes TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL,
    CHECK (start_date <= end_date)
);
CREATE INDEX initiatives_account_idx ON initiatives (account_id, start_date);
