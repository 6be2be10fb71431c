//! Thin, safe-ish helpers over the raw HDF5 C API: library start-up, error capture and RAII
//! handles. No `hid_t` leaves the `io` layer.

use std::ffi::{c_char, c_uint, c_void, CStr, CString};
use std::sync::Once;

use hdf5_sys::h5::{herr_t, H5open};
use hdf5_sys::h5e::{
    H5E_auto2_t, H5E_error2_t, H5Eclear2, H5Eget_auto2, H5Eset_auto2, H5Ewalk2, H5E_DEFAULT,
    H5E_WALK_UPWARD,
};
use hdf5_sys::h5i::hid_t;

use crate::error::{Error, Result};

static INIT: Once = Once::new();

/// Starts the HDF5 library once (its global property-class and type ids are 0 before).
pub(crate) fn init() {
    INIT.call_once(|| {
        // SAFETY: H5open has no preconditions.
        unsafe {
            H5open();
        }
    });
}

/// While alive, HDF5's automatic error printing is off; the previous handler is restored on
/// drop, so a caller's own HDF5 settings are left as they were.
pub(crate) struct Quiet {
    func: H5E_auto2_t,
    data: *mut c_void,
}

impl Quiet {
    pub(crate) fn new() -> Quiet {
        init();
        let mut func: H5E_auto2_t = None;
        let mut data: *mut c_void = std::ptr::null_mut();
        // SAFETY: valid out-pointers; H5E_DEFAULT is the current stack.
        unsafe {
            H5Eget_auto2(H5E_DEFAULT, &mut func, &mut data);
            H5Eset_auto2(H5E_DEFAULT, None, std::ptr::null_mut());
        }
        Quiet { func, data }
    }
}

impl Drop for Quiet {
    fn drop(&mut self) {
        // SAFETY: restores what H5Eget_auto2 returned.
        unsafe {
            H5Eset_auto2(H5E_DEFAULT, self.func, self.data);
        }
    }
}

unsafe extern "C" fn collect(_n: c_uint, err: *const H5E_error2_t, data: *mut c_void) -> herr_t {
    // SAFETY: HDF5 passes a valid entry; `data` is the Vec given to H5Ewalk2 below.
    unsafe {
        let out = &mut *(data as *mut Vec<String>);
        let e = &*err;
        let text = |p: *const c_char| {
            if p.is_null() {
                String::new()
            } else {
                CStr::from_ptr(p).to_string_lossy().into_owned()
            }
        };
        let desc = text(e.desc);
        let func = text(e.func_name);
        out.push(if desc.is_empty() {
            func
        } else {
            format!("{desc} ({func})")
        });
    }
    0
}

/// The innermost few messages of HDF5's current error stack, then clears it.
pub(crate) fn error_stack() -> String {
    let mut entries: Vec<String> = Vec::new();
    // SAFETY: `collect` only appends to `entries`, which outlives the call.
    unsafe {
        H5Ewalk2(
            H5E_DEFAULT,
            H5E_WALK_UPWARD,
            Some(collect),
            &mut entries as *mut Vec<String> as *mut c_void,
        );
        H5Eclear2(H5E_DEFAULT);
    }
    entries.dedup();
    match entries.len() {
        0 => "no details on HDF5's error stack".to_string(),
        1..=3 => entries.join("; "),
        n => format!("{}; ...; {}", entries[..2].join("; "), entries[n - 1]),
    }
}

/// An HDF5 error for `what`, with HDF5's own innermost messages.
pub(crate) fn hdf5_error(what: impl std::fmt::Display) -> Error {
    Error::Hdf5(format!("{what}: {}", error_stack()))
}

/// Checks an `herr_t` (negative is failure).
pub(crate) fn check(ret: herr_t, what: impl std::fmt::Display) -> Result<()> {
    if ret < 0 {
        Err(hdf5_error(what))
    } else {
        Ok(())
    }
}

/// Checks a returned id (negative is failure).
pub(crate) fn check_id(id: hid_t, what: impl std::fmt::Display) -> Result<hid_t> {
    if id < 0 {
        Err(hdf5_error(what))
    } else {
        Ok(id)
    }
}

/// A C string for HDF5 from a Rust string (rejecting interior NULs).
pub(crate) fn cstring(s: &str, what: &str) -> Result<CString> {
    CString::new(s).map_err(|_| Error::Invalid(format!("{what} {s:?} contains a NUL byte")))
}

/// Which HDF5 close function releases a handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Plist,
    Space,
    Type,
    Dataset,
    Group,
    Object,
    Attr,
}

/// The HDF5 library's version, `"1.14.5"`.
pub(crate) fn library_version() -> String {
    let (mut major, mut minor, mut release) = (0, 0, 0);
    // SAFETY: plain out-integers.
    unsafe { hdf5_sys::h5::H5get_libversion(&mut major, &mut minor, &mut release) };
    format!("{major}.{minor}.{release}")
}

/// An owned HDF5 id, closed on drop.
#[derive(Debug)]
pub(crate) struct Handle {
    id: hid_t,
    kind: Kind,
}

impl Handle {
    /// Takes ownership of `id` (checked: negative ids become an error naming `what`).
    pub(crate) fn new(id: hid_t, kind: Kind, what: impl std::fmt::Display) -> Result<Handle> {
        check_id(id, what).map(|id| Handle { id, kind })
    }

    /// A handle that owns nothing.
    pub(crate) fn none() -> Handle {
        Handle {
            id: -1,
            kind: Kind::Object,
        }
    }

    /// The raw id, for HDF5 calls inside the `io` layer.
    pub(crate) fn id(&self) -> hid_t {
        self.id
    }

    /// Gives up ownership without closing (after the file closed it already).
    pub(crate) fn forget(mut self) {
        self.id = -1;
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        if self.id < 0 {
            return;
        }
        use hdf5_sys::{h5a, h5d, h5g, h5o, h5p, h5s, h5t};
        let _q = Quiet::new();
        // SAFETY: `id` is an id of `kind` owned by this handle.
        unsafe {
            match self.kind {
                Kind::Plist => h5p::H5Pclose(self.id),
                Kind::Space => h5s::H5Sclose(self.id),
                Kind::Type => h5t::H5Tclose(self.id),
                Kind::Dataset => h5d::H5Dclose(self.id),
                Kind::Group => h5g::H5Gclose(self.id),
                Kind::Object => h5o::H5Oclose(self.id),
                Kind::Attr => h5a::H5Aclose(self.id),
            };
            H5Eclear2(H5E_DEFAULT);
        }
    }
}
