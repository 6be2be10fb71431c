"""The picture of the Planck-style example: input sky, binned map, destriped map and the
destriped map's residual, in Mollweide projection (matplotlib), from a map file of
mapmaker.py or peer.py (read with h5py).

    python3 plot.py DATA_DIR MAP.h5 OUT.png
"""

import argparse

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import common  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data")
    ap.add_argument("map")
    ap.add_argument("png")
    a = ap.parse_args()
    with h5py.File(a.data + "/sky.h5", "r") as f:
        sky = f["sky"][...]
    with h5py.File(a.map, "r") as f:
        hits = f["hits"][...]
        binned = f["binned_map"][...]
        destriped = f["destriped_map"][...]
        attrs = dict(f.attrs)
    nside = int(attrs["nside"])
    nz, nphi = common.grid_of(nside)
    seen = hits > 0
    # A common offset is invisible to destriping: compare with the monopole removed.
    shift = np.mean((destriped - sky)[seen])
    res = np.where(seen, destriped - sky - shift, np.nan)
    bres = np.mean((binned - sky)[seen])
    lat = np.arcsin(np.linspace(-1.0, 1.0, nz + 1))
    lon = np.linspace(-np.pi, np.pi, nphi + 1)
    rms = lambda m: float(np.sqrt(np.nanmean(m ** 2)))  # noqa: E731
    panels = [
        ("input sky", sky, None),
        ("binned map (residual rms %.3g)" % rms(np.where(seen, binned - sky - bres, np.nan)),
         np.where(seen, binned - bres, np.nan), None),
        ("destriped map", np.where(seen, destriped - shift, np.nan), None),
        ("destriped - input sky (rms %.3g)" % rms(res), res, "residual"),
    ]
    lo, hi = np.percentile(sky, [1, 99])
    fig = plt.figure(figsize=(12, 7))
    for k, (title, m, kind) in enumerate(panels):
        ax = fig.add_subplot(2, 2, k + 1, projection="mollweide")
        grid = m.reshape(nz, nphi)
        if kind == "residual":
            r = np.nanpercentile(np.abs(m), 99)
            im = ax.pcolormesh(lon, lat, grid, cmap="RdBu_r", vmin=-r, vmax=r, shading="flat")
        else:
            im = ax.pcolormesh(lon, lat, grid, cmap="viridis", vmin=lo, vmax=hi, shading="flat")
        ax.set_title(title, fontsize=10)
        ax.set_xticklabels([])
        ax.set_yticklabels([])
        fig.colorbar(im, ax=ax, orientation="horizontal", fraction=0.05, pad=0.04)
    fig.suptitle("h5par Planck-style map-maker: nside %d (%d pixels), %d files, %d samples, "
                 "%d ranks, CG %d iterations" % (nside, attrs["npix"], attrs["nfiles"],
                                                  attrs["nsamples"], attrs["ranks"],
                                                  attrs["cg_iterations"]), fontsize=11)
    fig.savefig(a.png, dpi=90, bbox_inches="tight")
    print("wrote", a.png)


if __name__ == "__main__":
    main()
