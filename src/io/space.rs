//! Failed writes explained: a write or close that fails on a full file system, over quota or
//! on a failing device says "no space left on device", "disk quota exceeded" or "Input/output
//! error" and names the file system and the path, instead of only HDF5's and MPI-IO's own
//! words (which may not say the cause at all: the cause is then taken from `errno`).

use std::path::{Path, PathBuf};

use crate::error::Error;

/// The mount that holds a path: its mount point and file-system type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    /// Where it is mounted.
    pub point: PathBuf,
    /// The file-system type (`tmpfs`, `ext4`, `lustre`, ...).
    pub fstype: String,
}

/// The mount of `/proc/self/mounts` text `mounts` that holds the absolute path `path`: the
/// longest mount point that is a prefix of it (pure).
pub fn mount_of(mounts: &str, path: &Path) -> Option<Mount> {
    let mut best: Option<Mount> = None;
    for line in mounts.lines() {
        let mut f = line.split_whitespace();
        let (Some(_dev), Some(point), Some(fstype)) = (f.next(), f.next(), f.next()) else {
            continue;
        };
        let point = PathBuf::from(point.replace("\\040", " "));
        if path.starts_with(&point)
            && best
                .as_ref()
                .is_none_or(|b| point.as_os_str().len() >= b.point.as_os_str().len())
        {
            best = Some(Mount {
                point,
                fstype: fstype.to_string(),
            });
        }
    }
    best
}

/// What ran out (or failed), judged from an error's text and the free space (pure).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shortage {
    /// ENOSPC.
    Space,
    /// EDQUOT.
    Quota,
    /// EIO: the device failed.
    Device,
}

/// Whether an error with `text`, on a file system with `free` bytes available, is a full
/// disk, an exceeded quota or a device error (pure). Below 1 MiB free counts as full.
pub fn shortage(text: &str, free: Option<u64>) -> Option<Shortage> {
    let t = text.to_ascii_lowercase();
    if t.contains("quota") {
        return Some(Shortage::Quota);
    }
    if t.contains("input/output error") {
        return Some(Shortage::Device);
    }
    if t.contains("no space") || t.contains("no_space") || t.contains("enospc") {
        return Some(Shortage::Space);
    }
    match free {
        Some(f) if f < (1 << 20) => Some(Shortage::Space),
        _ => None,
    }
}

fn statvfs(dir: &Path) -> Option<(u64, u64)> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
    // SAFETY: `statvfs` is a plain C struct of integers, for which all-zero bytes are valid.
    let mut s: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: valid C string and out-struct.
    if unsafe { libc::statvfs(c.as_ptr(), &mut s) } != 0 {
        return None;
    }
    let unit = s.f_frsize as u64;
    Some((s.f_blocks as u64 * unit, s.f_bavail as u64 * unit))
}

fn mib(b: u64) -> String {
    format!("{:.1} MiB", b as f64 / (1 << 20) as f64)
}

/// `err` (a failed write, flush or close of `file`, the temporary of `path` or `path`
/// itself) explained when the cause is a full file system, an exceeded quota or a device
/// error: an I/O error that says "no space left on device" (or "disk quota exceeded", or
/// "Input/output error") and names the file system, its mount point and the path. Other
/// errors, and errors of other ranks (already explained there), are returned as they are.
pub fn explain(err: Error, file: &Path, path: &Path) -> Error {
    if matches!(err, Error::Remote { .. }) {
        return err;
    }
    match explanation(&err.message(), file, path) {
        Some(head) => Error::Io(format!("{head}: {}", err.message())),
        None => err,
    }
}

/// What [`explain`] puts before an error's text `text`, e.g. `no space left on device: the
/// tmpfs file system mounted at /scratch (8.0 MiB total, 0.0 MiB free) is full while writing
/// ...`; `None` when the text and the free space show none of its causes.
pub fn explanation(text: &str, file: &Path, path: &Path) -> Option<String> {
    let dir = match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let space = statvfs(&dir);
    let kind = shortage(text, space.map(|s| s.1))?;
    let abs = std::fs::canonicalize(&dir).unwrap_or(dir);
    let mount = std::fs::read_to_string("/proc/self/mounts")
        .ok()
        .and_then(|m| mount_of(&m, &abs));
    let fs = match &mount {
        Some(m) => format!(
            "the {} file system mounted at {}",
            m.fstype,
            m.point.display()
        ),
        None => format!("the file system of {}", abs.display()),
    };
    let sizes = space
        .map(|(total, free)| format!(" ({} total, {} free)", mib(total), mib(free)))
        .unwrap_or_default();
    let (head, state) = match kind {
        Shortage::Space => ("no space left on device", "is full"),
        Shortage::Quota => ("disk quota exceeded", "is over quota"),
        Shortage::Device => ("Input/output error", "failed (a device error)"),
    };
    let which = if file == path {
        format!("{}", path.display())
    } else {
        format!("{} (the temporary of {})", file.display(), path.display())
    };
    Some(format!("{head}: {fs}{sizes} {state} while writing {which}"))
}

