//! Ready for a center: metadata at scale and the file format.
//!
//! - The file-system calls each rank makes to open a file and 100 datasets, counted with
//!   `strace -c -f` on every rank (only calls on the file and its directory), must not grow
//!   with the rank count: rank 0 asks the file system and HDF5 reads the metadata, the other
//!   ranks are told.
//! - The file-format bounds (`libver`): the default keeps the oldest format (superblock
//!   version 0, which HDF5 1.8 and 1.10 tools read); `latest` gives the newest; ranks asking for
//!   different bounds get a mismatch error, not a corrupt file.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use libtest_mimic::{Failed, Trial};
use mpi::topology::SimpleCommunicator;

use crate::harness::{self, mpi_env, mpirun, run_case, run_limited};
use crate::CaseFn;

/// The datasets the file holds.
const DATASETS: usize = 100;
const LIMIT: Duration = Duration::from_secs(120);

/// Cases run by the trials below only.
pub const CASES: &[(&str, &[usize], u64, CaseFn)] = &[
    ("meta_setup", &[], 60, meta_setup),
    ("meta_open", &[], 60, meta_open),
    ("libver_bounds", &[], 60, libver_bounds),
    ("few_agreements", &[], 60, few_agreements),
];

pub fn trials() -> Vec<Trial> {
    vec![
        Trial::test(
            "center::fs_calls_per_rank_do_not_grow",
            fs_calls_do_not_grow,
        ),
        Trial::test("center::libver_bounds", libver_trial),
        Trial::test("center::few_agreements::np2", || few_agreements_trial(2)),
        Trial::test("center::few_agreements::np3", || few_agreements_trial(3)),
    ]
}

/// Writes `default.h5` (default bounds) and `latest.h5` (`libver` latest); ranks that ask for
/// different bounds fail together.
fn libver_bounds(w: &SimpleCommunicator, dir: &Path) {
    use h5par::tune::LibVer;
    use mpi::traits::Communicator;
    for (name, libver) in [
        ("default.h5", None),
        ("latest.h5", Some((LibVer::Latest, LibVer::Latest))),
    ] {
        let opts = h5par::FileOptions {
            libver,
            ..Default::default()
        };
        let f = h5par::File::create_with(w, dir.join(name), &opts).expect("create");
        assert_eq!(
            f.tuning().libver,
            libver.unwrap_or(h5par::tune::DEFAULT_LIBVER)
        );
        f.new_dataset::<i32>()
            .shape([8])
            .chunk([4])
            .deflate(1)
            .create("g/z")
            .expect("create dataset");
        f.close().expect("close");
    }
    let opts = h5par::FileOptions {
        libver: (w.rank() == 1).then_some((LibVer::V110, LibVer::Latest)),
        ..Default::default()
    };
    if w.size() > 1 {
        let e = h5par::File::create_with(w, dir.join("mixed.h5"), &opts).expect_err("mismatch");
        assert_eq!(e.kind(), h5par::ErrorKind::Mismatch, "{e}");
    }
}

fn libver_trial() -> Result<(), Failed> {
    let dir = harness::trial_dir();
    run_case("libver_bounds", 2, dir.path(), LIMIT)?;
    // h5dump is Debian's (HDF5 1.10.8): it reads both, and says which superblock each has.
    let superblock = |name: &str| -> Result<String, Failed> {
        let o = Command::new("h5dump")
            .args(["-B", "-H"])
            .arg(dir.path().join(name))
            .output()?;
        let text = String::from_utf8_lossy(&o.stdout).into_owned();
        if !o.status.success() {
            return Err(format!("h5dump -B -H {name} failed:\n{text}").into());
        }
        Ok(text)
    };
    let default = superblock("default.h5")?;
    if !default.contains("SUPERBLOCK_VERSION 0") {
        return Err(format!("default bounds: not superblock version 0:\n{default}").into());
    }
    let latest = superblock("latest.h5");
    if cfg!(hdf5_2) {
        // HDF5 2.x's newest format is beyond HDF5 1.10: the reason for the default.
        if latest.is_ok() {
            return Err("HDF5 1.10's h5dump read a file in HDF5 2's newest format".into());
        }
    } else if latest?.contains("SUPERBLOCK_VERSION 0") {
        return Err("libver latest made no difference (superblock version 0)".into());
    }
    if dir.path().join("mixed.h5").exists() {
        return Err("a file was created although the ranks disagreed on libver".into());
    }
    Ok(())
}

fn meta_setup(w: &SimpleCommunicator, dir: &Path) {
    let f = h5par::File::create(w, dir.join("meta.h5")).expect("create");
    for i in 0..DATASETS {
        f.new_dataset::<f64>()
            .shape([4])
            .create(&format!("g/d{i:03}"))
            .expect("create dataset");
    }
    f.close().expect("close");
}

