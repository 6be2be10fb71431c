"""Tests of the h5par Python package, run under mpirun on 1, 2 and 3 ranks:

    mpirun.openmpi --oversubscribe -n 3 /usr/bin/python3 -m pytest -q tests/python/test_h5par_api.py

(tests/python/run_python_tests.sh builds the package and does this.) Every rank runs the same
tests in the same order; a test is skipped on every rank or on none; files live in a directory
made by rank 0 and broadcast.
"""

import gc
import os
import re
import shutil
import tempfile
import warnings

import numpy as np
import pytest
from mpi4py import MPI

import h5par

comm = MPI.COMM_WORLD
rank = comm.Get_rank()
size = comm.Get_size()

DTYPES = ["i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "f4", "f8"]


def all_ranks(ok):
    """True on every rank when `ok` is true on every rank (collective)."""
    return all(comm.allgather(bool(ok)))


def gathered(value):
    return comm.allgather(value)


@pytest.fixture
def tmpdir_shared():
    """A fresh directory, the same on every rank (made by rank 0), removed afterwards."""
    d = comm.bcast(tempfile.mkdtemp(prefix="h5par-py-", dir="/tmp") if rank == 0 else None)
    yield d
    comm.Barrier()
    if rank == 0:
        shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(autouse=True)
def in_step():
    """Ranks start and end every test together."""
    comm.Barrier()
    yield
    comm.Barrier()


def block(n_per_rank):
    return rank * n_per_rank, (rank + 1) * n_per_rank


def outcome(fn):
    """Runs fn(); returns (exception type name, status name) or ("ok", None)."""
    try:
        fn()
    except h5par.H5parError as e:
        return type(e).__name__, e.status_name, e
    return "ok", None, None


# ---------------------------------------------------------------------------------------------
# Package, build and declarations
# ---------------------------------------------------------------------------------------------

def test_version_and_build_locations():
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", h5par.version())
    assert h5par.__version__ == h5par.version()
    assert os.path.isfile(os.path.join(h5par.get_include(), "h5par.h"))
    assert os.path.exists(os.path.join(h5par.get_library_dir(), "libh5par.so"))


def _c_functions(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return set(re.findall(r"\b(h5par_\w+)\s*\(", text))


def test_pxd_declares_every_function_of_the_header():
    with open(os.path.join(h5par.get_include(), "h5par.h")) as f:
        header = _c_functions(f.read())
    pxd_path = os.path.join(os.path.dirname(h5par.__file__), "libh5par.pxd")
    with open(pxd_path) as f:
        pxd = f.read()
    pxd_code = "\n".join(line.split("#")[0] for line in pxd.splitlines())
    pxd_code = re.sub(r'""".*?"""', "", pxd_code, flags=re.S)
    declared = _c_functions(pxd_code)
    assert header, "no functions found in h5par.h"
    assert header - declared == set(), "declared in h5par.h, missing in libh5par.pxd"
    assert declared - header == set(), "declared in libh5par.pxd, not in h5par.h"
    for const in ("H5PAR_READONLY", "H5PAR_READWRITE", "H5PAR_COLLECTIVE", "H5PAR_INDEPENDENT",
                  "H5PAR_ERR_INTERNAL", "H5PAR_FLOAT64", "h5par_options", "report_path"):
        assert const in pxd_code, const


def test_status_names_and_exception_classes():
    assert h5par.status_name(h5par.H5PAR_ERR_MISMATCH) == "H5PAR_ERR_MISMATCH"
    assert h5par.status_string(h5par.H5PAR_ERR_SHAPE).startswith("H5PAR_ERR_SHAPE: ")
    assert issubclass(h5par.NotFoundError, KeyError)
    assert issubclass(h5par.NotFoundError, h5par.H5parError)
    for cls in (h5par.InvalidError, h5par.ShapeError, h5par.DtypeError, h5par.ExistsError,
                h5par.HandleError):
        assert issubclass(cls, ValueError) and issubclass(cls, h5par.H5parError)
    assert issubclass(h5par.DtypeError, TypeError)
    for cls in (h5par.RemoteError, h5par.MismatchError, h5par.HDF5Error, h5par.MPIError,
                h5par.H5parIOError, h5par.InternalError):
        assert issubclass(cls, h5par.H5parError)
        assert not issubclass(cls, (ValueError, KeyError))
    e = h5par.error_from_status(h5par.H5PAR_ERR_NOT_FOUND, "gone")
    assert isinstance(e, KeyError) and e.status == h5par.H5PAR_ERR_NOT_FOUND
    assert str(e) == "H5PAR_ERR_NOT_FOUND: gone"
    assert e.status_name == "H5PAR_ERR_NOT_FOUND" and e.message == "gone"


# ---------------------------------------------------------------------------------------------
# Files, datasets, slices
# ---------------------------------------------------------------------------------------------

def test_write_slices_read_back(tmpdir_shared):
    path = os.path.join(tmpdir_shared, "a.h5")
    n = 5
    with h5par.File(path, "w", comm=comm) as f:
        d = f.create_dataset("x", shape=(n * size,), dtype="f8")
        assert d.shape == (n * size,) and d.dtype == np.float64 and d.ndim == 1
        assert d.name == "/x" and len(d) == n * size
        a, b = block(n)
        d[a:b] = np.arange(a, b, dtype="f8") * 0.5
        whole = d[...]
        mine = d[a:b]
        one = d[a]
        last = d[-1]
    expect = np.arange(n * size, dtype="f8") * 0.5
    assert np.array_equal(whole, expect)
    assert np.array_equal(mine, expect[a:b])
    assert one == expect[a] and np.ndim(one) == 0
    assert last == expect[-1]
    assert os.path.exists(path)
    with h5par.File(path, "r", comm=comm) as f:
        d = f["x"]
        assert d.shape == (n * size,) and d.dtype == np.float64
        assert np.array_equal(d[:], expect)


def test_two_d_slices_ints_ellipsis(tmpdir_shared):
    path = os.path.join(tmpdir_shared, "b.h5")
    rows = 4
    values = np.arange(rows * size * 6, dtype="i4").reshape(rows * size, 6)
    with h5par.File(path, "w") as f:        # comm defaults to COMM_WORLD
        d = f.create_dataset("grid/values", shape=(rows * size, 6), dtype=np.int32)
        a, b = block(rows)
        d[a:b, :] = values[a:b]
        all_ = d[...]
        sub = d[a:b, 2:5]
        row = d[a, :]
        col = d[:, 3]
        cell = d[a, -1]
        tail = d[..., 4:]
        head = d[1:3]
    assert np.array_equal(all_, values)
    assert sub.shape == (rows, 3) and np.array_equal(sub, values[a:b, 2:5])
    assert row.shape == (6,) and np.array_equal(row, values[a])
    assert col.shape == (rows * size,) and np.array_equal(col, values[:, 3])
    assert cell == values[a, -1]
    assert np.array_equal(tail, values[:, 4:])
    assert np.array_equal(head, values[1:3])


def test_empty_selection_on_some_ranks(tmpdir_shared):
    path = os.path.join(tmpdir_shared, "c.h5")
    with h5par.File(path, "w", comm=comm) as f:
        d = f.create_dataset("x", shape=(10, 3), dtype="f4")
        if rank == 0:
            d[0:10] = np.ones((10, 3), dtype="f4")
        else:
            d[5:5] = np.ones((0, 3), dtype="f4")         # takes part with nothing
        got = d[0:0, :] if rank != 0 else d[:, :]
        d.write_at((0, 0), np.zeros((0, 3)))              # everyone writes nothing
        empty = d.read_at((10, 0), (0, 3))                # zero count at the end is fine
    if rank == 0:
        assert np.array_equal(got, np.ones((10, 3), "f4"))
    else:
        assert got.shape == (0, 3)
    assert empty.shape == (0, 3)


def test_write_at_read_at_collective_and_independent(tmpdir_shared):
    path = os.path.join(tmpdir_shared, "d.h5")
    n = 6
    with h5par.File(path, "w", comm=comm) as f:
        d = f.create_dataset("x", shape=(n * size, 2), dtype="i8")
        a, _ = block(n)
        mine = np.arange(n * 2, dtype="i8").reshape(n, 2) + 100 * rank
        d.write_at((a, 0), mine)
        back = d.read_at((a, 0), (n, 2))
        other = d.read_at(((rank + 1) % size * n, 0), (n, 2))
        e = f.create_dataset("y", shape=(n * size,), dtype="f8")
        e.write_at(a, np.full(n, float(rank)), collective=False)
        own = e.read_at(a, n, collective=False)
        as_f4 = d.read_at((a, 0), (n, 2), dtype="f4")
        out = np.empty((n, 2), dtype="u2")
        same = d.read_at((a, 0), (n, 2), out=out)
    assert np.array_equal(back, mine)
    assert np.array_equal(other, np.arange(n * 2).reshape(n, 2) + 100 * ((rank + 1) % size))
    assert np.array_equal(own, np.full(n, float(rank)))
    assert as_f4.dtype == np.float32 and np.array_equal(as_f4, mine.astype("f4"))
    assert same is out and np.array_equal(out, mine.astype("u2"))
    with h5par.File(path, "r", comm=comm) as f:
        y = f["y"][...]
    assert np.array_equal(y, np.repeat(np.arange(size, dtype="f8"), n))


@pytest.mark.parametrize("dtype", DTYPES)
def test_every_dtype_round_trip(tmpdir_shared, dtype):
    path = os.path.join(tmpdir_shared, "t.h5")
    dt = np.dtype(dtype)
    with h5par.File(path, "w", comm=comm) as f:
        d = f.create_dataset("v", shape=(3 * size,), dtype=dtype)
        assert d.dtype == dt
        a, b = block(3)
        d[a:b] = (np.arange(a, b) % 100).astype(dt)
        got = d[...]
    assert got.dtype == dt
    assert np.array_equal(got, (np.arange(3 * size) % 100).astype(dt))
    with h5par.File(path, "r", comm=comm) as f:
        assert f["v"].dtype == dt


def test_conversions_and_non_contiguous_input(tmpdir_shared):
    path = os.path.join(tmpdir_shared, "conv.h5")
    with h5par.File(path, "w", comm=comm) as f:
        d = f.create_dataset("i", shape=(size, 4), dtype="i4")
        base = np.arange(8, dtype="f8").reshape(4, 2).T.copy()        # (2, 4)
        d[rank, :] = base[rank % 2][::-1] * 1.0                         # reversed view: copied
        be = f.create_dataset("be", shape=(size, 4), dtype="f8")
        be[rank] = np.arange(4, dtype=">f8") + rank                     # big endian: converted
        lst = f.create_dataset("lst", shape=(size, 3), dtype="u1")
        lst[rank] = [1, 2, rank]                                        # a list
        bc = f.create_dataset("bc", shape=(size, 3), dtype="f4")
        bc[rank] = 7.5                                                  # broadcast scalar
        col = f.create_dataset("col", shape=(size, 6), dtype="i2")
        col[rank:rank + 1, :] = np.arange(12, dtype="i2").reshape(2, 6)[:, ::1][1]  # (6,) -> (1,6)
        got = [d[rank], be[rank], lst[rank], bc[rank], col[rank]]
    assert np.array_equal(got[0], base[rank % 2][::-1].astype("i4"))
    assert got[1].dtype == np.float64 and np.array_equal(got[1], np.arange(4.0) + rank)
    assert np.array_equal(got[2], [1, 2, rank])
    assert np.array_equal(got[3], [7.5] * 3)
    assert np.array_equal(got[4], np.arange(6, 12))


def test_no_copy_of_contiguous_arrays(tmpdir_shared):
    """A C-contiguous array of a supported dtype is passed by pointer: writing it allocates no
    numpy memory (tracemalloc sees numpy's allocations); a strided view is copied once."""
    import tracemalloc
    path = os.path.join(tmpdir_shared, "nocopy.h5")
    n = 1 << 20                                            # 8 MiB of float64 per rank
    with h5par.File(path, "w", comm=comm) as f:
        d = f.create_dataset("x", shape=(n * size,), dtype="f8")
        e = f.create_dataset("y", shape=(n * size,), dtype="f4")
        a, b = block(n)
        arr = np.arange(n, dtype="f8")
        wide = np.arange(2 * n, dtype="f8")
        out = np.empty(n, dtype="f8")

        def extra(fn):
            """numpy memory allocated by fn() beyond what was there before."""
            before, _ = tracemalloc.get_traced_memory()
            tracemalloc.reset_peak()
            fn()
            return tracemalloc.get_traced_memory()[1] - before

        tracemalloc.start()
        try:
            peak_direct = extra(lambda: d.__setitem__(slice(a, b), arr))     # no copy
            peak_direct += extra(lambda: e.__setitem__(slice(a, b), arr))    # HDF5 converts
            peak_strided = extra(lambda: d.__setitem__(slice(a, b), wide[::2]))  # one copy
            peak_read = extra(lambda: d.read_at(a, n, out=out))   # into the caller's array
        finally:
            tracemalloc.stop()
        back = e[a:b]
    assert peak_direct < n, peak_direct                    # far below the 8 MiB of data
    assert peak_strided >= 8 * n, peak_strided
    assert peak_read < n, peak_read
    assert np.array_equal(out, np.arange(0, 2 * n, 2, dtype="f8"))
    assert np.array_equal(back, arr.astype("f4"))


def test_scalar_dataset_and_create_with_data(tmpdir_shared):
    path = os.path.join(tmpdir_shared, "s.h5")
    data = np.arange(12, dtype="u4").reshape(3, 4)
    with h5par.File(path, "w", comm=comm) as f:
        s = f.create_dataset("s", shape=(), dtype="f8")
        s[()] = 2.5
        d = f.create_dataset("data", data=data)
        assert d.shape == (3, 4) and d.dtype == np.uint32
        sv = s[()]
        dv = d[...]
    assert sv == 2.5
    assert np.array_equal(dv, data)


def test_chunks_compression_resize(tmpdir_shared):
    path = os.path.join(tmpdir_shared, "z.h5")
    n = 50
    with h5par.File(path, "w", comm=comm) as f:
        z = f.create_dataset("z", shape=(n * size,), dtype="i4", compression="gzip")
        c = f.create_dataset("c", shape=(n * size, 2), dtype="f8", chunks=(10, 2),
                             maxshape=(None, 2))
        l9 = f.create_dataset("l9", shape=(n * size,), dtype="f4", compression=9)
        t = f.create_dataset("t", shape=(n * size,), dtype="f8", chunks=True)
        a, b = block(n)
        z[a:b] = np.arange(a, b, dtype="i4") - 50
        c[a:b] = np.full((n, 2), rank, dtype="f8")
        l9[a:b] = np.zeros(n, dtype="f4")
        t[a:b] = 1.0
        c.resize((n * size + 5, 2))
        assert c.shape == (n * size + 5, 2)
        if rank == 0:
            c[n * size:n * size + 5] = np.full((5, 2), -1.0)
        else:
            c[n * size:n * size] = np.empty((0, 2))       # takes part with nothing
        zz, cc, tt = z[...], c[...], t[...]
    assert np.array_equal(zz, np.arange(n * size, dtype="i4") - 50)
    assert np.array_equal(cc[:n * size, 0], np.repeat(np.arange(size, dtype="f8"), n))
    assert np.array_equal(cc[n * size:], np.full((5, 2), -1.0))
    assert np.array_equal(tt, np.ones(n * size))


def test_groups_and_attributes(tmpdir_shared):
    path = os.path.join(tmpdir_shared, "attrs.h5")
    with h5par.File(path, "w", comm=comm) as f:
        g = f.create_group("run/params")
        assert g.name == "/run/params"
        f.create_group("run/params")                     # idempotent
        d = g.create_dataset("x", shape=(size,), dtype="f8")
        d[rank] = rank
        d.attrs["units"] = "kelvin"
        d.attrs["scale"] = np.array([1.5, 2.5])
        d.attrs["count"] = 7
        d.attrs["ratio"] = 0.25
        d.attrs["big"] = 2**63 + 5
        d.attrs["i2"] = np.int16(-3)
        d.attrs["whole"] = 3.0                            # a float with an integral value
        d.attrs["ints"] = [1, 2, 3]
        d.attrs["flag"] = True
        d.attrs["unicode"] = "Grüße ✓"
        g.attrs["author"] = "h5par"
        f.attrs["ranks"] = size
        f.attrs["units"] = "overwritten below"
        f.attrs["units"] = b"m"
        again = f["run/params/x"]
        vals = {k: d.attrs[k] for k in ("units", "scale", "count", "ratio", "big", "i2",
                                          "ints", "flag", "unicode", "whole")}
        assert again.attrs["units"] == "kelvin"
        assert g.attrs["author"] == "h5par"
        assert f.attrs["ranks"] == size and f.attrs["units"] == "m"
        assert "units" in d.attrs and "nope" not in d.attrs
        assert d.attrs.get("nope", 42) == 42
        with pytest.raises(KeyError) as ei:
            d.attrs["nope"]
        assert ei.value.status == h5par.H5PAR_ERR_NOT_FOUND
    assert vals["units"] == "kelvin"
    assert isinstance(vals["scale"], np.ndarray) and list(vals["scale"]) == [1.5, 2.5]
    assert vals["count"] == 7 and isinstance(vals["count"], np.integer)
    assert vals["ratio"] == 0.25 and isinstance(vals["ratio"], np.floating)
    assert vals["big"] == 2**63 + 5
    assert vals["i2"] == -3 and vals["i2"].dtype == np.int16   # read in the stored type
    assert vals["whole"] == 3.0 and isinstance(vals["whole"], np.floating)
    assert list(vals["ints"]) == [1, 2, 3]
    assert vals["flag"] == 1
    assert vals["unicode"] == "Grüße ✓"


def test_report_is_a_dict(tmpdir_shared):
    path = os.path.join(tmpdir_shared, "r.h5")
    with h5par.File(path, "w", comm=comm, stripe_count=None, stripe_size=None, tuning=True) as f:
        d = f.create_dataset("x", shape=(100 * size,), dtype="f8")
        a, b = block(100)
        d[a:b] = np.ones(100)
        rep = f.report()
    assert isinstance(rep, dict)
    assert "fs" in rep, sorted(rep)
    report_file = os.path.join(tmpdir_shared, "report.json")
    with h5par.File(os.path.join(tmpdir_shared, "r2.h5"), "w", comm=comm, tuning=False,
                    report=report_file, hints={"romio_cb_write": "enable"}) as f:
        f.create_dataset("x", shape=(4,), dtype="i1")
    comm.Barrier()
    assert os.path.exists(report_file)


def test_modes_and_closed_handles(tmpdir_shared):
    path = os.path.join(tmpdir_shared, "m.h5")
    f = h5par.File(path, "w", comm=comm)
    d = f.create_dataset("x", shape=(size,), dtype="i8")
    d[rank] = rank
    assert not f.closed
    f.close()
    f.close()                                             # a second close does nothing
    assert f.closed
    with pytest.raises(h5par.HandleError):
        d[0]
    with pytest.raises(ValueError):
        f.create_dataset("y", shape=(1,))
    with h5par.File(path, "r+", comm=comm) as f:
        d = f["x"]
        d[rank] = 10 * rank
        d.close()
        d.close()
        with pytest.raises(h5par.HandleError):
            d[rank] = 1
        with f["x"] as d2:
            got = d2[...]
    assert np.array_equal(got, 10 * np.arange(size))
    with h5par.File(path, "r", comm=comm) as f:
        name, status, _ = outcome(lambda: f["x"].__setitem__(rank, 1))
    assert name != "ok", "writing a read-only file must fail"
    assert all_ranks(name != "ok")


# ---------------------------------------------------------------------------------------------
# Errors: the same on every rank, never a hang
# ---------------------------------------------------------------------------------------------

def test_missing_dataset_is_keyerror_everywhere(tmpdir_shared):
    path = os.path.join(tmpdir_shared, "e.h5")
    with h5par.File(path, "w", comm=comm) as f:
        with pytest.raises(KeyError) as ei:
            f["nothing/here"]
        assert isinstance(ei.value, h5par.NotFoundError)
        assert ei.value.status == h5par.H5PAR_ERR_NOT_FOUND
        assert ei.value.status_name == "H5PAR_ERR_NOT_FOUND"
        assert "nothing/here" in str(ei.value)
        # the file is still usable afterwards
        d = f.create_dataset("x", shape=(size,), dtype="f8")
        d[rank] = 1.0
    assert all_ranks(True)


def test_missing_file(tmpdir_shared):
    path = os.path.join(tmpdir_shared, "does-not-exist.h5")
    name, status, e = outcome(lambda: h5par.File(path, "r", comm=comm))
    assert name != "ok"
    assert path in str(e)
    assert len(set(gathered(status))) == 1


def test_bad_slices_are_valueerrors(tmpdir_shared):
    path = os.path.join(tmpdir_shared, "s.h5")
    with h5par.File(path, "w", comm=comm) as f:
        d = f.create_dataset("x", shape=(10, 4), dtype="f8")
        with pytest.raises(ValueError):
            d[10:0:-2] = np.zeros((5, 4))                 # a negative step (refused by h5py too)
        with pytest.raises(ValueError):
            d[::0]
        with pytest.raises(ValueError):
            d[1, 2, 3]                                    # too many indices
        with pytest.raises(ValueError):
            d[[2, 1]]                                     # indices out of order (as h5py)
        with pytest.raises(ValueError):
            d[[1, 2], [0, 1]]                             # two index lists (as h5py)
        with pytest.raises(ValueError) as ei:
            d[0:3] = np.zeros((2, 4))                     # wrong shape
        assert isinstance(ei.value, h5par.ShapeError)
        with pytest.raises(ValueError):
            d[20:25]                                      # out of range on every rank
        with pytest.raises(ValueError):
            d[..., ...]
        with pytest.raises(ValueError):
            d.write_at((0,), np.zeros(4))                 # offset of the wrong rank
        with pytest.raises(ValueError):
            f.create_dataset("bad", shape=(3,), dtype="O")      # variable-length
        with pytest.raises(ValueError):
            f.create_dataset("bad", shape=(3,), compression="lzf")
        with pytest.raises(ValueError):
            f.create_dataset("x", shape=(10, 4), dtype="f8")   # exists
        # still usable
        d[rank % 10] = np.ones(4)
        ok = d[rank % 10]
    assert np.array_equal(ok, np.ones(4))


def test_one_rank_out_of_range_others_remote(tmpdir_shared):
    path = os.path.join(tmpdir_shared, "oor.h5")
    bad = size - 1
    with h5par.File(path, "w", comm=comm) as f:
        d = f.create_dataset("x", shape=(4 * size,), dtype="f8")
        a, b = block(4)

        def write():
            if rank == bad:
                d[4 * size:4 * size + 4] = np.ones(4)     # past the end
            else:
                d[a:b] = np.ones(4)

        w_name, w_status, w_err = outcome(write)

        def read():
            return d[a:b + 100] if rank == bad else d[a:b]

        r_name, r_status, _ = outcome(read)

        def step():
            # A zero step on one rank (Python refuses it): the others' block write is REMOTE.
            d[a:b:(0 if rank == bad else 1)] = np.ones(4)

        s_name, s_status, _ = outcome(step)
        d[a:b] = np.full(4, 3.0)                          # still in step
        back = d[a:b]
    for name, status in ((w_name, w_status), (r_name, r_status)):
        if rank == bad:
            assert name == "ShapeError" and status == "H5PAR_ERR_SHAPE", (name, status)
        else:
            assert name == "RemoteError" and status == "H5PAR_ERR_REMOTE", (name, status)
    if rank == bad:
        assert isinstance(w_err, ValueError)
        assert s_name == "InvalidError"
    else:
        assert s_name == "RemoteError" and s_status == "H5PAR_ERR_REMOTE"
        assert str(bad) in str(w_err), "the message names the rank at fault"
    assert np.array_equal(back, np.full(4, 3.0))


@pytest.mark.skipif(size < 2, reason="a mismatch needs two ranks (skipped on every rank)")
def test_mismatched_shapes_raise_mismatch_everywhere(tmpdir_shared):
    path = os.path.join(tmpdir_shared, "mm.h5")
    with h5par.File(path, "w", comm=comm) as f:
        name, status, e = outcome(lambda: f.create_dataset("x", shape=(10 + rank,), dtype="f8"))
        name2, status2, _ = outcome(
            lambda: f.create_dataset("y", shape=(4,), dtype="f8" if rank == 0 else "f4"))
        name3, status3, _ = outcome(lambda: f.attrs.__setitem__("k", rank))
        d = f.create_dataset("z", shape=(size,), dtype="f8")       # still in step
        d[rank] = 1.0
    assert (name, status) == ("MismatchError", "H5PAR_ERR_MISMATCH"), (name, status, e)
    assert isinstance(e, h5par.H5parError) and e.status == h5par.H5PAR_ERR_MISMATCH
    assert (name2, status2) == ("MismatchError", "H5PAR_ERR_MISMATCH")
    assert (name3, status3) == ("MismatchError", "H5PAR_ERR_MISMATCH")


@pytest.mark.skipif(size < 2, reason="needs two ranks (skipped on every rank)")
def test_python_side_error_on_one_rank_is_remote_on_the_others(tmpdir_shared):
    path = os.path.join(tmpdir_shared, "py.h5")
    with h5par.File(path, "w", comm=comm) as f:
        name, status, _ = outcome(
            lambda: f.create_dataset("x", shape=(3,), dtype="U4" if rank == 0 else "f8"))
        name2, status2, _ = outcome(
            lambda: f.attrs.__setitem__("a", np.zeros(0) if rank == 0 else 1.0))
        d = f.create_dataset("ok", shape=(3,), dtype="f8")
        name3, status3, _ = outcome(
            lambda: d.__setitem__(slice(0, 3), [1, 2] if rank == 0 else np.arange(3.0)))
        d[0:3] = np.arange(3.0)                            # still in step
    if rank == 0:
        assert name == "DtypeError" and status == "H5PAR_ERR_TYPE"
        assert name2 == "ShapeError"
    else:
        assert (name, status) == ("RemoteError", "H5PAR_ERR_REMOTE")
        assert (name2, status2) == ("RemoteError", "H5PAR_ERR_REMOTE")
    if rank == 0:
        assert name3 == "ShapeError"
    else:
        assert (name3, status3) == ("RemoteError", "H5PAR_ERR_REMOTE")


def test_dropped_open_file_warns_and_is_not_closed(tmpdir_shared):
    path = os.path.join(tmpdir_shared, "dropped.h5")
    f = h5par.File(path, "w", comm=comm)
    d = f.create_dataset("x", shape=(size,), dtype="f8")
    d[rank] = 1.0
    del d
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        del f
        gc.collect()
    msgs = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    assert any(path in m for m in msgs), msgs
    comm.Barrier()
    assert not os.path.exists(path), "a dropped file is not closed (so not renamed into place)"
    # Closing what was leaked is collective and explicit.
    closed = h5par.close_leaked_files()
    assert closed == [path]
    comm.Barrier()
    assert os.path.exists(path)


def test_dropped_file_warning_with_pytest_warns(tmpdir_shared):
    path = os.path.join(tmpdir_shared, "dropped2.h5")
    with pytest.warns(ResourceWarning, match=re.escape(path)):
        h5par.File(path, "w", comm=comm)       # dropped at once
        gc.collect()
    assert h5par.close_leaked_files() == [path]


# ---------------------------------------------------------------------------------------------
# h5py reads what h5par wrote
# ---------------------------------------------------------------------------------------------

def test_h5py_reads_what_h5par_wrote(tmpdir_shared):
    path = os.path.join(tmpdir_shared, "for_h5py.h5")
    rows = 4
    values = np.arange(rows * size * 3, dtype="f8").reshape(rows * size, 3) * 0.5
    with h5par.File(path, "w", comm=comm) as f:
        v = f.create_dataset("grid/values", shape=(rows * size, 3), dtype="f8")
        a, b = block(rows)
        v[a:b] = values[a:b]
        z = f.create_dataset("grid/compressed", shape=(100 * size,), dtype="i4",
                             compression="gzip")
        z[100 * rank:100 * (rank + 1)] = np.arange(100 * rank, 100 * (rank + 1),
                                                   dtype="i4") - 50
        v.attrs["units"] = "kelvin"
        v.attrs["scale"] = [1.5, 2.5]
        f.attrs["ranks"] = size
    comm.Barrier()
    import h5py

    def check(h):
        v = h["grid/values"]
        assert v.shape == (rows * size, 3) and v.dtype == np.float64
        assert np.array_equal(v[...], values)
        z = h["grid/compressed"]
        assert z.compression == "gzip"
        assert np.array_equal(z[...], np.arange(100 * size, dtype="i4") - 50)
        units = v.attrs["units"]
        units = units.decode() if isinstance(units, bytes) else units
        assert units == "kelvin"
        assert list(v.attrs["scale"]) == [1.5, 2.5]
        assert int(h.attrs["ranks"]) == size

    ok = True
    if rank == 0:          # serially, on one rank
        with h5py.File(path, "r") as h:
            check(h)
    comm.Barrier()
    if h5py.get_config().mpi:   # the same on every rank: collectively, with the MPI-IO driver
        with h5py.File(path, "r", driver="mpio", comm=comm) as h:
            check(h)
    assert all_ranks(ok)


def test_h5par_reads_what_h5py_wrote(tmpdir_shared):
    path = os.path.join(tmpdir_shared, "from_h5py.h5")
    if rank == 0:
        import h5py
        values = (np.arange(10 * 7, dtype="f8") / 4.0).reshape(10, 7)
        with h5py.File(path, "w") as h:
            h.create_dataset("chunked", data=values, chunks=(3, 2))
            h.create_dataset("compressed", data=values, chunks=(4, 7), compression="gzip")
            h.attrs["creator"] = "h5py"
            h["chunked"].attrs["shape_hint"] = np.array([10, 7], dtype="i8")
            h["chunked"].attrs["pi"] = np.float32(3.25)
    comm.Barrier()
    expect = (np.arange(10 * 7, dtype="f8") / 4.0).reshape(10, 7)
    with h5par.File(path, "r", comm=comm) as f:
        c = f["chunked"]
        z = f["compressed"]
        got_c = c[rank % 10]
        got_z = z[...]
        creator = f.attrs["creator"]
        hint = c.attrs["shape_hint"]
        pi = c.attrs["pi"]
    assert np.array_equal(got_c, expect[rank % 10])
    assert np.array_equal(got_z, expect)
    assert creator == "h5py"
    assert list(hint) == [10, 7]
    assert pi == 3.25


def test_chunks_true_is_the_cores_choice(tmpdir_shared):
    # chunks=True asks the core for a chunk shape (h5par_create.chunked), the one it picks for
    # a compressed dataset of the same shape, as in every front end.
    path = os.path.join(tmpdir_shared, "auto-chunks.h5")
    with h5par.File(path, "w", comm=comm) as f:
        for i, (shape, dt) in enumerate((((3_000_000,), "f8"), ((1000, 777), "f4"),
                                          ((5, 3), "i2"))):
            t = f.create_dataset("t%d" % i, shape=shape, dtype=dt, chunks=True)
            z = f.create_dataset("z%d" % i, shape=shape, dtype=dt, compression="gzip")
            assert t.chunks == z.chunks and t.compression is None, (shape, t.chunks, z.chunks)
