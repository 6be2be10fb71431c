#!/usr/bin/env bash
# The Rust suite (crate h5par: unit tests, multi-rank tests, doc tests) and the C suite (crate
# h5par-ffi: C ABI, C/Fortran programs, make install + pkg-config without LD_LIBRARY_PATH)
# against each parallel HDF5 built by scripts/build-hdf5.sh (OpenMPI), with HDF5_DIR and a
# target directory of its own (target-hdf5-VERSION). Debian's HDF5 1.10.8 is `make test`'s.
#
#   scripts/test-hdf5-versions.sh [VERSION...]     (default: 1.14.5 2.2.0)
#
# Each version's HDF5 is built on first use into ~/.cache/h5par (H5PAR_CACHE) and reused.
set -euo pipefail
cd "$(dirname "$0")/.."
versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(1.14.5 2.2.0)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_mpi_yield_when_idle=1
failed=()
for v in "${versions[@]}"; do
  echo "=== HDF5 $v (OpenMPI)"
  start=$(date +%s)
  dir=$(scripts/build-hdf5.sh "$v")
  target=$PWD/target-hdf5-$v
  if ! env -u LD_LIBRARY_PATH HDF5_DIR="$dir" MPICC=mpicc.openmpi H5PAR_MPIRUN=mpirun.openmpi \
       CARGO_TARGET_DIR="$target" cargo test -p h5par -p h5par-ffi; then
    failed+=("$v")
    continue
  fi
  # The test programs must have run on this HDF5, not on Debian's.
  mpi_test=$(ls -t "$target"/debug/deps/mpi-* 2>/dev/null | grep -v '\.d$' | head -1)
  if ! ldd "$mpi_test" | grep -F "$dir/lib/libhdf5.so" >/dev/null; then
    echo "test-hdf5-versions: $mpi_test is not linked with $dir/lib/libhdf5.so:" >&2
    ldd "$mpi_test" | grep -i hdf5 >&2
    failed+=("$v (wrong HDF5)")
    continue
  fi
  echo "=== HDF5 $v: passed in $(( $(date +%s) - start )) s"
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "test-hdf5-versions: FAILED on HDF5 ${failed[*]}" >&2
  exit 1
fi
echo "test-hdf5-versions: the Rust and C suites passed on HDF5 ${versions[*]}"
