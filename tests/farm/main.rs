//! Multi-rank tests of the task farm. Each trial launches this binary under `mpirun -n N`
//! (or alone, as an MPI singleton) with `H5PAR_FARM_CASE` naming the case, with a time limit,
//! and checks that every rank reported success. The resume trial kills a whole job with
//! SIGKILL mid-farm and checks the rerun, the journal and the HDF5 rows (with h5py).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use h5par::farm::{journal, Batch, Controller, Farm, ProgressMode};
use h5par::{ErrorKind, File, Mode, Xfer};
use h5par_testkit::{kill_group, mpi_env, run_limited, Outcome};
use libtest_mimic::{Arguments, Failed, Trial};
use mpi::topology::SimpleCommunicator;
use mpi::traits::*;
use ndarray::Array2;

type Case = fn(&SimpleCommunicator, &Path);

/// The README's Rust example of the farm, compiled into this binary.
mod readme {
    include!("../../examples/farm_readme.rs");

    /// Runs the example's `main`.
    pub fn run() -> Result<(), h5par::Error> {
        main()
    }
}

/// (name, rank counts, time limit in seconds, function)
static CASES: &[(&str, &[usize], u64, Case)] = &[
    ("exactly_once", &[1, 2, 3, 4], 120, exactly_once),
    ("skewed", &[2, 3], 60, skewed),
    ("failures_and_retries", &[1, 2, 3], 60, failures_and_retries),
    ("records_and_summary", &[2], 60, records_and_summary),
    ("wrong_journal", &[1, 2], 60, wrong_journal),
    ("truncated_record", &[2], 60, truncated_record),
    (
        "callback_error_stops_all",
        &[1, 3],
        60,
        callback_error_stops_all,
    ),
    ("disagreeing_counts", &[2, 3], 30, disagreeing_counts),
    ("bad_paths", &[2], 30, bad_paths),
    ("resume_hdf5", &[], 120, resume_hdf5),
    ("progress", &[], 60, progress),
];

const RESUME_TASKS: u64 = 300;

fn main() {
    if let Ok(case) = std::env::var("H5PAR_FARM_CASE") {
        if case == "readme" {
            if let Err(e) = readme::run() {
                eprintln!("README example failed: {e}");
                std::process::exit(1);
            }
            println!("example: ok");
            return;
        }
        let Some(&(_, _, _, f)) = CASES.iter().find(|c| c.0 == case) else {
            eprintln!("unknown case {case}");
            std::process::exit(2);
        };
        let (universe, _) =
            mpi::initialize_with_threading(mpi::Threading::Funneled).expect("MPI initializes");
        let world = universe.world();
        let dir = PathBuf::from(std::env::var("H5PAR_TEST_DIR").expect("H5PAR_TEST_DIR"));
        f(&world, &dir);
        world.barrier();
        println!("rank {}: ok", world.rank());
        return;
    }
    let args = Arguments::from_args();
    let mut trials = Vec::new();
    for &(name, ranks, limit, _) in CASES {
        for &n in ranks {
            trials.push(Trial::test(format!("farm::{name}::np{n}"), move || {
                let dir = trial_dir();
                run_case(name, Some(n), dir.path(), &[], limit).map(|_| ())
            }));
        }
    }
    trials.push(Trial::test("farm::singleton_without_mpirun", || {
        let dir = trial_dir();
        run_case("exactly_once", None, dir.path(), &[], 60).map(|_| ())
    }));
    trials.push(Trial::test("farm::dedicated_controller::np3", || {
        let dir = trial_dir();
        let env = [("H5PAR_FARM_CONTROLLER", "dedicated")];
        run_case("exactly_once", Some(3), dir.path(), &env, 120).map(|_| ())
    }));
    trials.push(Trial::test("farm::sigkill_and_resume_hdf5::np2", || {
        sigkill_and_resume(2)
    }));
    trials.push(Trial::test("farm::sigkill_and_resume_hdf5::np3", || {
        sigkill_and_resume(3)
    }));
    trials.push(Trial::test("farm::progress_lines_and_bar", progress_modes));
    trials.push(Trial::test("farm::readme_examples", readme_examples));
    libtest_mimic::run(&args, trials).exit();
}

// ---------------------------------------------------------------------------------------
// The driver side.

fn mpirun() -> String {
    h5par_testkit::mpi_tool("mpirun", "H5PAR_MPIRUN")
}

