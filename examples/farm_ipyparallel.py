"""h5par inside ipyparallel's MPI engines: interactive work from a notebook or a shell.

Start a controller and 2 engines that share one MPI communicator (ipyparallel's MPI launcher),
then run this client (any Python with ipyparallel; tests/python/run_ipyparallel.sh does it):

    ipcluster start -n 2 --engines=mpi --profile-dir=PROFILE --daemonize
    python3 examples/farm_ipyparallel.py PROFILE /tmp/ipp-example.h5
    ipcluster stop --profile-dir=PROFILE

(with OpenMPI as root: the ipcluster_config.py of run_ipyparallel.sh names mpirun.openmpi and
passes --oversubscribe). In a notebook the `%%px` cell magic does what `view.execute` does here.
"""

import sys

import ipyparallel as ipp

profile_dir, path = sys.argv[1], sys.argv[2]
rc = ipp.Client(profile_dir=profile_dir)
rc.wait_for_engines(2, timeout=120)
view = rc[:]                      # every engine: one MPI rank each
view.block = True

# %%px: runs on every engine at once (collective calls must reach every rank).
view.execute("""
from mpi4py import MPI
import numpy as np
import h5par, h5par.farm
comm = MPI.COMM_WORLD
""")
ranks = sorted(view.pull("comm.rank"))
size = view.pull("comm.size")[0]
print("engines' MPI ranks:", ranks, "of", size)
assert ranks == list(range(size)) and size == len(rc.ids)


def write_and_read(path, n):
    """Collective parallel HDF5 from the engines: each rank writes and reads its slice."""
    import numpy as np
    import h5par
    from mpi4py import MPI
    comm = MPI.COMM_WORLD
    with h5par.File(path, "w", comm=comm) as f:
        d = f.create_dataset("x", shape=(comm.size * n,), dtype="f8")
        lo = comm.rank * n
        d[lo:lo + n] = np.arange(lo, lo + n, dtype="f8")
        back = d[lo:lo + n]
    return comm.rank, float(back.sum())


def square(x):
    return x * x


def farm(nitems):
    """h5par's task farm over the engines' communicator: results in order on rank 0."""
    import h5par.farm
    from mpi4py import MPI
    out = h5par.farm.map(square, range(nitems), comm=MPI.COMM_WORLD, retries=1,
                         progress="off")
    return None if out is None else sum(out)


n = 1000
sums = dict(view.apply(write_and_read, path, n))
want = {r: float(sum(range(r * n, (r + 1) * n))) for r in range(size)}
assert sums == want, (sums, want)
print("collective write and read on", size, "engines:", path)

view.push({"square": square})     # the farm's function, known on every engine
results = view.apply(farm, 10000)
on_root = [r for r in results if r is not None]          # rank 0's engine has them
assert len(on_root) == 1, results
total = on_root[0]
assert total == sum(x * x for x in range(10000)), total
print("h5par.farm.map on", size, "engines: sum of squares", total)
rc.close()
