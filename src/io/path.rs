//! Object paths inside a file: normalizing, joining and existence checks.

use hdf5_sys::h5i::hid_t;
use hdf5_sys::h5l::H5Lexists;

use crate::error::{Error, Result};
use crate::io::file::FileInner;
use crate::io::h5::{self, Handle, Kind};
use crate::io::plist::LocalAccess;

/// The absolute, normalized form of `rel` under the group `base` (`"/"` for the root):
/// `"a//b/"` under `"/g"` is `"/g/a/b"`. A path starting with `/` ignores `base`.
pub(crate) fn join(base: &str, rel: &str) -> Result<String> {
    if rel.contains('\0') {
        return Err(Error::Invalid(format!(
            "object path {rel:?} contains a NUL byte"
        )));
    }
    let start = if rel.starts_with('/') { "" } else { base };
    let parts: Vec<&str> = start
        .split('/')
        .chain(rel.split('/'))
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    if parts.contains(&"..") {
        return Err(Error::Invalid(format!(
            "object path {rel:?}: \"..\" is not supported"
        )));
    }
    Ok(format!("/{}", parts.join("/")))
}

/// Whether every link along the absolute path `path` exists in the file `file` (local: any
/// rank may ask alone).
///
/// Walks down one group at a time (each link looked up in the group opened before), so the
/// time is linear in the depth of the path. A soft link along the way is followed; an
/// external link along the way is an error, never followed (that would open another file,
/// which parallel HDF5 does collectively; `Group::open` follows it, on every rank).
pub(crate) fn exists(file: &FileInner, path: &str) -> Result<bool> {
    let acc = LocalAccess::new("checking a path")?;
    exists_with(file, path, &acc)
}

/// [`exists`] with the caller's local access list.
pub(crate) fn exists_with(file: &FileInner, path: &str, acc: &LocalAccess) -> Result<bool> {
    use hdf5_sys::h5i::{H5I_type_t, H5Iget_type};
    use hdf5_sys::h5o::H5Oopen;
    let fid: hid_t = file.id()?;
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    let mut held = Handle::none();
    let mut loc = fid;
    for (i, part) in parts.iter().enumerate() {
        let c = h5::cstring(part, "object path")?;
        // SAFETY: live location id, C string and access list.
        let r = unsafe { H5Lexists(loc, c.as_ptr(), acc.id()) };
        if r < 0 {
            return Err(h5::hdf5_error(format!("checking whether {path} exists")));
        }
        if r == 0 {
            return Ok(false);
        }
        if i + 1 == parts.len() {
            break;
        }
        // SAFETY: live location id, C string and access list; the object is closed by the
        // handle.
        let next = Handle::new(
            unsafe { H5Oopen(loc, c.as_ptr(), acc.id()) },
            Kind::Object,
            format!("opening {part} of {path}"),
        );
        let Ok(next) = next else {
            let _ = h5::error_stack();
            if acc.refused() {
                return Err(through_external(file, path, &parts[..=i].join("/")));
            }
            // A dangling soft link along the way.
            return Ok(false);
        };
        // SAFETY: live id.
        if unsafe { H5Iget_type(next.id()) } != H5I_type_t::H5I_GROUP {
            return Ok(false);
        }
        loc = next.id();
        held = next;
    }
    drop(held);
    Ok(true)
}

/// The error of a local query whose path `path` leads through the external link (or a soft
/// link to one) `at`. The file is named by the path the user gave (never the hidden
/// temporary of a file being created).
pub(crate) fn through_external(file: &FileInner, path: &str, at: &str) -> Error {
    Error::Invalid(format!(
        "{}: /{at} leads to an external link, which a local query does not follow inside a \
         path (that opens another file, collectively): open the path with Group::open \
         (h5par_object_open, Python f[path]) on every rank, which follows it, or the other \
         file with File::open",
        file.name(path)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_and_normalizes() {
        assert_eq!(join("/", "x").unwrap(), "/x");
        assert_eq!(join("/g", "a//b/").unwrap(), "/g/a/b");
        assert_eq!(join("/g", "/abs/./y").unwrap(), "/abs/y");
        assert_eq!(join("/", "").unwrap(), "/");
        assert!(join("/", "a/../b").is_err());
        assert!(join("/", "a\0b").is_err());
    }
}
