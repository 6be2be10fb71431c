//! The command line (a contract: scripts at centers use it) and its resolution into a
//! [`Config`].
//!
//! Parsing is a pure function of the arguments, so every rank reaches the same verdict on its
//! own; checks that touch the file system (`--dir`, `--out`, `--reference`) are made in
//! `main.rs` by rank 0 and broadcast.

use std::fmt;
use std::path::PathBuf;

use clap::{Parser, ValueEnum};

pub use crate::method::BufferAlign;

/// Defaults of a full run: the NERSC figure's method at laptop scale.
pub const DEFAULT_SIZE: u64 = 256 << 20;
/// Stripe counts swept by default.
pub const DEFAULT_STRIPE_COUNTS: [u32; 4] = [1, 2, 4, 8];
/// Repeats per point by default.
pub const DEFAULT_REPEAT: u32 = 5;
/// `--quick`: dataset size.
pub const QUICK_SIZE: u64 = 64 << 20;
/// `--quick`: stripe counts.
pub const QUICK_STRIPE_COUNTS: [u32; 3] = [1, 2, 4];
/// `--quick`: repeats.
pub const QUICK_REPEAT: u32 = 3;

/// The raw command line.
#[derive(Debug, Parser)]
#[command(
    name = "stripe-bench",
    version,
    about = "Parallel HDF5 / MPI-IO bandwidth against the stripe count (run under mpirun)",
    long_about = "Parallel HDF5 / MPI-IO bandwidth against the stripe count (run under mpirun).\n\n\
        Writes and/or reads a 1-D float64 dataset, each rank a contiguous block, with several \
        implementations (series) interleaved repeat by repeat, in an order rotated each \
        repeat, after one untimed write and read of each, for each stripe count. Writes \
        are timed from create to close (no fsync), reads from open to close; every read is \
        checked; CPU time and the load average are recorded and outliers flagged. Writes results.csv, stripe_io.png/.svg and run.txt into --out and prints a \
        table of medians with each series' ratio to raw MPI-IO.",
    after_long_help = "Environment:
  STRIPE_BENCH_FONT=FILE
      TrueType font for the plot's text (default: DejaVu Sans, or any .ttf found).
  STRIPE_BENCH_CORRUPT_AFTER_WRITE=1
      A testing aid: rank 0 overwrites 4 KiB in the middle of every benchmark file after it
      is written and before it is read, so the run must fail its data check (the tests use it)."
)]
pub struct Args {
    /// Directory on the file system to measure (the benchmark files live there).
    #[arg(long, default_value = ".", value_name = "DIR")]
    pub dir: PathBuf,
    /// Dataset size in bytes, with k, M, G or T (binary) suffixes [default: 256M; --quick: 64M].
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub size: Option<u64>,
    /// Comma-separated stripe counts [default: 1,2,4,8; --quick: 1,2,4].
    #[arg(long, value_name = "LIST", value_parser = parse_stripe_counts)]
    pub stripe_counts: Option<StripeCounts>,
    /// Stripe size (MPI-IO hint striping_unit).
    #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "1M")]
    pub stripe_size: u64,
    /// Operation [default: read; --quick: both].
    #[arg(long, value_enum)]
    pub op: Option<OpChoice>,
    /// Independent or collective I/O [default: indep; --quick: both].
    #[arg(long, value_enum)]
    pub io: Option<IoChoice>,
    /// Repeats of every measurement [default: 5; --quick: 3].
    #[arg(long, value_name = "N", value_parser = parse_repeat)]
    pub repeat: Option<u32>,
    /// Comma-separated series among h5par, hdf5-default, mpiio, h5py [default: all available].
    #[arg(long, value_name = "LIST", value_parser = parse_series_list)]
    pub series: Option<SeriesList>,
    /// Output directory for results.csv, stripe_io.png, stripe_io.svg and run.txt.
    #[arg(long, default_value = "stripe-bench-out", value_name = "DIR")]
    pub out: PathBuf,
    /// Drop the file from the page cache (fsync, then posix_fadvise DONTNEED) before each read.
    #[arg(long)]
    pub drop_cache: bool,
    /// Overlay another run's results.csv or the NERSC curve (stripe_count,gbps,err_gbps).
    #[arg(long, value_name = "CSV")]
    pub reference: Option<PathBuf>,
    /// A short demo run: 64M, 3 repeats, stripe counts 1,2,4, op both, io both.
    #[arg(long)]
    pub quick: bool,
    /// Where each rank's data buffers start: as malloc gives them (what a C or numpy user
    /// gets: 16 bytes past a page on Linux/x86-64), page aligned, or 16 bytes past a page.
    #[arg(long, value_enum, default_value = "malloc", value_name = "HOW")]
    pub buffer_align: BufferAlign,
}

