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
import traceback as _traceback

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


# Batching of ``map``: a farm task is a chunk of consecutive items whose results are pickled
# together (one C callback and one pickle per chunk, not per item). The chunk size comes from
# measured durations, round by round: a first round runs one item per task (_PROBE items per
# rank); each next round uses chunks of about _CHUNK_SECONDS of work, as measured by the round
# before (the farm's busy time per item, the same on every rank), and covers every remaining
# item once the size has settled. Items of a second or more run one per task, as without
# batching. An item that raises inside a chunk is retried alone, one item per task, in a last
# round (with the remaining retries).
_CHUNK_SECONDS = 0.002
_PROBE = 8


def _chunk_size(busy, count, size, remaining):
    per_item = busy / max(count, 1)
    c = int(_CHUNK_SECONDS / per_item) if per_item > 0 else 1 << 20
    # At least 4 chunks per rank in what is left, so that the ranks finish together.
    return max(1, min(c, -(-remaining // (4 * size))))


def _last_line(message):
    lines = message.splitlines()
    return lines[-1] if lines else ""


def _map_batched(func, items, comm, retries, progress, options):
    n = len(items)
    size = comm.Get_size()
    root = comm.Get_rank() == 0
    results = [None] * n if root else None
    failures = {}          # rank 0: item -> message, failed for good
    again = []             # rank 0: items that raised inside a chunk, to retry alone
    total = dict(tasks=n, done=0, failed=0, skipped=0, retried=0, ranks=size, working_ranks=0,
                 wall_seconds=0.0, busy_seconds=0.0, rounds=0, chunks=0)

    def one(lo):
        def call(k):
            return _pickle.dumps(func(items[lo + k]), protocol=_pickle.HIGHEST_PROTOCOL)

        def deliver(k, ok, data, replayed):
            if ok:
                results[lo + k] = _pickle.loads(data)
            else:
                failures[lo + k] = data.decode("utf-8", "replace")
        return call, deliver

    def chunked(lo, hi, c):
        def call(k):
            a = lo + k * c
            b = min(a + c, hi)
            values, fails = [], {}
            for j in range(a, b):
                try:
                    values.append(func(items[j]))
                except BaseException:
                    fails[j] = _traceback.format_exc()
                    values.append(None)
            try:
                return _pickle.dumps((a, values, fails), protocol=_pickle.HIGHEST_PROTOCOL)
            except BaseException:
                # Some value does not pickle: that item is a failure, the others are kept.
                for j in range(a, b):
                    try:
                        _pickle.dumps(values[j - a], protocol=_pickle.HIGHEST_PROTOCOL)
                    except BaseException:
                        fails[j] = _traceback.format_exc()
                        values[j - a] = None
                return _pickle.dumps((a, values, fails), protocol=_pickle.HIGHEST_PROTOCOL)

        def deliver(k, ok, data, replayed):
            if not ok:  # the chunk itself failed (it catches its items' exceptions)
                for j in range(lo + k * c, min(lo + (k + 1) * c, hi)):
                    again.append(j)
                    failures[j] = data.decode("utf-8", "replace")
                return
            a, values, fails = _pickle.loads(data)
            results[a:a + len(values)] = values
            for j, message in fails.items():
                again.append(j)
                failures[j] = message
        return call, deliver

    def farm_round(call, deliver, ntasks, count, r, prog):
        s = _farm.run(comm, ntasks, call, deliver, retries=r, progress=prog, **options)
        for key in ("retried", "wall_seconds", "busy_seconds"):
            total[key] += s[key]
        total["working_ranks"] = max(total["working_ranks"], s["working_ranks"])
        total["rounds"] += 1
        total["chunks"] += ntasks
        return s

    pos, c, settled, chunked_rounds = 0, 1, False, False
    while pos < n:
        remaining = n - pos
        if total["rounds"] == 0:
            c, count = 1, min(remaining, _PROBE * size)
        else:
            count = remaining if settled else min(remaining, 4 * size * c)
        prog = progress if (settled or count == remaining) else "off"
        if c == 1:
            call, deliver = one(pos)
            s = farm_round(call, deliver, count, count, retries, prog)
        else:
            chunked_rounds = True
            call, deliver = chunked(pos, pos + count, c)
            s = farm_round(call, deliver, -(-count // c), count, 0, prog)
        pos += count
        if pos < n:
            new = _chunk_size(s["busy_seconds"], count, size, n - pos)
            settled = new <= 4 * c
            c = new
    if chunked_rounds:
        again = comm.bcast(sorted(again) if root else None, root=0)
        total["retried"] += len(again)
        if again and retries > 0:
            if root:
                for j in again:
                    failures.pop(j, None)
            todo = again

            def call(k):
                return _pickle.dumps(func(items[todo[k]]), protocol=_pickle.HIGHEST_PROTOCOL)

            def deliver(k, ok, data, replayed):
                if ok:
                    results[todo[k]] = _pickle.loads(data)
                else:
                    failures[todo[k]] = data.decode("utf-8", "replace")
            farm_round(call, deliver, len(todo), len(todo), retries - 1, progress)
    lines = comm.bcast({j: _last_line(m) for j, m in failures.items()} if root else None, root=0)
    total["failed"] = len(lines)
    total["done"] = n - len(lines)
    wall = total["wall_seconds"]
    total["tasks_per_second"] = n / wall if wall > 0 else 0.0
    total["efficiency"] = total["busy_seconds"] / (size * wall) if wall > 0 else 0.0
    text = ["h5par farm (map): %d items in %d chunks over %d rounds: %d done, %d failed, %d "
            "retried attempts" % (n, total["chunks"], total["rounds"], total["done"],
                                  total["failed"], total["retried"]),
            "  %.3f s wall on %d ranks: %.0f items/s, efficiency %.3f (busy %.3f s)"
            % (wall, size, total["tasks_per_second"], total["efficiency"],
               total["busy_seconds"])]
    for j in sorted(lines):
        text.append("  failed: task %d after %d attempt(s): %s" % (j, retries + 1, lines[j]))
    total["text"] = "\n".join(text) + "\n"
    if root:
        for j, message in failures.items():
            results[j] = TaskFailed(j, message)
    return results, total, failures


def map(func, items, comm=None, journal=None, retries=0, records=None, progress="auto",
        return_exceptions=False, identity=None, **options):
    """Collective: ``[func(x) for x in items]`` across the ranks of ``comm`` (default
    ``MPI.COMM_WORLD``); every rank passes the same items. Returns the results in order on
    rank 0 and ``None`` elsewhere. ``journal``: a path to journal to and resume from;
    ``identity``: bytes identifying the task list (default: a hash of the pickled items);
    ``retries``: retries of a failed task; ``records``: a CSV of every attempt; ``progress``:
    'auto' (a bar on a terminal, lines otherwise), 'bar', 'lines' or 'off'. Failed tasks raise
    ``FarmError`` on every rank, unless ``return_exceptions`` (then they are ``TaskFailed``).

    Short items are batched: a farm task is then a chunk of consecutive items (about 2 ms of
    work, sized from measured durations, no chunk size to choose) whose results are pickled
    together; an item that raises is retried alone. The progress bar then counts chunks, and
    the summary is ``map``'s own (items, chunks, rounds). With ``journal``, ``records`` or
    ``batch`` given, every item is one farm task (journal and records name items)."""
    comm = _MPI.COMM_WORLD if comm is None else comm
    items = list(items)
    n = len(items)
    root = comm.Get_rank() == 0
    if journal is None and records is None and not options.get("batch"):
        results, summary, failures = _map_batched(func, items, comm, retries, progress, options)
        if summary["failed"] and not return_exceptions:
            raise FarmError(summary, failures)
        return results
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
