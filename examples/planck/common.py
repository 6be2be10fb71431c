"""What the Planck-style example's two pipelines (mapmaker.py on h5par, peer.py on today's
tools) share, so that they differ only in how they distribute the work, the maps and the I/O:
the pixelization, the synthetic sky and scan, the per-file reduction (calibration and
compression of the timeline into (chunk, pixel) counts and sums), the destriping algebra on
those counts, and the measurements (stage timers, peak memory).

Pixelization: equal-area cylindrical: 2*nside bands equal in z = cos(colatitude), 6*nside
equal bins in longitude, npix = 12 * nside**2 pixels of equal area (the pixel count of HEALPix
at the same nside, without healpy). Pixel p = iz * (6*nside) + iphi.

Data model (per detector sample i): d_i = gain_f * (sky[p_i] + o_c(i) + w_i), with per-chunk
offsets o_c (the 1/f noise, a random walk plus a jitter from chunk to chunk; a chunk is one
pointing period: `repeat` identical rings) and white noise w_i. Calibration divides by gain_f.

Destriping: the offsets a solve (F' Z F) a = F' Z d with Z = I - P (P'P)^-1 P', where P is the
pointing matrix and F spreads offsets over their chunks. Per chunk c and pixel p, with n_cp the
hits of chunk c in pixel p, N_p = sum_c n_cp and s_cp the calibrated signal summed there:
  (A a)_c = n_c a_c - sum_p n_cp m_p,   m_p = (sum_c' n_c'p a_c') / N_p
  b_c     = sum_p s_cp - sum_p n_cp m0_p, m0 the binned map (sum_c s_cp / N_p)
so the timelines are needed only through (c, p, n_cp, s_cp): `reduce_file` computes them.
A is symmetric positive semi-definite (a common offset is invisible); CG from zero stays in
its range (offsets of zero mean). The destriped map is m0 - (sum_c n_cp a_c) / N_p.
"""

import json
import os
import resource
import time

import numpy as np

ALPHA = np.radians(85.0)  # Planck's opening angle between the spin axis and the line of sight


# --- pixelization -----------------------------------------------------------------------------
def npix_of(nside):
    return 12 * nside * nside


def grid_of(nside):
    """(bands in z, bins in longitude)."""
    return 2 * nside, 6 * nside


def pixel_of(vec, nside):
    """Pixel index of unit vectors (..., 3)."""
    nz, nphi = grid_of(nside)
    z = np.clip(vec[..., 2], -1.0, 1.0)
    phi = np.arctan2(vec[..., 1], vec[..., 0]) % (2 * np.pi)
    iz = np.minimum(((z + 1.0) * (nz / 2.0)).astype(np.int64), nz - 1)
    ip = np.minimum((phi * (nphi / (2 * np.pi))).astype(np.int64), nphi - 1)
    return iz * nphi + ip


def pixel_centers(nside):
    """Unit vectors (npix, 3) of the pixel centres."""
    nz, nphi = grid_of(nside)
    z = -1.0 + (np.arange(nz) + 0.5) * (2.0 / nz)
    phi = (np.arange(nphi) + 0.5) * (2 * np.pi / nphi)
    zz, pp = np.meshgrid(z, phi, indexing="ij")
    s = np.sqrt(1.0 - zz * zz)
    return np.stack([s * np.cos(pp), s * np.sin(pp), zz], axis=-1).reshape(-1, 3)


# --- the synthetic sky and scan --------------------------------------------------------------
def make_sky(nside, seed):
    """A smooth random sky (mK-like units): a dipole, a galactic band and large-scale waves."""
    rng = np.random.default_rng(seed)
    n = pixel_centers(nside)
    sky = 3.0 * n @ np.array([0.3, -0.5, 0.81])
    g = np.array([0.0, np.sin(1.05), np.cos(1.05)])  # the galactic pole, tilted
    gz = n @ g
    sky += 8.0 * np.exp(-np.abs(gz) / 0.06) * (1.0 + 0.5 * np.cos(3.0 * np.arctan2(n[:, 1], n[:, 0])))
    for _ in range(48):
        u = rng.normal(size=3)
        u /= np.linalg.norm(u)
        ell = rng.uniform(2.0, 40.0)
        sky += (1.5 / ell ** 0.7) * np.cos(ell * (n @ u) + rng.uniform(0, 2 * np.pi))
    return sky