/// `--op`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OpChoice {
    /// Read only (the file is written once per stripe count, untimed).
    Read,
    /// Write only.
    Write,
    /// Write, then read back what was written.
    Both,
}

/// `--io`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum IoChoice {
    /// Independent I/O.
    Indep,
    /// Collective I/O.
    Coll,
    /// Both, one after the other.
    Both,
}

/// One operation that is timed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Op {
    /// Create, write, close.
    Write,
    /// Open, read, close.
    Read,
}

impl Op {
    /// `"write"` or `"read"`, as in the CSV.
    pub fn name(self) -> &'static str {
        match self {
            Op::Write => "write",
            Op::Read => "read",
        }
    }

    /// Parses [`Op::name`].
    pub fn from_name(s: &str) -> Option<Op> {
        match s {
            "write" => Some(Op::Write),
            "read" => Some(Op::Read),
            _ => None,
        }
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One transfer mode that is timed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Io {
    /// Independent I/O.
    Indep,
    /// Collective I/O.
    Coll,
}

impl Io {
    /// `"indep"` or `"coll"`, as in the CSV.
    pub fn name(self) -> &'static str {
        match self {
            Io::Indep => "indep",
            Io::Coll => "coll",
        }
    }
}

impl fmt::Display for Io {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An implementation being measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SeriesKind {
    /// h5par's File/Dataset API.
    H5par,
    /// The HDF5 C API with default properties (`MPI_INFO_NULL`).
    Hdf5Default,
    /// Raw MPI-IO of the same bytes at the same offsets.
    Mpiio,
    /// h5py with `driver="mpio"`, run as a child MPI job.
    H5py,
}

impl SeriesKind {
    /// Every series, in the order they run and are listed.
    pub const ALL: [SeriesKind; 4] = [
        SeriesKind::H5par,
        SeriesKind::Hdf5Default,
        SeriesKind::Mpiio,
        SeriesKind::H5py,
    ];

    /// The name used on the command line and in the CSV.
    pub fn name(self) -> &'static str {
        match self {
            SeriesKind::H5par => "h5par",
            SeriesKind::Hdf5Default => "hdf5-default",
            SeriesKind::Mpiio => "mpiio",
            SeriesKind::H5py => "h5py",
        }
    }

    /// Parses [`SeriesKind::name`].
    pub fn from_name(s: &str) -> Option<SeriesKind> {
        SeriesKind::ALL.into_iter().find(|k| k.name() == s)
    }
}

impl fmt::Display for SeriesKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A parsed `--stripe-counts` list (a newtype so that clap takes it as one value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StripeCounts(pub Vec<u32>);

/// A parsed `--series` list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesList(pub Vec<SeriesKind>);

/// Parses a size in bytes with the core's parser ([`h5par::tune::hints::parse_size`]: a whole
/// number with an optional binary suffix `k`, `M`, `G` or `T`, either case, optionally followed
/// by `iB` or `B`). Zero is refused.
///
/// ```text
/// 256M -> 268435456    1k -> 1024    2GiB -> 2147483648    4096 -> 4096
/// ```
pub fn parse_size(s: &str) -> Result<u64, String> {
    match h5par::tune::hints::parse_size(s) {
        Ok(0) => Err(format!("size {s:?}: must be greater than 0")),
        other => other,
    }
}

pub use h5par::tune::hints::format_size;

/// Splits a comma-separated list, refusing an empty list and empty items.
fn split_list<'a>(s: &'a str, what: &str) -> Result<Vec<&'a str>, String> {
    if s.trim().is_empty() {
        return Err(format!("{what}: the list is empty"));
    }
    let items: Vec<&str> = s.split(',').map(str::trim).collect();
    if items.iter().any(|i| i.is_empty()) {
        return Err(format!("{what} {s:?}: an item of the list is empty"));
    }
    Ok(items)
}

/// Parses `--stripe-counts`: comma-separated positive whole numbers, no duplicates.
pub fn parse_stripe_counts(s: &str) -> Result<StripeCounts, String> {
    let mut out: Vec<u32> = Vec::new();
    for item in split_list(s, "stripe counts")? {
        let n: u32 = item
            .parse()
            .map_err(|_| format!("stripe counts {s:?}: {item:?} is not a whole number"))?;
        if n == 0 {
            return Err(format!(
                "stripe counts {s:?}: a stripe count must be at least 1"
            ));
        }
        if out.contains(&n) {
            return Err(format!("stripe counts {s:?}: {n} is listed twice"));
        }
        out.push(n);
    }
    Ok(StripeCounts(out))
}

