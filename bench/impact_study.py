#!/usr/bin/env python3
"""Compares every measured initiative's estimated impact (steward initiatives impact --json)
with the true effect the demo generator planted (truth.json): how often the 95% interval
holds the truth, the mean error, and how often a zero effect is called significant.

usage: impact_study.py TRUTH_JSON IMPACTS_JSON [--min-coverage C --max-coverage C
       --max-bias B --max-false-alarms F --min-estimates N]   (exit 1 when a bound fails)
"""
import argparse
import json
import sys

parser = argparse.ArgumentParser()
parser.add_argument("truth")
parser.add_argument("impacts")
parser.add_argument("--list", required=True, help="steward initiatives list --json output")
parser.add_argument("--min-coverage", type=float)
parser.add_argument("--max-coverage", type=float)
parser.add_argument("--max-bias", type=float)
parser.add_argument("--max-false-alarms", type=float)
parser.add_argument("--min-estimates", type=int, default=1)
a = parser.parse_args()

truth = {}
for account in json.load(open(a.truth)):
    for i in account["initiatives"]:
        truth[(account["slug"], i["title"])] = i
initiatives = {i["id"]: i for i in json.load(open(a.list))}
rows = []
no_estimate = 0
for r in json.load(open(a.impacts)):
    i = initiatives[r["initiative"]]
    t = truth[(i["account"], i["title"])]
    if r["effect"] is None:
        no_estimate += 1
        continue
    rows.append((t["planned_effect"], t["true_effect"], r["effect"], r["ci_low"], r["ci_high"]))

n = len(rows)
covered = sum(lo <= true <= hi for _, true, _, lo, hi in rows)
bias = sum(est - true for _, true, est, _, _ in rows) / max(n, 1)
zeros = [r for r in rows if r[0] == 0]
alarms = sum(lo > 0 or hi < 0 for _, _, _, lo, hi in zeros)
coverage = covered / max(n, 1)
false_alarms = alarms / max(len(zeros), 1)
print(f"estimates {n} (no estimate {no_estimate}); 95% intervals holding the true effect {coverage:.1%}; "
      f"mean error {bias:+.3f} points; zero effects called significant {alarms} of {len(zeros)} ({false_alarms:.1%})")
failed = []
if n < a.min_estimates:
    failed.append(f"only {n} estimates")
if a.min_coverage is not None and coverage < a.min_coverage:
    failed.append(f"coverage {coverage:.3f} < {a.min_coverage}")
if a.max_coverage is not None and coverage > a.max_coverage:
    failed.append(f"coverage {coverage:.3f} > {a.max_coverage}")
if a.max_bias is not None and abs(bias) > a.max_bias:
    failed.append(f"|bias| {abs(bias):.3f} > {a.max_bias}")
if a.max_false_alarms is not None and false_alarms > a.max_false_alarms:
    failed.append(f"false alarms {false_alarms:.3f} > {a.max_false_alarms}")
if failed:
    print("FAILED: " + "; ".join(failed))
    sys.exit(1)
