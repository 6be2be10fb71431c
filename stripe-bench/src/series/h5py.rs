//! Series `h5py`: h5py with `driver="mpio"`, measured by `h5py_series.py` in a child MPI job
//! (`mpirun.openmpi -n P /usr/bin/python3 h5py_series.py ...`) that rank 0 starts.
//!
//! The child job runs with the same method (barrier, `MPI_Wtime`, max over ranks, data checked
//! after every read) and prints its timings as JSON lines, which rank 0 parses and broadcasts.
//! While it runs, the other ranks wait in [`sleepy_barrier`] instead of spinning.
//!
//! Nested `mpirun`: the child's environment is the parent's without the variables of the
//! parent's MPI launcher (`OMPI_*`, `PMIX_*`, `PMI_*`, `HYDRA_*`, ...), so the child's
//! `mpirun` starts a job of its own; and rank 0 widens its CPU affinity to all cores while it
//! starts the child, because the parent's `mpirun` bound it to one core and the child's ranks
//! would otherwise inherit that single core.

use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::Ctx;
use crate::cli::{BufferAlign, Io, Op};
use crate::comm::{agree, broadcast_string, sleepy_barrier};

/// The Python interpreter that has Debian's h5py (with MPI), mpi4py and numpy.
pub const PYTHON: &str = "/usr/bin/python3";
/// The launcher of the child job (h5py and mpi4py are built against OpenMPI).
pub const MPIRUN: &str = "mpirun.openmpi";
/// The script, embedded so that the binary works from any directory; written to `--out`.
pub const SCRIPT: &str = include_str!("../../h5py_series.py");
/// The file name the script is written under.
pub const SCRIPT_NAME: &str = "h5py_series.py";

/// Environment variables a child launcher must not see: the parent launcher's.
const LAUNCHER_PREFIXES: [&str; 7] = [
    "OMPI_", "PMIX_", "PMI_", "HYDRA_", "ORTE_", "OPAL_", "MPIR_",
];
/// Launcher variables kept anyway: OpenMPI's permission to run as root.
const KEEP: [&str; 2] = ["OMPI_ALLOW_RUN_AS_ROOT", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"];
/// MPICH's per-job variables (which h5py also reads to pick its MPI build).
const DROP: [&str; 2] = ["MPI_LOCALNRANKS", "MPI_LOCALRANKID"];

/// The environment for the child job: `vars` without the parent launcher's variables, plus
/// `H5PY_ALWAYS_USE_MPI=1` (Debian's h5py then loads its MPI build even for one rank).
pub fn child_env(
    vars: impl IntoIterator<Item = (OsString, OsString)>,
) -> Vec<(OsString, OsString)> {
    let mut out: Vec<(OsString, OsString)> = vars
        .into_iter()
        .filter(|(k, _)| {
            let k = k.to_string_lossy();
            KEEP.contains(&k.as_ref())
                || !(LAUNCHER_PREFIXES.iter().any(|p| k.starts_with(p))
                    || DROP.contains(&k.as_ref()))
        })
        .collect();
    out.push(("H5PY_ALWAYS_USE_MPI".into(), "1".into()));
    out
}

/// Finds `name` in `$PATH` (or `/usr/bin`).
fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_else(|| "/usr/bin".into());
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/bin")])
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// Whether the h5py series can run here; `Err` says why not. Called on rank 0 only.
pub fn available() -> Result<(), String> {
    if which(MPIRUN).is_none() {
        return Err(format!("{MPIRUN} not found"));
    }
    if !Path::new(PYTHON).is_file() {
        return Err(format!("{PYTHON} not found"));
    }
    let mut cmd = Command::new(PYTHON);
    cmd.args([
        "-c",
        "import sys, h5py, mpi4py; sys.exit(0 if h5py.get_config().mpi else 3)",
    ])
    .env_clear()
    .envs(child_env(std::env::vars_os()))
    .stdin(Stdio::null())
    .stdout(Stdio::null())
    .stderr(Stdio::null());
    let mut child = cmd.spawn().map_err(|e| format!("{PYTHON}: {e}"))?;
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(s)) if s.success() => return Ok(()),
            Ok(Some(s)) if s.code() == Some(3) => {
                return Err("h5py has no MPI support (install python3-h5py-mpi)".into())
            }
            Ok(Some(_)) => return Err(format!("{PYTHON} cannot import h5py and mpi4py")),
            Ok(None) if start.elapsed() > Duration::from_secs(30) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "{PYTHON} -c 'import h5py, mpi4py' did not finish in 30 s"
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(format!("{PYTHON}: {e}")),
        }
    }
}

