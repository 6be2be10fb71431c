//! The implementations being measured, and what they share: the block decomposition, the
//! timing between barriers, dropping the page cache and removing the files.
//!
//! The Rust-side series ([`h5par_series`], [`hdf5_default`], [`mpiio`]) implement [`Native`]:
//! a write from create to close and a read from open to close, collective on the communicator.
//! [`h5py`] runs a child MPI job instead.

pub mod h5par_series;
pub mod h5py;
pub mod hdf5_default;
pub mod mpiio;

use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

use mpi::topology::SimpleCommunicator;
use mpi::traits::{Communicator, CommunicatorCollectives};

use crate::cli::{Io, SeriesKind};
use crate::comm::{agree, max_f64, sum_f64};
use crate::method::cpu_times;

/// The name of the dataset in the HDF5 files.
pub const DATASET: &str = "x";

/// A testing aid: when this environment variable is set (to anything but empty or `0`) on
/// rank 0, rank 0 overwrites [`CORRUPT_BYTES`] bytes in the middle of every benchmark file
/// after it is written and before it is read ([`corrupt_span`]), so that the read's data check
/// must fail the run. The tests use it; it is never useful in a measurement.
pub const CORRUPT_ENV: &str = "STRIPE_BENCH_CORRUPT_AFTER_WRITE";

/// How many bytes the testing aid [`CORRUPT_ENV`] overwrites (fewer in a tiny file).
pub const CORRUPT_BYTES: u64 = 4096;

/// The byte written over the file by [`CORRUPT_ENV`]: eight of them make a negative `f64`,
/// which the pattern (whole numbers from 0 to 2^53) never holds.
pub const CORRUPT_FILL: u8 = 0xA5;

/// What every series needs to know about the run.
pub struct Ctx<'a> {
    /// All ranks of the benchmark.
    pub comm: &'a SimpleCommunicator,
    /// Elements (float64) of the whole dataset.
    pub n: u64,
    /// This rank's first element.
    pub first: u64,
    /// This rank's number of elements.
    pub count: u64,
    /// MPI-IO hints given at create (the striping hints), as (key, value).
    pub hints: Vec<(String, String)>,
    /// The stripe count being measured (in [`Ctx::hints`] as `striping_factor` too).
    pub stripe_count: u32,
    /// The stripe size in bytes (in [`Ctx::hints`] as `striping_unit` too).
    pub stripe_size: u64,
    /// Drop the page cache before every read.
    pub drop_cache: bool,
    /// The testing aid [`CORRUPT_ENV`]: rank 0 damages every file after it is written.
    pub corrupt_after_write: bool,
}

impl Ctx<'_> {
    /// This rank.
    pub fn rank(&self) -> i32 {
        self.comm.rank()
    }

    /// The number of ranks.
    pub fn procs(&self) -> i32 {
        self.comm.size()
    }
}

/// The contiguous block of `n` elements owned by `rank` of `procs`: `n / procs` each, the last
/// rank taking the remainder. An error when there are more ranks than elements.
pub fn block(n: u64, procs: u64, rank: u64) -> Result<(u64, u64), String> {
    if procs == 0 || rank >= procs {
        return Err(format!("rank {rank} of {procs}: no such rank"));
    }
    if n < procs {
        return Err(format!(
            "{procs} ranks but only {n} elements: every rank needs at least one element \
             (use a larger --size or fewer ranks)"
        ));
    }
    let each = n / procs;
    let first = each * rank;
    let count = if rank + 1 == procs { n - first } else { each };
    Ok((first, count))
}

/// A series run in this process: collective writes and reads of the rank's block.
pub trait Native {
    /// Creates the file at `path` (with the context's hints where the series takes hints),
    /// writes `data` at the rank's block, closes the file.
    fn write(&self, ctx: &Ctx, path: &Path, io: Io, data: &[f64]) -> Result<(), String>;
    /// Opens the file at `path`, reads the rank's block into `out`, closes the file.
    fn read(&self, ctx: &Ctx, path: &Path, io: Io, out: &mut [f64]) -> Result<(), String>;
}

