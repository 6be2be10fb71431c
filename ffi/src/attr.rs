//! Attributes: numbers and strings attached to the file, a group or a dataset.

use std::ffi::{c_char, c_int, c_void};

use h5par::AttrData;

use crate::args::{self, agreed, busy_collective, mpi_ready, take_pending, text};
use crate::handles::{enter, file_token, h5par_file};
use crate::status::{guard, invalid};

/// Collective: writes (or replaces) the numeric attribute `name` of the object at
/// `object_path` (`"/"` is the file itself): `n` (at least 1) values of type `dtype` from
/// `values`. One value is stored as a scalar, more as a one-dimensional array. Every rank must
/// pass the same values (else `H5PAR_ERR_MISMATCH`).
#[no_mangle]
pub unsafe extern "C" fn h5par_attr_write(
    file: *mut h5par_file,
    object_path: *const c_char,
    name: *const c_char,
    dtype: c_int,
    n: u64,
    values: *const c_void,
) -> c_int {
    const F: &str = "h5par_attr_write";
    guard(F, || {
        let pending = take_pending();
        let token = file_token(file);
        let reg = match enter(F) {
            Ok(g) => g,
            Err(busy) => return Err(busy_collective(token, F, busy)),
        };
        let fe = reg.file(token)?;
        mpi_ready()?;
        // SAFETY: strings and values as documented (caller).
        let local = (|| unsafe {
            let obj = text(object_path, "object_path")?;
            let name = text(name, "name")?;
            let dtype = args::dtype(dtype, "dtype")?;
            let len = args::byte_len(&[n], dtype, name)?;
            if n == 0 {
                return Err(invalid(format!(
                    "attribute {name:?}: n is 0 (an attribute holds at least one value)"
                )));
            }
            if values.is_null() {
                return Err(invalid(format!("attribute {name:?}: values is NULL")));
            }
            let bytes = std::slice::from_raw_parts(values as *const u8, len).to_vec();
            let dims = if n == 1 { vec![] } else { vec![n] };
            Ok((obj, name, AttrData::Numeric { dtype, dims, bytes }))
        })();
        let fname = fe.file.path().display().to_string();
        let (obj, name, data) = agreed(fe.file.comm(), F, &fname, pending.and(local))?;
        fe.file.write_attr(obj, name, &data)
    })
}

/// Local: reads the numeric attribute `name` of the object at `object_path` into `values`,
/// converted to `dtype`. `*n` (when `n` is not NULL) is set to the number of values the
/// attribute holds, even when `capacity` (the room in `values`, in values) is too small: then
/// nothing is written to `values` and the status is `H5PAR_ERR_INVALID`. Ask for the size with
/// `capacity` 0 and `values` NULL. A string attribute is `H5PAR_ERR_TYPE`.
#[no_mangle]
pub unsafe extern "C" fn h5par_attr_read(
    file: *mut h5par_file,
    object_path: *const c_char,
    name: *const c_char,
    dtype: c_int,
    capacity: u64,
    values: *mut c_void,
    n: *mut u64,
) -> c_int {
    const F: &str = "h5par_attr_read";
    guard(F, || {
        let reg = enter(F)?;
        let fe = reg.file(file_token(file))?;
        mpi_ready()?;
        // SAFETY: NUL-terminated (caller).
        let (obj, name) = unsafe { (text(object_path, "object_path")?, text(name, "name")?) };
        let dtype = args::dtype(dtype, "dtype")?;
        if values.is_null() && capacity > 0 {
            return Err(invalid(format!(
                "attribute {name:?}: values is NULL, capacity {capacity}"
            )));
        }
        let AttrData::Numeric { bytes, .. } = fe.file.read_attr_as(obj, name, dtype)? else {
            return Err(h5par::Error::Internal(format!(
                "attribute {name:?} of {obj:?}: numbers read as text"
            )));
        };
        let count = (bytes.len() / dtype.size()) as u64;
        if !n.is_null() {
            // SAFETY: writable (caller).
            unsafe { *n = count };
        }
        if count > capacity {
            return Err(invalid(format!(
                "attribute {name:?} of {obj:?} holds {count} values, capacity is {capacity}"
            )));
        }
        if !bytes.is_empty() {
            // SAFETY: `values` has room for `capacity` >= `count` values (caller).
            unsafe {
                std::ptr::copy_nonoverlapping(bytes.as_ptr(), values as *mut u8, bytes.len())
            };
        }
        Ok(())
    })
}

