"""Writes from_h5py.h5 with h5py (contiguous, chunked, compressed) for h5par to read.

Usage: python3 write_h5py_file.py DIR
"""
import os
import sys

import h5py
import numpy as np

path = os.path.join(sys.argv[1], "from_h5py.h5")
values = (np.arange(10 * 7, dtype="f8") / 4.0).reshape(10, 7)
with h5py.File(path, "w") as f:
    f.create_dataset("contiguous", data=values)
    f.create_dataset("chunked", data=values, chunks=(3, 2))
    f.create_dataset("compressed", data=values, chunks=(4, 7), compression="gzip", compression_opts=3)
    f.create_dataset("ints", data=np.arange(-3, 3, dtype="i2"))
    f.attrs["creator"] = "h5py"
    f["contiguous"].attrs["shape_hint"] = np.array([10, 7], dtype="i8")
print("wrote", path)
