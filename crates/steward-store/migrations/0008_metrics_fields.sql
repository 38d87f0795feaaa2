-- How many counts each month of a stored series holds. Series written before the count of a
-- quarter's visitors existed hold 15 and read it as none (client visit figures hidden)
-- until `refresh_outdated_metrics` recomputes them from the ledger at the next start.
ALTER TABLE account_metrics ADD COLUMN counts_fields BIGINT NOT NULL DEFAULT 15;
