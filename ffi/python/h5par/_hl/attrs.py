"""``AttributeManager``: the attributes of a file, group or dataset."""

import numpy as np

from .. import _core


def attr_array(value):
    """A C-contiguous 1-D array of a supported dtype for an attribute value."""
    if isinstance(value, (bool, np.bool_)):
        arr = np.asarray([value], dtype=np.int8)
    elif isinstance(value, int):
        if -(1 << 63) <= value < (1 << 63):
            arr = np.asarray([value], dtype=np.int64)
        elif 0 <= value < (1 << 64):
            arr = np.asarray([value], dtype=np.uint64)
        else:
            raise _core.InvalidError("integer %d does not fit in 64 bits" % value)
    elif isinstance(value, float):
        arr = np.asarray([value], dtype=np.float64)
    else:
        try:
            arr = np.asarray(value)
        except Exception as e:
            raise _core.DtypeError("cannot store %r as an attribute: %s" % (value, e)) from None
        if arr.ndim > 1:
            raise _core.ShapeError("attribute values are scalars or 1-D arrays, not shape %s"
                                   % (arr.shape,))
        arr = arr.reshape(-1)
        if arr.dtype.kind == "b":
            arr = arr.astype(np.int8)
        elif arr.dtype.kind == "f" and arr.dtype.itemsize == 2:
            arr = arr.astype(np.float32)
        elif arr.dtype.kind in "US":
            raise _core.DtypeError("arrays of strings are not supported as attributes (one "
                                   "string per attribute)")
        elif not arr.dtype.isnative and arr.dtype.kind in "iuf":
            arr = arr.astype(arr.dtype.newbyteorder("="))
        if _core.array_code(arr) is None:
            raise _core.DtypeError("cannot store %s values as an attribute (use integers, "
                                   "floats or strings)" % (arr.dtype,))
    if arr.size == 0:
        raise _core.ShapeError("an attribute holds at least one value")
    return np.ascontiguousarray(arr)


class AttributeManager:
    """The attributes of a file, group or dataset: ``attrs[name] = value`` (collective; every
    rank passes the same value) and ``attrs[name]`` (local).

    Values: numbers (Python int -> int64, float -> float64, numpy scalars keep their type),
    1-D numpy arrays or lists of numbers, and strings (UTF-8). One value is stored as a scalar,
    more as a 1-D array. Reading gives a string, a numpy scalar (one value) or a 1-D array in
    the stored type.
    """

    def __init__(self, parent):
        self._parent = parent

    @property
    def _fid(self):
        return self._parent.file.id

    @property
    def name(self):
        """The path of the object the attributes belong to."""
        return self._parent.name

    def __setitem__(self, key, value):
        """Collective: writes (or replaces) the attribute `key`."""
        fid = self._fid
        failure = None
        val = None
        try:
            if isinstance(key, bytes):
                key = key.decode("utf-8")
            if not isinstance(key, str):
                raise _core.InvalidError("attribute name must be a str, not %s"
                                         % type(key).__name__)
            if isinstance(value, bytes):
                value = value.decode("utf-8")
            if isinstance(value, (str, np.str_)):
                val = str(value)
            else:
                val = attr_array(value)
        except Exception as e:
            failure = e
        fid.attr_write(self.name, key if failure is None else "", val, failure=failure)

    def __getitem__(self, key):
        """Local: the value of the attribute `key` (NotFoundError, a KeyError, when missing)."""
        fid = self._fid
        text = fid.attr_read_string(self.name, key)
        if text is not None:
            return text
        code, n = fid.attr_info(self.name, key)
        value = fid.attr_read(self.name, key, code, n)
        if n == 1:
            return value[0]
        return value

    def __contains__(self, key):
        """Local: whether the attribute exists."""
        try:
            self._fid.attr_info(self.name, key)
        except _core.NotFoundError:
            return False
        return True

    def keys(self):
        """Local: the attribute names, in name order."""
        return self._fid.attr_names(self.name)

    def __iter__(self):
        return iter(self.keys())

    def __len__(self):
        return len(self.keys())

    def values(self):
        return [self[k] for k in self.keys()]

    def items(self):
        return [(k, self[k]) for k in self.keys()]

    def __delitem__(self, key):
        """Collective: deletes the attribute `key`."""
        failure = None
        if not isinstance(key, (str, bytes)):
            failure = _core.InvalidError("attribute name must be a str, not %s"
                                         % type(key).__name__)
        self._fid.attr_delete(self.name, key, failure=failure)

    def get(self, key, default=None):
        try:
            return self[key]
        except _core.NotFoundError:
            return default

    def __repr__(self):
        return "<h5par attributes of %r in %r>" % (self.name, self._parent.file.filename)
