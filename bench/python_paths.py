#!/usr/bin/python3
"""h5par's Python read and write paths against h5py-mpio's matching paths, in the same run.

    mpirun.openmpi -n 2 /usr/bin/python3 bench/python_paths.py [--dir /dev/shm] [--size 1G]
        [--repeat 5] [--independent] [--dataset-untimed] [--csv out.csv]

(PYTHONPATH must find the h5par package, e.g. the folder `pip install --target` put it in;
H5PY_ALWAYS_USE_MPI=1 is set here for Debian's MPI h5py.)

Each rank owns a contiguous block of a 1-D float64 dataset "x". The pairs compared:

    read   h5par d[lo:hi]                        h5py x[lo:hi]
    read   h5par d.read_at(lo, n)                h5py x.read_direct(np.empty(n), sel)
    read   h5par d.read_at(lo, n, out=buf)       h5py x.read_direct(buf, sel)
    write  h5par d[lo:hi] = a                    h5py x[lo:hi] = a
    write  h5par d.write_at(lo, a)               h5py x.write_direct(a, dest_sel=sel)

collective I/O by default (h5py: `with x.collective`), independent with --independent. Each
library reads the file it wrote (its own layout). The two files are written in alternating
pieces and the two out= buffers touched the same way: on this virtual machine the memory
handed out first (the pages of whichever file is written first) stays 15-30% slower to copy,
which an order fixed at preparation would charge to one library on every line. Buffers are numpy's, as users allocate them: the allocating pairs time the
allocation with the read (h5par's read_at/d[...] arrays against h5py's x[...] and a fresh
np.empty given to read_direct), the out= pair reads into one np.empty per library allocated and
touched once before timing (the first touch of fresh memory is not the read's cost). Only the operation is timed (the file is open), between barriers, slowest rank; every
path runs once untimed first (--dataset-untimed: the dataset, too, is opened before the
timing, so that only the transfer is timed); the order of the paths changes repeat by repeat as a Williams
design gives it (stripe-bench's order: each path takes every position and follows every other
path once in 10 repeats, so that what one path leaves behind, memory it freed or dirty pages,
does not always fall on the same next path; the CSV's column position). Reads are
checked. Prints medians, the ratio h5par/h5py for each pair, system and user CPU seconds (summed over
ranks) and the load average.
"""

import argparse
import os
import resource
import statistics
import sys

os.environ.setdefault("H5PY_ALWAYS_USE_MPI", "1")

import numpy as np  # noqa: E402
from mpi4py import MPI  # noqa: E402

import h5py  # noqa: E402
import h5par  # noqa: E402

comm = MPI.COMM_WORLD
rank, procs = comm.Get_rank(), comm.Get_size()


