"""The talk's PyTrilinos (Epetra) example with h5par. Run it on 3 ranks:

    mpirun -n 3 python3 examples/pytrilinos.py
"""
from mpi4py import MPI
import numpy as np
import h5par

comm = MPI.COMM_WORLD
rank = comm.rank

# A unique (block) map of 10 gids and an overlapping map.
unique = h5par.Map.block(10, comm)          # rank 0: 0-3, rank 1: 4-6, rank 2: 7-9
mine = {0: [0, 1, 2, 3, 4, 8], 1: [3, 4, 5, 6], 2: [6, 7, 8, 9]}.get(rank, [])
overlapping = h5par.Map(mine, comm)

# A vector on the overlapping map, filled with rank + 1 through its numpy view.
x = h5par.Vector(overlapping)
x.array[:] = rank + 1
print(f"rank {rank}: MaxValue = {x.max():g}")   # collective: 3 on every rank

# Export to the unique map, averaging the values of shared gids.
u = h5par.Vector(unique)
h5par.Export(overlapping, unique).forward(x, u, "average")


def show(name, v):
    """Prints v in gid order on rank 0 (an Import to a map that holds everything there)."""
    everything = h5par.Map(np.arange(10) if rank == 0 else [], comm)
    w = h5par.Import(v.map, everything).forward(v, h5par.Vector(everything), "insert")
    if rank == 0:
        print(f"{name} = [{', '.join(f'{a:g}' for a in w.array)}]")


show("u", u)

# The 10 x 10 tridiagonal matrix: 2 on the diagonal, -1 beside it; each rank inserts its rows.
A = h5par.CsrMatrix(unique)
for g in unique.gids:
    cols = [c for c in (g - 1, g, g + 1) if 0 <= c < 10]
    A.insert(g, cols, [2.0 if c == g else -1.0 for c in cols])
A.fill_complete()

b = A @ u
show("b", b)

# Solve A y = b with CG: y equals u to round-off.
y, info = h5par.cg(A, b, max_iterations=10, tol=1e-9)
diff = h5par.Vector(unique)
diff.array[:] = y.array - u.array
err = diff.norminf()
if rank == 0:
    print(f"CG {'converged' if info['converged'] else 'did not converge'} after "
          f"{info['iterations']} iterations, relative residual {info['relative_residual']:.3e}")
    print(f"max |y - u| = {err:.1e}")