/// Collective: writes (or replaces) the string attribute `name` of the object at `object_path`
/// (`"/"` is the file), a UTF-8 `value`. Every rank must pass the same value.
#[no_mangle]
pub unsafe extern "C" fn h5par_attr_write_string(
    file: *mut h5par_file,
    object_path: *const c_char,
    name: *const c_char,
    value: *const c_char,
) -> c_int {
    const F: &str = "h5par_attr_write_string";
    guard(F, || {
        let pending = take_pending();
        let token = file_token(file);
        let reg = match enter(F) {
            Ok(g) => g,
            Err(busy) => return Err(busy_collective(token, F, busy)),
        };
        let fe = reg.file(token)?;
        mpi_ready()?;
        // SAFETY: NUL-terminated (caller).
        let local = (|| unsafe {
            Ok((
                text(object_path, "object_path")?,
                text(name, "name")?,
                text(value, "value")?,
            ))
        })();
        let fname = fe.file.path().display().to_string();
        let (obj, name, value) = agreed(fe.file.comm(), F, &fname, pending.and(local))?;
        fe.file.write_attr(obj, name, value)
    })
}

/// Local: reads the string attribute `name` of the object at `object_path` into `buf` with its
/// NUL. `*len` (when `len` is not NULL) is set to the size needed including the NUL, even when
/// `capacity` (the size of `buf`) is too small: then `buf` is left as it is and the status is
/// `H5PAR_ERR_INVALID`. Ask for the size with `capacity` 0 and `buf` NULL. A numeric attribute
/// is `H5PAR_ERR_TYPE`.
#[no_mangle]
pub unsafe extern "C" fn h5par_attr_read_string(
    file: *mut h5par_file,
    object_path: *const c_char,
    name: *const c_char,
    buf: *mut c_char,
    capacity: usize,
    len: *mut usize,
) -> c_int {
    const F: &str = "h5par_attr_read_string";
    guard(F, || {
        let reg = enter(F)?;
        let fe = reg.file(file_token(file))?;
        mpi_ready()?;
        // SAFETY: NUL-terminated (caller).
        let (obj, name) = unsafe { (text(object_path, "object_path")?, text(name, "name")?) };
        let s: String = fe.file.read_attr(obj, name)?;
        let what = format!("attribute {name:?} of {obj:?}");
        // SAFETY: as documented (caller).
        unsafe { args::copy_out(&s, &what, buf, capacity, len) }
    })
}

/// Local: what the attribute `name` of the object at `object_path` holds. `*dtype` (when not
/// NULL) is set to its stored element type (`H5PAR_INT8` ... `H5PAR_FLOAT64`), or -1 for a
/// string; `*n` (when not NULL) to the number of values, or for a string its length in bytes
/// without the NUL. A missing attribute is `H5PAR_ERR_NOT_FOUND`.
#[no_mangle]
pub unsafe extern "C" fn h5par_attr_info(
    file: *mut h5par_file,
    object_path: *const c_char,
    name: *const c_char,
    dtype: *mut c_int,
    n: *mut u64,
) -> c_int {
    const F: &str = "h5par_attr_info";
    guard(F, || {
        let reg = enter(F)?;
        let fe = reg.file(file_token(file))?;
        mpi_ready()?;
        // SAFETY: NUL-terminated (caller).
        let (obj, name) = unsafe { (text(object_path, "object_path")?, text(name, "name")?) };
        let (code, count) = match fe.file.read_attr::<AttrData>(obj, name)? {
            AttrData::Numeric { dtype, bytes, .. } => {
                (dtype as c_int, (bytes.len() / dtype.size()) as u64)
            }
            AttrData::Text(s) => (-1, s.len() as u64),
        };
        // SAFETY: writable when not NULL (caller).
        unsafe {
            if !dtype.is_null() {
                *dtype = code;
            }
            if !n.is_null() {
                *n = count;
            }
        }
        Ok(())
    })
}
