-- A task that serves the account's renewal takes the renewal's deadlines (the notice
-- deadline, the contract end) as its own in the work queue; any other task ranks by its
-- own due date alone.
ALTER TABLE tasks ADD COLUMN for_renewal BOOLEAN NOT NULL DEFAULT FALSE;
