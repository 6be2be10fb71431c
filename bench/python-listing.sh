#!/usr/bin/env bash
# Issue 12's measurement: opening a file of 2,000 datasets (20 groups of 100) and listing and
# visiting it from Python, h5par against h5py-mpio, on 2 and 4 ranks: the median time of
# REPEATS rounds (series alternated, h5par first on odd rounds) and the file-system calls per
# rank of one round from `strace -c -f`, restricted to the file and its directory (-P), with
# the calls of a run that only imports and initializes subtracted.
#   bench/python-listing.sh [DIR] [REPEATS] [RANKS...]      (defaults /tmp 7 2 4)
# Needs the package importable (PYTHONPATH=... of an installed h5par) and Debian's MPI h5py.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:-/tmp}; reps=${2:-7}; shift $(( $# > 2 ? 2 : $# )) || true
ranks=("$@"); [ ${#ranks[@]} -gt 0 ] || ranks=(2 4)
PY=${PYTHON:-/usr/bin/python3}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 H5PY_ALWAYS_USE_MPI=1
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_mpi_yield_when_idle=1
work=$(mktemp -d "$dir/h5par-listing.XXXXXX")
trap 'rm -rf "$work"' EXIT
file=$work/list.h5
mpirun.openmpi -n 1 "$PY" "$here/python_listing.py" setup "$file" 2000
echo "load: $(cat /proc/loadavg)"
for np in "${ranks[@]}"; do
  for ((i = 0; i < reps; i++)); do
    if ((i % 2)); then order="h5py h5par"; else order="h5par h5py"; fi
    for s in $order; do
      mpirun.openmpi -n "$np" "$PY" "$here/python_listing.py" run "$file" "$s" 1
    done
  done | "$PY" -c '
import json, statistics, sys
rows = [json.loads(l) for l in sys.stdin if l.startswith("{")]
for s in ("h5par", "h5py"):
    t = [r["median_s"] for r in rows if r["series"] == s]
    print("ranks %d %-6s median %.4f s (min %.4f max %.4f, %d runs) groups/members/visited %s"
          % (rows[0]["ranks"], s, statistics.median(t), min(t), max(t), len(t),
             [r for r in rows if r["series"] == s][0]["groups_members_visited"]))
'
  for s in h5par h5py; do
    for reps1 in 0 1; do
      out=$work/st-$s-$np-$reps1; mkdir -p "$out"
      mpirun.openmpi -n "$np" sh -c 'exec strace -f -c -o "$0/rank${OMPI_COMM_WORLD_RANK:-$PMI_RANK}.txt" -P "$1" -P "$2" "$3" "$4" run "$1" "$5" "$6"' \
        "$out" "$file" "$work" "$PY" "$here/python_listing.py" "$s" "$reps1" >/dev/null
    done
    for ((r = 0; r < np; r++)); do
      count() { awk '$1 ~ /^[0-9.]+$/ && NF >= 5 && $NF != "total" { n += $4 } END { print n + 0 }' "$1"; }
      a=$(count "$work/st-$s-$np-1/rank$r.txt"); b=$(count "$work/st-$s-$np-0/rank$r.txt")
      echo "ranks $np $s rank $r: file-system calls on the file and its directory: $((a - b)) (one round)"
    done
  done
done
echo "load: $(cat /proc/loadavg)"
