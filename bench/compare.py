"""Checks that Steward's `metrics --json` (every account) and DuckDB's table agree on every
account-month: counts exactly, rates to 1e-9. Exits 1 on any difference.

usage: python3 bench/compare.py steward.json duckdb.csv
"""
import csv
import json
import sys

steward = {(r["account"], r["month"]): r for r in json.load(open(sys.argv[1]))}
duck = {(r["account"], r["month"]): {k: (v if k in ("account", "month") else int(v)) for k, v in r.items()}
        for r in csv.DictReader(open(sys.argv[2]))}


def ratio(n, d):
    return None if d == 0 else n / d


problems = []
if steward.keys() != duck.keys():
    only_s, only_d = steward.keys() - duck.keys(), duck.keys() - steward.keys()
    problems.append(f"rows differ: {len(only_s)} only in Steward (e.g. {sorted(only_s)[:3]}), "
                    f"{len(only_d)} only in DuckDB (e.g. {sorted(only_d)[:3]})")
for key in sorted(steward.keys() & duck.keys()):
    s, d = steward[key], duck[key]
    expected = {
        "eligible_lives": d["eligible_lives"], "eligible_employees": d["eligible_employees"],
        "enrolled_members": d["enrolled_members"], "new_enrollments": d["new_enrollments"],
        "visits_in_office": d["visits_in_office"], "visits_video": d["visits_video"],
        "visits_remote_other": d["visits_remote_other"], "active_members_12m": d["active_members_12m"],
        "unmatched_visits": d["unmatched_visits"], "nps_responses": d["responses_12m"],
        "enrollment_rate": ratio(d["enrolled_members"], d["eligible_lives"]),
        "utilization_rate": ratio(d["active_members_12m"], d["enrolled_members"]),
        "visits_per_1000": ratio(12000 * d["visits_12m"], d["member_months_12m"]),
        "virtual_share": ratio(d["virtual_12m"], d["visits_12m"]),
        "nps": ratio(100 * (d["promoters_12m"] - d["detractors_12m"]), d["responses_12m"]),
    }
    for field, want in expected.items():
        got = s[field]
        same = got == want if not isinstance(want, float) else (got is not None and abs(got - want) <= 1e-9 * max(1, abs(want)))
        if not same:
            problems.append(f"{key} {field}: steward {got}, duckdb {want}")
print(f"compared {len(steward & duck.keys() if False else steward.keys() & duck.keys())} account-months, "
      f"{len(problems)} differences")
for p in problems[:20]:
    print("  " + p)
sys.exit(1 if problems else 0)
