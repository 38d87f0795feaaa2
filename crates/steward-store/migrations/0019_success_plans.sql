-- Success plans: the objectives an account manager agrees with a client ("enrollment 30% by
-- renewal"), each on one program metric with a target and a target date. Their status is
-- worked out from the metrics on read, never stored. A task may serve one objective.
CREATE TABLE success_objectives (
    id {{id}},
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    metric TEXT NOT NULL CHECK (metric IN ('enrollment_rate', 'utilization_rate', 'nps')),
    target DOUBLE PRECISION NOT NULL,
    agreed_on DATE NOT NULL,
    target_date DATE NOT NULL,
    closed BOOLEAN NOT NULL DEFAULT FALSE,
    created_by TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL,
    CHECK (agreed_on <= target_date)
);
CREATE INDEX success_objectives_account_idx ON success_objectives (account_id);

ALTER TABLE tasks ADD COLUMN objective_id BIGINT REFERENCES success_objectives (id) ON DELETE SET NULL;
CREATE INDEX tasks_objective_idx ON tasks (objective_id);

-- A contract's billing can start at go-live: its term moves to start that day, kept as a
-- version of kind 'started'. SQLite cannot change a CHECK in place, so its table is rebuilt
-- (with the trigger 0017 put on it).
{{sqlite:
CREATE TABLE contract_changes_new (
    id INTEGER PRIMARY KEY,
    contract_id BIGINT NOT NULL REFERENCES contracts (id) ON DELETE CASCADE,
    version BIGINT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('signed', 'amended', 'outcome', 'started')),
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
    changed_at TIMESTAMP NOT NULL,
    UNIQUE (contract_id, version)
);
INSERT INTO contract_changes_new SELECT * FROM contract_changes;
DROP TABLE contract_changes;
ALTER TABLE contract_changes_new RENAME TO contract_changes;
CREATE TRIGGER contract_changes_count_i AFTER INSERT ON contract_changes BEGIN UPDATE accounts SET data_changes = data_changes + 1 WHERE id = (SELECT account_id FROM contracts WHERE id = NEW.contract_id); END;
}}{{postgres:
ALTER TABLE contract_changes DROP CONSTRAINT contract_changes_kind_check;
ALTER TABLE contract_changes ADD CONSTRAINT contract_changes_kind_check
    CHECK (kind IN ('signed', 'amended', 'outcome', 'started'));
}}
