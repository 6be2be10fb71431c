# cython: language_level=3
"""Distributed vectors over h5par's C API (h5par.h): the thin Cython layer under
h5par.vector. Every call goes through the C ABI, which checks handles and agrees on
collective calls across ranks; a failure raises the h5par error of its status."""

from libc.stdint cimport int64_t
from cpython.buffer cimport PyBUF_WRITABLE, PyBUF_FORMAT, PyBUF_ND
from mpi4py cimport MPI
from mpi4py.libmpi cimport MPI_Comm

import numpy as _np
from mpi4py import MPI as _MPI

from h5par cimport libh5par as L
from h5par.libh5par cimport (
    h5par_map, h5par_vector, h5par_plan, h5par_matrix, h5par_map_block, h5par_map_contiguous,
    h5par_map_arbitrary, h5par_map_info, h5par_map_gids, h5par_map_free, h5par_vector_create,
    h5par_vector_data, h5par_vector_free, h5par_vector_fill, h5par_vector_axpby,
    h5par_vector_multiply, h5par_vector_dot, h5par_vector_reduce, h5par_plan_create,
    h5par_plan_apply, h5par_plan_free, h5par_matrix_create, h5par_matrix_insert,
    h5par_matrix_fill_complete, h5par_matrix_apply, h5par_matrix_free, h5par_cg,
    h5par_cg_operator, h5par_vector_write, h5par_vector_read, h5par_vector_write_step,
    h5par_vector_read_into,
)

from ._core import error_from_status as _error_from_status, InvalidError


cdef inline int check(int rc) except -1:
    if rc != 0:
        raise _error_from_status(rc)
    return 0


MODES = {"insert": 0, "add": 1, "average": 2, "absmax": 3, "max": 4, "min": 5, "zero": 6}


cdef int mode_code(object mode) except -2:
    """The C code of a combine mode name; an unknown name becomes the bad code 99, so that
    the collective call fails on every rank rather than on this one only."""
    if isinstance(mode, int):
        return mode
    return MODES.get(str(mode).lower(), 99)


cdef MPI_Comm comm_of(object comm) except *:
    if comm is None:
        comm = _MPI.COMM_WORLD
    if not isinstance(comm, _MPI.Intracomm):
        raise InvalidError("comm must be an mpi4py intracommunicator, not %r" % (comm,))
    return (<MPI.Comm>comm).ob_mpi


cdef class Map:
    """The distribution of a vector's elements over the ranks of `comm`.

    ``Map(gids, comm=None)``: this rank holds the global ids `gids` (any order; ranks may share
    gids, then the map is not one-to-one). ``Map.block(n, comm)``: Epetra's linear map (the
    first n mod P ranks one larger). ``Map.contiguous(n_local, comm)``: this rank holds
    `n_local` elements after the lower ranks'. All collective.
    """

    cdef h5par_map *_h
    cdef readonly object comm

    def __cinit__(self):
        self._h = NULL

    def __init__(self, gids=None, comm=None, *, _block=None, _local=None):
        cdef MPI_Comm c = comm_of(comm)
        cdef h5par_map *h = NULL
        cdef int64_t[::1] g
        cdef int64_t n = 0
        cdef int64_t nn
        cdef int rc
        self.comm = comm if comm is not None else _MPI.COMM_WORLD
        if _block is not None:
            nn = _block
            with nogil:
                rc = h5par_map_block(c, nn, &h)
        elif _local is not None:
            nn = _local
            with nogil:
                rc = h5par_map_contiguous(c, nn, &h)
        else:
            arr = _np.ascontiguousarray(_np.asarray(gids if gids is not None else [],
                                                    dtype=_np.int64).reshape(-1))
            g = arr
            n = arr.shape[0]
            with nogil:
                rc = h5par_map_arbitrary(c, &g[0] if n > 0 else NULL, n, &h)
        check(rc)
        self._h = h

    @classmethod
    def block(cls, n, comm=None):
        """Collective: Epetra's linear map of `n` elements."""
        return cls(comm=comm, _block=int(n))

    @classmethod
    def contiguous(cls, n_local, comm=None):
        """Collective: this rank holds `n_local` consecutive gids after the lower ranks'."""
        return cls(comm=comm, _local=int(n_local))

    def __dealloc__(self):
        if self._h != NULL:
            h5par_map_free(self._h)
            self._h = NULL

    cdef tuple _info(self):
        cdef int64_t a = 0, b = 0, c = 0
        cdef int o = 0
        check(h5par_map_info(self._h, &a, &b, &c, &o))
        return a, b, c, bool(o)

    @property
    def local_size(self):
        """The number of elements on this rank."""
        return self._info()[0]

    @property
    def global_size(self):
        """The number of elements over all ranks (shared gids count once per rank)."""
        return self._info()[1]

    @property
    def distinct_size(self):
        """The number of distinct gids."""
        return self._info()[2]

    @property
    def one_to_one(self):
        """Whether every gid is held by one rank only."""
        return self._info()[3]

    @property
    def gids(self):
        """This rank's gids, in local order (a new numpy array)."""
        cdef int64_t n = self._info()[0]
        cdef int64_t got = 0
        out = _np.empty(n, dtype=_np.int64)
        cdef int64_t[::1] o = out
        check(h5par_map_gids(self._h, &o[0] if n > 0 else NULL, n, &got))
        return out

    def __repr__(self):
        a, b, c, o = self._info()
        return "<h5par.Map: %d here, %d global, %d distinct%s>" % (
            a, b, c, "" if o else ", overlapping")


