-- Renewal, upsell and expansion opportunities with their stage history.
CREATE TABLE opportunities (
    id {{id}},
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('renewal', 'upsell', 'expansion')),
    scope TEXT CHECK (scope IN ('new_worksite', 'new_metro', 'subsidiary', 'add_on_service')),
    title TEXT NOT NULL,
    stage TEXT NOT NULL CHECK (stage IN ('identified', 'proposal', 'negotiation', 'verbal', 'closed_won', 'closed_lost')),
    amount_cents BIGINT NOT NULL,
    renewing_arr_cents BIGINT,
    close_date DATE NOT NULL,
    forecast_category TEXT NOT NULL CHECK (forecast_category IN ('commit', 'best_case', 'pipeline', 'omitted')),
    category_overridden BOOLEAN NOT NULL DEFAULT FALSE,
    owner_id BIGINT REFERENCES users (id),
    contract_id BIGINT REFERENCES contracts (id) ON DELETE CASCADE,
    lost_reason TEXT,
    closed_on DATE,
    version BIGINT NOT NULL DEFAULT 1,
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL,
    CHECK (kind <> 'renewal' OR contract_id IS NOT NULL)
);
CREATE INDEX opportunities_account_idx ON opportunities (account_id);
CREATE INDEX opportunities_close_idx ON opportunities (close_date);
-- Exactly one renewal per contract term, whatever runs twice or on two servers.
CREATE UNIQUE INDEX opportunities_one_renewal_per_term_idx ON opportunities (contract_id) WHERE kind = 'renewal';

CREATE TABLE opportunity_stages (
    id {{id}},
    opportunity_id BIGINT NOT NULL REFERENCES opportunities (id) ON DELETE CASCADE,
    from_stage TEXT,
    to_stage TEXT NOT NULL,
    changed_by TEXT,
    changed_at {{timestamp}} NOT NULL,
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX opportunity_stages_opportunity_idx ON opportunity_stages (opportunity_id);
