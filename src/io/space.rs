//! Failed writes explained: a write or close that fails on a full file system (or over quota)
//! says "no space left on device" and names the file system and the path, instead of only
//! HDF5's and MPI-IO's own words.

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

/// What ran out, judged from an error's text and the free space (pure).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shortage {
    /// ENOSPC.
    Space,
    /// EDQUOT.
    Quota,
}

/// Whether an error with `text`, on a file system with `free` bytes available, is a full
/// disk or an exceeded quota (pure). Below 1 MiB free counts as full.
pub fn shortage(text: &str, free: Option<u64>) -> Option<Shortage> {
    let t = text.to_ascii_lowercase();
    if t.contains("quota") {
        return Some(Shortage::Quota);
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
/// itself) explained when the cause is a full file system or an exceeded quota: an I/O error
/// that says "no space left on device" (or "disk quota exceeded") and names the file system,
/// its mount point and the path. Other errors are returned as they are.
pub fn explain(err: Error, file: &Path, path: &Path) -> Error {
    if matches!(err, Error::Remote { .. }) {
        return err;
    }
    let dir = match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let space = statvfs(&dir);
    let Some(kind) = shortage(&err.message(), space.map(|s| s.1)) else {
        return err;
    };
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
    let head = match kind {
        Shortage::Space => "no space left on device",
        Shortage::Quota => "disk quota exceeded",
    };
    let which = if file == path {
        format!("{}", path.display())
    } else {
        format!("{} (the temporary of {})", file.display(), path.display())
    };
    Error::Io(format!(
        "{head}: {fs}{sizes} is full while writing {which}: {}",
        err.message()
    ))
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
        assert_eq!(shortage("file write failed", None), None);
    }
}