cdef char *_FORMAT = b"d"


cdef class _View:
    """Exposes a vector's local values to numpy without a copy (and keeps the vector alive)."""
    cdef object owner
    cdef double *ptr
    cdef Py_ssize_t n
    cdef Py_ssize_t shape[1]
    cdef Py_ssize_t strides[1]

    def __getbuffer__(self, Py_buffer *buf, int flags):
        self.shape[0] = self.n
        self.strides[0] = sizeof(double)
        buf.buf = <void *>self.ptr if self.n > 0 else <void *>&self.shape[0]
        buf.obj = self
        buf.len = self.n * sizeof(double)
        buf.readonly = 0
        buf.itemsize = sizeof(double)
        buf.format = _FORMAT if (flags & PyBUF_FORMAT) else NULL
        buf.ndim = 1
        buf.shape = self.shape
        buf.strides = self.strides
        buf.suboffsets = NULL
        buf.internal = NULL

    def __releasebuffer__(self, Py_buffer *buf):
        pass


cdef class Vector:
    """A distributed vector of float64 on a Map. ``v.array`` is this rank's part as a numpy
    array that shares the vector's memory (writing to it writes the vector). Reductions
    (dot, norms, sum, mean, max, min) are collective; vectors on different maps are an error
    on every rank."""

    cdef h5par_vector *_h
    cdef bint _borrowed
    cdef readonly Map map

    def __cinit__(self):
        self._h = NULL
        self._borrowed = False

    def __init__(self, Map map not None):
        cdef h5par_vector *h = NULL
        check(h5par_vector_create(map._h, &h))
        self._h = h
        self.map = map

    def __dealloc__(self):
        if self._h != NULL and not self._borrowed:
            h5par_vector_free(self._h)
        self._h = NULL

    @property
    def array(self):
        """This rank's values, a numpy view (no copy), in the map's local order."""
        cdef double *d = NULL
        cdef int64_t n = 0
        check(h5par_vector_data(self._h, &d, &n))
        view = _View()
        view.owner = self
        view.ptr = d
        view.n = n
        return _np.asarray(view)

    def fill(self, double value):
        check(h5par_vector_fill(self._h, value))
        return self

    def scale(self, double a):
        """self = a * self."""
        check(h5par_vector_axpby(self._h, 0.0, self._h, a))
        return self

    def axpy(self, double a, Vector x not None):
        """self = self + a * x."""
        check(h5par_vector_axpby(self._h, a, x._h, 1.0))
        return self

    def axpby(self, double a, Vector x not None, double b):
        """self = a * x + b * self."""
        check(h5par_vector_axpby(self._h, a, x._h, b))
        return self

    def multiply(self, Vector x not None):
        """self = self * x, element by element."""
        check(h5par_vector_multiply(self._h, x._h))
        return self

    def dot(self, Vector x not None):
        """Collective: the dot product."""
        cdef double out = 0
        cdef int rc
        with nogil:
            rc = h5par_vector_dot(self._h, x._h, &out)
        check(rc)
        return out

    cdef tuple _reduce(self, int what):
        cdef double out = 0
        cdef int64_t gid = -1
        cdef int rc
        with nogil:
            rc = h5par_vector_reduce(self._h, what, &out, &gid)
        check(rc)
        return out, gid

    def norm1(self):
        return self._reduce(0)[0]

    def norm2(self):
        return self._reduce(1)[0]

    def norminf(self):
        return self._reduce(2)[0]

    def sum(self):
        return self._reduce(3)[0]

    def mean(self):
        return self._reduce(4)[0]

    def max(self):
        """Collective: the largest value (Epetra's MaxValue)."""
        return self._reduce(5)[0]

    def min(self):
        return self._reduce(6)[0]

    def max_loc(self):
        """Collective: (largest value, smallest gid where it occurs)."""
        return self._reduce(5)

    def min_loc(self):
        return self._reduce(6)

    def __repr__(self):
        return "<h5par.Vector on %r>" % (self.map,)


