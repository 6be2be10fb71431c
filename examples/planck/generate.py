"""Synthetic Planck-style input: an input sky, a scanning strategy and K detector timeline
files (HDF5), written by every rank of `mpirun -n N` (files dealt out round-robin) or by one
process. Needs numpy and h5py only (no healpy).

    python3 generate.py DIR [--nside 64] [--files 12] [--chunks-per-file 4] [--ring 512]
                            [--repeat 8] [--white 1.0] [--offsets 10.0] [--seed 1]

DIR/run.json describes the run; DIR/sky.h5 holds the input sky (`sky`, npix) and the true
offsets (`offsets`, one per chunk); DIR/tod_00000.h5 ... hold, per file, `pixels` (int32, the
pixel index of each sample) and `signal` (float64, uncalibrated: gain * (sky + offset +
white noise)), with the attributes `file`, `gain`, `first_chunk`, `nchunks`, `chunk_len`.
"""

import argparse
import json
import os
import time

import numpy as np

import common


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dir")
    ap.add_argument("--nside", type=int, default=64)
    ap.add_argument("--files", type=int, default=12)
    ap.add_argument("--chunks-per-file", type=int, default=4,
                    help="pointing periods (offset chunks) per file")
    ap.add_argument("--ring", type=int, default=512, help="samples per ring (one spin)")
    ap.add_argument("--repeat", type=int, default=8, help="rings per pointing period")
    ap.add_argument("--white", type=float, default=1.0, help="white noise rms per sample")
    ap.add_argument("--offsets", type=float, default=10.0, help="1/f offsets rms per chunk")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    comm = None
    launched = any(k in os.environ for k in ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMI_RANK"))
    if launched:  # under mpirun: the ranks share the files (one process needs no MPI)
        from mpi4py import MPI
        comm = MPI.COMM_WORLD
    rank, size = (comm.Get_rank(), comm.Get_size()) if comm is not None else (0, 1)
    import h5py

    t0 = time.perf_counter()
    npix = common.npix_of(a.nside)
    chunk_len = a.ring * a.repeat
    nchunks = a.files * a.chunks_per_file
    run = dict(nside=a.nside, npix=npix, nfiles=a.files, chunks_per_file=a.chunks_per_file,
               ring_len=a.ring, repeat=a.repeat, chunk_len=chunk_len, nchunks=nchunks,
               samples_per_file=chunk_len * a.chunks_per_file,
               nsamples=chunk_len * nchunks, white_sigma=a.white, offset_sigma=a.offsets,
               seed=a.seed)
    os.makedirs(a.dir, exist_ok=True)
    sky = common.make_sky(a.nside, a.seed)
    offsets = common.true_offsets(nchunks, a.offsets, a.seed) if a.offsets > 0 else np.zeros(nchunks)
    if rank == 0:
        with h5py.File(os.path.join(a.dir, "sky.h5"), "w") as f:
            f["sky"] = sky
            f["offsets"] = offsets
            for k, v in run.items():
                f.attrs[k] = v
        with open(os.path.join(a.dir, "run.json"), "w") as f:
            json.dump(run, f, indent=1)
    for fi in range(rank, a.files, size):
        c0 = fi * a.chunks_per_file
        pix = common.scan(c0, a.chunks_per_file, nchunks, a.ring, a.repeat, a.nside)
        rng = np.random.default_rng([a.seed, fi])
        tod = sky[pix] + np.repeat(offsets[c0:c0 + a.chunks_per_file], chunk_len)
        if a.white > 0:
            tod += a.white * rng.normal(size=pix.shape[0])
        g = common.gain_of(fi)
        path = common.file_path(a.dir, fi)
        with h5py.File(path + ".tmp", "w") as f:
            f["pixels"] = pix
            f["signal"] = g * tod
            f.attrs.update(file=fi, gain=g, first_chunk=c0, nchunks=a.chunks_per_file,
                           chunk_len=chunk_len, nside=a.nside)
        os.replace(path + ".tmp", path)
    if comm is not None:
        comm.Barrier()
    if rank == 0:
        nbytes = run["nsamples"] * (4 + 8)
        print("generated %d files in %s: nside %d (%d pixels), %d samples (%.1f MB of "
              "pointing and signal), %d chunks of %d samples, in %.1f s on %d rank(s)"
              % (a.files, a.dir, a.nside, npix, run["nsamples"], nbytes / 1e6, nchunks,
                 chunk_len, time.perf_counter() - t0, size))


if __name__ == "__main__":
    main()
