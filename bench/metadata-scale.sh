#!/usr/bin/env bash
# The metadata-heavy case at 8 ranks (oversubscribed here): 2,000 small datasets written with
# an attribute each, then read back and verified, h5par against h5py with the mpio driver
# (Debian's, HDF5 1.10.8 like h5par's build here) in the same run; the order of the two series
# rotates from repeat to repeat; medians, ratios and the load average are printed.
#   bench/metadata-scale.sh [DIR] [REPEATS] [RANKS] [N] [ELEMS_PER_RANK]   (/dev/shm 5 8 2000 64)
# H5PAR_BEFORE=path/to/another/metadata_bench adds it as the series "h5par-before" (an older
# commit's build, for before/after in the same run). BOTH_READS=1 adds the series
# "h5par-independent-read" and "h5py-collective" (h5py's `ds[lo:hi]` is an independent read
# even inside `ds.collective`; see bench/metadata_bench_h5py.py).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-/dev/shm}; reps=${2:-5}; np=${3:-8}; n=${4:-2000}; per=${5:-64}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_mpi_yield_when_idle=1
export H5PY_ALWAYS_USE_MPI=1
MPICC=mpicc.openmpi cargo build --release --example metadata_bench >&2
bin=target/release/examples/metadata_bench
out=$(mktemp)
work=$(mktemp -d "$dir/h5par-scale.XXXXXX")   # private: other runs may use the same names
trap 'rm -rf "$out" "$work"' EXIT
h5par_run() { mpirun.openmpi -n "$np" "$bin" "$work" "$n" "$per" >>"$out"; }
h5py_run() { mpirun.openmpi -n "$np" /usr/bin/python3 bench/metadata_bench_h5py.py "$work" "$n" "$per" >>"$out"; }
before_run() {
  [ -n "${H5PAR_BEFORE:-}" ] || return 0
  mpirun.openmpi -n "$np" "$H5PAR_BEFORE" "$work" "$n" "$per" | sed 's/h5par-tuning-on/h5par-before/' >>"$out"
}
h5par_indep_run() { READ=independent mpirun.openmpi -n "$np" "$bin" "$work" "$n" "$per" >>"$out"; }
h5py_coll_run() { READ=collective mpirun.openmpi -n "$np" /usr/bin/python3 bench/metadata_bench_h5py.py "$work" "$n" "$per" >>"$out"; }
series=(h5par_run h5py_run)
[ -n "${H5PAR_BEFORE:-}" ] && series+=(before_run)
[ "${BOTH_READS:-0}" = 1 ] && series+=(h5par_indep_run h5py_coll_run)
ns=${#series[@]}
echo "load average before: $(cat /proc/loadavg)"
if [ "${WARMUP:-1}" = 1 ]; then for s in "${series[@]}"; do "$s"; done; : >"$out"; fi   # WARMUP=0 skips it
for r in $(seq "$reps"); do
  for k in $(seq 0 $((ns - 1))); do "${series[$(( (k + r) % ns ))]}"; done
  echo "repeat $r done, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
done
echo "load average after: $(cat /proc/loadavg)"
/usr/bin/python3 - "$out" "$dir" "$n" "$reps" "$np" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
print(f"{sys.argv[3]} datasets in {sys.argv[2]}, {sys.argv[5]} ranks, median of {sys.argv[4]}:")
print(f"{'series':18} {'phase':6} {'median s':>9} {'min':>8} {'max':>8} {'vs h5py':>8}")
for phase in ("write", "read"):
    med = {}
    for s in ("h5par-tuning-on", "h5par-before", "h5py", "h5par-independent-read",
              "h5py-collective"):
        xs = [r["seconds"] for r in rows if r["series"] == s and r["phase"] == phase]
        if xs:
            med[s] = (statistics.median(xs), min(xs), max(xs))
    for s, (m, lo, hi) in med.items():
        print(f"{s:18} {phase:6} {m:9.3f} {lo:8.3f} {hi:8.3f} {m / med['h5py'][0]:7.2f}x")
PY
