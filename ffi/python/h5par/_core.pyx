# cython: language_level=3, embedsignature=True
"""h5par for Python: collective parallel HDF5 I/O over MPI that never hangs.

A thin Cython layer over the C API of libh5par (``h5par.h``, declared in ``libh5par.pxd``).

Rules that keep every rank in step (the library itself checks and agrees on arguments, so a
mistake on one rank is an exception on every rank, not a hang):

- Collective calls (``File(...)``, ``close()``, ``create_dataset``, ``create_group``, ``f[name]``,
  ``d[...] = a``, ``d[...]``, ``write_at``/``read_at`` with ``collective=True``, ``attrs[k] = v``,
  ``resize``) are made by every rank of the file's communicator, in the same order.
- Arguments that Python itself rejects on one rank (a slice with a step, an unknown dtype, a
  value that does not fit the selection) are still carried into the collective call, as an
  argument the library rejects, so that the other ranks get ``H5PAR_ERR_REMOTE`` instead of
  waiting forever; this rank then raises the Python-side error.
- Any exception a collective method raises on one rank before the library is entered
  (ValueError from a ragged list, UnicodeError, TypeError, h5par's own) still enters the
  collective call, as this rank's failure with its real message (``h5par_fail_next``): this
  rank raises that exception, every other rank RemoteError naming it.
- The garbage collector never makes a collective call: a ``File`` dropped while open is closed
  collectively at interpreter exit, with the files never closed, when every rank gets there
  (as h5py closes files at exit); otherwise each rank prints a warning on stderr naming the
  file and where its data is. An exception inside ``with h5par.File(...)`` closes the file on
  every rank without publishing it, and every rank raises.
- Datasets stay open until ``Dataset.close()`` (on every rank)
  or until their file is closed.
- Attribute reads, ``shape``/``dtype`` and ``report()`` are local (one rank may call them alone).
"""

import json as _json
import operator as _operator
import os as _os
import warnings as _warnings

import numpy as _np
# Arrays allocated for reads start on a page (see h5par/_buffer.py).
from h5par._buffer import page_aligned_empty as _page_aligned_empty
from mpi4py import MPI as _MPI

from cpython.buffer cimport (PyObject_GetBuffer, PyBuffer_Release, PyBUF_C_CONTIGUOUS,
                             PyBUF_WRITABLE)
from libc.stdint cimport uint64_t
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
# Helpers
# ---------------------------------------------------------------------------------------------

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


cdef object _array_code(object arr):
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


cdef str _join(str base, object name):
    if isinstance(name, bytes):
        name = name.decode("utf-8")
    if not isinstance(name, str):
        raise InvalidError("an object name must be a str, not %s" % type(name).__name__)
    if name.startswith("/"):
        return name
    if base.endswith("/"):
        return base + name
    return base + "/" + name


cdef tuple _shape_tuple(object shape, str what):
    if shape is None:
        raise InvalidError("%s is required" % what)
    try:
        if isinstance(shape, (int, _np.integer)):
            dims = (_operator.index(shape),)
        else:
            dims = tuple(_operator.index(n) for n in shape)
    except TypeError:
        raise InvalidError("%s %r is not a tuple of integers" % (what, shape)) from None
    if len(dims) > MAX_DIMS:
        raise InvalidError("%s %r has more than %d dimensions" % (what, shape, MAX_DIMS))
    for n in dims:
        if n < 0:
            raise InvalidError("%s %r has a negative extent" % (what, shape))
    return dims


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


def _guess_chunks(tuple shape, int itemsize):
    """A chunk shape of about 1 MiB for chunks=True (each extent at least 1)."""
    chunk = [max(1, n) for n in shape]
    if not chunk:
        return ()
    target = 1 << 20
    while True:
        nbytes = itemsize
        for c in chunk:
            nbytes *= c
        if nbytes <= target:
            break
        i = max(range(len(chunk)), key=lambda k: chunk[k])
        if chunk[i] == 1:
            break
        chunk[i] = (chunk[i] + 1) // 2
    return tuple(chunk)


def _compression_level(compression, compression_opts):
    if compression is None or compression is False:
        return 0
    if compression is True:
        return 4
    if isinstance(compression, str):
        if compression.lower() not in ("gzip", "deflate", "zlib"):
            raise InvalidError("compression %r is not supported (None, \"gzip\" or a level "
                               "0-9)" % (compression,))
        level = 4 if compression_opts is None else compression_opts
    else:
        level = compression
    try:
        level = _operator.index(level)
    except TypeError:
        raise InvalidError("compression level %r is not an integer" % (level,)) from None
    if not 0 <= level <= 9:
        raise InvalidError("compression level %d is out of range (0-9)" % level)
    return level


