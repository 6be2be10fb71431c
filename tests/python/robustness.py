"""Adversarial scenarios of h5par's Python package, one per row of issue 8's table, run on every
rank under mpirun by tests/python/run_robustness.py (which sets the time limit and checks the
outcome of every rank and the files left behind):

    mpirun -n 2 python3 robustness.py SCENARIO DIR

Each rank writes its stdout and stderr to DIR/rankR.log (so that tracebacks of ranks that die
are kept) and, when its part went as expected, prints "rank R: ok" there. Scenarios that end
in an uncaught exception on purpose say so; the runner then checks the logs.
"""

import os
import random
import sys
import time

# Every rank's output goes to its own log, from the start (before any traceback).
_DIR = sys.argv[2]
_RANK = int(os.environ.get("OMPI_COMM_WORLD_RANK", os.environ.get("PMI_RANK", "0")))
_LOGS = os.environ.get("H5PAR_ROBUSTNESS_LOGS", _DIR)
_log = os.open(os.path.join(_LOGS, "rank%d.log" % _RANK), os.O_WRONLY | os.O_CREAT | os.O_APPEND)
os.dup2(_log, 1)
os.dup2(_log, 2)

import numpy as np  # noqa: E402
from mpi4py import MPI  # noqa: E402

import h5par  # noqa: E402

comm = MPI.COMM_WORLD
rank = comm.Get_rank()
size = comm.Get_size()


def say(*args):
    print("rank %d:" % rank, *args, flush=True)


def outcome(fn):
    """(exception or None, seconds)."""
    t = time.time()
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - every exception is an outcome here
        return e, time.time() - t
    return None, time.time() - t


def expect(cond, what):
    if not cond:
        say("FAILED:", what)
        sys.stdout.flush()
        comm.Abort(1)


def path(name):
    return os.path.join(_DIR, name)


def temporaries():
    return [n for n in os.listdir(_DIR) if ".h5par~" in n or ".h5par-" in n]



# --- row 1: a collective call made by rank 0 only, then close on every rank ----------------

def _one_rank(op):
    f = h5par.File(path("one-%s.h5" % op), "w")
    d = f.create_dataset("x", (4 * size,), "f8")
    d[4 * rank:4 * rank + 4] = np.full(4, rank, "f8")
    ops = {
        "write": lambda: d.__setitem__(slice(0, 4), np.ones(4)),
        "read": lambda: d[0:4],
        "create_dataset": lambda: f.create_dataset("y", (3,), "i4"),
        "attrs": lambda: f.attrs.__setitem__("k", 1),
        "create_group": lambda: f.create_group("g"),
    }
    mine = None
    if rank == 0:
        mine, secs = outcome(ops[op])
        expect(isinstance(mine, h5par.MismatchError), "%s on rank 0 only: %r" % (op, mine))
        expect(secs < 10, "%s took %.1f s" % (op, secs))
    closing, secs = outcome(f.close)
    if rank != 0:
        mine = closing
        expect(isinstance(closing, h5par.MismatchError), "close: %r" % (closing,))
    text = str(mine)
    expect("rank 0 is in h5par_" in text and "h5par_file_close" in text, text)
    expect("every rank must make the same collective calls" in text, text)
    if rank == 0:
        # Rank 0's close meets the others' second close.
        expect(closing is None and f.closed, "rank 0's close: %r" % (closing,))
    else:
        expect(not f.closed, "the file stays open after a close the ranks did not agree on")
        e, _ = outcome(f.close)
        expect(e is None and f.closed, "closing again: %r" % (e,))
    expect(os.path.exists(path("one-%s.h5" % op)) or size == 1, "the file was published")


def one_rank_calls():
    for op in ["write", "read", "create_dataset", "attrs", "create_group"]:
        if size == 1:
            continue
        _one_rank(op)
        comm.Barrier()
    # "x" in f is local: one rank may ask alone.
    with h5par.File(path("contains.h5"), "w") as f:
        f.create_dataset("x", (2,), "f8")
        if rank == 0:
            expect("x" in f and "nope" not in f and "/x" in f, "contains")
    say("ok")


