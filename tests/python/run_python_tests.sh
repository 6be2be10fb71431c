#!/usr/bin/env bash
# Python tests of h5par, on OpenMPI (Debian's python3 with its mpi4py, h5py, numpy: the default)
# or on MPICH (PYTHON=the venv of scripts/mpich-venv.sh, H5PAR_MPIRUN=mpirun.mpich, MPICC=mpicc.mpich
# and H5PAR_LIB_DIR=a libh5par built for MPICH; `make test-mpich` does it):
#   1. installs the package from ffi/python with pip (--no-build-isolation) into a temporary
#      folder, built against include/h5par.h and the newest libh5par of target/{debug,release}
#      (cargo's libh5par_ffi.so; built with `cargo build -p h5par-ffi` if there is none),
#   2. runs tests/python/test_h5par_api.py, test_vector.py and test_cg_operator.py with pytest
#      on 1, 2 and 3 ranks,
#   3. builds the user-style Cython extension tests/python/user_ext against the installed
#      package and runs it on 2 ranks,
#   4. runs the README example tests/python/readme_example.py on 2 ranks,
#   5. runs the adversarial scenarios of tests/python/robustness.py (run_robustness.py: one
#      rank skipping, repeating or reordering calls, exceptions, a full tmpfs, no close, ...).
#   5b. (issue 12) runs the h5py-mpio habit script tests/python/h5py_habit.py on 2 ranks (every
#      rank must fail with an error naming both calls, no hang, nothing published), the README's
#      independent-write example, and the scenarios of tests/python/hl_scenarios.py on 2 and 3.
#   5c. (issue 12) local queries made by one rank alone (tests/python/local_alone.py) on files
#      h5py and h5par wrote, on 2 and 3 ranks.
#   6. runs the PyTrilinos example examples/pytrilinos.py on 3 ranks and checks its numbers.
#   7. (OpenMPI) runs the ipyparallel example on 2 MPI engines (tests/python/run_ipyparallel.sh).
#   8. runs the small Planck-style map-maker (examples/planck/test_planck.sh): binned map, the
#      destriping gain, 1/2/3 ranks, resume after SIGKILL, and (OpenMPI) the peer's numbers.
# Every run has a time limit (H5PAR_PY_TIMEOUT seconds, default 300): a hang is a failure.
# Exits non-zero when anything fails (pytest's "no tests collected", exit code 5, included).
#
# Environment: PYTHON (default /usr/bin/python3, the interpreter with Debian's mpi4py, numpy,
# h5py), H5PAR_MPIRUN (default mpirun.openmpi), H5PAR_PY_RANKS (default "1 2 3"), H5PAR_LIB_DIR
# (the library's folder, instead of the newest build), CARGO_TARGET_DIR, H5PAR_PY_KEEP=1 (keep
# the work folder), H5PAR_PY_ISOLATED=1 (pip's ordinary build isolation, with the declared build
# requirements from PyPI, instead of --no-build-isolation).

set -u -o pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PY=${PYTHON:-/usr/bin/python3}
MPIRUN=${H5PAR_MPIRUN:-mpirun.openmpi}
TIMEOUT=${H5PAR_PY_TIMEOUT:-300}
RANKS=${H5PAR_PY_RANKS:-"1 2 3"}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_mpi_yield_when_idle=1
export PYTHONDONTWRITEBYTECODE=1

say() { printf '\n=== %s\n' "$*"; }
die() { printf 'run_python_tests.sh: %s\n' "$*" >&2; exit 1; }

# --- prerequisites -------------------------------------------------------------------------
command -v "$MPIRUN" >/dev/null || die "$MPIRUN is missing (Debian: apt-get install openmpi-bin libopenmpi-dev)"
command -v "$PY" >/dev/null || die "$PY is missing"
missing=()
for mod in Cython mpi4py numpy pytest h5py setuptools wheel; do
    "$PY" -c "import $mod" 2>/dev/null || missing+=("$mod")