/// Parses `--series`: comma-separated names among h5par, hdf5-default, mpiio, h5py.
pub fn parse_series_list(s: &str) -> Result<SeriesList, String> {
    let mut out: Vec<SeriesKind> = Vec::new();
    for item in split_list(s, "series")? {
        let k = SeriesKind::from_name(item).ok_or_else(|| {
            format!(
                "series {s:?}: unknown series {item:?} (known: h5par, hdf5-default, mpiio, h5py)"
            )
        })?;
        if out.contains(&k) {
            return Err(format!("series {s:?}: {item} is listed twice"));
        }
        out.push(k);
    }
    Ok(SeriesList(out))
}

/// Parses `--repeat`: a whole number of at least 1.
pub fn parse_repeat(s: &str) -> Result<u32, String> {
    match s.trim().parse::<u32>() {
        Ok(0) => Err("repeat: must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("repeat {s:?}: expected a whole number >= 1")),
    }
}

/// Everything a run needs, resolved from [`Args`] (explicit flags > `--quick` > defaults).
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Directory of the benchmark files.
    pub dir: PathBuf,
    /// Dataset size in bytes (a multiple of 8).
    pub size: u64,
    /// Stripe counts in the order given.
    pub stripe_counts: Vec<u32>,
    /// Stripe size in bytes.
    pub stripe_size: u64,
    /// What `--op` asked for.
    pub op: OpChoice,
    /// What `--io` asked for.
    pub io: IoChoice,
    /// Repeats per point.
    pub repeat: u32,
    /// The series asked for; `None` means every available one.
    pub series: Option<Vec<SeriesKind>>,
    /// Output directory.
    pub out: PathBuf,
    /// Drop the page cache before reads.
    pub drop_cache: bool,
    /// A results.csv or NERSC CSV to overlay.
    pub reference: Option<PathBuf>,
    /// Whether `--quick` was given.
    pub quick: bool,
    /// `--buffer-align`.
    pub buffer_align: BufferAlign,
}

impl Config {
    /// Resolves the command line; an error is a message for the user.
    pub fn from_args(a: Args) -> Result<Config, String> {
        let quick = a.quick;
        let size = a
            .size
            .unwrap_or(if quick { QUICK_SIZE } else { DEFAULT_SIZE });
        if size % 8 != 0 {
            return Err(format!(
                "size {size}: must be a multiple of 8 bytes (the dataset holds float64 elements)"
            ));
        }
        let stripe_counts = match a.stripe_counts {
            Some(StripeCounts(v)) => v,
            None if quick => QUICK_STRIPE_COUNTS.to_vec(),
            None => DEFAULT_STRIPE_COUNTS.to_vec(),
        };
        if a.stripe_size > i32::MAX as u64 {
            return Err(format!(
                "stripe size {}: too large for the striping_unit hint (at most 2 GiB - 1)",
                a.stripe_size
            ));
        }
        Ok(Config {
            dir: a.dir,
            size,
            stripe_counts,
            stripe_size: a.stripe_size,
            op: a.op.unwrap_or(if quick {
                OpChoice::Both
            } else {
                OpChoice::Read
            }),
            io: a.io.unwrap_or(if quick {
                IoChoice::Both
            } else {
                IoChoice::Indep
            }),
            repeat: a
                .repeat
                .unwrap_or(if quick { QUICK_REPEAT } else { DEFAULT_REPEAT }),
            series: a.series.map(|SeriesList(v)| v),
            out: a.out,
            drop_cache: a.drop_cache,
            reference: a.reference,
            quick,
            buffer_align: a.buffer_align,
        })
    }

    /// The number of float64 elements of the dataset.
    pub fn elements(&self) -> u64 {
        self.size / 8
    }

    /// The operations timed, in the order they run (a write comes before the read of it).
    pub fn ops(&self) -> Vec<Op> {
        match self.op {
            OpChoice::Read => vec![Op::Read],
            OpChoice::Write => vec![Op::Write],
            OpChoice::Both => vec![Op::Write, Op::Read],
        }
    }

    /// The transfer modes timed, in the order they run.
    pub fn ios(&self) -> Vec<Io> {
        match self.io {
            IoChoice::Indep => vec![Io::Indep],
            IoChoice::Coll => vec![Io::Coll],
            IoChoice::Both => vec![Io::Indep, Io::Coll],
        }
    }

