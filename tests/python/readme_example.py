# mpirun -n 2 python3 readme_example.py /tmp/example.h5
import sys

import numpy as np
from mpi4py import MPI

import h5par

comm, n = MPI.COMM_WORLD, 1000                      # n values per rank
path = sys.argv[1] if len(sys.argv) > 1 else "example.h5"
with h5par.File(path, "w", comm=comm) as f:         # collective; closed by the with block
    d = f.create_dataset("temperature", shape=(comm.size * n,), dtype="f8")
    lo = comm.rank * n
    d[lo:lo + n] = np.linspace(0.0, 1.0, n) + comm.rank        # each rank writes its slice
    d.attrs["units"] = "kelvin"                     # every rank passes the same value
    back, units = d[lo:lo + n], d.attrs["units"]    # collective read; local attribute read
    assert np.array_equal(back, np.linspace(0.0, 1.0, n) + comm.rank) and units == "kelvin"
    report = f.report()                             # what really happened, as a dict
if comm.rank == 0:
    print("wrote", path, "on", comm.size, "ranks; file system:", report["fs"])