cdef class _Plan:
    cdef h5par_plan *_h
    cdef readonly Map source
    cdef readonly Map target

    def __cinit__(self):
        self._h = NULL

    def _build(self, Map source not None, Map target not None, int imp):
        cdef h5par_plan *h = NULL
        cdef int rc
        with nogil:
            rc = h5par_plan_create(source._h, target._h, imp, &h)
        check(rc)
        self._h = h
        self.source = source
        self.target = target

    def __dealloc__(self):
        if self._h != NULL:
            h5par_plan_free(self._h)
            self._h = NULL

    def forward(self, Vector x not None, Vector y not None, mode="insert"):
        """Collective: combines x (on the source map) into y (on the target map) with `mode`:
        insert, add, average (the mean of all contributions), absmax, max, min, zero."""
        cdef int m = mode_code(mode)
        cdef int rc
        with nogil:
            rc = h5par_plan_apply(self._h, x._h, y._h, m, 0)
        check(rc)
        return y

    def reverse(self, Vector y not None, Vector x not None, mode="insert"):
        """Collective: combines y (on the target map) into x (on the source map), along the
        plan's messages in reverse."""
        cdef int m = mode_code(mode)
        cdef int rc
        with nogil:
            rc = h5par_plan_apply(self._h, y._h, x._h, m, 1)
        check(rc)
        return x


class Export(_Plan):
    """Collective: ``Export(source, target)``: every source element goes to every target
    element of its gid (overlapping to one-to-one, e.g. with "add" or "average"). Built once,
    used forward and in reverse any number of times."""

    def __init__(self, Map source not None, Map target not None):
        self._build(source, target, 0)


class Import(_Plan):
    """Collective: ``Import(source, target)``: every target element receives from one source
    element of its gid (one-to-one to overlapping, with "insert")."""

    def __init__(self, Map source not None, Map target not None):
        self._build(source, target, 1)


cdef class CsrMatrix:
    """A distributed sparse matrix on a one-to-one row map. ``insert(row, cols, values)`` from
    any rank into any row (summed), then the collective ``fill_complete()``; ``A @ x`` or
    ``apply(x, y)`` multiply."""

    cdef h5par_matrix *_h
    cdef readonly Map map

    def __cinit__(self):
        self._h = NULL

    def __init__(self, Map map not None):
        cdef h5par_matrix *h = NULL
        check(h5par_matrix_create(map._h, &h))
        self._h = h
        self.map = map

    def __dealloc__(self):
        if self._h != NULL:
            h5par_matrix_free(self._h)
            self._h = NULL

    def insert(self, row, cols, values):
        c = _np.ascontiguousarray(_np.asarray(cols, dtype=_np.int64).reshape(-1))
        v = _np.ascontiguousarray(_np.asarray(values, dtype=_np.float64).reshape(-1))
        if c.shape[0] != v.shape[0]:
            raise InvalidError("%d columns and %d values" % (c.shape[0], v.shape[0]))
        cdef int64_t[::1] cc = c
        cdef double[::1] vv = v
        cdef int64_t n = c.shape[0]
        check(h5par_matrix_insert(self._h, int(row), &cc[0] if n else NULL,
                                  &vv[0] if n else NULL, n))

    sum_into = insert

    def fill_complete(self):
        cdef int rc
        with nogil:
            rc = h5par_matrix_fill_complete(self._h)
        check(rc)

    def apply(self, Vector x not None, Vector y not None):
        """Collective: y = A x."""
        cdef int rc
        with nogil:
            rc = h5par_matrix_apply(self._h, x._h, y._h)
        check(rc)
        return y

    def __matmul__(self, x):
        return self.apply(x, Vector(self.map))


cdef Vector _borrowed_vector(h5par_vector *h, Map map):
    """A Vector on a handle h5par owns (valid during one operator call only)."""
    cdef Vector v = Vector.__new__(Vector)
    v._h = h
    v._borrowed = True
    v.map = map
    return v


cdef class _Operator:
    """What the C callback of cg sees: the user's callable, the map, the exception raised."""
    cdef object apply
    cdef Map map
    cdef object error


