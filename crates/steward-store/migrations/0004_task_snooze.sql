-- A snoozed task stays open but leaves the work queue until the date.
ALTER TABLE tasks ADD COLUMN snoozed_until DATE;