/// One timed action of the child job, with the seed of the data it writes or checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Action {
    /// Write or read.
    pub op: Op,
    /// Collective or independent.
    pub io: Io,
    /// Pattern seed.
    pub seed: u64,
}

/// What one child job does.
#[derive(Debug, Clone)]
pub struct Job {
    /// The script.
    pub script: PathBuf,
    /// The HDF5 file.
    pub path: PathBuf,
    /// Write the file untimed (collectively, with this seed) before the actions.
    pub prepare: Option<u64>,
    /// The timed actions, in order.
    pub actions: Vec<Action>,
    /// The testing aid [`super::CORRUPT_ENV`]: the child damages the file after every write
    /// (`--corrupt-after-write`), as the Rust series do.
    pub corrupt_after_write: bool,
    /// `--buffer-align` of the run, for the child's numpy buffers.
    pub buffer_align: BufferAlign,
}

/// The timing of one action: seconds of the slowest rank.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timing {
    /// Write or read.
    pub op: Op,
    /// Collective or independent.
    pub io: Io,
    /// Seconds.
    pub seconds: f64,
    /// User CPU seconds summed over the child's ranks (NaN if not reported).
    pub user_s: f64,
    /// System CPU seconds summed over the child's ranks (NaN if not reported).
    pub sys_s: f64,
    /// Offset past a page of rank 0's numpy buffer.
    pub buffer_offset: u64,
}

/// The command line of the child job (without the program, `mpirun.openmpi`).
pub fn child_args(ctx: &Ctx, job: &Job, cores: usize) -> Vec<String> {
    let procs = ctx.procs() as usize;
    let mut a = vec!["-n".to_string(), procs.to_string()];
    if procs > cores {
        a.push("--oversubscribe".into());
    }
    a.push(PYTHON.into());
    a.push(job.script.display().to_string());
    a.push("--path".into());
    a.push(job.path.display().to_string());
    a.push("--elements".into());
    a.push(ctx.n.to_string());
    a.push("--actions".into());
    a.push(
        job.actions
            .iter()
            .map(|x| format!("{}:{}:{}", x.op, x.io, x.seed))
            .collect::<Vec<_>>()
            .join(","),
    );
    if let Some(seed) = job.prepare {
        a.push("--prepare".into());
        a.push(seed.to_string());
    }
    for (k, v) in &ctx.hints {
        a.push("--hint".into());
        a.push(format!("{k}={v}"));
    }
    if ctx.drop_cache {
        a.push("--drop-cache".into());
    }
    if job.corrupt_after_write {
        a.push("--corrupt-after-write".into());
    }
    // Every child is a new process: it writes and reads once, untimed, before its actions.
    a.push("--warmup".into());
    a.push("--buffer-align".into());
    a.push(job.buffer_align.name().into());
    a
}

