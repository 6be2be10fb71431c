"""``Dataset``: reads and writes of one dataset; collective by default, independent inside
``with d.independent:``."""

import numpy as np

from .. import _core
from .._buffer import page_aligned_empty
from . import selections
from .attrs import AttributeManager
from .base import product, shape_tuple

_HABIT = (" In Python: `with dset.independent: dset[...] = x` reads or writes from this rank "
          "alone, as h5py-mpio does by default (h5par's slice assignment and read are "
          "collective).")


def with_advice(err):
    """A MismatchError about ranks in different calls, with what to do in Python added."""
    if isinstance(err, _core.MismatchError) and "disagree" in err.message and \
            "dset.independent" not in err.message:
        return _core.MismatchError(err.message + _HABIT, err.status)
    return err


class _Transfer:
    """``with d.independent:`` / ``with d.collective:``: the transfer mode of the reads and
    writes of the dataset inside the block (restored at its end)."""

    def __init__(self, dset, xfer):
        self._dset = dset
        self._xfer = xfer
        self._saved = []

    def __enter__(self):
        self._saved.append(self._dset._xfer)
        self._dset._xfer = self._xfer
        return self._dset

    def __exit__(self, *exc):
        self._dset._xfer = self._saved.pop()
        return False


class Dataset:
    """A dataset of an open file. ``d[a:b, c:d] = arr`` and ``arr = d[a:b, c:d]`` are
    collective (basic indexing: integers, slices with step 1, ``...``; a rank with nothing to
    do passes an empty slice), unless inside ``with d.independent:``, where they are this
    rank's alone. ``write_at``/``read_at`` take an offset and a count."""

    def __init__(self, bind, file=None):
        if not isinstance(bind, _core.DatasetID) or file is None:
            raise TypeError("datasets are made by File.create_dataset and File[name]")
        self._id = bind
        self._file = file
        self._xfer = _core.COLLECTIVE
        self._refresh()

    def _refresh(self):
        code, self._shape = self._id.info()
        self._dtype = _core.code_dtype(code)

    @property
    def id(self):
        """The DatasetID (the handle of the thin Cython layer; see h5par/_core.pxd)."""
        return self._id

    @property
    def shape(self):
        """The extent (a tuple)."""
        return self._shape

    @property
    def dtype(self):
        """The numpy dtype stored in the file."""
        return self._dtype

    @property
    def ndim(self):
        return len(self._shape)

    @property
    def size(self):
        return product(self._shape)

    @property
    def name(self):
        """The absolute path in the file."""
        return self._id.path

    @property
    def file(self):
        return self._file

    @property
    def parent(self):
        from .group import Group
        head = self.name.rsplit("/", 1)[0] or "/"
        return self._file if head == "/" else Group(self._file, head)

    @property
    def attrs(self):
        """The attributes of this dataset (see AttributeManager)."""
        return AttributeManager(self)

    @property
    def independent(self):
        """``with d.independent:``: the reads and writes of `d` in the block are made by this
        rank alone, as h5py-mpio's are by default (the other ranks need not call them). Not
        for compressed datasets."""
        return _Transfer(self, _core.INDEPENDENT)

    @property
    def collective(self):
        """``with d.collective:``: collective reads and writes (h5par's default; accepted so
        that h5py-mpio scripts run unchanged)."""
        return _Transfer(self, _core.COLLECTIVE)

    def __len__(self):
        if not self._shape:
            raise TypeError("len() of a scalar dataset")
        return self._shape[0]

    def __repr__(self):
        if not self._id.valid:
            return "<h5par.Dataset %r (closed)>" % (self.name,)
        return "<h5par.Dataset %r shape %s dtype %s>" % (self.name, self._shape, self.dtype)

    def close(self):
        """Closes this dataset (local, but make it on every rank that opened it). Its file's
        close closes the datasets still open."""
        self._id.close()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close()
        return False

    def _located(self, err):
        return _core.located(err, self._file.filename, self.name, self._file.comm)

    # -- writing ------------------------------------------------------------------------------

    def _write(self, xfer, offset, count, arr, failure):
        if failure is not None and xfer != _core.COLLECTIVE:
            raise self._located(failure)
        try:
            self._id.write(xfer, offset, count, arr, failure=failure)
        except _core.MismatchError as e:
            raise with_advice(e) from None

    def _read(self, xfer, offset, count, out, failure):
        if failure is not None and xfer != _core.COLLECTIVE:
            raise self._located(failure)
        try:
            return self._id.read(xfer, offset, count, out, failure=failure)
        except _core.MismatchError as e:
            raise with_advice(e) from None

    def __setitem__(self, key, value):
        """Writes `value` (an array of the selection's shape, or broadcastable to it) into the
        selection `key`; collective unless inside ``with d.independent:``."""
        offset = count = arr = None
        failure = None
        try:
            offset, count, shape = selections.select(key, self._shape)
            arr = selections.fit(value, shape, self._dtype)
        except Exception as e:
            failure = e
        self._write(self._xfer, offset, count, arr, failure)

    def write_at(self, offset, arr, collective=True):
        """Writes the array `arr` (as many dimensions as the dataset) at `offset` (a tuple, or
        an int for 1-D datasets). Collective by default; collective=False writes from this rank
        alone (not for compressed datasets)."""
        failure = None
        off = count = a = None
        try:
            off = shape_tuple(offset, "offset")
            a = arr if isinstance(arr, np.ndarray) else np.asarray(arr)
            if a.ndim != len(self._shape):
                raise _core.ShapeError("write_at: the array has %d dimensions, dataset %r has %d"
                                       % (a.ndim, self.name, len(self._shape)))
            if len(off) != len(self._shape):
                raise _core.ShapeError("write_at: offset %r has %d values, dataset %r has %d "
                                       "dimensions" % (offset, len(off), self.name,
                                                       len(self._shape)))
            a = selections.fit(a, a.shape, self._dtype)
            count = a.shape
        except Exception as e:
            failure = e
        self._write(_core.COLLECTIVE if collective else _core.INDEPENDENT, off, count, a, failure)

    # -- reading ------------------------------------------------------------------------------

    def __getitem__(self, key):
        """Reads the selection `key` into a new array (integer indices drop their dimension);
        collective unless inside ``with d.independent:``."""
        failure = None
        offset = count = out = None
        shape = ()
        try:
            offset, count, shape = selections.select(key, self._shape)
            out = page_aligned_empty(count, self._dtype)
        except _core.H5parError as e:
            failure = e
        except (MemoryError, OverflowError) as e:
            failure = _core.ShapeError("cannot allocate %s elements: %s" % (count, e))
        except Exception as e:
            failure = e
        out = self._read(self._xfer, offset, count, out, failure)
        return out.reshape(shape)

    def read_at(self, offset, count, collective=True, dtype=None, out=None):
        """Reads `count` elements per dimension at `offset` (tuples, or ints for 1-D datasets)
        into a new array of the dataset's dtype (or `dtype`), or into `out` (a C-contiguous,
        writable array of a supported dtype with count's number of elements). Collective by
        default; collective=False reads on this rank alone."""
        failure = None
        off = cnt = None
        try:
            off = shape_tuple(offset, "offset")
            cnt = shape_tuple(count, "count")
            if len(off) != len(self._shape) or len(cnt) != len(self._shape):
                raise _core.ShapeError("read_at: offset %r and count %r must have %d values "
                                       "(dataset %r)" % (offset, count, len(self._shape),
                                                         self.name))
            if out is None:
                dt = self.dtype if dtype is None else _core.code_dtype(_core.dtype_code(dtype))
                out = page_aligned_empty(cnt, dt)
            else:
                if not isinstance(out, np.ndarray):
                    raise _core.InvalidError("out must be a numpy array")
                if not out.flags.c_contiguous or not out.flags.writeable:
                    raise _core.InvalidError("out must be C-contiguous and writable")
                if _core.array_code(out) is None:
                    raise _core.DtypeError("out has an unsupported dtype %s" % out.dtype)
                n = product(cnt)
                if out.size != n:
                    raise _core.ShapeError("out has %d elements, count %r selects %d"
                                           % (out.size, cnt, n))
        except (MemoryError, OverflowError) as e:
            failure = _core.ShapeError("cannot allocate %s elements: %s" % (count, e))
        except Exception as e:
            failure = e
        return self._read(_core.COLLECTIVE if collective else _core.INDEPENDENT, off, cnt, out,
                          failure)

    def resize(self, shape):
        """Collective: changes the extent (chunked datasets only)."""
        failure = None
        dims = None
        try:
            dims = shape_tuple(shape, "shape")
            if len(dims) != len(self._shape):
                raise _core.ShapeError("resize: %r has %d dimensions, the dataset %d"
                                       % (shape, len(dims), len(self._shape)))
        except Exception as e:
            failure = e
        self._id.extend(dims, failure=failure)
        self._refresh()
