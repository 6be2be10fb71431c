#!/usr/bin/python3
"""One table of medians from several stripe-bench runs, side by side.

    bench/summarize.py TITLE=OUT_DIR [TITLE=OUT_DIR ...]

Each OUT_DIR is a stripe-bench --out directory (its results.csv and run.txt). Prints, for every
op, io and series, the median GB/s of each run and its ratio to mpiio in the same run (the
column titles are the TITLEs), then each run's load average at its start and end (from
run.txt) and its outlier count.
"""

import csv
import os
import re
import statistics
import sys

SERIES = ["h5par", "hdf5-default", "mpiio", "h5py"]
OPS = [("write", "coll"), ("write", "indep"), ("read", "coll"), ("read", "indep")]


def load(out):
    with open(os.path.join(out, "results.csv")) as f:
        rows = list(csv.DictReader(f))
    med = {}
    for op, io in OPS:
        for s in SERIES:
            v = [float(r["gbps"]) for r in rows if (r["op"], r["io"], r["series"]) == (op, io, s)]
            if v:
                med[(op, io, s)] = statistics.median(v)
    outliers = sum(r.get("outlier") == "1" for r in rows)
    reps = max((int(r["rep"]) for r in rows), default=0)
    load_line = ""
    try:
        with open(os.path.join(out, "run.txt")) as f:
            m = re.search(r"load average \(1, 5, 15 min\): (.*) at the start, (.*) at the end", f.read())
            if m:
                load_line = f"{m.group(1).split()[0]} -> {m.group(2).split()[0]}"
    except OSError:
        pass
    return med, outliers, reps, load_line


def main(argv):
    runs = []
    for a in argv:
        title, _, out = a.partition("=")
        runs.append((title, *load(out)))
    width = max(16, max(len(t) for t, *_ in runs) + 1)
    head = f"{'op':5} {'io':5} {'series':13}" + "".join(f"{t:>{width}}" for t, *_ in runs)
    print(head)
    for op, io in OPS:
        for s in SERIES:
            cells = []
            for _, med, *_ in runs:
                g, base = med.get((op, io, s)), med.get((op, io, "mpiio"))
                cells.append("-" if g is None else f"{g:.2f} {g / base:4.2f}x" if base else f"{g:.2f}")
            if any(c != "-" for c in cells):
                print(f"{op:5} {io:5} {s:13}" + "".join(f"{c:>{width}}" for c in cells))
        print()
    print("median GB/s and its ratio to mpiio in the same run; repeats, outliers flagged, load "
          "average (1 min) at the start -> end:")
    for title, _, outliers, reps, load_line in runs:
        print(f"  {title}: {reps} repeats, {outliers} outlier(s), load {load_line}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