cdef tuple _selection(object key, tuple dims):
    """Turns an index (ints, slices with step 1, Ellipsis) into (offset, count, shape of the
    result). Out-of-range extents are passed on (the library reports them collectively);
    negative ones raise ShapeError here."""
    cdef int nd = len(dims)
    if not isinstance(key, tuple):
        key = (key,)
    n_ell = 0
    for k in key:
        if k is Ellipsis:
            n_ell += 1
    if n_ell > 1:
        raise InvalidError("an index can only have a single Ellipsis (...)")
    n_real = len(key) - n_ell
    if n_real > nd:
        raise InvalidError("too many indices (%d) for a dataset of %d dimensions"
                           % (n_real, nd))
    if n_ell:
        i = key.index(Ellipsis)
        key = key[:i] + (slice(None),) * (nd - n_real) + key[i + 1:]
    else:
        key = key + (slice(None),) * (nd - n_real)
    offset = []
    count = []
    shape = []
    for d in range(nd):
        k = key[d]
        n = dims[d]
        if isinstance(k, slice):
            if k.step is not None:
                try:
                    step = _operator.index(k.step)
                except TypeError:
                    raise InvalidError("slice step %r is not an integer" % (k.step,)) from None
                if step != 1:
                    raise InvalidError("slice %r of dimension %d: only step 1 is supported"
                                       % (k, d))
            try:
                start = 0 if k.start is None else _operator.index(k.start)
                stop = n if k.stop is None else _operator.index(k.stop)
            except TypeError:
                raise InvalidError("slice %r of dimension %d: bounds must be integers"
                                   % (k, d)) from None
            if start < 0:
                start += n
            if stop < 0:
                stop += n
            if start < 0 or stop < 0:
                raise ShapeError("slice %r is out of range for dimension %d of extent %d"
                                 % (k, d, n))
            if stop <= start:
                offset.append(min(start, n))
                count.append(0)
                shape.append(0)
            else:
                offset.append(start)
                count.append(stop - start)
                shape.append(stop - start)
        elif isinstance(k, (bool, _np.bool_)):
            raise InvalidError("boolean indexing is not supported")
        else:
            try:
                i = _operator.index(k)
            except TypeError:
                raise InvalidError("index %r of dimension %d is not supported (use integers "
                                   "and slices with step 1)" % (k, d)) from None
            if i < 0:
                i += n
            if i < 0:
                raise ShapeError("index %d is out of range for dimension %d of extent %d"
                                 % (k, d, n))
            offset.append(i)
            count.append(1)
    return tuple(offset), tuple(count), tuple(shape)


cdef int _check_storable(object arr) except -1:
    """Refuses arrays whose values h5par would have to change to store them: complex numbers
    (the imaginary part would be lost), strings, objects, booleans and other kinds."""
    kind = arr.dtype.kind
    if kind == "c":
        raise DtypeError("complex data (%s) cannot be stored: h5par datasets hold integers and "
                         "real floats, and converting would drop the imaginary part; store the "
                         "real and imaginary parts as two datasets" % (arr.dtype,))
    if kind not in "iuf":
        raise DtypeError("data of type %s cannot be stored: h5par datasets hold integers and "
                         "real floats (i1 i2 i4 i8 u1 u2 u4 u8 f4 f8)" % (arr.dtype,))
    return 0


cdef object _fit(object value, tuple shape, int ds_code):
    """The C-contiguous array to write for a selection of `shape`: `value` itself when it is
    a C-contiguous array of a supported dtype and the right shape, else a converted copy."""
    if isinstance(value, _np.ndarray):
        arr = value
    else:
        arr = _np.asarray(value)
    _check_storable(arr)
    if _array_code(arr) is None:
        try:
            arr = arr.astype(_DTYPES[ds_code])
        except (TypeError, ValueError) as e:
            raise DtypeError("cannot convert %s to %s: %s" % (arr.dtype, _DTYPES[ds_code], e))
    if arr.shape != shape:
        # numpy's assignment rules: leading extents of 1 may go, then broadcast.
        a = arr
        while a.ndim > len(shape) and a.shape[0] == 1:
            a = a.reshape(a.shape[1:])
        if a.shape != shape:
            try:
                a = _np.broadcast_to(a, shape)
            except ValueError:
                raise ShapeError("cannot write an array of shape %s into a selection of shape "
                                 "%s" % (arr.shape, shape)) from None
        arr = a
    if not arr.flags.c_contiguous:
        arr = _np.ascontiguousarray(arr)
    return arr


# ---------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------

cdef long long _file_seq = 0
# Files dropped while open, by creation number: (path, file handle, [dataset handles]) as
# addresses. See close_leaked_files.
_leaked = {}


cdef class _DsetHandle:
    """A dataset handle of a file, shared by the Dataset object(s) and the file, which closes
    it (locally) at its own close when the Dataset was not closed before."""
    cdef L.h5par_dataset *h
    cdef readonly str path


