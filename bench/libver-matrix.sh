#!/usr/bin/env bash
# The measurements behind h5par's default file-format bounds (libver): for each HDF5 h5par is
# built with (Debian's 1.10.8, and 1.14.5 and 2.2.0 from scripts/build-hdf5.sh) and each pair
# of bounds,
#   - readability: a file with what h5par writes (examples/libver_file.rs) read by Debian's
#     h5dump (HDF5 1.10.8), Debian's h5py (1.10.8) and h5par built with each HDF5;
#   - speed: 2,000 small datasets written with an attribute each, then read back and verified
#     (examples/metadata_bench.rs), 2 ranks, medians of REPEATS, series order rotating.
#   bench/libver-matrix.sh [DIR] [REPEATS] [N]        (defaults /dev/shm 3 2000)
# SPEED_VERSIONS="1.10.8 2.2.0" limits the speed half to these builds (default: all three).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-/dev/shm}; reps=${2:-3}; n=${3:-2000}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_mpi_yield_when_idle=1
versions=(1.10.8 1.14.5 2.2.0)
bounds=("earliest,latest" "v18,latest" "v110,latest" "latest,latest")
build_env() {  # VERSION -> env assignments for cargo
  if [ "$1" = 1.10.8 ]; then echo "CARGO_TARGET_DIR=$PWD/target"
  else echo "HDF5_DIR=$(scripts/build-hdf5.sh "$1") CARGO_TARGET_DIR=$PWD/target-hdf5-$1"; fi
}
tdir() { if [ "$1" = 1.10.8 ]; then echo target; else echo "target-hdf5-$1"; fi; }
read -r -a speed_versions <<<"${SPEED_VERSIONS:-${versions[*]}}"
for v in "${versions[@]}"; do
  env $(build_env "$v") MPICC=mpicc.openmpi cargo build -q --example libver_file >&2
done
[ "$reps" -gt 0 ] || speed_versions=()
for v in "${speed_versions[@]}"; do
  env $(build_env "$v") MPICC=mpicc.openmpi cargo build -q --release --example metadata_bench >&2
done
work=$(mktemp -d "$dir/h5par-libver.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "load average: $(cat /proc/loadavg)"
echo "readability (ok / FAIL) of a file written by h5par with each HDF5 and bounds:"
printf '%-8s %-16s %-8s %-8s' writer bounds h5dump-1.10 h5py-1.10
for r in "${versions[@]}"; do printf ' %-12s' "h5par-$r"; done; echo
for v in "${versions[@]}"; do
  for b in "${bounds[@]}"; do
    f=$work/w$v-${b/,/-}.h5
    H5PAR_LIBVER=$b mpirun.openmpi -n 2 "$(tdir "$v")/debug/examples/libver_file" write "$f"
    h5d=FAIL; h5dump -H "$f" >/dev/null 2>&1 && h5dump -d /run/b/z "$f" >/dev/null 2>&1 && h5d=ok
    py=FAIL
    /usr/bin/python3 -c 'import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as f:
    assert f["run/a/x"][...].size == 2000 and int(f["run/b/z"][1500]) == 1
    assert f["run/a/x"].attrs["units"] in ("m", b"m")' "$f" >/dev/null 2>&1 && py=ok
    printf '%-8s %-16s %-11s %-9s' "$v" "$b" "$h5d" "$py"
    for r in "${versions[@]}"; do
      rd=FAIL
      mpirun.openmpi -n 1 "$(tdir "$r")/debug/examples/libver_file" read "$f" 2>/dev/null | grep -q "read ok" && rd=ok
      printf ' %-12s' "$rd"
    done
    echo
  done
done
[ "$reps" -gt 0 ] || exit 0   # REPEATS=0: readability only
echo
echo "speed: $n datasets in $dir, 2 ranks, write (with an attribute each) and read back + verify, median of $reps:"
out=$work/speed.jsonl
for rep in $(seq "$reps"); do
  for i in "${!speed_versions[@]}"; do
    for j in "${!bounds[@]}"; do
      k=$(( (i * ${#bounds[@]} + j + rep) % ${#bounds[@]} ))
      v=${speed_versions[$i]}; b=${bounds[$k]}
      H5PAR_LIBVER=$b mpirun.openmpi -n 2 "$(tdir "$v")/release/examples/metadata_bench" "$work" "$n" 64 \
        | sed "s/^{/{\"hdf5\": \"$v\", \"bounds\": \"$b\", /" >>"$out"
    done
  done
done
/usr/bin/python3 - "$out" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
print(f"{'hdf5':8} {'bounds':16} {'write s':>8} {'read s':>8} {'write vs earliest':>18}")
for v in sorted({r["hdf5"] for r in rows}):
    base = None
    for b in ("earliest,latest", "v18,latest", "v110,latest", "latest,latest"):
        m = {p: statistics.median([r["seconds"] for r in rows if r["hdf5"] == v and r["bounds"] == b and r["phase"] == p]) for p in ("write", "read")}
        base = base or m["write"]
        print(f"{v:8} {b:16} {m['write']:8.3f} {m['read']:8.3f} {m['write'] / base:17.2f}x")
PY
echo "load average: $(cat /proc/loadavg)"
