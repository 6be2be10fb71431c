#!/usr/bin/python3
"""The fixed cost of one call from Python, h5par against h5py-mpio and bare mpi4py, same run.

    mpirun.openmpi -n 2 /usr/bin/python3 bench/python_call_latency.py [--dir /dev/shm]
        [--calls 30] [--repeat 5]

(PYTHONPATH must find the h5par package; H5PY_ALWAYS_USE_MPI=1 is set here.) Each rank reads
one float64 of a small dataset: collectively (h5par read_at(out=), h5py read_direct with
`x.collective`) and independently; opens the dataset (h5par f["x"], h5py f["x"]); and, for
scale, mpi4py's Barrier and allreduce. Each line is the milliseconds per call (the slowest
rank, CALLS calls in a row), median over REPEAT rounds in alternating order, with the load
average. On a quiet node a collective call costs microseconds; on an oversubscribed one every
point where the ranks wait for each other costs a scheduler latency, so the number of such
points in a call decides its fixed cost.
"""

import argparse
import os
import statistics
import sys

os.environ.setdefault("H5PY_ALWAYS_USE_MPI", "1")

import numpy as np  # noqa: E402
from mpi4py import MPI  # noqa: E402

import h5py  # noqa: E402
import h5par  # noqa: E402

comm = MPI.COMM_WORLD
rank, procs = comm.Get_rank(), comm.Get_size()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dir", default="/dev/shm")
    p.add_argument("--calls", type=int, default=30)
    p.add_argument("--repeat", type=int, default=5)
    a = p.parse_args()
    tag = comm.bcast(f"{os.getpid():x}" if rank == 0 else None)
    p5 = os.path.join(a.dir, f"latency-{tag}-h5par.h5")
    py = os.path.join(a.dir, f"latency-{tag}-h5py.h5")
    one = np.array([float(rank)])
    with h5par.File(p5, "w", comm=comm) as f:
        f.create_dataset("x", shape=(procs,), dtype="f8").write_at(rank, one)
    with h5py.File(py, "w", driver="mpio", comm=comm) as f:
        x = f.create_dataset("x", shape=(procs,), dtype="f8")
        with x.collective:
            x[rank:rank + 1] = one
    buf = np.empty(1)
    f5 = h5par.File(p5, "r", comm=comm)
    fy = h5py.File(py, "r", driver="mpio", comm=comm)
    x5, xy = f5["x"], fy["x"]

    def y_coll():
        with xy.collective:
            xy.read_direct(buf, source_sel=np.s_[rank:rank + 1])

    cases = [
        ("h5par read, collective", lambda: x5.read_at(rank, 1, out=buf)),
        ("h5py read, collective", y_coll),
        ("h5par read, independent", lambda: x5.read_at(rank, 1, out=buf, collective=False)),
        ("h5py read, independent", lambda: xy.read_direct(buf, source_sel=np.s_[rank:rank + 1])),
        ("h5par f['x'] (open)", lambda: f5["x"].close()),
        ("h5py f['x'] (open)", lambda: fy["x"]),
        ("mpi4py Barrier", comm.Barrier),
        ("mpi4py allreduce", lambda: comm.allreduce(1)),
    ]
    load0 = open("/proc/loadavg").read().split()[:3]
    res = {name: [] for name, _ in cases}
    try:
        for rep in range(a.repeat + 1):  # round 0: warm-up
            for name, fn in (cases if rep % 2 else cases[::-1]):
                comm.Barrier()
                t0 = MPI.Wtime()
                for _ in range(a.calls):
                    fn()
                dt = comm.allreduce(MPI.Wtime() - t0, op=MPI.MAX) / a.calls
                if rep:
                    res[name].append(dt)
        if buf[0] != rank:
            raise AssertionError(f"rank {rank}: read {buf[0]}")
    finally:
        f5.close()
        fy.close()
        comm.Barrier()
        if rank == 0:
            for f in (p5, py):
                os.remove(f)
    load1 = open("/proc/loadavg").read().split()[:3]
    if rank == 0:
        print(f"python call latency: {procs} ranks, {a.calls} calls in a row, median of "
              f"{a.repeat}; h5par {h5par.__version__}, h5py {h5py.__version__}")
        print(f"load average {' '.join(load0)} at the start, {' '.join(load1)} at the end")
        for name, v in res.items():
            print(f"{name:26} {statistics.median(v) * 1e3:9.3f} ms per call   "
                  + " ".join(f"{x * 1e3:.2f}" for x in v))
    return 0


if __name__ == "__main__":
    sys.exit(main())
