#!/usr/bin/env bash
# Installs the h5par Python package from ffi/python into the folder $1 (for PYTHONPATH), built
# against include/h5par.h and target/release's libh5par (built first with cargo, OpenMPI).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SITE=$1
PY=${PY:-/usr/bin/python3}
(cd "$ROOT" && MPICC=${MPICC:-mpicc.openmpi} cargo build --release -p h5par-ffi)
rm -rf "$SITE"
H5PAR_LIB_DIR=$ROOT/target/release H5PAR_INCLUDE_DIR=$ROOT/include \
    "$PY" -m pip install --quiet --root-user-action=ignore --no-build-isolation --no-deps \
    --no-compile --target "$SITE" "$ROOT/ffi/python"
echo "h5par installed into $SITE (against $ROOT/target/release)"
