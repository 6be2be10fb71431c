"""The checker of the Planck-style example: reads map files with h5py (serially) and compares.

    python3 compare.py DATA_DIR A.h5 [B.h5 ...] [--rtol 1e-9] [--noiseless]

Against the truth (DATA_DIR/sky.h5), for the first file: residual rms of the binned and of the
destriped map over the observed pixels (their monopole removed: a common offset is invisible
to destriping) and their ratio; with --noiseless, the binned map must equal the input sky on
every observed pixel (to 1e-12 relative). Every further file must hold the same numbers as the
first: hits exactly, binned and destriped maps and offsets within --rtol of the data's scale.
Exits 1 on any difference, printing a JSON line of the figures.
"""

import argparse
import json
import sys

import h5py
import numpy as np

NAMES = ("hits", "binned_map", "destriped_map", "offsets")


def read(path):
    with h5py.File(path, "r") as f:
        return {k: f[k][...] for k in NAMES}, dict(f.attrs)


def residual_rms(m, sky, seen):
    r = (m - sky)[seen]
    return float(np.sqrt(np.mean((r - r.mean()) ** 2)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data")
    ap.add_argument("files", nargs="+")
    ap.add_argument("--rtol", type=float, default=1e-9)
    ap.add_argument("--noiseless", action="store_true")
    a = ap.parse_args()
    with h5py.File(a.data + "/sky.h5", "r") as f:
        sky = f["sky"][...]
        true_off = f["offsets"][...]
    ref, attrs = read(a.files[0])
    seen = ref["hits"] > 0
    out = dict(observed_pixels=int(seen.sum()), npix=int(sky.shape[0]),
               cg_iterations=int(attrs.get("cg_iterations", -1)))
    out["binned_rms"] = residual_rms(ref["binned_map"], sky, seen)
    out["destriped_rms"] = residual_rms(ref["destriped_map"], sky, seen)
    out["improvement"] = out["binned_rms"] / max(out["destriped_rms"], 1e-300)
    off = ref["offsets"]
    out["offsets_error_rms"] = float(np.sqrt(np.mean(((off - off.mean())
                                                      - (true_off - true_off.mean())) ** 2)))
    ok = True
    if a.noiseless:
        err = float(np.max(np.abs(ref["binned_map"][seen] - sky[seen]) / np.maximum(np.abs(sky[seen]), 1.0)))
        out["noiseless_max_rel_error"] = err
        if err > 1e-12:
            ok = False
            out["failure"] = "the binned map differs from the sky where the noise is zero"
    diffs = {}
    for path in a.files[1:]:
        other, _ = read(path)
        d = {}
        for k in NAMES:
            x, y = ref[k], other[k]
            if x.shape != y.shape:
                d[k] = "shape %s against %s" % (x.shape, y.shape)
                ok = False
                continue
            scale = max(float(np.max(np.abs(x))) if x.size else 0.0, 1e-300)
            rel = float(np.max(np.abs(x - y)) / scale) if x.size else 0.0
            d[k] = rel
            if (k == "hits" and rel != 0.0) or rel > a.rtol:
                ok = False
        diffs[path] = d
    out["max_relative_differences"] = diffs
    out["ok"] = ok
    print(json.dumps(out))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
