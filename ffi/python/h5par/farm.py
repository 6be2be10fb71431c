"""The task farm from Python: the same serial function on 1 rank, a laptop or hundreds of ranks.

    from mpi4py import MPI
    import h5par.farm

    def work(path):                      # serial; knows nothing of MPI
        return len(open(path).read())

    paths = open("files.txt").read().split()          # every rank reads the same list
    sizes = h5par.farm.map(work, paths, comm=MPI.COMM_WORLD, retries=2,
                           journal="sizes.journal")   # rank 0: the results, in order
    # other ranks: None

Every rank calls ``map`` with the same items (collective). Rank 0 controls and also works;
tasks are sent in batches sized from their measured durations, so no chunk size is needed.
An exception inside ``func`` is that task's failure (with its traceback), retried up to
``retries`` times on another rank; tasks that fail for good raise ``FarmError`` on every rank
at the end (or, with ``return_exceptions=True``, stand as ``TaskFailed`` in the results). With
``journal``, finished tasks are journaled (synced within a second) and a rerun skips them,
with their results taken from the journal; a journal of other items is refused.

``FarmExecutor`` is a ``concurrent.futures.Executor`` for users of mpi4py.futures'
``MPICommExecutor``: inside ``with FarmExecutor(comm) as ex:`` rank 0 gets the executor and the
other ranks serve (they get ``None`` once rank 0 leaves the block). Submitted calls run in
rounds over every rank: a round starts when a result is asked for (``Future.result()``,
``exception()``, ``ex.map``, this module's ``as_completed``/``wait``) or at the end of the
block.
"""

import concurrent.futures as _cf
import hashlib as _hashlib
import pickle as _pickle

from mpi4py import MPI as _MPI

from . import _farm

__all__ = ["map", "run", "FarmExecutor", "FarmError", "TaskFailed", "as_completed", "wait"]


class TaskFailed(Exception):
    """A task that failed after all its attempts; ``str()`` is its last message (the
    traceback of the exception raised inside the function)."""

    def __init__(self, task, message):
        super().__init__(message)
        self.task = task
        self.message = message


class FarmError(Exception):
    """Some tasks failed after their retries (raised on every rank); ``summary`` is the farm's
    summary (``summary["text"]`` names every failed task), ``failures`` maps (on rank 0) task
    index to message."""

    def __init__(self, summary, failures):
        super().__init__(summary.get("text", ""))
        self.summary = summary
        self.failures = failures


def _identity(items):
    try:
        data = _pickle.dumps(items, protocol=4)
    except Exception:
        data = repr(items).encode()
    return _hashlib.sha256(data).digest()


def run(func, ntasks, on_result=None, comm=None, **options):
    """Collective: ``func(i)`` for every ``i`` in ``range(ntasks)``; ``on_result(i, ok, value,
    replayed)`` on rank 0 as tasks finish (``value``: the return value, or the failure message).
    Rank 0's memory does not grow with finished tasks. Returns the summary dict. Options as for
    ``map`` (``journal``, ``identity`` (bytes), ``retries``, ``records``, ``progress``, ``depth``,
    ``batch``, ``controller``)."""
    comm = _MPI.COMM_WORLD if comm is None else comm

    def call(i):
        return _pickle.dumps(func(i), protocol=_pickle.HIGHEST_PROTOCOL)

    def deliver(i, ok, data, replayed):
        if on_result is not None:
            on_result(i, ok, _pickle.loads(data) if ok else data.decode("utf-8", "replace"),
                      replayed)

    return _farm.run(comm, ntasks, call, deliver, **options)


def map(func, items, comm=None, journal=None, retries=0, records=None, progress="auto",
        return_exceptions=False, identity=None, **options):
    """Collective: ``[func(x) for x in items]`` across the ranks of ``comm`` (default
    ``MPI.COMM_WORLD``); every rank passes the same items. Returns the results in order on
    rank 0 and ``None`` elsewhere. ``journal``: a path to journal to and resume from;
    ``identity``: bytes identifying the task list (default: a hash of the pickled items);
    ``retries``: retries of a failed task; ``records``: a CSV of every attempt; ``progress``:
    'auto' (a bar on a terminal, lines otherwise), 'bar', 'lines' or 'off'. Failed tasks raise
    ``FarmError`` on every rank, unless ``return_exceptions`` (then they are ``TaskFailed``)."""
    comm = _MPI.COMM_WORLD if comm is None else comm
    items = list(items)
    n = len(items)
    root = comm.Get_rank() == 0
    results = [None] * n if root else None
    failures = {}

    def deliver(i, ok, value, replayed):
        if ok:
            results[i] = value
        else:
            failures[i] = value
            results[i] = TaskFailed(i, value)

    if identity is None:
        identity = _identity(items) if journal is not None else b""
    summary = run(lambda i: func(items[i]), n, deliver, comm=comm, journal=journal,
                  identity=identity, retries=retries, records=records, progress=progress,
                  **options)
    if summary["failed"] and not return_exceptions:
        raise FarmError(summary, failures)
    return results


