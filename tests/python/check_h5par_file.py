"""Checks from_h5par.h5 (written by h5par on N ranks) with h5py.

Usage: python3 check_h5par_file.py DIR RANKS [mpio]
With "mpio" the file is opened with h5py's MPI-IO driver (as a one-rank MPI job).
"""
import os
import sys

import numpy as np

if len(sys.argv) > 3 and sys.argv[3] == "mpio":
    os.environ["H5PY_ALWAYS_USE_MPI"] = "1"
import h5py  # noqa: E402

path = os.path.join(sys.argv[1], "from_h5par.h5")
ranks = int(sys.argv[2])
kwargs = {}
if len(sys.argv) > 3 and sys.argv[3] == "mpio":
    from mpi4py import MPI

    assert h5py.get_config().mpi, "this h5py has no MPI support"
    kwargs = {"driver": "mpio", "comm": MPI.COMM_WORLD}

with h5py.File(path, "r", **kwargs) as f:
    v = f["grid/values"]
    assert v.shape == (4 * ranks, 3), v.shape
    assert v.dtype == np.float64, v.dtype
    expect = np.arange(4 * ranks * 3, dtype="f8").reshape(4 * ranks, 3) * 0.5
    assert np.array_equal(v[...], expect), v[...]
    z = f["grid/compressed"]
    assert z.compression == "gzip", z.compression
    assert np.array_equal(z[...], np.arange(100 * ranks, dtype="i4") - 50)
    units = v.attrs["units"]
    units = units.decode() if isinstance(units, bytes) else units
    assert units == "kelvin", units
    assert list(v.attrs["scale"]) == [1.5, 2.5], v.attrs["scale"]
    assert int(f.attrs["ranks"]) == ranks
print("h5py read from_h5par.h5: ok", kwargs.get("driver", "sec2"))
