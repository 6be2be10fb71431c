"""Indexing expressions (``d[...]``) turned into the core's selections, and values fitted to
them.

``select(key, shape)`` gives ``(offset, count, result_shape)``: the block h5par reads or
writes, and the shape numpy's basic indexing gives the result (integer indices drop their
dimension).
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


def select(key, dims):
    """(offset, count, result shape) of the index `key` (ints, slices with step 1, Ellipsis)
    on a dataset of extent `dims`. Out-of-range extents are passed on (the library reports
    them collectively); negative ones raise ShapeError here."""
    key = _expand(key, len(dims))
    offset = []
    count = []
    shape = []
    for d, (k, n) in enumerate(zip(key, dims)):
        if isinstance(k, slice):
            if k.step is not None:
                try:
                    step = operator.index(k.step)
                except TypeError:
                    raise _core.InvalidError("slice step %r is not an integer"
                                             % (k.step,)) from None
                if step != 1:
                    raise _core.InvalidError("slice %r of dimension %d: only step 1 is "
                                             "supported" % (k, d))
            try:
                start = 0 if k.start is None else operator.index(k.start)
                stop = n if k.stop is None else operator.index(k.stop)
            except TypeError:
                raise _core.InvalidError("slice %r of dimension %d: bounds must be integers"
                                         % (k, d)) from None
            if start < 0:
                start += n
            if stop < 0:
                stop += n
            if start < 0 or stop < 0:
                raise _core.ShapeError("slice %r is out of range for dimension %d of extent %d"
                                       % (k, d, n))
            if stop <= start:
                offset.append(min(start, n))
                count.append(0)
                shape.append(0)
            else:
                offset.append(start)
                count.append(stop - start)
                shape.append(stop - start)
        elif isinstance(k, (bool, np.bool_)):
            raise _core.InvalidError("boolean indexing is not supported")
        else:
            try:
                i = operator.index(k)
            except TypeError:
                raise _core.InvalidError("index %r of dimension %d is not supported (use "
                                         "integers and slices with step 1)" % (k, d)) from None
            if i < 0:
                i += n
            if i < 0:
                raise _core.ShapeError("index %d is out of range for dimension %d of extent %d"
                                       % (k, d, n))
            offset.append(i)
            count.append(1)
    return tuple(offset), tuple(count), tuple(shape)


def check_storable(arr):
    """Refuses arrays whose values h5par would have to change to store them: complex numbers
    (the imaginary part would be lost), strings, objects, booleans and other kinds."""
    kind = arr.dtype.kind
    if kind == "c":
        raise _core.DtypeError(
            "complex data (%s) cannot be stored: h5par datasets hold integers and real floats, "
            "and converting would drop the imaginary part; store the real and imaginary parts "
            "as two datasets" % (arr.dtype,))
    if kind not in "iuf":
        raise _core.DtypeError("data of type %s cannot be stored: h5par datasets hold integers "
                               "and real floats (i1 i2 i4 i8 u1 u2 u4 u8 f4 f8)" % (arr.dtype,))


def fit(value, shape, ds_dtype):
    """The C-contiguous array to write for a selection of `shape`: `value` itself when it is
    a C-contiguous array of a supported dtype and the right shape, else a converted copy."""
    arr = value if isinstance(value, np.ndarray) else np.asarray(value)
    check_storable(arr)
    if _core.array_code(arr) is None:
        try:
            arr = arr.astype(ds_dtype)
        except (TypeError, ValueError) as e:
            raise _core.DtypeError("cannot convert %s to %s: %s" % (arr.dtype, ds_dtype, e))
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
