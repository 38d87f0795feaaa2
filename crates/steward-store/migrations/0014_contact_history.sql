-- Stakeholders change: each version is kept, with who changed it and when; a contact who
-- left is retired (kept for the history, no longer listed).
ALTER TABLE contacts ADD COLUMN retired_on DATE;

CREATE TABLE contact_changes (
    id {{id}},
    contact_id BIGINT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    version BIGINT NOT NULL,
    change TEXT NOT NULL CHECK (change IN ('added', 'edited', 'retired')),
    name TEXT NOT NULL,
    title TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    role TEXT NOT NULL,
    influence BIGINT NOT NULL,
    sentiment BIGINT NOT NULL,
    changed_by TEXT,
    changed_at {{timestamp}} NOT NULL
);
CREATE INDEX contact_changes_contact_idx ON contact_changes (contact_id);

INSERT INTO contact_changes (contact_id, version, change, name, title, email, phone, role, influence, sentiment,
    changed_by, changed_at)
SELECT id, version, 'added', name, title, email, phone, role, influence, sentiment, NULL, created_at FROM contacts;
