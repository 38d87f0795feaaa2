-- Quotes: pricing scenarios priced by the billing engine, and the approvals they pass.
CREATE TABLE quotes (
    id {{id}},
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    opportunity_id BIGINT REFERENCES opportunities (id) ON DELETE SET NULL,
    terms TEXT NOT NULL,
    start_date DATE NOT NULL,
    term_months BIGINT NOT NULL,
    what_if_points DOUBLE PRECISION NOT NULL,
    annual_price_cents BIGINT NOT NULL,
    what_if_annual_price_cents BIGINT NOT NULL,
    arr_cents BIGINT NOT NULL,
    arr_change_cents BIGINT NOT NULL,
    list_price_cents BIGINT NOT NULL,
    discount_pct DOUBLE PRECISION NOT NULL,
    approval_threshold_pct DOUBLE PRECISION NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'approved', 'rejected', 'accepted')),
    created_by TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL
);
CREATE INDEX quotes_account_idx ON quotes (account_id);
CREATE INDEX quotes_status_idx ON quotes (status);

CREATE TABLE quote_events (
    id {{id}},
    quote_id BIGINT NOT NULL REFERENCES quotes (id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    changed_by TEXT,
    changed_at {{timestamp}} NOT NULL,
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX quote_events_quote_idx ON quote_events (quote_id);
