"""h5py-mpio's side of bench/strided-bench.sh: each rank reads its block of /d whole
(d[lo:hi]) or every other element (d[lo:hi:2]), collectively; CSV rows on rank 0."""

import sys
import time

import h5py
from mpi4py import MPI

path, rep, order = sys.argv[1], sys.argv[2], sys.argv[3]
comm = MPI.COMM_WORLD
rank, size = comm.rank, comm.size
f = h5py.File(path, "r", driver="mpio", comm=comm)
d = f["d"]
n = d.shape[0]
lo, hi = n * rank // size, n * (rank + 1) // size
for series in order.split(","):
    step = 2 if series == "strided" else 1
    comm.Barrier()
    t0 = time.perf_counter()
    with d.collective:
        a = d[lo:hi:step]
    mine = time.perf_counter() - t0
    assert a[0] == lo and a[-1] == lo + step * (len(a) - 1)
    slowest = comm.allreduce(mine, op=MPI.MAX)
    nbytes = comm.allreduce(a.nbytes, op=MPI.SUM)
    del a
    if rank == 0:
        print("h5py-%s,%s,%.4f,%.3f" % (series, rep, slowest, nbytes / slowest / 1e9), flush=True)
d = None
f.close()
