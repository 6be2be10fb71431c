#!/usr/bin/env bash
# File-system calls per rank for opening a file and its 100 datasets, at 1, 2, 4 and 8 ranks:
# every rank runs under `strace -c -f`, restricted to the file and its directory (-P), and the
# table gives each rank's calls: all of them, path queries (stat family, statfs, getxattr) and
# reads (pread64: HDF5's metadata reads).
#   bench/metadata-strace.sh [DIR] [N] [RANKS...]      (defaults /tmp 100 1 2 4 8)
# H5PAR_ROOT=another checkout measures that one (e.g. an older commit, for before/after).
set -euo pipefail
root=${H5PAR_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
dir=${1:-/tmp}; n=${2:-100}; shift $(( $# > 2 ? 2 : $# )) || true
ranks=("$@"); [ ${#ranks[@]} -gt 0 ] || ranks=(1 2 4 8)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_mpi_yield_when_idle=1
(cd "$root" && MPICC=mpicc.openmpi cargo build --release --example open_datasets >&2)
bin=$root/target/release/examples/open_datasets
work=$(mktemp -d "$dir/h5par-strace.XXXXXX")
trap 'rm -rf "$work"' EXIT
file=$work/meta.h5
mpirun.openmpi -n 2 "$bin" setup "$file" "$n"
echo "open + $n dataset opens, $(cd "$root" && git log -1 --format='%h %s' | cut -c1-60)"
printf '%5s %5s %8s %12s %8s %8s\n' ranks rank "all" "path-queries" statfs pread64
for np in "${ranks[@]}"; do
  out=$work/np$np; mkdir -p "$out"
  mpirun.openmpi -n "$np" sh -c 'exec strace -f -c -o "$0/rank${OMPI_COMM_WORLD_RANK:-$PMI_RANK}.txt" -P "$1" -P "$2" "$3" open "$1" "$4"' \
    "$out" "$file" "$work" "$bin" "$n"
  for r in $(seq 0 $((np - 1))); do
    awk -v np="$np" -v r="$r" '
      $1 ~ /^[0-9.]+$/ && NF >= 5 && $NF != "total" {
        all += $4
        if ($NF ~ /stat|xattr|access|readlink/) q += $4
        if ($NF ~ /statfs/) s += $4
        if ($NF ~ /pread/) p += $4
      }
      END { printf "%5d %5d %8d %12d %8d %8d\n", np, r, all, q, s, p }' "$out/rank$r.txt"
  done
done
