#!/bin/sh
# Strided reads d[::2] of a 1 GiB f64 dataset against contiguous reads, h5par (Rust, and from
# Python when the package is importable: PYTHONPATH=<site> of an installed h5par) beside
# h5py-mpio, on RANKS ranks (default 2) in /dev/shm: 5 repeats, the order of the series and of
# the programs rotated each repeat.
#   bench/strided-bench.sh [DIR] [REPEATS] [RANKS]  (prints CSV rows, then medians; OpenMPI)
set -eu
dir=${1:-/dev/shm/h5par-strided}
reps=${2:-5}
np=${3:-2}
mkdir -p "$dir"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 H5PY_ALWAYS_USE_MPI=1
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_mpi_yield_when_idle=1
exe=${H5PAR_BENCH_EXE:-target/release/h5par-strided-bench}
out="$dir/rows.csv"
: > "$out"
mpirun.openmpi -n "$np" "$exe" write --path "$dir/s.h5" --gib 1
cat /proc/loadavg
# Warm-up (page cache of the tmpfs file is the file itself; this warms the libraries).
mpirun.openmpi -n "$np" "$exe" read --path "$dir/s.h5" --rep 0 --order contiguous > /dev/null
py_h5par=0
if /usr/bin/python3 -c 'import h5par' 2>/dev/null; then py_h5par=1; fi
for r in $(seq 1 "$reps"); do
  if [ $((r % 2)) -eq 0 ]; then o=strided,contiguous; else o=contiguous,strided; fi
  progs="rust h5py py"
  case $((r % 3)) in 1) progs="h5py py rust";; 2) progs="py rust h5py";; esac
  for p in $progs; do
    case $p in
      rust) mpirun.openmpi -n "$np" "$exe" read --path "$dir/s.h5" --rep "$r" --order "$o" >> "$out";;
      h5py) mpirun.openmpi -n "$np" /usr/bin/python3 bench/strided_h5py.py "$dir/s.h5" "$r" "$o" >> "$out";;
      py) if [ "$py_h5par" = 1 ]; then
            mpirun.openmpi -n "$np" /usr/bin/python3 bench/strided_h5py.py "$dir/s.h5" "$r" "$o" h5par >> "$out"
          fi;;
    esac
  done
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
