-- The date an account's eligibility is stated as of (its latest full file's as-of date or
-- change file's date): the month holding it is partial unless it ends there. Kept beside
-- the ledger so pages read it without decoding member data; empty until the next import.
ALTER TABLE member_ledgers ADD COLUMN as_of DATE;