cdef class File:
    """An HDF5 file opened collectively on the ranks of `comm`.

    ``File(path, mode="r", comm=MPI.COMM_WORLD, stripe_count=None, stripe_size=None,
    tuning=True, report=None, cb_nodes=None, hints=None, atomic=True, libver=None)``

    mode: "r" (read only), "r+" (read and write), "w" (create or truncate). A file created with
    "w" appears at its path only after a successful close (unless ``atomic=False``).
    stripe_count / stripe_size (bytes) / cb_nodes: layout and aggregators (None = let h5par
    choose). tuning: False for plain HDF5 defaults. report: write the I/O report at close to
    this path ("-" = stderr, a ".json" path gets JSON). hints: extra MPI-IO hints, a dict or
    "key=value,key=value". libver: file-format bounds as in h5py: "earliest", "v108", "v110",
    "v112", "v114", "v200" or "latest" (meaning (that, "latest")), or a (low, high) pair; None
    for h5par's default ("earliest", "latest"), which HDF5 1.10 tools read.

    Close it with ``close()`` (collective) or a ``with`` block: the garbage collector never
    closes a file (it warns with a ResourceWarning and leaks the handle).
    """

    cdef L.h5par_file *_h
    cdef readonly object filename
    cdef readonly str mode
    cdef readonly object comm
    cdef list _dsets
    cdef long long _seq
    cdef object __weakref__

    def __cinit__(self):
        self._h = NULL
        self._dsets = []
        self.filename = None

    def __init__(self, path, mode="r", comm=None, stripe_count=None, stripe_size=None,
                 tuning=True, report=None, cb_nodes=None, hints=None, atomic=True, libver=None):
        global _file_seq
        cdef L.h5par_options opts
        cdef L.h5par_file *h = NULL
        cdef MPI_Comm c
        cdef const char *cpath
        cdef int cmode = 0
        cdef int rc
        cdef bint create = False
        if self._h != NULL:
            raise InvalidError("File.__init__ called twice")
        if comm is None:
            comm = _MPI.COMM_WORLD
        if not isinstance(comm, _MPI.Intracomm):
            raise InvalidError("comm must be an mpi4py intracommunicator, not %r" % (comm,))
        c = (<MPI.Comm>comm).ob_mpi
        self.comm = comm
        self.filename = path
        self.mode = str(mode)
        L.h5par_options_init(&opts)
        # Arguments Python rejects on this rank are carried into the collective call as a bad
        # mode, so that every rank fails (this one with the Python error).
        local_error = None
        bpath = b""
        bhints = None
        breport = None
        blibver = None
        try:
            self.filename = _os.fspath(path)
            bpath = _os.fsencode(self.filename)
            if mode == "w":
                create = True
            elif mode == "r":
                cmode = L.H5PAR_READONLY
            elif mode == "r+":
                cmode = L.H5PAR_READWRITE
            else:
                raise InvalidError("mode %r is not supported (\"r\", \"r+\" or \"w\")" % (mode,))
            if stripe_count is not None:
                opts.stripe_count = _operator.index(stripe_count)
            if stripe_size is not None:
                opts.stripe_size = _operator.index(stripe_size)
            if cb_nodes is not None:
                opts.cb_nodes = _operator.index(cb_nodes)
            opts.tuning = 1 if tuning else 0
            opts.atomic_create = 1 if atomic else 0
            if hints is not None:
                if isinstance(hints, dict):
                    hints = ",".join("%s=%s" % (k, v) for k, v in hints.items())
                bhints = _text(hints, "hints")
                opts.hints = bhints
            if report is not None and report is not False:
                if report is True:
                    report = "-"
                breport = _os.fsencode(report)
                opts.report_path = breport
            if libver is not None:
                if isinstance(libver, tuple):
                    libver = ",".join(libver)
                blibver = _text(libver, "libver")
                opts.libver = blibver
        except Exception as e:
            local_error = e
            create = False
            cmode = POISON
            bpath = b""
        cpath = bpath
        _fail_next_call(local_error)
        with nogil:
            if create:
                rc = L.h5par_file_create(c, cpath, &opts, &h)
            else:
                rc = L.h5par_file_open(c, cpath, cmode, &opts, &h)
        if local_error is not None:
            raise _located(local_error, self.filename, "", comm)
        check(rc)
        self._h = h
        _file_seq += 1
        self._seq = _file_seq
        _open_files[self._seq] = self

    def __dealloc__(self):
        # Never a collective call here: the ranks collect garbage at different times. The file
        # is closed collectively at interpreter exit (see _close_at_exit).
        cdef _DsetHandle dh
        if self._h != NULL:
            try:
                dsets = []
                for dh in self._dsets:
                    if dh.h != NULL:
                        dsets.append(<size_t>dh.h)
                _leaked[self._seq] = (self.filename, <size_t>self._h, dsets)
                _warnings.warn(
                    "h5par.File %r was dropped while open: it is closed collectively at "
                    "interpreter exit (or by h5par.close_leaked_files()); call close() on every "
                    "rank or use a with block" % (self.filename,),
                    ResourceWarning, stacklevel=2)
            except Exception:
                pass

    cdef int _check_open(self) except -1:
        if self._h == NULL:
            raise HandleError("h5par.File %r is closed" % (self.filename,))
        return 0

    def _token(self):
        """The C handle as an integer, for h5par's own extension modules (h5par._vector);
        raises HandleError when the file is closed."""
        self._check_open()
        return <size_t>self._h

    def close(self):
        """Collective: closes the file (and the datasets still open). A file created with "w"
        appears at its path now. Closing a closed file does nothing.

        Like every collective call, close is agreed first: when some rank is in another
        collective call, every rank raises (MismatchError, saying which rank is in which
        call) and the file stays open (``closed`` is False): close it again."""
        return self._close(None)

    cdef _close(self, object failure):
        """Closes; with `failure` (this rank's exception), the file is closed on every rank
        without being published and every rank raises."""
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

    cdef _close_at_exit(self):
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
        cdef _DsetHandle dh
        cdef L.h5par_dataset *d
        for dh in self._dsets:
            d = dh.h
            if d != NULL:
                dh.h = NULL
                with nogil:
                    L.h5par_dataset_close(d)
        self._dsets = []

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc is None:
            self.close()
            return False
        # An exception on this rank inside the with block: say so now (a collective close
        # may wait for the other ranks), then close with it as this rank's failure, so that
        # every rank raises and the file is not published.
        import sys
        try:
            where = "rank %d of %d" % (self.comm.Get_rank(), self.comm.Get_size())
        except Exception:
            where = "this rank"
        sys.stderr.write("h5par: %s: %s: %s inside `with h5par.File(%r)`: closing it on every "
                         "rank without publishing it\n" % (where, exc_type.__name__, exc,
                                                            self.filename))
        sys.stderr.flush()
        try:
            self._close(exc)
        except H5parError as e:
            if hasattr(exc, "add_note"):
                exc.add_note("h5par: closing %r: %s" % (self.filename, e))
        return False

    def __contains__(self, name):
        """Whether a group or dataset exists at `name` (local, as in h5py)."""
        return _exists(self, "/", name)

    @property
    def closed(self):
        """Whether the file is closed."""
        return self._h == NULL

    @property
    def name(self):
        return "/"

    @property
    def attrs(self):
        """The attributes of the root group (see AttributeManager)."""
        return AttributeManager(self, "/")

    def report(self):
        """The I/O report so far, from this rank's point of view, as a dict (local)."""
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
            text = (<bytes>buf).decode("utf-8", "replace")
        finally:
            free(buf)
        return _json.loads(text)

    def create_group(self, path):
        """Collective: creates the group `path` and its missing parents (an existing group is
        fine); returns a Group."""
        return _create_group(self, "/", path)

    def require_group(self, path):
        """Same as create_group (which is idempotent)."""
        return _create_group(self, "/", path)

    def create_dataset(self, name, shape=None, dtype=None, data=None, chunks=None,
                       compression=None, compression_opts=None):
        """Collective: creates a dataset; see Group.create_dataset."""
        return _create_dataset(self, "/", name, shape, dtype, data, chunks, compression,
                               compression_opts)

    def __getitem__(self, name):
        """Collective: opens the dataset `name` (KeyError/NotFoundError when missing)."""
        return _open_dataset(self, "/", name)

    def __bool__(self):
        return self._h != NULL

    def __repr__(self):
        state = "closed" if self._h == NULL else "mode %r" % self.mode
        return "<h5par.File %r (%s)>" % (self.filename, state)


