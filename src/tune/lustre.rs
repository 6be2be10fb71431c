//! Lustre: the stripe layout of a file or directory, and the number of OSTs.
//!
//! The layout is read from the `lustre.lov` extended attribute, which holds a `lov_user_md`
//! structure. [`parse_lov`] decodes it without trusting a single byte (it never panics, whatever it
//! is given); [`read_layout`] and [`ost_count`] are the thin parts that ask the system.
//!
//! Layouts handled (all fields little-endian, or big-endian when the magic reads byte-swapped):
//!
//! ```text
//! lov_user_md_v1 (magic 0x0BD10BD0), 32-byte header:
//!   0  u32 lmm_magic          4 u32 lmm_pattern       8 ost_id lmm_oi (16 bytes)
//!   24 u32 lmm_stripe_size   28 u16 lmm_stripe_count 30 u16 lmm_stripe_offset / lmm_layout_gen
//! lov_user_md_v3 (magic 0x0BD30BD0): the same, then 32 char lmm_pool_name[16]: 48-byte header
//! then lmm_stripe_count entries of lov_user_ost_data_v1 (24 bytes each):
//!   0  ost_id l_ost_oi (16 bytes)   16 u32 l_ost_gen   20 u32 l_ost_idx
//! ```
//!
//! A composite (PFL) layout, `lov_comp_md_v1` (magic 0x0BD60BD0), is recognized and reported as
//! [`LovParseError::Composite`] rather than decoded.

use std::ffi::CString;
use std::fs;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// Magic of a `lov_user_md_v1` layout.
pub const LOV_USER_MAGIC_V1: u32 = 0x0BD1_0BD0;
/// Magic of a `lov_user_md_v3` layout (v1 plus an OST pool name).
pub const LOV_USER_MAGIC_V3: u32 = 0x0BD3_0BD0;
/// Magic of a composite (progressive file layout, PFL) `lov_comp_md_v1`.
pub const LOV_USER_MAGIC_COMP_V1: u32 = 0x0BD6_0BD0;
/// `lmm_stripe_offset` value meaning "let Lustre choose the first OST".
pub const STRIPE_OFFSET_ANY: u16 = 0xFFFF;

const HEADER_V1: usize = 32;
const HEADER_V3: usize = 48;
const POOL_NAME_AT: usize = 32;
const POOL_NAME_LEN: usize = 16;
const OST_ENTRY: usize = 24;
const OST_IDX_IN_ENTRY: usize = 20;

/// The stripe layout of a Lustre file or directory, decoded from `lustre.lov`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LustreLayout {
    /// `lmm_pattern`, as stored (1 is RAID0 striping; other bits mark e.g. released files).
    pub pattern: u32,
    /// Stripe size in bytes; 0 in a directory's default layout means "the file-system default".
    pub stripe_size: u64,
    /// Number of stripes, as stored: 0 means "the file-system default", 65535 "all OSTs".
    pub stripe_count: u32,
    /// Index of the first OST. When OST objects are present this is the first object's OST (as
    /// `lfs getstripe` reports it: for files that slot of the header holds the layout generation);
    /// otherwise the header's value, with 0xFFFF ("any") mapped to `None`.
    pub stripe_offset: Option<u32>,
    /// The OST pool (v3 layouts with a non-empty pool name only).
    pub pool: Option<String>,
    /// OST index of each stripe, in stripe order; empty for a directory's default layout or a file
    /// whose objects are not allocated.
    pub osts: Vec<u32>,
}

/// Why a `lustre.lov` value could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LovParseError {
    /// The value ends before a field or an OST entry that the header promises.
    #[error("lustre.lov layout too short: needed {needed} bytes, got {got}")]
    TooShort {
        /// Bytes needed to decode the layout.
        needed: usize,
        /// Bytes given.
        got: usize,
    },
    /// The first four bytes are no known layout magic in either byte order.
    #[error("lustre.lov layout has bad magic 0x{0:08x} (expected 0x0bd10bd0 or 0x0bd30bd0)")]
    BadMagic(u32),
    /// A composite (PFL) layout, which this parser does not decode.
    #[error("composite (PFL) layout not parsed (magic 0x0bd60bd0)")]
    Composite,
    /// The v3 pool name is not valid UTF-8.
    #[error("lustre.lov pool name is not valid UTF-8")]
    BadPoolName,
}

