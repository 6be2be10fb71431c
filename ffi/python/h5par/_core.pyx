# cython: language_level=3, embedsignature=True
"""h5par._core: the thin Cython layer over the C API of libh5par (``h5par.h``, declared in
``libh5par.pxd``).

It holds what needs C: the extension types that own libh5par's handles (``FileID`` of a file,
``DatasetID`` of a dataset; exported to user Cython by ``_core.pxd``), the conversion of
arguments (paths, shapes, numpy buffers, dtype codes), the status codes and exceptions. The
h5py-shaped classes (``h5par.File``, ``Group``, ``Dataset``, ``AttributeManager``) are pure
Python in ``h5par/_hl`` on top of it.

Every collective method takes ``failure``: an exception the caller (the Python layer) raised on
this rank before the call (a bad selection, a ValueError from a ragged list, ...). With one,
the method still enters the collective call, as this rank's failure with its real message
(``h5par_fail_next``) and with arguments the library rejects, so that every other rank gets
``RemoteError`` naming it instead of waiting forever; this rank then raises `failure` (with
the file, object and rank in front of an h5par message).

The garbage collector never makes a collective call: a file dropped while open is closed
collectively at interpreter exit, with the other files never closed, when every rank gets there
(as h5py closes files at exit); otherwise each rank prints a warning on stderr naming the file
and where its data is.
"""

import operator as _operator
import os as _os
import warnings as _warnings

import numpy as _np
from mpi4py import MPI as _MPI

cimport cython
from cpython.buffer cimport (PyObject_GetBuffer, PyBuffer_Release, PyBUF_C_CONTIGUOUS,
                             PyBUF_WRITABLE)
from libc.stdint cimport int64_t, uint64_t
from libc.stdlib cimport malloc, free
from mpi4py cimport MPI
from mpi4py.libmpi cimport MPI_Comm

from h5par cimport libh5par as L

DEF MAX_DIMS = 32

# ---------------------------------------------------------------------------------------------
# Constants
# ---------------------------------------------------------------------------------------------

H5PAR_OK = L.H5PAR_OK
H5PAR_ERR_INVALID = L.H5PAR_ERR_INVALID
H5PAR_ERR_HANDLE = L.H5PAR_ERR_HANDLE
H5PAR_ERR_NOT_FOUND = L.H5PAR_ERR_NOT_FOUND
H5PAR_ERR_EXISTS = L.H5PAR_ERR_EXISTS
H5PAR_ERR_TYPE = L.H5PAR_ERR_TYPE
H5PAR_ERR_SHAPE = L.H5PAR_ERR_SHAPE
H5PAR_ERR_MISMATCH = L.H5PAR_ERR_MISMATCH
H5PAR_ERR_REMOTE = L.H5PAR_ERR_REMOTE
H5PAR_ERR_IO = L.H5PAR_ERR_IO
H5PAR_ERR_HDF5 = L.H5PAR_ERR_HDF5
H5PAR_ERR_MPI = L.H5PAR_ERR_MPI
H5PAR_ERR_INTERNAL = L.H5PAR_ERR_INTERNAL

H5PAR_INT8 = L.H5PAR_INT8
H5PAR_INT16 = L.H5PAR_INT16
H5PAR_INT32 = L.H5PAR_INT32
H5PAR_INT64 = L.H5PAR_INT64
H5PAR_UINT8 = L.H5PAR_UINT8
H5PAR_UINT16 = L.H5PAR_UINT16
H5PAR_UINT32 = L.H5PAR_UINT32
H5PAR_UINT64 = L.H5PAR_UINT64
H5PAR_FLOAT32 = L.H5PAR_FLOAT32
H5PAR_FLOAT64 = L.H5PAR_FLOAT64
H5PAR_BOOL = L.H5PAR_BOOL
H5PAR_COMPLEX64 = L.H5PAR_COMPLEX64
H5PAR_COMPLEX128 = L.H5PAR_COMPLEX128
H5PAR_STRING = L.H5PAR_STRING
H5PAR_COMPOUND = L.H5PAR_COMPOUND
H5PAR_UNSUPPORTED = L.H5PAR_UNSUPPORTED

# A dtype code no h5par function accepts: passed to make a collective call fail on this rank
# (and with H5PAR_ERR_REMOTE on the others) when Python rejected this rank's arguments.
cdef int POISON = -1

# numpy dtype <-> h5par dtype code
_DTYPES = (_np.dtype("i1"), _np.dtype("i2"), _np.dtype("i4"), _np.dtype("i8"),
           _np.dtype("u1"), _np.dtype("u2"), _np.dtype("u4"), _np.dtype("u8"),
           _np.dtype("f4"), _np.dtype("f8"))
_KIND_SIZE = {(dt.kind, dt.itemsize): code for code, dt in enumerate(_DTYPES)}


def version():
    """The version of libh5par, "MAJOR.MINOR.PATCH"."""
    return (<bytes>L.h5par_version()).decode()


# ---------------------------------------------------------------------------------------------
# Exceptions
# ---------------------------------------------------------------------------------------------

class H5parError(Exception):
    """An h5par call failed. ``status`` is the h5par_status code, ``status_name`` its name
    (e.g. ``"H5PAR_ERR_MISMATCH"``), ``message`` the library's message (it names the call, the
    file and object, and for collective calls the rank that failed)."""

    default_status = L.H5PAR_ERR_INTERNAL

    def __init__(self, message, status=None):
        if status is None:
            status = type(self).default_status
        self.status = int(status)
        self.status_name = status_name(self.status)
        self.message = str(message)
        Exception.__init__(self, "%s: %s" % (self.status_name, self.message))

    def __str__(self):
        return self.args[0] if self.args else ""

    def __reduce__(self):
        return (type(self), (self.message, self.status))


class InvalidError(H5parError, ValueError):
    """H5PAR_ERR_INVALID: a bad argument (out of range, bad dtype, bad index, ...)."""
    default_status = L.H5PAR_ERR_INVALID


class HandleError(H5parError, ValueError):
    """H5PAR_ERR_HANDLE: a closed handle (file or dataset used after close)."""
    default_status = L.H5PAR_ERR_HANDLE


class NotFoundError(H5parError, KeyError):
    """H5PAR_ERR_NOT_FOUND: a file, object or attribute that does not exist."""
    default_status = L.H5PAR_ERR_NOT_FOUND


class ExistsError(H5parError, ValueError):
    """H5PAR_ERR_EXISTS: a file or object that exists already."""
    default_status = L.H5PAR_ERR_EXISTS


class DtypeError(H5parError, TypeError, ValueError):
    """H5PAR_ERR_TYPE: an incompatible or unsupported data type."""
    default_status = L.H5PAR_ERR_TYPE


class ShapeError(H5parError, ValueError):
    """H5PAR_ERR_SHAPE: an incompatible shape or an out-of-range selection."""
    default_status = L.H5PAR_ERR_SHAPE


class MismatchError(H5parError):
    """H5PAR_ERR_MISMATCH: ranks passed different arguments to a collective call."""
    default_status = L.H5PAR_ERR_MISMATCH


class RemoteError(H5parError):
    """H5PAR_ERR_REMOTE: the collective call failed on another rank; this rank's part was fine."""
    default_status = L.H5PAR_ERR_REMOTE


