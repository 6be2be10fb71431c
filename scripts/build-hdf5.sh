#!/usr/bin/env bash
# Builds parallel HDF5 (OpenMPI) from the sources carried by the hdf5-metno-src crate, into a cache
# outside the checkout, and prints the install directory (use it as HDF5_DIR). A finished install
# is reused: nothing is built when it is present.
#
#   scripts/build-hdf5.sh 1.14.5          -> ~/.cache/h5par/hdf5-1.14.5-openmpi
#   scripts/build-hdf5.sh 2.2.0           -> ~/.cache/h5par/hdf5-2.2.0-openmpi
#
# Environment: H5PAR_CACHE (default ~/.cache/h5par), MPICC (default mpicc.openmpi), JOBS (default 2).
# The library is built shared, parallel, with zlib; tools, high-level library, tests, examples,
# C++/Fortran/Java off (the crates' sources omit tools/). HDF5 2.x needs CMake >= 3.26: when the
# system's CMake is older (Debian 12 has 3.25), CMake from PyPI is installed into a venv in the cache.
set -euo pipefail

version=${1:?usage: build-hdf5.sh VERSION (1.14.5 or 2.2.0)}
case "$version" in
  1.14.5) crate_version=0.9.4; need_cmake=3.18 ;;
  2.2.0) crate_version=0.10.4; need_cmake=3.26 ;;
  *) echo "build-hdf5: unknown HDF5 version $version (known: 1.14.5, 2.2.0)" >&2; exit 2 ;;
esac

cache=${H5PAR_CACHE:-$HOME/.cache/h5par}
mpicc=${MPICC:-mpicc.openmpi}
jobs=${JOBS:-2}
prefix="$cache/hdf5-$version-openmpi"
stamp="$prefix/.h5par-built"
log() { echo "build-hdf5 $version: $*" >&2; }

if [ -f "$stamp" ]; then
  echo "$prefix"
  exit 0
fi
mkdir -p "$cache"

# One build of a version at a time (CI and a developer may start it together).
exec 9>"$cache/hdf5-$version.lock"
flock 9
if [ -f "$stamp" ]; then
  echo "$prefix"
  exit 0
fi

# The sources: the crate from the registry, fetched by cargo through a throwaway project (nothing
# is added to the workspace).
find_src() {
  local d
  for d in "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/hdf5-metno-src-"$crate_version"/ext/hdf5; do
    [ -f "$d/CMakeLists.txt" ] && { echo "$d"; return 0; }
  done
  return 1
}
if ! src=$(find_src); then
  log "fetching hdf5-metno-src $crate_version with cargo"
  scratch=$(mktemp -d)
  trap 'rm -rf "$scratch"' EXIT
  mkdir -p "$scratch/src"
  printf '[package]\nname = "h5par-fetch-hdf5-src"\nversion = "0.0.0"\nedition = "2021"\n[dependencies]\nhdf5-metno-src = "=%s"\n' \
    "$crate_version" >"$scratch/Cargo.toml"
  echo 'fn main() {}' >"$scratch/src/main.rs"
  (cd "$scratch" && cargo fetch --quiet)
  src=$(find_src) || { log "hdf5-metno-src $crate_version not found after cargo fetch"; exit 1; }
fi

# CMake, new enough.
version_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -1)" = "$2" ]; }
cmake=cmake
if ! command -v cmake >/dev/null 2>&1 || ! version_ge "$(cmake --version | awk 'NR==1{print $3}')" "$need_cmake"; then
  venv="$cache/cmake-venv"
  if [ ! -x "$venv/bin/cmake" ]; then
    log "installing CMake from PyPI into $venv (system CMake missing or older than $need_cmake)"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "cmake>=3.26"
  fi
  cmake="$venv/bin/cmake"
fi

build=$(mktemp -d "$cache/build-hdf5-$version.XXXXXX")
# A directory without the stamp is an interrupted build: start it again.
rm -rf "$prefix"
log "configuring in $build (CMake $("$cmake" --version | awk 'NR==1{print $3}'), $mpicc)"
# The zlib option was renamed in 2.0; each version ignores the other's name.
"$cmake" -S "$src" -B "$build" -Wno-dev \
  -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_COMPILER="$mpicc" \
  -DCMAKE_INSTALL_PREFIX="$prefix" \
  -DCMAKE_INSTALL_LIBDIR=lib \
  -DCMAKE_INSTALL_RPATH="$prefix/lib" \
  -DHDF5_ENABLE_PARALLEL=ON \
  -DBUILD_SHARED_LIBS=ON \
  -DBUILD_STATIC_LIBS=OFF \
  -DBUILD_TESTING=OFF \
  -DHDF5_BUILD_TOOLS=OFF \
  -DHDF5_BUILD_UTILS=OFF \
  -DHDF5_BUILD_HL_LIB=OFF \
  -DHDF5_BUILD_EXAMPLES=OFF \
  -DHDF5_BUILD_CPP_LIB=OFF \
  -DHDF5_BUILD_FORTRAN=OFF \
  -DHDF5_BUILD_JAVA=OFF \
  -DHDF5_ENABLE_Z_LIB_SUPPORT=ON \
  -DHDF5_ENABLE_ZLIB_SUPPORT=ON \
  -DHDF5_ENABLE_SZIP_SUPPORT=OFF \
  -DHDF5_NO_PACKAGES=ON >"$build/configure.log" 2>&1 \
  || { log "configure failed, see $build/configure.log"; tail -20 "$build/configure.log" >&2; exit 1; }
log "building with $jobs jobs (log: $build/build.log)"
"$cmake" --build "$build" -j "$jobs" >"$build/build.log" 2>&1 \
  || { log "build failed, see $build/build.log"; tail -20 "$build/build.log" >&2; exit 1; }
"$cmake" --install "$build" >"$build/install.log" 2>&1 \
  || { log "install failed, see $build/install.log"; tail -20 "$build/install.log" >&2; exit 1; }

date -u +%FT%TZ >"$stamp"
rm -rf "$build"
log "installed in $prefix"
echo "$prefix"