/// Byte order of a layout, told by how its magic reads.
#[derive(Debug, Clone, Copy)]
enum Order {
    Little,
    Big,
}

/// `N` bytes at `at`, or a [`LovParseError::TooShort`].
fn bytes_at<const N: usize>(bytes: &[u8], at: usize) -> Result<[u8; N], LovParseError> {
    let end = at.saturating_add(N);
    bytes
        .get(at..end)
        .and_then(|s| <[u8; N]>::try_from(s).ok())
        .ok_or(LovParseError::TooShort {
            needed: end,
            got: bytes.len(),
        })
}

fn u16_at(bytes: &[u8], at: usize, order: Order) -> Result<u16, LovParseError> {
    let raw = bytes_at::<2>(bytes, at)?;
    Ok(match order {
        Order::Little => u16::from_le_bytes(raw),
        Order::Big => u16::from_be_bytes(raw),
    })
}

fn u32_at(bytes: &[u8], at: usize, order: Order) -> Result<u32, LovParseError> {
    let raw = bytes_at::<4>(bytes, at)?;
    Ok(match order {
        Order::Little => u32::from_le_bytes(raw),
        Order::Big => u32::from_be_bytes(raw),
    })
}

fn is_known_magic(magic: u32) -> bool {
    matches!(
        magic,
        LOV_USER_MAGIC_V1 | LOV_USER_MAGIC_V3 | LOV_USER_MAGIC_COMP_V1
    )
}

/// Decodes a `lustre.lov` extended-attribute value (`lov_user_md` v1 or v3).
///
/// Never panics. Bytes after the last OST entry are ignored. A header with no bytes after it is a
/// layout without objects (a directory's default layout); otherwise all `stripe_count` OST entries
/// must be present.
pub fn parse_lov(bytes: &[u8]) -> Result<LustreLayout, LovParseError> {
    let raw_magic = bytes_at::<4>(bytes, 0)?;
    let (magic, order) = if is_known_magic(u32::from_le_bytes(raw_magic)) {
        (u32::from_le_bytes(raw_magic), Order::Little)
    } else if is_known_magic(u32::from_be_bytes(raw_magic)) {
        (u32::from_be_bytes(raw_magic), Order::Big)
    } else {
        return Err(LovParseError::BadMagic(u32::from_le_bytes(raw_magic)));
    };
    let header = match magic {
        LOV_USER_MAGIC_V1 => HEADER_V1,
        LOV_USER_MAGIC_V3 => HEADER_V3,
        _ => return Err(LovParseError::Composite),
    };
    if bytes.len() < header {
        return Err(LovParseError::TooShort {
            needed: header,
            got: bytes.len(),
        });
    }
    let pattern = u32_at(bytes, 4, order)?;
    let stripe_size = u64::from(u32_at(bytes, 24, order)?);
    let stripe_count = u16_at(bytes, 28, order)?;
    let offset_field = u16_at(bytes, 30, order)?;
    let pool = if header == HEADER_V3 {
        pool_name(&bytes_at::<POOL_NAME_LEN>(bytes, POOL_NAME_AT)?)?
    } else {
        None
    };
    let osts = if bytes.len() > header {
        read_osts(bytes, header, usize::from(stripe_count), order)?
    } else {
        Vec::new()
    };
    let stripe_offset = match osts.first() {
        Some(&first) => Some(first),
        None if offset_field == STRIPE_OFFSET_ANY => None,
        None => Some(u32::from(offset_field)),
    };
    Ok(LustreLayout {
        pattern,
        stripe_size,
        stripe_count: u32::from(stripe_count),
        stripe_offset,
        pool,
        osts,
    })
}

/// The OST index of each of `count` entries that follow the header.
fn read_osts(
    bytes: &[u8],
    header: usize,
    count: usize,
    order: Order,
) -> Result<Vec<u32>, LovParseError> {
    // count <= 65535, so this cannot overflow even on 32-bit targets.
    let needed = header + count * OST_ENTRY;
    if bytes.len() < needed {
        return Err(LovParseError::TooShort {
            needed,
            got: bytes.len(),
        });
    }
    (0..count)
        .map(|i| u32_at(bytes, header + i * OST_ENTRY + OST_IDX_IN_ENTRY, order))
        .collect()
}

