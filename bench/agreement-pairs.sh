#!/usr/bin/env bash
# What the never-hang agreement costs on the metadata-heavy case: builds of metadata_bench
# (examples/metadata_bench.rs) run in interleaved rounds, the order rotated each round, on
# 2 ranks with the same file-format bounds (H5PAR_LIBVER=latest,latest), the write phase's
# seconds; prints every round with the load average, then each series' median and its median
# ratio to the first series within the same round.
#   bench/agreement-pairs.sh DIR ROUNDS NAME=BINARY NAME=BINARY...
# e.g. (the first build from a `git worktree add ../base 144f70b`, built the same way):
#   bench/agreement-pairs.sh /dev/shm 9 base=../base/target/release/examples/metadata_bench \
#       now=target/release/examples/metadata_bench
set -euo pipefail
dir=$1; rounds=$2; shift 2
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 H5PAR_LIBVER=latest,latest
names=(); bins=()
for a in "$@"; do names+=("${a%%=*}"); bins+=("${a#*=}"); done
k=${#names[@]}
out=$(mktemp)
for b in "${bins[@]}"; do mpirun.openmpi -n 2 "$b" "$dir" 2000 64 > /dev/null; done  # warm-up
for r in $(seq 0 $((rounds - 1))); do
  for j in $(seq 0 $((k - 1))); do
    i=$(( (j + r) % k ))
    load=$(cut -d' ' -f1 /proc/loadavg)
    line=$(mpirun.openmpi -n 2 "${bins[$i]}" "$dir" 2000 64)
    s=$(printf '%s\n' "$line" | sed -n '1s/.*"seconds": \([0-9.]*\).*/\1/p')
    echo "$r ${names[$i]} $s $load" >> "$out"
  done
done
/usr/bin/python3 - "$out" "${names[@]}" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
names = sys.argv[2:]
by = {}
for r, n, s, load in rows:
    by.setdefault(int(r), {})[n] = float(s)
loads = [float(l[3]) for l in rows]
print("round " + " ".join("%9s" % n for n in names))
for r in sorted(by):
    print("%5d " % r + " ".join("%9.3f" % by[r][n] for n in names))
print("load average %.1f to %.1f" % (min(loads), max(loads)))
print("%-8s %9s %14s" % ("series", "median s", "ratio to " + names[0]))
for n in names:
    med = statistics.median(by[r][n] for r in by)
    ratio = statistics.median(by[r][n] / by[r][names[0]] for r in by)
    print("%-8s %9.3f %13.2fx" % (n, med, ratio))
PY
rm -f "$out"
