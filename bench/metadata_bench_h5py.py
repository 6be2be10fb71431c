"""Metadata-heavy case with h5py (mpio driver): N small datasets, one attribute each; then open
the file again, open every dataset, read this rank's block (collectively) and the attribute
back and check them.

Run: mpirun -n 2 /usr/bin/python3 bench/metadata_bench_h5py.py DIR [N] [ELEMS_PER_RANK]
Prints one JSON line per phase ("write", "read") with the seconds of the slowest rank.

The read is `ds[lo:hi]` inside `with ds.collective:`, as users write it; h5py 3.7 reads such
a slice through its fast path, with the default transfer list, so the read is in fact
independent (no MPI collective at all: bench/mpi_count.c counts none). READ=collective reads
with `ds.read_direct` instead, which honours `ds.collective` (series "h5py-collective").
"""
import json
import os
import sys
import time

import h5py
import numpy as np
from mpi4py import MPI

comm = MPI.COMM_WORLD
rank, size = comm.rank, comm.size
d = sys.argv[1] if len(sys.argv) > 1 else "."
n = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
per = int(sys.argv[3]) if len(sys.argv) > 3 else 64
path = os.path.join(d, "h5py-metadata-bench-%d.h5" % (os.getpid() % 100000))
path = comm.bcast(path, root=0)
block = np.arange(rank * per, rank * per + per, dtype="f8")
collective_read = os.environ.get("READ", "") == "collective"
series = "h5py-collective" if collective_read else "h5py"
comm.Barrier()
t = time.perf_counter()
with h5py.File(path, "w", driver="mpio", comm=comm) as f:
    for i in range(n):
        ds = f.create_dataset("d%05d" % i, shape=(per * size,), dtype="f8")
        with ds.collective:
            ds[rank * per:(rank + 1) * per] = block
        ds.attrs["index"] = i


def report(phase, secs):
    secs = comm.allreduce(secs, op=MPI.MAX)
    if rank == 0:
        print(json.dumps({"series": series, "phase": phase, "datasets": n, "ranks": size,
                          "seconds": round(secs, 6)}), flush=True)


report("write", time.perf_counter() - t)
comm.Barrier()
t = time.perf_counter()
with h5py.File(path, "r", driver="mpio", comm=comm) as f:
    for i in range(n):
        ds = f["d%05d" % i]
        with ds.collective:
            if collective_read:
                back = np.empty(per)
                ds.read_direct(back, np.s_[rank * per:(rank + 1) * per])
            else:
                back = ds[rank * per:(rank + 1) * per]
        if not np.array_equal(back, block) or ds.attrs["index"] != i:
            raise SystemExit("d%05d: wrong data read back" % i)
report("read", time.perf_counter() - t)
comm.Barrier()
if rank == 0:
    os.remove(path)
