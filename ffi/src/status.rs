//! Status codes, data type codes, the per-thread last error, and the border every exported
//! function goes through: panics are stopped there and errors become status codes.

use std::cell::RefCell;
use std::ffi::{c_char, c_int, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::OnceLock;

use h5par::{Error, ErrorKind, Result};

/// Status codes: 0 is success. Every function returns one (as `int`), except
/// `h5par_options_init`, `h5par_version`, `h5par_status_string` and `h5par_last_error`.
/// A collective call returns the same status on every rank, except that the rank whose part
/// failed gets its own status and the others get `H5PAR_ERR_REMOTE`.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum h5par_status {
    /// Success.
    H5PAR_OK = 0,
    /// A bad argument: NULL, out of range, bad dtype code, non-UTF-8 text, buffer too small, ...
    H5PAR_ERR_INVALID,
    /// A NULL, closed or foreign handle.
    H5PAR_ERR_HANDLE,
    /// A file, object or attribute that does not exist.
    H5PAR_ERR_NOT_FOUND,
    /// A file or object that exists already.
    H5PAR_ERR_EXISTS,
    /// An incompatible data type.
    H5PAR_ERR_TYPE,
    /// An incompatible shape or selection.
    H5PAR_ERR_SHAPE,
    /// Ranks passed different arguments to a collective call.
    H5PAR_ERR_MISMATCH,
    /// The call failed on another rank; this rank's part was fine.
    H5PAR_ERR_REMOTE,
    /// An operating-system I/O error.
    H5PAR_ERR_IO,
    /// HDF5 reported an error (its innermost messages are in `h5par_last_error()`).
    H5PAR_ERR_HDF5,
    /// MPI reported an error, or MPI is not initialized (or already finalized).
    H5PAR_ERR_MPI,
    /// A bug in h5par (a panic stopped at the border).
    H5PAR_ERR_INTERNAL,
}

/// Element type codes (the `dtype` and `mem_dtype` arguments). Data are converted between the
/// memory type and the type stored in the file by HDF5.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum h5par_dtype {
    /// `int8_t`
    H5PAR_INT8,
    /// `int16_t`
    H5PAR_INT16,
    /// `int32_t`
    H5PAR_INT32,
    /// `int64_t`
    H5PAR_INT64,
    /// `uint8_t`
    H5PAR_UINT8,
    /// `uint16_t`
    H5PAR_UINT16,
    /// `uint32_t`
    H5PAR_UINT32,
    /// `uint64_t`
    H5PAR_UINT64,
    /// `float`
    H5PAR_FLOAT32,
    /// `double`
    H5PAR_FLOAT64,
    /// `bool`/`_Bool`, one byte 0 or 1 (stored as h5py's bool: an 8-bit enum FALSE, TRUE).
    H5PAR_BOOL,
    /// `float _Complex`, two floats (stored as h5py's complex64: a compound `r`, `i`).
    H5PAR_COMPLEX64,
    /// `double _Complex`, two doubles (h5py's complex128).
    H5PAR_COMPLEX128,
    /// Reported by `h5par_dataset_info` only: a fixed-length string type (its spec from
    /// `h5par_dataset_type`).
    H5PAR_STRING,
    /// Reported by `h5par_dataset_info` only: a compound type (its spec from
    /// `h5par_dataset_type`).
    H5PAR_COMPOUND,
    /// Reported by `h5par_dataset_info` only: a type h5par cannot read (variable-length,
    /// opaque, references, ...); `h5par_dataset_type` describes it.
    H5PAR_UNSUPPORTED,
}

thread_local! {
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
}

/// Records `message` as this thread's last failure.
pub(crate) fn set_last_error(message: &str) {
    let text = CString::new(message.replace('\0', "\\0")).unwrap_or_default();
    // During thread teardown the thread-local may be gone: then there is nobody to tell.
    let _ = LAST_ERROR.try_with(|l| *l.borrow_mut() = text);
}

/// This thread's last failure message (`""` if none).
pub(crate) fn last_error_text() -> String {
    LAST_ERROR
        .try_with(|l| l.borrow().to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Runs the body of the exported function `func`: its error becomes a status code and this
/// thread's last error, and a panic becomes `H5PAR_ERR_INTERNAL`.
pub(crate) fn guard(func: &str, body: impl FnOnce() -> Result<()>) -> c_int {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => h5par_status::H5PAR_OK as c_int,
        Ok(Err(e)) => {
            set_last_error(&format!("{func}: {e}"));
            e.kind().code()
        }
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            set_last_error(&format!(
                "{func}: internal error (a bug in h5par, please report it): {what}"
            ));
            ErrorKind::Internal.code()
        }
    }
}

/// Runs the body of an exported function that returns no status: a panic gives `fallback`.
pub(crate) fn shielded<T>(func: &str, fallback: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or_else(|_| {
        set_last_error(&format!(
            "{func}: internal error (a bug in h5par, please report it)"
        ));
        fallback
    })
}

/// An `H5PAR_ERR_INVALID` error.
pub(crate) fn invalid(message: impl Into<String>) -> Error {
    Error::Invalid(message.into())
}

/// Returns the version of h5par, `"MAJOR.MINOR.PATCH"` (a static string).
#[no_mangle]
pub extern "C" fn h5par_version() -> *const c_char {
    static VERSION: OnceLock<CString> = OnceLock::new();
    shielded("h5par_version", c"".as_ptr(), || {
        VERSION
            .get_or_init(|| CString::new(h5par::VERSION).unwrap_or_default())
            .as_ptr()
    })
}

