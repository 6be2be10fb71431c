//! Trials that drive several programs: N-to-M ranks, h5py and h5dump interop, a job killed
//! mid-write, and a call made without MPI.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use libtest_mimic::{Failed, Trial};

use crate::harness::{self, run_case, run_limited};

const LIMIT: Duration = Duration::from_secs(60);

pub fn trials() -> Vec<Trial> {
    vec![
        Trial::test("process::no_mpi_init", no_mpi_init),
        Trial::test("process::write3_read2", || n_to_m(3, 2)),
        Trial::test("process::write2_read3", || n_to_m(2, 3)),
        Trial::test("process::write1_read4", || n_to_m(1, 4)),
        Trial::test("process::h5py_and_h5dump_read_h5par", h5py_reads_h5par),
        Trial::test("process::h5par_reads_h5py", h5par_reads_h5py),
        Trial::test("process::sigkill_mid_write", sigkill_mid_write),
        Trial::test("process::readme_example", readme_example),
        Trial::test("process::watchdog_aborts_a_lone_call", watchdog_aborts),
        Trial::test(
            "process::watchdog_waits_without_burning_a_core",
            watchdog_waits,
        ),
    ]
}

fn no_mpi_init() -> Result<(), Failed> {
    let dir = harness::trial_dir();
    let mut cmd = Command::new(std::env::current_exe()?);
    cmd.env("H5PAR_CASE", "no_mpi_init")
        .env("H5PAR_TEST_DIR", dir.path());
    let o = run_limited(cmd, Duration::from_secs(20));
    harness::check("no_mpi_init", 1, &o, Duration::from_secs(20))?;
    Ok(())
}

fn n_to_m(n: usize, m: usize) -> Result<(), Failed> {
    let dir = harness::trial_dir();
    run_case("write_n", n, dir.path(), LIMIT)?;
    run_case("read_m", m, dir.path(), LIMIT)?;
    Ok(())
}

fn python(args: &[&str], dir: &Path, extra_env: &[(&str, &str)]) -> Result<String, String> {
    let mut cmd = Command::new(harness::python());
    cmd.args(args).current_dir(dir);
    harness::mpi_env(&mut cmd);
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    let o = run_limited(cmd, LIMIT);
    if o.status == Some(0) {
        Ok(o.output)
    } else {
        Err(format!(
            "{args:?} failed ({:?}, timed out: {}):\n{}",
            o.status, o.timed_out, o.output
        ))
    }
}

