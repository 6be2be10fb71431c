#!/usr/bin/env bash
# The ipyparallel example (examples/farm_ipyparallel.py) on 2 MPI engines: ipcluster with its
# MPI launcher (mpirun.openmpi), a client that runs h5par's collective I/O and h5par.farm.map
# inside the engines. The cluster is always stopped (trap), the whole run has a time limit.
#
#   tests/python/run_ipyparallel.sh WORKDIR     (PYTHONPATH must hold the installed h5par)
#
# Environment: H5PAR_IPP_TIMEOUT (seconds, default 180). ipyparallel comes from the venv of
# scripts/ipp-venv.sh (created when absent: pip install ipyparallel over /usr/bin/python3).
set -u -o pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WORK=$1
TIMEOUT=${H5PAR_IPP_TIMEOUT:-180}
PY=$("$ROOT/scripts/ipp-venv.sh") || { echo "run_ipyparallel.sh: no ipyparallel venv" >&2; exit 1; }
BIN=$(dirname "$PY")
PROFILE=$WORK/ipp-profile
mkdir -p "$PROFILE"
cat >"$PROFILE/ipcluster_config.py" <<'CFG'
c = get_config()  # noqa: F821
c.MPILauncher.mpi_cmd = ["mpirun.openmpi"]
c.MPILauncher.mpi_args = ["--oversubscribe"]
CFG
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_mpi_yield_when_idle=1
export IPYTHONDIR=$WORK/ipython
# ipcluster in a session of its own (setsid): stopping it kills the controller, the engines'
# mpirun and the engines, whatever state ipcluster is in.
setsid "$BIN/ipcluster" start -n 2 --engines=mpi --profile-dir="$PROFILE" \
    >"$WORK/ipcluster.log" 2>&1 &
CLUSTER=$!
stop() {
    timeout 30 "$BIN/ipcluster" stop --profile-dir="$PROFILE" >/dev/null 2>&1
    kill -TERM -- "-$CLUSTER" 2>/dev/null
    sleep 1
    kill -KILL -- "-$CLUSTER" 2>/dev/null
    return 0
}
trap stop EXIT
for ((i = 0; i < 60; i++)); do
    [[ -f $PROFILE/security/ipcontroller-client.json ]] && break
    kill -0 "$CLUSTER" 2>/dev/null || break
    sleep 1
done
[[ -f $PROFILE/security/ipcontroller-client.json ]] \
    || { echo "ipcluster did not start"; tail -40 "$WORK/ipcluster.log"; exit 1; }
timeout -k 10 "$TIMEOUT" "$PY" "$ROOT/examples/farm_ipyparallel.py" "$PROFILE" "$WORK/ipp-example.h5"
rc=$?
((rc == 124)) && echo "(timed out after ${TIMEOUT}s: a hang)"
if ((rc != 0)); then
    echo "--- ipcluster log"; tail -n 40 "$WORK/ipcluster.log"
fi
exit $rc