/// What is measured: open, open every dataset, close.
fn meta_open(w: &SimpleCommunicator, dir: &Path) {
    let f = h5par::File::open(w, dir.join("meta.h5"), h5par::Mode::ReadOnly).expect("open");
    for i in 0..DATASETS {
        let d = f.dataset(&format!("g/d{i:03}")).expect("open dataset");
        assert_eq!(d.shape(), vec![4]);
    }
    f.close().expect("close");
}

/// The calls of one `strace -c` summary, by system call.
pub fn parse_strace_summary(text: &str) -> BTreeMap<String, u64> {
    let mut calls = BTreeMap::new();
    for line in text.lines() {
        let cols: Vec<&str> = line.split_whitespace().collect();
        // "% time  seconds  usecs/call  calls  [errors]  syscall"
        if cols.len() < 5 || cols[0].parse::<f64>().is_err() {
            continue;
        }
        let name = cols[cols.len() - 1];
        if name == "total" {
            continue;
        }
        if let Ok(n) = cols[3].parse::<u64>() {
            calls.insert(name.to_string(), n);
        }
    }
    calls
}

/// Runs `meta_open` on `ranks` ranks, each under `strace -c -f` restricted to the file and its
/// directory; returns each rank's calls by system call.
fn strace_ranks(dir: &Path, ranks: usize) -> Result<Vec<BTreeMap<String, u64>>, String> {
    let out = dir.join(format!("strace-{ranks}"));
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    let file = dir.join("meta.h5");
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut cmd = Command::new(mpirun());
    mpi_env(&mut cmd);
    cmd.arg("-n").arg(ranks.to_string()).args([
        "sh",
        "-c",
        "exec strace -f -c -o \"$0/rank${OMPI_COMM_WORLD_RANK:-$PMI_RANK}.txt\" -P \"$1\" -P \"$2\" \"$3\"",
    ]);
    cmd.arg(&out).arg(&file).arg(dir).arg(&exe);
    cmd.env("H5PAR_CASE", "meta_open")
        .env("H5PAR_TEST_DIR", dir);
    let o = run_limited(cmd, LIMIT);
    harness::check("meta_open under strace", ranks, &o, LIMIT)?;
    (0..ranks)
        .map(|r| {
            let p = out.join(format!("rank{r}.txt"));
            std::fs::read_to_string(&p)
                .map(|t| parse_strace_summary(&t))
                .map_err(|e| format!("{}: {e}", p.display()))
        })
        .collect()
}

fn total(calls: &BTreeMap<String, u64>) -> u64 {
    calls.values().sum()
}

/// Calls that ask the file system about a path (the ones one rank now makes for all).
fn path_queries(calls: &BTreeMap<String, u64>) -> u64 {
    calls
        .iter()
        .filter(|(k, _)| {
            k.contains("stat")
                || k.contains("xattr")
                || k.as_str() == "access"
                || k.contains("readlink")
        })
        .map(|(_, v)| v)
        .sum()
}

