//! Runs test cases as MPI programs: the test binary re-launches itself under `mpirun -n N`
//! with `H5PAR_CASE` set, with a time limit, so a hang is a failure.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Which MPI this binary was built against, from `MPI_Get_library_version` (callable
/// before `MPI_Init`).
pub fn flavour() -> &'static str {
    let v = mpi::environment::library_version().unwrap_or_default();
    if v.contains("Open MPI") {
        "openmpi"
    } else {
        "mpich"
    }
}

/// The `mpirun` of the MPI this binary is linked with (override: `H5PAR_MPIRUN`).
pub fn mpirun() -> String {
    if let Ok(m) = std::env::var("H5PAR_MPIRUN") {
        return m;
    }
    let named = format!("mpirun.{}", flavour());
    if Path::new("/usr/bin").join(&named).exists() {
        named
    } else {
        "mpirun".into()
    }
}

/// Extra environment for launching: OpenMPI as root, and yielding when oversubscribed.
pub fn mpi_env(cmd: &mut Command) {
    cmd.env("OMPI_ALLOW_RUN_AS_ROOT", "1")
        .env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
        .env("OMPI_MCA_mpi_yield_when_idle", "1")
        .env("OMPI_MCA_rmaps_base_oversubscribe", "1");
}

/// The outcome of one launch.
pub struct Outcome {
    pub status: Option<i32>,
    pub output: String,
    pub timed_out: bool,
}

/// Runs `cmd` (in its own process group) for at most `limit`, killing the whole group then.
pub fn run_limited(mut cmd: Command, limit: Duration) -> Outcome {
    use std::os::unix::process::CommandExt;
    cmd.stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let start = Instant::now();
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            return Outcome {
                status: None,
                output: format!("cannot start {cmd:?}: {e}"),
                timed_out: false,
            }
        }
    };
    let mut out = child.stdout.take().expect("piped");
    let mut err = child.stderr.take().expect("piped");
    let t_out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let t_err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let mut timed_out = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s.code(),
            Ok(None) if start.elapsed() > limit => {
                timed_out = true;
                kill_group(child.id());
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(_) => break None,
        }
    };
    // Any rank left behind by a killed launcher goes too.
    kill_group(child.id());
    let output = format!(
        "{}{}",
        t_out.join().unwrap_or_default(),
        t_err.join().unwrap_or_default()
    );
    Outcome {
        status,
        output,
        timed_out,
    }
}

/// SIGKILL to the process group `pid` leads.
pub fn kill_group(pid: u32) {
    // SAFETY: plain kill(2) on a process group we created.
    unsafe {
        libc::kill(-(pid as i32), libc::SIGKILL);
    }
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
