#!/usr/bin/env bash
# The README's "Measured" tables: stripe-bench on OpenMPI and MPICH, 2 and 4 ranks, /dev/shm and
# the disk (reads from the device: --drop-cache), every series side by side; the Python paths,
# the one-node collective comparison, the copy microbenchmark, the metadata-heavy case and the
# demo (`make demo`'s run).
#
#   bench/readme-figures.sh OUT [SIZE] [REPEAT] [DISK_DIR]     (defaults: 1G 5 /tmp)
#
# Needs target/release/stripe-bench (OpenMPI: `MPICC=mpicc.openmpi cargo build --release -p
# stripe-bench -p h5par-ffi`) and target-mpich/release/stripe-bench (the Makefile's MPICH
# environment with --release); the Python paths need the h5par package built against
# target/release (see bench/python_paths.py). Each table lands in OUT/NAME/run.txt with its
# command, the CPU, kernel, MPI and the load average at its start and end.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: bench/readme-figures.sh OUT [SIZE] [REPEAT] [DISK_DIR]}
size=${2:-1G}
reps=${3:-5}
disk=${4:-/tmp}
mkdir -p "$out"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_mpi_yield_when_idle=1

run() { # NAME MPI NP DIR [EXTRA...]
    local name=$1 mpi=$2 np=$3 dir=$4
    shift 4
    local bin=target/release/stripe-bench
    [[ $mpi == mpich ]] && bin=target-mpich/release/stripe-bench
    echo "=== $name ($(date -u +%H:%M:%S), load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
    "mpirun.$mpi" -n "$np" "$bin" --size "$size" --op both --io both --repeat "$reps" \
        --stripe-counts 1 --dir "$dir" --out "$out/$name" "$@" >"$out/$name.log" 2>&1 \
        || { echo "$name failed:" >&2; tail -5 "$out/$name.log" >&2; }
}

for np in 2 4; do
    for mpi in openmpi mpich; do
        run "$mpi-np$np-shm" "$mpi" "$np" /dev/shm
    done
done
echo "=== python paths ($(date -u +%H:%M:%S), load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
# The Python paths: 10 repeats (one period of the Williams order of the 10 paths), with the
# dataset opened inside and outside the timing; the fixed cost of a call; fresh arrays.
mpirun.openmpi -n 2 /usr/bin/python3 bench/python_paths.py --dir /dev/shm --size "$size" \
    --repeat 10 --csv "$out/python_paths.csv" >"$out/python_paths.txt" 2>&1 \
    || echo "python paths failed" >&2
mpirun.openmpi -n 2 /usr/bin/python3 bench/python_paths.py --dir /dev/shm --size "$size" \
    --repeat 10 --dataset-untimed --csv "$out/python_paths_untimed.csv" \
    >"$out/python_paths_untimed.txt" 2>&1 || echo "python paths (dataset untimed) failed" >&2
mpirun.openmpi -n 2 /usr/bin/python3 bench/python_call_latency.py --dir /dev/shm --calls 10 \
    --repeat "$reps" >"$out/python_call_latency.txt" 2>&1 || echo "python call latency failed" >&2
/usr/bin/python3 bench/fresh_array.py --dir /dev/shm --mib 512 --repeat 6 \
    >"$out/fresh_array.txt" 2>&1 || echo "fresh_array failed" >&2
for mpi in openmpi mpich; do
    "mpicc.$mpi" -O2 -o "$out/coll_one_node.$mpi" bench/coll_one_node.c
done
{
    for layout in "" "-s 64"; do # contiguous blocks, then pieces of 64 KiB interleaved
        # shellcheck disable=SC2086 # $layout is two words or none
        mpirun.openmpi -n 4 "$out/coll_one_node.openmpi" -r "$reps" $layout
        # shellcheck disable=SC2086
        mpirun.openmpi -n 4 "$out/coll_one_node.openmpi" -r "$reps" $layout collective_buffering=true
        # shellcheck disable=SC2086
        mpirun.mpich -n 4 "$out/coll_one_node.mpich" -r "$reps" $layout
        # shellcheck disable=SC2086
        mpirun.mpich -n 4 "$out/coll_one_node.mpich" -r "$reps" $layout romio_cb_read=disable romio_cb_write=disable
    done
} >"$out/coll_one_node.txt" 2>&1 || echo "coll_one_node failed" >&2
cc -O2 -o "$out/copy_penalty" bench/copy_penalty.c
"$out/copy_penalty" /dev/shm 256 "$reps" >"$out/copy_penalty.txt" 2>&1 || echo "copy_penalty failed" >&2
echo "=== metadata ($(date -u +%H:%M:%S), load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
bench/metadata-bench.sh /dev/shm "$reps" >"$out/metadata.txt" 2>&1 || echo "metadata failed" >&2
for np in 2 4; do
    for mpi in openmpi mpich; do
        run "$mpi-np$np-disk" "$mpi" "$np" "$disk" --drop-cache
    done
done
echo "=== demo ($(date -u +%H:%M:%S), load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
mpirun.openmpi -n 4 target/release/stripe-bench --quick --dir "$disk" --out "$out/demo" \
    >"$out/demo.log" 2>&1 || echo "demo failed" >&2
echo "=== done ($(date -u +%H:%M:%S), load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