/// The [`Native`] implementation of a series, `None` for h5py.
pub fn native(kind: SeriesKind) -> Option<Box<dyn Native>> {
    match kind {
        SeriesKind::H5par => Some(Box::new(h5par_series::H5parSeries)),
        SeriesKind::Hdf5Default => Some(Box::new(hdf5_default::Hdf5Default)),
        SeriesKind::Mpiio => Some(Box::new(mpiio::MpiIo)),
        SeriesKind::H5py => None,
    }
}

/// The benchmark file of a series in `dir`; `tag` keeps concurrent runs apart.
pub fn file_path(dir: &Path, tag: &str, kind: SeriesKind) -> PathBuf {
    let ext = if kind == SeriesKind::Mpiio {
        "bin"
    } else {
        "h5"
    };
    dir.join(format!("stripe-bench-{tag}-{}.{ext}", kind.name()))
}

/// What one timed operation cost.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timed {
    /// Seconds of the slowest rank (`MPI_Wtime`).
    pub seconds: f64,
    /// User CPU seconds, summed over ranks.
    pub user_s: f64,
    /// System CPU seconds, summed over ranks.
    pub sys_s: f64,
}

/// Collective: runs `f` between a barrier and the agreement on its outcome and returns the
/// slowest rank's seconds (`MPI_Wtime`) and the CPU time of all ranks (`getrusage`).
pub fn timed(
    comm: &SimpleCommunicator,
    f: impl FnOnce() -> Result<(), String>,
) -> Result<Timed, String> {
    comm.barrier();
    let (u0, s0) = cpu_times();
    let t0 = mpi::time();
    let r = f();
    let dt = mpi::time() - t0;
    let (u1, s1) = cpu_times();
    agree(comm, r)?;
    Ok(Timed {
        seconds: max_f64(comm, dt),
        user_s: sum_f64(comm, u1 - u0),
        sys_s: sum_f64(comm, s1 - s0),
    })
}

/// Whether [`CORRUPT_ENV`] asks for the testing aid in this process's environment.
pub fn corrupt_requested() -> bool {
    std::env::var_os(CORRUPT_ENV).is_some_and(|v| !v.is_empty() && v != "0")
}

/// The span `(offset, length)` that [`CORRUPT_ENV`] overwrites in a file of `size` bytes:
/// [`CORRUPT_BYTES`] (at most a quarter of the file) centred on its middle, which lies in the
/// data of these files (one contiguous dataset, far larger than the file's metadata).
pub fn corrupt_span(size: u64) -> (u64, u64) {
    let len = CORRUPT_BYTES.min(size / 4).max(size.min(1));
    (size / 2 - len / 2, len)
}

/// Overwrites [`corrupt_span`] of the file at `path` with [`CORRUPT_FILL`] and fsyncs it.
pub fn corrupt_file(path: &Path) -> Result<(), String> {
    use std::io::{Seek, SeekFrom, Write};
    let what = |e: std::io::Error| {
        format!(
            "{CORRUPT_ENV}: cannot damage {} as asked: {e}",
            path.display()
        )
    };
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(what)?;
    let size = f.metadata().map_err(what)?.len();
    let (offset, len) = corrupt_span(size);
    f.seek(SeekFrom::Start(offset)).map_err(what)?;
    f.write_all(&vec![CORRUPT_FILL; len as usize])
        .map_err(what)?;
    f.sync_all().map_err(what)
}

/// Collective: with the testing aid [`CORRUPT_ENV`] on, rank 0 damages the file at `path`
/// (just written) before anyone reads it; without it, nothing (and no communication).
pub fn corrupt_after_write(ctx: &Ctx, path: &Path) -> Result<(), String> {
    if !ctx.corrupt_after_write {
        return Ok(());
    }
    let done = if ctx.rank() == 0 {
        corrupt_file(path)
    } else {
        Ok(())
    };
    agree(ctx.comm, done)
}

