#!/usr/bin/env bash
# A Python virtual environment for the Python tests on MPICH, outside the checkout, created when
# absent and reused: mpi4py built from its PyPI source with MPICC=mpicc.mpich (Debian's
# python3-mpi4py is OpenMPI's), numpy, Cython, pytest, setuptools, wheel, and h5py (a serial
# wheel: the tests use it only to read files back). Prints the venv's python.
#
#   scripts/mpich-venv.sh            -> ~/.cache/h5par/venv-mpich/bin/python
#
# Environment: H5PAR_CACHE (default ~/.cache/h5par), PYTHON (the base interpreter, default
# /usr/bin/python3), MPICC (default mpicc.mpich).
set -euo pipefail
cache=${H5PAR_CACHE:-$HOME/.cache/h5par}
venv="$cache/venv-mpich"
mpicc=${MPICC:-mpicc.mpich}
stamp="$venv/.h5par-ready"
if [ -f "$stamp" ]; then
  echo "$venv/bin/python"
  exit 0
fi
mkdir -p "$cache"
exec 9>"$cache/venv-mpich.lock"
flock 9
if [ ! -f "$stamp" ]; then
  command -v "$mpicc" >/dev/null || { echo "mpich-venv: $mpicc missing (Debian: apt-get install mpich libmpich-dev)" >&2; exit 1; }
  rm -rf "$venv"
  echo "mpich-venv: creating $venv (mpi4py from source with MPICC=$mpicc)" >&2
  "${PYTHON:-/usr/bin/python3}" -m venv "$venv"
  pip=("$venv/bin/python" -m pip install --quiet --disable-pip-version-check)
  "${pip[@]}" --upgrade pip
  "${pip[@]}" numpy Cython pytest setuptools wheel h5py
  MPICC="$mpicc" "${pip[@]}" --no-binary mpi4py --no-cache-dir mpi4py
  "$venv/bin/python" - <<'PY'
import mpi4py
mpi4py.rc.initialize = False
from mpi4py import MPI
assert "MPICH" in MPI.Get_library_version(), MPI.Get_library_version()
PY
  date -u +%FT%TZ >"$stamp"
fi
echo "$venv/bin/python"