def true_offsets(nchunks, sigma, seed):
    """The 1/f-like per-chunk offsets: a random walk (red) plus a jitter, of rms about sigma."""
    rng = np.random.default_rng(seed + 1)
    walk = np.cumsum(rng.normal(size=nchunks))
    walk -= walk.mean()
    walk /= max(walk.std(), 1e-300)
    return sigma * (0.8 * walk + 0.6 * rng.normal(size=nchunks))


def gain_of(f):
    return 1.0 + 0.05 * np.sin(1.7 * f)


def scan(first_chunk, nchunk, total_chunks, ring_len, repeat, nside):
    """Pixels of `nchunk` pointing periods from `first_chunk`: the spin axis on the ecliptic
    steps in longitude once per pointing period (a full turn over `total_chunks`); each period
    scans the same ring `repeat` times."""
    lam = 2 * np.pi * (first_chunk + np.arange(nchunk)) / total_chunks
    psi = 2 * np.pi * np.arange(ring_len) / ring_len
    s = np.stack([np.cos(lam), np.sin(lam), np.zeros_like(lam)], axis=-1)      # (c, 3)
    e = np.stack([-np.sin(lam), np.cos(lam), np.zeros_like(lam)], axis=-1)     # (c, 3)
    ez = np.array([0.0, 0.0, 1.0])
    vec = (np.cos(ALPHA) * s[:, None, :]
           + np.sin(ALPHA) * (np.cos(psi)[None, :, None] * ez
                              + np.sin(psi)[None, :, None] * e[:, None, :]))  # (c, ring, 3)
    ring = pixel_of(vec, nside).astype(np.int32)                               # (c, ring)
    return np.repeat(ring[:, None, :], repeat, axis=1).reshape(-1)


# --- the run's description, and what both map-makers take ---------------------------------------
def parser(doc):
    """The command line both map-makers share: DATA_DIR OUT.h5 --tol --max-iterations --timing."""
    import argparse

    ap = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    ap.add_argument("data", help="the generator's folder")
    ap.add_argument("out", help="the map file to write")
    ap.add_argument("--tol", type=float, default=1e-10, help="CG: ||r|| <= tol ||b||")
    ap.add_argument("--max-iterations", type=int, default=500)
    ap.add_argument("--timing", help="write the JSON line here too (rank 0)")
    return ap


def start(data_dir):
    """(the run's description, this process's peak memory so far in MiB: the baseline of
    Python, numpy, MPI and the libraries before any data)."""
    return load_run(data_dir), maxrss_mib()


def load_run(data_dir):
    with open(os.path.join(data_dir, "run.json")) as f:
        return json.load(f)


def file_path(data_dir, f):
    return os.path.join(data_dir, "tod_%05d.h5" % f)


# --- one file's reduction: calibrate, then compress into (chunk, pixel) counts and sums -------
def reduce_file(pixels, signal, gain, first_chunk, chunk_len, npix):
    """(chunk gid, pixel gid, hits, calibrated signal sum) of every (chunk, pixel) pair the
    file's samples fall in, sorted by chunk then pixel (int64, int64, float64, float64). One
    stable sort of each chunk's pixels; the sums run in sample order. (`npix` bounds the
    pixel indices: they are checked against it.)"""
    d = np.asarray(signal, dtype=np.float64) / gain
    pix = np.asarray(pixels)
    if pix.size and (pix.min() < 0 or pix.max() >= npix):
        raise ValueError("pixel indices outside 0..%d" % (npix - 1))
    parts = []
    for c0 in range(0, pix.shape[0], chunk_len):
        p = pix[c0:c0 + chunk_len]
        order = np.argsort(p, kind="stable")
        ps = p[order]
        first = np.empty(ps.shape[0], dtype=bool)
        first[:1] = True
        np.not_equal(ps[1:], ps[:-1], out=first[1:])
        at = np.flatnonzero(first)
        hits = np.diff(np.append(at, ps.shape[0])).astype(np.float64)
        sums = np.add.reduceat(d[c0:c0 + chunk_len][order], at) if at.size else np.zeros(0)
        chunk = np.full(at.shape[0], first_chunk + c0 // chunk_len, dtype=np.int64)
        parts.append((chunk, ps[at].astype(np.int64), hits, sums))
    return concat(parts)


def concat(parts):
    """The reductions `parts` (a list of 4-tuples) as one 4-tuple of arrays."""
    if not parts:
        return (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), np.zeros(0))
    return tuple(np.concatenate([p[k] for p in parts]) for k in range(4))


