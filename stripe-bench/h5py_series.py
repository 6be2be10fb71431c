#!/usr/bin/python3
"""The h5py series of stripe-bench: h5py with driver="mpio", timed like the Rust series.

stripe-bench's rank 0 runs it as a child MPI job (it carries a copy of this file and writes it to
its --out directory):

    mpirun.openmpi -n P /usr/bin/python3 h5py_series.py --path FILE --elements N \
        --actions write:coll:SEED,read:coll:SEED [--prepare SEED] [--hint KEY=VALUE]... [--drop-cache]
        [--corrupt-after-write] [--warmup] [--buffer-align malloc|page|page+16]

Each rank owns a contiguous block of the 1-D float64 dataset "x" (the last rank takes the
remainder). An action is timed between a barrier and the slowest rank's end (MPI.Wtime, max over
ranks): a write from create to close (no fsync), a read from open to close. Every read is checked
against the pattern afterwards. Rank 0 prints one JSON line per action:

    {"event": "result", "op": "write", "io": "coll", "seconds": 0.51, "bytes": 2147483648,
     "user_s": 0.02, "sys_s": 0.9, "buffer_offset": 16}

(user_s and sys_s: CPU seconds of the action summed over ranks, from getrusage; buffer_offset:
where rank 0's numpy buffer starts past a page) or {"event": "error", "message": "..."} and
every rank exits with status 1.

--warmup: before the actions, one untimed write (if an action writes) and one untimed read, as
stripe-bench does for its own series (this job is a new process each time). --buffer-align: the
numpy buffers as np.empty gives them (malloc, the default), page aligned, or 16 bytes past a page.

--corrupt-after-write is a testing aid (stripe-bench passes it when STRIPE_BENCH_CORRUPT_AFTER_WRITE
is set): after every write rank 0 overwrites 4 KiB in the middle of the file, as stripe-bench does
for its own series, so the next read's data check must fail.

Element i holds float(((i ^ seed) * 0x9E3779B97F4A7C15 mod 2**64) >> 11), as in pattern.rs.
`--print-pattern SEED FIRST COUNT` prints those values (a cross-check; needs only numpy).
"""

import argparse
import json
import os
import resource
import sys

import numpy as np

MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)
SHIFT = np.uint64(11)
# Elements per step of pattern generation and checking (bounds the temporaries to 128 MiB).
PIECE = 1 << 24
DATASET = "x"
# The testing aid --corrupt-after-write: as CORRUPT_BYTES and CORRUPT_FILL in series/mod.rs.
CORRUPT_BYTES = 4096
CORRUPT_FILL = 0xA5


def pattern(seed, first, count, out=None):
    """The pattern for global elements first .. first + count, into `out` if given."""
    if out is None:
        out = np.empty(count, dtype=np.float64)
    s = np.uint64(seed)
    for lo in range(0, count, PIECE):
        hi = min(count, lo + PIECE)
        a = np.arange(first + lo, first + hi, dtype=np.uint64)
        a ^= s
        a *= MULTIPLIER  # wraps modulo 2**64 for arrays
        a >>= SHIFT
        out[lo:hi] = a  # exact: below 2**53
    return out


def check(buf, seed, first):
    """None if `buf` holds the pattern bit for bit, else a description of the first mismatch."""
    bad_total = 0
    first_bad = None
    for lo in range(0, len(buf), PIECE):
        hi = min(len(buf), lo + PIECE)
        want = pattern(seed, first + lo, hi - lo)
        bad = np.flatnonzero(buf[lo:hi].view(np.uint64) != want.view(np.uint64))
        if bad.size:
            bad_total += int(bad.size)
            if first_bad is None:
                k = int(bad[0])
                first_bad = (first + lo + k, float(want[k]), float(buf[lo + k]))
    if first_bad is None:
        return None
    i, want, got = first_bad
    return (f"{bad_total} wrong element(s); the first is element {i}: "
            f"expected {want:.17g}, read {got:.17g}")


