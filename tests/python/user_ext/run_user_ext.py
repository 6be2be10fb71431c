"""Runs the user-style extension under mpirun: writes with the C API through Cython, then
checks the file with the h5par Python package. Usage: run_user_ext.py DIR"""
import os
import sys

import numpy as np
from mpi4py import MPI

import h5par
import user_ext

comm = MPI.COMM_WORLD
d = comm.bcast(sys.argv[1] if len(sys.argv) > 1 else "/tmp")
path = os.path.join(d, "user_ext.h5")
dtype, shape = user_ext.write_ranks(comm, path, 5)
assert dtype == h5par.H5PAR_FLOAT64 and shape == (5 * comm.size,), (dtype, shape)
with h5par.File(path, "r", comm=comm) as f:
    x = f["ranks"]
    values = x[...]
    assert np.array_equal(values, np.repeat(np.arange(comm.size, dtype="f8"), 5)), values
    assert x.attrs["written_by"] == "user_ext"
# The extension types of h5par/_core.pxd: the handles of an h5par.File and h5par.Dataset.
with h5par.File(path, "r+", comm=comm) as f:
    x = f["ranks"]
    assert user_ext.handles(f, x) == (5 * comm.size,)
    assert x.attrs["via"] == "FileID"
if comm.rank == 0:
    print("user_ext (libh5par %s) on %d ranks: ok" % (user_ext.version(), comm.size))