/// Collective: runs the child job for `job` (on rank 0, the others waiting without spinning)
/// and returns the timings of its actions on every rank, or the same error on every rank.
pub fn run(ctx: &Ctx, job: &Job, timeout: Duration) -> Result<Vec<Timing>, String> {
    let local = if ctx.rank() == 0 {
        let r = run_child(ctx, job, timeout);
        sleepy_barrier(ctx.comm);
        r
    } else {
        sleepy_barrier(ctx.comm);
        Ok(String::new())
    };
    // Only rank 0 can fail here: no "rank 0: " before the message.
    let text =
        agree(ctx.comm, local).map_err(|e| e.strip_prefix("rank 0: ").unwrap_or(&e).to_string())?;
    let text = broadcast_string(ctx.comm, 0, &text);
    parse_timings(&text, job)
}

/// The number of online cores.
fn online_cores() -> usize {
    // SAFETY: sysconf has no preconditions.
    let n = unsafe { libc::sysconf(libc::_SC_NPROCESSORS_ONLN) };
    if n > 0 {
        n as usize
    } else {
        1
    }
}

/// Runs `f` with this thread's CPU affinity widened to every core, then restores it.
fn with_all_cores<T>(f: impl FnOnce() -> T) -> T {
    // SAFETY: cpu_set_t is plain data; sched_{get,set}affinity with pid 0 act on this thread.
    unsafe {
        let mut saved: libc::cpu_set_t = std::mem::zeroed();
        let have =
            libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut saved) == 0;
        let mut all: libc::cpu_set_t = std::mem::zeroed();
        for i in 0..libc::CPU_SETSIZE as usize {
            libc::CPU_SET(i, &mut all);
        }
        libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &all);
        let r = f();
        if have {
            libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &saved);
        }
        r
    }
}

