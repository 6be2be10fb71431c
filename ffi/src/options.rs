//! `h5par_options`: the options of `h5par_file_create` and `h5par_file_open`.

use std::ffi::c_char;

use h5par::{FileOptions, Result};

use crate::args::text;
use crate::status::{invalid, set_last_error, shielded};

/// Options of `h5par_file_create` and `h5par_file_open`. Fill the defaults with
/// `h5par_options_init`, then change what you need; 0 in a size field means "let h5par
/// choose". The environment variables `H5PAR_STRIPE_COUNT`, `H5PAR_STRIPE_SIZE`,
/// `H5PAR_CB_NODES`, `H5PAR_TUNING`, `H5PAR_HINTS` and `H5PAR_REPORT` override these fields.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct h5par_options {
    /// Lustre stripe count of a new file, 0 = choose.
    pub stripe_count: i64,
    /// Lustre stripe size of a new file in bytes, 0 = choose.
    pub stripe_size: i64,
    /// Number of MPI-IO aggregators (`cb_nodes`), 0 = choose.
    pub cb_nodes: i32,
    /// 1 = tuned for the file system (default), 0 = plain HDF5 defaults with MPI-IO.
    pub tuning: i32,
    /// 1 = write a new file under a temporary name and rename it at a successful close
    /// (default), 0 = write in place.
    pub atomic_create: i32,
    /// Extra MPI-IO hints `"key=value,key=value"`, or NULL.
    pub hints: *const c_char,
    /// Write the I/O report here at close (`"-"` = stderr, a path ending in `.json` gets
    /// JSON, any other path the text summary), or NULL for none.
    pub report_path: *const c_char,
    /// File-format bounds as h5py's `libver`: `"low,high"` or one name meaning
    /// `"name,latest"`, names `earliest`, `v108`, `v110`, `v112`, `v114`, `v200`, `latest`;
    /// NULL for h5par's default (`"earliest,latest"`: readable by HDF5 1.10 tools).
    pub libver: *const c_char,
}

impl Default for h5par_options {
    fn default() -> Self {
        h5par_options {
            stripe_count: 0,
            stripe_size: 0,
            cb_nodes: 0,
            tuning: 1,
            atomic_create: 1,
            hints: std::ptr::null(),
            report_path: std::ptr::null(),
            libver: std::ptr::null(),
        }
    }
}

/// Fills `*opts` with the defaults: stripe_count 0, stripe_size 0, cb_nodes 0, tuning 1,
/// atomic_create 1, hints NULL, report_path NULL, libver NULL. Does nothing when `opts` is NULL (and records
/// that in `h5par_last_error`).
#[no_mangle]
pub unsafe extern "C" fn h5par_options_init(opts: *mut h5par_options) {
    shielded("h5par_options_init", (), || {
        if opts.is_null() {
            set_last_error("h5par_options_init: invalid argument: opts is NULL");
            return;
        }
        // SAFETY: non-NULL and writable (caller); write() does not read the old contents.
        unsafe { opts.write(h5par_options::default()) };
    })
}

fn flag(v: i32, what: &str) -> Result<bool> {
    match v {
        0 => Ok(false),
        1 => Ok(true),
        _ => Err(invalid(format!(
            "options.{what} is {v}, expected 0 or 1 (did you call h5par_options_init?)"
        ))),
    }
}

fn size<T: TryFrom<i64>>(v: i64, what: &str) -> Result<Option<T>> {
    if v == 0 {
        return Ok(None);
    }
    match T::try_from(v) {
        Ok(x) if v > 0 => Ok(Some(x)),
        _ => Err(invalid(format!(
            "options.{what} is {v}, out of range (0 = choose)"
        ))),
    }
}

/// The core's options for `opts` (NULL = the defaults).
///
/// # Safety
/// `opts` is NULL or points to an `h5par_options` whose strings are NULL or NUL-terminated.
pub(crate) unsafe fn file_options(opts: *const h5par_options) -> Result<FileOptions> {
    if opts.is_null() {
        return Ok(FileOptions::default());
    }
    // SAFETY: non-NULL and readable (caller).
    let o = unsafe { *opts };
    let hints = if o.hints.is_null() {
        Vec::new()
    } else {
        // SAFETY: NUL-terminated (caller).
        let s = unsafe { text(o.hints, "options.hints") }?;
        h5par::tune::parse_hints(s).map_err(|e| invalid(format!("options.hints: {e}")))?
    };
    let report = if o.report_path.is_null() {
        None
    } else {
        // SAFETY: NUL-terminated (caller).
        let s = unsafe { text(o.report_path, "options.report_path") }?;
        if s.is_empty() {
            return Err(invalid(
                "options.report_path is empty (use NULL for no report)",
            ));
        }
        Some(s.to_string())
    };
    let libver = if o.libver.is_null() {
        None
    } else {
        // SAFETY: NUL-terminated (caller).
        let s = unsafe { text(o.libver, "options.libver") }?;
        Some(
            h5par::tune::LibVer::parse_bounds(s)
                .map_err(|e| invalid(format!("options.libver: {e}")))?,
        )
    };
    Ok(FileOptions {
        atomic_create: flag(o.atomic_create, "atomic_create")?,
        libver,
        hints,
        tuning: flag(o.tuning, "tuning")?,
        stripe_count: size(o.stripe_count, "stripe_count")?,
        stripe_size: size(o.stripe_size, "stripe_size")?,
        cb_nodes: size(i64::from(o.cb_nodes), "cb_nodes")?,
        report,
        ..FileOptions::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_mapping() {
        let mut o = h5par_options {
            tuning: 7,
            ..Default::default()
        };
        // SAFETY: a valid, writable options struct.
        unsafe { h5par_options_init(&mut o) };
        assert_eq!((o.tuning, o.atomic_create, o.stripe_count), (1, 1, 0));
        assert!(o.hints.is_null() && o.report_path.is_null());
        // SAFETY: NULL or valid options in every call below.
        unsafe {
            assert_eq!(file_options(&o).unwrap(), FileOptions::default());
            assert_eq!(
                file_options(std::ptr::null()).unwrap(),
                FileOptions::default()
            );
            o.hints = c"romio_cb_write=enable, a=b".as_ptr();
            o.stripe_count = 4;
            o.atomic_create = 0;
            let f = file_options(&o).unwrap();
            assert_eq!(f.hints.len(), 2);
            assert_eq!(f.stripe_count, Some(4));
            assert!(!f.atomic_create);
            o.stripe_count = -1;
            assert!(file_options(&o).is_err());
            o.stripe_count = 0;
            o.hints = c"nokey".as_ptr();
            assert!(file_options(&o).is_err());
            o.hints = std::ptr::null();
            o.libver = c"v110".as_ptr();
            let f = file_options(&o).unwrap();
            use h5par::tune::LibVer;
            assert_eq!(f.libver, Some((LibVer::V110, LibVer::Latest)));
            o.libver = c"latest,v110".as_ptr();
            assert!(file_options(&o).is_err());
            o.libver = std::ptr::null();
            o.tuning = 2;
            assert!(file_options(&o).is_err());
            h5par_options_init(std::ptr::null_mut());
        }
    }
}
