-- One way to write a quarter: forecast snapshots were kept under "2027Q1", everything else
-- (reviews, pages, the API) writes "2027-Q1".
UPDATE forecast_snapshots
SET quarter = substr(quarter, 1, 4) || '-Q' || substr(quarter, 6)
WHERE quarter NOT LIKE '%-%';
