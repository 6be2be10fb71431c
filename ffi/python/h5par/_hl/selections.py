"""Indexing expressions (``d[...]``) turned into the core's selections, and values fitted to
them.

``select(key, shape)`` gives a ``Selection``: the core's strided/index-list selection (start,
stride, count per dimension, at most one axis chosen by a list of indices), the shape of the
buffer, and the shape numpy's indexing gives the result (integer indices drop their
dimension). Blocks go to the core's block calls, the rest to its selection calls.
"""

import operator

import numpy as np

from .. import _core


def _expand(key, nd):
    if not isinstance(key, tuple):
        key = (key,)
    n_ell = sum(1 for k in key if k is Ellipsis)
    if n_ell > 1:
        raise _core.InvalidError("an index can only have a single Ellipsis (...)")
    n_real = len(key) - n_ell
    if n_real > nd:
        raise _core.InvalidError("too many indices (%d) for a dataset of %d dimensions"
                                 % (n_real, nd))
    if n_ell:
        i = key.index(Ellipsis)
        return key[:i] + (slice(None),) * (nd - n_real) + key[i + 1:]
    return key + (slice(None),) * (nd - n_real)


def _is_list(k):
    return isinstance(k, (list, np.ndarray)) and not isinstance(k, (str, bytes))


class Selection:
    """A selection of the core: per dimension a start, a stride, a count (blocks of one
    element), and at most one axis chosen by a list of strictly increasing indices.

    ``mshape``: the shape of the buffer the core reads into or writes from (the count per
    dimension, the number of indices on the index axis); ``shape``: the result's shape as
    numpy (and h5py) give it (integer indices drop their dimension); ``simple``: a block
    (step 1, no index list), which the core's block calls take; ``post``: what a boolean
    mask of the dataset's shape still does to the block read for it (None otherwise)."""

    def __init__(self, start, stride, count, axis, indices, shape, post=None):
        self.start = tuple(start)
        self.stride = tuple(stride)
        self.count = tuple(count)
        self.axis = axis
        self.indices = indices
        self.shape = tuple(shape)
        self.post = post
        self.simple = axis is None and all(s == 1 for s in self.stride)
        m = list(self.count)
        if axis is not None:
            m[axis] = len(indices)
        self.mshape = tuple(m)

    def spec(self):
        """The (start, stride, count, block, index_axis, indices) of the core's selection."""
        return (self.start, self.stride, self.count, None, self.axis,
                None if self.axis is None else self.indices)


def _index(k, d, n):
    try:
        i = operator.index(k)
    except TypeError:
        raise _core.InvalidError("index %r of dimension %d is not supported (use integers, "
                                 "slices, one list of indices or a boolean mask)"
                                 % (k, d)) from None
    if i < 0:
        i += n
    if i < 0:
        raise _core.ShapeError("index %d is out of range for dimension %d of extent %d"
                               % (k, d, n))
    return i


def select(key, dims, for_write=False):
    """The Selection of the index `key` on a dataset of extent `dims`: integers (negative ones
    count from the end), slices with a positive step, ``...``, one list (or array) of
    increasing indices on one axis as in h5py, a boolean array along one axis, or (for reads)
    a boolean mask of the dataset's shape. Out-of-range extents are passed on (the library
    reports them collectively: slices are not clipped)."""
    dims = tuple(dims)
    if isinstance(key, np.ndarray) and key.dtype == bool and key.ndim > 1:
        return _mask_selection(key, dims, for_write)
    key = _expand(key, len(dims))
    start, stride, count, shape = [], [], [], []
    axis = indices = None
    for d, (k, n) in enumerate(zip(key, dims)):
        if isinstance(k, slice):
            try:
                step = 1 if k.step is None else operator.index(k.step)
                lo = 0 if k.start is None else operator.index(k.start)
                hi = n if k.stop is None else operator.index(k.stop)
            except TypeError:
                raise _core.InvalidError("slice %r of dimension %d: bounds and step must be "
                                         "integers" % (k, d)) from None
            if step < 1:
                raise _core.InvalidError("slice %r of dimension %d: the step must be 1 or more "
                                         "(as in h5py)" % (k, d))
            if lo < 0:
                lo += n
            if hi < 0:
                hi += n
            if lo < 0 or hi < 0:
                raise _core.ShapeError("slice %r is out of range for dimension %d of extent %d"
                                       % (k, d, n))
            c = 0 if hi <= lo else (hi - lo + step - 1) // step
            start.append(min(lo, n) if c == 0 else lo)
            stride.append(step)
            count.append(c)
            shape.append(c)
        elif _is_list(k) or (isinstance(k, np.ndarray) and k.ndim == 1):
            if axis is not None:
                raise _core.InvalidError("only one axis may be indexed by a list (as in h5py)")
            arr = np.asarray(k)
            if arr.dtype == bool:
                if arr.ndim != 1 or arr.size != n:
                    raise _core.ShapeError("a boolean index of dimension %d must have %d "
                                           "values, not shape %s" % (d, n, arr.shape))
                idx = np.flatnonzero(arr)
            else:
                if arr.size and arr.dtype.kind not in "iu":
                    raise _core.InvalidError("the index list of dimension %d holds %s, not "
                                             "integers" % (d, arr.dtype))
                if arr.ndim != 1:
                    raise _core.InvalidError("an index list is one-dimensional, not shape %s"
                                             % (arr.shape,))
                idx = arr.astype(np.int64)
                idx = np.where(idx < 0, idx + n, idx)
                if idx.size and idx.min() < 0:
                    raise _core.ShapeError("index list of dimension %d is out of range for "
                                           "extent %d" % (d, n))
                if idx.size > 1 and not np.all(idx[1:] > idx[:-1]):
                    raise _core.InvalidError("indices of dimension %d must be increasing and "
                                             "distinct (as in h5py)" % (d,))
            axis, indices = d, idx
            start.append(0)
            stride.append(1)
            count.append(1)
            shape.append(len(idx))
        elif isinstance(k, (bool, np.bool_)):
            raise _core.InvalidError("a boolean scalar is not an index")
        else:
            start.append(_index(k, d, n))
            stride.append(1)
            count.append(1)
    if axis is not None:
        count[axis] = 1
    return Selection(start, stride, count, axis, indices, shape)


