//! The command line contract of `stripe-bench` (issue 5), tested on the built binary under
//! `mpirun`: the CSV, the plots and the table of a real run on 2 and 3 ranks; a file damaged
//! between write and read fails the run; bad arguments fail on every rank with a clear
//! message; `--reference` overlays the NERSC curve.
//!
//! Every run has a time limit (a hang is a failure, not a stuck CI): on timeout the launcher's
//! whole process group is stopped. Each rank runs under a small `sh` wrapper that reports its
//! exit status (`stripe-bench-test: rank R exited with S`), so the tests see every rank's
//! status, not only the launcher's; OpenMPI is told not to kill the other ranks when one exits
//! with an error (`orte_abort_on_non_zero_status=0`) so that each rank reaches its own exit.
//!
//! The launcher is the `mpirun` of the MPI this crate was built with (`mpirun.openmpi` or
//! `mpirun.mpich`, from `MPI_Get_library_version`; override: `STRIPE_BENCH_TEST_MPIRUN`).
//! Runs happen one at a time (the machine may have 2 cores). Environment knobs:
//! `STRIPE_BENCH_TEST_TMP` (where the temporary directories go), `STRIPE_BENCH_TEST_H5PY`
//! (`0`: leave the h5py series out; `1`: require it; unset: use it when it can run).

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

/// The binary under test.
const EXE: &str = env!("CARGO_BIN_EXE_stripe-bench");
/// The exact header of `results.csv`: the contract's ten columns first, then the method's.
const HEADER: &str = "series,op,io,stripe_count,stripe_size,procs,bytes,rep,seconds,gbps,\
                      position,buffer_align,buffer_offset,user_s,sys_s,load1,outlier";
/// Width and height of the PNG and SVG: `plot::SIZE` in the binary.
const PLOT_SIZE: (u32, u32) = (1100, 700);
/// The testing aid of the binary (`series::CORRUPT_ENV`).
const CORRUPT_ENV: &str = "STRIPE_BENCH_CORRUPT_AFTER_WRITE";
/// Time limit of a run that measures (normally well under 30 s).
const RUN_LIMIT: Duration = Duration::from_secs(240);
/// Time limit of a run that must fail early.
const FAIL_LIMIT: Duration = Duration::from_secs(120);
/// What the rank wrapper prints.
const RANK_EXIT: &str = "stripe-bench-test: rank ";

/// One launch at a time: the runs are parallel programs on a small machine.
fn one_at_a_time() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|p| p.into_inner())
}

/// The launcher of the MPI the binaries were built with.
fn mpirun() -> String {
    h5par_testkit::mpi_tool("mpirun", "STRIPE_BENCH_TEST_MPIRUN")
}

/// Whether the h5py series takes part in the runs that measure.
fn with_h5py() -> bool {
    static H5PY: OnceLock<bool> = OnceLock::new();
    *H5PY.get_or_init(
        || match std::env::var("STRIPE_BENCH_TEST_H5PY").as_deref() {
            Ok("0") => false,
            Ok("1") => true,
            _ => {
                // As the binary decides (series/h5py.rs): Debian's python3 with MPI h5py and
                // mpi4py, and OpenMPI's launcher for the child job.
                let launcher = Path::new("/usr/bin/mpirun.openmpi").exists();
                let python = Command::new("/usr/bin/python3")
                    .args([
                        "-c",
                        "import sys, h5py, mpi4py; sys.exit(0 if h5py.get_config().mpi else 3)",
                    ])
                    .env("H5PY_ALWAYS_USE_MPI", "1")
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status()
                    .is_ok_and(|s| s.success());
                launcher && python
            }
        },
    )
}

/// A temporary directory (removed when dropped).
fn temp_dir(prefix: &str) -> tempfile::TempDir {
    let base = std::env::var_os("STRIPE_BENCH_TEST_TMP")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    tempfile::Builder::new()
        .prefix(prefix)
        .tempdir_in(base)
        .expect("a temporary directory")
}

/// The outcome of one launch.
#[derive(Debug)]
struct Run {
    /// What was run, for messages.
    what: String,
    ranks: usize,
    /// The launcher's exit status (`None`: killed).
    launcher: Option<i32>,
    timed_out: bool,
    /// Each rank's exit status as its wrapper reported it (`None`: no report).
    rank_status: Vec<Option<i32>>,
    stdout: String,
    stderr: String,
}