class H5parIOError(H5parError):
    """H5PAR_ERR_IO: an operating-system I/O error."""
    default_status = L.H5PAR_ERR_IO


class HDF5Error(H5parError):
    """H5PAR_ERR_HDF5: HDF5 reported an error."""
    default_status = L.H5PAR_ERR_HDF5


class MPIError(H5parError):
    """H5PAR_ERR_MPI: MPI reported an error, or MPI is not initialized / finalized."""
    default_status = L.H5PAR_ERR_MPI


class InternalError(H5parError):
    """H5PAR_ERR_INTERNAL: a bug in h5par."""
    default_status = L.H5PAR_ERR_INTERNAL


_ERRORS = {
    L.H5PAR_ERR_INVALID: InvalidError,
    L.H5PAR_ERR_HANDLE: HandleError,
    L.H5PAR_ERR_NOT_FOUND: NotFoundError,
    L.H5PAR_ERR_EXISTS: ExistsError,
    L.H5PAR_ERR_TYPE: DtypeError,
    L.H5PAR_ERR_SHAPE: ShapeError,
    L.H5PAR_ERR_MISMATCH: MismatchError,
    L.H5PAR_ERR_REMOTE: RemoteError,
    L.H5PAR_ERR_IO: H5parIOError,
    L.H5PAR_ERR_HDF5: HDF5Error,
    L.H5PAR_ERR_MPI: MPIError,
    L.H5PAR_ERR_INTERNAL: InternalError,
}


def status_name(int status):
    """The name of an h5par_status code, e.g. ``"H5PAR_ERR_SHAPE"``."""
    cdef const char *s = L.h5par_status_string(status)
    text = (<bytes>s).decode("utf-8", "replace") if s != NULL else ""
    return text.split(":", 1)[0]


def status_string(int status):
    """The name and meaning of an h5par_status code, ``"H5PAR_ERR_SHAPE: ..."``."""
    cdef const char *s = L.h5par_status_string(status)
    return (<bytes>s).decode("utf-8", "replace") if s != NULL else ""


def last_error():
    """The message of this thread's last failed h5par call ("" if none)."""
    cdef const char *s = L.h5par_last_error()
    return (<bytes>s).decode("utf-8", "replace") if s != NULL else ""


def error_from_status(int status, message=None):
    """The exception for a status code (with this thread's last error message by default)."""
    if message is None:
        message = last_error()
    cls = _ERRORS.get(status, H5parError)
    return cls(message, status)


cdef object _located(object err, object filename, object obj, object comm):
    """err with the file, object and rank in front of its message (as the library's own
    messages have them), for errors Python finds before a call."""
    if not isinstance(err, H5parError):
        return err
    try:
        where = "%s%s: rank %d of %d" % (filename, (":" + obj) if obj else "", comm.Get_rank(),
                                         comm.Get_size())
    except Exception:
        return err
    new = type(err)("%s: %s" % (where, err.message), err.status)
    new.__cause__ = err.__cause__
    return new


cdef int _fail_next_call(object err) except -1:
    """Hands this rank's own exception `err` (any exception: ValueError, UnicodeError,
    TypeError, h5par's own...) to the collective call made next, as this rank's failure with
    its real message: the call still takes part in the agreement, so every rank raises
    (this one `err` itself, the others RemoteError naming it) instead of waiting."""
    if err is None:
        return 0
    if isinstance(err, H5parError):
        status = err.status
        text = err.message
    else:
        status = L.H5PAR_ERR_TYPE if isinstance(err, TypeError) else L.H5PAR_ERR_INVALID
        text = "%s: %s" % (type(err).__name__, err)
    btext = text.encode("utf-8", "backslashreplace")
    L.h5par_fail_next(status, btext)
    return 0


cdef inline int check(int rc) except -1:
    if rc != 0:
        raise error_from_status(rc)
    return 0


# ---------------------------------------------------------------------------------------------
# Conversions
# ---------------------------------------------------------------------------------------------

def located(err, filename, obj, comm):
    """`err` with the file, object and rank in front of its message (as the library's own
    messages have them), for h5par errors Python finds before a call; other exceptions as
    they are."""
    return _located(err, filename, obj, comm)


def dtype_code(dtype):
    """The h5par dtype code of a numpy dtype (or anything numpy.dtype() accepts)."""
    try:
        dt = _np.dtype(dtype)
    except TypeError as e:
        raise DtypeError("%r is not a data type: %s" % (dtype, e)) from None
    code = _KIND_SIZE.get((dt.kind, dt.itemsize))
    if code is None or not dt.isnative:
        raise DtypeError("data type %s is not supported (use i1 i2 i4 i8 u1 u2 u4 u8 f4 f8, "
                         "native byte order)" % (dt,))
    return code


def code_dtype(int code):
    """The numpy dtype of an h5par dtype code."""
    return _DTYPES[code]


def array_code(arr):
    """The dtype code of a numpy array's own dtype, or None when h5par cannot take it as is."""
    dt = arr.dtype
    if not dt.isnative:
        return None
    return _KIND_SIZE.get((dt.kind, dt.itemsize))


cdef bytes _text(object s, str what):
    if isinstance(s, bytes):
        return s
    if isinstance(s, str):
        return s.encode("utf-8")
    raise InvalidError("%s must be a str, not %s" % (what, type(s).__name__))


cdef tuple _collective_path(object path, object failure):
    """The argument preamble of a collective call that takes one object path: (the path as
    bytes, None), or (None, this rank's failure) when a `failure` was given or `path` cannot
    be converted. The failure is handed to the call made next (`_fail_next_call`), which
    the caller then makes with a NULL path, so that every rank fails in it."""
    if failure is None:
        try:
            return _text(path, "an object name"), None
        except Exception as e:
            failure = e
    _fail_next_call(failure)
    return None, failure


cdef class _U64s:
    """A small C array of uint64 (offsets, counts, dims)."""
    cdef uint64_t v[MAX_DIMS]
    cdef int n

    def __cinit__(self, values=()):
        self.n = 0
        for x in values:
            if self.n >= MAX_DIMS:
                raise InvalidError("more than %d dimensions" % MAX_DIMS)
            if x < 0 or x >= (1 << 64):
                raise ShapeError("offset, count or extent %d is out of range" % x)
            self.v[self.n] = <uint64_t>x
            self.n += 1


cdef void _poison(L.h5par_selection *s):
    """A selection the library rejects (a negative number of dimensions)."""
    s.ndims = -1
    s.start = NULL
    s.stride = NULL
    s.count = NULL
    s.block = NULL
    s.index_axis = -1
    s.nindices = 0
    s.indices = NULL


