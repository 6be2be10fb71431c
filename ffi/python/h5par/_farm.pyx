# cython: language_level=3, embedsignature=True
"""The task farm's Cython layer over ``h5par_farm_run`` (see ``h5par.farm`` for the API).

Task callbacks run on the calling thread of each rank with the GIL taken for the call; the GIL is
released while the farm waits in MPI. A Python exception inside a task is its failure, with the
traceback text as its message; an exception in the result callback stops the farm with an error
on every rank.
"""

import traceback as _traceback

from libc.stdint cimport uint64_t
from mpi4py cimport MPI
from mpi4py.libmpi cimport MPI_Comm

from h5par.libh5par cimport (h5par_farm_task, h5par_farm_options, h5par_farm_summary,
                             h5par_farm_options_init, h5par_farm_run, h5par_farm_task_result,
                             h5par_farm_task_message, h5par_farm_summary_text)
from h5par._core import error_from_status as _error_from_status, last_error as _last_error


cdef class _Calls:
    cdef object call
    cdef object deliver
    cdef public object error

    def __init__(self, call, deliver):
        self.call = call
        self.deliver = deliver
        self.error = None


cdef int _task_cb(uint64_t i, void *user, h5par_farm_task *ctx) noexcept with gil:
    cdef _Calls c = <_Calls>user
    cdef bytes out
    cdef const char *p
    try:
        out = c.call(i)
    except BaseException:
        msg = _traceback.format_exc().replace("\0", " ").encode("utf-8", "replace")
        h5par_farm_task_message(ctx, msg)
        return 1
    p = out
    return h5par_farm_task_result(ctx, p, len(out))


cdef int _result_cb(uint64_t i, int ok, const void *data, size_t n, int replayed,
                    void *user) noexcept with gil:
    cdef _Calls c = <_Calls>user
    try:
        c.deliver(i, ok != 0, (<const char *>data)[:n], replayed != 0)
    except BaseException:
        c.error = _traceback.format_exc()
        return 1
    return 0


_PROGRESS = {"auto": 0, "bar": 1, "lines": 2, "off": 3, None: 3, False: 3, True: 0}
_CONTROLLER = {"prefetch": 0, "dedicated": 1}


def run(MPI.Comm comm, uint64_t ntasks, call, deliver, journal=None, identity=b"",
        unsigned int retries=0, records=None, progress="auto", unsigned int depth=2,
        uint64_t batch=0, controller="prefetch"):
    """Collective: ``call(i) -> bytes`` for every task ``i`` in ``range(ntasks)`` across the
    ranks of ``comm``; ``deliver(i, ok, data, replayed)`` on rank 0 for each finished task
    (``data``: the result bytes, or the failure message). Returns the summary as a dict (the
    same on every rank) with its text under ``"text"``."""
    cdef h5par_farm_options o
    cdef h5par_farm_summary s
    cdef int st
    cdef _Calls c = _Calls(call, deliver)
    if progress not in _PROGRESS:
        raise ValueError("progress must be 'auto', 'bar', 'lines' or 'off', not %r" % (progress,))
    if controller not in _CONTROLLER:
        raise ValueError("controller must be 'prefetch' or 'dedicated', not %r" % (controller,))
    h5par_farm_options_init(&o)
    cdef bytes jb = None if journal is None else str(journal).encode()
    cdef bytes rb = None if records is None else str(records).encode()
    cdef bytes ib = bytes(identity)
    if jb is not None:
        o.journal = jb
    if rb is not None:
        o.records = rb
    o.identity = <const char *>ib
    o.identity_len = len(ib)
    o.retries = retries
    o.progress = _PROGRESS[progress]
    o.depth = depth
    o.batch = batch
    o.controller = _CONTROLLER[controller]
    with nogil:
        st = h5par_farm_run(comm.ob_mpi, ntasks, _task_cb, <void *>c, &o, _result_cb,
                            <void *>c, &s)
    if st != 0:
        msg = _last_error()
        if c.error is not None:
            msg = msg + "\n" + c.error
        raise _error_from_status(st, msg)
    return dict(tasks=s.tasks, done=s.done, failed=s.failed, skipped=s.skipped,
                retried=s.retried, ranks=s.ranks, working_ranks=s.working_ranks,
                wall_seconds=s.wall_seconds, busy_seconds=s.busy_seconds,
                tasks_per_second=s.tasks_per_second, efficiency=s.efficiency,
                text=h5par_farm_summary_text().decode("utf-8", "replace"))
