"""1 ms busy-wait tasks through mpi4py.futures (MPICommExecutor.map, chunksize 1), the peer of
h5par-farm-bench's `ms` series: rank 0 prints series,ranks,tasks,seconds,tasks_per_s,efficiency.

    mpirun -n P python3 farm_py_ms.py N
"""

import sys
import time

from mpi4py import MPI
from mpi4py.futures import MPICommExecutor


def busy(x):
    t = time.perf_counter()
    while time.perf_counter() - t < 0.001:
        pass
    return x


comm = MPI.COMM_WORLD
n = int(sys.argv[1])
with MPICommExecutor(comm, root=0) as ex:
    if ex is not None:
        list(ex.map(busy, range(10)))
        t = time.perf_counter()
        list(ex.map(busy, range(n), chunksize=1))
        s = time.perf_counter() - t
        print("python-mpi4py-ms,%d,%d,%.6f,%.1f,%.4f," % (comm.size, n, s, n / s,
                                                         n * 0.001 / (comm.size * s)))
