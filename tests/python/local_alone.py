"""Local queries of the Python package made by one rank alone (issue 12: local queries must
be local), on the tree of tests/python/write_local_tree.py (many groups, datasets and
attributes, so that a fresh open has little of it in HDF5's metadata cache).

    mpirun -n N python3 local_alone.py DIR h5py    reads DIR/tree_h5py.h5 (h5py wrote it)
    mpirun -n N python3 local_alone.py DIR h5par   writes DIR/tree_h5par.h5 with h5par first

For each rank in turn: the tree is opened by all; that rank alone makes every local query
(`in`, keys, values and items of groups, len, iteration, get, visit, attrs keys/contains/get/
len, a dataset's shape/dtype/chunks/compression/fillvalue/attrs); the tree is closed by all;
then another file is created, written and closed by all (a broadcast that a lone query left
behind breaks that next open on MPICH). Prints "rank R: ok" on success; a hang is the time
limit of run_python_tests.sh.
"""

import os
import sys

import numpy as np
from mpi4py import MPI

import h5par

comm = MPI.COMM_WORLD
rank, size = comm.rank, comm.size
GROUPS, DATASETS, ATTRS, DENSE = 12, 25, 10, 40


def write_tree(path):
    """The tree of write_local_tree.py, written collectively with h5par."""
    with h5par.File(path, "w", comm=comm) as f:
        for g in range(GROUPS):
            grp = f.create_group("g%02d" % g)
            for k in range(DATASETS):
                grp.create_dataset("d%02d" % k, data=np.array([g, k, g * 100 + k], dtype="i4"))
            for a in range(ATTRS):
                grp.attrs["a%d" % a] = np.float64(g + a / 10)
        x = f.create_dataset("g00/sub/deep/x", data=np.array([1.5, 2.5]))
        x.attrs["units"] = np.bytes_(b"m")
        dense = f.create_group("dense")
        for k in range(DENSE):
            dense.create_dataset("l%02d" % k, data=np.array([k], dtype="i4"))
        f.create_dataset("chunked", data=np.arange(10.0), chunks=(4,), compression="gzip")
        f["soft"] = h5par.SoftLink("/g01/d03")
        f["dangle"] = h5par.SoftLink("/nowhere")
        f["ext"] = h5par.ExternalLink("other.h5", "/x")


def local_queries(f, chunked, x):
    top = sorted(["g%02d" % g for g in range(GROUPS)] + ["chunked", "dangle", "dense", "ext",
                                                           "soft"])
    assert "g05" in f and "g07/d13" in f and "/g11/d24" in f
    assert "soft" in f and "ext" in f
    assert "dangle" not in f and "g03/none" not in f and "nope/x" not in f
    assert f.keys() == top, f.keys()
    assert list(f) == top and len(f) == len(top)
    for g in range(GROUPS):
        grp = f["g%02d" % g]
        assert isinstance(grp, h5par.Group), grp
        names = ["d%02d" % k for k in range(DATASETS)] + (["sub"] if g == 0 else [])
        assert grp.keys() == names, grp.keys()
        assert len(grp) == len(names) and list(grp) == names
        assert "d24" in grp and "d25" not in grp
        assert sorted(grp.attrs.keys()) == ["a%d" % a for a in range(ATTRS)]
        assert len(grp.attrs) == ATTRS and "a3" in grp.attrs and "b" not in grp.attrs
        assert grp.attrs["a3"] == g + 0.3
        assert grp.attrs.get("zz", 7) == 7
    assert f["dense"].keys() == ["l%02d" % k for k in range(DENSE)]
    sub = f.get("g00/sub")
    assert isinstance(sub, h5par.Group) and sub.name == "/g00/sub"
    assert [v.name for v in sub.values()] == ["/g00/sub/deep"]
    assert [(k, v.name) for k, v in sub.items()] == [("deep", "/g00/sub/deep")]
    assert f.get("nope") is None and f.get("nope", 3) == 3
    assert f.get("g01/d03", getclass=True) is h5par.Dataset
    assert f.get("g01", getclass=True) is h5par.Group
    assert f.get("soft", getlink=True).path == "/g01/d03"
    ext = f.get("ext", getlink=True)
    assert (ext.filename, ext.path) == ("other.h5", "/x")
    seen = []
    f.visit(seen.append)
    want = GROUPS * (1 + DATASETS) + 3 + 1 + DENSE + 1
    assert len(seen) == want, (len(seen), want)
    assert "g00/sub/deep/x" in seen and "dense/l39" in seen
    assert f.visit(lambda n: n if n.endswith("d13") else None) == "g00/d13"
    # Queries of datasets the ranks opened together.
    assert chunked.shape == (10,) and chunked.dtype == np.dtype("f8")
    assert chunked.chunks == (4,) and chunked.compression == "gzip"
    assert chunked.fillvalue == 0 and len(chunked) == 10 and chunked.ndim == 1
    assert list(chunked.attrs) == []
    assert list(x.attrs) == ["units"] and x.attrs["units"] in (b"m", "m"), x.attrs["units"]


def main():
    d, writer = sys.argv[1], sys.argv[2]
    tree = os.path.join(d, "tree_%s.h5" % writer)
    if writer == "h5par":
        write_tree(tree)
    for who in range(size):
        f = h5par.File(tree, "r", comm=comm)
        chunked = f["chunked"]
        x = f["g00/sub/deep/x"]
        if rank == who:
            local_queries(f, chunked, x)
        f.close()
        with h5par.File(os.path.join(d, "after-%d.h5" % who), "w", comm=comm) as g:
            g.create_dataset("x", shape=(size,), dtype="i4")
            g["x"][rank:rank + 1] = np.array([rank], dtype="i4")
            assert list(g["x"][...]) == list(range(size))
        # visititems opens datasets (collective): every rank, after one rank's queries.
        with h5par.File(tree, "r", comm=comm) as f:
            if rank == (who + 1) % size:
                assert len(f["dense"]) == DENSE
            got = []
            f["g00"].visititems(lambda n, o: got.append((n, type(o).__name__)))
            assert ("sub/deep/x", "Dataset") in got and ("sub", "Group") in got, got
    print("rank %d: ok" % rank, flush=True)


main()
