"""Runs the scenarios of tests/python/robustness.py under mpirun ($H5PAR_MPIRUN, default
mpirun.openmpi) on 1, 2 and 3 ranks where they apply, each with a time limit (a hang is a
failure), and checks every rank's log and the files left behind. Run by
tests/python/run_python_tests.sh with the package on PYTHONPATH:

    /usr/bin/python3 tests/python/run_robustness.py [NAME_FILTER]

The full-disk scenario mounts an 8 MiB tmpfs (it needs root, as CI has; without root it
fails, it is not skipped). Exits non-zero when any scenario fails.
"""

import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PY = os.environ.get("PYTHON", "/usr/bin/python3")
# The launcher of the MPI the package was built for (run_python_tests.sh passes it on).
MPIRUN = os.environ.get("H5PAR_MPIRUN", "mpirun.openmpi")
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_rmaps_base_oversubscribe="1", OMPI_MCA_mpi_yield_when_idle="1",
           PYTHONDONTWRITEBYTECODE="1", H5PAR_WATCHDOG="20", H5PAR_WATCHDOG_ABORT="1")


def run(scenario, n, d, limit=60, mpi4py_runner=False, env=None, logs_dir=None):
    cmd = [MPIRUN, "-n", str(n), PY]
    if mpi4py_runner:
        cmd += ["-m", "mpi4py"]
    cmd += [os.path.join(HERE, "robustness.py"), scenario, d]
    t = time.time()
    logs_dir = logs_dir or d
    env = dict(ENV, H5PAR_ROBUSTNESS_LOGS=logs_dir, **(env or {}))
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, start_new_session=True)
    try:
        out, _ = p.communicate(timeout=limit)
        timed_out = False
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, 9)
        out, _ = p.communicate()
        timed_out = True
    logs = {}
    for r in range(n):
        try:
            with open(os.path.join(logs_dir, "rank%d.log" % r), errors="replace") as f:
                logs[r] = f.read()
        except OSError:
            logs[r] = ""
    return p.returncode, timed_out, logs, out.decode(errors="replace"), time.time() - t


def temporaries(d):
    return [os.path.basename(p) for p in glob.glob(os.path.join(d, "**", ".*h5par*"),
                                                    recursive=True)]


def all_ok(rc, timed_out, logs, out):
    problems = []
    if timed_out:
        problems.append("timed out (a hang)")
    if rc != 0:
        problems.append("exit status %s" % rc)
    for r, text in logs.items():
        if "rank %d: ok" % r not in text:
            problems.append("rank %d did not report ok" % r)
    return problems


def check_h5py(path, name, expected_len):
    code = ("import h5py, sys; f = h5py.File(sys.argv[1], 'r'); "
            "assert f[sys.argv[2]].shape == (int(sys.argv[3]),), f[sys.argv[2]].shape")
    p = subprocess.run([PY, "-c", code, path, name, str(expected_len)], capture_output=True,
                       text=True)
    return [] if p.returncode == 0 else ["h5py cannot read %s: %s" % (path, p.stderr[-500:])]


def t_simple(scenario, limit=60):
    def t(n, d):
        rc, to, logs, out, _ = run(scenario, n, d, limit)
        return all_ok(rc, to, logs, out), logs, out
    return t


def t_arg_mismatch_with(n, d):
    rc, to, logs, out, _ = run("arg_mismatch_with", n, d, 90)
    problems = all_ok(rc, to, logs, out)
    if temporaries(d):
        problems.append("temporaries left: %s" % temporaries(d))
    return problems, logs, out