/// Sets this thread's `errno` to 0, before a call whose failure [`write_errno`] then reads.
pub fn clear_errno() {
    // SAFETY: `__errno_location` returns this thread's errno.
    unsafe { *libc::__errno_location() = 0 };
}

/// The cause of a failed write as this thread's `errno` tells it, when it is one that HDF5 and
/// MPI-IO may drop from their messages (OpenMPI's says "file write failed"): EIO, ENOSPC,
/// EDQUOT, EFBIG or EROFS. Other values (left by MPI's own progress, say) are not taken.
pub fn write_errno() -> Option<std::io::Error> {
    let e = std::io::Error::last_os_error();
    match e.raw_os_error() {
        Some(libc::EIO | libc::ENOSPC | libc::EDQUOT | libc::EFBIG | libc::EROFS) => Some(e),
        _ => None,
    }
}

/// A test write beside `file`: a hidden file (named like a temporary, see
/// [`crate::io::stale`]) of 4 KiB written, synced and removed. Returns the OS error when it
/// fails with one of the causes [`write_errno`] takes, the cause of a failed write that MPI-IO
/// did not report: the device fails, the file system is full or over quota.
pub fn probe_write(file: &Path) -> Option<std::io::Error> {
    use std::io::Write;
    let dir = match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let me = crate::io::stale::this_process();
    let probe = dir.join(crate::io::stale::temporary_file_name(
        "h5par-probe",
        &me,
        nanos,
    ));
    let result = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
        .and_then(|mut f| {
            f.write_all(&[0u8; 4096])?;
            f.sync_all()
        });
    let _ = std::fs::remove_file(&probe);
    let e = result.err()?;
    match e.raw_os_error() {
        Some(libc::EIO | libc::ENOSPC | libc::EDQUOT | libc::EFBIG | libc::EROFS) => Some(e),
        _ => None,
    }
}

/// `err` with `cause` (the text of an OS error, as [`write_errno`] gives it) added when its
/// message does not already say it (pure).
pub fn with_cause(err: Error, cause: Option<&str>) -> Error {
    match cause {
        Some(c) if !err.message().to_lowercase().contains(&first_words(c)) => {
            err.context_after(format!(" ({c})"))
        }
        _ => err,
    }
}

/// An OS error's text without its ` (os error N)` tail, lowercase.
fn first_words(cause: &str) -> String {
    cause
        .split(" (os error")
        .next()
        .unwrap_or(cause)
        .to_lowercase()
}

/// An error when the file system of `file` has less than 1 MiB left after a write: MPI-IO
/// does not always report ENOSPC (OpenMPI's collective writes lose an aggregator's error), so
/// a write that filled the file system may have lost part of its data. Costs one `statvfs`.
pub fn check_room(file: &Path, path: &Path) -> crate::error::Result<()> {
    let dir = match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    match statvfs(&dir) {
        Some((total, free)) if total > 0 && free < (1 << 20) => Err(explain(
            Error::Io(
                "the file system is full after this write, so part of it may be lost (MPI-IO \
                 does not always report it)"
                    .into(),
            ),
            file,
            path,
        )),
        _ => Ok(()),
    }
}

/// The largest room kept for a file's closing writes (see [`Reserve`]).
pub const MAX_RESERVE: u64 = 8 << 20;

/// The size of the reserve for a file system with `free` bytes available (pure): a sixteenth
/// of the free space, at most [`MAX_RESERVE`], in 4 KiB blocks; `None` below 64 KiB.
pub fn reserve_size(free: u64) -> Option<u64> {
    let r = (free / 16).min(MAX_RESERVE) & !4095;
    (r >= 64 << 10).then_some(r)
}

/// Room kept for HDF5's closing writes of a file written in place (created without a
/// temporary, or opened read-write; a temporary is emptied instead when its data will not be
/// published): a
/// hidden file of [`reserve_size`] bytes beside it, allocated when the file is created or
/// opened for writing and removed just before HDF5 closes the file. On a disk that filled up
/// meanwhile, HDF5's closing writes (metadata, superblock) then find room on every rank
/// instead of failing on some (which would leave the others waiting in HDF5's barrier).
/// Made by rank 0 alone; named like a temporary (see [`crate::io::stale`]) so the temporaries
/// of killed jobs are cleaned with it. Best effort: without room or without write permission
/// in the directory there is no reserve.
#[derive(Debug)]
pub struct Reserve {
    path: PathBuf,
    bytes: u64,
}

