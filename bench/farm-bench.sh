#!/usr/bin/env bash
# The task farm's benchmark: h5par's farm (Rust core, Python map, the h5par-farm CLI) next to
# mpi4py.futures (MPICommExecutor.map at chunksize 1 and larger ones) and GNU parallel, on 2
# and 4 ranks (4 oversubscribed on 2 cores), REPEAT repeats with the order of the series
# rotated between repeats; prints the medians and writes CSV + a plot into OUT.
#
#   bench/farm-bench.sh [OUT (default /tmp/farm-bench)] [REPEAT (default 3)] [RANKS (default "2 4")]
#
# Builds the release binaries and the Python package (OpenMPI). GNU parallel is used when
# installed (Debian: apt-get install parallel). Series (see cli/src/bin/h5par-farm-bench.rs):
# empty tasks adaptive / one per message, 1 ms busy-wait tasks, the same with every tenth task
# 100x longer, 1 ms tasks with a journal, rank 0's memory after 1,000,000 tasks with a result
# callback, journal replay of 100,000 records, Python map of an empty function, 10,000 `true`
# shell commands.

set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${1:-/tmp/farm-bench}
REPEAT=${2:-3}
RANKS=${3:-"2 4"}
PY=${PYTHON:-/usr/bin/python3}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_mpi_yield_when_idle=1
MPIRUN="timeout 600 mpirun.openmpi"
mkdir -p "$OUT"
CSV=$OUT/results.csv

(cd "$ROOT" && MPICC=mpicc.openmpi cargo build --release -q -p h5par-cli -p h5par-ffi)
PLOT=$ROOT/target/release/h5par-farm-plot
SITE=$OUT/site
rm -rf "$SITE"
H5PAR_LIB_DIR=$ROOT/target/release H5PAR_INCLUDE_DIR=$ROOT/include \
    "$PY" -m pip install --quiet --root-user-action=ignore --no-build-isolation --no-deps \
    --no-compile --target "$SITE" "$ROOT/ffi/python"
export PYTHONPATH=$SITE
BENCH=$ROOT/target/release/h5par-farm-bench
FARM=$ROOT/target/release/h5par-farm
TASKS=$OUT/true-tasks.txt
CLI_TASKS=${CLI_TASKS:-10000}
for i in $(seq "$CLI_TASKS"); do echo true; done >"$TASKS"

echo "series,ranks,tasks,seconds,tasks_per_s,efficiency,extra,repeat" >"$CSV"
series() {   # the list of series for $1 ranks, one command per line
    local p=$1
    for s in empty empty-unbatched ms skew ms-journal memory; do
        echo "$MPIRUN -n $p $BENCH $s --dir $OUT"
    done
    [[ $p == 2 ]] && echo "$MPIRUN -n 1 $BENCH replay --dir $OUT"
    echo "$MPIRUN -n $p $PY $ROOT/bench/farm_py_bench.py h5par-map 200000"
    echo "$MPIRUN -n $p $PY $ROOT/bench/farm_py_bench.py mpi4py 1 20000"
    for c in 10 100 1000 10000; do
        echo "$MPIRUN -n $p $PY $ROOT/bench/farm_py_bench.py mpi4py $c 200000"
    done
    echo "cli-h5par-farm $p"
    command -v parallel >/dev/null && echo "cli-gnu-parallel $p"
    return 0
}
run_one() {   # runs one series command; prints its CSV line
    case $1 in
        cli-h5par-farm)
            local t0=$(date +%s.%N)
            $MPIRUN -n "$2" "$FARM" "$TASKS" --progress off 2>/dev/null
            local t1=$(date +%s.%N)
            "$PY" -c "import sys; s=float(sys.argv[2])-float(sys.argv[1]); print('cli-h5par-farm,%s,%s,%.6f,%.1f,,' % (sys.argv[3], sys.argv[4], s, int(sys.argv[4])/s))" "$t0" "$t1" "$2" "$CLI_TASKS" ;;
        cli-gnu-parallel)
            local t0=$(date +%s.%N)
            parallel --will-cite -j "$2" <"$TASKS"
            local t1=$(date +%s.%N)
            "$PY" -c "import sys; s=float(sys.argv[2])-float(sys.argv[1]); print('cli-gnu-parallel,%s,%s,%.6f,%.1f,,' % (sys.argv[3], sys.argv[4], s, int(sys.argv[4])/s))" "$t0" "$t1" "$2" "$CLI_TASKS" ;;
        *) eval "$*" ;;
    esac
}

echo "load before: $(cat /proc/loadavg)" | tee "$OUT/load.txt"
for p in $RANKS; do
    mapfile -t cmds < <(series "$p")
    n=${#cmds[@]}
    for ((r = 0; r < REPEAT; r++)); do
        for ((k = 0; k < n; k++)); do
            c=${cmds[$(((k + r * 3) % n))]}     # rotate the order between repeats
            line=$(run_one $c | tail -1)
            echo "$line,$r" | tee -a "$CSV"
        done
        echo "load after repeat $r on $p ranks: $(cat /proc/loadavg)" | tee -a "$OUT/load.txt"
    done
done
grep -E '^(Cpu|cpu )' /proc/stat >"$OUT/stat.txt" || true
"$PY" "$ROOT/bench/farm_bench_report.py" "$CSV" "$OUT"
"$PLOT" "$CSV" "$OUT/farm_bench.png" --note "($RANKS ranks, $REPEAT repeats, load $(cut -d' ' -f1-3 /proc/loadavg))"
