"""The Python sides of bench/strided-bench.sh: each rank reads its block of /d whole (d[lo:hi])
or every other element (d[lo:hi:2], so the ranks together read d[::2]), collectively, into a
new numpy array; CSV rows on rank 0 (the slowest rank's time).

    mpirun -n R python3 bench/strided_h5py.py PATH REP ORDER [h5py|h5par]

h5py (the default): h5py-mpio, rows `h5py-<series>`, inside ``d.collective``; h5par: h5par's
Python package (collective by default), rows `py-h5par-<series>`.
"""

import contextlib
import sys
import time

from mpi4py import MPI

path, rep, order = sys.argv[1], sys.argv[2], sys.argv[3]
lib = sys.argv[4] if len(sys.argv) > 4 else "h5py"
comm = MPI.COMM_WORLD
rank, size = comm.rank, comm.size
if lib == "h5par":
    import h5par

    f = h5par.File(path, "r", comm=comm)
    label = "py-h5par"
else:
    import h5py
    f = h5py.File(path, "r", driver="mpio", comm=comm)
    label = "h5py"
d = f["d"]
collective = contextlib.nullcontext() if lib == "h5par" else d.collective
n = d.shape[0]
lo, hi = n * rank // size, n * (rank + 1) // size
for series in order.split(","):
    step = 2 if series == "strided" else 1
    comm.Barrier()
    t0 = time.perf_counter()
    with collective:
        a = d[lo:hi:step]
    mine = time.perf_counter() - t0
    assert a[0] == lo and a[-1] == lo + step * (len(a) - 1)
    slowest = comm.allreduce(mine, op=MPI.MAX)
    nbytes = comm.allreduce(a.nbytes, op=MPI.SUM)
    del a
    if rank == 0:
        print("%s-%s,%s,%.4f,%.3f" % (label, series, rep, slowest, nbytes / slowest / 1e9),
              flush=True)
d = None
f.close()