def one_rank_with():
    """Inside `with h5par.File`: a collective call made by rank 0 only, the others go on to
    the block's end. Every rank raises MismatchError naming both calls, within seconds; the
    file is closed on every rank without being published, and no temporary is left."""
    ops = {
        "attrs": lambda f: f.attrs.__setitem__("k", 1),
        "create_group": lambda f: f.create_group("g"),
        "create_dataset": lambda f: f.create_dataset("y", (3,), "i4"),
        "write": lambda f: f["x"].__setitem__(slice(0, 4), np.ones(4)),
    }
    for op, call in ops.items():
        target = path("w1-%s.h5" % op)
        t = time.time()
        e = None
        try:
            with h5par.File(target, "w") as f:
                f.create_dataset("x", (4 * size,), "f8")
                if rank == 0:
                    call(f)
        except h5par.MismatchError as caught:
            e = caught
        secs = time.time() - t
        text = str(e)
        expect(isinstance(e, h5par.MismatchError), "%s on rank 0 only: %r" % (op, e))
        expect(secs < 10, "%s took %.1f s" % (op, secs))
        # Rank 0's call is named by the C border (h5par_group_create, ...) or, where the core
        # agrees it (f["x"] opens the dataset through h5par_object_open), by the core.
        named = "rank 0 is in h5par_" in text or "rank 0 is in open dataset" in text
        expect(named and "h5par_file_close" in text, text)
        comm.Barrier()
        expect(not os.path.exists(target), "%s: the failed file was published" % op)
        expect(not temporaries(), "%s: temporaries left: %s" % (op, temporaries()))
        comm.Barrier()
    say("ok")


# --- row 2: rank 0 writes twice, the others once, then every rank closes ------------------

def write_twice():
    f = h5par.File(path("twice.h5"), "w")
    d = f.create_dataset("x", (4 * size,), "f8")
    mine = d[0:0]
    d[4 * rank:4 * rank + 4] = np.full(4, rank + 1, "f8")
    if rank == 0:
        mine, _ = outcome(lambda: d.__setitem__(slice(0, 4), np.full(4, 9.0)))
    closing, _ = outcome(f.close)
    if rank != 0:
        mine = closing
        e, _ = outcome(f.close)
        expect(e is None, "close again: %r" % (e,))
    else:
        expect(closing is None, "rank 0's close meets the others' second: %r" % (closing,))
    text = str(mine)
    expect(isinstance(mine, h5par.MismatchError), repr(mine))
    expect("rank 0 is in h5par_dataset_write" in text and "in h5par_file_close" in text, text)
    with h5par.File(path("twice.h5"), "r") as g:
        back = g["x"][...]
    expect((back == np.repeat(np.arange(1, size + 1), 4)).all(), "data of the first write: %s" % back)
    say("ok")


# --- row 3: an exception on one rank inside a with block -----------------------------------

def with_exception():
    """Rank 0 raises inside the block, the others reach its end. Not caught: every rank
    must end with an exception, none may hang."""
    with h5par.File(path("with.h5"), "w") as f:
        d = f.create_dataset("x", (4 * size,), "f8")
        d[4 * rank:4 * rank + 4] = np.ones(4)
        if rank == 0:
            raise ValueError("boom on rank 0")


def with_exception_in_write():
    """Rank 0 raises inside the block, the others go on to a collective write."""
    with h5par.File(path("with.h5"), "w") as f:
        d = f.create_dataset("x", (4 * size,), "f8")
        if rank == 0:
            raise ValueError("boom on rank 0")
        d[4 * rank:4 * rank + 4] = np.ones(4)


# --- the same collective call with different arguments on each rank -----------------------

def _mismatch_cases():
    """(name, setup(f), call(f)) where every rank makes the same call with its own argument."""
    def resizable(f):
        f.create_dataset("x", (4,), "f8", maxshape=(None,), chunks=(4,))
    return [
        ("resize", resizable, lambda f: f["x"].resize((10 + 2 * rank,)),
         ["new extent [10]", "new extent [12]"]),
        ("create_dataset", lambda f: None,
         lambda f: f.create_dataset("y", (3,), "f8" if rank == 0 else "i4"), ["dtype"]),
        ("attrs", lambda f: None, lambda f: f.attrs.__setitem__("k", rank), ["value"]),
    ]


