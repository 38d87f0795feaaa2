-- Contracts change: each version is kept whole, with who changed it, when and why. A
-- version's terms bill from its `effective_from`; the contract row holds the latest.
ALTER TABLE contracts ADD COLUMN guarantees TEXT NOT NULL DEFAULT '[]';
ALTER TABLE contracts ADD COLUMN terms_from DATE;

CREATE TABLE contract_changes (
    id {{id}},
    contract_id BIGINT NOT NULL REFERENCES contracts (id) ON DELETE CASCADE,
    version BIGINT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('signed', 'amended', 'outcome')),
    effective_from DATE NOT NULL,
    pricing_model TEXT NOT NULL,
    rate_cents BIGINT NOT NULL,
    tiers TEXT NOT NULL,
    annual_escalator_pct DOUBLE PRECISION NOT NULL,
    minimum_annual_commitment_cents BIGINT,
    add_ons TEXT NOT NULL,
    guarantees TEXT NOT NULL,
    end_date DATE NOT NULL,
    notice_days BIGINT NOT NULL,
    auto_renew BOOLEAN NOT NULL,
    renewal_outcome TEXT NOT NULL,
    reason TEXT NOT NULL,
    changed_by TEXT,
    changed_at {{timestamp}} NOT NULL,
    UNIQUE (contract_id, version)
);

-- Contracts written before this kept no history: their terms as they stand were signed
-- as they are.
UPDATE contracts SET terms_from = start_date;
INSERT INTO contract_changes (contract_id, version, kind, effective_from, pricing_model, rate_cents, tiers,
    annual_escalator_pct, minimum_annual_commitment_cents, add_ons, guarantees, end_date, notice_days, auto_renew,
    renewal_outcome, reason, changed_by, changed_at)
SELECT id, version, 'signed', start_date, pricing_model, rate_cents, tiers, annual_escalator_pct,
    minimum_annual_commitment_cents, add_ons, guarantees, end_date, notice_days, auto_renew, renewal_outcome,
    'recorded before contract history was kept', NULL, created_at
FROM contracts;

-- ARR at every month end (DOMAIN.md), written whenever an account's metrics or contracts
-- change, in the same transaction.
CREATE TABLE arr_snapshots (
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    month DATE NOT NULL,
    arr_cents BIGINT NOT NULL,
    at_risk_cents BIGINT NOT NULL,
    PRIMARY KEY (account_id, month)
);
CREATE INDEX arr_snapshots_month_idx ON arr_snapshots (month);
