//! Runs test cases as MPI programs: the test binary re-launches itself under `mpirun -n N`
//! with `H5PAR_CASE` set, with a time limit, so a hang is a failure.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

pub use h5par_testkit::{kill_group, mpi_env, run_limited, Outcome};

/// The `mpirun` of the MPI this binary is linked with (override: `H5PAR_MPIRUN`).
pub fn mpirun() -> String {
    h5par_testkit::mpi_tool("mpirun", "H5PAR_MPIRUN")
}

/// The command that runs `case` on `ranks` ranks of this test binary.
pub fn case_command(case: &str, ranks: usize, dir: &Path) -> Command {
    let exe = std::env::current_exe().expect("own path");
    let mut cmd = Command::new(mpirun());
    mpi_env(&mut cmd);
    cmd.arg("-n").arg(ranks.to_string()).arg(exe);
    cmd.env("H5PAR_CASE", case).env("H5PAR_TEST_DIR", dir);
    cmd
}

/// Runs `case` on `ranks` ranks in `dir`, and checks that every rank reported success.
pub fn run_case(case: &str, ranks: usize, dir: &Path, limit: Duration) -> Result<String, String> {
    let o = run_limited(case_command(case, ranks, dir), limit);
    check(case, ranks, &o, limit)
}

/// Checks an outcome: exit 0 in time, and "rank R: ok" from each rank.
pub fn check(case: &str, ranks: usize, o: &Outcome, limit: Duration) -> Result<String, String> {
    if o.timed_out {
        return Err(format!(
            "{case} on {ranks} ranks did not finish in {limit:?} (a hang?):\n{}",
            o.output
        ));
    }
    if o.status != Some(0) {
        return Err(format!(
            "{case} on {ranks} ranks exited with {:?}:\n{}",
            o.status, o.output
        ));
    }
    for r in 0..ranks {
        if !o.output.contains(&format!("rank {r}: ok")) {
            return Err(format!(
                "{case} on {ranks} ranks: rank {r} did not report success:\n{}",
                o.output
            ));
        }
    }
    Ok(o.output.clone())
}

/// A fresh directory for one trial (removed when dropped).
pub fn trial_dir() -> tempfile::TempDir {
    let base = std::env::var("H5PAR_TEST_TMP")
        .map(PathBuf::from)
        .unwrap_or_else(|_| std::env::temp_dir());
    tempfile::Builder::new()
        .prefix("h5par-test-")
        .tempdir_in(base)
        .expect("temporary directory")
}

/// `/usr/bin/python3` (Debian's, with h5py, mpi4py and numpy), or `H5PAR_PYTHON`.
pub fn python() -> String {
    std::env::var("H5PAR_PYTHON").unwrap_or_else(|_| "/usr/bin/python3".into())
}