fn trial_dir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("h5par-farm-test-")
        .tempdir()
        .expect("temporary directory")
}

fn command(case: &str, ranks: Option<usize>, dir: &Path, env: &[(&str, &str)]) -> Command {
    let exe = std::env::current_exe().expect("own path");
    let mut cmd = match ranks {
        Some(n) => {
            let mut c = Command::new(mpirun());
            c.arg("-n").arg(n.to_string()).arg(exe);
            c
        }
        None => Command::new(exe),
    };
    mpi_env(&mut cmd);
    cmd.env("H5PAR_FARM_CASE", case).env("H5PAR_TEST_DIR", dir);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

fn check(case: &str, ranks: usize, o: &Outcome) -> Result<String, Failed> {
    if o.timed_out {
        return Err(format!(
            "{case} on {ranks} ranks did not finish in time (a hang?):\n{}",
            o.output
        )
        .into());
    }
    if o.status != Some(0) {
        return Err(format!(
            "{case} on {ranks} ranks exited with {:?}:\n{}",
            o.status, o.output
        )
        .into());
    }
    for r in 0..ranks {
        if !o.output.contains(&format!("rank {r}: ok")) {
            return Err(format!("{case}: rank {r} did not report success:\n{}", o.output).into());
        }
    }
    Ok(o.output.clone())
}

fn run_case(
    case: &str,
    ranks: Option<usize>,
    dir: &Path,
    env: &[(&str, &str)],
    limit: u64,
) -> Result<String, Failed> {
    let o = run_limited(command(case, ranks, dir, env), Duration::from_secs(limit));
    check(case, ranks.unwrap_or(1), &o)
}

fn journaled(path: &Path) -> Vec<journal::Record> {
    let bytes = std::fs::read(path).unwrap_or_default();
    journal::parse(
        &bytes,
        RESUME_TASKS,
        h5par::comm::hash_bytes(b"resume task list"),
        path,
    )
    .map(|r| r.records)
    .unwrap_or_default()
}

fn h5py_rows(dir: &Path) -> Result<String, Failed> {
    let script = r#"
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1] + "/out.h5", "r")
x = f["rows"][...]
good = [i for i in range(x.shape[0]) if np.array_equal(x[i], [i, i * i, 2 * i + 1])]
print("good", " ".join(map(str, good)))
"#;
    let mut cmd = Command::new("/usr/bin/python3");
    cmd.arg("-c").arg(script).arg(dir);
    let o = run_limited(cmd, Duration::from_secs(60));
    if o.status != Some(0) {
        return Err(format!("h5py could not read the farm's file:\n{}", o.output).into());
    }
    Ok(o.output)
}

fn good_rows(out: &str) -> std::collections::BTreeSet<u64> {
    out.lines()
        .find_map(|l| l.strip_prefix("good"))
        .unwrap_or("")
        .split_whitespace()
        .filter_map(|t| t.parse().ok())
        .collect()
}

