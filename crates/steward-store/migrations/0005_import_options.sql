-- The options that change what a file means (the same bytes with another as-of date,
-- mapping, dependent REF or member-id system are another import), and what a batch knows
-- beyond its counts: the standard it declared, how member ids were formed, rows ignored
-- by type, warnings for the sender.
ALTER TABLE import_batches ADD COLUMN options TEXT NOT NULL DEFAULT '';
ALTER TABLE import_batches ADD COLUMN details TEXT NOT NULL DEFAULT '{}';