impl Reserve {
    /// Makes the reserve for the file `target` (rank 0 calls it), if there is room for one.
    pub fn make(target: &Path) -> Option<Reserve> {
        use crate::io::stale;
        use std::os::unix::io::AsRawFd;
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let bytes = reserve_size(statvfs(&dir)?.1)?;
        let name = format!(
            "{}.reserve",
            target.file_name()?.to_string_lossy().replace('~', "-")
        );
        // Reserves of killed jobs whose creator is provably gone.
        let _ = stale::remove_stale_temporaries(&dir, Some(&name));
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        let path = dir.join(stale::temporary_file_name(
            &name,
            &stale::this_process(),
            nanos,
        ));
        let f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .ok()?;
        // SAFETY: a file descriptor of a file opened here, alive for the call.
        let rc = unsafe { libc::posix_fallocate(f.as_raw_fd(), 0, bytes as libc::off_t) };
        if rc != 0 {
            drop(f);
            let _ = std::fs::remove_file(&path);
            return None;
        }
        Some(Reserve { path, bytes })
    }

    /// Where the reserve is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Its size in bytes.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Removes the reserve, giving its room back to the file system.
    pub fn release(self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MOUNTS: &str = "sysfs /sys sysfs rw 0 0\n/dev/vda1 / ext4 rw 0 0\n\
        tmpfs /dev/shm tmpfs rw 0 0\ntmpfs /mnt/small\\040disk tmpfs rw,size=8192k 0 0\n";

    #[test]
    fn the_longest_mount_point_wins() {
        let m = mount_of(MOUNTS, Path::new("/mnt/small disk/out")).unwrap();
        assert_eq!(
            (m.point.as_path(), m.fstype.as_str()),
            (Path::new("/mnt/small disk"), "tmpfs")
        );
        assert_eq!(
            mount_of(MOUNTS, Path::new("/home/x")).unwrap().fstype,
            "ext4"
        );
        assert_eq!(
            mount_of(MOUNTS, Path::new("/dev/shm")).unwrap().fstype,
            "tmpfs"
        );
    }

    #[test]
    fn reserves_are_a_sixteenth_of_the_free_space_at_most_8_mib() {
        assert_eq!(reserve_size(8 << 20), Some(512 << 10));
        assert_eq!(reserve_size(1 << 40), Some(MAX_RESERVE));
        assert_eq!(reserve_size(1 << 20), Some(64 << 10));
        assert_eq!(reserve_size((1 << 20) - 1), None);
        assert_eq!(reserve_size(0), None);
        assert_eq!(reserve_size(100_000_000).map(|r| r % 4096), Some(0));
    }

    #[test]
    fn shortages_are_recognized() {
        assert_eq!(
            shortage("MPI_ERR_NO_SPACE: not enough space", Some(1 << 30)),
            Some(Shortage::Space)
        );
        assert_eq!(
            shortage("write failed: Disk quota exceeded", None),
            Some(Shortage::Quota)
        );
        assert_eq!(
            shortage("file write failed", Some(4096)),
            Some(Shortage::Space)
        );
        assert_eq!(shortage("file write failed", Some(1 << 30)), None);
        assert_eq!(
            shortage("file write failed (Input/output error (os error 5))", None),
            Some(Shortage::Device)
        );
        assert_eq!(shortage("file write failed", None), None);
    }

    #[test]
    fn causes_are_added_once() {
        let e = with_cause(
            Error::Io("file write failed".into()),
            Some("Input/output error (os error 5)"),
        );
        assert_eq!(
            e.message(),
            "file write failed (Input/output error (os error 5))"
        );
        let e = with_cause(
            Error::Io("MPI_File_write_at: Input/output error".into()),
            Some("Input/output error (os error 5)"),
        );
        assert_eq!(e.message(), "MPI_File_write_at: Input/output error");
        assert_eq!(
            with_cause(Error::Io("x".into()), None).message(),
            "x".to_string()
        );
    }

    #[test]
    fn errno_is_read_for_write_causes_only() {
        clear_errno();
        assert!(write_errno().is_none());
        // SAFETY: this thread's errno.
        unsafe { *libc::__errno_location() = libc::EIO };
        let e = write_errno().expect("EIO is a write cause");
        assert!(e.to_string().starts_with("Input/output error"), "{e}");
        // SAFETY: this thread's errno.
        unsafe { *libc::__errno_location() = libc::EAGAIN };
        assert!(write_errno().is_none());
    }
}
