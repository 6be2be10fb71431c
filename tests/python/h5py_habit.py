"""The h5py-mpio habit, word for word: rank 0 writes a slice, then every rank closes. In
h5py-mpio the write is independent; in h5par it is collective, so rank 0 is in a write of /x
while the others are in close. Run by run_python_tests.sh on 2 ranks under a time limit, which
checks that every rank ends (no hang) with an error naming which rank called which operation
and what to do, and that the file is not published. Usage: h5py_habit.py PATH"""
import sys

import numpy as np
from mpi4py import MPI

import h5par

comm = MPI.COMM_WORLD
x = np.arange(10.0)

f = h5par.File(sys.argv[1], "w", driver="mpio", comm=comm)
d = f.create_dataset("x", (100,), dtype="f8")
if comm.rank == 0:
    d[0:10] = x
f.close()