def arg_mismatch_with():
    """Inside `with h5par.File`: the ranks make the same call with different arguments. Every
    rank raises MismatchError naming the arguments, the with block closes the file on every
    rank (not published) and its temporary is removed; outside a with block the file stays
    usable and closes normally."""
    for name, setup, call, words in _mismatch_cases():
        target = path("mm-%s.h5" % name)
        e, secs = None, 0.0
        try:
            with h5par.File(target, "w") as f:
                setup(f)
                e, secs = outcome(lambda: call(f))
                if e is not None:
                    raise e
        except h5par.MismatchError as caught:
            e = caught
        text = str(e)
        expect(isinstance(e, h5par.MismatchError), "%s: %r" % (name, e))
        expect(secs < 10, "%s took %.1f s" % (name, secs))
        expect("same collective call" in text and "different arguments" in text, text)
        expect("rank 0 is in" not in text, "%s: reported as different calls: %s" % (name, text))
        for w in words:
            expect(w in text, "%s: %r not in %s" % (name, w, text))
        say(name, text)
        comm.Barrier()
        expect(not os.path.exists(target), "%s: the failed file was published" % name)
        expect(not temporaries(), "%s: temporaries left: %s" % (name, temporaries()))
        comm.Barrier()
        # Without a with block: the error leaves the ranks in step.
        f = h5par.File(target, "w")
        setup(f)
        e, _ = outcome(lambda: call(f))
        expect(isinstance(e, h5par.MismatchError), "%s again: %r" % (name, e))
        d = f.create_dataset("z", (4 * size,), "f8")
        d[4 * rank:4 * rank + 4] = np.full(4, rank + 1, "f8")
        f.close()
        with h5par.File(target, "r") as g:
            back = g["z"][...]
        expect((back == np.repeat(np.arange(1, size + 1), 4)).all(), "%s: %s" % (name, back))
        comm.Barrier()
        expect(not temporaries(), "%s: temporaries left: %s" % (name, temporaries()))
    say("ok")


# --- row 4: Python rejects one rank's arguments ---------------------------------------------

def bad_local_args():
    f = h5par.File(path("bad.h5"), "w")
    d = f.create_dataset("x", (4 * size,), "f8")
    cases = [
        ("ragged list", ValueError, "ValueError",
         lambda: d.__setitem__(slice(0, 2), [[1.0, 2.0], [3.0]] if rank == 0 else [[1.0, 2.0]])),
        ("surrogate attribute name", UnicodeError, "UnicodeEncodeError",
         lambda: f.attrs.__setitem__("a\udcff" if rank == 0 else "a", 1)),
        ("surrogate attribute value", UnicodeError, "UnicodeEncodeError",
         lambda: f.attrs.__setitem__("s", "v\udcff" if rank == 0 else "v")),
        ("string into a dataset", TypeError, "cannot be stored",
         lambda: d.__setitem__(slice(0, 2), "ab" if rank == 0 else np.ones(2))),
        ("complex into a real dataset", TypeError, "complex",
         lambda: d.__setitem__(slice(0, 2), np.ones(2, complex) if rank == 0 else np.ones(2))),
        ("bad index", Exception, "index",
         lambda: d.__getitem__(object() if rank == 0 else slice(0, 1))),
        ("bad group name", Exception, "name",
         lambda: f.create_group(3.5 if rank == 0 else "g")),
    ]
    for what, cls, word, fn in cases:
        e, secs = outcome(fn)
        expect(secs < 10, "%s: %.1f s" % (what, secs))
        if rank == 0:
            expect(isinstance(e, cls), "%s: rank 0 raised %r" % (what, e))
        else:
            expect(isinstance(e, h5par.RemoteError), "%s: rank %d raised %r" % (what, rank, e))
            expect(word.lower() in str(e).lower(), "%s: %s" % (what, e))
        # Still in step: a collective write works.
        d[4 * rank:4 * rank + 4] = np.full(4, rank, "f8")
    f.close()
    say("ok")


# --- row 5: a full disk ----------------------------------------------------------------------

def disk_full():
    mount = _DIR
    n = (32 << 20) // 8
    f = h5par.File(path("full.h5"), "w")
    d = f.create_dataset("x", (n,), "f8")
    lo, hi = rank * n // size, (rank + 1) * n // size
    e, secs = outcome(lambda: d.__setitem__(slice(lo, hi), np.ones(hi - lo)))
    expect(e is not None, "a 32 MiB write into 8 MiB succeeded")
    text = str(e)
    expect("no space left on device" in text, text)
    expect("tmpfs" in text and mount in text, text)
    expect(secs < 30, "the failed write took %.1f s" % secs)
    say("write error:", text)
    e, secs = outcome(f.close)
    expect(e is not None, "close after a failed write succeeded")
    expect(secs < 30, "close took %.1f s" % secs)
    expect(f.closed, "the file is closed")
    say("close error:", e)
    comm.Barrier()
    expect(not os.path.exists(path("full.h5")), "nothing at the path")
    expect(not temporaries(), "temporaries left: %s" % temporaries())
    say("ok")


