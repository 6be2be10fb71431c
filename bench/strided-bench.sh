#!/bin/sh
# Strided reads d[::2] of a 1 GiB f64 dataset against contiguous reads, h5par (Rust) beside
# h5py-mpio, on 2 ranks in /dev/shm: 5 repeats, the order of the series rotated each repeat.
#   bench/strided-bench.sh [DIR] [REPEATS]      (prints CSV rows, then medians; OpenMPI)
set -eu
dir=${1:-/dev/shm/h5par-strided}
reps=${2:-5}
mkdir -p "$dir"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 H5PY_ALWAYS_USE_MPI=1
exe=${H5PAR_BENCH_EXE:-target/release/h5par-strided-bench}
out="$dir/rows.csv"
: > "$out"
mpirun.openmpi -n 2 "$exe" write --path "$dir/s.h5" --gib 1
cat /proc/loadavg
# Warm-up (page cache of the tmpfs file is the file itself; this warms the libraries).
mpirun.openmpi -n 2 "$exe" read --path "$dir/s.h5" --rep 0 --order contiguous > /dev/null
for r in $(seq 1 "$reps"); do
  if [ $((r % 2)) -eq 0 ]; then o=strided,contiguous; else o=contiguous,strided; fi
  if [ $((r % 2)) -eq 0 ]; then
    mpirun.openmpi -n 2 "$exe" read --path "$dir/s.h5" --rep "$r" --order "$o" >> "$out"
    mpirun.openmpi -n 2 /usr/bin/python3 bench/strided_h5py.py "$dir/s.h5" "$r" "$o" >> "$out"
  else
    mpirun.openmpi -n 2 /usr/bin/python3 bench/strided_h5py.py "$dir/s.h5" "$r" "$o" >> "$out"
    mpirun.openmpi -n 2 "$exe" read --path "$dir/s.h5" --rep "$r" --order "$o" >> "$out"
  fi
done
cat /proc/loadavg
cat "$out"
python3 - "$out" <<'PY'
import statistics, sys, collections
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    s, rep, sec, gbps = line.strip().split(",")
    rows[s].append((float(sec), float(gbps)))
print("series              median s   median GB/s (to memory, all ranks)   n")
for s in sorted(rows):
    secs = [a for a, _ in rows[s]]
    g = [b for _, b in rows[s]]
    print("%-18s %9.3f %12.2f %28d" % (s, statistics.median(secs), statistics.median(g), len(secs)))
PY
rm -f "$dir/s.h5"
