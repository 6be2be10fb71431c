"""``Group``: a group of an open file, and the creation of groups and datasets."""

import operator

import numpy as np

from .. import _core
from . import selections
from .attrs import AttributeManager
from .base import join, product, shape_tuple
from .dataset import Dataset
from .types import spec_of


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


class SoftLink:
    """A soft link to `path` (``g["l"] = h5par.SoftLink("/a/b")``)."""

    def __init__(self, path):
        self.path = str(path)

    def __repr__(self):
        return "<h5par.SoftLink to %r>" % (self.path,)


class ExternalLink:
    """An external link to `path` in the file `filename`."""

    def __init__(self, filename, path):
        self.filename = str(filename)
        self.path = str(path)

    def __repr__(self):
        return "<h5par.ExternalLink to %r in %r>" % (self.path, self.filename)


class HardLink:
    """A hard link (what ``get(name, getlink=True)`` gives for a group or dataset)."""


class Group:
    """A group of an open file: create_dataset, create_group, [name], attrs (paths relative
    to the group)."""

    def __init__(self, file, name, gid=None):
        self._file = file
        self._name = name
        self._gid = gid

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

    def _group_id(self):
        """The group's local handle (the GroupID kept from the lookup that made this Group, or
        opened now and kept)."""
        gid = getattr(self, "_gid", None)
        if gid is None:
            gid = self._gid = self._fid().group_open(self._name)
        return gid

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
        gid = fid.group_open(full)
        return Group(self._file, gid.path(), gid)

    def require_group(self, path):
        """Collective: the group `path`, created when missing (as create_group); TypeError
        when something else is there."""
        full = join(self._name, path)
        kind = self._fid().kind(full, follow=True)
        if kind not in (_core.KIND_NONE, _core.KIND_GROUP):
            raise TypeError("%r is not a group" % (path,))
        return self.create_group(path)

    def create_dataset(self, name, shape=None, dtype=None, data=None, chunks=None,
                       compression=None, compression_opts=None, maxshape=None,
                       fillvalue=None, shuffle=False):
        """Collective: creates the dataset `name` (missing parent groups are created).

        shape: int or tuple; dtype: numbers (i1 i2 i4 i8 u1 u2 u4 u8 f4 f8), bool, complex64
        and complex128 (stored as h5py stores them), fixed-length bytes "S<n>", structured
        dtypes of those (default f8, or data's dtype); data: an array every rank passes alike
        (rank 0 writes it; a type h5par cannot store is an error, never a conversion);
        chunks: None (contiguous, unless compression, shuffle or maxshape need chunks: then
        the core chooses them), True (chunked, the core chooses the shape, as for every
        front end) or a tuple; maxshape: the maximum
        extent, None entries for unlimited (a chunk shape alone does not make a dataset
        resizable); compression: None, "gzip" (level compression_opts, default 4) or a level
        0-9; shuffle: the shuffle filter before compression; fillvalue: what unwritten
        elements read as.
        """
        fid = self._fid()
        failure = None
        auto_chunks = False
        full = None
        arr = None
        spec = "f8"
        dims = ()
        level = 0
        chunk = None
        cmax = None
        fill = None
        try:
            full = join(self._name, name)
            if data is not None:
                arr = data if isinstance(data, np.ndarray) else np.asarray(data)
                if arr.dtype.kind == "U" and dtype is None:
                    raise _core.DtypeError(
                        "data of type %s: numpy's unicode strings have no HDF5 type and "
                        "parallel HDF5 cannot write variable-length strings; pass "
                        "dtype=\"S<n>\" or bytes" % (arr.dtype,))
                if shape is None:
                    shape = arr.shape
                if dtype is None:
                    dtype = arr.dtype
            if dtype is None:
                dtype = "f8"
            try:
                dt = np.dtype(dtype)
            except TypeError as e:
                raise _core.DtypeError("%r is not a data type: %s" % (dtype, e)) from None
            spec = spec_of(dt, "a dataset")
            dims = shape_tuple(shape, "shape")
            if arr is not None and arr.shape != dims and arr.size != 0:
                if arr.size != product(dims):
                    raise _core.ShapeError("data of shape %s does not fit shape %s"
                                           % (arr.shape, dims))
            level = compression_level(compression, compression_opts)
            auto_chunks = chunks is True
            if chunks is True or chunks is False:
                chunks = None
            if chunks is not None:
                chunk = shape_tuple(chunks, "chunks")
            if maxshape is not None:
                if isinstance(maxshape, int) or maxshape is True:
                    maxshape = (maxshape,)
                cmax = tuple(-1 if m is None else int(m) for m in maxshape)
            if fillvalue is not None:
                fill = np.ascontiguousarray(np.asarray(fillvalue, dtype=dt).reshape(1))
            if arr is not None:
                # Converted before the dataset exists: data h5par cannot store fails the
                # create itself (on every rank), and leaves nothing behind.
                if arr.size == product(dims) and arr.shape != dims:
                    arr = arr.reshape(dims)
                arr = selections.fit(arr, dims, dt)
        except Exception as e:
            failure = e
        did = fid.dataset_create_ex(full if failure is None else self._name, spec, dims,
                                    chunk=chunk, maxshape=cmax, deflate=level,
                                    shuffle=bool(shuffle), fill=fill, failure=failure,
                                    chunked=auto_chunks)
        d = Dataset(did, self._file)
        if arr is not None and d.size > 0:
            # Every rank passed the data: rank 0 writes it, the others take part with nothing
            # (a scalar has no empty selection: every rank writes the same value).
            if self._file.comm.Get_rank() == 0 or not dims:
                d[...] = arr
            else:
                d[(slice(0, 0),) * len(dims)] = np.empty((0,) * len(dims), dtype=arr.dtype)
        return d

    # -- navigation (local, except where a dataset is opened) ------------------------------

    def _wrap(self, oid, tfid):
        """The Group or Dataset of what FileID.object_open returned: in this file, or in the
        file an external link led to (then ``obj.file``, closed with ``obj.file.close()``)."""
        file = self._file
        if tfid is not None:
            from .files import File
            file = File._opened(tfid, "r" if file.mode == "r" else "r+", file.comm)
        if isinstance(oid, _core.GroupID):
            return Group(file, oid.path(), oid)
        return Dataset(oid, file)

    def __getitem__(self, name):
        """The group or dataset `name`: a Group (local) or a Dataset (opened collectively:
        every rank makes the call). NotFoundError (a KeyError) when there is none. Through an
        external link, its file is opened collectively (every rank makes the call) and the
        object returned belongs to it (``obj.file``)."""
        fid = self._fid()
        try:
            full = join(self._name, name)
        except Exception as e:
            # Taken into the collective open another rank may be making.
            fid.object_open(self._name, failure=e)
            raise
        return self._wrap(*fid.object_open(full))

    def get(self, name, default=None, getclass=False, getlink=False):
        """As h5py: the object `name` or `default`; getclass: its class (Group, Dataset,
        SoftLink, ExternalLink); getlink: the link itself (HardLink, SoftLink, ExternalLink)."""
        fid = self._fid()
        full = join(self._name, name)
        if getlink:
            kind = fid.kind(full, follow=False)
            if kind == _core.KIND_NONE:
                return default
            if kind == _core.KIND_SOFT_LINK:
                link = SoftLink(fid.link_target(full)[0])
            elif kind == _core.KIND_EXTERNAL_LINK:
                target, tfile = fid.link_target(full)
                link = ExternalLink(tfile, target)
            else:
                link = HardLink()
            return type(link) if getclass else link
        kind = fid.kind(full, follow=True)
        if kind == _core.KIND_NONE:
            return default
        if getclass:
            return {_core.KIND_GROUP: Group, _core.KIND_DATASET: Dataset}.get(kind)
        return self._wrap(*fid.object_open(full))

    def __contains__(self, name):
        """Local: whether a group or dataset exists at `name` (a dangling soft link: no)."""
        return self._fid().kind(join(self._name, name), follow=True) != _core.KIND_NONE

    def keys(self):
        """Local: the names of the members (links included), sorted (one C call, one pass
        over the group's links; nothing is opened)."""
        return self._group_id().names()

    def __iter__(self):
        return iter(self.keys())

    def __len__(self):
        return len(self.keys())

    def values(self):
        """The members (datasets are opened collectively: call it on every rank)."""
        return [self[n] for n in self.keys()]

    def items(self):
        """(name, member) pairs (datasets are opened collectively: call it on every rank)."""
        return [(n, self[n]) for n in self.keys()]

    def visit(self, func):
        """Local: calls func(name) for every group and dataset below this group (names
        relative to it; soft and external links are not followed), stopping at the first
        call that returns something other than None, which is returned."""
        fid = self._fid()

        def walk(path, prefix):
            gid = fid.group_open(path)
            try:
                members = gid.members(True)
            finally:
                gid.close()
            for name, kind in members:
                if kind in (_core.KIND_SOFT_LINK, _core.KIND_EXTERNAL_LINK):
                    continue
                rel = prefix + name
                r = func(rel)
                if r is not None:
                    return r
                if kind == _core.KIND_GROUP:
                    r = walk(join(path, name), rel + "/")
                    if r is not None:
                        return r
            return None

        return walk(self._name, "")

    def visititems(self, func):
        """Calls func(name, obj) for every group and dataset below this group (see visit;
        datasets are opened collectively: call it on every rank)."""
        return self.visit(lambda name: func(name, self[name]))

    # -- links and deletion (collective) ---------------------------------------------------

    def __delitem__(self, name):
        """Collective: deletes the link `name` (the dataset, group or link)."""
        failure = full = None
        try:
            full = join(self._name, name)
        except Exception as e:
            failure = e
        self._fid().object_delete(full if failure is None else self._name, failure=failure)

    def move(self, source, dest):
        """Collective: moves (renames) `source` to `dest` (missing parents of dest are made)."""
        failure = src = dst = None
        try:
            src = join(self._name, source)
            dst = join(self._name, dest)
        except Exception as e:
            failure = e
        self._fid().object_move(src, dst, failure=failure)

    def __setitem__(self, name, obj):
        """Collective: ``g[name] = SoftLink(path)`` or ``ExternalLink(file, path)`` makes a
        link, ``g[name] = obj`` (a Group or Dataset of this file) a hard link to obj (as in
        h5py); an array (or anything numpy.asarray takes) makes a dataset of it."""
        fid = self._fid()
        failure = full = None
        try:
            full = join(self._name, name)
        except Exception as e:
            failure = e
        if isinstance(obj, SoftLink) and failure is None:
            fid.link_soft(full, obj.path)
        elif isinstance(obj, ExternalLink) and failure is None:
            fid.link_external(full, obj.filename, obj.path)
        elif isinstance(obj, (Group, Dataset)) and failure is None:
            if obj.file.id is not fid:
                failure = _core.InvalidError(
                    "%s:%s: %r is in another file; a hard link points into the same file "
                    "(use ExternalLink)" % (self._file.filename, full, obj))
            fid.link_hard(full if failure is None else self._name,
                          obj.name if failure is None else "", failure=failure)
        elif isinstance(obj, HardLink) or failure is not None:
            if failure is None:
                failure = _core.InvalidError(
                    "%s:%s: a HardLink() names no object; assign the Group or Dataset itself"
                    % (self._file.filename, full))
            fid.link_hard(self._name, "", failure=failure)
        else:
            self.create_dataset(full, data=obj)

    def require_dataset(self, name, shape, dtype, exact=False, **kwds):
        """As h5py: the dataset `name` when it exists with this shape and a dtype it can be
        read as (exactly this dtype with exact=True), else it is created (collective)."""
        if name not in self:
            return self.create_dataset(name, shape=shape, dtype=dtype, **kwds)
        d = self[name]
        if not isinstance(d, Dataset):
            raise TypeError("%r is not a dataset (it is %r)" % (name, d))
        if d.shape != shape_tuple(shape, "shape"):
            raise TypeError("shapes do not match (existing %s vs new %s)" % (d.shape, shape))
        want = np.dtype(dtype)
        if (exact and d.dtype != want) or not np.can_cast(d.dtype, want):
            raise TypeError("datatypes do not match (existing %s vs new %s)" % (d.dtype, want))
        return d

    def __repr__(self):
        return "<h5par.Group %r of %r>" % (self._name, self._file.filename)
