"""``AttributeManager``: the attributes of a file, group or dataset."""

import numpy as np

from .. import _core
from .types import dtype_of, spec_of


def _typed(value):
    """(C-contiguous array, type spec) for values the numeric 1-D path does not take (N-D
    arrays, bool, complex, bytes, structured), else (None, None)."""
    if isinstance(value, (bool, int, float)) and not isinstance(value, (np.bool_,)):
        if isinstance(value, bool):
            arr = np.asarray(value)
            return arr, "b1"
        return None, None
    if isinstance(value, complex):
        arr = np.asarray(value)
        return arr, spec_of(arr.dtype, "an attribute")
    try:
        arr = np.asarray(value)
    except Exception:
        return None, None
    k = arr.dtype.kind
    if k in "iuf" and arr.ndim <= 1:
        return None, None
    if k == "U":
        arr = np.char.encode(arr, "utf-8")
        return np.ascontiguousarray(arr), "S%d/utf8" % max(arr.dtype.itemsize, 1)
    if k == "S" and arr.dtype.itemsize == 0:
        raise _core.DtypeError("an empty bytes attribute has no fixed-length type")
    if k in "bcSV" or arr.ndim > 1:
        if arr.size == 0:
            raise _core.ShapeError("an attribute holds at least one value")
        return np.ascontiguousarray(arr), spec_of(arr.dtype, "an attribute")
    return None, None


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
        """Collective: writes (or replaces) the attribute `key`: a str (a variable-length
        string, as h5py writes them), numbers, bool, complex, fixed-length bytes, arrays of
        any number of dimensions of those, numpy structured values."""
        fid = self._fid
        failure = None
        val = None
        spec = None
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
                val, spec = _typed(value)
                if spec is None:
                    val = attr_array(value)
        except Exception as e:
            failure = e
        if spec is not None and failure is None:
            fid.attr_write_typed(self.name, key, spec, val)
        else:
            fid.attr_write(self.name, key if failure is None else "", val, failure=failure)

    def __getitem__(self, key):
        """Local: the value of the attribute `key` (NotFoundError, a KeyError, when missing):
        a str, a numpy scalar (one number, a scalar of another type) or an array of the
        stored shape and type."""
        fid = self._fid
        spec, dims = fid.attr_type(self.name, key)
        if spec.startswith("unsupported:variable-length string"):
            return fid.attr_read_string(self.name, key)
        dt = dtype_of(spec)
        if dt is None:
            raise _core.DtypeError("%s: attribute %r of %s: the stored type is %s, which h5par "
                                   "cannot read" % (self._parent.file.filename, key, self.name,
                                                    spec.split(":", 1)[1]))
        if dt.kind in "iuf" and len(dims) <= 1:
            code, n = fid.attr_info(self.name, key)
            value = fid.attr_read(self.name, key, code, n)
            if n == 1:
                return value[0]
            return value
        out = np.empty(dims, dtype=dt)
        fid.attr_read_typed(self.name, key, spec, out)
        return out[()] if dims == () else out

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