cdef object _exists(File f, str base, object name):
    cdef int found = 0
    cdef int rc
    cdef const char *cpath
    f._check_open()
    bpath = _join(base, name).encode("utf-8")
    cpath = bpath
    with nogil:
        rc = L.h5par_object_exists(f._h, cpath, &found)
    check(rc)
    return found != 0


# Open files by creation number (weakly: dropping a File moves it to _leaked).
import weakref as _weakref
_open_files = _weakref.WeakValueDictionary()


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
                (<File>f)._close_at_exit()
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
    cdef L.h5par_file *h
    cdef L.h5par_dataset *d
    cdef int rc
    paths = []
    for seq in sorted(_leaked):
        paths.append(_close_leaked(seq))
    return paths


cdef class Group:
    """A group of an open file: create_dataset, create_group, [name], attrs (paths relative
    to the group)."""
    cdef readonly File file
    cdef readonly str name

    def __init__(self, File file, str name):
        self.file = file
        self.name = name

    @property
    def attrs(self):
        return AttributeManager(self.file, self.name)

    def create_group(self, path):
        return _create_group(self.file, self.name, path)

    def require_group(self, path):
        return _create_group(self.file, self.name, path)

    def create_dataset(self, name, shape=None, dtype=None, data=None, chunks=None,
                       compression=None, compression_opts=None):
        """Collective: creates the dataset `name` (missing parent groups are created).

        shape: int or tuple; dtype: anything numpy.dtype() accepts among i1 i2 i4 i8 u1 u2 u4
        u8 f4 f8 (default f8, or data's dtype); data: an array every rank passes alike (rank 0
        writes it); chunks: None (contiguous), True (about 1 MiB chunks) or a tuple (chunked
        datasets can be resized); compression: None, "gzip" (level compression_opts, default
        4) or a level 0-9.
        """
        return _create_dataset(self.file, self.name, name, shape, dtype, data, chunks,
                               compression, compression_opts)

    def __getitem__(self, name):
        return _open_dataset(self.file, self.name, name)

    def __contains__(self, name):
        """Whether a group or dataset exists at `name` (local)."""
        return _exists(self.file, self.name, name)

    def __repr__(self):
        return "<h5par.Group %r of %r>" % (self.name, self.file.filename)


cdef object _create_group(File f, str base, object path):
    cdef int rc
    cdef const char *cpath
    local_error = None
    bpath = None
    full = None
    try:
        full = _join(base, path)
        bpath = full.encode("utf-8")
    except Exception as e:
        local_error = e
    f._check_open()
    cpath = NULL   # NULL: rejected by the library (on this rank; REMOTE on the others)
    if bpath is not None:
        cpath = bpath
    _fail_next_call(local_error)
    with nogil:
        rc = L.h5par_group_create(f._h, cpath)
    if local_error is not None:
        raise _located(local_error, f.filename, full or base, f.comm)
    check(rc)
    return Group(f, full)


cdef Dataset _new_dataset(File f, L.h5par_dataset *h, str path):
    cdef _DsetHandle dh = _DsetHandle()
    dh.h = h
    dh.path = path
    f._dsets.append(dh)
    cdef Dataset d = Dataset.__new__(Dataset)
    d._file = f
    d._dh = dh
    d._refresh()
    return d


