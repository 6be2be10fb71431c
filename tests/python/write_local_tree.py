"""Writes the tree of the "local queries on one rank alone" tests with serial h5py: many groups,
datasets and attributes (so that a fresh open has little of it in HDF5's metadata cache), an
old-style group, a dense new-style group, soft, dangling and external links.

    python3 write_local_tree.py DIR      -> DIR/tree_h5py.h5 and DIR/other.h5

The same tree is written by h5par in tests/mpi/objects.rs (`write_tree`): the checks of every
front end (tests/mpi/objects.rs, tests/c/test_local_alone.c, tests/python/local_alone.py)
expect exactly this layout:

    /g00 ... /g11        groups, each with datasets d00 ... d24 (i4, shape [3], values
                         [g, d, g*100+d]) and attributes a0 ... a9 (f8 scalars, g + k/10)
    /g00/sub/deep/x      an f8 dataset [2] with attribute "units" = "m" (fixed string)
    /dense               a group with creation order tracked and 40 datasets l00 ... l39
                         (h5py: new-style, dense link storage)
    /chunked             f8 [10], chunks [4], gzip
    /soft -> /g01/d03, /dangle -> /nowhere, /ext -> other.h5:/x
"""

import os
import sys

import h5py
import numpy as np

GROUPS, DATASETS, ATTRS, DENSE = 12, 25, 10, 40


def main(d):
    with h5py.File(os.path.join(d, "other.h5"), "w") as o:
        o["x"] = np.arange(3, dtype="i4")
    with h5py.File(os.path.join(d, "tree_h5py.h5"), "w") as f:
        for g in range(GROUPS):
            grp = f.create_group("g%02d" % g)
            for k in range(DATASETS):
                grp["d%02d" % k] = np.array([g, k, g * 100 + k], dtype="i4")
            for a in range(ATTRS):
                grp.attrs["a%d" % a] = np.float64(g + a / 10)
        x = f.create_dataset("g00/sub/deep/x", data=np.array([1.5, 2.5]))
        x.attrs["units"] = np.bytes_(b"m")
        dense = f.create_group("dense", track_order=True)
        for k in range(DENSE):
            dense["l%02d" % k] = np.array([k], dtype="i4")
        f.create_dataset("chunked", data=np.arange(10.0), chunks=(4,), compression="gzip")
        f["soft"] = h5py.SoftLink("/g01/d03")
        f["dangle"] = h5py.SoftLink("/nowhere")
        f["ext"] = h5py.ExternalLink("other.h5", "/x")
    print("wrote", d)


if __name__ == "__main__":
    main(sys.argv[1])
