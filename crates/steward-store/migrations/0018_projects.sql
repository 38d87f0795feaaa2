-- Implementation projects: a plan made from a template for an account, its tasks with the
-- baseline frozen at launch and what has happened, and the finish-to-start links between
-- them. The schedule is worked out from these on read (steward_domain::schedule).
CREATE TABLE projects (
    id {{id}},
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    template TEXT NOT NULL,
    title TEXT NOT NULL,
    owner_id BIGINT REFERENCES users (id),
    start_date DATE NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'done', 'cancelled')),
    version BIGINT NOT NULL DEFAULT 1,
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL
);
CREATE INDEX projects_account_idx ON projects (account_id);
CREATE INDEX projects_owner_idx ON projects (owner_id);

CREATE TABLE project_tasks (
    id {{id}},
    project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    task_key TEXT NOT NULL,
    name TEXT NOT NULL,
    department TEXT CHECK (department IN ('operations', 'marketing', 'sales', 'clinical', 'it')),
    client BOOLEAN NOT NULL DEFAULT FALSE,
    owner_id BIGINT REFERENCES users (id),
    duration_days BIGINT NOT NULL CHECK (duration_days >= 0),
    actual_start DATE,
    actual_finish DATE,
    baseline_start DATE,
    baseline_finish DATE,
    completed_by TEXT CHECK (completed_by IN ('eligibility_file_accepted')),
    go_live BOOLEAN NOT NULL DEFAULT FALSE,
    version BIGINT NOT NULL DEFAULT 1,
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL,
    UNIQUE (project_id, task_key),
    CHECK (NOT (client AND department IS NOT NULL))
);
CREATE INDEX project_tasks_owner_idx ON project_tasks (owner_id);

CREATE TABLE project_links (
    task_id BIGINT NOT NULL REFERENCES project_tasks (id) ON DELETE CASCADE,
    on_task_id BIGINT NOT NULL REFERENCES project_tasks (id) ON DELETE CASCADE,
    lag_days BIGINT NOT NULL DEFAULT 0 CHECK (lag_days >= 0),
    PRIMARY KEY (task_id, on_task_id),
    CHECK (task_id <> on_task_id)
);
CREATE INDEX project_links_on_idx ON project_links (on_task_id);