cdef int _apply_operator(void *ctx, const h5par_vector *x, h5par_vector *y) noexcept with gil:
    cdef _Operator op = <_Operator>ctx
    cdef Vector xv = _borrowed_vector(<h5par_vector *>x, op.map)
    cdef Vector yv = _borrowed_vector(y, op.map)
    try:
        op.apply(xv, yv)
        return 0
    except BaseException as e:  # every exception: it must not cross the C border
        if op.error is None:
            op.error = e
        return 1
    finally:
        # The handles die with the call: later uses of these Vectors raise, never crash.
        xv._h = NULL
        yv._h = NULL


def cg(A, Vector b not None, Vector x=None, max_iterations=1000, tol=1e-8, jacobi=False,
       diagonal=None):
    """Collective: solves A x = b by conjugate gradients (Jacobi preconditioning if asked)
    from `x` (zeros if None). `A` is a CsrMatrix, or any callable ``A(x, y)`` that sets
    ``y.array`` to A x for the Vectors x and y on b's map (matrix-free: it may use plans and
    other collective calls; the Vectors it gets are valid during the call only). With a
    callable, Jacobi needs `diagonal`, a Vector of A's diagonal. The same CG serves both; an
    exception in the callable on any rank is an error on every rank (re-raised on the ranks
    where it was raised). Returns (x, info) with info = {"iterations", "converged",
    "relative_residual"}; not converging is not an error."""
    cdef Vector xv
    cdef Vector dv = None
    cdef _Operator op
    cdef CsrMatrix m
    cdef int64_t it = 0
    cdef double res = 0
    cdef int conv = 0
    cdef int64_t mi = max_iterations
    cdef double t = tol
    cdef int j = 1 if jacobi else 0
    cdef int rc
    if isinstance(A, CsrMatrix):
        m = A
        if x is None:
            x = Vector(m.map)
        xv = x
        with nogil:
            rc = h5par_cg(m._h, b._h, xv._h, mi, t, j, &it, &res, &conv)
        check(rc)
    else:
        op = _Operator()
        if not callable(A):
            raise InvalidError("cg: A must be a CsrMatrix or a callable A(x, y), not %r" % (A,))
        op.apply = A
        op.map = b.map
        if x is None:
            x = Vector(b.map)
        xv = x
        if diagonal is not None:
            dv = diagonal
        with nogil:
            rc = h5par_cg_operator(_apply_operator, <void *>op,
                                   dv._h if dv is not None else NULL, b._h, xv._h, mi, t, j,
                                   &it, &res, &conv)
        if rc != 0 and op.error is not None:
            raise op.error
        check(rc)
    return x, {"iterations": it, "converged": bool(conv), "relative_residual": res}


def write_vector(file, name, Vector v not None, step=None):
    """Collective: writes `v` (a one-to-one map) as the 1-D dataset `name` of the open
    h5par.File `file`, in gid order (PETSc's VecView layout); with `step` (0, 1, ...), as that
    timestep of the dataset `[T, N]` in PETSc's timestepping layout (created at the first
    step written, extended for later ones)."""
    cdef size_t token = file._token()
    bname = str(name).encode()
    cdef const char *cname = bname
    cdef int rc
    cdef int64_t t = -1 if step is None else step
    if step is not None and t < 0:
        t = -2  # the C call fails on every rank (a negative step)
    with nogil:
        if t == -1:
            rc = h5par_vector_write(<L.h5par_file *>token, cname, v._h)
        else:
            rc = h5par_vector_write_step(<L.h5par_file *>token, cname, v._h, t)
    check(rc)


def read_vector(file, name, Map map=None, step=None, Vector out=None):
    """Collective: reads the 1-D dataset `name` into a new Vector on `map` (any map, any
    number of ranks; PETSc's VecView files included), or into the existing Vector `out`
    (then `map` is not used; no new vector: what a loop over timesteps uses). With `step`,
    reads that timestep of PETSc's timestepping layout `[T, N]`. Returns the vector."""
    cdef size_t token = file._token()
    bname = str(name).encode()
    cdef const char *cname = bname
    cdef h5par_vector *h = NULL
    cdef int rc
    cdef int64_t t = -1 if step is None else step
    if step is not None and t < 0:
        t = -2  # the C call fails on every rank (a negative step)
    if out is not None:
        with nogil:
            rc = h5par_vector_read_into(<L.h5par_file *>token, cname, out._h, t)
        check(rc)
        return out
    if map is None:
        raise InvalidError("read_vector: a map or an out vector is needed")
    if step is not None:
        out = Vector(map)
        return read_vector(file, name, step=step, out=out)
    with nogil:
        rc = h5par_vector_read(<L.h5par_file *>token, cname, map._h, &h)
    check(rc)
    cdef Vector v = Vector.__new__(Vector)
    v._h = h
    v.map = map
    return v
