//! Object paths inside a file: normalizing, joining and existence checks.

use hdf5_sys::h5i::hid_t;
use hdf5_sys::h5l::H5Lexists;
use hdf5_sys::h5p::H5P_DEFAULT;

use crate::error::{Error, Result};
use crate::io::h5;

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

/// Whether every link along the absolute path `path` exists in the file `fid`.
pub(crate) fn exists(fid: hid_t, path: &str) -> Result<bool> {
    if path == "/" {
        return Ok(true);
    }
    let mut prefix = String::new();
    for part in path.split('/').filter(|p| !p.is_empty()) {
        prefix.push('/');
        prefix.push_str(part);
        let c = h5::cstring(&prefix, "object path")?;
        // SAFETY: live file id and C string.
        let r = unsafe { H5Lexists(fid, c.as_ptr(), H5P_DEFAULT) };
        if r < 0 {
            return Err(h5::hdf5_error(format!("checking whether {prefix} exists")));
        }
        if r == 0 {
            return Ok(false);
        }
    }
    Ok(true)
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