/// The pool name: the bytes before the first NUL; `None` when empty.
fn pool_name(raw: &[u8; POOL_NAME_LEN]) -> Result<Option<String>, LovParseError> {
    let len = raw.iter().position(|&b| b == 0).unwrap_or(raw.len());
    let name = std::str::from_utf8(&raw[..len]).map_err(|_| LovParseError::BadPoolName)?;
    Ok((!name.is_empty()).then(|| name.to_owned()))
}

/// Reads the Lustre layout of `path` (a file, or a directory's default layout) from its
/// `lustre.lov` extended attribute.
///
/// Returns `Ok(None)` when the attribute is absent or the file system does not know it (any
/// file system but Lustre). A value that cannot be decoded, including a composite (PFL) layout, is
/// an error of kind [`io::ErrorKind::InvalidData`] wrapping the [`LovParseError`].
pub fn read_layout(path: &Path) -> io::Result<Option<LustreLayout>> {
    let c_path = CString::new(path.as_os_str().as_bytes())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "path contains a NUL byte"))?;
    let name = c"lustre.lov";
    // The value can grow between asking its size and reading it (ERANGE): try a few times.
    for _ in 0..4 {
        // SAFETY: valid NUL-terminated strings; a null buffer of size 0 asks only for the size.
        let size =
            unsafe { libc::getxattr(c_path.as_ptr(), name.as_ptr(), std::ptr::null_mut(), 0) };
        let Ok(size) = usize::try_from(size) else {
            return absent_or_error(path);
        };
        let mut buf = vec![0u8; size];
        // SAFETY: `buf` is valid and writable for `buf.len()` bytes.
        let got = unsafe {
            libc::getxattr(
                c_path.as_ptr(),
                name.as_ptr(),
                buf.as_mut_ptr().cast(),
                buf.len(),
            )
        };
        let Ok(got) = usize::try_from(got) else {
            if io::Error::last_os_error().raw_os_error() == Some(libc::ERANGE) {
                continue;
            }
            return absent_or_error(path);
        };
        buf.truncate(got);
        return parse_lov(&buf)
            .map(Some)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e));
    }
    Err(io::Error::other(format!(
        "getxattr lustre.lov {}: the value kept changing size",
        path.display()
    )))
}

/// After a failed `getxattr`: `Ok(None)` if the attribute is simply not there, else the error.
fn absent_or_error(path: &Path) -> io::Result<Option<LustreLayout>> {
    let e = io::Error::last_os_error();
    // EOPNOTSUPP equals ENOTSUP on Linux, not everywhere.
    let absent = [libc::ENODATA, libc::ENOTSUP, libc::EOPNOTSUPP];
    match e.raw_os_error() {
        Some(code) if absent.contains(&code) => Ok(None),
        _ => Err(io::Error::new(
            e.kind(),
            format!("getxattr lustre.lov {}: {e}", path.display()),
        )),
    }
}

/// Parses the content of a Lustre `numobd` file (the number of OSTs): a positive integer, with
/// surrounding white space allowed. 0 and anything else give `None`.
pub fn parse_numobd(s: &str) -> Option<u32> {
    s.trim().parse::<u32>().ok().filter(|&n| n > 0)
}

/// The number of OSTs of the mounted Lustre file system, from `/sys/fs/lustre/lov/*/numobd` or,
/// on older clients, `/proc/fs/lustre/lov/*/numobd`.
///
/// `None` when no Lustre file system is mounted. With several Lustre mounts this is the count of
/// the first `lov` entry in name order.
pub fn ost_count() -> Option<u32> {
    ["/sys/fs/lustre/lov", "/proc/fs/lustre/lov"]
        .iter()
        .find_map(|dir| ost_count_under(Path::new(dir)))
}

