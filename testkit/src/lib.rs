//! Shared support for h5par's multi-rank tests: which MPI a test binary was built with, that
//! MPI's tools, and running a command with a time limit, so that a hang is a failure rather
//! than a stuck CI.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// `"openmpi"` or `"mpich"`: the MPI this binary is linked with, from
/// `MPI_Get_library_version` (which may be called before `MPI_Init`).
pub fn flavour() -> &'static str {
    let v = mpi::environment::library_version().unwrap_or_default();
    if v.contains("Open MPI") {
        "openmpi"
    } else {
        "mpich"
    }
}

/// The MPI tool `tool` (`mpirun`, `mpicc`, `mpif90`) of the MPI this binary is linked with:
/// the environment variable `override_var` when set, else Debian's `tool.<flavour>` when it
/// exists, else plain `tool`.
pub fn mpi_tool(tool: &str, override_var: &str) -> String {
    if let Ok(t) = std::env::var(override_var) {
        return t;
    }
    let named = format!("{tool}.{}", flavour());
    if Path::new("/usr/bin").join(&named).exists() {
        named
    } else {
        tool.to_string()
    }
}

/// Environment for launching MPI programs here: OpenMPI as root, more ranks than cores, and
/// yielding the processor while waiting.
pub fn mpi_env(cmd: &mut Command) {
    cmd.env("OMPI_ALLOW_RUN_AS_ROOT", "1")
        .env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
        .env("OMPI_MCA_mpi_yield_when_idle", "1")
        .env("OMPI_MCA_rmaps_base_oversubscribe", "1");
}

/// The outcome of one limited run.
#[derive(Debug)]
pub struct Outcome {
    /// The exit code (`None` when killed or not started).
    pub status: Option<i32>,
    /// Standard output, then standard error.
    pub output: String,
    /// Whether the time limit ran out (the process group was killed).
    pub timed_out: bool,
}

/// Runs `cmd` in its own process group, without standard input, for at most `limit`; then
/// kills the whole group (mpirun and every rank).
pub fn run_limited(mut cmd: Command, limit: Duration) -> Outcome {
    use std::os::unix::process::CommandExt;
    cmd.stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .stdin(Stdio::null())
        .process_group(0);
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
    let reader = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut s = String::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_string(&mut s);
            }
            s
        })
    };
    let out = reader(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let err = reader(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let start = Instant::now();
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
    // Any rank a killed (or crashed) launcher left behind goes too.
    kill_group(child.id());
    let output = format!(
        "{}{}",
        out.join().unwrap_or_default(),
        err.join().unwrap_or_default()
    );
    Outcome {
        status,
        output,
        timed_out,
    }
}

/// SIGKILL to the process group led by `pid`.
pub fn kill_group(pid: u32) {
    // SAFETY: kill(2) on a process group a test created.
    unsafe {
        libc::kill(-(pid as i32), libc::SIGKILL);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hang_is_cut_at_the_limit() {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "echo started; sleep 30"]);
        let o = run_limited(cmd, Duration::from_millis(300));
        assert!(o.timed_out && o.status.is_none(), "{o:?}");
        assert!(o.output.contains("started"), "{o:?}");
    }

    #[test]
    fn exit_codes_and_both_streams_come_back() {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "echo out; echo err >&2; exit 3"]);
        let o = run_limited(cmd, Duration::from_secs(20));
        assert_eq!((o.status, o.timed_out), (Some(3), false));
        assert!(
            o.output.contains("out") && o.output.contains("err"),
            "{o:?}"
        );
    }

    #[test]
    fn tools_can_be_overridden() {
        assert_eq!(
            mpi_tool("mpirun", "PATH"),
            std::env::var("PATH").unwrap_or_default()
        );
        assert!(mpi_tool("mpirun", "H5PAR_TESTKIT_UNSET").starts_with("mpirun"));
    }
}