impl Run {
    /// Everything, for a failing assertion.
    fn dump(&self) -> String {
        format!(
            "{} on {} ranks: launcher status {:?}, timed out {}, rank statuses {:?}\n\
             --- stdout ---\n{}\n--- stderr ---\n{}",
            self.what,
            self.ranks,
            self.launcher,
            self.timed_out,
            self.rank_status,
            self.stdout,
            self.stderr
        )
    }

    /// Finished in time, every rank and the launcher with status 0.
    fn assert_success(&self) {
        assert!(!self.timed_out, "a hang?\n{}", self.dump());
        assert!(
            self.rank_status.iter().all(|s| *s == Some(0)),
            "every rank should exit with 0\n{}",
            self.dump()
        );
        assert_eq!(self.launcher, Some(0), "{}", self.dump());
    }

    /// Finished in time, every rank with an error status of its own (not a signal), and rank
    /// 0's message (once) containing each of `words`.
    fn assert_failure(&self, words: &[&str]) {
        assert!(!self.timed_out, "a hang?\n{}", self.dump());
        for (r, s) in self.rank_status.iter().enumerate() {
            assert!(
                matches!(s, Some(1..=127)),
                "rank {r} should exit with an error status of its own, not {s:?}\n{}",
                self.dump()
            );
        }
        // OpenMPI's launcher returns 0 when told not to abort on a rank's non-zero status
        // (see the module doc); MPICH's passes the ranks' status on.
        if h5par_testkit::flavour() == "mpich" {
            assert!(
                matches!(self.launcher, Some(c) if c != 0),
                "mpirun should fail\n{}",
                self.dump()
            );
        }
        for w in words {
            assert!(
                self.stderr.contains(w),
                "the message should say {w:?}\n{}",
                self.dump()
            );
        }
        let errors = self
            .stderr
            .lines()
            .filter(|l| l.starts_with("error:") || l.starts_with("stripe-bench: error:"))
            .count();
        assert_eq!(errors, 1, "one message (rank 0's)\n{}", self.dump());
        assert!(
            !self.stdout.contains("results:"),
            "a failed run writes no results\n{}",
            self.dump()
        );
    }
}

