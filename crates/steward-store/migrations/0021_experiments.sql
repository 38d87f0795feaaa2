-- Experiments: the design a test was launched on, its seed and the split that seed made
-- (one row per unit, with its size when randomized, so the split can be made again), and
-- the reason given when it was launched underpowered. Results are read from the ledgers.
CREATE TABLE experiments (
    id {{id}},
    name TEXT NOT NULL,
    change_tested TEXT NOT NULL,
    unit TEXT NOT NULL CHECK (unit IN ('worksites', 'accounts')),
    account_id BIGINT REFERENCES accounts (id) ON DELETE CASCADE,
    segment TEXT CHECK (segment IN ('mid_market', 'large_enterprise')),
    metric TEXT NOT NULL CHECK (metric IN ('enrollment_rate')),
    baseline DOUBLE PRECISION NOT NULL,
    mde DOUBLE PRECISION NOT NULL,
    alpha DOUBLE PRECISION NOT NULL,
    power DOUBLE PRECISION NOT NULL,
    cluster_size DOUBLE PRECISION NOT NULL,
    icc DOUBLE PRECISION NOT NULL,
    size_cv DOUBLE PRECISION NOT NULL,
    units_per_arm_needed BIGINT NOT NULL,
    planned_power DOUBLE PRECISION NOT NULL,
    seed BIGINT NOT NULL CHECK (seed >= 0),
    start_date DATE NOT NULL,
    end_date DATE NOT NULL,
    override_reason TEXT,
    created_by BIGINT REFERENCES users (id),
    created_at {{timestamp}} NOT NULL,
    CHECK (start_date < end_date),
    CHECK ((unit = 'worksites' AND account_id IS NOT NULL AND segment IS NULL)
        OR (unit = 'accounts' AND account_id IS NULL AND segment IS NOT NULL))
);
CREATE INDEX experiments_account_idx ON experiments (account_id, start_date);

CREATE TABLE experiment_units (
    experiment_id BIGINT NOT NULL REFERENCES experiments (id) ON DELETE CASCADE,
    unit TEXT{{postgres: COLLATE "C"}} NOT NULL,
    size BIGINT NOT NULL CHECK (size >= 0),
    arm TEXT NOT NULL CHECK (arm IN ('treatment', 'control')),
    PRIMARY KEY (experiment_id, unit)
);