/// The first readable `*/numobd` count under `dir`, in name order.
fn ost_count_under(dir: &Path) -> Option<u32> {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .ok()?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    entries.iter().find_map(|entry| {
        fs::read_to_string(entry.join("numobd"))
            .ok()
            .and_then(|s| parse_numobd(&s))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A v1 layout written out byte by byte: RAID0, 1 MiB stripes, 2 stripes, OSTs 7 and 3.
    const V1_TWO_OSTS: [u8; 80] = [
        0xD0, 0x0B, 0xD1, 0x0B, // lmm_magic 0x0BD10BD0
        0x01, 0x00, 0x00, 0x00, // lmm_pattern RAID0
        0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, // lmm_oi.oi_id
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // lmm_oi.oi_seq
        0x00, 0x00, 0x10, 0x00, // lmm_stripe_size 1 MiB
        0x02, 0x00, // lmm_stripe_count 2
        0x05, 0x00, // lmm_layout_gen 5
        // lmm_objects[0]
        0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, //
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, //
        0x00, 0x00, 0x00, 0x00, // l_ost_gen
        0x07, 0x00, 0x00, 0x00, // l_ost_idx 7
        // lmm_objects[1]
        0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, //
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, //
        0x00, 0x00, 0x00, 0x00, // l_ost_gen
        0x03, 0x00, 0x00, 0x00, // l_ost_idx 3
    ];

    /// A v1 directory default layout: 4 MiB stripes, count 8, offset "any", no objects.
    const V1_DIR_DEFAULT: [u8; 32] = [
        0xD0, 0x0B, 0xD1, 0x0B, 0x01, 0x00, 0x00, 0x00, //
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, //
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, //
        0x00, 0x00, 0x40, 0x00, 0x08, 0x00, 0xFF, 0xFF,
    ];

    /// Builds a layout value; `pool` makes it v3.
    fn build(
        big_endian: bool,
        stripe_size: u32,
        stripe_offset: u16,
        pool: Option<&[u8]>,
        stripe_count: u16,
        osts: &[u32],
    ) -> Vec<u8> {
        let u16b = |v: u16| {
            if big_endian {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            }
        };
        let u32b = |v: u32| {
            if big_endian {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            }
        };
        let magic = if pool.is_some() {
            LOV_USER_MAGIC_V3
        } else {
            LOV_USER_MAGIC_V1
        };
        let mut v = Vec::new();
        v.extend_from_slice(&u32b(magic));
        v.extend_from_slice(&u32b(1));
        v.extend_from_slice(&[0xAB; 16]);
        v.extend_from_slice(&u32b(stripe_size));
        v.extend_from_slice(&u16b(stripe_count));
        v.extend_from_slice(&u16b(stripe_offset));
        if let Some(name) = pool {
            let mut field = [0u8; POOL_NAME_LEN];
            field[..name.len()].copy_from_slice(name);
            v.extend_from_slice(&field);
        }
        for (i, &ost) in osts.iter().enumerate() {
            v.extend_from_slice(&[i as u8; 16]);
            v.extend_from_slice(&u32b(0));
            v.extend_from_slice(&u32b(ost));
        }
        v
    }

    #[test]
    fn v1_with_objects() {
        let layout = parse_lov(&V1_TWO_OSTS).expect("valid v1");
        assert_eq!(
            layout,
            LustreLayout {
                pattern: 1,
                stripe_size: 1 << 20,
                stripe_count: 2,
                stripe_offset: Some(7),
                pool: None,
                osts: vec![7, 3],
            }
        );
    }

    #[test]
    fn v1_directory_default_without_objects() {
        let layout = parse_lov(&V1_DIR_DEFAULT).expect("valid v1");
        assert_eq!(layout.stripe_size, 4 << 20);
        assert_eq!(layout.stripe_count, 8);
        assert_eq!(layout.stripe_offset, None);
        assert!(layout.osts.is_empty());
        assert_eq!(layout.pool, None);
    }

    #[test]
    fn v1_header_offset_is_kept_without_objects() {
        let layout = parse_lov(&build(false, 1 << 20, 12, None, 4, &[])).expect("valid");
        assert_eq!(layout.stripe_offset, Some(12));
    }

    #[test]
    fn builder_matches_hand_written_fixture_layout() {
        let built = build(false, 1 << 20, 5, None, 2, &[7, 3]);
        assert_eq!(built.len(), V1_TWO_OSTS.len());
        assert_eq!(parse_lov(&built), parse_lov(&V1_TWO_OSTS));
    }

    #[test]
    fn v3_with_pool_and_objects() {
        let bytes = build(false, 4 << 20, 0, Some(b"flash"), 3, &[10, 11, 12]);
        assert_eq!(bytes.len(), 48 + 3 * 24);
        let layout = parse_lov(&bytes).expect("valid v3");
        assert_eq!(layout.pool.as_deref(), Some("flash"));
        assert_eq!(layout.stripe_count, 3);
        assert_eq!(layout.stripe_size, 4 << 20);
        assert_eq!(layout.osts, vec![10, 11, 12]);
        assert_eq!(layout.stripe_offset, Some(10));
    }

    #[test]
    fn v3_without_objects_and_empty_pool() {
        let bytes = build(false, 1 << 20, STRIPE_OFFSET_ANY, Some(b""), 16, &[]);
        assert_eq!(bytes.len(), 48);
        let layout = parse_lov(&bytes).expect("valid v3");
        assert_eq!(layout.pool, None);
        assert_eq!(layout.stripe_offset, None);
        assert_eq!(layout.stripe_count, 16);
        assert!(layout.osts.is_empty());
    }

    #[test]
    fn v3_pool_name_filling_the_field() {
        let bytes = build(false, 1 << 20, 0, Some(b"0123456789abcdef"), 0, &[]);
        let layout = parse_lov(&bytes).expect("valid v3");
        assert_eq!(layout.pool.as_deref(), Some("0123456789abcdef"));
    }

    #[test]
    fn v3_bad_pool_name() {
        let bytes = build(false, 1 << 20, 0, Some(&[0xFF, 0xFE]), 0, &[]);
        assert_eq!(parse_lov(&bytes), Err(LovParseError::BadPoolName));
    }

    #[test]
    fn big_endian_layouts() {
        let le = parse_lov(&build(false, 1 << 20, 0, Some(b"p"), 2, &[4, 9]));
        let be_bytes = build(true, 1 << 20, 0, Some(b"p"), 2, &[4, 9]);
        assert_eq!(&be_bytes[..4], &[0x0B, 0xD3, 0x0B, 0xD0]);
        assert_eq!(parse_lov(&be_bytes), le);
        let be_v1 = parse_lov(&build(true, 2 << 20, 1, None, 1, &[5])).expect("valid");
        assert_eq!(be_v1.stripe_size, 2 << 20);
        assert_eq!(be_v1.osts, vec![5]);
    }

    #[test]
    fn composite_layout_is_reported_not_parsed() {
        let mut bytes = vec![0xD0, 0x0B, 0xD6, 0x0B];
        bytes.extend_from_slice(&[0u8; 60]);
        assert_eq!(parse_lov(&bytes), Err(LovParseError::Composite));
        let swapped = [0x0B, 0xD6, 0x0B, 0xD0, 0, 0, 0, 0];
        assert_eq!(parse_lov(&swapped), Err(LovParseError::Composite));
        let msg = LovParseError::Composite.to_string();
        assert!(msg.contains("composite (PFL) layout not parsed"), "{msg}");
    }

    #[test]
    fn truncated_values() {
        assert_eq!(
            parse_lov(&[]),
            Err(LovParseError::TooShort { needed: 4, got: 0 })
        );
        assert_eq!(
            parse_lov(&V1_TWO_OSTS[..3]),
            Err(LovParseError::TooShort { needed: 4, got: 3 })
        );
        assert_eq!(
            parse_lov(&V1_TWO_OSTS[..31]),
            Err(LovParseError::TooShort {
                needed: 32,
                got: 31
            })
        );
        // Part of the objects: the header promises two entries.
        assert_eq!(
            parse_lov(&V1_TWO_OSTS[..60]),
            Err(LovParseError::TooShort {
                needed: 80,
                got: 60
            })
        );
        let v3 = build(false, 1 << 20, 0, Some(b"pool"), 1, &[2]);
        assert_eq!(
            parse_lov(&v3[..40]),
            Err(LovParseError::TooShort {
                needed: 48,
                got: 40
            })
        );
        let msg = parse_lov(&v3[..40]).expect_err("short").to_string();
        assert_eq!(msg, "lustre.lov layout too short: needed 48 bytes, got 40");
    }

    #[test]
    fn trailing_bytes_after_objects_are_ignored() {
        let mut bytes = V1_TWO_OSTS.to_vec();
        bytes.extend_from_slice(&[0xEE; 7]);
        assert_eq!(parse_lov(&bytes), parse_lov(&V1_TWO_OSTS));
    }

    #[test]
    fn garbage_has_bad_magic() {
        let garbage = b"this is not a layout at all, not even close";
        let err = parse_lov(garbage).expect_err("garbage");
        assert_eq!(err, LovParseError::BadMagic(u32::from_le_bytes(*b"this")));
        assert!(err.to_string().contains("bad magic 0x73696874"), "{err}");
        assert!(matches!(
            parse_lov(&[0u8; 64]),
            Err(LovParseError::BadMagic(0))
        ));
    }

    #[test]
    fn numobd_parsing() {
        assert_eq!(parse_numobd("248\n"), Some(248));
        assert_eq!(parse_numobd("  8 "), Some(8));
        assert_eq!(parse_numobd("0\n"), None);
        assert_eq!(parse_numobd(""), None);
        assert_eq!(parse_numobd("-3"), None);
        assert_eq!(parse_numobd("lots"), None);
        assert_eq!(parse_numobd("99999999999"), None);
    }

    #[test]
    fn ost_count_from_a_fake_lov_tree() {
        let root = std::env::temp_dir().join(format!("h5par-lov-test-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(root.join("a-broken")).expect("mkdir");
        fs::create_dir_all(root.join("b-scratch-clilov")).expect("mkdir");
        fs::write(root.join("a-broken/numobd"), "n/a\n").expect("write");
        fs::write(root.join("b-scratch-clilov/numobd"), "96\n").expect("write");
        assert_eq!(ost_count_under(&root), Some(96));
        fs::remove_dir_all(&root).expect("cleanup");
        assert_eq!(ost_count_under(&root), None);
    }

    #[test]
    fn ost_count_is_sane_here() {
        if let Some(n) = ost_count() {
            assert!(n > 0);
        }
    }

    #[test]
    fn read_layout_off_lustre_is_none() {
        let dir = std::env::temp_dir().join(format!("h5par-xattr-test-{}", std::process::id()));
        fs::create_dir_all(&dir).expect("mkdir");
        let file = dir.join("f.h5");
        fs::write(&file, b"x").expect("write");
        assert_eq!(read_layout(&file).expect("getxattr"), None);
        assert_eq!(read_layout(&dir).expect("getxattr"), None);
        fs::remove_dir_all(&dir).expect("cleanup");
        let shm = Path::new("/dev/shm");
        if shm.is_dir() {
            assert_eq!(read_layout(shm).expect("getxattr"), None);
        }
    }

    #[test]
    fn read_layout_missing_file_is_an_error() {
        let err = read_layout(Path::new("/tmp/h5par-no-such-dir/x.h5")).expect_err("missing");
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        assert!(err.to_string().contains("h5par-no-such-dir"), "{err}");
    }

    fn valid_fixtures() -> Vec<Vec<u8>> {
        vec![
            V1_TWO_OSTS.to_vec(),
            V1_DIR_DEFAULT.to_vec(),
            build(false, 4 << 20, 0, Some(b"flash"), 3, &[10, 11, 12]),
            build(true, 1 << 20, 1, Some(b"disk"), 2, &[1, 2]),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            let _ = parse_lov(&bytes);
        }

        #[test]
        fn known_magic_then_random_bytes_never_panic(
            magic in prop::sample::select(vec![
                LOV_USER_MAGIC_V1, LOV_USER_MAGIC_V3, LOV_USER_MAGIC_COMP_V1,
                LOV_USER_MAGIC_V1.swap_bytes(), LOV_USER_MAGIC_V3.swap_bytes(),
            ]),
            rest in proptest::collection::vec(any::<u8>(), 0..400),
        ) {
            let mut bytes = magic.to_le_bytes().to_vec();
            bytes.extend_from_slice(&rest);
            if let Ok(layout) = parse_lov(&bytes) {
                prop_assert!(layout.osts.is_empty() || layout.osts.len() == layout.stripe_count as usize);
            }
        }

        #[test]
        fn mutated_and_truncated_fixtures_never_panic(
            which in 0usize..4,
            edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
            keep in any::<prop::sample::Index>(),
        ) {
            let mut bytes = valid_fixtures().swap_remove(which);
            for (at, value) in edits {
                let i = at.index(bytes.len());
                bytes[i] = value;
            }
            let keep = keep.index(bytes.len() + 1);
            bytes.truncate(keep);
            let _ = parse_lov(&bytes);
        }
    }
}