/// Runs `stripe-bench args` on `ranks` ranks with `env` added, for at most `limit`.
fn launch(ranks: usize, args: &[OsString], env: &[(&str, &str)], limit: Duration) -> Run {
    use std::os::unix::process::CommandExt;
    // The wrapper: run the binary, then report this rank's status and pass it on.
    const WRAPPER: &str = r#""$0" "$@"; s=$?; echo "stripe-bench-test: rank ${OMPI_COMM_WORLD_RANK:-${PMI_RANK:-${PMIX_RANK:-x}}} exited with $s" >&2; exit $s"#;
    let mut cmd = Command::new(mpirun());
    cmd.arg("-n")
        .arg(ranks.to_string())
        .args(["sh", "-c", WRAPPER, EXE])
        .args(args)
        .env("OMPI_ALLOW_RUN_AS_ROOT", "1")
        .env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
        .env("OMPI_MCA_rmaps_base_oversubscribe", "1")
        .env("OMPI_MCA_mpi_yield_when_idle", "1")
        .env("OMPI_MCA_orte_abort_on_non_zero_status", "0")
        .env_remove(CORRUPT_ENV)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let what = format!(
        "stripe-bench {}",
        args.iter()
            .map(|a| a.to_string_lossy())
            .collect::<Vec<_>>()
            .join(" ")
    );
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", mpirun()));
    let pgid = child.id() as i32;
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
    let start = Instant::now();
    let mut timed_out = false;
    let launcher = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s.code(),
            Ok(None) if start.elapsed() > limit => {
                timed_out = true;
                // SIGTERM first (mpirun then stops its ranks), SIGKILL to what is left.
                signal_group(pgid, libc::SIGTERM);
                let t = Instant::now();
                while t.elapsed() < Duration::from_secs(5) {
                    if let Ok(Some(_)) = child.try_wait() {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                signal_group(pgid, libc::SIGKILL);
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => panic!("waiting for {}: {e}", mpirun()),
        }
    };
    // Anything left behind by the launcher goes too.
    signal_group(pgid, libc::SIGKILL);
    let stdout = t_out.join().unwrap_or_default();
    let stderr = t_err.join().unwrap_or_default();
    let mut rank_status = vec![None; ranks];
    for line in stderr.lines() {
        let Some(rest) = line.strip_prefix(RANK_EXIT) else {
            continue;
        };
        let mut words = rest.split_whitespace();
        let rank = words.next().and_then(|r| r.parse::<usize>().ok());
        let status = words.last().and_then(|s| s.parse::<i32>().ok());
        if let (Some(r), Some(s)) = (rank, status) {
            if r < ranks {
                rank_status[r] = Some(s);
            }
        }
    }
    Run {
        what,
        ranks,
        launcher,
        timed_out,
        rank_status,
        stdout,
        stderr,
    }
}

/// kill(2) to the process group `pgid` (one this test created).
fn signal_group(pgid: i32, sig: i32) {
    // SAFETY: plain kill(2) on a process group we created.
    unsafe {
        libc::kill(-pgid, sig);
    }
}

/// Command-line arguments from strings and paths.
fn args<I, S>(items: I) -> Vec<OsString>
where
    I: IntoIterator<Item = S>,
    S: Into<OsString>,
{
    items.into_iter().map(Into::into).collect()
}

/// The benchmark files and probes left in `dir` (there should be none after any run).
fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// One row of `results.csv`.
#[derive(Debug)]
struct Row {
    series: String,
    op: String,
    io: String,
    stripe_count: u32,
    stripe_size: u64,
    procs: u32,
    bytes: u64,
    rep: u32,
    seconds: f64,
    gbps: f64,
    position: u32,
    buffer_align: String,
    buffer_offset: u64,
    user_s: f64,
    sys_s: f64,
    outlier: u8,
}

/// Parses `results.csv`: the exact header, then seventeen fields a line that parse.
fn parse_csv(text: &str) -> Vec<Row> {
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some(HEADER), "the header of results.csv");
    lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            assert_eq!(f.len(), 17, "seventeen fields in {l:?}");
            let bad = |k: usize| format!("field {k} of {l:?}");
            Row {
                series: f[0].to_string(),
                op: f[1].to_string(),
                io: f[2].to_string(),
                stripe_count: f[3].parse().unwrap_or_else(|_| panic!("{}", bad(3))),
                stripe_size: f[4].parse().unwrap_or_else(|_| panic!("{}", bad(4))),
                procs: f[5].parse().unwrap_or_else(|_| panic!("{}", bad(5))),
                bytes: f[6].parse().unwrap_or_else(|_| panic!("{}", bad(6))),
                rep: f[7].parse().unwrap_or_else(|_| panic!("{}", bad(7))),
                seconds: f[8].parse().unwrap_or_else(|_| panic!("{}", bad(8))),
                gbps: f[9].parse().unwrap_or_else(|_| panic!("{}", bad(9))),
                position: f[10].parse().unwrap_or_else(|_| panic!("{}", bad(10))),
                buffer_align: f[11].to_string(),
                buffer_offset: f[12].parse().unwrap_or_else(|_| panic!("{}", bad(12))),
                user_s: f[13].parse().unwrap_or_else(|_| panic!("{}", bad(13))),
                sys_s: f[14].parse().unwrap_or_else(|_| panic!("{}", bad(14))),
                outlier: f[16].parse().unwrap_or_else(|_| panic!("{}", bad(16))),
            }
        })
        .collect()
}

/// Decodes the PNG and checks its size.
fn check_png(path: &Path) {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut reader = png::Decoder::new(std::io::BufReader::new(file))
        .read_info()
        .unwrap_or_else(|e| panic!("{}: not a PNG: {e}", path.display()));
    let mut buf = vec![0u8; reader.output_buffer_size()];
    let frame = reader
        .next_frame(&mut buf)
        .unwrap_or_else(|e| panic!("{}: cannot decode: {e}", path.display()));
    assert_eq!(
        (frame.width, frame.height),
        PLOT_SIZE,
        "size of {}",
        path.display()
    );
    // Something was drawn: not every pixel alike.
    let px = frame.color_type.samples() * usize::from(frame.bit_depth as u8).div_ceil(8);
    let data = &buf[..frame.buffer_size()];
    assert!(
        data.chunks(px).any(|p| p != &data[..px]),
        "{} is blank",
        path.display()
    );
}