/// Returns the name and meaning of a status code, as `"H5PAR_ERR_SHAPE: incompatible shape or
/// selection"`; unknown codes give `"H5PAR_UNKNOWN: unknown status code"`. The string is static.
#[no_mangle]
pub extern "C" fn h5par_status_string(status: c_int) -> *const c_char {
    shielded("h5par_status_string", c"".as_ptr(), || {
        status_text(status).as_ptr()
    })
}

fn status_text(status: c_int) -> &'static CStr {
    match status {
        0 => c"H5PAR_OK: success",
        1 => c"H5PAR_ERR_INVALID: invalid argument",
        2 => c"H5PAR_ERR_HANDLE: bad handle",
        3 => c"H5PAR_ERR_NOT_FOUND: not found",
        4 => c"H5PAR_ERR_EXISTS: already exists",
        5 => c"H5PAR_ERR_TYPE: incompatible type",
        6 => c"H5PAR_ERR_SHAPE: incompatible shape or selection",
        7 => c"H5PAR_ERR_MISMATCH: ranks disagree",
        8 => c"H5PAR_ERR_REMOTE: failed on another rank",
        9 => c"H5PAR_ERR_IO: I/O error",
        10 => c"H5PAR_ERR_HDF5: HDF5 error",
        11 => c"H5PAR_ERR_MPI: MPI error",
        12 => c"H5PAR_ERR_INTERNAL: internal error",
        _ => c"H5PAR_UNKNOWN: unknown status code",
    }
}

/// Makes the next collective h5par call of this thread fail on this rank with `status` (an
/// `H5PAR_ERR_*` code; anything else counts as `H5PAR_ERR_INVALID`) and `message`, after it
/// has taken part in the call's agreement: every rank then gets the error (this rank with
/// `status`, the others with `H5PAR_ERR_REMOTE`, both carrying `message`), instead of the
/// other ranks waiting for a rank that gave up. Use it when the caller itself failed before a
/// collective call (a language binding's own exception, say): make the call anyway, with any
/// arguments, right after this. `h5par_file_close` then closes the file on every rank without
/// publishing it. Local calls ignore it; a NULL `message` clears it. Returns `H5PAR_OK`.
#[no_mangle]
pub unsafe extern "C" fn h5par_fail_next(status: c_int, message: *const c_char) -> c_int {
    guard("h5par_fail_next", || {
        if message.is_null() {
            let _ = crate::args::take_pending();
            return Ok(());
        }
        // SAFETY: NUL-terminated (caller).
        let text = unsafe { CStr::from_ptr(message) }
            .to_string_lossy()
            .into_owned();
        let kind = ErrorKind::from_code(status)
            .filter(|k| *k != ErrorKind::Remote)
            .unwrap_or(ErrorKind::Invalid);
        crate::args::set_pending(Error::new(kind, text));
        Ok(())
    })
}

/// Returns the message of this thread's last failure, `""` if no h5par call has failed on this
/// thread. It names the function, the file and object, the rank and the cause. Successful calls
/// leave it as it is. The string stays valid until the next failing h5par call on this thread.
#[no_mangle]
pub extern "C" fn h5par_last_error() -> *const c_char {
    shielded("h5par_last_error", c"".as_ptr(), || {
        LAST_ERROR
            .try_with(|l| l.borrow().as_ptr())
            .unwrap_or(c"".as_ptr())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(p: *const c_char) -> String {
        // SAFETY: the functions under test return NUL-terminated strings.
        unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
    }

    #[test]
    fn status_codes_match_error_kinds() {
        assert_eq!(h5par_status::H5PAR_ERR_INTERNAL as i32, 12);
        for code in 1..=12 {
            let kind = ErrorKind::from_code(code).expect("known code");
            let s = text(h5par_status_string(code));
            assert!(s.starts_with("H5PAR_ERR_"), "{s}");
            assert!(s.ends_with(kind.describe()), "{s} vs {}", kind.describe());
        }
        assert!(text(h5par_status_string(0)).starts_with("H5PAR_OK"));
        assert!(text(h5par_status_string(-3)).starts_with("H5PAR_UNKNOWN"));
    }

    #[test]
    fn dtype_codes_match_core() {
        assert_eq!(h5par_dtype::H5PAR_FLOAT64 as i32, h5par::Dtype::F64 as i32);
        assert_eq!(h5par_dtype::H5PAR_UINT8 as i32, h5par::Dtype::U8 as i32);
    }

    #[test]
    fn guard_stops_panics_and_keeps_messages() {
        assert_eq!(text(h5par_last_error()), "");
        assert_eq!(guard("f", || Ok(())), 0);
        let s = guard("h5par_x", || Err(Error::Shape("too big".into())));
        assert_eq!(s, ErrorKind::Shape.code());
        assert!(text(h5par_last_error()).contains("h5par_x: incompatible shape"));
        let s = guard("h5par_y", || panic!("boom"));
        assert_eq!(s, ErrorKind::Internal.code());
        assert!(text(h5par_last_error()).contains("boom"));
        assert_eq!(guard("f", || Ok(())), 0);
        assert!(
            text(h5par_last_error()).contains("boom"),
            "success keeps it"
        );
        assert_eq!(text(h5par_version()), h5par::VERSION);
    }
}