cdef class _Sel:
    """An h5par_selection from (start, stride, count, block, index_axis, indices): stride
    and block may be None (1), indices a sequence of strictly increasing ints or None."""
    cdef L.h5par_selection sel
    cdef _U64s start, stride, count, block
    cdef object indices

    def __cinit__(self, spec):
        start, stride, count, block, axis, indices = spec
        self.start = _U64s(start)
        self.count = _U64s(count)
        if self.count.n != self.start.n:
            raise ShapeError("a selection needs as many counts as starts")
        self.sel.ndims = self.start.n
        self.sel.start = self.start.v
        self.sel.count = self.count.v
        self.sel.stride = NULL
        self.sel.block = NULL
        if stride is not None:
            self.stride = _U64s(stride)
            self.sel.stride = self.stride.v
        if block is not None:
            self.block = _U64s(block)
            self.sel.block = self.block.v
        self.sel.index_axis = -1 if axis is None else axis
        self.sel.nindices = 0
        self.sel.indices = NULL
        if indices is not None:
            self.indices = _np.ascontiguousarray(indices, dtype=_np.uint64)
            self.sel.nindices = self.indices.size
            if self.sel.nindices:
                self.sel.indices = <const uint64_t *><size_t>self.indices.ctypes.data


# ---------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------

cdef long long _file_seq = 0
# Files dropped while open, by creation number: (path, file handle, [dataset handles]) as
# addresses. See close_leaked_files.
_leaked = {}
# Open files by creation number (weakly: dropping a FileID moves it to _leaked).
import weakref as _weakref
_open_files = _weakref.WeakValueDictionary()

# How open_file opens: CREATE (or truncate), else H5PAR_READONLY / H5PAR_READWRITE.
DEF _CREATE = -100
CREATE = _CREATE
READONLY = L.H5PAR_READONLY
READWRITE = L.H5PAR_READWRITE


cdef str _cstr(bytearray b):
    """The NUL-terminated UTF-8 text at the start of `b`."""
    i = b.find(0)
    return bytes(b[:i if i >= 0 else len(b)]).decode("utf-8", "replace")


ctypedef int (*_copy_fn)(void *h, char *buf, size_t capacity, size_t *len) noexcept nogil


cdef str _copied(void *h, _copy_fn fn):
    """The text a C call of the shape `fn(handle, buf, capacity, &len)` copies out (a bigger
    buffer when the first is too small)."""
    cdef size_t need = 0
    cdef size_t cap = 256
    cdef int rc = 0
    cdef bytearray b = None
    for _ in range(2):
        b = bytearray(cap)
        rc = fn(h, b, cap, &need)
        if rc == L.H5PAR_ERR_INVALID and need > cap:
            cap = need
            continue
        break
    check(rc)
    return _cstr(b)


def open_file(comm, path, int how, stripe_count=None, stripe_size=None, cb_nodes=None,
              tuning=True, atomic=True, hints=None, report=None, libver=None, failure=None):
    """Collective on the mpi4py intracommunicator `comm`: creates (`how` CREATE) or opens
    (READONLY, READWRITE) the file `path` and returns its FileID. hints: "k=v,k=v"; report: a
    path or "-"; libver: "low,high". With `failure`, takes part and raises it."""
    global _file_seq
    cdef L.h5par_options opts
    cdef L.h5par_file *h = NULL
    cdef MPI_Comm c
    cdef const char *cpath
    cdef int rc
    cdef FileID fid
    if not isinstance(comm, _MPI.Intracomm):
        raise InvalidError("comm must be an mpi4py intracommunicator, not %r" % (comm,))
    c = (<MPI.Comm>comm).ob_mpi
    L.h5par_options_init(&opts)
    bpath = b""
    bhints = breport = blibver = None
    filename = path
    if failure is None:
        try:
            filename = _os.fspath(path)
            bpath = _os.fsencode(filename)
            if stripe_count is not None:
                opts.stripe_count = _operator.index(stripe_count)
            if stripe_size is not None:
                opts.stripe_size = _operator.index(stripe_size)
            if cb_nodes is not None:
                opts.cb_nodes = _operator.index(cb_nodes)
            opts.tuning = 1 if tuning else 0
            opts.atomic_create = 1 if atomic else 0
            if hints is not None:
                bhints = _text(hints, "hints")
                opts.hints = bhints
            if report is not None:
                breport = _os.fsencode(report)
                opts.report_path = breport
            if libver is not None:
                blibver = _text(libver, "libver")
                opts.libver = blibver
        except Exception as e:
            failure = e
    if failure is not None:
        # A bad mode: rejected by the library here, REMOTE on the other ranks.
        how = POISON
        bpath = b""
    cpath = bpath
    _fail_next_call(failure)
    with nogil:
        if how == _CREATE:
            rc = L.h5par_file_create(c, cpath, &opts, &h)
        else:
            rc = L.h5par_file_open(c, cpath, how, &opts, &h)
    if failure is not None:
        raise _located(failure, filename, "", comm)
    check(rc)
    fid = FileID.__new__(FileID)
    fid._h = h
    fid.filename = filename
    fid.comm = comm
    _file_seq += 1
    fid._seq = _file_seq
    _open_files[fid._seq] = fid
    return fid


