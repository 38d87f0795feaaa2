-- Steward's relational model. One text for both backends: {{id}} and {{timestamp}} are
-- rendered per dialect, and {{sqlite:…}} / {{postgres:…}} hold the few differences.
-- Dates are DATE, instants {{timestamp}}, money whole cents (BIGINT), JSON lists TEXT.
-- Text that lists are sorted by is COLLATE "C" in PostgreSQL: byte order, as in SQLite.
-- Never edit this file once released: add a new migration instead.

CREATE TABLE metros (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

INSERT INTO metros (code, name) VALUES
    ('boston', 'Boston'),
    ('chicago', 'Chicago'),
    ('los_angeles', 'Los Angeles'),
    ('new_york', 'New York'),
    ('phoenix', 'Phoenix'),
    ('seattle', 'Seattle'),
    ('sf_bay_area', 'San Francisco Bay Area'),
    ('washington_dc', 'Washington DC'),
    ('san_diego', 'San Diego'),
    ('other', 'Other');

CREATE TABLE users (
    id {{id}},
    email TEXT{{postgres: COLLATE "C"}} NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'director', 'account_manager', 'colleague', 'client')),
    department TEXT CHECK (department IN ('operations', 'marketing', 'sales', 'clinical', 'it')),
    -- A client user's employer; the reference is added below once accounts exist.
    account_id BIGINT{{sqlite: REFERENCES accounts (id)}},
    password_hash TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    version BIGINT NOT NULL DEFAULT 1,
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL
);

CREATE INDEX users_account_idx ON users (account_id);

CREATE TABLE accounts (
    id {{id}},
    slug TEXT{{postgres: COLLATE "C"}} NOT NULL UNIQUE,
    name TEXT{{postgres: COLLATE "C"}} NOT NULL,
    segment TEXT NOT NULL CHECK (segment IN ('mid_market', 'large_enterprise')),
    industry TEXT NOT NULL DEFAULT '',
    employee_count BIGINT CHECK (employee_count >= 0),
    status TEXT NOT NULL CHECK (status IN ('prospect', 'implementing', 'live', 'churned')),
    parent_id BIGINT REFERENCES accounts (id),
    owner_id BIGINT REFERENCES users (id),
    launch_date DATE,
    fein TEXT,
    enrollment_target DOUBLE PRECISION NOT NULL DEFAULT 0.3
        CHECK (enrollment_target >= 0 AND enrollment_target <= 1),
    version BIGINT NOT NULL DEFAULT 1,
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL
);

CREATE INDEX accounts_owner_idx ON accounts (owner_id);
CREATE INDEX accounts_parent_idx ON accounts (parent_id);

{{postgres:ALTER TABLE users ADD CONSTRAINT users_account_id_fkey FOREIGN KEY (account_id) REFERENCES accounts (id);}}

CREATE TABLE worksites (
    id {{id}},
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name TEXT{{postgres: COLLATE "C"}} NOT NULL,
    metro TEXT NOT NULL REFERENCES metros (code),
    zip3 TEXT,
    headcount BIGINT CHECK (headcount >= 0),
    version BIGINT NOT NULL DEFAULT 1,
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL,
    UNIQUE (account_id, name)
);

CREATE TABLE contacts (
    id {{id}},
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name TEXT{{postgres: COLLATE "C"}} NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    email TEXT,
    phone TEXT,
    role TEXT NOT NULL CHECK (role IN ('executive_sponsor', 'decision_maker', 'champion', 'hr_benefits',
        'broker_consultant', 'finance', 'other')),
    influence BIGINT NOT NULL CHECK (influence BETWEEN 1 AND 5),
    sentiment BIGINT NOT NULL CHECK (sentiment BETWEEN -2 AND 2),
    last_touch DATE,
    version BIGINT NOT NULL DEFAULT 1,
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL
);

CREATE INDEX contacts_account_idx ON contacts (account_id);