def parse_size(s):
    units = {"": 1, "k": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    num = s.rstrip("kMG")
    return int(num) * units[s[len(num):]]


def williams_row(n, r):
    """Row r of the Williams design for n paths (as stripe-bench/src/method.rs)."""
    period = n if n % 2 == 0 else 2 * n
    r %= period
    w = [0] + [(j + 1) // 2 if j % 2 else n - j // 2 for j in range(1, n)]
    row = [(r % n + x) % n for x in w]
    return row[::-1] if r >= n else row


def pieces(n, count=16):
    """The (start, stop) of `count` near-equal pieces of range(n), in order."""
    edges = [n * k // count for k in range(count + 1)]
    return [(a, b) for a, b in zip(edges, edges[1:]) if b > a]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dir", default="/dev/shm")
    p.add_argument("--size", default="1G", help="dataset bytes (k, M, G)")
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--independent", action="store_true")
    p.add_argument("--dataset-untimed", action="store_true",
                   help="open the dataset before the timing (time the transfer alone)")
    p.add_argument("--csv", default=None)
    a = p.parse_args()
    n_total = parse_size(a.size) // 8
    each = n_total // procs
    lo = rank * each
    n = n_total - lo if rank == procs - 1 else each
    hi = lo + n
    coll = not a.independent
    tag = comm.bcast(f"{os.getpid():x}" if rank == 0 else None)
    p5 = os.path.join(a.dir, f"pypaths-{tag}-h5par.h5")
    py = os.path.join(a.dir, f"pypaths-{tag}-h5py.h5")
    src = np.arange(lo, hi, dtype=np.float64)  # the data, touched
    want0, want1 = float(lo), float(hi - 1)

    def h5par_file(mode):
        return h5par.File(p5, mode, comm=comm)

    def h5py_file(mode):
        return h5py.File(py, mode, driver="mpio", comm=comm)

    def prepare():
        # The two files are written in alternating pieces (each library first in every other
        # piece), so that each gets half of the memory the kernel hands out first: on this
        # virtual machine the pages of the file written first read and write 15-30% slower
        # for as long as the file lives, whichever library wrote it.
        with h5par_file("w") as fp, h5py_file("w") as fy:
            dp = fp.create_dataset("x", shape=(n_total,), dtype="f8")
            dy = fy.create_dataset("x", shape=(n_total,), dtype="f8")
            for k, (a_, b_) in enumerate(pieces(n)):
                def wp():
                    dp.write_at(lo + a_, src[a_:b_], collective=coll)

                def wy():
                    with dy.collective:
                        dy.write_direct(src[a_:b_], dest_sel=np.s_[lo + a_:lo + b_])
                for w in ((wp, wy) if k % 2 == 0 else (wy, wp)):
                    w()

    def check(arr, what):
        if arr.shape != (n,) or arr[0] != want0 or arr[-1] != want1 or arr[n // 2] != lo + n // 2:
            raise AssertionError(f"rank {rank}: {what} read wrong data")

    def maybe_coll(x):
        return x.collective if coll else _Null()

    # Each path: (pair, library, op, function(file) -> None); the file is open around it.
    def p_getitem(f):
        check(f["x"][lo:hi], "h5par d[lo:hi]")

    def y_getitem(f):
        x = f["x"]
        with maybe_coll(x):
            check(x[lo:hi], "h5py x[lo:hi]")

    def p_read_at(f):
        check(f["x"].read_at(lo, n, collective=coll), "h5par read_at")

    # The out= buffers: a user's, allocated and touched once, one per library (touched in
    # alternating pieces, as the files are written).
    out_h5par, out_h5py = np.empty(n), np.empty(n)
    for k, (a_, b_) in enumerate(pieces(n)):
        for o in ((out_h5par, out_h5py) if k % 2 == 0 else (out_h5py, out_h5par)):
            o[a_:b_].fill(0.0)

    def p_read_out(f):
        f["x"].read_at(lo, n, out=out_h5par, collective=coll)
        check(out_h5par, "h5par read_at(out=)")

    def y_read_direct_new(f):
        out = np.empty(n)
        x = f["x"]
        with maybe_coll(x):
            x.read_direct(out, source_sel=np.s_[lo:hi])
        check(out, "h5py read_direct(np.empty)")

    def y_read_direct(f):
        x = f["x"]
        with maybe_coll(x):
            x.read_direct(out_h5py, source_sel=np.s_[lo:hi])
        check(out_h5py, "h5py read_direct")

    def p_setitem(f):
        f["x"][lo:hi] = src

    def y_setitem(f):
        x = f["x"]
        with maybe_coll(x):
            x[lo:hi] = src

    def p_write_at(f):
        f["x"].write_at(lo, src, collective=coll)

    def y_write_direct(f):
        x = f["x"]
        with maybe_coll(x):
            x.write_direct(src, dest_sel=np.s_[lo:hi])

    paths = [
        ("x[lo:hi]", "h5par", "read", p_getitem),
        ("x[lo:hi]", "h5py", "read", y_getitem),
        ("read_at / read_direct", "h5par", "read", p_read_at),
        ("read_at / read_direct", "h5py", "read", y_read_direct_new),
        ("read_at(out=) / read_direct", "h5par", "read", p_read_out),
        ("read_at(out=) / read_direct", "h5py", "read", y_read_direct),
        ("x[lo:hi] = a", "h5par", "write", p_setitem),
        ("x[lo:hi] = a", "h5py", "write", y_setitem),
        ("write_at / write_direct", "h5par", "write", p_write_at),
        ("write_at / write_direct", "h5py", "write", y_write_direct),
    ]

    def run(path):
        _, lib, op, fn = path
        mode = "r" if op == "read" else "r+"
        f = h5par_file(mode) if lib == "h5par" else h5py_file(mode)
        try:
            target = {"x": f["x"]} if a.dataset_untimed else f
            comm.Barrier()
            r0 = resource.getrusage(resource.RUSAGE_SELF)
            t0 = MPI.Wtime()
            fn(target)
            dt = MPI.Wtime() - t0
            r1 = resource.getrusage(resource.RUSAGE_SELF)
        finally:
            f.close()
        sys_s = comm.allreduce(r1.ru_stime - r0.ru_stime, op=MPI.SUM)
        user_s = comm.allreduce(r1.ru_utime - r0.ru_utime, op=MPI.SUM)
        return comm.allreduce(dt, op=MPI.MAX), sys_s, user_s

    load_start = open("/proc/loadavg").read().split()[:3]
    try:
        prepare()
        for path in paths:  # untimed warm-up of every path
            run(path)
        rows = []
        for rep in range(1, a.repeat + 1):
            order = [paths[i] for i in williams_row(len(paths), rep - 1)]
            for pos, path in enumerate(order, start=1):
                seconds, sys_s, user_s = run(path)
                rows.append((path[0], path[1], path[2], rep, pos, seconds,
                             n_total * 8 / seconds / 1e9, sys_s, user_s))
    finally:
        comm.Barrier()
        if rank == 0:
            for f in (p5, py):
                try:
                    os.remove(f)
                except OSError:
                    pass
    load_end = open("/proc/loadavg").read().split()[:3]
    if rank != 0:
        return 0
    if a.csv:
        with open(a.csv, "w") as out:
            out.write("pair,library,op,rep,position,seconds,gbps,sys_s,user_s\n")
            for r in rows:
                out.write("%s,%s,%s,%d,%d,%.6f,%.4f,%.3f,%.3f\n" % r)
    print(f"python paths: {procs} ranks, {a.size} of f8 in {a.dir}, "
          f"{'collective' if coll else 'independent'}, "
          f"{'dataset opened untimed, ' if a.dataset_untimed else ''}median of {a.repeat} "
          f"(balanced order, warm-up), numpy buffers; h5par {h5par.__version__}, h5py {h5py.__version__}")
    print(f"load average {' '.join(load_start)} at the start, {' '.join(load_end)} at the end")
    print(f"{'op':5} {'path':28} {'h5par GB/s':>10} {'h5py GB/s':>10} {'h5par/h5py':>10} "
          f"{'sys s h5par':>11} {'h5py':>6} {'user s h5par':>12} {'h5py':>6}")
    pairs = []
    for pair, _, op, _ in paths:
        if (op, pair) not in pairs:
            pairs.append((op, pair))
    for op, pair in pairs:
        g = {lib: statistics.median(r[6] for r in rows if r[0] == pair and r[1] == lib)
             for lib in ("h5par", "h5py")}
        s = {lib: statistics.median(r[7] for r in rows if r[0] == pair and r[1] == lib)
             for lib in ("h5par", "h5py")}
        u = {lib: statistics.median(r[8] for r in rows if r[0] == pair and r[1] == lib)
             for lib in ("h5par", "h5py")}
        print(f"{op:5} {pair:28} {g['h5par']:10.3f} {g['h5py']:10.3f} "
              f"{g['h5par'] / g['h5py']:9.2f}x {s['h5par']:11.3f} {s['h5py']:6.3f} "
              f"{u['h5par']:12.3f} {u['h5py']:6.3f}")
    return 0


class _Null:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


if __name__ == "__main__":
    sys.exit(main())
