"""``Group``: a group of an open file, and the creation of groups and datasets."""

import operator

import numpy as np

from .. import _core
from . import selections
from .attrs import AttributeManager
from .base import join, product, shape_tuple
from .dataset import Dataset


def guess_chunks(shape, itemsize):
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


def compression_level(compression, compression_opts):
    if compression is None or compression is False:
        return 0
    if compression is True:
        return 4
    if isinstance(compression, str):
        if compression.lower() not in ("gzip", "deflate", "zlib"):
            raise _core.InvalidError("compression %r is not supported (None, \"gzip\" or a "
                                     "level 0-9)" % (compression,))
        level = 4 if compression_opts is None else compression_opts
    else:
        level = compression
    try:
        level = operator.index(level)
    except TypeError:
        raise _core.InvalidError("compression level %r is not an integer" % (level,)) from None
    if not 0 <= level <= 9:
        raise _core.InvalidError("compression level %d is out of range (0-9)" % level)
    return level


class Group:
    """A group of an open file: create_dataset, create_group, [name], attrs (paths relative
    to the group)."""

    def __init__(self, file, name):
        self._file = file
        self._name = name

    @property
    def file(self):
        """The File this group belongs to."""
        return self._file

    @property
    def name(self):
        """The absolute path of the group."""
        return self._name

    @property
    def parent(self):
        """The group holding this one (the file for top-level groups and the root)."""
        head = self._name.rsplit("/", 1)[0] or "/"
        return self._file if head == "/" else Group(self._file, head)

    @property
    def attrs(self):
        """The attributes of this group (see AttributeManager)."""
        return AttributeManager(self)

    def _fid(self):
        return self._file.id

    def create_group(self, path):
        """Collective: creates the group `path` and its missing parents (an existing group is
        fine); returns a Group."""
        fid = self._fid()
        failure = full = None
        try:
            full = join(self._name, path)
        except Exception as e:
            failure = e
        fid.group_create(full if failure is None else self._name, failure=failure)
        return Group(self._file, full)

    def require_group(self, path):
        """Collective: the group `path`, created when missing (as create_group)."""
        return self.create_group(path)

    def create_dataset(self, name, shape=None, dtype=None, data=None, chunks=None,
                       compression=None, compression_opts=None):
        """Collective: creates the dataset `name` (missing parent groups are created).

        shape: int or tuple; dtype: anything numpy.dtype() accepts among i1 i2 i4 i8 u1 u2 u4
        u8 f4 f8 (default f8, or data's dtype); data: an array every rank passes alike (rank 0
        writes it); chunks: None (contiguous), True (about 1 MiB chunks) or a tuple (chunked
        datasets can be resized); compression: None, "gzip" (level compression_opts, default
        4) or a level 0-9.
        """
        fid = self._fid()
        failure = None
        full = None
        arr = None
        code = 0
        dims = ()
        level = 0
        chunk = None
        try:
            full = join(self._name, name)
            if data is not None:
                arr = data if isinstance(data, np.ndarray) else np.asarray(data)
                selections.check_storable(arr)
                if shape is None:
                    shape = arr.shape
                if dtype is None:
                    dtype = arr.dtype if _core.array_code(arr) is not None else "f8"
            if dtype is None:
                dtype = "f8"
            code = _core.dtype_code(dtype)
            dims = shape_tuple(shape, "shape")
            if arr is not None and arr.shape != dims and arr.size != 0:
                if arr.size != product(dims):
                    raise _core.ShapeError("data of shape %s does not fit shape %s"
                                           % (arr.shape, dims))
            level = compression_level(compression, compression_opts)
            if chunks is True:
                chunks = guess_chunks(dims, _core.code_dtype(code).itemsize)
            elif chunks is False:
                chunks = None
            if chunks is not None:
                chunk = shape_tuple(chunks, "chunks")
                if len(chunk) != len(dims):
                    raise _core.ShapeError("chunks %r and shape %r differ in dimensions"
                                           % (chunk, dims))
            if arr is not None:
                # Converted before the dataset exists: data h5par cannot store fails the
                # create itself (on every rank), and leaves nothing behind.
                if arr.size == product(dims) and arr.shape != dims:
                    arr = arr.reshape(dims)
                arr = selections.fit(arr, dims, _core.code_dtype(code))
        except Exception as e:
            failure = e
        did = fid.dataset_create(full if failure is None else self._name, code, dims, chunk,
                                 level, failure=failure)
        d = Dataset(did, self._file)
        if arr is not None and d.size > 0:
            # Every rank passed the data: rank 0 writes it, the others take part with nothing.
            if self._file.comm.Get_rank() == 0:
                d.write_at((0,) * len(dims), arr)
            else:
                d.write_at((0,) * len(dims), np.empty((0,) * len(dims), dtype=arr.dtype))
        return d

    def __getitem__(self, name):
        """Collective: opens the dataset `name` (NotFoundError, a KeyError, when missing)."""
        fid = self._fid()
        failure = full = None
        try:
            full = join(self._name, name)
        except Exception as e:
            failure = e
        did = fid.dataset_open(full if failure is None else self._name, failure=failure)
        return Dataset(did, self._file)

    def __contains__(self, name):
        """Local: whether a group or dataset exists at `name`."""
        return self._fid().exists(join(self._name, name))

    def __repr__(self):
        return "<h5par.Group %r of %r>" % (self._name, self._file.filename)