/// Parses the SVG, checks its root and size; returns its text (for legend checks).
fn check_svg(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let doc = roxmltree::Document::parse(&text)
        .unwrap_or_else(|e| panic!("{}: not XML: {e}", path.display()));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg", "root of {}", path.display());
    let dim =
        |name: &str| -> Option<u32> { root.attribute(name)?.trim_end_matches("px").parse().ok() };
    assert_eq!(
        (dim("width"), dim("height")),
        (Some(PLOT_SIZE.0), Some(PLOT_SIZE.1)),
        "width and height of {}",
        path.display()
    );
    assert!(
        root.descendants().filter(|n| n.is_element()).count() > 10,
        "{} draws nothing",
        path.display()
    );
    doc.descendants()
        .filter_map(|n| n.text())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether the run found a font (without one the plots carry no text).
fn has_text(run: &Run) -> bool {
    !run.stdout.contains("no TrueType font found")
}

/// A run with `ranks` ranks on 4 MiB: write and read, independent and collective, two stripe
/// counts, two repeats, every series; checks the CSV, the plots, the table and the clean-up.
/// A run of every series on `ranks` ranks with `--buffer-align align` (none: the default),
/// checked from the CSV to the table.
fn full_run(ranks: usize, align: Option<&str>) {
    let _one = one_at_a_time();
    let dir = temp_dir("sb-dir-");
    let out_parent = temp_dir("sb-out-");
    let out = out_parent.path().join("out"); // created by the run
    let mut series = vec!["h5par", "hdf5-default", "mpiio"];
    if with_h5py() {
        series.push("h5py");
    }
    let size: u64 = 4 << 20;
    let run = launch(
        ranks,
        &args([
            OsString::from("--dir"),
            dir.path().into(),
            "--out".into(),
            out.clone().into(),
            "--size".into(),
            "4M".into(),
            "--stripe-counts".into(),
            "1,2".into(),
            "--op".into(),
            "both".into(),
            "--io".into(),
            "both".into(),
            "--repeat".into(),
            "2".into(),
            "--series".into(),
            series.join(",").into(),
        ])
        .into_iter()
        .chain(
            align
                .map(|a| ["--buffer-align".into(), a.into()])
                .into_iter()
                .flatten(),
        )
        .collect::<Vec<OsString>>(),
        &[],
        RUN_LIMIT,
    );
    run.assert_success();

    // results.csv: a row per series, op, io, stripe count and repeat, and nothing else.
    let csv = std::fs::read_to_string(out.join("results.csv"))
        .unwrap_or_else(|e| panic!("results.csv: {e}\n{}", run.dump()));
    let rows = parse_csv(&csv);
    let (ops, ios, counts, reps) = (["write", "read"], ["indep", "coll"], [1u32, 2], [1u32, 2]);
    let mut want = BTreeSet::new();
    for s in &series {
        for op in ops {
            for io in ios {
                for sc in counts {
                    for rep in reps {
                        want.insert((s.to_string(), op.to_string(), io.to_string(), sc, rep));
                    }
                }
            }
        }
    }
    assert_eq!(rows.len(), want.len(), "rows of results.csv:\n{csv}");
    let got: BTreeSet<_> = rows
        .iter()
        .map(|r| {
            (
                r.series.clone(),
                r.op.clone(),
                r.io.clone(),
                r.stripe_count,
                r.rep,
            )
        })
        .collect();
    assert_eq!(got, want, "combinations in results.csv:\n{csv}");
    for r in &rows {
        assert_eq!(r.procs as usize, ranks, "{r:?}");
        assert_eq!(r.bytes, size, "{r:?}");
        assert_eq!(r.stripe_size, 1 << 20, "{r:?}");
        assert!(r.seconds > 0.0 && r.seconds.is_finite(), "{r:?}");
        assert!(r.gbps > 0.0 && r.gbps.is_finite(), "{r:?}");
        // gbps = bytes / seconds / 1e9, up to the rounding of the two printed columns.
        let from_time = r.bytes as f64 / r.seconds / 1e9;
        let slack = 1e-4 + from_time * (1e-6 / r.seconds + 1e-3);
        assert!(
            (r.gbps - from_time).abs() <= slack,
            "{r:?}: gbps should be {from_time}"
        );
        // The method's columns: the series' place in its repeat (rows 1 and 2 of the Williams
        // design, by the index of the series in --series), the buffers as asked, CPU times,
        // the outlier flag.
        let i = series.iter().position(|s| *s == r.series).unwrap();
        let order: &[usize] = match (series.len(), r.rep) {
            (3, 1) => &[0, 1, 2],
            (3, 2) => &[1, 2, 0],
            (4, 1) => &[0, 1, 3, 2],
            (4, 2) => &[1, 2, 0, 3],
            other => panic!("no expected order for {other:?}"),
        };
        let want_pos = order.iter().position(|&k| k == i).unwrap() + 1;
        assert_eq!(r.position as usize, want_pos, "{r:?}");
        assert_eq!(r.buffer_align, align.unwrap_or("malloc"), "{r:?}");
        match align {
            Some("page") => assert_eq!(r.buffer_offset, 0, "{r:?}"),
            Some("page+16") => assert_eq!(r.buffer_offset, 16, "{r:?}"),
            _ => assert_eq!(r.buffer_offset % 8, 0, "{r:?}"),
        }
        assert!(r.user_s >= 0.0 && r.sys_s >= 0.0, "{r:?}");
        assert!(r.outlier <= 1, "{r:?}");
    }
    // Every series took every position (two repeats: the first two positions).
    for s in &series {
        let mut seen: Vec<u32> = rows
            .iter()
            .filter(|r| r.series == *s)
            .map(|r| r.position)
            .collect();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 2, "{s} took positions {seen:?}");
    }
    let run_txt = std::fs::read_to_string(out.join("run.txt")).unwrap_or_default();
    for word in [
        "cpu: ",
        "kernel: ",
        "mpi: ",
        "load average",
        "series order rotated",
    ] {
        assert!(run_txt.contains(word), "run.txt says {word:?}:\n{run_txt}");
    }

    // The plots: decodable, of the plot module's size.
    check_png(&out.join("stripe_io.png"));
    let svg_text = check_svg(&out.join("stripe_io.svg"));
    if has_text(&run) {
        assert!(
            svg_text.contains(&format!("{ranks} procs")),
            "the title names the ranks:\n{svg_text}"
        );
        for s in &series {
            assert!(svg_text.contains(s), "the legend names {s}:\n{svg_text}");
        }
    }

    // The table on stdout: the title, a header with the ratio column, a line per series, op,
    // io and stripe count with the median and the ratio to mpiio (1.00x for mpiio itself).
    assert!(
        run.stdout.contains(&format!(
            "Read+Write 1d 4 MiB HDF5 from {}",
            dir.path().canonicalize().unwrap().display()
        )) && run.stdout.contains(&format!("{ranks} procs")),
        "the title\n{}",
        run.dump()
    );
    let header = run
        .stdout
        .lines()
        .find(|l| l.starts_with("series"))
        .unwrap_or_else(|| panic!("no table header\n{}", run.dump()));
    assert!(
        header.contains("median GB/s") && header.contains("vs mpiio") && header.ends_with("outl"),
        "the table header: {header:?}"
    );
    let mut lines = 0;
    for l in run.stdout.lines() {
        let f: Vec<&str> = l.split_whitespace().collect();
        if f.len() != 11 || !series.contains(&f[0]) {
            continue;
        }
        lines += 1;
        assert_eq!(f[4], "2", "repeats in {l:?}");
        let median: f64 = f[5].parse().unwrap_or_else(|_| panic!("median in {l:?}"));
        assert!(median >= 0.0, "{l:?}");
        let ratio: f64 = f[8]
            .strip_suffix('x')
            .and_then(|x| x.parse().ok())
            .unwrap_or_else(|| panic!("a ratio like 0.95x at the end of {l:?}"));
        // A ratio, not a speed: tiny transfers on a busy machine may print 0.00x.
        assert!(ratio >= 0.0, "{l:?}");
        if f[0] == "mpiio" {
            assert_eq!(f[8], "1.00x", "{l:?}");
        }
    }
    assert_eq!(
        lines,
        series.len() * ops.len() * ios.len() * counts.len(),
        "table lines\n{}",
        run.stdout
    );
    assert!(out.join("run.txt").is_file(), "run.txt\n{}", run.dump());
    assert_eq!(
        leftovers(dir.path()),
        Vec::<String>::new(),
        "files left in --dir"
    );
}

