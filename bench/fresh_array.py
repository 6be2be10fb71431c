#!/usr/bin/python3
"""The cost of reading a file into a fresh (never touched) numpy array, by how it is allocated.

    /usr/bin/python3 bench/fresh_array.py [--dir /dev/shm] [--mib 512] [--repeat 6]

A file of MIB MiB is written to DIR (kept in the page cache) and read whole with preadv() into
a new array each time, allocated as:

    np.empty     numpy's allocation; from 4 MiB numpy advises transparent huge pages
                 (madvise MADV_HUGEPAGE), which the kernel uses when its THP mode is "madvise"
    np.zeros     calloc: what h5py's x[lo:hi] reads into (no advice: 4 KiB pages)
    mmap         a private anonymous mapping (page aligned, no advice): h5par's read arrays
                 from 4 MiB (h5par/_buffer.py)
    mmap+POPULATE  the same, faulted in by mmap itself before the read

The first touch of the pages (in the kernel's copy) is part of the timed read, as it is for a
user's `x = d[lo:hi]`. The order is rotated per repeat; prints median wall and system seconds,
page faults and the transparent huge pages the kernel handed out (/proc/vmstat, system-wide),
with the machine's THP settings and the load average.
"""

import argparse
import mmap
import os
import resource
import statistics
import time

import numpy as np


def vmstat():
    keep = ("thp_fault_alloc", "compact_stall")
    out = {}
    with open("/proc/vmstat") as f:
        for line in f:
            k, v = line.split()
            if k in keep:
                out[k] = int(v)
    return out


def setting(name):
    try:
        with open(f"/sys/kernel/mm/transparent_hugepage/{name}") as f:
            return f.read().strip()
    except OSError:
        return "?"


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dir", default="/dev/shm")
    p.add_argument("--mib", type=int, default=512)
    p.add_argument("--repeat", type=int, default=6)
    a = p.parse_args()
    nb = a.mib << 20
    path = os.path.join(a.dir, f"fresh-array-{os.getpid()}.bin")
    with open(path, "wb") as f:
        chunk = np.ones(1 << 20, dtype=np.uint8).tobytes()
        for _ in range(a.mib):
            f.write(chunk)
    anon = mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS
    kinds = {
        "np.empty": lambda: np.empty(nb, np.uint8),
        "np.zeros": lambda: np.zeros(nb, np.uint8),
        "mmap": lambda: np.frombuffer(mmap.mmap(-1, nb, flags=anon), np.uint8),
        "mmap+POPULATE": lambda: np.frombuffer(
            mmap.mmap(-1, nb, flags=anon | mmap.MAP_POPULATE), np.uint8),
    }
    names = list(kinds)
    rows = {k: [] for k in names}
    load0 = open("/proc/loadavg").read().split()[:3]
    fd = os.open(path, os.O_RDONLY)
    try:
        for rep in range(a.repeat + 1):  # repeat 0: untimed warm-up
            k = rep % len(names)
            for name in names[k:] + names[:k]:
                v0, r0, t0 = vmstat(), resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
                arr = kinds[name]()
                if os.preadv(fd, [arr], 0) != nb:
                    raise SystemExit("short read")
                dt = time.perf_counter() - t0
                r1, v1 = resource.getrusage(resource.RUSAGE_SELF), vmstat()
                if arr[0] != 1 or arr[-1] != 1:
                    raise SystemExit("wrong data")
                del arr
                if rep:
                    rows[name].append((dt, r1.ru_stime - r0.ru_stime, r1.ru_minflt - r0.ru_minflt,
                                       v1["thp_fault_alloc"] - v0["thp_fault_alloc"],
                                       v1.get("compact_stall", 0) - v0.get("compact_stall", 0)))
    finally:
        os.close(fd)
        os.remove(path)
    load1 = open("/proc/loadavg").read().split()[:3]
    print(f"fresh_array: {a.mib} MiB from {a.dir}, median of {a.repeat} (rotated order, warm-up); "
          f"THP enabled {setting('enabled')!r}, defrag {setting('defrag')!r}")
    print(f"load average {' '.join(load0)} at the start, {' '.join(load1)} at the end")
    print(f"{'allocation':14} {'wall s':>7} {'GB/s':>6} {'sys s':>6} {'faults':>8} {'THP':>5} "
          f"{'compact':>7}   sys s of each repeat")
    for name in names:
        r = rows[name]
        wall = statistics.median(x[0] for x in r)
        print(f"{name:14} {wall:7.3f} {nb / wall / 1e9:6.2f} "
              f"{statistics.median(x[1] for x in r):6.3f} {statistics.median(x[2] for x in r):8.0f} "
              f"{statistics.median(x[3] for x in r):5.0f} {sum(x[4] for x in r):7d}   "
              + " ".join(f"{x[1]:.2f}" for x in r))


if __name__ == "__main__":
    main()