cdef object _create_dataset(File f, str base, object name, object shape, object dtype,
                            object data, object chunks, object compression,
                            object compression_opts):
    cdef int rc
    cdef int code = POISON
    cdef int level = 0
    cdef int ndims = 0
    cdef _U64s cdims = _U64s()
    cdef _U64s cchunk = None
    cdef const uint64_t *pchunk = NULL
    cdef const char *cpath = NULL
    cdef L.h5par_dataset *h = NULL
    f._check_open()
    local_error = None
    bpath = None
    full = None
    arr = None
    try:
        full = _join(base, name)
        bpath = full.encode("utf-8")
        if data is not None:
            arr = data if isinstance(data, _np.ndarray) else _np.asarray(data)
            _check_storable(arr)
            if shape is None:
                shape = arr.shape
            if dtype is None:
                dtype = arr.dtype if _array_code(arr) is not None else "f8"
        if dtype is None:
            dtype = "f8"
        code = dtype_code(dtype)
        dims = _shape_tuple(shape, "shape")
        if arr is not None and arr.shape != dims and arr.size != 0:
            if arr.size != _np.prod(dims, dtype=_np.int64):
                raise ShapeError("data of shape %s does not fit shape %s" % (arr.shape, dims))
        cdims = _U64s(dims)
        ndims = len(dims)
        level = _compression_level(compression, compression_opts)
        if chunks is True:
            chunks = _guess_chunks(dims, _DTYPES[code].itemsize)
        elif chunks is False:
            chunks = None
        if chunks is not None:
            ch = _shape_tuple(chunks, "chunks")
            if len(ch) != ndims:
                raise ShapeError("chunks %r and shape %r differ in dimensions" % (ch, dims))
            cchunk = _U64s(ch)
            pchunk = cchunk.v
        if arr is not None:
            # Converted before the dataset exists: data h5par cannot store fails the create
            # itself (on every rank), and leaves nothing behind.
            if arr.size == _np.prod(dims, dtype=_np.int64) and arr.shape != dims:
                arr = arr.reshape(dims)
            arr = _fit(arr, dims, code)
    except Exception as e:
        local_error = e
        code = POISON
    cpath = NULL
    if bpath is not None:
        cpath = bpath
    _fail_next_call(local_error)
    with nogil:
        rc = L.h5par_dataset_create(f._h, cpath, code, ndims, cdims.v, pchunk, level, &h)
    if local_error is not None:
        raise _located(local_error, f.filename, full or base, f.comm)
    check(rc)
    d = _new_dataset(f, h, full)
    if arr is not None and d.size > 0:
        # Every rank passed the data: rank 0 writes it, the others take part with nothing.
        if f.comm.Get_rank() == 0:
            d.write_at((0,) * ndims, arr)
        else:
            d.write_at((0,) * ndims, _np.empty((0,) * ndims, dtype=arr.dtype))
    return d


cdef object _open_dataset(File f, str base, object name):
    cdef int rc
    cdef const char *cpath
    cdef L.h5par_dataset *h = NULL
    f._check_open()
    local_error = None
    bpath = None
    full = None
    try:
        full = _join(base, name)
        bpath = full.encode("utf-8")
    except Exception as e:
        local_error = e
    cpath = NULL
    if bpath is not None:
        cpath = bpath
    _fail_next_call(local_error)
    with nogil:
        rc = L.h5par_dataset_open(f._h, cpath, &h)
    if local_error is not None:
        raise _located(local_error, f.filename, full or base, f.comm)
    check(rc)
    return _new_dataset(f, h, full)


# ---------------------------------------------------------------------------------------------
# Datasets
# ---------------------------------------------------------------------------------------------

