#!/usr/bin/env bash
# The small Planck-style example as a test (run by tests/python/run_python_tests.sh; about 12
# files, a 3,072-pixel map). Checks:
#   1. without noise, the binned map equals the input sky on every observed pixel;
#   2. with white and 1/f (per-chunk offset) noise, the destriped map's residual rms is at
#      least 10 times below the binned map's (about 40 times with these parameters);
#   3. the output file holds the same numbers on 1, 2 and 3 ranks (within 1e-9 relative);
#   4. a run SIGKILLed in the middle of its farm resumes from the journal: finished files are
#      not read again, and the map is the same (within 1e-9);
#   5. (OpenMPI) the peer (mpi4py.futures + Allreduce + h5py-mpio) gives the same numbers.
# Environment: PY (python with mpi4py and the h5par package on its path), MPIRUN, WORK (a
# scratch folder), H5PAR_PLANCK_TIMEOUT (seconds per run, default 120).
set -u -o pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY=${PY:-/usr/bin/python3}
MPIRUN=${MPIRUN:-mpirun.openmpi}
WORK=${WORK:-$(mktemp -d /tmp/planck-test.XXXXXX)}
T=${H5PAR_PLANCK_TIMEOUT:-120}
over=()
[[ $MPIRUN == *openmpi* ]] && over=(--oversubscribe)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_mpi_yield_when_idle=1
failures=0
fail() { echo "*** planck: FAILED: $*"; failures=$((failures + 1)); }
mpi() { local n=$1; shift; timeout -k 10 "$T" "$MPIRUN" "${over[@]}" -n "$n" "$@"; }
field() { "$PY" -c 'import json,sys; d=json.loads(sys.stdin.read().strip().splitlines()[-1]); print(eval(sys.argv[1], {}, d))' "$1"; }
SMALL=(--nside 16 --files 12 --chunks-per-file 8 --ring 256 --repeat 8)
cd "$HERE" || exit 1
mkdir -p "$WORK"

echo "--- planck 1: noiseless data, binned map against the input sky"
"$PY" generate.py "$WORK/clean" "${SMALL[@]}" --white 0 --offsets 0 || fail "generator (clean)"
mpi 2 "$PY" mapmaker.py "$WORK/clean" "$WORK/clean.h5" --fresh --work "$WORK/w-clean" >/dev/null \
    || fail "map-maker on clean data"
"$PY" compare.py "$WORK/clean" "$WORK/clean.h5" --noiseless || fail "noiseless binned map"

echo "--- planck 2, 3: noisy data on 1, 2 and 3 ranks"
"$PY" generate.py "$WORK/noisy" "${SMALL[@]}" --white 1 --offsets 10 || fail "generator (noisy)"
for n in 1 2 3; do
    mpi "$n" "$PY" mapmaker.py "$WORK/noisy" "$WORK/np$n.h5" --fresh --work "$WORK/w$n" \
        >"$WORK/np$n.json" || fail "map-maker on $n rank(s)"
done
if out=$("$PY" compare.py "$WORK/noisy" "$WORK/np2.h5" "$WORK/np1.h5" "$WORK/np3.h5"); then
    echo "$out"
    imp=$(echo "$out" | field improvement)
    echo "destriped residual rms $(echo "$out" | field destriped_rms) against binned" \
         "$(echo "$out" | field binned_rms): ${imp}x lower"
    "$PY" -c "import sys; sys.exit(0 if $imp >= 10 else 1)" || fail "destriping gains only ${imp}x"
else
    echo "$out"; fail "1, 2 and 3 ranks differ"
fi

echo "--- planck 4: SIGKILL in the middle of the farm, then resume"
rm -rf "$WORK/wk"
setsid timeout -k 5 "$T" "$MPIRUN" "${over[@]}" -n 2 "$PY" mapmaker.py "$WORK/noisy" "$WORK/killed.h5" \
    --fresh --work "$WORK/wk" --task-delay 1 >"$WORK/killed.out" 2>&1 &
pid=$!
for _ in $(seq 1 400); do
    n=$(ls "$WORK/wk/state" 2>/dev/null | grep -c '\.npz$')
    ((n >= 6)) && break
    sleep 0.05
done
sleep 1.5  # the journal syncs within a second
# SIGKILL for the launcher's group and for every rank of this run (OpenMPI gives each rank a
# process group of its own), found by the run's unique work folder.
ours() { ps -eo pid=,stat=,args= | W="--work $WORK/wk " awk '$2 !~ /^Z/ && index($0 " ", ENVIRON["W"]) {print $1}'; }
kill -9 -- "-$pid" $(ours) 2>/dev/null
wait "$pid" 2>/dev/null
sleep 0.5
if [[ -f $WORK/killed.h5 ]]; then fail "the killed run finished before the kill (no test)"; fi
if [[ -n $(ours) ]]; then fail "processes of the killed run are left: $(ours)"; fi
if mpi 2 "$PY" mapmaker.py "$WORK/noisy" "$WORK/killed.h5" --work "$WORK/wk" >"$WORK/resumed.json"; then
    cat "$WORK/resumed.json"
    replayed=$(field files_replayed <"$WORK/resumed.json")
    read_again=$(field 'sum(files_read)' <"$WORK/resumed.json")
    echo "resumed: $replayed files from the journal, $read_again read again"
    ((replayed >= 2 && replayed <= 10)) || fail "resume replayed $replayed files (want 2..10)"
    ((replayed + read_again == 12)) || fail "resume: $replayed replayed + $read_again read != 12"
    "$PY" compare.py "$WORK/noisy" "$WORK/np2.h5" "$WORK/killed.h5" >/dev/null \
        || fail "the resumed map differs from the uninterrupted one"
else
    fail "resume after SIGKILL"
fi

echo "--- planck 5: the peer (mpi4py.futures, numpy + Allreduce, h5py-mpio)"
if [[ $MPIRUN == *openmpi* ]] && H5PY_ALWAYS_USE_MPI=1 "$PY" -c 'import h5py, sys; sys.exit(0 if h5py.get_config().mpi else 1)' 2>/dev/null; then
    H5PY_ALWAYS_USE_MPI=1 mpi 2 "$PY" peer.py "$WORK/noisy" "$WORK/peer.h5" >/dev/null || fail "peer"
    "$PY" compare.py "$WORK/noisy" "$WORK/np2.h5" "$WORK/peer.h5" || fail "h5par and the peer differ"
else
    echo "not run: the peer needs h5py-mpio, which is OpenMPI's here (Debian's python3-h5py-mpi)"
fi

if ((failures)); then echo "planck: $failures failure(s)"; exit 1; fi
echo "planck: all checks passed"
