//! File-system detection: which kind of file system holds a path, and its block size.
//!
//! The decision is split in two: [`fs_kind_from_magic`] and [`fs_info_from_statfs`] are pure
//! functions of the numbers `statfs(2)` returns, tested on fixtures; [`detect`] is the thin impure
//! part that asks the kernel.

use std::ffi::CString;
use std::fmt;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// `statfs` magic of Lustre (`LL_SUPER_MAGIC`).
pub const LUSTRE_MAGIC: u32 = 0x0BD0_0BD0;
/// `statfs` magic of IBM Spectrum Scale / GPFS (`"GPFS"` in ASCII).
pub const GPFS_MAGIC: u32 = 0x4750_4653;
/// `statfs` magic of NFS (`NFS_SUPER_MAGIC`).
pub const NFS_MAGIC: u32 = 0x6969;
/// `statfs` magic shared by ext2, ext3 and ext4 (`EXT4_SUPER_MAGIC`).
pub const EXT4_MAGIC: u32 = 0xEF53;
/// `statfs` magic of XFS (`"XFSB"` in ASCII).
pub const XFS_MAGIC: u32 = 0x5846_5342;
/// `statfs` magic of tmpfs, which also backs `/dev/shm` (`TMPFS_MAGIC`).
pub const TMPFS_MAGIC: u32 = 0x0102_1994;
/// `statfs` magic of Btrfs (`BTRFS_SUPER_MAGIC`).
pub const BTRFS_MAGIC: u32 = 0x9123_683E;

/// The kind of file system that holds a file, as far as I/O tuning cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum FsKind {
    /// Lustre: striped over object storage targets (OSTs); stripe count and size matter most.
    Lustre,
    /// IBM Spectrum Scale (GPFS): large blocks; alignment to the block size matters most.
    Gpfs,
    /// NFS: not striped; collective buffering on one aggregator per node is the safe choice.
    Nfs,
    /// ext2, ext3 or ext4 (they share one magic number).
    Ext4,
    /// XFS.
    Xfs,
    /// tmpfs (memory), e.g. `/dev/shm`.
    Tmpfs,
    /// Btrfs.
    Btrfs,
    /// Any other file system; holds the raw `f_type` that `statfs` returned.
    Other(i64),
}

impl FsKind {
    /// Whether the file system is local to the node and unstriped (tmpfs, ext4, XFS, Btrfs):
    /// there collective buffering and data alignment buy nothing (see `tune::plan`).
    pub fn is_local(self) -> bool {
        matches!(
            self,
            FsKind::Tmpfs | FsKind::Ext4 | FsKind::Xfs | FsKind::Btrfs
        )
    }
}

impl fmt::Display for FsKind {
    /// Lowercase names (`lustre`, `gpfs`, ...); an unknown kind shows its magic as `other(0x...)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FsKind::Lustre => f.write_str("lustre"),
            FsKind::Gpfs => f.write_str("gpfs"),
            FsKind::Nfs => f.write_str("nfs"),
            FsKind::Ext4 => f.write_str("ext4"),
            FsKind::Xfs => f.write_str("xfs"),
            FsKind::Tmpfs => f.write_str("tmpfs"),
            FsKind::Btrfs => f.write_str("btrfs"),
            FsKind::Other(magic) => write!(f, "other(0x{magic:x})"),
        }
    }
}

/// What tuning needs to know about the file system that holds a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FsInfo {
    /// The kind of file system.
    pub kind: FsKind,
    /// The block size `statfs` reports (`f_bsize`), in bytes; on GPFS this is the file-system
    /// block size to align to (often 4 to 16 MiB). 0 if the kernel reported nothing usable.
    pub block_size: u64,
}

/// Maps a `statfs` `f_type` magic number to a [`FsKind`].
///
/// Only the low 32 bits are compared: on platforms where `f_type` is a signed 32-bit field, magics
/// with the top bit set (GPFS is fine, Btrfs is not) arrive sign-extended.
pub fn fs_kind_from_magic(f_type: i64) -> FsKind {
    // Truncation to the low 32 bits is intended (see above).
    match f_type as u32 {
        LUSTRE_MAGIC => FsKind::Lustre,
        GPFS_MAGIC => FsKind::Gpfs,
        NFS_MAGIC => FsKind::Nfs,
        EXT4_MAGIC => FsKind::Ext4,
        XFS_MAGIC => FsKind::Xfs,
        TMPFS_MAGIC => FsKind::Tmpfs,
        BTRFS_MAGIC => FsKind::Btrfs,
        _ => FsKind::Other(f_type),
    }
}

/// Builds a [`FsInfo`] from the `f_type` and `f_bsize` fields of a `statfs` result.
pub fn fs_info_from_statfs(f_type: i64, f_bsize: u64) -> FsInfo {
    FsInfo {
        kind: fs_kind_from_magic(f_type),
        block_size: f_bsize,
    }
}

/// Detects the file system that holds `path` with `statfs(2)`.
///
/// A file that does not exist yet (the usual case for a file about to be created) is looked up
/// through its nearest existing ancestor directory; a relative path ends at the current directory.
/// Errors other than "not found" (permissions, a path with a NUL byte, ...) are returned as they are,
/// with the path in the message.
pub fn detect(path: &Path) -> io::Result<FsInfo> {
    let mut first_error = None;
    for candidate in path.ancestors() {
        let candidate = if candidate.as_os_str().is_empty() {
            Path::new(".")
        } else {
            candidate
        };
        match statfs(candidate) {
            Ok(info) => return Ok(info),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                first_error.get_or_insert(e);
            }
            Err(e) => return Err(with_path(e, candidate)),
        }
    }
    let e = first_error.unwrap_or_else(|| io::Error::from(io::ErrorKind::NotFound));
    Err(with_path(e, path))
}

