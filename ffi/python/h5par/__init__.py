"""h5par: collective parallel HDF5 I/O over MPI that never hangs.

    from mpi4py import MPI
    import numpy as np
    import h5par

    comm = MPI.COMM_WORLD
    with h5par.File("out.h5", "w", comm=comm) as f:
        d = f.create_dataset("x", shape=(4 * comm.size,), dtype="f8")
        d[4 * comm.rank:4 * comm.rank + 4] = np.arange(4.0) + comm.rank   # collective
        d.attrs["units"] = "m"
        print(f.report()["fs"])

Collective calls are made by every rank, in the same order; a mistake on one rank raises on
every rank (``H5parError``: the rank at fault gets its own error, the others
``H5PAR_ERR_REMOTE``), never a hang. Files are closed only by ``close()`` or a ``with`` block.

Built against OpenMPI (Debian's mpi4py uses OpenMPI). From Cython: ``from h5par cimport
libh5par`` (the C API of h5par.h); build with ``get_include()`` and ``get_library_dir()``.
"""

import os as _os

from ._core import (  # noqa: F401
    DtypeError,
    ExistsError,
    H5parError,
    H5parIOError,
    HandleError,
    HDF5Error,
    InternalError,
    InvalidError,
    MismatchError,
    MPIError,
    NotFoundError,
    RemoteError,
    ShapeError,
    close_leaked_files,
    dtype_code,
    error_from_status,
    last_error,
    status_name,
    status_string,
    version,
    H5PAR_OK,
    H5PAR_ERR_INVALID,
    H5PAR_ERR_HANDLE,
    H5PAR_ERR_NOT_FOUND,
    H5PAR_ERR_EXISTS,
    H5PAR_ERR_TYPE,
    H5PAR_ERR_SHAPE,
    H5PAR_ERR_MISMATCH,
    H5PAR_ERR_REMOTE,
    H5PAR_ERR_IO,
    H5PAR_ERR_HDF5,
    H5PAR_ERR_MPI,
    H5PAR_ERR_INTERNAL,
    H5PAR_INT8,
    H5PAR_INT16,
    H5PAR_INT32,
    H5PAR_INT64,
    H5PAR_UINT8,
    H5PAR_UINT16,
    H5PAR_UINT32,
    H5PAR_UINT64,
    H5PAR_FLOAT32,
    H5PAR_FLOAT64,
)
from ._hl.attrs import AttributeManager  # noqa: F401,E402
from ._hl.dataset import Dataset  # noqa: F401,E402
from ._hl.files import File  # noqa: F401,E402
from ._hl.group import ExternalLink, Group, HardLink, SoftLink  # noqa: F401,E402

# Distributed vectors (h5par.vector).
from .vector import CsrMatrix, Export, Import, Map, Vector, cg, read_vector, write_vector  # noqa: F401,E402

try:
    from . import _build_config
except ImportError:  # pragma: no cover - the extension is built with setup.py, which writes it
    _build_config = None

__version__ = version()

_HERE = _os.path.dirname(_os.path.abspath(__file__))


def get_include():
    """The directory of h5par.h (to compile a C or Cython extension that uses h5par; add
    ``mpi4py.get_include()`` and the MPI compile flags too)."""
    packaged = _os.path.join(_HERE, "include")
    has = lambda d: bool(d) and _os.path.isfile(_os.path.join(d, "h5par.h"))  # noqa: E731
    recorded = getattr(_build_config, "INCLUDE_DIR", "") if _build_config else ""
    staged = bool(getattr(_build_config, "STAGED", False)) if _build_config else True
    # With a staged library (a copy in the package), the header copied with it goes with it.
    for d in ((packaged, recorded) if staged else (recorded, packaged)):
        if has(d):
            return d
    return _os.path.normpath(_os.path.join(_HERE, "..", "..", "..", "include"))


def get_library_dir():
    """The directory of libh5par.so (link with ``-L<dir> -lh5par -Wl,-rpath,<dir>``)."""
    staged = _os.path.join(_HERE, "_lib")
    if _build_config and getattr(_build_config, "STAGED", False):
        return staged
    d = getattr(_build_config, "LIBRARY_DIR", "") if _build_config else ""
    if d:
        return d
    return staged


def get_pxd_dir():
    """The directory holding the ``h5par`` package (with libh5par.pxd), for Cython's include
    path when the package is not on sys.path at build time."""
    return _os.path.dirname(_HERE)