@cython.no_gc_clear
cdef class FileID:
    """The handle of an open file (``h5par.File(...).id``): made by open_file, closed by
    ``close()`` (collective) or at interpreter exit. The garbage collector never closes it (it
    warns with a ResourceWarning; the file is closed collectively at exit)."""

    def __cinit__(self):
        self._h = NULL
        self._dsets = []
        self.filename = None

    def __init__(self, *args, **kwargs):
        raise TypeError("FileID objects are made by h5par._core.open_file")

    def __dealloc__(self):
        # Never a collective call here: the ranks collect garbage at different times.
        cdef DatasetID dh
        if self._h != NULL:
            try:
                dsets = []
                for dh in self._dsets:
                    if dh._h != NULL:
                        dsets.append(<size_t>dh._h)
                _leaked[self._seq] = (self.filename, <size_t>self._h, dsets)
                _warnings.warn(
                    "h5par.File %r was dropped while open: it is closed collectively at "
                    "interpreter exit (or by h5par.close_leaked_files()); call close() on every "
                    "rank or use a with block" % (self.filename,),
                    ResourceWarning, stacklevel=2)
            except Exception:
                pass

    cdef L.h5par_file *handle(self):
        return self._h

    cdef int _check_open(self) except -1:
        if self._h == NULL:
            raise HandleError("h5par.File %r is closed" % (self.filename,))
        return 0

    @property
    def valid(self):
        """Whether the file is open."""
        return self._h != NULL

    def _token(self):
        """The C handle as an integer, for h5par's own extension modules (h5par._vector);
        raises HandleError when the file is closed."""
        self._check_open()
        return <size_t>self._h

    def close(self, failure=None):
        """Collective: closes the file (and its datasets still open); with `failure` (this
        rank's exception), on every rank without publishing it, and every rank raises. A
        closed file: nothing. When the ranks are in different calls the file stays open
        (``valid``) and every rank raises."""
        cdef L.h5par_file *h = self._h
        cdef int rc
        if h == NULL:
            return
        _fail_next_call(failure)
        with nogil:
            rc = L.h5par_file_close(h)
        if L.h5par_file_is_open(h) == 0:
            self._h = NULL
            self._forget_datasets()
            _open_files.pop(self._seq, None)
        check(rc)

    def close_at_exit(self):
        """h5par_file_close_at_exit (no rank waits for ranks that may never come)."""
        cdef L.h5par_file *h = self._h
        cdef int rc
        if h == NULL:
            return
        with nogil:
            rc = L.h5par_file_close_at_exit(h)
        if L.h5par_file_is_open(h) == 0:
            self._h = NULL
            self._forget_datasets()
            _open_files.pop(self._seq, None)
        check(rc)

    cdef _forget_datasets(self):
        """The file's close closed its datasets in HDF5: free their handles (local)."""
        cdef DatasetID dh
        cdef L.h5par_dataset *d
        for dh in self._dsets:
            d = dh._h
            if d != NULL:
                dh._h = NULL
                with nogil:
                    L.h5par_dataset_close(d)
        self._dsets = []

    def report_json(self):
        """The I/O report so far, this rank's view, as JSON text (local)."""
        cdef size_t need = 0
        cdef size_t cap
        cdef int rc
        cdef char *buf
        self._check_open()
        with nogil:
            rc = L.h5par_file_report_json(self._h, NULL, 0, &need)
        if rc != 0 and not (rc == L.H5PAR_ERR_INVALID and need > 0):
            check(rc)
        cap = need + 1
        buf = <char *>malloc(cap)
        if buf == NULL:
            raise MemoryError()
        try:
            with nogil:
                rc = L.h5par_file_report_json(self._h, buf, cap, &need)
            check(rc)
            return (<bytes>buf).decode("utf-8", "replace")
        finally:
            free(buf)

    # -- objects ------------------------------------------------------------------------------

    def exists(self, path):
        """Local: whether an object exists at `path`."""
        cdef int found = 0
        cdef int rc
        cdef const char *cpath
        self._check_open()
        bpath = _text(path, "an object name")
        cpath = bpath
        with nogil:
            rc = L.h5par_object_exists(self._h, cpath, &found)
        check(rc)
        return found != 0

    def group_create(self, path, failure=None):
        """Collective: creates the group `path` and its missing parents."""
        cdef int rc
        cdef const char *cpath = NULL   # NULL: rejected here, REMOTE on the other ranks
        self._check_open()
        bpath, failure = _collective_path(path, failure)
        if bpath is not None:
            cpath = bpath
        with nogil:
            rc = L.h5par_group_create(self._h, cpath)
        if failure is not None:
            raise _located(failure, self.filename, path, self.comm)
        check(rc)

    def dataset_create(self, path, int code, dims, chunk, int level, failure=None):
        """Collective: creates the dataset `path` (dtype code, extent `dims`, chunk shape or
        None, deflate level) and returns its DatasetID."""
        cdef int rc
        cdef int ndims = 0
        cdef _U64s cdims = _U64s()
        cdef _U64s cchunk
        cdef const uint64_t *pchunk = NULL
        cdef const char *cpath = NULL
        cdef L.h5par_dataset *h = NULL
        self._check_open()
        bpath = None
        if failure is None:
            try:
                bpath = _text(path, "an object name")
                cdims = _U64s(dims)
                ndims = cdims.n
                if chunk is not None:
                    cchunk = _U64s(chunk)
                    pchunk = cchunk.v
            except Exception as e:
                failure = e
        if failure is not None:
            code = POISON
            ndims = 0
            pchunk = NULL
        else:
            cpath = bpath
        _fail_next_call(failure)
        with nogil:
            rc = L.h5par_dataset_create(self._h, cpath, code, ndims, cdims.v, pchunk, level, &h)
        if failure is not None:
            raise _located(failure, self.filename, path, self.comm)
        check(rc)
        return self._new_dataset(h, path)

    def dataset_open(self, path, failure=None):
        """Collective: opens the dataset `path`; returns its DatasetID."""
        cdef int rc
        cdef const char *cpath = NULL
        cdef L.h5par_dataset *h = NULL
        self._check_open()
        bpath, failure = _collective_path(path, failure)
        if bpath is not None:
            cpath = bpath
        with nogil:
            rc = L.h5par_dataset_open(self._h, cpath, &h)
        if failure is not None:
            raise _located(failure, self.filename, path, self.comm)
        check(rc)
        return self._new_dataset(h, path)

    cdef DatasetID _new_dataset(self, L.h5par_dataset *h, object path):
        cdef DatasetID d = DatasetID.__new__(DatasetID)
        d._h = h
        d.file = self
        d.path = path
        self._dsets.append(d)
        return d

    def dataset_create_ex(self, path, spec, dims, chunk=None, maxshape=None, int deflate=0,
                          bint shuffle=False, fill=None, fill_spec=None, failure=None,
                          bint chunked=False):
        """Collective: creates the dataset `path` of the type spec `spec` and extent `dims`
        with the creation options (chunk shape or None: the core chooses when the options
        need chunks, or when `chunked`; maxshape with -1 for unlimited or None; deflate
        level; shuffle; fill: a numpy array of one element of the type spec `fill_spec`, or
        None); returns its DatasetID."""
        cdef int rc
        cdef L.h5par_create opts
        cdef _U64s cdims = _U64s()
        cdef _U64s cchunk
        cdef int64_t cmax[MAX_DIMS]
        cdef const char *cpath = NULL
        cdef const char *cspec = NULL
        cdef L.h5par_dataset *h = NULL
        cdef Py_buffer view
        cdef bint have_view = False
        cdef int ndims = 0
        self._check_open()
        L.h5par_create_init(&opts)
        keep = []
        if failure is None:
            try:
                bpath = _text(path, "an object name")
                bspec = _text(spec, "a type")
                keep += [bpath, bspec]
                cdims = _U64s(dims)
                ndims = cdims.n
                if chunk is not None:
                    cchunk = _U64s(chunk)
                    if cchunk.n != ndims:
                        raise ShapeError("chunks %r and shape %r differ in dimensions"
                                         % (tuple(chunk), tuple(dims)))
                    opts.chunk = cchunk.v
                if maxshape is not None:
                    if len(maxshape) != ndims:
                        raise ShapeError("maxshape %r and shape %r differ in dimensions"
                                         % (tuple(maxshape), tuple(dims)))
                    for i, m in enumerate(maxshape):
                        cmax[i] = m
                    opts.maxshape = cmax
                opts.deflate = deflate
                opts.shuffle = 1 if shuffle else 0
                opts.chunked = 1 if chunked else 0
                if fill is not None:
                    if fill_spec is not None:
                        bfill = _text(fill_spec, "a type")
                        keep.append(bfill)
                        opts.fill_type = bfill
                    PyObject_GetBuffer(fill, &view, PyBUF_C_CONTIGUOUS)
                    have_view = True
                    opts.fill = view.buf
                cpath = bpath
                cspec = bspec
            except Exception as e:
                failure = e
        if failure is not None:
            cpath = NULL
            ndims = 0
            L.h5par_create_init(&opts)
        _fail_next_call(failure)
        try:
            with nogil:
                rc = L.h5par_dataset_create_ex(self._h, cpath, cspec, ndims, cdims.v, &opts, &h)
        finally:
            if have_view:
                PyBuffer_Release(&view)
        if failure is not None:
            raise _located(failure, self.filename, path, self.comm)
        check(rc)
        return self._new_dataset(h, path)

    def attr_write_typed(self, obj, name, spec, arr, failure=None):
        """Collective: writes the attribute `name` of `obj`: the C-contiguous numpy array
        `arr` (any number of dimensions; 0 is a scalar) of the type spec `spec`."""
        cdef int rc
        cdef _U64s cdims = _U64s()
        cdef const char *cobj = NULL
        cdef const char *cname = NULL
        cdef const char *cspec = NULL
        cdef Py_buffer view
        cdef bint have_view = False
        cdef const void *buf = NULL
        cdef size_t nbytes = 0
        cdef int ndims = 0
        self._check_open()
        keep = []
        if failure is None:
            try:
                keep = [_text(obj, "an object name"), _text(name, "attribute name"),
                        _text(spec, "a type")]
                cdims = _U64s(arr.shape)
                ndims = cdims.n
                PyObject_GetBuffer(arr, &view, PyBUF_C_CONTIGUOUS)
                have_view = True
                buf = view.buf
                nbytes = view.len
                cobj = keep[0]
                cname = keep[1]
                cspec = keep[2]
            except Exception as e:
                failure = e
        if failure is not None:
            cobj = NULL
            ndims = 0
        _fail_next_call(failure)
        try:
            with nogil:
                rc = L.h5par_attr_write_typed(self._h, cobj, cname, cspec, ndims, cdims.v, buf,
                                              nbytes)
        finally:
            if have_view:
                PyBuffer_Release(&view)
        if failure is not None:
            raise _located(failure, self.filename, obj, self.comm)
        check(rc)

    def attr_type(self, obj, name):
        """Local: (type spec, extent tuple) of the attribute `name` of `obj`."""
        cdef size_t need = 0
        cdef size_t cap = 256
        cdef int ndims = 0
        cdef uint64_t dims[MAX_DIMS]
        cdef int rc
        cdef const char *cobj
        cdef const char *cname
        cdef bytearray b
        self._check_open()
        bobj = _text(obj, "an object name")
        bname = _text(name, "attribute name")
        cobj = bobj
        cname = bname
        for _ in range(2):
            b = bytearray(cap)
            rc = L.h5par_attr_type(self._h, cobj, cname, b, cap, &need, &ndims, dims)
            if rc == L.H5PAR_ERR_INVALID and need > cap:
                cap = need
                continue
            break
        check(rc)
        return _cstr(b), tuple([dims[i] for i in range(ndims)])

    def attr_read_typed(self, obj, name, mem_spec, out):
        """Local: reads the attribute `name` of `obj` into the C-contiguous writable array
        `out` (its elements as the type spec `mem_spec`); returns `out`."""
        cdef Py_buffer view
        cdef int rc
        cdef const char *cobj
        cdef const char *cname
        cdef const char *cspec
        self._check_open()
        bobj = _text(obj, "an object name")
        bname = _text(name, "attribute name")
        bspec = _text(mem_spec, "a type")
        cobj = bobj
        cname = bname
        cspec = bspec
        PyObject_GetBuffer(out, &view, PyBUF_C_CONTIGUOUS | PyBUF_WRITABLE)
        try:
            with nogil:
                rc = L.h5par_attr_read_typed(self._h, cobj, cname, cspec, view.buf,
                                             <size_t>view.len)
        finally:
            PyBuffer_Release(&view)
        check(rc)
        return out

    # -- navigation (local) --------------------------------------------------------------------

    def kind(self, path, bint follow=True):
        """Local: the kind of the object at `path` (KIND_NONE when nothing is; with `follow`
        soft links are followed, a dangling one is KIND_NONE)."""
        cdef int kind = 0
        cdef int rc
        cdef const char *cpath
        self._check_open()
        bpath = _text(path, "an object name")
        cpath = bpath
        with nogil:
            rc = L.h5par_object_kind(self._h, cpath, 1 if follow else 0, &kind)
        check(rc)
        return kind

    def group_open(self, path):
        """Local: the GroupID of the existing group `path`."""
        cdef L.h5par_group *g = NULL
        cdef int rc
        cdef const char *cpath
        cdef GroupID gid
        self._check_open()
        bpath = _text(path, "an object name")
        cpath = bpath
        with nogil:
            rc = L.h5par_group_open(self._h, cpath, &g)
        check(rc)
        gid = GroupID.__new__(GroupID)
        gid._h = g
        gid.file = self
        return gid

    def object_open(self, path, failure=None):
        """Opens what `path` leads to, following soft and external links (h5par_object_open:
        local for a group of this file, collective for a dataset or through an external
        link). Returns (GroupID or DatasetID, FileID of the file an external link led to or
        None). With `failure`, takes part in the collective form and raises it."""
        global _file_seq
        cdef int kind = 0
        cdef int rc
        cdef const char *cpath = NULL
        cdef L.h5par_group *g = NULL
        cdef L.h5par_dataset *d = NULL
        cdef L.h5par_file *t = NULL
        cdef GroupID gid
        cdef FileID owner = self
        cdef FileID tfid
        self._check_open()
        bpath, failure = _collective_path(path, failure)
        if bpath is not None:
            cpath = bpath
        with nogil:
            rc = L.h5par_object_open(self._h, cpath, &kind, &g, &d, &t)
        if failure is not None:
            raise _located(failure, self.filename, path, self.comm)
        check(rc)
        if t != NULL:
            try:
                tname = _copied(<void *>t, <_copy_fn>L.h5par_file_name)
            except BaseException:
                L.h5par_file_close(t)
                raise
            tfid = FileID.__new__(FileID)
            tfid._h = t
            tfid.filename = tname
            tfid.comm = self.comm
            _file_seq += 1
            tfid._seq = _file_seq
            _open_files[tfid._seq] = tfid
            owner = tfid
        else:
            tfid = None
        if g != NULL:
            gid = GroupID.__new__(GroupID)
            gid._h = g
            gid.file = owner
            return gid, tfid
        try:
            dpath = _copied(<void *>d, <_copy_fn>L.h5par_dataset_path)
        except BaseException:
            L.h5par_dataset_close(d)
            raise
        return owner._new_dataset(d, dpath), tfid

    def link_target(self, path):
        """Local: (target path, target file or "") of the soft or external link `path`."""
        cdef size_t need = 0
        cdef size_t fneed = 0
        cdef size_t cap = 256
        cdef size_t fcap = 256
        cdef int rc
        cdef const char *cpath
        cdef bytearray b
        cdef bytearray fb
        self._check_open()
        bpath = _text(path, "an object name")
        cpath = bpath
        for _ in range(2):
            b = bytearray(cap)
            fb = bytearray(fcap)
            rc = L.h5par_link_target(self._h, cpath, b, cap, &need, fb, fcap, &fneed)
            if rc == L.H5PAR_ERR_INVALID and (need > cap or fneed > fcap):
                cap = max(cap, need)
                fcap = max(fcap, fneed)
                continue
            break
        check(rc)
        return _cstr(b), _cstr(fb)

    def attr_names(self, obj):
        """Local: the names of the attributes of `obj`, in name order."""
        cdef size_t n = 0
        cdef size_t i
        cdef size_t need = 0
        cdef size_t cap
        cdef int rc
        cdef const char *cobj
        cdef bytearray b
        self._check_open()
        bobj = _text(obj, "an object name")
        cobj = bobj
        check(L.h5par_attr_count(self._h, cobj, &n))
        names = []
        for i in range(n):
            cap = 256
            for _ in range(2):
                b = bytearray(cap)
                rc = L.h5par_attr_name(self._h, cobj, i, b, cap, &need)
                if rc == L.H5PAR_ERR_INVALID and need > cap:
                    cap = need
                    continue
                break
            check(rc)
            names.append(_cstr(b))
        return names

    # -- links and deletion (collective) ---------------------------------------------------

    def object_delete(self, path, failure=None):
        """Collective: deletes the link `path` (a dataset, group or link)."""
        self._paths_call(0, (path,), failure)

    def object_move(self, src, dst, failure=None):
        """Collective: moves (renames) `src` to `dst`."""
        self._paths_call(1, (src, dst), failure)

    def link_soft(self, path, target, failure=None):
        """Collective: makes `path` a soft link to `target`."""
        self._paths_call(2, (path, target), failure)

    def link_external(self, path, target_file, target_path, failure=None):
        """Collective: makes `path` an external link to `target_path` in `target_file`."""
        self._paths_call(3, (path, target_file, target_path), failure)

    def attr_delete(self, obj, name, failure=None):
        """Collective: deletes the attribute `name` of `obj`."""
        self._paths_call(4, (obj, name), failure)

    def link_hard(self, path, target, failure=None):
        """Collective: makes `path` a hard link to the object at `target`."""
        self._paths_call(5, (path, target), failure)

    cdef _paths_call(self, int which, tuple args, object failure):
        """One of the collective calls that take only strings; with `failure` (or a string
        this rank cannot convert), NULL strings the library rejects here (REMOTE on the
        other ranks)."""
        cdef const char *a = NULL
        cdef const char *b = NULL
        cdef const char *c = NULL
        cdef int rc
        self._check_open()
        keep = []
        if failure is None:
            try:
                keep = [_text(x, "a name") for x in args]
            except Exception as e:
                failure = e
        if failure is None:
            a = keep[0]
            if len(keep) > 1:
                b = keep[1]
            if len(keep) > 2:
                c = keep[2]
        _fail_next_call(failure)
        with nogil:
            if which == 0:
                rc = L.h5par_object_delete(self._h, a)
            elif which == 1:
                rc = L.h5par_object_move(self._h, a, b)
            elif which == 2:
                rc = L.h5par_link_soft(self._h, a, b)
            elif which == 3:
                rc = L.h5par_link_external(self._h, a, b, c)
            elif which == 5:
                rc = L.h5par_link_hard(self._h, a, b)
            else:
                rc = L.h5par_attr_delete(self._h, a, b)
        if failure is not None:
            raise _located(failure, self.filename, args[0] if args else "", self.comm)
        check(rc)

    # -- attributes ---------------------------------------------------------------------------

    def attr_write(self, obj, name, value, failure=None):
        """Collective: writes the attribute `name` of the object `obj`: `value` is a str (a
        string attribute) or a C-contiguous 1-D numpy array of a supported dtype."""
        cdef int rc
        cdef int code = POISON
        cdef uint64_t n = 0
        cdef const void *ptr = NULL
        cdef const char *cobj
        cdef const char *cname
        cdef const char *cval
        cdef Py_buffer view
        cdef bint have_view = False
        cdef bint is_text = False
        self._check_open()
        bobj = _text(obj, "an object name")
        bname = b""
        bval = None
        if failure is None:
            try:
                bname = _text(name, "attribute name")
                if isinstance(value, str):
                    bval = value.encode("utf-8")
                    is_text = True
                else:
                    c = array_code(value)
                    if c is None:
                        raise DtypeError("attribute values of type %s are not supported"
                                         % (value.dtype,))
                    code = c
                    n = value.size
            except Exception as e:
                failure = e
        if failure is not None:
            is_text = False
            code = POISON
            n = 0
        cobj = bobj
        cname = bname
        _fail_next_call(failure)
        if is_text:
            cval = bval
            with nogil:
                rc = L.h5par_attr_write_string(self._h, cobj, cname, cval)
        else:
            if failure is None:
                PyObject_GetBuffer(value, &view, PyBUF_C_CONTIGUOUS)
                have_view = True
                ptr = view.buf
            try:
                with nogil:
                    rc = L.h5par_attr_write(self._h, cobj, cname, code, n, ptr)
            finally:
                if have_view:
                    PyBuffer_Release(&view)
        if failure is not None:
            raise _located(failure, self.filename, obj, self.comm)
        check(rc)

    def attr_info(self, obj, name):
        """Local: (dtype code or -1 for a string, number of values or string length in
        bytes) of the attribute `name` of `obj` (NotFoundError when missing)."""
        cdef uint64_t n = 0
        cdef int code = -1
        cdef int rc
        cdef const char *cobj
        cdef const char *cname
        self._check_open()
        bobj = _text(obj, "an object name")
        bname = _text(name, "attribute name")
        cobj = bobj
        cname = bname
        with nogil:
            rc = L.h5par_attr_info(self._h, cobj, cname, &code, &n)
        check(rc)
        return code, n

    def attr_read_string(self, obj, name):
        """Local: the string attribute `name` of `obj`, or None when it holds numbers."""
        cdef char small[256]
        cdef char *buf = small
        cdef size_t need = 0
        cdef size_t cap = sizeof(small)
        cdef int rc
        cdef const char *cobj
        cdef const char *cname
        self._check_open()
        bobj = _text(obj, "an object name")
        bname = _text(name, "attribute name")
        cobj = bobj
        cname = bname
        with nogil:
            rc = L.h5par_attr_read_string(self._h, cobj, cname, buf, cap, &need)
        if rc == L.H5PAR_ERR_TYPE:
            return None
        if rc == L.H5PAR_ERR_INVALID and need > cap:
            cap = need
            buf = <char *>malloc(cap)
            if buf == NULL:
                raise MemoryError()
            try:
                with nogil:
                    rc = L.h5par_attr_read_string(self._h, cobj, cname, buf, cap, &need)
                check(rc)
                return (<bytes>buf).decode("utf-8", "replace")
            finally:
                free(buf)
        check(rc)
        return (<bytes>buf).decode("utf-8", "replace")

    def attr_read(self, obj, name, int code, uint64_t n):
        """Local: the `n` values of the numeric attribute `name` of `obj`, converted to the
        dtype code `code`, as a new 1-D array."""
        cdef Py_buffer view
        cdef uint64_t got = 0
        cdef int rc
        cdef const char *cobj
        cdef const char *cname
        self._check_open()
        bobj = _text(obj, "an object name")
        bname = _text(name, "attribute name")
        cobj = bobj
        cname = bname
        out = _np.empty(n, dtype=_DTYPES[code])
        PyObject_GetBuffer(out, &view, PyBUF_C_CONTIGUOUS | PyBUF_WRITABLE)
        try:
            with nogil:
                rc = L.h5par_attr_read(self._h, cobj, cname, code, n, view.buf, &got)
        finally:
            PyBuffer_Release(&view)
        check(rc)
        return out[:got]

    def __repr__(self):
        return "<h5par FileID %r (%s)>" % (self.filename, "open" if self._h else "closed")


