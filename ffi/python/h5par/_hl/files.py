"""``File``: an HDF5 file opened collectively on the ranks of a communicator."""

import json
import os
import sys

from mpi4py import MPI

from .. import _core
from .group import Group

# h5py.File keywords h5par has no equivalent for: accepted when they are h5py's default (so
# that h5py-mpio scripts run unchanged), an error otherwise.
_H5PY_DEFAULTS = {
    "userblock_size": (None, 0), "swmr": (False,), "rdcc_nslots": (None,),
    "rdcc_nbytes": (None,), "rdcc_w0": (None,), "track_order": (None, False),
    "fs_strategy": (None,), "fs_persist": (False,), "fs_threshold": (1,),
    "fs_page_size": (None,), "page_buf_size": (None,), "min_meta_keep": (0,),
    "min_raw_keep": (0,), "locking": (None,), "alignment_threshold": (1,),
    "alignment_interval": (1,), "meta_block_size": (None,),
}

_MODES = ("r", "r+", "w", "w-", "x", "a")


class File(Group):
    """An HDF5 file opened collectively on the ranks of `comm`.

    ``File(path, mode="r", comm=MPI.COMM_WORLD, stripe_count=None, stripe_size=None,
    tuning=True, report=None, cb_nodes=None, hints=None, atomic=True, libver=None, *,
    driver=None, info=None)``

    mode: "r" (read only), "r+" (read and write, the file must exist), "w" (create or
    truncate), "w-" or "x" (create, fail if it exists), "a" (read and write if it exists,
    else create). A file created with "w", "w-", "x" or "a" appears at its path only after a
    successful close (unless ``atomic=False``). driver: None or "mpio" (h5par always uses
    MPI-IO; h5py-mpio scripts pass driver="mpio", comm=...); info: an MPI.Info whose entries
    are MPI-IO hints. stripe_count / stripe_size (bytes) / cb_nodes: layout and aggregators
    (None = let h5par choose). tuning: False for plain HDF5 defaults. report: write the I/O
    report at close to this path ("-" = stderr, a ".json" path gets JSON). hints: extra MPI-IO
    hints, a dict or "key=value,key=value". libver: file-format bounds as in h5py: "earliest",
    "v108", "v110", "v112", "v114", "v200" or "latest" (meaning (that, "latest")), or a (low,
    high) pair; None for h5par's default ("earliest", "latest"), which HDF5 1.10 tools read.

    Close it with ``close()`` (collective) or a ``with`` block: the garbage collector never
    closes a file (it warns with a ResourceWarning; the file is closed collectively at
    interpreter exit).
    """

    def __init__(self, path, mode="r", comm=None, stripe_count=None, stripe_size=None,
                 tuning=True, report=None, cb_nodes=None, hints=None, atomic=True, libver=None,
                 *, driver=None, info=None, **kwds):
        if getattr(self, "_id", None) is not None:
            raise _core.InvalidError("File.__init__ called twice")
        self._id = None
        self._name = "/"    # not Group.__init__: a File is its own file (without a cycle)
        if comm is None:
            comm = MPI.COMM_WORLD
        if not isinstance(comm, MPI.Intracomm):
            raise _core.InvalidError("comm must be an mpi4py intracommunicator, not %r"
                                     % (comm,))
        self._comm = comm
        self._filename = path
        self._mode = str(mode)
        failure = None
        how = _core.READONLY
        try:
            self._filename = os.fspath(path)
            how = self._how(mode)
            if driver not in (None, "mpio"):
                raise _core.InvalidError(
                    "driver %r is not supported: h5par always does MPI-IO (driver=None or "
                    "\"mpio\")" % (driver,))
            for k, v in kwds.items():
                if k not in _H5PY_DEFAULTS:
                    raise TypeError("File() got an unexpected keyword argument %r" % k)
                if v not in _H5PY_DEFAULTS[k]:
                    raise _core.InvalidError("h5py's File option %s=%r is not supported by "
                                             "h5par" % (k, v))
            if info is not None or isinstance(hints, dict):
                parts = []
                if info is not None:
                    parts += ["%s=%s" % (info.Get_nthkey(i), info.Get(info.Get_nthkey(i)))
                              for i in range(info.Get_nkeys())]
                if isinstance(hints, dict):
                    parts += ["%s=%s" % kv for kv in hints.items()]
                elif hints:
                    parts.append(hints)
                hints = ",".join(parts) or None
            if report is False:
                report = None
            elif report is True:
                report = "-"
            if isinstance(libver, tuple):
                libver = ",".join(libver)
        except Exception as e:
            failure = e
        self._id = _core.open_file(comm, self._filename, how, stripe_count=stripe_count,
                                   stripe_size=stripe_size, cb_nodes=cb_nodes, tuning=tuning,
                                   atomic=atomic, hints=hints, report=report, libver=libver,
                                   failure=failure)

    @classmethod
    def _opened(cls, fid, mode, comm):
        """The File of the FileID `fid` the core opened already (the target of an external
        link), `mode` "r" or "r+"."""
        f = cls.__new__(cls)
        f._id = fid
        f._name = "/"
        f._gid = None
        f._comm = comm
        f._filename = fid.filename
        f._mode = mode
        return f

    def _how(self, mode):
        """How the core opens the file for `mode`. For "w-", "x" and "a" each rank looks at the
        path itself (no extra collective call): ranks that see it differently make different
        calls, which the core's agreement turns into an error on every rank."""
        if mode not in _MODES:
            raise _core.InvalidError("mode %r is not supported (\"r\", \"r+\", \"w\", \"w-\", "
                                     "\"x\" or \"a\")" % (mode,))
        if mode == "r":
            return _core.READONLY
        if mode == "r+":
            return _core.READWRITE
        if mode == "w":
            return _core.CREATE
        exists = os.path.exists(self._filename)
        if mode == "a":
            return _core.READWRITE if exists else _core.CREATE
        if exists:
            raise _core.ExistsError("%s: mode %r: the file exists (use \"w\" to truncate it, "
                                    "\"a\" or \"r+\" to change it)" % (self._filename, mode))
        return _core.CREATE

    @property
    def id(self):
        """The FileID (the handle of the thin Cython layer; see h5par/_core.pxd)."""
        if self._id is None:
            raise _core.HandleError("h5par.File %r is not open" % (self._filename,))
        return self._id

    @property
    def filename(self):
        return self._filename

    @property
    def mode(self):
        """The mode the file was opened with, as given."""
        return self._mode

    @property
    def comm(self):
        """The mpi4py communicator of the file."""
        return self._comm

    @property
    def driver(self):
        return "mpio"

    @property
    def atomic(self):
        return False

    @property
    def _file(self):
        return self

    @property
    def parent(self):
        return self

    @property
    def closed(self):
        """Whether the file is closed."""
        return self._id is None or not self._id.valid

    def _token(self):
        """The C handle as an integer, for h5par's own extension modules (h5par._vector);
        raises HandleError when the file is closed."""
        return self.id._token()

    def report(self):
        """The I/O report so far, from this rank's point of view, as a dict (local)."""
        return json.loads(self.id.report_json())

    def close(self):
        """Collective: closes the file (and the datasets still open). A file created with "w"
        appears at its path now. Closing a closed file does nothing.

        Like every collective call, close is agreed first: when some rank is in another
        collective call, every rank raises (MismatchError, saying which rank is in which
        call) and the file stays open (``closed`` is False): close it again."""
        if self._id is None:
            return
        from .dataset import with_advice
        try:
            self._id.close()
        except _core.MismatchError as e:
            raise with_advice(e) from None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc is None:
            try:
                self.close()
            except _core.MismatchError as e:
                if self.closed:
                    raise
                # The other ranks are still inside their with block, in another collective
                # call on this file, which failed on them with this mismatch: they come to
                # the block's end with it and close there. Close with them, as a failure
                # (the file is not published, its temporary is removed), and raise.
                try:
                    self._id.close(failure=e)
                except _core.H5parError as again:
                    if hasattr(e, "add_note"):
                        e.add_note("h5par: closing %r: %s" % (self._filename, again))
                raise
            return False
        # An exception on this rank inside the with block: say so now (a collective close
        # may wait for the other ranks), then close with it as this rank's failure, so that
        # every rank raises and the file is not published.
        try:
            where = "rank %d of %d" % (self._comm.Get_rank(), self._comm.Get_size())
        except Exception:
            where = "this rank"
        sys.stderr.write("h5par: %s: %s: %s inside `with h5par.File(%r)`: closing it on every "
                         "rank without publishing it\n" % (where, exc_type.__name__, exc,
                                                            self._filename))
        sys.stderr.flush()
        if self._id is None:
            return False
        try:
            try:
                self._id.close(failure=exc)
            except _core.MismatchError:
                if self.closed:
                    raise
                # The other ranks were in another collective call on this file, which
                # failed on them with the mismatch: they come to their with block's end and
                # close there. Once more, with them.
                self._id.close(failure=exc)
        except _core.H5parError as e:
            if hasattr(exc, "add_note"):
                exc.add_note("h5par: closing %r: %s" % (self._filename, e))
        return False

    def __bool__(self):
        return not self.closed

    def __repr__(self):
        state = "closed" if self.closed else "mode %r" % self._mode
        return "<h5par.File %r (%s)>" % (self._filename, state)
