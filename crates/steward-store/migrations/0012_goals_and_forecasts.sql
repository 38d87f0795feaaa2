-- Goals a director sets per account manager per year, and the forecast as it was called
-- each week (so "what did we call last week" has an answer).
CREATE TABLE goals (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    year BIGINT NOT NULL,
    gross_retention DOUBLE PRECISION NOT NULL,
    net_retention DOUBLE PRECISION NOT NULL,
    bookings_cents BIGINT NOT NULL,
    set_by TEXT,
    set_at {{timestamp}} NOT NULL,
    PRIMARY KEY (user_id, year)
);

CREATE TABLE forecast_snapshots (
    week DATE NOT NULL,
    quarter TEXT NOT NULL,
    -- '' for the company's.
    owner TEXT NOT NULL,
    won_cents BIGINT NOT NULL,
    commit_cents BIGINT NOT NULL,
    best_case_cents BIGINT NOT NULL,
    pipeline_cents BIGINT NOT NULL,
    taken_at {{timestamp}} NOT NULL,
    PRIMARY KEY (week, quarter, owner)
);