def _close_at_exit():
    """At interpreter exit (before mpi4py finalizes MPI): closes, collectively and in the order
    they were opened, the files still open or dropped while open, as h5py closes files at exit.
    When some rank is not exiting (it is in another collective call), nothing more can be
    closed: each rank then prints a warning on stderr naming the file and where its data is."""
    import sys
    try:
        if not _MPI.Is_initialized() or _MPI.Is_finalized():
            pending = list(_open_files.values())
            for f in pending:
                sys.stderr.write("h5par: warning: %r was never closed and MPI is finalized: its "
                                 "data is not at its path\n" % (f.filename,))
            return
    except Exception:
        return
    seqs = sorted(set(_open_files.keys()) | set(_leaked.keys()))
    for seq in seqs:
        f = _open_files.get(seq)
        try:
            if f is not None:
                f.close_at_exit()
            elif seq in _leaked:
                _close_leaked(seq)
        except Exception as e:
            name = f.filename if f is not None else _leaked.get(seq, ("?",))[0]
            sys.stderr.write("h5par: warning: %r was not closed at exit: %s\n" % (name, e))
            sys.stderr.flush()


import atexit as _atexit
_atexit.register(_close_at_exit)


cdef _close_leaked(object seq):
    cdef L.h5par_file *h
    cdef L.h5par_dataset *d
    cdef int rc
    path, addr, dsets = _leaked[seq]
    h = <L.h5par_file *><size_t>addr
    with nogil:
        rc = L.h5par_file_close_at_exit(h)
    if L.h5par_file_is_open(h) == 0:
        _leaked.pop(seq, None)
        for daddr in dsets:
            d = <L.h5par_dataset *><size_t>daddr
            with nogil:
                L.h5par_dataset_close(d)
    check(rc)
    return path


