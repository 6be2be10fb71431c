"""Opening a file of N datasets (in groups of 100) and listing and visiting it from Python:
h5par against h5py-mpio (issue 12's measurement).

    mpirun -n R python3 bench/python_listing.py setup PATH [N]
    mpirun -n R python3 bench/python_listing.py run PATH SERIES REPEATS   # SERIES h5par|h5py

`run` times REPEATS rounds of: open the file (read-only, collectively), keys() of the root and
of every group, visit() of the whole file, close; each round's time is the slowest rank's. It
prints one JSON line with the median, the min and the max. With REPEATS 0 it only imports and
initializes (the baseline of the strace counts).
"""
import json
import os
import statistics
import sys
import time

import numpy as np
from mpi4py import MPI

comm = MPI.COMM_WORLD
mode, path = sys.argv[1], sys.argv[2]

if mode == "setup":
    import h5py
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
    if comm.rank == 0:
        with h5py.File(path, "w") as f:
            for i in range(n):
                f.create_dataset("g%03d/d%05d" % (i // 100, i), data=np.arange(4.0))
    comm.Barrier()
    sys.exit(0)

series, repeats = sys.argv[3], int(sys.argv[4])
if series == "h5par":
    import h5par

    def open_file():
        return h5par.File(path, "r", comm=comm)
else:
    import h5py

    def open_file():
        return h5py.File(path, "r", driver="mpio", comm=comm)


def one_round():
    f = open_file()
    groups = list(f.keys())
    members = sum(len(list(f[g].keys())) for g in groups)
    names = []
    f.visit(names.append)
    f.close()
    return len(groups), members, len(names)


times = []
counts = None
for _ in range(repeats):
    comm.Barrier()
    t = time.perf_counter()
    counts = one_round()
    t = comm.allreduce(time.perf_counter() - t, op=MPI.MAX)
    times.append(t)
if comm.rank == 0 and repeats:
    print(json.dumps({"series": series, "ranks": comm.size, "groups_members_visited": counts,
                      "median_s": round(statistics.median(times), 5),
                      "min_s": round(min(times), 5), "max_s": round(max(times), 5),
                      "repeats": repeats}), flush=True)