# --- row 6: a script that ends without close --------------------------------------------------

def no_close():
    f = h5par.File(path("noclose.h5"), "w")
    d = f.create_dataset("x", (4 * size,), "f8")
    d[4 * rank:4 * rank + 4] = np.full(4, rank + 1, "f8")
    g = h5par.File(path("dropped.h5"), "w")
    g.create_dataset("y", (2,), "i4")
    del g  # dropped while open: closed at exit too
    say("ok")


def no_close_diverged():
    """Rank 0 ends without close while the others are in a collective write."""
    f = h5par.File(path("noclose.h5"), "w")
    d = f.create_dataset("x", (4 * size,), "f8")
    if rank != 0:
        time.sleep(1)
        d[4 * rank:4 * rank + 4] = np.full(4, rank + 1, "f8")


# --- row 7: a report that cannot be written ---------------------------------------------------

def report_missing_dir():
    with h5par.File(path("rep.h5"), "w", report=path("no/such/dir/r.json")) as f:
        f.create_dataset("x", (4 * size,), "f8")[4 * rank:4 * rank + 4] = np.ones(4)
    comm.Barrier()
    expect(os.path.exists(path("rep.h5")), "the data file is kept")
    say("ok")


# --- row 8: a symlinked output path -----------------------------------------------------------

def symlink():
    if rank == 0:
        os.makedirs(path("real"), exist_ok=True)
        os.symlink(os.path.join("real", "data.h5"), path("link.h5"))
    comm.Barrier()
    with h5par.File(path("link.h5"), "w") as f:
        f.create_dataset("old", (1,), "f8")
    with h5par.File(path("link.h5"), "w") as f:
        f.create_dataset("new", (size,), "f8")[rank:rank + 1] = np.ones(1)
    comm.Barrier()
    expect(os.path.islink(path("link.h5")), "the link stays a link")
    with h5par.File(path("real/data.h5"), "r") as f:
        expect("new" in f and "old" not in f, "the target holds the new data")
    expect(not temporaries() and not [n for n in os.listdir(path("real")) if "h5par" in n],
           "temporaries left")
    say("ok")


# --- rows 9 and 10: sizes that overflow, creates that fail ------------------------------------

def bad_creates():
    with h5par.File(path("creates.h5"), "w") as f:
        e, _ = outcome(lambda: f.create_dataset("big", (2 ** 60 + 1, 16), "f8"))
        expect(isinstance(e, h5par.InvalidError) and "overflow" in str(e), repr(e))
        expect("big" not in f, "nothing left behind")
        for name, data in [("s", np.array(["a", "b"])), ("o", np.array([object()])),
                           ("h", np.ones(2, "f2")), ("v", np.zeros(2, "V4"))]:
            e, _ = outcome(lambda: f.create_dataset(name, data=data))
            expect(isinstance(e, h5par.DtypeError), "%s: %r" % (name, e))
            expect(name not in f, "%s: nothing left behind" % name)
        d = f.create_dataset("s", data=np.arange(3))
        expect(d.shape == (3,), "a retry works")
        z = f.create_dataset("z", data=np.zeros(0))
        expect(z.shape == (0,), "zero-size data")
        z2 = f.create_dataset("z2", data=np.zeros((0, 4), "f4"))
        expect(z2.shape == (0, 4), "zero-size 2-D data")
        d = f.create_dataset("r", (3,), "f8")
        e, _ = outcome(lambda: d.__setitem__(slice(0, 3), np.ones(3, complex)))
        expect(isinstance(e, h5par.DtypeError) and "complex" in str(e), repr(e))
    with h5par.File(path("creates.h5"), "r") as f:
        expect((f["s"][...] == np.arange(3)).all(), "data")
    say("ok")


# --- the randomized test: skip, repeat or reorder one collective call -------------------------