#[test]
fn csv_plots_and_table_on_2_ranks() {
    full_run(2, None);
}

#[test]
fn csv_plots_and_table_on_3_ranks_page_aligned() {
    full_run(3, Some("page"));
}

#[test]
fn buffers_16_bytes_past_a_page_on_2_ranks() {
    full_run(2, Some("page+16"));
}

/// A run of `series` with the file damaged after every write: it must fail at the first
/// read's data check, naming the series, the file and the rank, on every rank.
fn corrupted(series: &str, op: &str) {
    let _one = one_at_a_time();
    let dir = temp_dir("sb-dir-");
    let out = temp_dir("sb-out-");
    let run = launch(
        2,
        &args([
            OsString::from("--dir"),
            dir.path().into(),
            "--out".into(),
            out.path().into(),
            "--size".into(),
            "4M".into(),
            "--stripe-counts".into(),
            "1".into(),
            "--op".into(),
            op.into(),
            "--io".into(),
            "both".into(),
            "--repeat".into(),
            "1".into(),
            "--series".into(),
            series.into(),
        ]),
        &[(CORRUPT_ENV, "1")],
        FAIL_LIMIT,
    );
    let dir_abs = dir.path().canonicalize().unwrap();
    let file = dir_abs.join("stripe-bench-");
    let mut words = vec![
        "data check failed after the ".to_string(),
        file.display().to_string(),
        "rank ".to_string(),
        "wrong element(s)".to_string(),
    ];
    if series == "h5py" {
        words.push("h5py child job".into());
    } else {
        let first = series.split(',').next().unwrap_or(series);
        words.push(format!("after the {first} indep read of"));
    }
    run.assert_failure(&words.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(
        run.stderr.contains(CORRUPT_ENV),
        "the run says the testing aid is on"
    );
    assert!(
        !out.path().join("results.csv").exists(),
        "no results.csv after a failed run"
    );
    assert_eq!(
        leftovers(dir.path()),
        Vec::<String>::new(),
        "files left in --dir"
    );
}

#[test]
fn corrupted_file_fails_the_h5par_read() {
    corrupted("h5par", "both");
}

#[test]
fn corrupted_file_fails_the_hdf5_default_read() {
    corrupted("hdf5-default", "both");
}

#[test]
fn corrupted_file_fails_the_mpiio_read() {
    corrupted("mpiio", "both");
}

#[test]
fn corrupted_file_fails_the_h5py_read() {
    if !with_h5py() {
        eprintln!("h5py cannot run here: skipped");
        return;
    }
    corrupted("h5py", "both");
}

/// `--op read` writes each file once, untimed: damaging that one fails the first read too.
#[test]
fn corrupted_prepared_file_fails_the_read() {
    corrupted("mpiio,h5par", "read");
}

/// A run on 2 ranks with `extra` arguments (`--flag value` pairs that replace the defaults of
/// the same flag) that must fail before measuring anything, with a message containing every
/// one of `words`.
fn bad(extra: &[OsString], words: &[&str]) {
    let _one = one_at_a_time();
    let dir = temp_dir("sb-dir-");
    let out = temp_dir("sb-out-");
    let defaults: [(&str, OsString); 5] = [
        ("--dir", dir.path().into()),
        ("--out", out.path().into()),
        ("--size", "1M".into()),
        ("--repeat", "1".into()),
        ("--series", "mpiio".into()),
    ];
    let mut a: Vec<OsString> = Vec::new();
    for (flag, value) in defaults {
        if !extra.iter().any(|x| x == flag) {
            a.push(flag.into());
            a.push(value);
        }
    }
    a.extend_from_slice(extra);
    let run = launch(2, &a, &[], FAIL_LIMIT);
    run.assert_failure(words);
    assert_eq!(
        leftovers(dir.path()),
        Vec::<String>::new(),
        "files left in --dir"
    );
}

#[test]
fn unknown_op() {
    bad(
        &args(["--op", "sideways"]),
        &["'sideways'", "--op", "possible values"],
    );
}

#[test]
fn unknown_series() {
    bad(
        &args(["--series", "netcdf"]),
        &["unknown series \"netcdf\""],
    );
}

#[test]
fn empty_stripe_count_list() {
    bad(
        &args(["--stripe-counts", ""]),
        &["--stripe-counts", "the list is empty"],
    );
}

#[test]
fn empty_series_list() {
    bad(&args(["--series", ""]), &["--series", "the list is empty"]);
}

#[test]
fn size_zero() {
    bad(
        &args(["--size", "0"]),
        &["--size", "must be greater than 0"],
    );
}

#[test]
fn unwritable_out() {
    let d = temp_dir("sb-file-");
    let file = d.path().join("a-file");
    std::fs::write(&file, b"not a directory").unwrap();
    // A path under a regular file: the directory cannot be created.
    bad(
        &args([OsString::from("--out"), file.join("out").into()]),
        &["--out", "cannot create the directory"],
    );
    // The regular file itself.
    bad(
        &args([OsString::from("--out"), file.clone().into()]),
        &["--out", "not a directory"],
    );
    assert_eq!(std::fs::read(&file).unwrap(), b"not a directory");
}

#[test]
fn more_ranks_than_elements() {
    // 8 bytes: one float64 for two ranks.
    bad(
        &args(["--size", "8"]),
        &["--size", "2 ranks but only 1 element", "fewer ranks"],
    );
}

#[test]
fn missing_dir() {
    bad(
        &args(["--dir", "/nonexistent/stripe-bench-test"]),
        &["--dir /nonexistent/stripe-bench-test"],
    );
}

#[test]
fn missing_reference() {
    bad(
        &args(["--reference", "/nonexistent/nersc_stripe_io.csv"]),
        &["--reference /nonexistent/nersc_stripe_io.csv"],
    );
}

/// The NERSC numbers (a copy of `shared/reference/nersc_stripe_io.csv`, so that the test
/// needs nothing outside the repository).
fn nersc_fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/nersc_stripe_io.csv")
}

