-- A pipeline board reads each stage's open opportunities soonest first, a page at a time:
-- one owner's, or everyone's.
CREATE INDEX opportunities_owner_stage_idx ON opportunities (owner_id, stage, close_date);
CREATE INDEX opportunities_stage_idx ON opportunities (stage, close_date);
-- The people who may own work, without reading every client user.
CREATE INDEX users_role_idx ON users (role);
