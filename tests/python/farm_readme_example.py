# mpirun -n 2 python3 farm_readme_example.py
from mpi4py import MPI

import h5par.farm


def simulate(seed):                 # serial, knows nothing of MPI: easy to debug alone
    if seed == 13:
        raise ValueError("unlucky seed")
    return seed * seed


seeds = list(range(100))            # every rank builds the same list
out = h5par.farm.map(simulate, seeds, comm=MPI.COMM_WORLD, retries=1,
                     return_exceptions=True, progress="off")
if MPI.COMM_WORLD.rank == 0:        # results in order on rank 0, None elsewhere
    assert out[12] == 144 and isinstance(out[13], h5par.farm.TaskFailed)
    print("unlucky:", str(out[13]).splitlines()[-1])

# The concurrent.futures interface (rank 0 submits, the others serve inside the block):
with h5par.farm.FarmExecutor(MPI.COMM_WORLD) as ex:
    if ex is not None:
        futures = [ex.submit(simulate, s) for s in range(10)]
        print([f.result() for f in futures])
