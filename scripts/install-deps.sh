#!/usr/bin/env bash
# Installs what h5par needs to build and test, on Debian/Ubuntu (as root, or with sudo).
# Elsewhere (a supercomputing center) it says what is missing: load the modules that provide it.
set -euo pipefail

PKGS="pkg-config libclang-dev gfortran hdf5-tools
      libhdf5-openmpi-dev openmpi-bin libhdf5-mpich-dev mpich
      cython3 python3-mpi4py python3-h5py-mpi python3-numpy python3-pytest python3-pip
      strace python3-venv python3-petsc4py python3-matplotlib
      btrfs-progs fuse3 libfuse3-dev gcc mount"

missing_debian() {
  local m=""
  for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || m="$m $p"
  done
  echo "$m"
}

if command -v dpkg-query >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  missing=$(missing_debian)
  if [ -z "$missing" ]; then
    echo "install-deps: all packages present"
    exit 0
  fi
  echo "install-deps: installing:$missing"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
      echo "install-deps: not root and no sudo; install these packages:$missing" >&2; exit 1; fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  # shellcheck disable=SC2086
  $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
  echo "install-deps: done"
  exit 0
fi

# Not Debian: report what is missing instead of installing.
status=0
need() { command -v "$1" >/dev/null 2>&1 || { echo "missing: $1 ($2)" >&2; status=1; }; }
need mpicc "an MPI module (OpenMPI or MPICH, e.g. 'module load openmpi')"
need mpirun "an MPI module"
need h5pcc "a parallel HDF5 module (e.g. 'module load cray-hdf5-parallel'); set HDF5_DIR"
need gfortran "a Fortran compiler (for the Fortran tests)"
need python3 "python3 with h5py (MPI build), mpi4py, numpy for the Python tests"
# The disk cases (tests/mpi/cases.rs: device_error, quota_exceeded) also need root, /dev/fuse,
# libfuse3 and btrfs-progs; without them those cases fail, saying what is missing (a note here).
want() { command -v "$1" >/dev/null 2>&1 || echo "note: no $1 ($2)" >&2; }
want mkfs.btrfs "btrfs-progs, for the quota case quota_exceeded"
want fusermount3 "fuse3 and libfuse3-dev, for the device-error case device_error"
[ $status = 0 ] && echo "install-deps: tools found (not a Debian system: nothing installed)"
exit $status