cdef class Dataset:
    """A dataset of an open file. ``d[a:b, c:d] = arr`` and ``arr = d[a:b, c:d]`` are
    collective (basic indexing: integers, slices with step 1, ``...``; a rank with nothing to
    do passes an empty slice). ``write_at``/``read_at`` take an offset and a count."""

    cdef File _file
    cdef _DsetHandle _dh
    cdef tuple _shape
    cdef int _code

    def __init__(self, *args, **kwargs):
        raise TypeError("datasets are made by File.create_dataset and File[name]")

    cdef int _refresh(self) except -1:
        cdef int code = 0
        cdef int nd = 0
        cdef uint64_t dims[MAX_DIMS]
        cdef int rc
        self._check_open()
        rc = L.h5par_dataset_info(self._dh.h, &code, &nd, dims)
        check(rc)
        self._code = code
        self._shape = tuple([dims[i] for i in range(nd)])
        return 0

    cdef int _check_open(self) except -1:
        if self._dh.h == NULL:
            raise HandleError("h5par.Dataset %r is closed" % (self._dh.path,))
        if self._file._h == NULL:
            raise HandleError("h5par.Dataset %r: its file %r is closed"
                              % (self._dh.path, self._file.filename))
        return 0

    @property
    def shape(self):
        """The extent (a tuple)."""
        return self._shape

    @property
    def dtype(self):
        """The numpy dtype stored in the file."""
        return _DTYPES[self._code]

    @property
    def ndim(self):
        return len(self._shape)

    @property
    def size(self):
        n = 1
        for x in self._shape:
            n *= x
        return n

    @property
    def name(self):
        """The absolute path in the file."""
        return self._dh.path

    @property
    def file(self):
        return self._file

    @property
    def attrs(self):
        """The attributes of this dataset (see AttributeManager)."""
        return AttributeManager(self._file, self._dh.path)

    def __len__(self):
        if not self._shape:
            raise TypeError("len() of a scalar dataset")
        return self._shape[0]

    def __repr__(self):
        if self._dh.h == NULL:
            return "<h5par.Dataset %r (closed)>" % (self._dh.path,)
        return "<h5par.Dataset %r shape %s dtype %s>" % (self._dh.path, self._shape, self.dtype)

    def close(self):
        """Closes this dataset (local, but make it on every rank that opened it). Its file's
        close closes the datasets still open."""
        cdef L.h5par_dataset *h = self._dh.h
        cdef int rc
        if h == NULL:
            return
        self._dh.h = NULL
        try:
            self._file._dsets.remove(self._dh)
        except ValueError:
            pass
        with nogil:
            rc = L.h5par_dataset_close(h)
        check(rc)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close()
        return False

    # -- writing ------------------------------------------------------------------------------

    cdef _write(self, tuple offset, tuple count, object arr, bint collective, object local_error):
        """Writes the C-contiguous array `arr` (count elements) at offset. With a local_error
        (and collective), takes part with an argument the library rejects, then raises it."""
        cdef _U64s coff
        cdef _U64s ccount
        cdef int mem = POISON
        cdef int xfer = L.H5PAR_COLLECTIVE if collective else L.H5PAR_INDEPENDENT
        cdef Py_buffer view
        cdef bint have_view = False
        cdef const void *buf = NULL
        cdef int rc
        self._check_open()
        if local_error is None:
            try:
                coff = _U64s(offset)
                ccount = _U64s(count)
                mem = _array_code(arr)
            except Exception as e:
                local_error = e
        if local_error is not None:
            if not collective:
                raise _located(local_error, self._file.filename, self._dh.path, self._file.comm)
            coff = _U64s()
            ccount = _U64s()
            mem = POISON
        else:
            PyObject_GetBuffer(arr, &view, PyBUF_C_CONTIGUOUS)
            have_view = True
            buf = view.buf
        _fail_next_call(local_error)
        try:
            with nogil:
                rc = L.h5par_dataset_write(self._dh.h, xfer, coff.v, ccount.v, mem, buf)
        finally:
            if have_view:
                PyBuffer_Release(&view)
        if local_error is not None:
            raise _located(local_error, self._file.filename, self._dh.path, self._file.comm)
        check(rc)

    def __setitem__(self, key, value):
        """Collective: writes `value` (an array of the selection's shape, or broadcastable to
        it) into the selection `key`."""
        self._check_open()
        offset = count = arr = None
        local_error = None
        try:
            offset, count, shape = _selection(key, self._shape)
            arr = _fit(value, shape, self._code)
        except Exception as e:
            local_error = e
        self._write(offset, count, arr, True, local_error)

    def write_at(self, offset, arr, collective=True):
        """Writes the array `arr` (as many dimensions as the dataset) at `offset` (a tuple, or
        an int for 1-D datasets). Collective by default; collective=False writes from this rank
        alone (not for compressed datasets)."""
        self._check_open()
        local_error = None
        off = count = a = None
        try:
            off = _shape_tuple(offset, "offset")
            a = arr if isinstance(arr, _np.ndarray) else _np.asarray(arr)
            if a.ndim != len(self._shape):
                raise ShapeError("write_at: the array has %d dimensions, dataset %r has %d"
                                 % (a.ndim, self._dh.path, len(self._shape)))
            if len(off) != len(self._shape):
                raise ShapeError("write_at: offset %r has %d values, dataset %r has %d "
                                 "dimensions" % (offset, len(off), self._dh.path,
                                                 len(self._shape)))
            a = _fit(a, a.shape, self._code)
            count = a.shape
        except Exception as e:
            local_error = e
        self._write(off, count, a, collective, local_error)

    # -- reading ------------------------------------------------------------------------------

    cdef object _read(self, tuple offset, tuple count, object out, bint collective,
                      object local_error):
        cdef _U64s coff
        cdef _U64s ccount
        cdef int mem = POISON
        cdef int xfer = L.H5PAR_COLLECTIVE if collective else L.H5PAR_INDEPENDENT
        cdef Py_buffer view
        cdef bint have_view = False
        cdef void *buf = NULL
        cdef int rc
        self._check_open()
        if local_error is None:
            try:
                coff = _U64s(offset)
                ccount = _U64s(count)
                mem = _array_code(out)
            except Exception as e:
                local_error = e
        if local_error is not None:
            if not collective:
                raise _located(local_error, self._file.filename, self._dh.path, self._file.comm)
            coff = _U64s()
            ccount = _U64s()
            mem = POISON
        else:
            PyObject_GetBuffer(out, &view, PyBUF_C_CONTIGUOUS | PyBUF_WRITABLE)
            have_view = True
            buf = view.buf
        _fail_next_call(local_error)
        try:
            with nogil:
                rc = L.h5par_dataset_read(self._dh.h, xfer, coff.v, ccount.v, mem, buf)
        finally:
            if have_view:
                PyBuffer_Release(&view)
        if local_error is not None:
            raise _located(local_error, self._file.filename, self._dh.path, self._file.comm)
        check(rc)
        return out

    def __getitem__(self, key):
        """Collective: reads the selection `key` into a new array (integer indices drop their
        dimension)."""
        self._check_open()
        local_error = None
        offset = count = out = None
        shape = ()
        try:
            offset, count, shape = _selection(key, self._shape)
            out = _page_aligned_empty(count, _DTYPES[self._code])
        except H5parError as e:
            local_error = e
        except (MemoryError, OverflowError) as e:
            local_error = ShapeError("cannot allocate %s elements: %s" % (count, e))
        except Exception as e:
            local_error = e
        out = self._read(offset, count, out, True, local_error)
        return out.reshape(shape)

    def read_at(self, offset, count, collective=True, dtype=None, out=None):
        """Reads `count` elements per dimension at `offset` (tuples, or ints for 1-D datasets)
        into a new array of the dataset's dtype (or `dtype`), or into `out` (a C-contiguous,
        writable array of a supported dtype with count's number of elements). Collective by
        default; collective=False reads on this rank alone."""
        self._check_open()
        local_error = None
        off = cnt = None
        try:
            off = _shape_tuple(offset, "offset")
            cnt = _shape_tuple(count, "count")
            if len(off) != len(self._shape) or len(cnt) != len(self._shape):
                raise ShapeError("read_at: offset %r and count %r must have %d values "
                                 "(dataset %r)" % (offset, count, len(self._shape),
                                                   self._dh.path))
            if out is None:
                dt = self.dtype if dtype is None else _DTYPES[dtype_code(dtype)]
                out = _page_aligned_empty(cnt, dt)
            else:
                if not isinstance(out, _np.ndarray):
                    raise InvalidError("out must be a numpy array")
                if not out.flags.c_contiguous or not out.flags.writeable:
                    raise InvalidError("out must be C-contiguous and writable")
                if _array_code(out) is None:
                    raise DtypeError("out has an unsupported dtype %s" % out.dtype)
                n = 1
                for x in cnt:
                    n *= x
                if out.size != n:
                    raise ShapeError("out has %d elements, count %r selects %d"
                                     % (out.size, cnt, n))
        except Exception as e:
            local_error = e
        except (MemoryError, OverflowError) as e:
            local_error = ShapeError("cannot allocate %s elements: %s" % (count, e))
        except Exception as e:
            local_error = e
        return self._read(off, cnt, out, collective, local_error)

    def resize(self, shape):
        """Collective: changes the extent (chunked datasets only)."""
        cdef _U64s cdims = _U64s()
        cdef int rc
        cdef bint poison = False
        self._check_open()
        local_error = None
        try:
            dims = _shape_tuple(shape, "shape")
            if len(dims) != len(self._shape):
                raise ShapeError("resize: %r has %d dimensions, the dataset %d"
                                 % (shape, len(dims), len(self._shape)))
            cdims = _U64s(dims)
        except Exception as e:
            local_error = e
            poison = True
        _fail_next_call(local_error)
        with nogil:
            if poison:
                # A wrong number of dimensions: rejected on this rank, REMOTE on the others.
                rc = L.h5par_dataset_extend_nd(self._dh.h, -1, NULL)
            else:
                rc = L.h5par_dataset_extend(self._dh.h, cdims.v)
        if local_error is not None:
            raise _located(local_error, self._file.filename, self._dh.path, self._file.comm)
        check(rc)
        self._refresh()


