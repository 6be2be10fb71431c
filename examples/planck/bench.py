"""Benchmark of the Planck-style example: the h5par map-maker against its peer (mpi4py.futures,
numpy + MPI.Allreduce, h5py-mpio) on the same inputs, in the same run, in rotated order,
medians of the repeats. Per configuration: seconds of each stage (read, bin, destripe, write)
and of the whole, their ratios (peer / h5par), and the peak memory per rank (getrusage
maxrss, the largest over the ranks, and above the interpreter's baseline). Checks that both
give the same numbers (compare.py). Records the load average before and after each run.

    python3 bench.py [--dir /dev/shm/h5par-planck-bench] [--repeats 3]
                     [--configs 1024:2,1024:4,256:2] [--files 60 --chunks-per-file 10
                      --ring 2048 --repeat 25]

Each config is NSIDE:RANKS (4 ranks on 2 cores run oversubscribed). The timelines have the
same size at every nside (files x chunks x ring x repeat samples). Needs the h5par package on
PYTHONPATH (examples/planck/install.sh), /usr/bin/python3 with mpi4py and h5py-mpio (OpenMPI).
Writes DIR/bench.json and prints a Markdown table.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PY = os.environ.get("PY", "/usr/bin/python3")
STAGES = ("read", "bin", "destripe", "write", "whole")


def loadavg():
    return open("/proc/loadavg").read().split()[0]


def mpirun(n, args, env):
    cmd = ["mpirun.openmpi", "--oversubscribe", "-n", str(n), PY] + args
    subprocess.run(cmd, check=True, cwd=HERE, env=env, stdout=subprocess.DEVNULL)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dir", default="/dev/shm/h5par-planck-bench")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--configs", default="1024:2,1024:4,256:2")
    ap.add_argument("--files", type=int, default=60)
    ap.add_argument("--chunks-per-file", type=int, default=10)
    ap.add_argument("--ring", type=int, default=2048)
    ap.add_argument("--repeat", type=int, default=25)
    ap.add_argument("--keep", action="store_true", help="keep the generated data")
    a = ap.parse_args()
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_rmaps_base_oversubscribe="1", H5PY_ALWAYS_USE_MPI="1")
    configs = [tuple(int(v) for v in c.split(":")) for c in a.configs.split(",")]
    os.makedirs(a.dir, exist_ok=True)
    results = []
    for nside in sorted({c[0] for c in configs}):
        data = os.path.join(a.dir, "nside%d" % nside)
        if not os.path.exists(os.path.join(data, "run.json")):
            mpirun(2, ["generate.py", data, "--nside", str(nside), "--files", str(a.files),
                       "--chunks-per-file", str(a.chunks_per_file), "--ring", str(a.ring),
                       "--repeat", str(a.repeat)], env)
        run = json.load(open(os.path.join(data, "run.json")))
        size_bytes = sum(os.path.getsize(os.path.join(data, f)) for f in os.listdir(data)
                         if f.startswith("tod_"))
        for (ns, ranks) in configs:
            if ns != nside:
                continue
            runs = {"h5par": [], "peer": []}
            for r in range(a.repeats + 1):  # the first round warms up (page cache, imports)
                order = ["h5par", "peer"] if r % 2 == 0 else ["peer", "h5par"]
                for code in order:
                    out = os.path.join(a.dir, "%s_%d_%d.h5" % (code, nside, ranks))
                    timing = out + ".json"
                    before = loadavg()
                    if code == "h5par":
                        mpirun(ranks, ["mapmaker.py", data, out, "--fresh", "--timing", timing,
                                       "--work", os.path.join(a.dir, "work")], env)
                    else:
                        mpirun(ranks, ["peer.py", data, out, "--timing", timing], env)
                    t = json.load(open(timing))
                    t["loadavg_before"], t["loadavg_after"] = before, loadavg()
                    if r > 0:
                        runs[code].append(t)
                    print("nside %d, %d ranks, %s: %s s, load %s -> %s" % (
                        nside, ranks, code, round(t["seconds"]["whole"], 2), before,
                        t["loadavg_after"]), file=sys.stderr, flush=True)
            check = subprocess.run(
                [PY, "compare.py", data] + [os.path.join(a.dir, "%s_%d_%d.h5" % (c, nside, ranks))
                                            for c in ("h5par", "peer")],
                cwd=HERE, env=env, capture_output=True, text=True)
            cmp = json.loads(check.stdout.strip().splitlines()[-1])
            row = dict(nside=nside, npix=run["npix"], ranks=ranks, files=run["nfiles"],
                       samples=run["nsamples"], bytes=size_bytes, same_numbers=cmp["ok"],
                       max_rel_diff=max(cmp["max_relative_differences"].popitem()[1].values()),
                       improvement=cmp["improvement"], cg_iterations=cmp["cg_iterations"])
            for code, ts in runs.items():
                for s in STAGES:
                    row["%s_%s" % (code, s)] = statistics.median(t["seconds"][s] for t in ts)
                row[code + "_rss"] = statistics.median(max(t["maxrss_mib"]) for t in ts)
                row[code + "_rss_above_base"] = statistics.median(
                    max(m - b for m, b in zip(t["maxrss_mib"], t["base_rss_mib"])) for t in ts)
                row[code + "_local_pixels"] = max(ts[-1]["local_pixels"])
                row[code + "_load"] = [(t["loadavg_before"], t["loadavg_after"]) for t in ts]
            results.append(row)
        if not a.keep:
            for f in os.listdir(data):
                os.remove(os.path.join(data, f))
            os.rmdir(data)
    json.dump(results, open(os.path.join(a.dir, "bench.json"), "w"), indent=1)
    print("| nside (pixels) | ranks | stage | h5par s | peer s | peer / h5par |")
    print("|---|---|---|---|---|---|")
    for row in results:
        for s in STAGES:
            h, p = row["h5par_" + s], row["peer_" + s]
            print("| %d (%d) | %d | %s | %.2f | %.2f | %.2f |" % (
                row["nside"], row["npix"], row["ranks"], s, h, p, p / h if h > 0 else 0))
    print()
    print("| nside (pixels) | ranks | h5par max RSS MiB (above baseline) | peer max RSS MiB "
          "(above baseline) | h5par local pixels (max over ranks) | same numbers (max rel. diff) |")
    print("|---|---|---|---|---|---|")
    for row in results:
        print("| %d (%d) | %d | %.0f (%.0f) | %.0f (%.0f) | %d | %s (%.1e) |" % (
            row["nside"], row["npix"], row["ranks"], row["h5par_rss"],
            row["h5par_rss_above_base"], row["peer_rss"], row["peer_rss_above_base"],
            row["h5par_local_pixels"], row["same_numbers"], row["max_rel_diff"]))
    print()
    for row in results:
        print("nside %d, %d ranks: %d files, %d samples, %.1f MB of timelines; CG %d iterations; "
              "destriped residual %.1fx below binned; load averages (before, after) h5par %s, "
              "peer %s" % (row["nside"], row["ranks"], row["files"], row["samples"],
                           row["bytes"] / 1e6, row["cg_iterations"], row["improvement"],
                           row["h5par_load"], row["peer_load"]))


if __name__ == "__main__":
    main()