#[test]
fn nersc_reference_is_overlaid() {
    let _one = one_at_a_time();
    let dir = temp_dir("sb-dir-");
    let out = temp_dir("sb-out-");
    let run = launch(
        2,
        &args([
            OsString::from("--dir"),
            dir.path().into(),
            "--out".into(),
            out.path().into(),
            "--size".into(),
            "1M".into(),
            "--stripe-counts".into(),
            "1,2".into(),
            "--repeat".into(),
            "1".into(),
            "--series".into(),
            "h5par,mpiio".into(),
            "--reference".into(),
            nersc_fixture().into(),
        ]),
        &[],
        RUN_LIMIT,
    );
    run.assert_success();
    // The reference is plotted, not measured: results.csv holds this run's rows only.
    let rows = parse_csv(&std::fs::read_to_string(out.path().join("results.csv")).unwrap());
    assert_eq!(
        rows.len(),
        2 * 2,
        "h5par and mpiio, read indep, 2 stripe counts"
    );
    assert!(rows.iter().all(|r| r.op == "read" && r.io == "indep"));
    check_png(&out.path().join("stripe_io.png"));
    let text = check_svg(&out.path().join("stripe_io.svg"));
    if has_text(&run) {
        assert!(
            text.contains("nersc_stripe_io (reference)"),
            "the legend names the reference:\n{text}"
        );
        // The x axis reaches the reference's 156 stripes (this run alone stops at 2).
        assert!(
            text.lines()
                .filter_map(|l| l.trim().parse::<u32>().ok())
                .any(|x| (140..=200).contains(&x)),
            "a tick label near 156 stripes:\n{text}"
        );
    }
    assert_eq!(
        leftovers(dir.path()),
        Vec::<String>::new(),
        "files left in --dir"
    );
}

/// The fixture holds the NERSC figure's numbers: ten stripe counts from 2 to 156.
#[test]
fn nersc_fixture_is_the_reference() {
    let text = std::fs::read_to_string(nersc_fixture()).unwrap();
    let data: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .collect();
    assert_eq!(data[0], "stripe_count,gbps,err_gbps");
    let counts: Vec<u32> = data[1..]
        .iter()
        .map(|l| l.split(',').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(counts, [2, 16, 24, 32, 48, 60, 72, 96, 120, 156]);
}