# ---------------------------------------------------------------------------------------------
# Attributes
# ---------------------------------------------------------------------------------------------

cdef class AttributeManager:
    """The attributes of a file, group or dataset: ``attrs[name] = value`` (collective; every
    rank passes the same value) and ``attrs[name]`` (local).

    Values: numbers (Python int -> int64, float -> float64, numpy scalars keep their type),
    1-D numpy arrays or lists of numbers, and strings (UTF-8). One value is stored as a scalar,
    more as a 1-D array. Reading gives a string, a numpy scalar (one value) or a 1-D array;
    libh5par does not tell the stored numeric type, so values that are all integers come back
    as int64 (uint64 beyond its range), others as float64.
    """
    cdef File _file
    cdef readonly str name

    def __init__(self, File file, str name):
        self._file = file
        self.name = name

    def __setitem__(self, key, value):
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
        self._file._check_open()
        bobj = self.name.encode("utf-8")
        local_error = None
        bname = b""
        bval = None
        arr = None
        try:
            bname = _text(key, "attribute name")
            if isinstance(value, bytes):
                value = value.decode("utf-8")
            if isinstance(value, (str, _np.str_)):
                bval = str(value).encode("utf-8")
                is_text = True
            else:
                arr = _attr_array(value)
                code = _array_code(arr)
                n = arr.size
        except Exception as e:
            local_error = e
        if local_error is not None:
            is_text = False
            code = POISON
            n = 0
        cobj = bobj
        cname = bname
        _fail_next_call(local_error)
        if is_text:
            cval = bval
            with nogil:
                rc = L.h5par_attr_write_string(self._file._h, cobj, cname, cval)
        else:
            if arr is not None and local_error is None:
                PyObject_GetBuffer(arr, &view, PyBUF_C_CONTIGUOUS)
                have_view = True
                ptr = view.buf
            try:
                with nogil:
                    rc = L.h5par_attr_write(self._file._h, cobj, cname, code, n, ptr)
            finally:
                if have_view:
                    PyBuffer_Release(&view)
        if local_error is not None:
            raise _located(local_error, self._file.filename, self.name, self._file.comm)
        check(rc)

    def __getitem__(self, key):
        self._file._check_open()
        bname = _text(key, "attribute name")
        text = self._read_string(bname)
        if text is not None:
            return text
        return self._read_numbers(bname)

    cdef object _read_string(self, bytes bname):
        """The string value, or None when the attribute holds numbers."""
        cdef char small[256]
        cdef char *buf = small
        cdef size_t need = 0
        cdef size_t cap = sizeof(small)
        cdef int rc
        cdef const char *cobj
        cdef const char *cname = bname
        bobj = self.name.encode("utf-8")
        cobj = bobj
        with nogil:
            rc = L.h5par_attr_read_string(self._file._h, cobj, cname, buf, cap, &need)
        if rc == L.H5PAR_ERR_TYPE:
            return None
        if rc == L.H5PAR_ERR_INVALID and need > cap:
            cap = need
            buf = <char *>malloc(cap)
            if buf == NULL:
                raise MemoryError()
            try:
                with nogil:
                    rc = L.h5par_attr_read_string(self._file._h, cobj, cname, buf, cap, &need)
                check(rc)
                return (<bytes>buf).decode("utf-8", "replace")
            finally:
                free(buf)
        check(rc)
        return (<bytes>buf).decode("utf-8", "replace")

    cdef object _read_numbers(self, bytes bname):
        """The values in their stored type: a scalar for one value, else a 1-D array."""
        cdef uint64_t n = 0
        cdef int code = -1
        cdef int rc
        cdef const char *cobj
        cdef const char *cname = bname
        bobj = self.name.encode("utf-8")
        cobj = bobj
        with nogil:
            rc = L.h5par_attr_info(self._file._h, cobj, cname, &code, &n)
        check(rc)
        value = self._read_as(cobj, cname, n, code)
        if n == 1:
            return value[0]
        return value

    cdef object _read_as(self, const char *cobj, const char *cname, uint64_t n, int code):
        cdef Py_buffer view
        cdef uint64_t got = 0
        cdef int rc
        out = _np.empty(n, dtype=_DTYPES[code])
        PyObject_GetBuffer(out, &view, PyBUF_C_CONTIGUOUS | PyBUF_WRITABLE)
        try:
            with nogil:
                rc = L.h5par_attr_read(self._file._h, cobj, cname, code, n, view.buf, &got)
        finally:
            PyBuffer_Release(&view)
        check(rc)
        return out[:got]

    def __contains__(self, key):
        """Whether the attribute exists (local)."""
        cdef size_t need = 0
        cdef int rc
        cdef const char *cobj
        cdef const char *cname
        self._file._check_open()
        bname = _text(key, "attribute name")
        bobj = self.name.encode("utf-8")
        cobj = bobj
        cname = bname
        with nogil:
            rc = L.h5par_attr_read_string(self._file._h, cobj, cname, NULL, 0, &need)
        if rc == L.H5PAR_ERR_NOT_FOUND:
            return False
        if rc in (0, L.H5PAR_ERR_TYPE, L.H5PAR_ERR_INVALID):
            return True
        check(rc)
        return True

    def get(self, key, default=None):
        try:
            return self[key]
        except NotFoundError:
            return default

    def __repr__(self):
        return "<h5par attributes of %r in %r>" % (self.name, self._file.filename)