CREATE TABLE activities (
    id {{id}},
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('meeting', 'call', 'email', 'note', 'qbr', 'onsite')),
    occurred_at {{timestamp}} NOT NULL,
    author_id BIGINT REFERENCES users (id),
    summary TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL
);

CREATE INDEX activities_account_time_idx ON activities (account_id, occurred_at);

CREATE TABLE activity_contacts (
    activity_id BIGINT NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    contact_id BIGINT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    PRIMARY KEY (activity_id, contact_id)
);

CREATE INDEX activity_contacts_contact_idx ON activity_contacts (contact_id);

CREATE TABLE tasks (
    id {{id}},
    account_id BIGINT REFERENCES accounts (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    owner_id BIGINT REFERENCES users (id),
    department TEXT CHECK (department IN ('operations', 'marketing', 'sales', 'clinical', 'it')),
    due_date DATE,
    status TEXT NOT NULL CHECK (status IN ('open', 'done', 'dismissed')),
    priority TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    escalation BOOLEAN NOT NULL DEFAULT FALSE,
    source TEXT NOT NULL CHECK (source IN ('manual', 'playbook', 'project')),
    source_key TEXT,
    closed_at {{timestamp}},
    version BIGINT NOT NULL DEFAULT 1,
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL,
    CHECK (owner_id IS NOT NULL OR department IS NOT NULL)
);

CREATE INDEX tasks_owner_status_idx ON tasks (owner_id, status);
CREATE INDEX tasks_account_idx ON tasks (account_id);
-- One open task per trigger: the de-duplication playbooks and projects rely on.
CREATE UNIQUE INDEX tasks_open_source_key_idx ON tasks (source_key) WHERE status = 'open';

CREATE TABLE contracts (
    id {{id}},
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    start_date DATE NOT NULL,
    end_date DATE NOT NULL,
    auto_renew BOOLEAN NOT NULL,
    notice_days BIGINT NOT NULL CHECK (notice_days >= 0),
    pricing_model TEXT NOT NULL CHECK (pricing_model IN ('pepm', 'pmpm', 'flat_annual')),
    rate_cents BIGINT NOT NULL CHECK (rate_cents >= 0),
    tiers TEXT NOT NULL DEFAULT '[]',
    annual_escalator_pct DOUBLE PRECISION NOT NULL DEFAULT 0,
    minimum_annual_commitment_cents BIGINT,
    add_ons TEXT NOT NULL DEFAULT '[]',
    renewal_outcome TEXT NOT NULL CHECK (renewal_outcome IN ('renewed', 'churned', 'pending')),
    version BIGINT NOT NULL DEFAULT 1,
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL,
    CHECK (end_date > start_date)
);

CREATE INDEX contracts_account_end_idx ON contracts (account_id, end_date);

CREATE TABLE csat_ratings (
    id {{id}},
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    contact_id BIGINT REFERENCES contacts (id) ON DELETE SET NULL,
    rated_on DATE NOT NULL,
    score BIGINT NOT NULL CHECK (score BETWEEN 1 AND 5),
    version BIGINT NOT NULL DEFAULT 1,
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL
);

CREATE INDEX csat_ratings_account_idx ON csat_ratings (account_id, rated_on);

CREATE TABLE import_batches (
    id {{id}},
    kind TEXT NOT NULL CHECK (kind IN ('eligibility', 'memberships', 'visits', 'surveys', 'csat')),
    format TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    account_id BIGINT REFERENCES accounts (id) ON DELETE CASCADE,
    rows_read BIGINT NOT NULL,
    rows_accepted BIGINT NOT NULL,
    rows_rejected BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('applied', 'refused', 'duplicate')),
    errors TEXT NOT NULL DEFAULT '[]',
    created_by BIGINT REFERENCES users (id),
    created_at {{timestamp}} NOT NULL
);

CREATE INDEX import_batches_hash_idx ON import_batches (content_hash);
CREATE INDEX import_batches_account_idx ON import_batches (account_id, created_at);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at {{timestamp}} NOT NULL
);