def _program(f, d, step):
    """The i-th collective call of the short script."""
    kind = step % 5
    if kind == 0:
        d[4 * rank:4 * rank + 4] = np.full(4, step, "f8")
    elif kind == 1:
        d[4 * rank:4 * rank + 4]
    elif kind == 2:
        f.attrs["step"] = step
    elif kind == 3:
        f.create_group("g%d" % step)
    else:
        f.create_dataset("d%d" % step, (2,), "i4")


def randomized():
    runs = int(os.environ.get("H5PAR_RANDOM_RUNS", "200"))
    seed0 = int(os.environ.get("H5PAR_RANDOM_SEED", "8"))
    calls = 5
    counts = {"matched": 0, "errors": 0}
    for run in range(runs):
        rng = random.Random(seed0 * 100003 + run)
        base = list(range(calls))
        who = rng.randrange(size)
        how = rng.choice(["skip", "repeat", "reorder", "none"])
        at = rng.randrange(calls)
        mine = list(base)
        if rank == who:
            if how == "skip":
                del mine[at]
            elif how == "repeat":
                mine.insert(at, mine[at])
            elif how == "reorder" and at + 1 < calls:
                mine[at], mine[at + 1] = mine[at + 1], mine[at]
        programs = comm.allgather(mine)
        matched = all(p == programs[0] for p in programs)
        f = h5par.File(path("r%d.h5" % (run % 4)), "w")
        d = f.create_dataset("x", (4 * size,), "f8")
        err = None
        t = time.time()
        for step in mine:
            try:
                _program(f, d, step)
            except h5par.H5parError as e:
                err = e
                break
        for _ in range(3):
            if f.closed:
                break
            try:
                f.close()
            except h5par.H5parError as e:
                err = err or e
        secs = time.time() - t
        expect(f.closed, "run %d: the file is closed" % run)
        outcomes = comm.allgather(None if err is None else str(err))
        if matched:
            expect(all(o is None for o in outcomes), "run %d (%s by rank %d at %d): %s"
                   % (run, how, who, at, outcomes))
            counts["matched"] += 1
        else:
            expect(all(o is not None for o in outcomes), "run %d (%s by rank %d at %d): an "
                   "error on every rank: %s" % (run, how, who, at, outcomes))
            expect(" is in h5par_" in str(err), "run %d: the error names the calls: %s"
                   % (run, err))
            counts["errors"] += 1
        expect(secs < 10, "run %d took %.1f s" % (run, secs))
    say("ok", counts)


# --- every rank raises with an h5par file and an h5py-mpio file both open ---------------------

def both_raise_h5py_open():
    """An h5par file and an h5py file open (no with blocks), data written to both, then every
    rank raises, uncaught: no rank may hang at exit (the issue-9 report: rank 0 waited in
    h5par's close at exit). Both files are closed at exit, as h5py closes its own."""
    import h5py
    f = h5par.File(path("a.h5"), "w")
    g = h5py.File(path("b.h5"), "w", driver="mpio", comm=comm)
    x = f.create_dataset("x", (4 * size,), "f8")
    y = g.create_dataset("y", (4 * size,), "f8")
    x[4 * rank:4 * rank + 4] = np.ones(4)
    with y.collective:
        y[4 * rank:4 * rank + 4] = np.ones(4)
    raise RuntimeError("boom on rank %d" % rank)


def both_raise_h5py_with():
    """The same inside `with h5par.File` around `with h5py.File`: every rank raises, the h5par
    file is closed unpublished on every rank, nothing hangs."""
    import h5py
    with h5par.File(path("a.h5"), "w") as f:
        with h5py.File(path("b.h5"), "w", driver="mpio", comm=comm) as g:
            f.create_dataset("x", (4 * size,), "f8")[4 * rank:4 * rank + 4] = np.ones(4)
            g.create_dataset("y", (4 * size,), "f8")
            raise RuntimeError("boom on rank %d" % rank)


SCENARIOS = {f.__name__: f for f in [
    one_rank_calls, one_rank_with, write_twice, arg_mismatch_with, with_exception, with_exception_in_write, bad_local_args,
    disk_full, no_close, no_close_diverged, report_missing_dir, symlink, bad_creates,
    randomized, both_raise_h5py_open, both_raise_h5py_with]}

if __name__ == "__main__":
    SCENARIOS[sys.argv[1]]()