cdef object _attr_array(object value):
    """A C-contiguous 1-D array of a supported dtype for an attribute value."""
    if isinstance(value, (bool, _np.bool_)):
        arr = _np.asarray([value], dtype=_np.int8)
    elif isinstance(value, int):
        if -(1 << 63) <= value < (1 << 63):
            arr = _np.asarray([value], dtype=_np.int64)
        elif 0 <= value < (1 << 64):
            arr = _np.asarray([value], dtype=_np.uint64)
        else:
            raise InvalidError("integer %d does not fit in 64 bits" % value)
    elif isinstance(value, float):
        arr = _np.asarray([value], dtype=_np.float64)
    else:
        try:
            arr = _np.asarray(value)
        except Exception as e:
            raise DtypeError("cannot store %r as an attribute: %s" % (value, e)) from None
        if arr.ndim > 1:
            raise ShapeError("attribute values are scalars or 1-D arrays, not shape %s"
                             % (arr.shape,))
        arr = arr.reshape(-1)
        if arr.dtype.kind == "b":
            arr = arr.astype(_np.int8)
        elif arr.dtype.kind == "f" and arr.dtype.itemsize == 2:
            arr = arr.astype(_np.float32)
        elif arr.dtype.kind in "US":
            raise DtypeError("arrays of strings are not supported as attributes (one string "
                             "per attribute)")
        elif not arr.dtype.isnative and arr.dtype.kind in "iuf":
            arr = arr.astype(arr.dtype.newbyteorder("="))
        if _array_code(arr) is None:
            raise DtypeError("cannot store %s values as an attribute (use integers, floats "
                             "or strings)" % (arr.dtype,))
    if arr.size == 0:
        raise ShapeError("an attribute holds at least one value")
    return _np.ascontiguousarray(arr)
