"""Python side of bench/farm-bench.sh: one series per run, under mpirun; rank 0 prints one CSV
line series,ranks,tasks,seconds,tasks_per_s,efficiency,extra.

    mpirun -n P python3 farm_py_bench.py h5par-map N
    mpirun -n P python3 farm_py_bench.py mpi4py CHUNKSIZE N     (MPICommExecutor.map)
"""

import sys
import time

from mpi4py import MPI


def empty(x):
    return x


def main():
    comm = MPI.COMM_WORLD
    kind = sys.argv[1]
    if kind == "h5par-map":
        import h5par.farm
        n = int(sys.argv[2])
        comm.Barrier()
        t = time.perf_counter()
        out = h5par.farm.map(empty, range(n), comm=comm, progress="off")
        secs = time.perf_counter() - t
        if comm.rank == 0:
            assert out == list(range(n))
            print("python-h5par-map,%d,%d,%.6f,%.1f,," % (comm.size, n, secs, n / secs))
    elif kind == "mpi4py":
        from mpi4py.futures import MPICommExecutor
        chunk, n = int(sys.argv[2]), int(sys.argv[3])
        with MPICommExecutor(comm, root=0) as ex:
            if ex is not None:
                list(ex.map(empty, range(100), chunksize=1))   # warm up: workers started
                t = time.perf_counter()
                out = list(ex.map(empty, range(n), chunksize=chunk))
                secs = time.perf_counter() - t
                assert out == list(range(n))
                print("python-mpi4py-chunk%d,%d,%d,%.6f,%.1f,," % (chunk, comm.size, n, secs,
                                                                  n / secs))
    else:
        raise SystemExit("unknown series %s" % kind)


if __name__ == "__main__":
    main()
