#!/usr/bin/env bash
# A Python virtual environment for the ipyparallel example (examples/farm_ipyparallel.py),
# outside the checkout, created when absent and reused: /usr/bin/python3 with its system site
# packages (Debian's mpi4py on OpenMPI, numpy, h5py) plus ipyparallel from PyPI. Prints the
# venv's python.
#
#   scripts/ipp-venv.sh            -> ~/.cache/h5par/venv-ipp/bin/python
#
# Environment: H5PAR_CACHE (default ~/.cache/h5par), PYTHON (default /usr/bin/python3).
set -euo pipefail
cache=${H5PAR_CACHE:-$HOME/.cache/h5par}
venv="$cache/venv-ipp"
stamp="$venv/.h5par-ready"
if [ -f "$stamp" ]; then
  echo "$venv/bin/python"
  exit 0
fi
mkdir -p "$cache"
exec 9>"$cache/venv-ipp.lock"
flock 9
if [ ! -f "$stamp" ]; then
  rm -rf "$venv"
  echo "ipp-venv: creating $venv (ipyparallel from PyPI over the system site packages)" >&2
  "${PYTHON:-/usr/bin/python3}" -m venv --system-site-packages "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check ipyparallel
  "$venv/bin/python" -c 'import ipyparallel, mpi4py, numpy; print("ipyparallel", ipyparallel.__version__)' >&2
  date -u +%FT%TZ >"$stamp"
fi
echo "$venv/bin/python"