def _mask_selection(mask, dims, for_write):
    """A boolean mask of the dataset's shape (reads): the rows holding a True, read as an
    index list on axis 0, then the mask applied to them (h5py gives the 1-D array of the
    selected elements)."""
    if for_write:
        raise _core.InvalidError("boolean masks are for reads only: write with slices or an "
                                 "index list")
    if mask.shape != dims:
        raise _core.ShapeError("a boolean mask must have the dataset's shape %s, not %s"
                               % (dims, mask.shape))
    rows = np.flatnonzero(mask.reshape(dims[0], -1).any(axis=1))
    sub = mask[rows]
    n = int(sub.sum())
    start = [0] * len(dims)
    count = [1] + list(dims[1:])
    return Selection(start, [1] * len(dims), count, 0, rows, (n,), post=lambda a: a[sub])


def select_block(key, dims):
    """(offset, count, result shape) of an index that is a block (integers, slices with step
    1, ``...``); InvalidError for anything else."""
    sel = select(key, dims)
    if not sel.simple or sel.post is not None:
        raise _core.InvalidError("not a block selection")
    return sel.start, sel.count, sel.shape


def check_storable(arr):
    """Refuses arrays h5par cannot store as they are (their type spec, or DtypeError saying
    why: unicode, objects, nested compounds...)."""
    from .types import spec_of
    return spec_of(arr.dtype)


def fit(value, shape, ds_dtype):
    """The C-contiguous array to write for a selection of `shape` into a dataset of
    `ds_dtype`: `value` itself when it is a C-contiguous array of a type h5par takes and the
    right shape, else a converted copy. Conversions are only those that lose nothing the
    dataset could hold: numbers to numbers (HDF5 converts), reals to complex, str to the
    dataset's fixed-length bytes; a bool, complex, string or compound value for a dataset of
    another kind is DtypeError, never a silent conversion."""
    from .types import spec_of
    arr = value if isinstance(value, np.ndarray) else np.asarray(value)
    dk = ds_dtype.kind if ds_dtype is not None else "?"
    ak = arr.dtype.kind
    if ds_dtype is None:
        raise _core.DtypeError("the dataset's type is not one h5par can write")
    if dk in "iuf":
        if ak not in "iuf":
            raise _core.DtypeError("data of type %s cannot be stored in a dataset of %s "
                                   "(h5par converts numbers to numbers only, never dropping an "
                                   "imaginary part or turning text into numbers)"
                                   % (arr.dtype, ds_dtype))
        if _core.array_code(arr) is None:
            try:
                arr = arr.astype(ds_dtype)
            except (TypeError, ValueError) as e:
                raise _core.DtypeError("cannot convert %s to %s: %s" % (arr.dtype, ds_dtype, e))
    elif dk == "b":
        if ak != "b":
            raise _core.DtypeError("data of type %s cannot be stored in a bool dataset"
                                   % (arr.dtype,))
    elif dk == "c":
        if ak in "iuf":
            arr = arr.astype(ds_dtype)
        elif ak != "c":
            raise _core.DtypeError("data of type %s cannot be stored in a dataset of %s"
                                   % (arr.dtype, ds_dtype))
    elif dk == "S":
        if ak == "U":
            try:
                arr = np.char.encode(arr, "utf-8")
            except UnicodeError as e:
                raise _core.DtypeError("cannot encode strings: %s" % (e,)) from None
            ak = "S"
        if ak != "S":
            raise _core.DtypeError("data of type %s cannot be stored in a string dataset of %s"
                                   % (arr.dtype, ds_dtype))
        if arr.dtype.itemsize > ds_dtype.itemsize:
            longest = max((len(x) for x in arr.reshape(-1)), default=0)
            if longest > ds_dtype.itemsize:
                raise _core.DtypeError("a string of %d bytes does not fit the dataset's %s"
                                       % (longest, ds_dtype))
        arr = arr.astype(ds_dtype)
    elif dk == "V":
        if arr.dtype.fields is None:
            raise _core.DtypeError("data of type %s cannot be stored in a compound dataset of %s"
                                   % (arr.dtype, ds_dtype))
    spec_of(arr.dtype)
    if arr.shape != shape:
        # numpy's assignment rules: leading extents of 1 may go, then broadcast.
        a = arr
        while a.ndim > len(shape) and a.shape[0] == 1:
            a = a.reshape(a.shape[1:])
        if a.shape != shape:
            try:
                a = np.broadcast_to(a, shape)
            except ValueError:
                raise _core.ShapeError("cannot write an array of shape %s into a selection of "
                                       "shape %s" % (arr.shape, shape)) from None
        arr = a
    if not arr.flags.c_contiguous:
        arr = np.ascontiguousarray(arr)
    return arr