done
if ((${#missing[@]})); then
    die "$PY lacks: ${missing[*]} (Debian: apt-get install cython3 python3-mpi4py python3-numpy python3-pytest python3-h5py-mpi python3-setuptools python3-wheel)"
fi
[[ -f $ROOT/include/h5par.h ]] || die "include/h5par.h is missing"

# --- the newest libh5par -----------------------------------------------------------------
if [[ -z ${H5PAR_LIB_DIR:-} ]]; then
    newest=""
    for lib in "$TARGET"/release/libh5par.so "$TARGET"/release/libh5par_ffi.so \
               "$TARGET"/debug/libh5par.so "$TARGET"/debug/libh5par_ffi.so; do
        [[ -f $lib ]] || continue
        if [[ -z $newest || $lib -nt $newest ]]; then newest=$lib; fi
    done
    if [[ -z $newest ]]; then
        say "no libh5par in $TARGET/{release,debug}: cargo build -p h5par-ffi"
        (cd "$ROOT" && MPICC=${MPICC:-mpicc.openmpi} cargo build -p h5par-ffi) || die "cargo build failed"
        newest=$TARGET/debug/libh5par_ffi.so
    fi
    export H5PAR_LIB_DIR=$(dirname "$newest")
fi
export H5PAR_INCLUDE_DIR=${H5PAR_INCLUDE_DIR:-$ROOT/include}
echo "libh5par: $H5PAR_LIB_DIR   h5par.h: $H5PAR_INCLUDE_DIR   python: $PY"

WORK=$(mktemp -d /tmp/h5par-pytests.XXXXXX)
if [[ ${H5PAR_PY_KEEP:-0} != 1 ]]; then trap 'rm -rf "$WORK"' EXIT; fi
failures=()
fail() { failures+=("$1"); printf '*** FAILED: %s\n' "$1"; }

# Runs a command under mpirun on $1 ranks with the time limit; rank 0's output is shown, the
# other ranks' output only when the run fails.
mpi_run() {
    local n=$1 name=$2; shift 2
    local logs=$WORK/logs/$name
    mkdir -p "$logs"
    local over=()
    [[ $MPIRUN == *openmpi* ]] && over=(--oversubscribe)
    timeout -k 20 "$TIMEOUT" "$MPIRUN" "${over[@]}" -n "$n" \
        sh -c 'exec "$@" >"$0/rank${OMPI_COMM_WORLD_RANK:-$PMI_RANK}.log" 2>&1' "$logs" "$@"
    local rc=$?
    cat "$logs/rank0.log" 2>/dev/null
    if ((rc != 0)); then
        ((rc == 124)) && echo "(timed out after ${TIMEOUT}s: a hang)"
        for f in "$logs"/rank*.log; do
            [[ $f == "$logs/rank0.log" ]] && continue
            echo "--- $(basename "$f" .log)"; cat "$f"
        done
    fi
    return $rc
}

# --- 1. install the package --------------------------------------------------------------
isolation=(--no-build-isolation)
[[ ${H5PAR_PY_ISOLATED:-0} == 1 ]] && isolation=()
say "pip install ffi/python (into $WORK/site, ${isolation[*]:-with build isolation})"
if ! "$PY" -m pip install --quiet --root-user-action=ignore "${isolation[@]}" --no-deps --no-compile \
        --target "$WORK/site" "$ROOT/ffi/python"; then
    die "building the h5par Python package failed"
fi
export PYTHONPATH=$WORK/site${PYTHONPATH:+:$PYTHONPATH}
"$PY" -c 'import h5par, sys; print("h5par", h5par.__version__, "from", h5par.__file__); print("include:", h5par.get_include(), " library:", h5par.get_library_dir())' \
    || die "the installed package does not import"

# --- 2. pytest on 1, 2, 3 ranks ----------------------------------------------------------
for n in $RANKS; do
    say "pytest on $n rank(s)"
    (cd "$WORK" && mpi_run "$n" "pytest-$n" "$PY" -m pytest -q -p no:cacheprovider \
        "$ROOT/tests/python/test_h5par_api.py" "$ROOT/tests/python/test_read_buffers.py" \
        "$ROOT/tests/python/test_vector.py" "$ROOT/tests/python/test_cg_operator.py" \
        "$ROOT/tests/python/test_h5py_shape.py")
    rc=$?
    if ((rc == 5)); then fail "pytest on $n rank(s): no tests collected (exit 5)"
    elif ((rc != 0)); then fail "pytest on $n rank(s) (exit $rc)"; fi
done

# --- 2b. the task farm (h5par.farm) on 1, 2, 3 ranks ------------------------------------
for n in $RANKS; do
    say "pytest test_farm.py on $n rank(s)"
    (cd "$WORK" && mpi_run "$n" "farm-$n" "$PY" -m pytest -q -p no:cacheprovider \
        "$ROOT/tests/python/test_farm.py")
    rc=$?
    if ((rc == 5)); then fail "farm pytest on $n rank(s): no tests collected (exit 5)"
    elif ((rc != 0)); then fail "farm pytest on $n rank(s) (exit $rc)"; fi
done

# --- 3. the user-style Cython extension --------------------------------------------------
say "user extension (cimports libh5par and mpi4py), built against the installed package"
cp -r "$ROOT/tests/python/user_ext" "$WORK/user_ext"
if (cd "$WORK/user_ext" && "$PY" setup.py -q build_ext --inplace >build.log 2>&1 || { cat build.log; false; }); then
    mkdir -p "$WORK/user_out"
    (cd "$WORK/user_ext" && PYTHONPATH=$WORK/user_ext:$PYTHONPATH \
        mpi_run 2 user_ext "$PY" run_user_ext.py "$WORK/user_out") || fail "user extension on 2 ranks"
else
    fail "building the user extension"
fi

# --- 4. the README example ---------------------------------------------------------------
say "README example on 2 ranks"
mpi_run 2 readme "$PY" "$ROOT/tests/python/readme_example.py" "$WORK/example.h5" \
    || fail "README example on 2 ranks"
[[ -f $WORK/example.h5 ]] || fail "README example: $WORK/example.h5 was not written"

say "the README's farm example on 2 ranks"
(cd "$WORK" && mpi_run 2 farm-readme "$PY" "$ROOT/tests/python/farm_readme_example.py") \
    || fail "README farm example on 2 ranks"

# --- 5. issue 8: one rank's mistake is every rank's error, nothing hangs, nothing is lost --
say "robustness scenarios (tests/python/run_robustness.py)"
"$PY" "$ROOT/tests/python/run_robustness.py" || fail "robustness scenarios"

# --- 5b. issue 12: the h5py habit and the new collective calls, adversarially --------------
say "the h5py-mpio habit (tests/python/h5py_habit.py) on 2 ranks"
mkdir -p "$WORK/habit"
TIMEOUT=60 mpi_run 2 habit "$PY" "$ROOT/tests/python/h5py_habit.py" "$WORK/habit/habit.h5" \
    >"$WORK/habit.out" 2>&1
rc=$?
if ((rc == 124)); then cat "$WORK/habit.out"; fail "h5py habit: a hang (timed out)"
elif ((rc == 0)); then fail "h5py habit: the script succeeded (rank 0 alone in a collective write)"
else
    for r in 0 1; do
        log=$WORK/logs/habit/rank$r.log
        for want in "MismatchError" "rank 0 is in h5par_dataset_write" \
                    "rank 1 is in h5par_file_close" "with dset.independent" "its data stays in"; do
            grep -qF "$want" "$log" || { cat "$log"; fail "h5py habit: rank $r: no \"$want\""; }
        done
    done
    [[ -e $WORK/habit/habit.h5 ]] && fail "h5py habit: the file was published"
fi
rm -rf "$WORK/habit"
say "the README's independent-write example on 2 ranks"
mpi_run 2 indep-readme "$PY" "$ROOT/tests/python/independent_example.py" "$WORK/indep.h5" \
    || fail "README independent example on 2 ranks"
"$PY" -c 'import sys; sys.exit(0 if open(sys.argv[1]).read() in open(sys.argv[2]).read() else 1)' \
        "$ROOT/tests/python/independent_example.py" "$ROOT/README.md" ||
    fail "README.md does not show tests/python/independent_example.py word for word"
say "adversarial scenarios of the h5py-shaped layer (tests/python/hl_scenarios.py)"
mkdir -p "$WORK/hl"
for s in skip_delete create_group_twice raise_between bad_name_one_rank move_one_rank \
         link_vs_delete bad_stride_one_rank; do
    for n in 2 3; do
        TIMEOUT=60 mpi_run "$n" "hl-$s-$n" "$PY" "$ROOT/tests/python/hl_scenarios.py" "$s" \
            "$WORK/hl" >/dev/null 2>&1
        rc=$?
        for ((r = 0; r < n; r++)); do
            log=$WORK/logs/hl-$s-$n/rank$r.log
            if ((rc != 0)) || ! grep -q "^rank $r: ok$" "$log"; then
                cat "$log"; fail "scenario $s on $n ranks: rank $r (exit $rc)"; break
            fi
        done
    done
done

# --- 5c. issue 12: local queries made by one rank alone (no hang, no stray broadcast) ------
say "local queries on one rank alone (tests/python/local_alone.py), h5py's and h5par's files"
mkdir -p "$WORK/local"
if "$PY" "$ROOT/tests/python/write_local_tree.py" "$WORK/local" >/dev/null; then
    for w in h5py h5par; do
        for n in 2 3; do
            TIMEOUT=120 mpi_run "$n" "local-$w-$n" "$PY" "$ROOT/tests/python/local_alone.py" \
                "$WORK/local" "$w" >/dev/null 2>&1
            rc=$?
            for ((r = 0; r < n; r++)); do
                log=$WORK/logs/local-$w-$n/rank$r.log
                if ((rc != 0)) || ! grep -q "^rank $r: ok$" "$log"; then
                    cat "$log"; fail "local queries alone, $w's file, $n ranks: rank $r (exit $rc)"
                    break
                fi
            done
        done
    done
else
    fail "write_local_tree.py"
fi
rm -rf "$WORK/local"

# --- 6. the PyTrilinos example (distributed vectors) ---------------------------------------
say "PyTrilinos example on 3 ranks (the numbers of reference/pytrilinos_case.md)"
if mpi_run 3 pytrilinos "$PY" "$ROOT/examples/pytrilinos.py" >"$WORK/pytrilinos.out"; then
    cat "$WORK/pytrilinos.out"
    for want in "rank 0: MaxValue = 3" "u = [1, 1, 1, 1.5, 1.5, 2, 2.5, 3, 2, 3]" \
                "b = [1, 0, -0.5, 0.5, -0.5, 0, 0, 1.5, -2, 4]" "CG converged after"; do
        grep -qF "$want" "$WORK/pytrilinos.out" || fail "PyTrilinos example: no \"$want\""
    done
    err=$(sed -n 's/^max |y - u| = //p' "$WORK/pytrilinos.out")
    "$PY" -c "import sys; sys.exit(0 if float('$err') < 1e-12 else 1)" 2>/dev/null \
        || fail "PyTrilinos example: max |y - u| = '$err'"
    for r in 1 2; do
        grep -qF "rank $r: MaxValue = 3" "$WORK/logs/pytrilinos/rank$r.log" \
            || fail "PyTrilinos example: rank $r did not print MaxValue = 3"
    done
else
    cat "$WORK/pytrilinos.out"; fail "PyTrilinos example on 3 ranks"
fi
"$PY" - "$ROOT" <<'PYEOF' || fail "README.md does not show examples/pytrilinos.py word for word"
import sys
root = sys.argv[1]
sys.exit(0 if open(root + "/examples/pytrilinos.py").read() in open(root + "/README.md").read() else 1)
PYEOF

# --- 7. the ipyparallel example: h5par inside ipyparallel's MPI engines -------------------
# On OpenMPI only: its venv (scripts/ipp-venv.sh) is /usr/bin/python3's, whose mpi4py is
# Debian's OpenMPI build. The script stops the cluster whatever happens.
if [[ $MPIRUN == *openmpi* ]]; then
    say "ipyparallel example on 2 MPI engines (tests/python/run_ipyparallel.sh)"
    "$ROOT/tests/python/run_ipyparallel.sh" "$WORK" >"$WORK/ipp.out" 2>&1
    rc=$?
    grep -v '^\S* \S* \[' "$WORK/ipp.out"
    if ((rc != 0)); then cat "$WORK/ipp.out"; fail "ipyparallel example (exit $rc)"
    else
        for want in "engines' MPI ranks: [0, 1] of 2" "collective write and read on 2 engines" \
                    "h5par.farm.map on 2 engines: sum of squares 333283335000"; do
            grep -qF "$want" "$WORK/ipp.out" || fail "ipyparallel example: no \"$want\""
        done
    fi
else
    say "ipyparallel example: not run on $MPIRUN (its venv is Debian's OpenMPI Python)"
fi

# --- 8. issue 14: the Planck-style map-maker, small (12 files, 3,072 pixels) ---------------
say "Planck-style map-maker (examples/planck/test_planck.sh)"
PY=$PY MPIRUN=$MPIRUN WORK=$WORK/planck "$ROOT/examples/planck/test_planck.sh" \
    || fail "Planck-style map-maker (examples/planck/test_planck.sh)"

say "summary"
if ((${#failures[@]})); then
    printf 'FAILED: %s\n' "${failures[@]}"
    exit 1
fi
echo "all Python tests passed (ranks: $RANKS; user extension and README example on 2)"