def _check_root(comm, root):
    if root != 0:
        raise ValueError("FarmExecutor: the controller is rank 0 (root=%r)" % (root,))


class _Future(_cf.Future):
    def __init__(self, executor):
        super().__init__()
        self._executor = executor

    def result(self, timeout=None):
        if not self.done():
            self._executor.flush()
        return super().result(timeout)

    def exception(self, timeout=None):
        if not self.done():
            self._executor.flush()
        return super().exception(timeout)


class FarmExecutor(_cf.Executor):
    """A ``concurrent.futures`` executor over the task farm (``MPICommExecutor``-style).

        with FarmExecutor(MPI.COMM_WORLD) as ex:
            if ex is not None:                       # rank 0
                futures = [ex.submit(f, x) for x in xs]
                print([fut.result() for fut in futures])

    Every rank enters the block; the other ranks serve inside ``__enter__`` until rank 0
    leaves it. Options (``retries``, ``records``, ``progress``, ...) are those of ``map``.
    Functions and arguments are pickled to the other ranks (define functions in a module)."""

    def __init__(self, comm=None, root=0, **options):
        _check_root(comm, root)
        base = _MPI.COMM_WORLD if comm is None else comm
        self._comm = base.Dup()
        self._options = dict(options)
        self._options.setdefault("progress", "off")
        self._pending = []
        self._shutdown = False
        self.rounds = 0

    def __enter__(self):
        if self._comm.Get_rank() == 0:
            return self
        try:
            while True:
                calls = self._comm.bcast(None, root=0)
                if calls is None:
                    break
                self._round(calls, None)
        finally:
            self._comm.Free()
        return None

    def __exit__(self, *exc):
        if self._comm != _MPI.COMM_NULL and self._comm.Get_rank() == 0:
            self.shutdown(wait=True)
        return False

    def submit(self, fn, /, *args, **kwargs):
        if self._shutdown:
            raise RuntimeError("cannot submit after shutdown")
        f = _Future(self)
        self._pending.append((fn, args, kwargs, f))
        return f

    def map(self, fn, *iterables, timeout=None, chunksize=1):
        futures = [self.submit(fn, *args) for args in zip(*iterables)]
        self.flush()

        def gen():
            for f in futures:
                yield f.result()
        return gen()

    def flush(self):
        """Runs every submitted call now (collective with the serving ranks)."""
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        calls = [(fn, args, kwargs) for fn, args, kwargs, _ in pending]
        self._comm.bcast(calls, root=0)
        futures = [f for _, _, _, f in pending]
        for f in futures:
            f.set_running_or_notify_cancel()
        self._round(calls, futures)

    def _round(self, calls, futures):
        self.rounds += 1

        def call(i):
            fn, args, kwargs = calls[i]
            return fn(*args, **kwargs)

        def deliver(i, ok, value, replayed):
            if futures is None:
                return
            if ok:
                futures[i].set_result(value)
            else:
                futures[i].set_exception(TaskFailed(i, value))

        run(call, len(calls), deliver, comm=self._comm, **self._options)

    def shutdown(self, wait=True, *, cancel_futures=False):
        if self._shutdown:
            return
        if cancel_futures:
            for _, _, _, f in self._pending:
                f.cancel()
            self._pending = []
        self.flush()
        self._shutdown = True
        self._comm.bcast(None, root=0)
        self._comm.Free()


def _flush_all(fs):
    for f in fs:
        ex = getattr(f, "_executor", None)
        if ex is not None:
            ex.flush()


def as_completed(fs, timeout=None):
    """``concurrent.futures.as_completed`` that first runs the pending calls of the futures'
    executors."""
    fs = list(fs)
    _flush_all(fs)
    return _cf.as_completed(fs, timeout)


def wait(fs, timeout=None, return_when=_cf.ALL_COMPLETED):
    """``concurrent.futures.wait`` that first runs the pending calls of the futures' executors."""
    fs = list(fs)
    _flush_all(fs)
    return _cf.wait(fs, timeout, return_when)