def t_with_exception(scenario, runner):
    def t(n, d):
        rc, to, logs, out, secs = run(scenario, n, d, 60, mpi4py_runner=runner)
        problems = []
        if to:
            problems.append("timed out (a hang)")
        if rc == 0:
            problems.append("the job succeeded")
        if "ValueError: boom on rank 0" not in logs[0]:
            problems.append("rank 0 has no traceback of its ValueError")
        if not runner:
            for r in range(1, n):
                if "Error" not in logs[r]:
                    problems.append("rank %d raised nothing" % r)
                elif scenario == "with_exception" and "ValueError: boom on rank 0" not in logs[r]:
                    problems.append("rank %d's error does not carry rank 0's ValueError" % r)
                elif scenario == "with_exception_in_write" and \
                        "rank 0 is in h5par_file_close" not in logs[r]:
                    problems.append("rank %d's error does not say rank 0 is closing" % r)
            # Every rank closes the file at its with block's end (after the mismatch, the
            # rank that raised first closes once more, with the others): not published, no
            # temporary left.
            if os.path.exists(os.path.join(d, "with.h5")) or temporaries(d):
                problems.append("the failed file was published or its temporary kept: %s"
                                % os.listdir(d))
        return problems, logs, out
    return t


def t_disk_full(n, d):
    if os.geteuid() != 0:
        return ["needs root to mount a small tmpfs (CI runs as root)"], {}, ""
    mnt = tempfile.mkdtemp(prefix="h5par-full-", dir="/tmp")
    try:
        m = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", mnt],
                           capture_output=True, text=True)
        if m.returncode != 0:
            return ["mount -t tmpfs failed: %s" % m.stderr], {}, ""
        try:
            rc, to, logs, out, _ = run("disk_full", n, mnt, 90, logs_dir=d)
            problems = all_ok(rc, to, logs, out)
            if "Segmentation" in out or "signal" in out.lower():
                problems.append("a crash")
            left = os.listdir(mnt)
            if left:
                problems.append("left on the file system: %s" % left)
        finally:
            subprocess.run(["umount", mnt])
    finally:
        os.rmdir(mnt)
    return problems, logs, out


def t_no_close(n, d):
    rc, to, logs, out, _ = run("no_close", n, d, 60)
    problems = all_ok(rc, to, logs, out)
    problems += check_h5py(os.path.join(d, "noclose.h5"), "x", 4 * n)
    problems += check_h5py(os.path.join(d, "dropped.h5"), "y", 2)
    if temporaries(d):
        problems.append("temporaries left: %s" % temporaries(d))
    return problems, logs, out


def t_no_close_diverged(n, d):
    rc, to, logs, out, _ = run("no_close_diverged", n, d, 60)
    problems = []
    if to:
        problems.append("timed out (a hang)")
    tmps = temporaries(d)
    if len(tmps) != 1:
        problems.append("expected the temporary to be kept, found %s" % tmps)
    for r in range(n):
        if "was not closed at exit" not in logs[r] or (tmps and tmps[0] not in logs[r]):
            problems.append("rank %d does not warn naming the temporary" % r)
    if "rank 0 is in h5par_file_close" not in logs[1]:
        problems.append("rank 1's write error does not say rank 0 is closing")
    return problems, logs, out


def t_report(n, d):
    rc, to, logs, out, _ = run("report_missing_dir", n, d, 60)
    problems = all_ok(rc, to, logs, out)
    if "could not be written" not in logs[0]:
        problems.append("rank 0 does not warn about the report")
    return problems, logs, out


def t_randomized(n, d):
    # A hang inside a call is cut by the watchdog (H5PAR_WATCHDOG=20, abort) and each run must
    # finish within 10 s (checked by the scenario), so this limit only bounds the whole series:
    # 200 runs on 3 oversubscribed MPICH ranks take about 340 s at load 24 (30 in 51 s).
    rc, to, logs, out, secs = run("randomized", n, d, 600)
    problems = all_ok(rc, to, logs, out)
    print("    (200 runs in %.1f s)" % secs)
    if os.environ.get("H5PAR_ROBUSTNESS_VERBOSE"):
        print(logs[0][-2000:])
    return problems, logs, out


