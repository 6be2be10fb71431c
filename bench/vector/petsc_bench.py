"""PETSc (petsc4py 3.18) and raw MPI-IO (mpi4py) side of the distributed-vector benchmark
(bench/vector/run.sh). Prints CSV rows "series,op,rep,value,unit" on rank 0.

    mpirun -n 2 python3 petsc_bench.py REP N SAMPLES GRID DIR
"""
import glob
import os
import sys

if not os.path.exists("/usr/lib/petsc"):
    sys.path += sorted(glob.glob("/usr/lib/petscdir/*/*/lib/python3/dist-packages"))
import petsc4py  # noqa: E402

petsc4py.init([])
from petsc4py import PETSc  # noqa: E402
from mpi4py import MPI  # noqa: E402
import numpy as np  # noqa: E402

rep, n, samples, grid, outdir = (int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]),
                                 int(sys.argv[4]), sys.argv[5])
comm = MPI.COMM_WORLD
pcomm = PETSc.COMM_WORLD
rank = comm.rank


def row(series, op, value, unit):
    if rank == 0:
        print(f"{series},{op},{rep},{value:.6g},{unit}", flush=True)


def timed(f, times):
    f()
    t = []
    for _ in range(times):
        comm.Barrier()
        t0 = MPI.Wtime()
        f()
        comm.Barrier()
        t.append(MPI.Wtime() - t0)
    return sorted(t)[len(t) // 2]


# dot, axpy, norm2 on n doubles
x = PETSc.Vec().createMPI(n, comm=pcomm)
y = x.duplicate()
x.set(1.0)
y.set(2.0)
row("petsc", "dot", 16 * n / timed(lambda: x.dot(y), 5) / 1e9, "GB/s")
row("petsc", "axpy", 24 * n / timed(lambda: y.axpy(0.5, x), 5) / 1e9, "GB/s")


def norm2():
    x.stateIncrease()  # PETSc caches a vector's norms until it changes: make it recompute
    x.norm()


row("petsc", "norm2", 8 * n / timed(norm2, 5) / 1e9, "GB/s")

# HDF5: VecView into a fresh file, VecLoad; raw MPI-IO of the same bytes (numpy buffers), as
# "mpiio-py" rows: the report's raw MPI-IO peer is h5par-vector-bench's own, timed interleaved
# with h5par (these run minutes apart, for reference)
path = os.path.join(outdir, "petsc_vec.h5")
x.setName("v")
x.setArray(np.arange(*x.getOwnershipRange(), dtype=np.float64))


def view():
    if rank == 0 and os.path.exists(path):
        os.remove(path)
    comm.Barrier()
    v = PETSc.Viewer().createHDF5(path, "w", comm=pcomm)
    x.view(v)
    v.destroy()


def load():
    v = PETSc.Viewer().createHDF5(path, "r", comm=pcomm)
    z = PETSc.Vec().create(comm=pcomm)
    z.setName("v")
    z.setType("mpi")
    z.load(v)
    v.destroy()
    z.destroy()


row("petsc", "h5_write_block", 8 * n / timed(view, 3) / 1e9, "GB/s")
row("petsc", "h5_read_block", 8 * n / timed(load, 3) / 1e9, "GB/s")
lo, hi = x.getOwnershipRange()
buf = np.arange(lo, hi, dtype=np.float64)
raw = os.path.join(outdir, "raw.bin")


def raw_write():
    if rank == 0 and os.path.exists(raw):
        os.remove(raw)
    comm.Barrier()
    f = MPI.File.Open(comm, raw, MPI.MODE_CREATE | MPI.MODE_WRONLY)
    f.Write_at_all(lo * 8, buf)
    f.Close()


def raw_read():
    f = MPI.File.Open(comm, raw, MPI.MODE_RDONLY)
    f.Read_at_all(lo * 8, buf)
    f.Close()


row("mpiio-py", "h5_write_block", 8 * n / timed(raw_write, 3) / 1e9, "GB/s")
row("mpiio-py", "h5_read_block", 8 * n / timed(raw_read, 3) / 1e9, "GB/s")
for p in (path, raw):
    if rank == 0 and os.path.exists(p):
        os.remove(p)
x.destroy()
y.destroy()
del buf

# map-making: VecScatter from the touched pixels to the sky map, ADD, then reverse INSERT
npix = 12 * 1024 * 1024
rng = np.random.default_rng(1234 + rank)
hits = rng.integers(0, npix, samples)
touched = np.unique(hits).astype(PETSc.IntType)
sky = PETSc.Vec().createMPI(npix, comm=pcomm)
loc = PETSc.Vec().createSeq(len(touched), comm=PETSc.COMM_SELF)
loc.set(1.0)
ist = PETSc.IS().createGeneral(touched, comm=PETSc.COMM_SELF)
holder = {}


def build():
    holder["sc"] = PETSc.Scatter().create(loc, None, sky, ist)


row("petsc", "plan_build", timed(build, 3), "s")
sc = holder["sc"]


def export_add():
    sky.set(0.0)
    sc.scatter(loc, sky, PETSc.InsertMode.ADD_VALUES, PETSc.ScatterMode.FORWARD)


def import_insert():
    sc.scatter(sky, loc, PETSc.InsertMode.INSERT_VALUES, PETSc.ScatterMode.REVERSE)


row("petsc", "export_add", timed(export_add, 5), "s")
row("petsc", "import_insert", timed(import_insert, 5), "s")

# 2-D Poisson: MatMult and KSPCG iterations
N = grid * grid
A = PETSc.Mat().createAIJ([N, N], nnz=5, comm=pcomm)
rs, re = A.getOwnershipRange()
for g in range(rs, re):
    i, j = divmod(g, grid)
    cols = [c for c, ok in ((g - grid, i > 0), (g - 1, j > 0), (g, True), (g + 1, j < grid - 1),
                            (g + grid, i < grid - 1)) if ok]
    A.setValues(g, cols, [4.0 if c == g else -1.0 for c in cols])
A.assemble()
xv, yv = A.createVecs()
xv.set(1.0)
row("petsc", "apply", timed(lambda: A.mult(xv, yv), 10), "s")
ksp = PETSc.KSP().create(comm=pcomm)
ksp.setOperators(A)
ksp.setType("cg")
ksp.getPC().setType("none")
iters = 50
ksp.setTolerances(rtol=1e-50, atol=1e-50, max_it=iters)
ksp.setNormType(PETSc.KSP.NormType.UNPRECONDITIONED)
b = yv.duplicate()
b.set(1.0)


def solve():
    xv.set(0.0)
    ksp.solve(b, xv)


t = timed(solve, 3)
row("petsc", "cg_iteration", t / ksp.getIterationNumber(), "s")
row("petsc", "cg_iterations", ksp.getIterationNumber(), "count")
