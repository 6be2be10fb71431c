#!/usr/bin/env bash
# `make planck`: the Planck-style example end to end, on OpenMPI (Debian's mpi4py and h5py-mpio
# are OpenMPI builds): installs the h5par Python package (against target/release) into
# DIR/site, generates the timelines, runs the h5par map-maker and its peer, compares their
# numbers, and draws the picture.
#   examples/planck/run.sh [DIR]    (default /tmp/h5par-planck)
# Environment: PLANCK_RANKS (default 2), PLANCK_ARGS (the generator's size arguments),
# PLANCK_PNG (the picture; default DIR/planck_maps.png), PY (default /usr/bin/python3).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DIR=${1:-/tmp/h5par-planck}
PY=${PY:-/usr/bin/python3}
RANKS=${PLANCK_RANKS:-2}
read -r -a SIZE <<<"${PLANCK_ARGS:---nside 128 --files 48 --chunks-per-file 8 --ring 1024 --repeat 16}"
PNG=${PLANCK_PNG:-$DIR/planck_maps.png}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
mkdir -p "$DIR"
"$HERE/install.sh" "$DIR/site" >/dev/null
export PYTHONPATH=$DIR/site${PYTHONPATH:+:$PYTHONPATH}
cd "$HERE"
rm -rf "$DIR/data"
"$PY" generate.py "$DIR/data" "${SIZE[@]}"
echo "== h5par map-maker on $RANKS ranks"
mpirun.openmpi -n "$RANKS" "$PY" mapmaker.py "$DIR/data" "$DIR/map_h5par.h5" --fresh
echo "== peer (mpi4py.futures, numpy + Allreduce, h5py-mpio) on $RANKS ranks"
H5PY_ALWAYS_USE_MPI=1 mpirun.openmpi -n "$RANKS" "$PY" peer.py "$DIR/data" "$DIR/map_peer.h5"
echo "== the same numbers?"
"$PY" compare.py "$DIR/data" "$DIR/map_h5par.h5" "$DIR/map_peer.h5"
"$PY" plot.py "$DIR/data" "$DIR/map_h5par.h5" "$PNG"
echo "maps: $DIR/map_h5par.h5 (h5py: binned_map, destriped_map, hits, offsets, attributes)"