def close_leaked_files():
    """Collective: closes the files dropped while open (see File) and their datasets, in the
    order the files were opened (the same on every rank, since files are opened collectively).
    Every rank must have dropped the same files. Returns the list of their paths."""
    paths = []
    for seq in sorted(_leaked):
        paths.append(_close_leaked(seq))
    return paths


# ---------------------------------------------------------------------------------------------
# Groups
# ---------------------------------------------------------------------------------------------

# Kinds of h5par_object_kind and h5par_group_member.
KIND_NONE = 0
KIND_GROUP = 1
KIND_DATASET = 2
KIND_SOFT_LINK = 3
KIND_EXTERNAL_LINK = 4
KIND_OTHER = 5


@cython.no_gc_clear
cdef class GroupID:
    """The local handle of an open group (FileID.group_open); freed when dropped (a local
    call) or by ``close()``."""

    def __cinit__(self):
        self._h = NULL

    def __init__(self, *args, **kwargs):
        raise TypeError("GroupID objects are made by FileID.group_open")

    def __dealloc__(self):
        if self._h != NULL:
            L.h5par_group_close(self._h)
            self._h = NULL

    cdef L.h5par_group *handle(self):
        return self._h

    def close(self):
        """Local: frees the handle."""
        cdef L.h5par_group *h = self._h
        self._h = NULL
        if h != NULL:
            check(L.h5par_group_close(h))

    cdef int _check_open(self) except -1:
        if self._h == NULL:
            raise HandleError("h5par group handle is closed")
        return 0

    def path(self):
        """Local: the absolute, normalized path of the group."""
        self._check_open()
        return _copied(<void *>self._h, <_copy_fn>L.h5par_group_path)

    def names(self):
        """Local: the names of the group's members, sorted (links included), in one C call and
        one pass over the group's links (as h5py's keys())."""
        cdef size_t n = 0
        cdef size_t need = 0
        cdef size_t cap = 4096
        cdef int rc
        cdef bytearray b
        self._check_open()
        for _ in range(2):
            b = bytearray(cap)
            rc = L.h5par_group_names(self._h, b, cap, &need, &n)
            if rc == L.H5PAR_ERR_INVALID and need > cap:
                cap = need
                continue
            break
        check(rc)
        if n == 0:
            return []
        return bytes(b[:need - 1]).decode("utf-8", "replace").split("\0")

    def members(self, bint kinds=True):
        """Local: [(name, kind)] of the group's members, sorted by name (links as links); with
        kinds=False only their names, in one pass over the group's links (as h5py's keys())."""
        cdef size_t n = 0
        cdef size_t i
        cdef size_t need = 0
        cdef size_t cap
        cdef int kind = 0
        cdef int *kp = &kind if kinds else NULL
        cdef int rc
        cdef bytearray b
        self._check_open()
        if kinds:
            check(L.h5par_group_nmembers(self._h, &n))
        else:
            check(L.h5par_group_nnames(self._h, &n))
        out = []
        for i in range(n):
            cap = 256
            for _ in range(2):
                b = bytearray(cap)
                rc = L.h5par_group_member(self._h, i, b, cap, &need, kp)
                if rc == L.H5PAR_ERR_INVALID and need > cap:
                    cap = need
                    continue
                break
            check(rc)
            out.append((_cstr(b), kind) if kinds else _cstr(b))
        return out