/// Adds the path to an error's message, keeping its kind.
fn with_path(e: io::Error, path: &Path) -> io::Error {
    io::Error::new(e.kind(), format!("statfs {}: {e}", path.display()))
}

/// One `statfs(2)` call on an existing path.
fn statfs(path: &Path) -> io::Result<FsInfo> {
    let c_path = CString::new(path.as_os_str().as_bytes())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "path contains a NUL byte"))?;
    // SAFETY: `statfs` is a plain C struct for which all-zero bytes are a valid value.
    let mut st: libc::statfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c_path` is a valid NUL-terminated string and `st` a valid, writable `statfs`.
    let rc = unsafe { libc::statfs(c_path.as_ptr(), &mut st) };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    // The field types differ between C libraries (signed on glibc, unsigned on musl, 32-bit on
    // some targets), hence the casts, which are no-ops on x86_64 glibc.
    #[allow(clippy::unnecessary_cast)]
    let f_type = st.f_type as i64;
    #[allow(clippy::unnecessary_cast)]
    let f_bsize = u64::try_from(st.f_bsize as i64).unwrap_or(0);
    Ok(fs_info_from_statfs(f_type, f_bsize))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_from_its_magic() {
        let cases: [(i64, FsKind); 7] = [
            (0x0BD0_0BD0, FsKind::Lustre),
            (0x4750_4653, FsKind::Gpfs),
            (0x6969, FsKind::Nfs),
            (0xEF53, FsKind::Ext4),
            (0x5846_5342, FsKind::Xfs),
            (0x0102_1994, FsKind::Tmpfs),
            (0x9123_683E, FsKind::Btrfs),
        ];
        for (magic, kind) in cases {
            assert_eq!(fs_kind_from_magic(magic), kind, "magic 0x{magic:x}");
        }
    }

    #[test]
    fn unknown_magic_is_other_and_keeps_the_number() {
        assert_eq!(fs_kind_from_magic(0x6573_5546), FsKind::Other(0x6573_5546)); // fuse
        assert_eq!(fs_kind_from_magic(0), FsKind::Other(0));
        assert_eq!(fs_kind_from_magic(-1), FsKind::Other(-1));
    }

    #[test]
    fn sign_extended_magic_is_recognized() {
        // Btrfs's magic read from a signed 32-bit f_type, then widened.
        let widened = i64::from(0x9123_683Eu32 as i32);
        assert!(widened < 0);
        assert_eq!(fs_kind_from_magic(widened), FsKind::Btrfs);
    }

    #[test]
    fn display_is_lowercase() {
        let names = [
            (FsKind::Lustre, "lustre"),
            (FsKind::Gpfs, "gpfs"),
            (FsKind::Nfs, "nfs"),
            (FsKind::Ext4, "ext4"),
            (FsKind::Xfs, "xfs"),
            (FsKind::Tmpfs, "tmpfs"),
            (FsKind::Btrfs, "btrfs"),
            (FsKind::Other(0x1234), "other(0x1234)"),
        ];
        for (kind, name) in names {
            assert_eq!(kind.to_string(), name);
        }
    }

    #[test]
    fn gpfs_block_size_comes_from_f_bsize() {
        let info = fs_info_from_statfs(0x4750_4653, 16 << 20);
        assert_eq!(
            info,
            FsInfo {
                kind: FsKind::Gpfs,
                block_size: 16 << 20
            }
        );
    }

    #[test]
    fn lustre_info_from_statfs() {
        let info = fs_info_from_statfs(0x0BD0_0BD0, 4096);
        assert_eq!(info.kind, FsKind::Lustre);
        assert_eq!(info.block_size, 4096);
    }

    #[test]
    fn detect_dev_shm_is_tmpfs() {
        let shm = Path::new("/dev/shm");
        if !shm.is_dir() {
            eprintln!("no /dev/shm on this machine; skipped");
            return;
        }
        let info = detect(shm).expect("statfs /dev/shm");
        assert_eq!(info.kind, FsKind::Tmpfs);
        assert!(info.block_size > 0);
    }

    #[test]
    fn detect_tmp_succeeds() {
        let info = detect(Path::new("/tmp")).expect("statfs /tmp");
        assert!(info.block_size > 0);
    }

    #[test]
    fn detect_missing_file_uses_an_existing_ancestor() {
        let direct = detect(Path::new("/tmp")).expect("statfs /tmp");
        let missing = detect(Path::new("/tmp/h5par-no-such-dir/deeper/new.h5")).expect("ancestor");
        assert_eq!(direct, missing);
    }

    #[test]
    fn detect_relative_missing_path_uses_current_dir() {
        let here = detect(Path::new(".")).expect("statfs .");
        let missing = detect(Path::new("h5par-no-such-file.h5")).expect("current dir");
        assert_eq!(here, missing);
    }

    #[test]
    fn detect_rejects_nul_byte() {
        let err = detect(Path::new("/tmp/a\0b")).expect_err("NUL byte");
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert!(err.to_string().contains("NUL"), "{err}");
    }
}
