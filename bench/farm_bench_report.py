"""Medians of bench/farm-bench.sh's CSV, ratios to the peers, and the goals of issue 10.

    python3 farm_bench_report.py results.csv OUTDIR
"""

import csv
import statistics
import sys
from collections import defaultdict

rows = list(csv.DictReader(open(sys.argv[1])))
by = defaultdict(list)
for r in rows:
    by[(r["series"], int(r["ranks"]))].append(r)


def med(series, ranks, field):
    v = [float(r[field]) for r in by.get((series, ranks), []) if r[field] not in ("", None)]
    return statistics.median(v) if v else None


print("%-28s %5s %6s %12s %12s %10s %8s" % ("series", "ranks", "reps", "median s", "tasks/s",
                                            "effic.", "extra"))
for (s, p), rs in sorted(by.items(), key=lambda kv: (kv[0][1], kv[0][0])):
    e = med(s, p, "efficiency")
    x = med(s, p, "extra")
    print("%-28s %5d %6d %12.4f %12.0f %10s %8s" % (
        s, p, len(rs), med(s, p, "seconds"), med(s, p, "tasks_per_s"),
        "" if e is None or s.startswith(("python", "cli", "replay")) else "%.3f" % e,
        "" if x is None else "%.1f" % x))

print()
for p in sorted({k[1] for k in by if k[1] > 1}):
    def rate(s):
        return med(s, p, "tasks_per_s")
    mp = [(rate("python-mpi4py-chunk%d" % c), c) for c in (1, 10, 100, 1000, 10000)
          if rate("python-mpi4py-chunk%d" % c)]
    best = max(mp) if mp else (None, None)
    print("%d ranks:" % p)
    goals = [
        ("empty tasks/s (goal >= 1,000,000)", rate("empty"), 1e6),
        ("empty tasks/s, one task per message (goal >= 200,000)", rate("empty-unbatched"), 2e5),
        ("1 ms tasks: efficiency (goal >= 0.98)", med("ms", p, "efficiency"), 0.98),
        ("1 ms, 10% 100x: efficiency (goal >= 0.95)", med("skew", p, "efficiency"), 0.95),
    ]
    for what, v, goal in goals:
        if v is not None:
            print("  %-58s %12.3f  %s" % (what, v, "met" if v >= goal else "MISSED"))
    pm = rate("python-h5par-map")
    c1 = rate("python-mpi4py-chunk1")
    if pm and c1:
        print("  %-58s %12.1fx %s" % ("Python map vs mpi4py.futures chunksize 1 (goal >= 10x)",
                                      pm / c1, "met" if pm / c1 >= 10 else "MISSED"))
    if pm and best[0]:
        print("  %-58s %12.2fx %s" % ("Python map vs mpi4py.futures best (chunksize %d; goal >= 1x)"
                                      % best[1], pm / best[0], "met" if pm >= best[0] else "MISSED"))
    cf, gp = rate("cli-h5par-farm"), rate("cli-gnu-parallel")
    if cf and gp:
        print("  %-58s %12.2fx %s" % ("CLI 10,000 `true` vs GNU parallel (goal >= 3x)", cf / gp,
                                      "met" if cf / gp >= 3 else "MISSED"))
    ms, mj = med("ms", p, "seconds"), med("ms-journal", p, "seconds")
    if ms and mj:
        print("  %-58s %11.1f%% %s" % ("journal overhead on 1 ms tasks (goal < 2%)",
                                      100 * (mj / ms - 1), "met" if mj / ms - 1 < 0.02 else "MISSED"))
    r = med("replay", 1, "seconds") if p == 2 else None
    if r is not None:
        print("  %-58s %12.4f  %s" % ("journal replay of 100,000 records, s (goal < 0.1)", r,
                                      "met" if r < 0.1 else "MISSED"))
    m = med("memory", p, "extra")
    if m is not None:
        print("  %-58s %12.1f  %s" % ("rank 0 RSS growth after 1,000,000 tasks, MB (goal < 50)", m,
                                      "met" if m < 50 else "MISSED"))