/// Collective: removes `path` (rank 0; a missing file is fine).
pub fn remove(comm: &SimpleCommunicator, path: &Path) {
    if comm.rank() == 0 {
        let _ = std::fs::remove_file(path);
    }
    comm.barrier();
}

/// Collective: rank 0 fsyncs `path`, then every rank drops it from the page cache with
/// `posix_fadvise(POSIX_FADV_DONTNEED)`. (tmpfs keeps its pages: there this does nothing.)
pub fn drop_cache(comm: &SimpleCommunicator, path: &Path) -> Result<(), String> {
    let synced = if comm.rank() == 0 {
        std::fs::File::open(path)
            .and_then(|f| f.sync_all())
            .map_err(|e| format!("--drop-cache: fsync {}: {e}", path.display()))
    } else {
        Ok(())
    };
    agree(comm, synced)?;
    let dropped = std::fs::File::open(path)
        .map_err(|e| format!("--drop-cache: open {}: {e}", path.display()))
        .and_then(|f| {
            // SAFETY: a valid open descriptor.
            let rc = unsafe { libc::posix_fadvise(f.as_raw_fd(), 0, 0, libc::POSIX_FADV_DONTNEED) };
            if rc == 0 {
                Ok(())
            } else {
                Err(format!(
                    "--drop-cache: posix_fadvise {}: {}",
                    path.display(),
                    std::io::Error::from_raw_os_error(rc)
                ))
            }
        });
    agree(comm, dropped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_cover_the_dataset() {
        for (n, p) in [(10u64, 3u64), (9, 3), (5, 5), (1 << 20, 7), (1, 1)] {
            let mut next = 0;
            for r in 0..p {
                let (first, count) = block(n, p, r).unwrap();
                assert_eq!(first, next);
                assert!(count >= 1);
                next = first + count;
            }
            assert_eq!(next, n);
        }
        assert_eq!(block(10, 3, 2), Ok((6, 4)));
        assert!(block(2, 3, 0).unwrap_err().contains("only 2 elements"));
        assert!(block(2, 0, 0).is_err());
    }

    #[test]
    fn corruption_spans() {
        assert_eq!(corrupt_span(8 << 20), ((4 << 20) - 2048, 4096));
        assert_eq!(corrupt_span(100), (38, 25));
        assert_eq!(corrupt_span(2), (1, 1));
        assert_eq!(corrupt_span(0), (0, 0));
        for size in [1u64, 3, 7, 4096, 4097, 1 << 20, (1 << 20) + 2048 + 7] {
            let (o, l) = corrupt_span(size);
            assert!(l >= 1 && o + l <= size, "{size}: {o} {l}");
        }
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("f");
        std::fs::write(&p, vec![0u8; 1 << 16]).unwrap();
        corrupt_file(&p).unwrap();
        let b = std::fs::read(&p).unwrap();
        assert_eq!(b.len(), 1 << 16);
        let hit: Vec<usize> = (0..b.len()).filter(|&i| b[i] != 0).collect();
        assert_eq!(hit.len(), 4096);
        assert_eq!(hit[0], (1 << 15) - 2048);
        assert!(corrupt_file(&d.path().join("missing"))
            .unwrap_err()
            .contains(CORRUPT_ENV));
    }

    #[test]
    fn paths() {
        let p = file_path(Path::new("/d"), "t1", SeriesKind::Mpiio);
        assert_eq!(p, PathBuf::from("/d/stripe-bench-t1-mpiio.bin"));
        let p = file_path(Path::new("/d"), "t1", SeriesKind::Hdf5Default);
        assert_eq!(p, PathBuf::from("/d/stripe-bench-t1-hdf5-default.h5"));
    }
}
