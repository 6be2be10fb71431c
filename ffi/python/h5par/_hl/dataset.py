"""``Dataset``: reads and writes of one dataset; collective by default, independent inside
``with d.independent:``."""

import numpy as np

from .. import _core
from .._buffer import page_aligned_empty
from . import selections
from .attrs import AttributeManager
from .base import product, shape_tuple
from .types import dtype_of, spec_of

_HABIT = (" In Python: `with dset.independent: dset[...] = x` reads or writes from this rank "
          "alone, as h5py-mpio does by default (h5par's slice assignment and read are "
          "collective).")


def with_advice(err):
    """A MismatchError about ranks in different calls, with what to do in Python added."""
    if isinstance(err, _core.MismatchError) and "same collective calls" in err.message and \
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
        self._code, self._shape = self._id.info()
        self._spec, self._itemsize = self._id.type_spec()
        self._dtype = dtype_of(self._spec)

    @property
    def type_spec(self):
        """The stored type as the core spells it ("f8", "b1", "c16", "S10", "{x:f8@0}8", or
        "unsupported:<what>" for a type h5par cannot read)."""
        return self._spec

    def _storage(self):
        return self._id.storage(self._itemsize)

    @property
    def chunks(self):
        """The chunk shape, or None for contiguous storage."""
        return self._storage()[0]

    @property
    def maxshape(self):
        """The maximum extent, None for unlimited dimensions (as in h5py)."""
        return tuple(None if m < 0 else m for m in self._storage()[1])

    @property
    def compression(self):
        """"gzip" when the chunks are deflated, else None."""
        return "gzip" if self._storage()[2] else None

    @property
    def compression_opts(self):
        """The deflate level, or None."""
        return self._storage()[2] or None

    @property
    def shuffle(self):
        """Whether the shuffle filter is applied before compression."""
        return self._storage()[3]

    @property
    def fillvalue(self):
        """The value unwritten elements read as (0 of the dtype when none was set)."""
        raw = self._storage()[4]
        if self._dtype is None:
            return None
        if raw is None:
            return np.zeros((), self._dtype)[()]
        return np.frombuffer(raw, dtype=self._dtype)[0]

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
        """The numpy dtype stored in the file; None for a type h5par cannot read (see
        type_spec)."""
        return self._dtype

    def _unreadable(self):
        """The error of a read or write of a dataset whose type h5par does not handle."""
        return _core.DtypeError("%s:%s: the stored type is %s, which h5par cannot read or "
                                "write" % (self._file.filename, self.name,
                                           self._spec.split(":", 1)[-1]))

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
        return "<h5par.Dataset %r shape %s %s>" % (
            self.name, self._shape, "dtype %s" % self.dtype if self.dtype is not None
            else "type %s" % self._spec)

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
        selection `key` (see h5par._hl.selections.select); collective unless inside
        ``with d.independent:``."""
        sel = arr = None
        failure = None
        try:
            if self._dtype is None:
                raise self._unreadable()
            sel = selections.select(key, self._shape, for_write=True)
            arr = selections.fit(value, sel.shape, self._dtype)
            if sel.shape != sel.mshape:
                arr = arr.reshape(sel.mshape)
        except Exception as e:
            failure = e
        if failure is None and sel.simple and self._code < 10 and \
                _core.array_code(arr) is not None:
            self._write(self._xfer, sel.start, sel.count, arr, None)
            return
        self._write_sel(sel, arr, failure)

    def _write_sel(self, sel, arr, failure):
        if failure is not None and self._xfer != _core.COLLECTIVE:
            raise self._located(failure)
        try:
            self._id.write_sel(self._xfer, None if sel is None else sel.spec(),
                               None if arr is None else spec_of(arr.dtype), arr,
                               failure=failure)
        except _core.MismatchError as e:
            raise with_advice(e) from None

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
            if self._code >= 10 or _core.array_code(a) is None and a.dtype.kind not in "iuf":
                raise _core.DtypeError("write_at takes numbers; write %s data with d[...] = "
                                       "value" % (a.dtype,))
            a = selections.fit(a, a.shape, self._dtype)
            count = a.shape
        except Exception as e:
            failure = e
        self._write(_core.COLLECTIVE if collective else _core.INDEPENDENT, off, count, a, failure)

    # -- reading ------------------------------------------------------------------------------

    def __getitem__(self, key):
        """Reads the selection `key` into a new array (see h5par._hl.selections.select:
        integer indices drop their dimension, steps, one index list, boolean masks);
        collective unless inside ``with d.independent:``."""
        failure = None
        sel = out = None
        try:
            if self._dtype is None:
                raise self._unreadable()
            sel = selections.select(key, self._shape)
            out = page_aligned_empty(sel.mshape, self._dtype)
        except _core.H5parError as e:
            failure = e
        except (MemoryError, OverflowError) as e:
            failure = _core.ShapeError("cannot allocate %s elements: %s"
                                       % (sel.mshape if sel else "?", e))
        except Exception as e:
            failure = e
        if failure is None and sel.simple and self._code < 10:
            out = self._read(self._xfer, sel.start, sel.count, out, None)
        else:
            if failure is not None and self._xfer != _core.COLLECTIVE:
                raise self._located(failure)
            try:
                out = self._id.read_sel(self._xfer, None if sel is None else sel.spec(),
                                        None, out, failure=failure)
            except _core.MismatchError as e:
                raise with_advice(e) from None
        if sel.post is not None:
            return sel.post(out)
        return out.reshape(sel.shape)

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