fn script(name: &str) -> String {
    format!("{}/tests/python/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn h5py_reads_h5par() -> Result<(), Failed> {
    for ranks in [1usize, 3] {
        let dir = harness::trial_dir();
        run_case("h5par_writes", ranks, dir.path(), LIMIT)?;
        let d = dir.path().to_str().ok_or("utf-8 dir")?;
        let r = ranks.to_string();
        let out = python(&[&script("check_h5par_file.py"), d, &r], dir.path(), &[])?;
        if !out.contains("ok sec2") {
            return Err(format!("serial h5py did not confirm:\n{out}").into());
        }
        let out = python(
            &[&script("check_h5par_file.py"), d, &r, "mpio"],
            dir.path(),
            &[],
        )?;
        if !out.contains("ok mpio") {
            return Err(format!("h5py with the mpio driver did not confirm:\n{out}").into());
        }
        // h5dump (Debian's, HDF5 1.10) reads it too: every object's header (written with the
        // default format bounds, whichever HDF5 h5par runs on), values and attributes.
        let file = dir.path().join("from_h5par.h5");
        let o = Command::new("h5dump").arg("-H").arg(&file).output()?;
        if !o.status.success() || !o.stderr.is_empty() {
            return Err(format!(
                "h5dump -H {file:?} failed:\n{}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            )
            .into());
        }
        let o = Command::new("h5dump")
            .arg("-d")
            .arg("/grid/values")
            .arg(&file)
            .stdout(Stdio::piped())
            .output()?;
        let text = String::from_utf8_lossy(&o.stdout);
        if !o.status.success()
            || !text.contains("H5T_IEEE_F64LE")
            || !text.contains("(1,0): 1.5, 2, 2.5")
        {
            return Err(format!("h5dump of {file:?} is not as expected:\n{text}").into());
        }
        let o = Command::new("h5dump")
            .arg("-a")
            .arg("/grid/values/units")
            .arg(&file)
            .output()?;
        let text = String::from_utf8_lossy(&o.stdout);
        if !o.status.success() || !text.contains("\"kelvin\"") {
            return Err(format!("h5dump attribute is not as expected:\n{text}").into());
        }
    }
    Ok(())
}

fn h5par_reads_h5py() -> Result<(), Failed> {
    let dir = harness::trial_dir();
    let d = dir.path().to_str().ok_or("utf-8 dir")?;
    python(&[&script("write_h5py_file.py"), d], dir.path(), &[])?;
    for ranks in [1, 2, 3] {
        run_case("h5py_wrote", ranks, dir.path(), LIMIT)?;
    }
    Ok(())
}

fn file_digest(path: &Path) -> Result<(u64, u64), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{path:?}: {e}"))?;
    Ok((
        bytes.len() as u64,
        h5par::comm::hash_text(&String::from_utf8_lossy(&bytes)),
    ))
}

/// Starts big_write on 2 ranks, kills the whole job with SIGKILL once it is writing, and
/// returns whether it was killed before it finished.
fn kill_while_writing(dir: &Path, mib: u64) -> Result<bool, String> {
    use std::os::unix::process::CommandExt;
    let mut cmd = harness::case_command("big_write", 2, dir);
    cmd.env("H5PAR_BIG_MIB", mib.to_string())
        .env("H5PAR_BIG_PACE_MS", "10")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .process_group(0);
    let mut child = cmd.spawn().map_err(|e| e.to_string())?;
    let out = child.stdout.take().ok_or("no stdout")?;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let start = Instant::now();
    loop {
        match rx.recv_timeout(Duration::from_millis(50)) {
            Ok(l) if l.contains("writing") => break,
            _ if start.elapsed() > LIMIT => {
                harness::kill_group(child.id());
                return Err("big_write never started writing".into());
            }
            _ => {}
        }
    }
    std::thread::sleep(Duration::from_millis(500));
    let closing = rx.try_iter().any(|l| l.contains("closing"));
    let finished = closing || matches!(child.try_wait(), Ok(Some(_)));
    harness::kill_group(child.id());
    let _ = child.wait();
    // Let the killed ranks go away.
    std::thread::sleep(Duration::from_millis(300));
    Ok(!finished)
}

fn sigkill_mid_write() -> Result<(), Failed> {
    let dir = harness::trial_dir();
    let target = dir.path().join("big.h5");
    // 1. No previous file: nothing appears at the path.
    if !kill_while_writing(dir.path(), 256)? {
        return Err("the write finished before the kill; the test needs a larger write".into());
    }
    if target.exists() {
        return Err(format!("{target:?} exists after the job was killed mid-write").into());
    }
    // 2. A previous complete file stays intact.
    let mut cmd = harness::case_command("big_write", 2, dir.path());
    cmd.env("H5PAR_BIG_MIB", "4");
    harness::check("big_write", 2, &run_limited(cmd, LIMIT), LIMIT)?;
    let before = file_digest(&target)?;
    if !kill_while_writing(dir.path(), 256)? {
        return Err("the write finished before the kill; the test needs a larger write".into());
    }
    let after = file_digest(&target)?;
    if before != after {
        return Err(format!("the previous file changed: {before:?} -> {after:?}").into());
    }
    Ok(())
}

/// The README's Rust example is examples/readme.rs, word for word, and it runs on 3 ranks.
fn readme_example() -> Result<(), Failed> {
    let root = env!("CARGO_MANIFEST_DIR");
    let readme = std::fs::read_to_string(format!("{root}/README.md"))?;
    let example = std::fs::read_to_string(format!("{root}/examples/readme.rs"))?;
    let body: String = example
        .lines()
        .skip_while(|l| l.starts_with("//") || l.is_empty())
        .map(|l| format!("{l}\n"))
        .collect();
    if !readme.contains(&body) {
        return Err("examples/readme.rs differs from the README's Rust example".into());
    }
    // The Python example is run by tests/python/run_python_tests.sh; it must be the README's.
    let py = std::fs::read_to_string(format!("{root}/tests/python/readme_example.py"))?;
    if !readme.contains(&py) {
        return Err(
            "tests/python/readme_example.py differs from the README's Python example".into(),
        );
    }
    let dir = harness::trial_dir();
    let mut cmd = harness::case_command("readme_example", 3, dir.path());
    cmd.current_dir(dir.path());
    let o = run_limited(cmd, LIMIT);
    if o.status != Some(0) || !dir.path().join("data.h5").exists() {
        return Err(format!(
            "the README example on 3 ranks: {:?}\n{}",
            o.status, o.output
        )
        .into());
    }
    Ok(())
}

/// A write that rank 1 never makes: with `H5PAR_WATCHDOG=1 H5PAR_WATCHDOG_ABORT=1` rank 0
/// prints which call it waits in, on which file, for how long, and aborts the job.
fn watchdog_aborts() -> Result<(), Failed> {
    let dir = harness::trial_dir();
    let mut cmd = harness::case_command("watchdog_lone_write", 2, dir.path());
    cmd.env("H5PAR_WATCHDOG", "1")
        .env("H5PAR_WATCHDOG_ABORT", "1");
    let started = Instant::now();
    let o = run_limited(cmd, Duration::from_secs(20));
    if o.timed_out || o.status == Some(0) {
        return Err(format!("the job was not aborted ({:?}):\n{}", o.status, o.output).into());
    }
    for needle in [
        "h5par watchdog: rank 0 of 2 has waited 1 s in write",
        "lone.h5:/x",
        "some rank has not entered this call",
        "calling MPI_Abort",
    ] {
        if !o.output.contains(needle) {
            return Err(format!("the output lacks {needle:?}:\n{}", o.output).into());
        }
    }
    if started.elapsed() > Duration::from_secs(15) {
        return Err(format!("the abort took {:?}", started.elapsed()).into());
    }
    Ok(())
}

/// A rank 3 s late: the waiting rank sleeps (little CPU), warns once, and the call succeeds.
fn watchdog_waits() -> Result<(), Failed> {
    let dir = harness::trial_dir();
    let mut cmd = harness::case_command("watchdog_late_rank", 2, dir.path());
    cmd.env("H5PAR_WATCHDOG", "1");
    let out = harness::check("watchdog_late_rank", 2, &run_limited(cmd, LIMIT), LIMIT)?;
    let warnings = out
        .matches("h5par watchdog: rank 0 of 2 has waited")
        .count();
    if warnings != 1 {
        return Err(format!("{warnings} watchdog messages, expected 1:\n{out}").into());
    }
    Ok(())
}