/// Kills a whole job mid-farm, checks the file and journal it left, then reruns it to the
/// end and checks that every task is done exactly once in the results and the HDF5 rows.
fn sigkill_and_resume(ranks: usize) -> Result<(), Failed> {
    use std::os::unix::process::CommandExt;
    let dir = trial_dir();
    let jpath = dir.path().join("farm.journal");
    let mut cmd = command("resume_hdf5", Some(ranks), dir.path(), &[]);
    cmd.process_group(0)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut child = cmd.spawn()?;
    let start = Instant::now();
    loop {
        let n = journaled(&jpath).len();
        if n >= 60 {
            break;
        }
        if start.elapsed() > Duration::from_secs(60) || child.try_wait()?.is_some() {
            kill_group(child.id());
            return Err(format!(
                "the first run journaled only {n} tasks before it ended or timed out"
            )
            .into());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    kill_group(child.id());
    let _ = child.wait();
    let first = journaled(&jpath);
    if first.len() as u64 >= RESUME_TASKS {
        return Err("the first run finished before the kill; make the tasks longer".into());
    }
    // The killed job's file is readable and holds every journaled task's row.
    let rows = good_rows(&h5py_rows(dir.path())?);
    for r in &first {
        if !rows.contains(&r.task) {
            return Err(format!(
                "task {} is journaled but its row is not in the file",
                r.task
            )
            .into());
        }
    }
    // The rerun finishes, skips what the journal held and reruns none of it.
    let out = run_case("resume_hdf5", Some(ranks), dir.path(), &[], 120)?;
    let skipped: u64 = out
        .lines()
        .find_map(|l| l.strip_prefix("skipped "))
        .and_then(|s| s.trim().parse().ok())
        .ok_or_else(|| format!("no skipped count in\n{out}"))?;
    if skipped < first.len() as u64 {
        return Err(format!(
            "the rerun skipped {skipped} tasks, the journal held {}",
            first.len()
        )
        .into());
    }
    let reran = std::fs::read_to_string(dir.path().join("second-run.txt")).unwrap_or_default();
    for t in reran
        .split_whitespace()
        .filter_map(|t| t.parse::<u64>().ok())
    {
        if first.iter().any(|r| r.task == t) {
            return Err(format!("task {t} was journaled by the first run and ran again").into());
        }
    }
    let rows = good_rows(&h5py_rows(dir.path())?);
    if rows.len() as u64 != RESUME_TASKS {
        return Err(format!(
            "{} of {RESUME_TASKS} rows are right after the rerun",
            rows.len()
        )
        .into());
    }
    if journaled(&jpath).len() as u64 != RESUME_TASKS {
        return Err("the journal does not hold every task after the rerun".into());
    }
    Ok(())
}

/// The README's Rust and Python farm examples are examples/farm_readme.rs and
/// tests/python/farm_readme_example.py word for word; the Rust one runs on 3 ranks, twice (the
/// second run resumes from the journal and runs nothing).
fn readme_examples() -> Result<(), Failed> {
    let root = env!("CARGO_MANIFEST_DIR");
    let readme = std::fs::read_to_string(format!("{root}/README.md"))?;
    for (file, skip_comments) in [
        ("examples/farm_readme.rs", true),
        ("tests/python/farm_readme_example.py", false),
    ] {
        let text = std::fs::read_to_string(format!("{root}/{file}"))?;
        let body: String = text
            .lines()
            .skip_while(|l| skip_comments && (l.starts_with("//") || l.is_empty()))
            .map(|l| format!("{l}\n"))
            .collect();
        if !readme.contains(&body) {
            return Err(format!("{file} differs from the README's example").into());
        }
    }
    let dir = trial_dir();
    for run in 0..2 {
        let mut cmd = command("readme", Some(3), dir.path(), &[]);
        cmd.current_dir(dir.path());
        let o = run_limited(cmd, Duration::from_secs(60));
        if o.status != Some(0) || o.output.matches("example: ok").count() != 3 {
            return Err(format!(
                "the README example, run {run}: {:?}\n{}",
                o.status, o.output
            )
            .into());
        }
        let want = if run == 0 {
            "1000 done, 0 failed, 0 skipped"
        } else {
            "0 done, 0 failed, 1000 skipped"
        };
        if !o.output.contains(want) {
            return Err(format!("run {run}: no \"{want}\" in\n{}", o.output).into());
        }
    }
    Ok(())
}

fn progress_modes() -> Result<(), Failed> {
    let dir = trial_dir();
    // Not a terminal: plain lines.
    let out = run_case(
        "progress",
        Some(2),
        dir.path(),
        &[("H5PAR_PROGRESS", "auto")],
        60,
    )?;
    if !out.contains("h5par farm: 40/40 tasks (40 done, 0 failed, 0 skipped)") {
        return Err(format!("no final progress line:\n{out}").into());
    }
    // A pseudo-terminal (script(1)) as stderr: the bar (a singleton: mpirun would put pipes
    // between the ranks and the terminal).
    let exe = std::env::current_exe()?;
    let mut cmd = Command::new("script");
    let line = exe.display().to_string();
    cmd.args(["-qec", &line, "/dev/null"]);
    mpi_env(&mut cmd);
    cmd.env("H5PAR_FARM_CASE", "progress")
        .env("H5PAR_TEST_DIR", dir.path())
        .env("H5PAR_PROGRESS", "auto");
    let o = run_limited(cmd, Duration::from_secs(60));
    let out = check("progress under a terminal", 1, &o)?;
    if !out.contains("40/40 tasks") || !out.contains("ETA") || out.contains("h5par farm: 40/40") {
        return Err(format!("no progress bar on the terminal:\n{out}").into());
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// The cases, run on every rank.

fn busy_wait(secs: f64) {
    let t = Instant::now();
    while t.elapsed().as_secs_f64() < secs {
        std::hint::spin_loop();
    }
}

fn exactly_once(world: &SimpleCommunicator, dir: &Path) {
    let size = world.size() as u64;
    for (n, batch) in [
        (0u64, Batch::Adaptive),
        (1, Batch::Adaptive),
        (size.saturating_sub(1), Batch::Adaptive),
        (1000, Batch::Fixed(1)),
        (100_000, Batch::Adaptive),
    ] {
        let farm = Farm::new().progress(ProgressMode::Off).batch(batch);
        let out = farm
            .map(world, n, |i| Ok((i * 3 + 1, world.rank())))
            .unwrap_or_else(|e| panic!("farm of {n}: {e}"));
        assert_eq!(out.summary.done, n);
        assert_eq!(out.summary.tasks, n);
        match out.results {
            Some(r) => {
                assert_eq!(world.rank(), 0);
                assert_eq!(r.len() as u64, n);
                let mut ranks_used = std::collections::BTreeSet::new();
                for (i, v) in r.iter().enumerate() {
                    let (x, rank) = v.as_ref().unwrap_or_else(|e| panic!("task {i}: {e}"));
                    assert_eq!(*x, i as u64 * 3 + 1);
                    ranks_used.insert(*rank);
                }
                if n == 100_000 && std::env::var("H5PAR_FARM_CONTROLLER").is_err() {
                    assert_eq!(ranks_used.len() as u64, size, "every rank works");
                }
            }
            None => assert_ne!(world.rank(), 0),
        }
    }
    // The callback form counts each task exactly once, and rank 0's memory stays flat.
    let mut seen = vec![0u8; 5000];
    let s = Farm::new()
        .progress(ProgressMode::Off)
        .run(
            world,
            5000,
            |i| Ok(i.to_le_bytes().to_vec()),
            |r| {
                assert!(r.ok && r.data == r.task.to_le_bytes());
                seen[r.task as usize] += 1;
                Ok(())
            },
        )
        .expect("callback farm");
    if world.rank() == 0 {
        assert!(seen.iter().all(|&c| c == 1));
    }
    assert_eq!(s.done, 5000);
    let _ = dir;
}

fn skewed(world: &SimpleCommunicator, _dir: &Path) {
    // One task 100x the others.
    let out = Farm::new()
        .progress(ProgressMode::Off)
        .map(world, 400, |i| {
            busy_wait(if i == 17 { 0.05 } else { 0.0005 });
            Ok(i)
        })
        .expect("skewed farm");
    if let Some(r) = out.results {
        for (i, v) in r.iter().enumerate() {
            assert_eq!(v.as_ref().ok(), Some(&(i as u64)));
        }
        // Which tasks were slowest depends on the machine's load: only their shape is checked.
        let slow = &out.summary.slowest;
        assert!(!slow.is_empty() && slow.len() <= 5 && slow.iter().all(|t| t.task < 400));
        assert!(slow.windows(2).all(|w| w[0].seconds >= w[1].seconds));
    }
}

fn failures_and_retries(world: &SimpleCommunicator, dir: &Path) {
    let size = world.size();
    let rank = world.rank();
    // Tasks i % 7 == 3 fail on their first attempt (leaving a marker with the rank), tasks
    // i % 11 == 5 always fail, task 13 panics once; with 2 retries all but the i % 11 == 5
    // tasks are done, each retry on another rank than the first attempt.
    let out = Farm::new()
        .progress(ProgressMode::Off)
        .retries(2)
        .map(world, 100, |i| {
            let marker = dir.join(format!("first-{i}"));
            if i % 11 == 5 {
                return Err(format!("task {i} always fails").into());
            }
            if (i % 7 == 3 || i == 13) && !marker.exists() {
                std::fs::write(&marker, rank.to_string())?;
                if i == 13 {
                    panic!("task 13 panics once");
                }
                return Err(format!("task {i} fails once").into());
            }
            let first: Option<i32> = std::fs::read_to_string(&marker)
                .ok()
                .and_then(|s| s.parse().ok());
            Ok((rank, first))
        })
        .expect("a farm with failures still ends");
    let always: Vec<u64> = (0..100).filter(|i| i % 11 == 5).collect();
    assert_eq!(out.summary.failed, always.len() as u64);
    assert_eq!(
        out.summary
            .failures
            .iter()
            .map(|f| f.task)
            .collect::<Vec<_>>(),
        always
    );
    for f in &out.summary.failures {
        assert_eq!(f.attempts, 3);
        assert!(f.message.contains("always fails"), "{f:?}");
    }
    let once = (0..100).filter(|i| i % 7 == 3 && i % 11 != 5).count() as u64 + 1;
    assert_eq!(out.summary.retried, once + 2 * always.len() as u64);
    if let Some(r) = out.results {
        for (i, v) in r.iter().enumerate() {
            let i = i as u64;
            match v {
                Err(m) => assert!(i % 11 == 5 && m.contains("always fails"), "{i}: {m}"),
                Ok((ran, first)) => {
                    assert!(i % 11 != 5);
                    if let Some(first) = first {
                        if size > 1 {
                            assert_ne!(ran, first, "task {i} was retried on the rank it failed on");
                        }
                    }
                }
            }
        }
    }
}

fn records_and_summary(world: &SimpleCommunicator, dir: &Path) {
    let csv = dir.join("records.csv");
    let s = Farm::new()
        .progress(ProgressMode::Off)
        .retries(1)
        .records(&csv)
        .run(
            world,
            50,
            |i| {
                if i == 7 {
                    Err("bad, \"quoted\"\ninput".into())
                } else {
                    Ok(vec![])
                }
            },
            |_| Ok(()),
        )
        .expect("farm");
    assert_eq!(
        (s.done, s.failed, s.retried, s.ranks),
        (49, 1, 1, world.size() as u32)
    );
    assert!(s.efficiency >= 0.0 && s.efficiency <= 1.0 && s.wall_seconds > 0.0);
    assert!(
        s.to_string().contains("failed: task 7 after 2 attempt(s)"),
        "{s}"
    );
    if world.rank() == 0 {
        let text = std::fs::read_to_string(&csv).expect("records written");
        let mut lines = text.lines();
        assert_eq!(
            lines.next(),
            Some("task,rank,start,end,attempts,status,message")
        );
        assert!(
            text.contains(",1,retry,\"bad, \"\"quoted\"\"\ninput\""),
            "{text}"
        );
        assert!(text.contains(",2,failed,\"bad,"), "{text}");
        assert_eq!(text.matches(",done,").count(), 49);
    }
}

fn wrong_journal(world: &SimpleCommunicator, dir: &Path) {
    let j = dir.join("j.journal");
    let farm = |id: &[u8]| Farm::new().progress(ProgressMode::Off).journal(&j, id);
    let s = farm(b"list A")
        .run(world, 20, |_| Ok(vec![]), |_| Ok(()))
        .unwrap();
    assert_eq!(s.done, 20);
    let again = farm(b"list A")
        .run(world, 20, |_| panic!("nothing to rerun"), |_| Ok(()))
        .unwrap();
    assert_eq!((again.skipped, again.done), (20, 0));
    for (id, n) in [(&b"list B"[..], 20u64), (&b"list A"[..], 21)] {
        let t = Instant::now();
        let e = farm(id)
            .run(world, n, |_| Ok(vec![]), |_| Ok(()))
            .expect_err("a journal of another task list is refused");
        assert!(t.elapsed() < Duration::from_secs(10));
        assert!(
            e.to_string().contains("another task list"),
            "rank {}: {e}",
            world.rank()
        );
        if world.rank() != 0 {
            assert_eq!(e.kind(), ErrorKind::Remote);
        }
    }
}

fn truncated_record(world: &SimpleCommunicator, dir: &Path) {
    let j = dir.join("j.journal");
    let farm = || Farm::new().progress(ProgressMode::Off).journal(&j, b"list");
    farm()
        .map(world, 30, Ok::<u64, h5par::farm::TaskError>)
        .unwrap();
    if world.rank() == 0 {
        // Cut the last record in half, as a kill mid-append would.
        let len = std::fs::metadata(&j).unwrap().len();
        let f = std::fs::OpenOptions::new().write(true).open(&j).unwrap();
        f.set_len(len - 5).unwrap();
    }
    world.barrier();
    let out = farm()
        .map(world, 30, Ok::<u64, h5par::farm::TaskError>)
        .unwrap();
    assert_eq!((out.summary.skipped, out.summary.done), (29, 1));
    if let Some(r) = out.results {
        assert!(r
            .iter()
            .enumerate()
            .all(|(i, v)| v.as_ref().ok() == Some(&(i as u64))));
    }
}

fn callback_error_stops_all(world: &SimpleCommunicator, _dir: &Path) {
    let t = Instant::now();
    let e = Farm::new()
        .progress(ProgressMode::Off)
        .run(
            world,
            10_000,
            |_| {
                busy_wait(0.0002);
                Ok(vec![])
            },
            |r| {
                if r.task == 100 {
                    Err(h5par::Error::Io("disk full".into()))
                } else {
                    Ok(())
                }
            },
        )
        .expect_err("the callback's error stops the farm");
    assert!(t.elapsed() < Duration::from_secs(10));
    assert!(e.to_string().contains("disk full"), "{e}");
}

fn disagreeing_counts(world: &SimpleCommunicator, _dir: &Path) {
    let n = if world.rank() == 1 { 11 } else { 10 };
    let e = Farm::new()
        .progress(ProgressMode::Off)
        .run(world, n, |_| Ok(vec![]), |_| Ok(()))
        .expect_err("different task counts are refused");
    assert_eq!(e.kind(), ErrorKind::Mismatch, "{e}");
    assert!(
        e.to_string().contains("ntasks=10") && e.to_string().contains("ntasks=11"),
        "{e}"
    );
}

fn bad_paths(world: &SimpleCommunicator, dir: &Path) {
    let e = Farm::new()
        .progress(ProgressMode::Off)
        .journal(dir.join("missing/dir/j.journal"), b"x")
        .run(world, 10, |_| Ok(vec![]), |_| Ok(()))
        .expect_err("a journal in a missing directory");
    assert!(e.to_string().contains("missing/dir/j.journal"), "{e}");
    let e = Farm::new()
        .progress(ProgressMode::Off)
        .records(dir.join("missing/r.csv"))
        .run(world, 10, |_| Ok(vec![]), |_| Ok(()))
        .expect_err("records in a missing directory");
    assert!(e.to_string().contains("missing/r.csv"), "{e}");
}

/// Writes row i = [i, i*i, 2i+1] of /rows in out.h5 for each task, with a journal; tasks take
/// about 10 ms so that the driver can kill the job mid-farm. A rerun (same journal) reports the
/// tasks it ran in second-run.txt.
fn resume_hdf5(world: &SimpleCommunicator, dir: &Path) {
    let path = dir.join("out.h5");
    let jpath = dir.join("farm.journal");
    let second = jpath.exists();
    let mut exists = [path.exists() as u8];
    world.process_at_rank(0).broadcast_into(&mut exists[..]);
    if exists[0] == 0 {
        let f = File::create(world, &path).expect("create");
        f.new_dataset::<f64>()
            .shape([RESUME_TASKS, 3])
            .create("rows")
            .expect("dataset");
        f.close().expect("close");
    }
    let f = File::open(world, &path, Mode::ReadWrite).expect("open ReadWrite");
    let d = f.dataset("rows").expect("rows");
    let mut ran = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join(if second {
            "second-run.txt"
        } else {
            "first-run.txt"
        }))
        .unwrap();
    let out = Farm::new()
        .progress(ProgressMode::Off)
        .journal(&jpath, b"resume task list")
        .controller(Controller::Prefetch)
        .map(world, RESUME_TASKS, |i| {
            busy_wait(0.01);
            let x = i as f64;
            let row = Array2::from_shape_vec((1, 3), vec![x, x * x, 2.0 * x + 1.0])?;
            d.write_at_with(&[i, 0], &row, Xfer::Independent)?;
            writeln!(ran, "{i}")?;
            Ok(i)
        })
        .expect("farm");
    f.close().expect("close");
    if let Some(r) = out.results {
        assert!(r
            .iter()
            .enumerate()
            .all(|(i, v)| v.as_ref().ok() == Some(&(i as u64))));
        println!("skipped {}", out.summary.skipped);
    }
}

fn progress(world: &SimpleCommunicator, _dir: &Path) {
    let mode = match std::env::var("H5PAR_PROGRESS").as_deref() {
        Ok("auto") => ProgressMode::Auto,
        _ => ProgressMode::Off,
    };
    Farm::new()
        .progress(mode)
        .run(
            world,
            40,
            |_| {
                busy_wait(0.01);
                Ok(vec![])
            },
            |_| Ok(()),
        )
        .expect("farm");
}