def jacobi_diagonal(tri_c, hits_tri, global_hits_tri, nchunk_local):
    """The diagonal of A on this rank's chunks: n_c - sum_p n_cp^2 / N_p (1 where it is zero:
    a chunk seen by no other chunk is decoupled, its row of A is zero and its b is zero)."""
    n_c = np.bincount(tri_c, weights=hits_tri, minlength=nchunk_local)
    with np.errstate(divide="ignore", invalid="ignore"):
        d = n_c - np.bincount(tri_c, weights=hits_tri * hits_tri / global_hits_tri,
                              minlength=nchunk_local)
    d[~(d > 1e-9 * np.maximum(n_c, 1.0))] = 1.0
    return d


def divide(sums, hits):
    """sums / hits, 0 where there are no hits."""
    out = np.zeros_like(sums)
    np.divide(sums, hits, out=out, where=hits > 0)
    return out


# --- measurements --------------------------------------------------------------------------
class Stages:
    """Wall-clock seconds of named stages (rank 0's view, after a barrier)."""

    def __init__(self, comm):
        self.comm = comm
        self.t = {}
        self.comm.Barrier()
        self.start = self.last = time.perf_counter()

    def done(self, name):
        self.comm.Barrier()
        now = time.perf_counter()
        self.t[name] = now - self.last
        self.last = now

    def total(self):
        self.t["whole"] = self.last - self.start
        return self.t


def maxrss_mib():
    """This process's peak resident memory (getrusage maxrss), MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_attrs(run, comm, code, info, tol, replayed):
    """The attributes every output file carries (the same in both pipelines, but `code`)."""
    return {
        "code": code,
        "pixelization": "equal-area cylindrical, 2*nside bands in cos(theta) x 6*nside in phi",
        "nside": run["nside"], "npix": run["npix"], "nfiles": run["nfiles"],
        "nsamples": run["nsamples"], "nchunks": run["nchunks"], "chunk_len": run["chunk_len"],
        "ring_len": run["ring_len"], "repeat": run["repeat"], "seed": run["seed"],
        "white_sigma": run["white_sigma"], "offset_sigma": run["offset_sigma"],
        "ranks": comm.Get_size(), "cg_iterations": info["iterations"],
        "cg_converged": int(info["converged"]), "cg_relative_residual": info["relative_residual"],
        "cg_tolerance": tol, "files_replayed": replayed,
    }


def report(comm, code, run, stages, info, per_rank, timing_path=None, **extra):
    """Rank 0 prints (and writes to `timing_path`) one JSON line: stage seconds, CG figures,
    and the lists over ranks of `per_rank` (a dict of this rank's values) and of peak memory."""
    per_rank = dict(per_rank, maxrss_mib=maxrss_mib())
    gathered = comm.gather(per_rank, root=0)
    if comm.Get_rank() != 0:
        return
    out = dict(code=code, ranks=comm.Get_size(), seconds=stages.total(), cg=info,
               npix=run["npix"], nsamples=run["nsamples"], nfiles=run["nfiles"],
               loadavg=open("/proc/loadavg").read().split()[:3], **extra)
    for k in per_rank:
        out[k] = [g[k] for g in gathered]
    line = json.dumps(out)
    print(line, flush=True)
    if timing_path:
        with open(timing_path, "w") as fh:
            fh.write(line + "\n")
