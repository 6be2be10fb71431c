#!/usr/bin/env bash
# The distributed-vector benchmark: h5par, Epetra (Trilinos 13.2, C++) and PETSc (petsc4py
# 3.18) with raw MPI-IO, side by side on 2 ranks, REPS repeats in rotated order; CSV in OUT,
# then the table of medians and ratios (h5par-vector-bench report).
#
#   bench/vector/run.sh                 # full size: 5e7 f64, 1e6 samples/rank, 1000^2 grid
#   N=5000000 SAMPLES=100000 GRID=300 REPS=3 bench/vector/run.sh    # quick
#
# Needs libtrilinos-epetra-dev and python3-petsc4py (Debian); HDF5 files go to DIR
# (default /dev/shm). Records the load average before and after each run.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
N=${N:-50000000}
SAMPLES=${SAMPLES:-1000000}
GRID=${GRID:-1000}
REPS=${REPS:-3}
DIR=${DIR:-/dev/shm}
OUT=${OUT:-$ROOT/bench-out/vector}
RANKS=2
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
mkdir -p "$OUT"
for p in libtrilinos-epetra-dev python3-petsc4py; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || { echo "run.sh: install $p (apt-get install $p)" >&2; exit 1; }
done
(cd "$ROOT" && MPICC=mpicc.openmpi cargo build --release -q -p h5par-cli --bin h5par-vector-bench)
mpic++.openmpi -O2 -o "$OUT/epetra_bench" "$ROOT/bench/vector/epetra_bench.cpp" \
  -I/usr/include/trilinos -ltrilinos_epetra
CSV=$OUT/results.csv
: >"$CSV"
series=(h5par epetra petsc)
run_one() {
  local s=$1 rep=$2
  echo "# $s rep $rep start $(date -u +%T) loadavg $(cut -d' ' -f1-3 /proc/loadavg)" >>"$CSV"
  case $s in
    h5par) mpirun.openmpi -n $RANKS "$ROOT/target/release/h5par-vector-bench" measure \
             --rep "$rep" --n "$N" --samples "$SAMPLES" --grid "$GRID" --dir "$DIR" ;;
    epetra) mpirun.openmpi -n $RANKS "$OUT/epetra_bench" "$rep" "$N" "$SAMPLES" "$GRID" ;;
    petsc) mpirun.openmpi -n $RANKS /usr/bin/python3 "$ROOT/bench/vector/petsc_bench.py" \
             "$rep" "$N" "$SAMPLES" "$GRID" "$DIR" ;;
  esac | tee -a "$CSV"
  echo "# $s rep $rep end $(date -u +%T) loadavg $(cut -d' ' -f1-3 /proc/loadavg)" >>"$CSV"
}
for ((rep = 0; rep < REPS; rep++)); do
  for ((k = 0; k < 3; k++)); do
    run_one "${series[(rep + k) % 3]}" "$rep"
  done
done
"$ROOT/target/release/h5par-vector-bench" report "$CSV" | tee "$OUT/table.txt"
