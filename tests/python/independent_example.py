# mpirun -n 2 python3 independent_example.py /tmp/indep.h5
import sys

import numpy as np
from mpi4py import MPI

import h5par

comm = MPI.COMM_WORLD
with h5par.File(sys.argv[1], "w", driver="mpio", comm=comm) as f:   # h5py-mpio's call
    d = f.create_dataset("x", (100,), dtype="f8")
    with d.independent:                  # h5py-mpio's default: each rank on its own
        if comm.rank == 0:
            d[0:10] = np.arange(10.0)    # rank 0 alone
    lo = 10 * (comm.rank + 1)
    d[lo:lo + 10] = np.ones(10)          # collective (h5par's default): every rank calls
    assert f.keys() == ["x"] and "x" in f  # local: any rank may ask alone