def corrupt_span(size):
    """(offset, length) overwritten by --corrupt-after-write; as corrupt_span in series/mod.rs."""
    length = max(min(CORRUPT_BYTES, size // 4), min(size, 1))
    return size // 2 - length // 2, length


def corrupt_file(path):
    """Overwrites corrupt_span of the file with CORRUPT_FILL and fsyncs it."""
    fd = os.open(path, os.O_WRONLY)
    try:
        offset, length = corrupt_span(os.fstat(fd).st_size)
        os.pwrite(fd, bytes([CORRUPT_FILL]) * length, offset)
        os.fsync(fd)
    finally:
        os.close(fd)


PAGE = 4096


def aligned_empty(count, align):
    """np.empty(count, float64), or one placed `align` says ("page": on a page; "page+16": 16
    bytes past one); every page is touched."""
    if align == "malloc":
        a = np.empty(count, dtype=np.float64)
    else:
        want = 0 if align == "page" else 16
        raw = np.empty(count * 8 + PAGE, dtype=np.uint8)
        skip = (want - raw.ctypes.data) % PAGE
        a = raw[skip:skip + count * 8].view(np.float64)
    a.fill(0.0)
    return a


def block(n, procs, rank):
    each = n // procs
    first = each * rank
    count = n - first if rank == procs - 1 else each
    return first, count


def parse_actions(text):
    actions = []
    for item in text.split(","):
        op, io, seed = item.split(":")
        if op not in ("write", "read") or io not in ("coll", "indep"):
            raise ValueError(f"bad action {item!r}")
        actions.append((op, io, int(seed)))
    return actions


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--path")
    p.add_argument("--elements", type=int)
    p.add_argument("--actions", default="")
    p.add_argument("--prepare", type=int, default=None)
    p.add_argument("--hint", action="append", default=[])
    p.add_argument("--drop-cache", action="store_true")
    p.add_argument("--corrupt-after-write", action="store_true")
    p.add_argument("--warmup", action="store_true")
    p.add_argument("--buffer-align", choices=("malloc", "page", "page+16"), default="malloc")
    p.add_argument("--print-pattern", nargs=3, type=int, metavar=("SEED", "FIRST", "COUNT"))
    args = p.parse_args()

    if args.print_pattern:
        seed, first, count = args.print_pattern
        print(" ".join(repr(float(x)) for x in pattern(seed, first, count)))
        return 0

    from mpi4py import MPI
    import h5py

    comm = MPI.COMM_WORLD
    rank, procs = comm.Get_rank(), comm.Get_size()

    def emit(obj):
        if rank == 0:
            print(json.dumps(obj), flush=True)

    def fail(message):
        emit({"event": "error", "message": message})
        return 1

    # Agree on the setup on every rank before any collective HDF5 call.
    problem = None
    try:
        if not h5py.get_config().mpi:
            problem = "this h5py has no MPI support (Debian: python3-h5py-mpi)"
        elif not args.path or args.elements is None:
            problem = "--path and --elements are required"
        elif args.elements < procs:
            problem = f"{procs} ranks but only {args.elements} elements"
        actions = parse_actions(args.actions) if args.actions else []
        hints = [h.split("=", 1) for h in args.hint]
        if any(len(h) != 2 for h in hints):
            problem = f"bad --hint {args.hint!r} (KEY=VALUE)"
    except Exception as e:  # noqa: BLE001 - reported to the parent
        problem = f"{type(e).__name__}: {e}"
    problems = comm.allgather(problem)
    for r, msg in enumerate(problems):
        if msg:
            return fail(f"rank {r}: {msg}")

    n = args.elements
    first, count = block(n, procs, rank)
    sel = np.s_[first:first + count]
    info = MPI.INFO_NULL
    if hints:
        info = MPI.Info.Create()
        for k, v in hints:
            info.Set(k, v)
    nbytes = n * 8
    data = aligned_empty(count, args.buffer_align)
    buf = aligned_empty(count, args.buffer_align)
    buffer_offset = buf.ctypes.data % PAGE

    def agree(err):
        """The first rank's error, the same on every rank, or None."""
        errs = comm.allgather(err)
        return next((f"rank {r}: {e}" for r, e in enumerate(errs) if e), None)

    def timed(fn):
        comm.Barrier()
        r0 = resource.getrusage(resource.RUSAGE_SELF)
        t0 = MPI.Wtime()
        err = None
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - agreed on and reported below
            err = f"{type(e).__name__}: {e}"
        dt = MPI.Wtime() - t0
        r1 = resource.getrusage(resource.RUSAGE_SELF)
        err = agree(err)
        cpu["user_s"] = comm.allreduce(r1.ru_utime - r0.ru_utime, op=MPI.SUM)
        cpu["sys_s"] = comm.allreduce(r1.ru_stime - r0.ru_stime, op=MPI.SUM)
        return comm.allreduce(dt, op=MPI.MAX), err

    cpu = {}

    def write(io):
        with h5py.File(args.path, "w", driver="mpio", comm=comm, info=info) as f:
            d = f.create_dataset(DATASET, shape=(n,), dtype="f8")
            if io == "coll":
                with d.collective:
                    d.write_direct(data, dest_sel=sel)
            else:
                d.write_direct(data, dest_sel=sel)

    def read(io):
        with h5py.File(args.path, "r", driver="mpio", comm=comm) as f:
            d = f[DATASET]
            if d.shape != (n,):
                raise ValueError(f"{args.path}:/{DATASET} has shape {d.shape}, expected ({n},)")
            if io == "coll":
                with d.collective:
                    d.read_direct(buf, source_sel=sel)
            else:
                d.read_direct(buf, source_sel=sel)

    def drop_cache():
        err = None
        if rank == 0:
            try:
                fd = os.open(args.path, os.O_RDONLY)
                os.fsync(fd)
                os.close(fd)
            except OSError as e:
                err = f"fsync {args.path}: {e}"
        err = agree(err)
        if err:
            return err
        try:
            fd = os.open(args.path, os.O_RDONLY)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            os.close(fd)
        except OSError as e:
            err = f"posix_fadvise {args.path}: {e}"
        return agree(err)

    def corrupt():
        """The testing aid --corrupt-after-write (collective)."""
        err = None
        if args.corrupt_after_write and rank == 0:
            try:
                corrupt_file(args.path)
            except OSError as e:
                err = f"--corrupt-after-write: cannot damage {args.path}: {e}"
        return agree(err) if args.corrupt_after_write else None

    if args.prepare is not None:
        pattern(args.prepare, first, count, out=data)
        _, err = timed(lambda: write("coll"))
        if err:
            return fail(f"preparing {args.path}: {err}")
        err = corrupt()
        if err:
            return fail(err)

    if args.warmup and actions:
        # Untimed: a write (if the job writes; the file is rewritten by the first action) and
        # a read of the file, unchecked.
        op0, io0, seed0 = actions[0]
        if any(op == "write" for op, _, _ in actions):
            pattern(seed0, first, count, out=data)
            _, err = timed(lambda: write(io0))
            if err:
                return fail(f"warm-up write of {args.path}: {err}")
        _, err = timed(lambda: read(io0))
        if err:
            return fail(f"warm-up read of {args.path}: {err}")

    for op, io, seed in actions:
        if op == "write":
            pattern(seed, first, count, out=data)
            seconds, err = timed(lambda: write(io))
            if not err:
                err = corrupt()
                if err:
                    return fail(err)
        else:
            if args.drop_cache:
                err = drop_cache()
                if err:
                    return fail(f"--drop-cache: {err}")
            buf.fill(np.nan)
            seconds, err = timed(lambda: read(io))
            if not err:
                err = agree(check(buf, seed, first))
                if err:
                    return fail(f"data check failed after the {io} read of {args.path}: {err}")
        if err:
            return fail(f"{op} {io} of {args.path}: {err}")
        emit({"event": "result", "op": op, "io": io, "seconds": seconds, "bytes": nbytes,
              "user_s": cpu["user_s"], "sys_s": cpu["sys_s"], "buffer_offset": buffer_offset})
    return 0


if __name__ == "__main__":
    sys.exit(main())
