"""The monthly program metrics of DOMAIN.md computed by DuckDB straight from a demo-files
directory (census CSVs, memberships.csv, visits.csv, surveys.csv): what a data team would
write instead of importing into Steward. Written to be fast, not naive: month coverage
by difference arrays, "active" by an ASOF join. It assumes, as the demo files guarantee,
that one person's eligibility spans do not overlap.

usage: python3 bench/duckdb_metrics.py DIR OUT.csv
"""
import sys

import duckdb

src, out = sys.argv[1], sys.argv[2]
con = duckdb.connect()
con.execute("SET preserve_insertion_order = false")
q = con.execute

q(f"""
CREATE TABLE elig AS
SELECT regexp_extract(filename, 'eligibility/([^/]+)/census-', 1) AS account,
       member_id,
       relationship = 'employee' AS employee,
       CAST(coverage_start AS DATE) AS s,
       CAST(NULLIF(coverage_end, '') AS DATE) AS e,
       CAST(regexp_extract(filename, 'census-([0-9-]+)[.]csv', 1) AS DATE) AS as_of
FROM read_csv('{src}/eligibility/*/census-*.csv', filename = true, header = true, all_varchar = true)
""")
q(f"""
CREATE TABLE memb AS
SELECT account, member_id, CAST(membership_start AS DATE) AS s, CAST(NULLIF(membership_end, '') AS DATE) AS e
FROM read_csv('{src}/memberships.csv', header = true, all_varchar = true)
""")
q(f"""
CREATE TABLE visits AS
SELECT account, member_id, CAST(visit_date AS DATE) AS d, modality, status = 'completed' AS completed
FROM read_csv('{src}/visits.csv', header = true, all_varchar = true)
""")
q(f"""
CREATE TABLE surveys AS
SELECT account, NULLIF(member_id, '') AS member_id, CAST(response_date AS DATE) AS d, CAST(score AS INTEGER) AS score
FROM read_csv('{src}/surveys.csv', header = true, all_varchar = true)
""")

# An account's months: first month with eligibility to the last month with any data
# (end dates are not data).
q("""
CREATE TABLE bounds AS
WITH first AS (SELECT account, min(s) AS first_day FROM elig GROUP BY account),
dates AS (
    SELECT account, s AS d FROM elig UNION ALL SELECT account, as_of FROM elig
    UNION ALL SELECT account, s FROM memb
    UNION ALL SELECT account, d FROM visits UNION ALL SELECT account, d FROM surveys
)
SELECT f.account, date_trunc('month', f.first_day)::DATE AS first_month, date_trunc('month', max(d.d))::DATE AS last_month
FROM first f JOIN dates d USING (account) GROUP BY f.account, f.first_day
""")
q("""
CREATE TABLE months AS
SELECT account, first_month, CAST(m AS DATE) AS month, datediff('month', first_month, m) AS i
FROM bounds, LATERAL (SELECT unnest(generate_series(first_month, last_month, INTERVAL 1 MONTH)) AS m)
""")

# Month indexes whose last day a span covers: [lo, hi).
q("""
CREATE MACRO covered_lo(first_month, s) AS greatest(datediff('month', first_month, s), 0);
CREATE MACRO covered_hi(first_month, e) AS CASE WHEN e IS NULL THEN 100000
    WHEN e = last_day(e) THEN datediff('month', first_month, e) + 1
    ELSE datediff('month', first_month, e) END;
""")
q("""
CREATE TABLE stock_deltas AS
WITH spans AS (
    SELECT e.account, covered_lo(b.first_month, e.s) AS lo, covered_hi(b.first_month, e.e) AS hi, e.employee, 1 AS eligible, 0 AS enrolled
    FROM elig e JOIN bounds b USING (account)
    UNION ALL
    SELECT e.account, covered_lo(b.first_month, greatest(e.s, m.s)), covered_hi(b.first_month, least(coalesce(e.e, m.e), coalesce(m.e, e.e))),
           false, 0, 1
    FROM elig e JOIN memb m USING (account, member_id) JOIN bounds b ON b.account = e.account
    WHERE greatest(e.s, m.s) <= coalesce(least(coalesce(e.e, m.e), coalesce(m.e, e.e)), DATE '9999-12-31')
)
SELECT account, i, sum(d_eligible) AS d_eligible, sum(d_employees) AS d_employees, sum(d_enrolled) AS d_enrolled FROM (
    SELECT account, lo AS i, eligible AS d_eligible, CASE WHEN employee THEN 1 ELSE 0 END AS d_employees, enrolled AS d_enrolled FROM spans WHERE lo < hi
    UNION ALL
    SELECT account, hi, -eligible, CASE WHEN employee THEN -1 ELSE 0 END, -enrolled FROM spans WHERE lo < hi AND hi < 100000
) GROUP BY account, i
""")

