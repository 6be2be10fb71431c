"""Arrays the h5par Python package allocates for reads start on a page (asserted, not timed).

Run by tests/python/run_python_tests.sh with pytest under mpirun on 1, 2 and 3 ranks, like
test_h5par_api.py.
"""

import re
import shutil
import tempfile

import numpy as np
import pytest
from mpi4py import MPI

import h5par
from h5par._buffer import is_page_aligned, page_aligned_empty

comm = MPI.COMM_WORLD
rank = comm.Get_rank()
size = comm.Get_size()


@pytest.fixture
def shared_dir():
    d = comm.bcast(tempfile.mkdtemp(prefix="h5par-buf-", dir="/tmp") if rank == 0 else None)
    yield d
    comm.Barrier()
    if rank == 0:
        shutil.rmtree(d, ignore_errors=True)


def test_page_aligned_empty():
    for shape, dt in [((300_000,), "f8"), ((513, 3), "i4"), (7, "u1"), ((2, 3, 4), "f4")]:
        a = page_aligned_empty(shape, dt)
        assert is_page_aligned(a), (shape, dt)
        assert a.dtype == np.dtype(dt) and a.flags.c_contiguous and a.flags.writeable
        assert a.shape == (shape if isinstance(shape, tuple) else (shape,))
    assert page_aligned_empty((0,), "f8").shape == (0,)
    with pytest.raises(ValueError):
        page_aligned_empty((-1,), "f8")
    # What a user gets from numpy is (for a large array, with glibc) not on a page: the case
    # h5par's own buffers avoid.
    assert not is_page_aligned(np.empty(300_000)[1:])


def _vm_flags(addr):
    """The VmFlags of the mapping of this process that holds `addr` (/proc/self/smaps)."""
    inside = False
    with open("/proc/self/smaps") as f:
        for line in f:
            m = re.match(r"([0-9a-f]+)-([0-9a-f]+) ", line)
            if m:
                inside = int(m.group(1), 16) <= addr < int(m.group(2), 16)
            elif inside and line.startswith("VmFlags:"):
                return line.split()[1:]
    raise AssertionError("no mapping holds %#x" % addr)


def test_large_arrays_are_not_advised_huge_pages():
    # np.empty of 4 MiB or more advises huge pages (VmFlags "hg"), whose first touch can cost
    # 3x the system time (h5par/_buffer.py); h5par's large read arrays are mappings without it,
    # as h5py's np.zeros arrays are.
    for shape, dt in [((1_000_000,), "f8"), ((1024, 1024), "f4"), (5 << 20, "u1")]:
        a = page_aligned_empty(shape, dt)
        assert is_page_aligned(a) and a.flags.writeable and a.flags.c_contiguous
        assert a.dtype == np.dtype(dt) and a.nbytes == np.prod(a.shape) * a.itemsize
        a[...] = 1
        assert a.sum() == a.size
        flags = _vm_flags(a.ctypes.data)
        assert "hg" not in flags, (shape, dt, flags)
    # What the test would see with numpy's own allocation (when numpy advises, as 1.16+ does
    # on Linux with madvise_hugepage on): the flag is there, so the check above can fail.
    b = np.empty(1_000_000)
    if np.core.multiarray._get_madvise_hugepage():
        assert "hg" in _vm_flags(b.ctypes.data + 8192)


def test_reads_allocate_page_aligned_arrays(shared_dir):
    path = comm.bcast(f"{shared_dir}/aligned.h5")
    n = 200_000
    lo, hi = rank * n, (rank + 1) * n
    with h5par.File(path, "w", comm=comm) as f:
        d = f.create_dataset("x", shape=(size * n,), dtype="f8")
        d[lo:hi] = np.arange(lo, hi, dtype="f8")
        m = f.create_dataset("m", shape=(size * 10, 3), dtype="i4")
        m[rank * 10:(rank + 1) * 10] = np.full((10, 3), rank, dtype="i4")
    with h5par.File(path, "r", comm=comm) as f:
        d = f["x"]
        a = d[lo:hi]
        assert is_page_aligned(a) and a[0] == lo and a[-1] == hi - 1
        b = d.read_at(lo, n)
        assert is_page_aligned(b) and b[1] == lo + 1
        c = d.read_at(lo, 1000, dtype="f4")
        assert is_page_aligned(c) and c.dtype == np.float32 and c[999] == lo + 999
        e = f["m"][rank * 10:(rank + 1) * 10]
        assert is_page_aligned(e) and e.shape == (10, 3) and (e == rank).all()
        # A scalar selection keeps working (a 0-d array or a number).
        assert f["x"][lo] == lo
        # out= is the caller's buffer: read into as given.
        out = np.empty(n)
        assert d.read_at(lo, n, out=out) is out and out[-1] == hi - 1