/// Rank 0: starts the child job, waits for it (with a time limit), returns its stdout.
fn run_child(ctx: &Ctx, job: &Job, timeout: Duration) -> Result<String, String> {
    let mut cmd = Command::new(MPIRUN);
    cmd.args(child_args(ctx, job, online_cores()))
        .env_clear()
        .envs(child_env(std::env::vars_os()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        // The parent runs as root already (under any launcher); let the child's mpirun too.
        cmd.env("OMPI_ALLOW_RUN_AS_ROOT", "1")
            .env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1");
    }
    let mut child =
        with_all_cores(|| cmd.spawn()).map_err(|e| format!("h5py: starting {MPIRUN}: {e}"))?;
    let mut stdout = child.stdout.take();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(out) = stdout.as_mut() {
            let _ = out.read_to_string(&mut s);
        }
        s
    });
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break Ok(s),
            Ok(None) if start.elapsed() > timeout => {
                // SIGTERM first: mpirun then stops its ranks; SIGKILL if it does not exit.
                // SAFETY: signalling our own child process by its id.
                unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
                let t = Instant::now();
                while t.elapsed() < Duration::from_secs(10) {
                    if let Ok(Some(_)) = child.try_wait() {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                let _ = child.kill();
                let _ = child.wait();
                break Err(format!(
                    "h5py: the child job did not finish within {} s and was stopped",
                    timeout.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(2)),
            Err(e) => break Err(format!("h5py: waiting for {MPIRUN}: {e}")),
        }
    };
    let out = reader.join().unwrap_or_default();
    let status = status?;
    let messages: Vec<String> = out
        .lines()
        .filter(|l| json_field(l, "event").as_deref() == Some("error"))
        .map(|l| json_field(l, "message").unwrap_or_else(|| l.to_string()))
        .collect();
    if !messages.is_empty() {
        return Err(format!("h5py child job: {}", messages.join("; ")));
    }
    if !status.success() {
        return Err(format!(
            "h5py: the child job `{MPIRUN} {}` failed ({status})",
            child_args(ctx, job, online_cores()).join(" ")
        ));
    }
    Ok(out)
}

/// The timings of `job`'s actions in the child's output (lines with `"event": "result"`).
pub fn parse_timings(text: &str, job: &Job) -> Result<Vec<Timing>, String> {
    let mut out = Vec::new();
    for line in text.lines() {
        if json_field(line, "event").as_deref() != Some("result") {
            continue;
        }
        let op = json_field(line, "op").and_then(|s| Op::from_name(&s));
        let io = json_field(line, "io").and_then(|s| match s.as_str() {
            "coll" => Some(Io::Coll),
            "indep" => Some(Io::Indep),
            _ => None,
        });
        let seconds = json_field(line, "seconds").and_then(|s| s.parse::<f64>().ok());
        let num = |k: &str| {
            json_field(line, k)
                .and_then(|s| s.parse::<f64>().ok())
                .unwrap_or(f64::NAN)
        };
        match (op, io, seconds) {
            (Some(op), Some(io), Some(seconds)) => out.push(Timing {
                op,
                io,
                seconds,
                user_s: num("user_s"),
                sys_s: num("sys_s"),
                buffer_offset: num("buffer_offset").max(0.0) as u64,
            }),
            _ => return Err(format!("h5py: unexpected line from the child job: {line}")),
        }
    }
    let want: Vec<(Op, Io)> = job.actions.iter().map(|a| (a.op, a.io)).collect();
    let got: Vec<(Op, Io)> = out.iter().map(|t| (t.op, t.io)).collect();
    if want != got {
        return Err(format!(
            "h5py: the child job reported {got:?}, expected {want:?}"
        ));
    }
    Ok(out)
}

/// The value of `key` in a flat JSON object on one line (strings unescaped, other values as
/// written); `None` if the line is no such object or has no such key.
pub fn json_field(line: &str, key: &str) -> Option<String> {
    let s = line.trim();
    let mut rest = s.strip_prefix('{')?.strip_suffix('}')?.trim_start();
    while !rest.is_empty() {
        let (k, after) = json_string(rest)?;
        let after = after.trim_start().strip_prefix(':')?.trim_start();
        let (v, after) = if after.starts_with('"') {
            json_string(after)?
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (after[..end].trim().to_string(), &after[end..])
        };
        if k == key {
            return Some(v);
        }
        rest = after.trim_start();
        rest = rest.strip_prefix(',').unwrap_or(rest).trim_start();
    }
    None
}

/// A JSON string at the start of `s` (which starts with `"`), unescaped, and the rest.
fn json_string(s: &str) -> Option<(String, &str)> {
    let body = s.strip_prefix('"')?;
    let mut out = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((out, &body[i + 1..])),
            '\\' => {
                let (_, e) = chars.next()?;
                match e {
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    'r' => out.push('\r'),
                    'u' => {
                        let hex: String = (0..4)
                            .filter_map(|_| chars.next().map(|(_, h)| h))
                            .collect();
                        let cp = u32::from_str_radix(&hex, 16).ok()?;
                        out.push(char::from_u32(cp).unwrap_or('\u{fffd}'));
                    }
                    other => out.push(other),
                }
            }
            c => out.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_fields() {
        let l = r#"{"event": "result", "op": "write", "io": "coll", "seconds": 0.25, "bytes": 8}"#;
        assert_eq!(json_field(l, "event").as_deref(), Some("result"));
        assert_eq!(json_field(l, "seconds").as_deref(), Some("0.25"));
        assert_eq!(json_field(l, "bytes").as_deref(), Some("8"));
        assert_eq!(json_field(l, "nope"), None);
        let e = r#"{"event": "error", "message": "rank 1: a \"quoted\" \u00e9 thing, here"}"#;
        assert_eq!(
            json_field(e, "message").as_deref(),
            Some("rank 1: a \"quoted\" \u{e9} thing, here")
        );
        assert_eq!(json_field("not json", "event"), None);
        assert_eq!(json_field("{}", "event"), None);
    }

    #[test]
    fn timings_are_matched_to_actions() {
        let job = Job {
            script: "s.py".into(),
            path: "f.h5".into(),
            prepare: None,
            corrupt_after_write: false,
            buffer_align: BufferAlign::Malloc,
            actions: vec![
                Action {
                    op: Op::Write,
                    io: Io::Coll,
                    seed: 1,
                },
                Action {
                    op: Op::Read,
                    io: Io::Coll,
                    seed: 1,
                },
            ],
        };
        let text = "noise\n\
            {\"event\": \"result\", \"op\": \"write\", \"io\": \"coll\", \"seconds\": 1.5}\n\
            {\"event\": \"result\", \"op\": \"read\", \"io\": \"coll\", \"seconds\": 0.5, \
             \"user_s\": 0.25, \"sys_s\": 0.125, \"buffer_offset\": 16}\n";
        let t = parse_timings(text, &job).unwrap();
        assert_eq!(
            t[1],
            Timing {
                op: Op::Read,
                io: Io::Coll,
                seconds: 0.5,
                user_s: 0.25,
                sys_s: 0.125,
                buffer_offset: 16
            }
        );
        assert!(t[0].user_s.is_nan());
        assert!(parse_timings("", &job).is_err());
    }

    #[test]
    fn the_launchers_variables_are_dropped() {
        let vars: Vec<(OsString, OsString)> = [
            ("PATH", "/usr/bin"),
            ("OMPI_COMM_WORLD_SIZE", "2"),
            ("OMPI_MCA_orte_hnp_uri", "x"),
            ("OMPI_ALLOW_RUN_AS_ROOT", "1"),
            ("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1"),
            ("PMIX_RANK", "0"),
            ("PMI_FD", "6"),
            ("HYDRA_CONTROL_FD", "3"),
            ("MPI_LOCALNRANKS", "2"),
            ("HOME", "/root"),
        ]
        .iter()
        .map(|(k, v)| (OsString::from(k), OsString::from(v)))
        .collect();
        let env = child_env(vars);
        let keys: Vec<String> = env
            .iter()
            .map(|(k, _)| k.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            keys,
            [
                "PATH",
                "OMPI_ALLOW_RUN_AS_ROOT",
                "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM",
                "HOME",
                "H5PY_ALWAYS_USE_MPI"
            ]
        );
    }

    /// The script damages the same span as [`super::corrupt_span`] (when numpy is here).
    #[test]
    fn script_corrupt_span_matches() {
        if !Path::new(PYTHON).is_file() {
            return;
        }
        let sizes = [0u64, 1, 2, 3, 100, 4096, 16385, 8 << 20];
        let code = format!(
            "import sys; sys.path.insert(0, {:?}); import h5py_series as m; \
             print(' '.join('%d,%d' % m.corrupt_span(s) for s in {:?}))",
            env!("CARGO_MANIFEST_DIR"),
            sizes
        );
        let out = Command::new(PYTHON)
            .args(["-B", "-c", &code])
            .output()
            .unwrap();
        if !out.status.success() {
            return; // no numpy here
        }
        let want: Vec<String> = sizes
            .iter()
            .map(|&s| {
                let (o, l) = super::super::corrupt_span(s);
                format!("{o},{l}")
            })
            .collect();
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), want.join(" "));
    }

    /// The script computes the same pattern as `pattern.rs` (when Debian's numpy is here).
    #[test]
    fn script_pattern_matches() {
        if !Path::new(PYTHON).is_file() {
            return;
        }
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join(SCRIPT_NAME);
        let seed = crate::pattern::seed(4, 2, 3, 1);
        let out = Command::new(PYTHON)
            .arg(&script)
            .args(["--print-pattern", &seed.to_string(), "1000000", "5"])
            .output()
            .unwrap();
        if !out.status.success() {
            // No numpy here: nothing to compare with.
            return;
        }
        let text = String::from_utf8_lossy(&out.stdout);
        let got: Vec<f64> = text
            .split_whitespace()
            .map(|x| x.parse().unwrap())
            .collect();
        let want: Vec<f64> = (1_000_000..1_000_005)
            .map(|i| crate::pattern::value(seed, i))
            .collect();
        assert_eq!(got, want);
    }
}
