"""The Planck-style map-maker on h5par: the farm reads the timeline files, the vectors bin and
destripe them, one HDF5 sky map comes out.

    mpirun -n 2 python3 mapmaker.py DATA_DIR OUT.h5 [--work DIR] [--fresh] [--tol 1e-10]

1. read (h5par.farm.run): every task reads one timeline file (h5par.File on COMM_SELF),
   calibrates it and reduces it to (chunk, pixel) hits and sums (common.reduce_file), kept on
   the rank that ran it and saved under WORK/state (so that a resumed run rebuilds the rank's
   local map from the journal without reading the file again).
2. bin: each rank's local, overlapping pixel map (the pixels its files touched) and its
   chunks' one-to-one offset map; an Export with Add sums the hits and signal into the
   one-to-one sky map (h5par.Map.block); binned map = sums / hits.
3. destripe: h5par.cg over a matrix-free operator (a Python callable): each application sums
   offsets into the local pixels, Exports them (Add), divides by the hits, and brings the
   map back to each rank's pixels with the reverse of the same plan (Insert).
4. write: one HDF5 file, collectively (h5par.write_vector): binned_map, destriped_map, hits,
   offsets, and attributes describing the run.

WORK (default: OUT.h5's folder + "/mapmaker-work") holds the farm's journal and the reductions;
--fresh starts over. A run killed at any point resumes where it was: finished files are not
read again. Prints one JSON line of timings, memory and CG figures (rank 0).
"""

import json
import os
import shutil
import time

import numpy as np
from mpi4py import MPI

import h5par
import h5par.farm

import common


def save_reduction(path, red):
    """The file's reduction, atomically (temporary name, fsync, rename)."""
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        np.savez(f, chunk=red[0], pix=red[1], hits=red[2], sums=red[3])
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def load_reduction(path):
    with np.load(path) as z:
        return z["chunk"], z["pix"], z["hits"], z["sums"]