    /// The word for the plot title: `Read`, `Write` or `Read+Write`.
    pub fn op_title(&self) -> &'static str {
        match self.op {
            OpChoice::Read => "Read",
            OpChoice::Write => "Write",
            OpChoice::Both => "Read+Write",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Config, String> {
        let mut v = vec!["stripe-bench"];
        v.extend_from_slice(args);
        let a = Args::try_parse_from(v).map_err(|e| e.to_string())?;
        Config::from_args(a)
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("256M"), Ok(256 << 20));
        assert_eq!(parse_size("1k"), Ok(1024));
        assert_eq!(parse_size("1K"), Ok(1024));
        assert_eq!(parse_size("2G"), Ok(2 << 30));
        assert_eq!(parse_size("2GiB"), Ok(2 << 30));
        assert_eq!(parse_size("3MB"), Ok(3 << 20));
        assert_eq!(parse_size("1T"), Ok(1 << 40));
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size(" 8m "), Ok(8 << 20));
        assert!(parse_size("0").unwrap_err().contains("greater than 0"));
        assert!(parse_size("0M").is_err());
        assert!(parse_size("").is_err());
        assert!(parse_size("M").is_err());
        assert!(parse_size("1.5G").is_err());
        assert!(parse_size("-1").is_err());
        assert!(parse_size("12X").unwrap_err().contains("suffix"));
        assert!(parse_size("99999999999999999999").is_err());
        assert!(parse_size("20000000T").unwrap_err().contains("too large"));
    }

    #[test]
    fn size_formatting() {
        assert_eq!(format_size(256 << 20), "256 MiB");
        assert_eq!(format_size(2 << 30), "2 GiB");
        assert_eq!(format_size(1536), "1.5 KiB");
        assert_eq!(format_size(100), "100 B");
    }

    #[test]
    fn lists() {
        assert_eq!(
            parse_stripe_counts("1,2,4,8"),
            Ok(StripeCounts(vec![1, 2, 4, 8]))
        );
        assert_eq!(
            parse_stripe_counts(" 16 , 4"),
            Ok(StripeCounts(vec![16, 4]))
        );
        assert!(parse_stripe_counts("").unwrap_err().contains("empty"));
        assert!(parse_stripe_counts("1,,2").unwrap_err().contains("empty"));
        assert!(parse_stripe_counts("1,0").is_err());
        assert!(parse_stripe_counts("1,x")
            .unwrap_err()
            .contains("not a whole number"));
        assert!(parse_stripe_counts("2,2").unwrap_err().contains("twice"));
        assert_eq!(
            parse_series_list("mpiio,h5par"),
            Ok(SeriesList(vec![SeriesKind::Mpiio, SeriesKind::H5par]))
        );
        assert!(parse_series_list("").is_err());
        assert!(parse_series_list("netcdf")
            .unwrap_err()
            .contains("unknown series"));
        assert!(parse_series_list("h5py,h5py").is_err());
        for k in SeriesKind::ALL {
            assert_eq!(SeriesKind::from_name(k.name()), Some(k));
        }
    }

    #[test]
    fn defaults_and_quick() {
        let c = parse(&[]).unwrap();
        assert_eq!(c.size, 256 << 20);
        assert_eq!(c.stripe_counts, vec![1, 2, 4, 8]);
        assert_eq!(c.stripe_size, 1 << 20);
        assert_eq!(c.ops(), vec![Op::Read]);
        assert_eq!(c.ios(), vec![Io::Indep]);
        assert_eq!(c.repeat, 5);
        assert_eq!(c.dir, PathBuf::from("."));
        assert_eq!(c.out, PathBuf::from("stripe-bench-out"));
        assert_eq!(c.series, None);
        assert_eq!(c.op_title(), "Read");
        assert_eq!(c.buffer_align, BufferAlign::Malloc);
        for (arg, want) in [
            ("malloc", BufferAlign::Malloc),
            ("page", BufferAlign::Page),
            ("page+16", BufferAlign::Page16),
        ] {
            assert_eq!(parse(&["--buffer-align", arg]).unwrap().buffer_align, want);
            assert_eq!(want.name(), arg);
        }
        assert!(parse(&["--buffer-align", "huge"]).is_err());

        let q = parse(&["--quick"]).unwrap();
        assert_eq!(q.size, 64 << 20);
        assert_eq!(q.stripe_counts, vec![1, 2, 4]);
        assert_eq!(q.repeat, 3);
        assert_eq!(q.ops(), vec![Op::Write, Op::Read]);
        assert_eq!(q.ios(), vec![Io::Indep, Io::Coll]);
        assert_eq!(q.op_title(), "Read+Write");

        // Explicit flags win over --quick.
        let q = parse(&["--quick", "--size", "8M", "--op", "write", "--repeat", "2"]).unwrap();
        assert_eq!((q.size, q.repeat, q.op_title()), (8 << 20, 2, "Write"));
    }

    #[test]
    fn bad_arguments() {
        assert!(parse(&["--op", "sideways"]).is_err());
        assert!(parse(&["--io", "both", "--op", ""]).is_err());
        assert!(parse(&["--size", "0"]).is_err());
        assert!(parse(&["--size", "12"])
            .unwrap_err()
            .contains("multiple of 8"));
        assert!(parse(&["--stripe-counts", ""]).is_err());
        assert!(parse(&["--series", ""]).is_err());
        assert!(parse(&["--repeat", "0"]).is_err());
        assert!(parse(&["--stripe-size", "4G"]).is_err());
    }
}
