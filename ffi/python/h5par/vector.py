"""Distributed vectors in the style of Epetra/PyTrilinos and petsc4py, on h5par's C API.

    from mpi4py import MPI
    import h5par

    comm = MPI.COMM_WORLD
    unique = h5par.Map.block(10, comm)                # Epetra's linear map
    mine = h5par.Map([0, 1, 2, 3, 4, 8], comm)        # any gids, shared between ranks or not
    x = h5par.Vector(mine)
    x.array[:] = comm.rank + 1                        # a numpy view of this rank's values
    u = h5par.Vector(unique)
    h5par.Export(mine, unique).forward(x, u, "average")

Maps: ``Map(gids, comm)``, ``Map.block(n, comm)``, ``Map.contiguous(n_local, comm)``.
Plans: ``Export(source, target)`` and ``Import(source, target)``, each with ``forward(x, y,
mode)`` and ``reverse(y, x, mode)``; modes "insert", "add", "average" (the true mean of all
contributions: Epetra's Average is not, for three or more), "absmax", "max", "min", "zero".
Matrices: ``CsrMatrix(row_map)``, ``insert(row, cols, values)``, ``fill_complete()``, ``A @ x``.
``cg(A, b, x=None, max_iterations, tol, jacobi, diagonal)`` returns ``(x, info)``; `A` is
a CsrMatrix or a callable ``A(x, y)`` setting y = A x (matrix-free; the same CG). HDF5:
``write_vector(file, name, v, step=None)`` and ``read_vector(file, name, map, step=None,
out=None)`` on an open ``h5par.File`` (``step``: PETSc's timestepping layout; ``out``: into an
existing vector).
Every collective call raises on every rank when any rank's part fails, never hangs.
"""

from ._vector import (  # noqa: F401
    MODES,
    CsrMatrix,
    Export,
    Import,
    Map,
    Vector,
    cg,
    read_vector,
    write_vector,
)

__all__ = ["Map", "Vector", "Export", "Import", "CsrMatrix", "cg", "read_vector",
           "write_vector", "MODES"]
