"""The peer of mapmaker.py: the same Planck-style pipeline built the way users build it today,
from mpi4py.futures, numpy, MPI.Allreduce and h5py-mpio. Same inputs, same output file layout.

    H5PY_ALWAYS_USE_MPI=1 mpirun -n 2 python3 peer.py DATA_DIR OUT.h5 [--tol 1e-10]

1. read: mpi4py.futures.MPICommExecutor (rank 0 submits, the other ranks work): each task reads
   one file with h5py, calibrates and reduces it (common.reduce_file, the same function as
   mapmaker.py); the results come back to rank 0, which deals them out to the ranks
   (comm.scatter), file i to rank i % size.
2. bin: every rank bins into full-size maps (npix), summed by MPI.Allreduce.
3. destripe: preconditioned CG written in numpy (the same iteration as h5par.cg, Jacobi), whose
   operator Allreduces a full-size map at every application.
4. write: h5py with the mpio driver, every rank writing its block of the maps collectively.

No resume: a killed run starts again. Prints one JSON line of timings and memory (rank 0).
"""


import numpy as np
from mpi4py import MPI
from mpi4py.futures import MPICommExecutor

import common


def read_file(job):
    """A task of the executor: one file read, calibrated and reduced."""
    import h5py

    path, npix = job
    with h5py.File(path, "r") as f:
        pix = f["pixels"][...]
        sig = f["signal"][...]
        gain = float(f.attrs["gain"])
        first = int(f.attrs["first_chunk"])
        clen = int(f.attrs["chunk_len"])
    return common.reduce_file(pix, sig, gain, first, clen, npix)


def pcg(apply, b, diag, tol, max_iterations, comm):
    """Jacobi-preconditioned CG from x = 0, the iteration of h5par's core (src/vector/cg.rs):
    stops when ||r|| <= tol ||b||. Dots are MPI.Allreduce of local partial sums."""
    def dot(u, v):
        return comm.allreduce(float(np.dot(u, v)), op=MPI.SUM)

    x = np.zeros_like(b)
    inv = 1.0 / diag
    b_norm = np.sqrt(dot(b, b))
    q = apply(x)
    r = b - q
    z = inv * r
    p = z.copy()
    rz = dot(r, z)
    rn = np.sqrt(dot(r, r))
    goal = tol * b_norm
    k = 0
    converged = rn <= goal
    while not converged and k < max_iterations:
        q = apply(p)
        pq = dot(p, q)
        if not np.isfinite(pq) or pq <= 0.0:
            break
        alpha = rz / pq
        x += alpha * p
        r -= alpha * q
        k += 1
        rn = np.sqrt(dot(r, r))
        if rn <= goal:
            converged = True
            break
        z = inv * r
        rz_new = dot(r, z)
        beta = rz_new / rz
        rz = rz_new
        p = z + beta * p
    rel = rn / b_norm if b_norm > 0 else rn
    return x, {"iterations": k, "converged": bool(converged), "relative_residual": rel}


def main():
    a = common.parser(__doc__).parse_args()
    import h5py

    comm = MPI.COMM_WORLD
    rank, size = comm.Get_rank(), comm.Get_size()
    run, base_rss = common.start(a.data)
    npix = run["npix"]
    st = common.Stages(comm)

    # --- 1. read: mpi4py.futures, results to rank 0, dealt out ----------------------------------
    parts = None
    with MPICommExecutor(comm, root=0) as ex:
        if ex is not None:
            jobs = [(common.file_path(a.data, i), npix) for i in range(run["nfiles"])]
            results = list(ex.map(read_file, jobs))
            parts = [results[r::size] for r in range(size)]
            del results
    mine = comm.scatter(parts, root=0)
    del parts
    st.done("read")

    # --- 2. bin: full-size maps, Allreduce --------------------------------------------------------
    chunk, pix, hits_tri, sums_tri = common.concat(mine)
    del mine
    cgids, tri_c = np.unique(chunk, return_inverse=True)
    del chunk
    nch = cgids.shape[0]
    hits = np.bincount(pix, weights=hits_tri, minlength=npix)
    sums = np.bincount(pix, weights=sums_tri, minlength=npix)
    comm.Allreduce(MPI.IN_PLACE, hits, op=MPI.SUM)
    comm.Allreduce(MPI.IN_PLACE, sums, op=MPI.SUM)
    binned = common.divide(sums, hits)
    del sums
    st.done("bin")

    # --- 3. destripe ------------------------------------------------------------------------------
    n_c = np.bincount(tri_c, weights=hits_tri, minlength=nch)
    b = (np.bincount(tri_c, weights=sums_tri, minlength=nch)
         - np.bincount(tri_c, weights=hits_tri * binned[pix], minlength=nch))
    del sums_tri
    diag = common.jacobi_diagonal(tri_c, hits_tri, hits[pix], nch)

    def offsets_map(x):
        t = np.bincount(pix, weights=hits_tri * x[tri_c], minlength=npix)
        comm.Allreduce(MPI.IN_PLACE, t, op=MPI.SUM)
        return common.divide(t, hits)

    def apply(x):
        m = offsets_map(x)
        return n_c * x - np.bincount(tri_c, weights=hits_tri * m[pix], minlength=nch)

    x, info = pcg(apply, b, diag, a.tol, a.max_iterations, comm)
    destriped = binned - offsets_map(x)
    # The offsets in chunk order, full size on every rank (for the write).
    offsets = np.zeros(run["nchunks"])
    offsets[cgids] = x
    comm.Allreduce(MPI.IN_PLACE, offsets, op=MPI.SUM)
    st.done("destripe")

    # --- 4. write: h5py-mpio, each rank its block ---------------------------------------------------
    with h5py.File(a.out, "w", driver="mpio", comm=comm) as f:
        for name, full in (("binned_map", binned), ("destriped_map", destriped), ("hits", hits),
                           ("offsets", offsets)):
            n = full.shape[0]
            lo, hi = rank * n // size, (rank + 1) * n // size
            d = f.create_dataset(name, shape=(n,), dtype="f8")
            with d.collective:
                d[lo:hi] = full[lo:hi]
        attrs = common.run_attrs(run, comm, "peer (mpi4py.futures, numpy, Allreduce, h5py-mpio)",
                                 info, a.tol, 0)
        for k, v in attrs.items():
            f.attrs[k] = v
    st.done("write")

    common.report(comm, "peer", run, st, info,
                  dict(base_rss_mib=base_rss, local_pixels=npix, local_chunks=nch), a.timing)


if __name__ == "__main__":
    main()