# ---------------------------------------------------------------------------------------------
# Datasets
# ---------------------------------------------------------------------------------------------

COLLECTIVE = L.H5PAR_COLLECTIVE
INDEPENDENT = L.H5PAR_INDEPENDENT


@cython.no_gc_clear
cdef class DatasetID:
    """The handle of an open dataset (``h5par.Dataset.id``), made by FileID.dataset_create /
    dataset_open; closed by ``close()`` or its file's close."""

    def __cinit__(self):
        self._h = NULL

    def __init__(self, *args, **kwargs):
        raise TypeError("DatasetID objects are made by FileID.dataset_create/dataset_open")

    cdef L.h5par_dataset *handle(self):
        return self._h

    cdef int _check_open(self) except -1:
        if self._h == NULL:
            raise HandleError("h5par.Dataset %r is closed" % (self.path,))
        if self.file._h == NULL:
            raise HandleError("h5par.Dataset %r: its file %r is closed"
                              % (self.path, self.file.filename))
        return 0

    @property
    def valid(self):
        return self._h != NULL and self.file._h != NULL

    def info(self):
        """Local: (dtype code, extent tuple)."""
        cdef int code = 0
        cdef int nd = 0
        cdef uint64_t dims[MAX_DIMS]
        cdef int rc
        self._check_open()
        rc = L.h5par_dataset_info(self._h, &code, &nd, dims)
        check(rc)
        return code, tuple([dims[i] for i in range(nd)])

    def close(self):
        """Local: closes the dataset (nothing when closed)."""
        cdef L.h5par_dataset *h = self._h
        cdef int rc
        if h == NULL:
            return
        self._h = NULL
        try:
            self.file._dsets.remove(self)
        except ValueError:
            pass
        with nogil:
            rc = L.h5par_dataset_close(h)
        check(rc)

    def write(self, int xfer, offset, count, arr, failure=None):
        """Writes the C-contiguous array `arr` (count elements) at `offset`, collectively
        (COLLECTIVE) or from this rank alone (INDEPENDENT). With `failure` (collective), takes
        part with arguments the library rejects, then raises it."""
        cdef _U64s coff
        cdef _U64s ccount
        cdef int mem = POISON
        cdef Py_buffer view
        cdef bint have_view = False
        cdef const void *buf = NULL
        cdef int rc
        self._check_open()
        if failure is None:
            try:
                coff = _U64s(offset)
                ccount = _U64s(count)
                mem = array_code(arr)
            except Exception as e:
                failure = e
        if failure is not None:
            if xfer != L.H5PAR_COLLECTIVE:
                raise _located(failure, self.file.filename, self.path, self.file.comm)
            coff = _U64s()
            ccount = _U64s()
            mem = POISON
        else:
            PyObject_GetBuffer(arr, &view, PyBUF_C_CONTIGUOUS)
            have_view = True
            buf = view.buf
        _fail_next_call(failure)
        try:
            with nogil:
                rc = L.h5par_dataset_write(self._h, xfer, coff.v, ccount.v, mem, buf)
        finally:
            if have_view:
                PyBuffer_Release(&view)
        if failure is not None:
            raise _located(failure, self.file.filename, self.path, self.file.comm)
        check(rc)

    def read(self, int xfer, offset, count, out, failure=None):
        """Reads the block at `offset` of `count` elements into the C-contiguous, writable
        array `out` (returned), collectively or from this rank alone; `failure` as for
        write."""
        cdef _U64s coff
        cdef _U64s ccount
        cdef int mem = POISON
        cdef Py_buffer view
        cdef bint have_view = False
        cdef void *buf = NULL
        cdef int rc
        self._check_open()
        if failure is None:
            try:
                coff = _U64s(offset)
                ccount = _U64s(count)
                mem = array_code(out)
            except Exception as e:
                failure = e
        if failure is not None:
            if xfer != L.H5PAR_COLLECTIVE:
                raise _located(failure, self.file.filename, self.path, self.file.comm)
            coff = _U64s()
            ccount = _U64s()
            mem = POISON
        else:
            PyObject_GetBuffer(out, &view, PyBUF_C_CONTIGUOUS | PyBUF_WRITABLE)
            have_view = True
            buf = view.buf
        _fail_next_call(failure)
        try:
            with nogil:
                rc = L.h5par_dataset_read(self._h, xfer, coff.v, ccount.v, mem, buf)
        finally:
            if have_view:
                PyBuffer_Release(&view)
        if failure is not None:
            raise _located(failure, self.file.filename, self.path, self.file.comm)
        check(rc)
        return out

    def type_spec(self):
        """Local: (the stored type's spec, bytes per element)."""
        cdef size_t need = 0
        cdef size_t cap = 256
        cdef size_t esize = 0
        cdef int rc
        cdef bytearray b
        self._check_open()
        for _ in range(2):
            b = bytearray(cap)
            rc = L.h5par_dataset_type(self._h, b, cap, &need, &esize)
            if rc == L.H5PAR_ERR_INVALID and need > cap:
                cap = need
                continue
            break
        check(rc)
        return _cstr(b), esize

    def storage(self, size_t fill_size):
        """Local: (chunk shape or None, maxshape with -1 for unlimited, deflate level,
        shuffle, fill value bytes (`fill_size` of them) or None)."""
        cdef int chunked = 0
        cdef uint64_t chunk[MAX_DIMS]
        cdef int64_t maxshape[MAX_DIMS]
        cdef int deflate = 0
        cdef int shuffle = 0
        cdef int has_fill = 0
        cdef int nd = 0
        cdef bytearray fill = bytearray(max(fill_size, 1))
        cdef char *pfill = fill
        self._check_open()
        check(L.h5par_dataset_info(self._h, NULL, &nd, NULL))
        check(L.h5par_dataset_storage(self._h, &chunked, chunk, maxshape, &deflate, &shuffle,
                                      &has_fill, pfill, fill_size))
        return (tuple([chunk[i] for i in range(nd)]) if chunked else None,
                tuple([maxshape[i] for i in range(nd)]), deflate, bool(shuffle),
                bytes(fill[:fill_size]) if has_fill else None)

    def read_sel(self, int xfer, sel, mem_spec, out, failure=None):
        """Reads the selection `sel` ((start, stride, count, block, index_axis, indices) or
        None for the whole dataset) into the C-contiguous writable array `out` as elements of
        the type spec `mem_spec` (None: the stored type); returns `out`. `failure` as for
        write."""
        self._transfer_sel(False, xfer, sel, mem_spec, out, failure)
        return out

    def write_sel(self, int xfer, sel, mem_spec, arr, failure=None):
        """Writes the C-contiguous array `arr` (elements of the type spec `mem_spec`, None:
        the stored type) into the selection `sel` (see read_sel)."""
        self._transfer_sel(True, xfer, sel, mem_spec, arr, failure)

    cdef _transfer_sel(self, bint write, int xfer, object sel, object mem_spec, object arr,
                       object failure):
        cdef _Sel cs = None
        cdef const L.h5par_selection *psel = NULL
        cdef L.h5par_selection poison
        cdef const char *cspec = NULL
        cdef Py_buffer view
        cdef bint have_view = False
        cdef void *buf = NULL
        cdef size_t nbytes = 0
        cdef int rc
        self._check_open()
        bspec = None
        if failure is None:
            try:
                if sel is not None:
                    cs = _Sel(sel)
                    psel = &cs.sel
                if mem_spec is not None:
                    bspec = _text(mem_spec, "a type")
                    cspec = bspec
                PyObject_GetBuffer(arr, &view, PyBUF_C_CONTIGUOUS | (0 if write else
                                                                      PyBUF_WRITABLE))
                have_view = True
                buf = view.buf
                nbytes = view.len
            except Exception as e:
                failure = e
        if failure is not None:
            if have_view:
                PyBuffer_Release(&view)
                have_view = False
            if xfer != L.H5PAR_COLLECTIVE:
                raise _located(failure, self.file.filename, self.path, self.file.comm)
            _poison(&poison)      # rejected here, REMOTE on the other ranks
            psel = &poison
            buf = NULL
            nbytes = 0
        _fail_next_call(failure)
        try:
            with nogil:
                if write:
                    rc = L.h5par_dataset_write_sel(self._h, xfer, psel, cspec, buf, nbytes)
                else:
                    rc = L.h5par_dataset_read_sel(self._h, xfer, psel, cspec, buf, nbytes)
        finally:
            if have_view:
                PyBuffer_Release(&view)
        if failure is not None:
            raise _located(failure, self.file.filename, self.path, self.file.comm)
        check(rc)

    def extend(self, dims, failure=None):
        """Collective: changes the extent to `dims`."""
        cdef _U64s cdims = _U64s()
        cdef int rc
        self._check_open()
        if failure is None:
            try:
                cdims = _U64s(dims)
            except Exception as e:
                failure = e
        _fail_next_call(failure)
        with nogil:
            if failure is not None:
                # Rejected on this rank, REMOTE on the others.
                rc = L.h5par_dataset_extend_nd(self._h, -1, NULL)
            else:
                rc = L.h5par_dataset_extend_nd(self._h, cdims.n, cdims.v)
        if failure is not None:
            raise _located(failure, self.file.filename, self.path, self.file.comm)
        check(rc)

    def __repr__(self):
        return "<h5par DatasetID %r (%s)>" % (self.path, "open" if self.valid else "closed")