fn fs_calls_do_not_grow() -> Result<(), Failed> {
    if Command::new("strace").arg("-V").output().is_err() {
        return Err("strace is missing (scripts/install-deps.sh installs it)".into());
    }
    let dir = harness::trial_dir();
    run_case("meta_setup", 2, dir.path(), LIMIT)?;
    let two = strace_ranks(dir.path(), 2)?;
    let four = strace_ranks(dir.path(), 4)?;
    let show = |runs: &[BTreeMap<String, u64>]| {
        runs.iter()
            .enumerate()
            .map(|(r, c)| format!("  rank {r}: {} calls {c:?}", total(c)))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let table = format!("2 ranks:\n{}\n4 ranks:\n{}", show(&two), show(&four));
    eprintln!("file-system calls on the file and its directory, open + {DATASETS} dataset opens:\n{table}");
    let max = |runs: &[BTreeMap<String, u64>], from: usize| {
        runs[from..].iter().map(total).max().unwrap_or(0)
    };
    let mut problems = Vec::new();
    if total(&two[0]) == 0 {
        problems.push("rank 0 made no call on the file: strace saw nothing".to_string());
    }
    // Rank 0 and the others, each no more at 4 ranks than at 2.
    if total(&four[0]) > total(&two[0]) {
        problems.push("rank 0 makes more calls at 4 ranks than at 2".to_string());
    }
    if max(&four, 1) > max(&two, 1) {
        problems.push("the other ranks make more calls at 4 ranks than at 2".to_string());
    }
    // Only rank 0 asks about the path for h5par (stat, statfs, getxattr, ...); the other
    // ranks' queries are the MPI library's own (MPI_File_open detecting the file system),
    // and they read no HDF5 metadata: rank 0 reads it and broadcasts it.
    for (r, c) in four.iter().enumerate().skip(1) {
        if path_queries(c) >= path_queries(&four[0]) {
            problems.push(format!(
                "rank {r} of 4 asks about the path as often as rank 0 ({} times): {c:?}",
                path_queries(c)
            ));
        }
        let reads: u64 = ["pread64", "read", "preadv", "preadv2"]
            .iter()
            .filter_map(|k| c.get(*k))
            .sum();
        if reads > 0 {
            problems.push(format!(
                "rank {r} of 4 read the file itself {reads} times (metadata reads are not collective)"
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("{}\n{table}", problems.join("\n")).into())
    }
}

fn few_agreements_trial(n: usize) -> Result<(), Failed> {
    let dir = harness::trial_dir();
    run_case("few_agreements", n, dir.path(), Duration::from_secs(60))
        .map(|_| ())
        .map_err(Failed::from)
}

/// The agreements made on `comm` by `f` (read from the communicator's sequence counter, which
/// every rank advances alike).
fn agreements_of<C: mpi::traits::Communicator>(comm: &C, f: impl FnOnce()) -> u64 {
    let before = h5par::comm::wait::sequence(comm).expect("sequence");
    f();
    h5par::comm::wait::sequence(comm).expect("sequence") - before - 1
}

/// A dataset open and a collective read cost one agreement each (the open's question about
/// collective metadata reads rides in its agreement, and neither agrees on a successful
/// outcome); the flag of an agreement reaches every rank; a failure of a call whose outcome is
/// deferred is an error on every rank, from that call where every rank failed, else from the
/// next call of the ranks that succeeded, which names both calls.
fn few_agreements(w: &SimpleCommunicator, dir: &Path) {
    use h5par::comm::{agree, agree_call_flag, deferred_outcome};
    use h5par::{Error, ErrorKind, File, Mode};
    use mpi::traits::Communicator;
    let (rank, size) = (w.rank(), w.size());
    let path = dir.join("few.h5");
    let f = File::create(w, &path).expect("create");
    for name in ["a", "b", "c"] {
        let d = f
            .new_dataset::<f64>()
            .shape([4])
            .create(name)
            .expect("create");
        d.write(&ndarray::Array1::from_elem(4, 1.5)).expect("write");
        d.write_attr("i", &1i32).expect("attr");
    }
    f.close().expect("close");
    let f = File::open(w, &path, Mode::ReadOnly).expect("open");
    let n = agreements_of(f.comm(), || {
        let d = f.dataset("a").expect("open a");
        let x = d.read_at::<f64>(&[0], &[4]).expect("read a");
        assert_eq!(x.as_slice(), Some(&[1.5; 4][..]));
    });
    assert_eq!(n, 2, "agreements for a dataset open and a read");
    // One rank reads metadata on its own: the next open finds out in its agreement and reads
    // metadata independently on every rank (no hang), and so do the opens after it.
    let d = f.dataset("b").expect("open b");
    if rank == size - 1 {
        let i: i32 = d.read_attr("i").expect("attr");
        assert_eq!(i, 1);
    }
    let n = agreements_of(f.comm(), || {
        let c = f.dataset("c").expect("open c");
        c.read_at::<f64>(&[0], &[4]).expect("read c");
        f.dataset("b").expect("open b again");
    });
    assert_eq!(n, 3, "agreements once the ranks' caches differ");
    f.close().expect("close");

    // The flag of one rank reaches all.
    let a = agree_call_flag(w, "flag", Ok(()), None, rank == size - 1);
    assert!(a.result.is_ok() && a.flagged, "{a:?}");
    let a = agree_call_flag(w, "flag", Ok(()), None, false);
    assert!(a.result.is_ok() && !a.flagged, "{a:?}");
    let a = agree_call_flag(w, "flag", Err(Error::Io("bad".into())), None, true);
    assert!(a.result.is_err() && !a.flagged);

    // Every rank fails: the error comes from the call itself, and the next call is clean.
    let r = deferred_outcome(
        w,
        "open dataset f:/x",
        Err::<(), _>(Error::NotFound("no".into())),
    );
    assert_eq!(r.expect_err("fails").kind(), ErrorKind::NotFound);
    agree(w, "next", Ok(()), None).expect("the next call is not poisoned");

    // Rank 1 alone fails: it gets the error now; the others from their next call.
    let local = if rank == 1 {
        Err(Error::Io("the disk is on fire".into()))
    } else {
        Ok(7)
    };
    let r = deferred_outcome(w, "open dataset f:/x", local);
    let e = if rank == 1 {
        r.expect_err("rank 1 fails at once")
    } else {
        assert_eq!(r.expect("the others go on"), 7);
        agree(w, "read f:/y", Ok(()), Some("args")).expect_err("their next call fails")
    };
    let msg = e.to_string();
    assert!(
        msg.contains("the disk is on fire") && msg.contains("rank 1"),
        "{msg}"
    );
    assert!(
        msg.contains("open dataset f:/x") && msg.contains("read f:/y"),
        "names both calls: {msg}"
    );
    if rank != 1 {
        assert!(matches!(e, Error::Remote { rank: 1, .. }), "{msg}");
    }
    agree(w, "after", Ok(()), None).expect("every rank goes on together");
}
