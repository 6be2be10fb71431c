"""Adversarial scenarios of the h5py-shaped layer (issue 12), run on 2 or 3 ranks by
run_python_tests.sh under a time limit: one rank makes a collective call of the new kind
(delete, move, link, attribute delete, create_group) the others do not make, or makes it
twice, or raises between collective calls. Every rank must end with an error, quickly, and the
file must then close normally on every rank (nothing lost). Each rank prints
"rank R: <outcome>" lines and "rank R: ok" at the end. Usage: hl_scenarios.py SCENARIO DIR"""
import os
import sys
import time

import numpy as np
from mpi4py import MPI

import h5par

comm = MPI.COMM_WORLD
rank = comm.Get_rank()
scenario, d = sys.argv[1], sys.argv[2]
path = os.path.join(d, scenario + ".h5")


def say(*a):
    print("rank %d:" % rank, *a, flush=True)


f = h5par.File(path, "w", comm=comm)
f.create_dataset("x", data=np.arange(4.0))
f.create_dataset("y", data=np.arange(3.0))
f.attrs["k"] = 1
t0 = time.time()
err = None
try:
    if scenario == "skip_delete":          # rank 0 skips `del f["x"]`
        if rank != 0:
            del f["x"]
        f.create_group("after")
    elif scenario == "create_group_twice":  # rank 0 calls create_group twice
        f.create_group("g")
        if rank == 0:
            f.create_group("g")
        f.close()
    elif scenario == "raise_between":      # rank 0 raises between two collective calls
        try:
            del f["x"]
            if rank == 0:
                raise ValueError("boom on rank 0")
            f.move("y", "z")
        except ValueError as e:
            # The exception reaches the next collective call of this rank as its failure.
            f.id.close(failure=e)
    elif scenario == "bad_name_one_rank":  # rank 0 passes a name Python rejects
        del f[5 if rank == 0 else "x"]
    elif scenario == "move_one_rank":
        if rank == 0:
            f.move("x", "x2")
        del f.attrs["k"]
    elif scenario == "bad_stride_one_rank":  # rank 0's strided write Python rejects
        z = f.create_dataset("z", shape=(12,), dtype="f8")
        if rank == 0:
            z[::0] = 1.0
        else:
            z[rank::comm.size] = 1.0
    elif scenario == "link_vs_delete":
        if rank == 0:
            f["l"] = h5par.SoftLink("/x")
        else:
            del f.attrs["k"]
    else:
        raise SystemExit("unknown scenario " + scenario)
except Exception as e:  # noqa: BLE001 - the outcome
    err = e
secs = time.time() - t0
say("outcome %s after %.1fs: %s" % (type(err).__name__ if err else "no error", secs, err))
if err is None:
    say("FAILED: no error")
    sys.exit(1)
if secs > 30:
    say("FAILED: the error took %.1fs" % secs)
    sys.exit(1)
# Everything still works afterwards: close on every rank (the file may be closed already, by
# a close that failed only on some other rank's account: then this does nothing).
try:
    f.close()
except h5par.H5parError as e:
    say("second close:", e)
    f.close()
ok = f.closed
oks = comm.allgather(ok)
say("closed on every rank:", oks)
if all(oks):
    say("ok")