def t_both_raise(scenario, runner):
    def t(n, d):
        rc, to, logs, out, _ = run(scenario, n, d, 60, mpi4py_runner=runner)
        problems = []
        if to:
            problems.append("timed out (a hang)")
        if rc == 0:
            problems.append("the job succeeded")
        for r in range(n):
            if "RuntimeError: boom on rank %d" % r not in logs[r]:
                problems.append("rank %d has no traceback of its RuntimeError" % r)
        if scenario.endswith("_with") and (os.path.exists(os.path.join(d, "a.h5"))
                                            or temporaries(d)):
            problems.append("the failed h5par file was published or its temporary kept: %s"
                            % os.listdir(d))
        if scenario.endswith("_open") and not runner:
            check = check_h5py(os.path.join(d, "a.h5"), "x", 4 * n)
            if check:
                problems.append("the h5par file closed at exit: %s" % check)
        return problems, logs, out
    return t


TESTS = [
    ("one_rank_calls", [2, 3], t_simple("one_rank_calls")),
    ("one_rank_with", [2, 3], t_simple("one_rank_with")),
    ("write_twice", [2, 3], t_simple("write_twice")),
    ("arg_mismatch_with", [2, 3], t_arg_mismatch_with),
    ("with_exception", [2, 3], t_with_exception("with_exception", False)),
    ("with_exception_mpi4py", [2], t_with_exception("with_exception", True)),
    ("with_exception_in_write", [2, 3], t_with_exception("with_exception_in_write", False)),
    ("bad_local_args", [2, 3], t_simple("bad_local_args")),
    ("disk_full", [1, 2, 3], t_disk_full),
    ("no_close", [1, 2, 3], t_no_close),
    ("no_close_diverged", [2], t_no_close_diverged),
    ("report_missing_dir", [1, 2, 3], t_report),
    ("symlink", [1, 2, 3], t_simple("symlink")),
    ("bad_creates", [1, 2, 3], t_simple("bad_creates")),
    ("randomized", [2, 3], t_randomized),
]

# With an h5py-mpio file open too: needs an h5py built with MPI for the MPI in use. Debian's
# python3-h5py-mpi is OpenMPI's; the MPICH venv's h5py is serial, so on MPICH these are not
# run (and the run says so).
H5PY_MPIO = [
    ("both_raise_h5py_open", [1, 2, 3], t_both_raise("both_raise_h5py_open", False)),
    ("both_raise_h5py_open_mpi4py", [2], t_both_raise("both_raise_h5py_open", True)),
    ("both_raise_h5py_with", [1, 2, 3], t_both_raise("both_raise_h5py_with", False)),
    ("both_raise_h5py_with_mpi4py", [2], t_both_raise("both_raise_h5py_with", True)),
]
if "mpich" in MPIRUN:
    print("robustness: not run on MPICH (its venv's h5py has no MPI-IO driver): %s"
          % ", ".join(name for name, _, _ in H5PY_MPIO))
else:
    TESTS += H5PY_MPIO


def main():
    only = sys.argv[1] if len(sys.argv) > 1 else ""
    failures = []
    for name, ranks, test in TESTS:
        if only not in name:
            continue
        for n in ranks:
            d = tempfile.mkdtemp(prefix="h5par-rob-", dir=os.environ.get("H5PAR_TEST_TMP", "/tmp"))
            t = time.time()
            try:
                problems, logs, out = test(n, d)
            finally:
                pass
            label = "%s on %d rank(s)" % (name, n)
            if problems:
                failures.append(label)
                print("FAILED %s (%.1f s): %s" % (label, time.time() - t, "; ".join(problems)))
                for r, text in sorted(logs.items()):
                    print("--- rank %d log\n%s" % (r, text[-3000:]))
                print("--- mpirun output\n%s" % out[-2000:])
            else:
                print("ok     %s (%.1f s)" % (label, time.time() - t))
                if os.environ.get("H5PAR_ROBUSTNESS_VERBOSE"):
                    for r, text in sorted(logs.items()):
                        print("--- rank %d log\n%s" % (r, text[-3000:]))
            shutil.rmtree(d, ignore_errors=True)
    if failures:
        print("robustness: %d failed: %s" % (len(failures), ", ".join(failures)))
        sys.exit(1)
    print("robustness: all passed")


if __name__ == "__main__":
    main()