def main():
    ap = common.parser(__doc__)
    ap.add_argument("--work", help="the journal and reductions (default: beside OUT.h5)")
    ap.add_argument("--fresh", action="store_true", help="forget an earlier run's journal")
    ap.add_argument("--task-delay", type=float, default=0.0,
                    help="seconds each task sleeps (to test kills in the middle)")
    a = ap.parse_args()
    comm = MPI.COMM_WORLD
    rank, size = comm.Get_rank(), comm.Get_size()
    run, base_rss = common.start(a.data)
    npix = run["npix"]
    work = a.work or os.path.join(os.path.dirname(os.path.abspath(a.out)), "mapmaker-work")
    state = os.path.join(work, "state")
    journal = os.path.join(work, "farm.journal")
    if rank == 0:
        if a.fresh and os.path.isdir(work):
            shutil.rmtree(work)
        os.makedirs(state, exist_ok=True)
    comm.Barrier()
    st = common.Stages(comm)

    # --- 1. read: the farm -----------------------------------------------------------------
    mine = []  # this rank's reductions

    def task(i):
        path = common.file_path(a.data, i)
        with h5par.File(path, "r", comm=MPI.COMM_SELF) as f:
            pix = f["pixels"][:]
            sig = f["signal"][:]
            gain = float(f.attrs["gain"])
            first = int(f.attrs["first_chunk"])
            clen = int(f.attrs["chunk_len"])
        red = common.reduce_file(pix, sig, gain, first, clen, npix)
        save_reduction(os.path.join(state, "file_%05d.npz" % i), red)
        mine.append(red)
        if a.task_delay:
            time.sleep(a.task_delay)
        return (i, int(pix.shape[0]), int(red[0].shape[0]))

    replayed = []

    def on_result(i, ok, value, was_replayed):
        if was_replayed:
            replayed.append(i)

    identity = json.dumps(run, sort_keys=True).encode()
    summary = h5par.farm.run(task, run["nfiles"], on_result, comm=comm, journal=journal,
                             identity=identity, progress="off")
    # Files finished by an earlier run: their reductions, dealt out over the ranks.
    replayed = comm.bcast(sorted(replayed) if rank == 0 else None, root=0)
    for i in replayed[rank::size]:
        mine.append(load_reduction(os.path.join(state, "file_%05d.npz" % i)))
    read_here = len(mine) - len(replayed[rank::size])
    st.done("read")

    # --- 2. bin: local maps, Export with Add into the sky map --------------------------------
    chunk, pix, hits_tri, sums_tri = common.concat(mine)
    del mine
    cgids, tri_c = np.unique(chunk, return_inverse=True)
    pgids, tri_p = np.unique(pix, return_inverse=True)
    del chunk, pix
    local = h5par.Map(pgids, comm)        # overlapping: the pixels this rank's files touched
    sky = h5par.Map.block(npix, comm)     # one-to-one
    chunks = h5par.Map(cgids, comm)       # one-to-one: a chunk lives in one file
    export = h5par.Export(local, sky)
    nloc, nch = pgids.shape[0], cgids.shape[0]

    def to_sky(local_values, out):
        v = h5par.Vector(local)
        v.array[:] = local_values
        out.fill(0.0)
        export.forward(v, out, "add")
        return out

    def to_local(sky_vector):
        v = h5par.Vector(local)
        export.reverse(sky_vector, v, "insert")
        return v.array

    hits = to_sky(np.bincount(tri_p, weights=hits_tri, minlength=nloc), h5par.Vector(sky))
    sums = to_sky(np.bincount(tri_p, weights=sums_tri, minlength=nloc), h5par.Vector(sky))
    binned = h5par.Vector(sky)
    binned.array[:] = common.divide(sums.array, hits.array)
    del sums
    st.done("bin")

    # --- 3. destripe: CG over the matrix-free operator ----------------------------------------
    hits_loc = to_local(hits)
    m0_loc = to_local(binned)
    n_c = np.bincount(tri_c, weights=hits_tri, minlength=nch)
    b = h5par.Vector(chunks)
    b.array[:] = (np.bincount(tri_c, weights=sums_tri, minlength=nch)
                  - np.bincount(tri_c, weights=hits_tri * m0_loc[tri_p], minlength=nch))
    del sums_tri, m0_loc
    diag = h5par.Vector(chunks)
    diag.array[:] = common.jacobi_diagonal(tri_c, hits_tri, hits_loc[tri_p], nch)
    smap = h5par.Vector(sky)

    unseen = hits.array == 0

    def offsets_map(a_values):
        """sum_c n_cp a_c / N_p on the sky map (in place: no sky-sized temporaries)."""
        s = to_sky(np.bincount(tri_p, weights=hits_tri * a_values[tri_c], minlength=nloc),
                   smap).array
        np.divide(s, hits.array, out=s, where=~unseen)
        s[unseen] = 0.0
        return smap

    def apply(x, y):
        m = to_local(offsets_map(x.array))
        y.array[:] = n_c * x.array - np.bincount(tri_c, weights=hits_tri * m[tri_p],
                                                  minlength=nch)

    offsets, info = h5par.cg(apply, b, max_iterations=a.max_iterations, tol=a.tol,
                             jacobi=True, diagonal=diag)
    destriped = offsets_map(offsets.array)  # the sky work vector, now the destriped map:
    np.subtract(binned.array, destriped.array, out=destriped.array)
    st.done("destripe")

    # --- 4. write: one file, collectively ------------------------------------------------------
    with h5par.File(a.out, "w", comm=comm) as f:
        for name, v in (("binned_map", binned), ("destriped_map", destriped), ("hits", hits),
                        ("offsets", offsets)):
            h5par.write_vector(f, name, v)
        attrs = common.run_attrs(run, comm, "h5par", info, a.tol, len(replayed))
        for k, v in attrs.items():
            f.attrs[k] = v
    st.done("write")

    common.report(comm, "h5par", run, st, info,
                  dict(base_rss_mib=base_rss, local_pixels=nloc, local_chunks=nch,
                       files_read=read_here),
                  a.timing, files_replayed=len(replayed), farm_done=summary.get("done"))


if __name__ == "__main__":
    main()