# Completed visits, matched when the member appears anywhere in the eligibility.
q("""
CREATE TABLE people AS SELECT DISTINCT account, member_id FROM elig
""")
q("""
CREATE TABLE cvisits AS
SELECT v.account, v.member_id, datediff('month', b.first_month, v.d) AS i, v.modality, p.member_id IS NOT NULL AS matched
FROM visits v JOIN bounds b USING (account) LEFT JOIN people p ON p.account = v.account AND p.member_id = v.member_id
WHERE v.completed AND v.d >= b.first_month AND v.d <= last_day(b.last_month)
""")
q("""
CREATE TABLE visit_counts AS
SELECT account, i,
       count(*) FILTER (WHERE matched AND modality = 'in_office') AS in_office,
       count(*) FILTER (WHERE matched AND modality = 'video') AS video,
       count(*) FILTER (WHERE matched AND modality = 'remote_other') AS remote_other,
       count(*) FILTER (WHERE NOT matched) AS unmatched
FROM cvisits GROUP BY account, i
""")

# Enrolled person-months, and whether each had a matched visit in the 12-month window.
q("""
CREATE TABLE enrolled_months AS
WITH spans AS (
    SELECT e.account, e.member_id, covered_lo(b.first_month, greatest(e.s, m.s)) AS lo,
           least(covered_hi(b.first_month, least(coalesce(e.e, m.e), coalesce(m.e, e.e))), datediff('month', b.first_month, b.last_month) + 1) AS hi
    FROM elig e JOIN memb m USING (account, member_id) JOIN bounds b ON b.account = e.account
    WHERE greatest(e.s, m.s) <= coalesce(least(coalesce(e.e, m.e), coalesce(m.e, e.e)), DATE '9999-12-31')
)
SELECT DISTINCT account, member_id, unnest(range(lo, hi)) AS i FROM spans WHERE lo < hi
""")
q("""
CREATE TABLE visit_months AS SELECT DISTINCT account, member_id, i FROM cvisits WHERE matched
""")
q("""
CREATE TABLE active AS
SELECT em.account, em.i, count(*) AS active
FROM enrolled_months em ASOF JOIN visit_months vm
  ON em.account = vm.account AND em.member_id = vm.member_id AND vm.i <= em.i
WHERE em.i - vm.i <= 11
GROUP BY em.account, em.i
""")
q("""
CREATE TABLE new_enrollments AS
SELECT m.account, datediff('month', b.first_month, m.s) AS i, count(DISTINCT m.member_id) AS n
FROM memb m JOIN bounds b USING (account)
WHERE m.s >= b.first_month AND m.s <= last_day(b.last_month)
GROUP BY m.account, i
""")
q("""
CREATE TABLE responses AS
SELECT s.account, datediff('month', b.first_month, s.d) AS i, count(*) AS responses,
       count(*) FILTER (WHERE score >= 9) AS promoters, count(*) FILTER (WHERE score <= 6) AS detractors
FROM surveys s JOIN bounds b USING (account)
WHERE s.d >= b.first_month AND s.d <= last_day(b.last_month)
GROUP BY s.account, i
""")
q(f"""
COPY (
WITH base AS (
    SELECT m.account, m.month, m.i,
           sum(coalesce(sd.d_eligible, 0)) OVER w_all AS eligible_lives,
           sum(coalesce(sd.d_employees, 0)) OVER w_all AS eligible_employees,
           sum(coalesce(sd.d_enrolled, 0)) OVER w_all AS enrolled_members,
           coalesce(ne.n, 0) AS new_enrollments,
           coalesce(vc.in_office, 0) AS visits_in_office, coalesce(vc.video, 0) AS visits_video,
           coalesce(vc.remote_other, 0) AS visits_remote_other, coalesce(vc.unmatched, 0) AS unmatched_visits,
           coalesce(a.active, 0) AS active_members_12m,
           coalesce(r.responses, 0) AS r, coalesce(r.promoters, 0) AS p, coalesce(r.detractors, 0) AS d
    FROM months m
    LEFT JOIN stock_deltas sd USING (account, i)
    LEFT JOIN new_enrollments ne USING (account, i)
    LEFT JOIN visit_counts vc USING (account, i)
    LEFT JOIN active a USING (account, i)
    LEFT JOIN responses r USING (account, i)
    WINDOW w_all AS (PARTITION BY m.account ORDER BY m.i ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
)
SELECT account, strftime(month, '%Y-%m') AS month, eligible_lives, eligible_employees, enrolled_members, new_enrollments,
       visits_in_office, visits_video, visits_remote_other, active_members_12m, unmatched_visits,
       sum(visits_in_office + visits_video + visits_remote_other) OVER w12 AS visits_12m,
       sum(visits_video + visits_remote_other) OVER w12 AS virtual_12m,
       sum(enrolled_members) OVER w12 AS member_months_12m,
       sum(p) OVER w12 AS promoters_12m, sum(d) OVER w12 AS detractors_12m, sum(r) OVER w12 AS responses_12m
FROM base
WINDOW w12 AS (PARTITION BY account ORDER BY i ROWS BETWEEN 11 PRECEDING AND CURRENT ROW)
ORDER BY account, month
) TO '{out}' (HEADER, DELIMITER ',')
""")
