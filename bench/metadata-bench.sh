#!/usr/bin/env bash
# The metadata-heavy comparison: 2,000 small datasets from 2 ranks, h5par tuned vs
# H5PAR_TUNING=off vs raw MPI-IO vs h5py, interleaved repeat by repeat, medians printed.
#   bench/metadata-bench.sh DIR [REPEATS] [N] [ELEMS_PER_RANK]
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-/tmp}; reps=${2:-5}; n=${3:-2000}; per=${4:-64}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
bin=target/release/examples/metadata_bench
cargo build --release --example metadata_bench >&2
out=$(mktemp)
for r in $(seq "$reps"); do
  mpirun.openmpi -n 2 "$bin" "$dir" "$n" "$per" >> "$out"
  H5PAR_TUNING=off mpirun.openmpi -n 2 "$bin" "$dir" "$n" "$per" >> "$out"
  MODE=mpiio mpirun.openmpi -n 2 "$bin" "$dir" "$n" "$per" >> "$out"
  mpirun.openmpi -n 2 /usr/bin/python3 bench/metadata_bench_h5py.py "$dir" "$n" "$per" >> "$out"
done
/usr/bin/python3 - "$out" "$dir" "$n" "$reps" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
rows = [r for r in rows if r.get("phase", "write") == "write"]
series = ["h5par-tuning-on", "h5par-tuning-off", "mpiio", "h5py"]
med = {s: statistics.median([r["seconds"] for r in rows if r["series"] == s]) for s in series}
print(f"{sys.argv[3]} datasets in {sys.argv[2]}, 2 ranks, median of {sys.argv[4]}:")
print(f"{'series':18} {'median s':>9} {'vs tuned':>9}")
for s in series:
    print(f"{s:18} {med[s]:9.3f} {med[s] / med['h5par-tuning-on']:8.2f}x")
PY
rm -f "$out"
