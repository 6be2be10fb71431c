"""Interop of h5par's vector files with h5py and PETSc (petsc4py), driven by tests/mpi/vector.rs.

    vector_interop.py h5py-check FILE          serial h5py reads what h5par's vector_write wrote
    mpirun -n 2 vector_interop.py petsc-load FILE   PETSc's VecLoad reads the same file
    mpirun -n 2 vector_interop.py petsc-view FILE   PETSc's VecView writes x (50) and xb (50 x 2)
    vector_interop.py h5py-view FILE           the same layout written by serial h5py
"""

import glob
import os
import sys

import numpy as np

MASK = (1 << 64) - 1


def value_of(g, salt):
    """The value h5par's tests store at gid g (tests/mpi/vector.rs: value_of)."""
    return ((g * 2654435761 + salt) & MASK) % 1000 / 8.0 - 60.0


def petsc():
    """petsc4py, also where Debian's /usr/lib/petsc link (from the -dev package) is missing."""
    if not os.path.exists("/usr/lib/petsc"):
        for d in sorted(glob.glob("/usr/lib/petscdir/*/*/lib/python3/dist-packages")):
            if d not in sys.path:
                sys.path.append(d)
    import petsc4py

    petsc4py.init([])
    from petsc4py import PETSc

    return PETSc


def h5py_check(path):
    import h5py

    n = 97
    with h5py.File(path, "r") as f:
        g = np.arange(n)
        want = np.array([value_of(int(i), 1) for i in g])
        assert f["block"].shape == (n,) and f["block"].dtype == np.float64
        assert np.array_equal(f["block"][...], want)
        assert np.array_equal(f["permuted"][...], np.array([value_of(int(i), 2) for i in g]))
        multi = f["multi"][...]
        assert multi.shape == (n, 3)
        for j in range(3):
            assert np.array_equal(multi[:, j], [value_of(int(i), 10 + j) for i in g])
        sparse = f["sparse"][...]
        assert sparse.shape == (3 * (n - 1) + 1,)
        for i in range(sparse.shape[0]):
            assert sparse[i] == (value_of(i, 3) if i % 3 == 0 else 0.0), i
    print("h5py ok")


def petsc_load(path):
    PETSc = petsc()
    comm = PETSc.COMM_WORLD
    viewer = PETSc.Viewer().createHDF5(path, "r", comm=comm)
    v = PETSc.Vec().create(comm=comm)
    v.setName("block")
    v.setType("mpi")
    v.load(viewer)
    lo, hi = v.getOwnershipRange()
    assert v.getSize() == 97
    want = np.array([value_of(i, 1) for i in range(lo, hi)])
    assert np.array_equal(v.getArray(), want), (v.getArray(), want)
    m = PETSc.Vec().create(comm=comm)
    m.setName("multi")
    m.setType("mpi")
    m.setBlockSize(3)
    m.load(viewer)
    assert m.getSize() == 97 * 3 and m.getBlockSize() == 3
    lo, hi = m.getOwnershipRange()
    want = np.array([value_of(i // 3, 10 + i % 3) for i in range(lo, hi)])
    assert np.array_equal(m.getArray(), want)
    # h5par's write_vector_step: "stepped" is [3, 97], step t holding g * 0.25 + t.
    import ctypes

    lib = ctypes.CDLL("libpetsc_real.so.3.18")
    pint = ctypes.c_int64 if np.dtype(PETSc.IntType).itemsize == 8 else ctypes.c_int32
    handle = ctypes.c_void_p(viewer.handle)
    assert lib.PetscViewerHDF5PushTimestepping(handle) == 0
    for t in (2, 0, 1):
        assert lib.PetscViewerHDF5SetTimestep(handle, pint(t)) == 0
        s = PETSc.Vec().create(comm=comm)
        s.setName("stepped")
        s.setType("mpi")
        s.load(viewer)
        assert s.getSize() == 97
        lo, hi = s.getOwnershipRange()
        assert np.array_equal(s.getArray(), np.arange(lo, hi) * 0.25 + t), (t, s.getArray())
    viewer.destroy()
    print(f"rank {comm.getRank()}: petsc VecLoad ok")


def petsc_view(path):
    PETSc = petsc()
    comm = PETSc.COMM_WORLD
    viewer = PETSc.Viewer().createHDF5(path, "w", comm=comm)
    x = PETSc.Vec().createMPI(50, comm=comm)
    x.setName("x")
    lo, hi = x.getOwnershipRange()
    x.setArray(np.arange(lo, hi) * 0.5 + 1.0)
    x.view(viewer)
    xb = PETSc.Vec().createMPI(100, bsize=2, comm=comm)
    xb.setName("xb")
    lo, hi = xb.getOwnershipRange()
    xb.setArray(np.arange(lo, hi, dtype=np.float64))
    xb.view(viewer)
    # Timestepping (PetscViewerHDF5PushTimestepping/SetTimestep, which petsc4py 3.18 does not
    # wrap: called through ctypes): xt is [3, 50], step t holding g * 0.25 + t.
    import ctypes

    lib = ctypes.CDLL("libpetsc_real.so.3.18")
    pint = ctypes.c_int64 if np.dtype(PETSc.IntType).itemsize == 8 else ctypes.c_int32
    handle = ctypes.c_void_p(viewer.handle)
    assert lib.PetscViewerHDF5PushTimestepping(handle) == 0
    xt = PETSc.Vec().createMPI(50, comm=comm)
    xt.setName("xt")
    lo, hi = xt.getOwnershipRange()
    for t in range(3):
        assert lib.PetscViewerHDF5SetTimestep(handle, pint(t)) == 0
        xt.setArray(np.arange(lo, hi) * 0.25 + t)
        xt.view(viewer)
    viewer.destroy()
    print(f"rank {comm.getRank()}: petsc VecView ok")


def h5py_view(path):
    import h5py

    with h5py.File(path, "w") as f:
        f["x"] = np.arange(50) * 0.5 + 1.0
        f["xb"] = np.arange(100, dtype=np.float64).reshape(50, 2)
        xt = f.create_dataset("xt", data=np.arange(50) * 0.25 + np.arange(3)[:, None])
        xt.attrs["timestepping"] = 1
    print("h5py view ok")


if __name__ == "__main__":
    {
        "h5py-check": h5py_check,
        "petsc-load": petsc_load,
        "petsc-view": petsc_view,
        "h5py-view": h5py_view,
    }[sys.argv[1]](sys.argv[2])
