//! Files and groups: create, open, close, groups, and the I/O report.

use std::cell::Cell;
use std::ffi::{c_char, c_int};
use std::rc::Rc;

use h5par::{File, Mode, Result};
use mpi::raw::FromRaw;
use mpi::topology::SimpleCommunicator;
use mpi_sys::MPI_Comm;
use mpi_sys::RSMPI_Fint as MPI_Fint;

use crate::args::{agree, copy_out, mpi_ready, split, text};
use crate::handles::{file_token, h5par_file, registry, Entry, FileEntry};
use crate::options::{file_options, h5par_options};
use crate::status::{guard, invalid};

/// Checks `comm` and duplicates it (collective on `comm`).
///
/// # Safety
/// `comm` is a communicator handle of the MPI h5par was built with.
pub(crate) unsafe fn duplicate(comm: MPI_Comm) -> Result<SimpleCommunicator> {
    mpi_ready()?;
    // SAFETY: MPI is initialized; `comm` is checked against MPI_COMM_NULL before MPI sees it.
    unsafe {
        if comm == mpi_sys::RSMPI_COMM_NULL {
            return Err(invalid("comm is MPI_COMM_NULL"));
        }
        let mut inter: c_int = 0;
        mpi_sys::MPI_Comm_test_inter(comm, &mut inter);
        if inter != 0 {
            return Err(invalid(
                "comm is an intercommunicator; h5par needs an intracommunicator",
            ));
        }
        let mut dup = mpi_sys::RSMPI_COMM_NULL;
        let rc = mpi_sys::MPI_Comm_dup(comm, &mut dup);
        if rc != 0 || dup == mpi_sys::RSMPI_COMM_NULL {
            return Err(h5par::Error::Mpi(format!(
                "MPI_Comm_dup failed (code {rc})"
            )));
        }
        Ok(SimpleCommunicator::from_raw(dup))
    }
}

/// The common part of creating and opening (`mode` is `None` for create).
///
/// # Safety
/// As for `h5par_file_create`.
unsafe fn create_or_open(
    comm: MPI_Comm,
    path: *const c_char,
    mode: Option<c_int>,
    opts: *const h5par_options,
    out: *mut *mut h5par_file,
) -> Result<()> {
    if !out.is_null() {
        // SAFETY: non-NULL and writable (caller).
        unsafe { *out = std::ptr::null_mut() };
    }
    let mut reg = registry();
    // SAFETY: the caller's communicator.
    let comm = unsafe { duplicate(comm) }?;
    // SAFETY: strings and options as documented (caller).
    let local = (|| unsafe {
        let path = text(path, "path")?;
        let options = file_options(opts)?;
        let mode = match mode {
            None => None,
            Some(crate::H5PAR_READONLY) => Some(Mode::ReadOnly),
            Some(crate::H5PAR_READWRITE) => Some(Mode::ReadWrite),
            Some(m) => {
                return Err(invalid(format!(
                    "mode {m} is neither H5PAR_READONLY (0) nor H5PAR_READWRITE (1)"
                )))
            }
        };
        if out.is_null() {
            return Err(invalid("out is NULL"));
        }
        Ok((path, options, mode))
    })();
    let (local, args) = split(local);
    let what = if path.is_null() {
        "file".to_string()
    } else {
        // SAFETY: NUL-terminated (caller).
        unsafe { std::ffi::CStr::from_ptr(path) }
            .to_string_lossy()
            .into_owned()
    };
    agree(&comm, &what, local)?;
    let Some((path, options, mode)) = args else {
        return Err(h5par::Error::Internal(
            "arguments lost after agreement".into(),
        ));
    };
    let file = match mode {
        None => File::create_with(&comm, path, &options)?,
        Some(m) => File::open_with(&comm, path, m, &options)?,
    };
    drop(comm);
    let token = reg.insert(Entry::File(FileEntry {
        file,
        open: Rc::new(Cell::new(true)),
    }));
    // SAFETY: checked non-NULL above, writable (caller).
    unsafe { *out = token as *mut h5par_file };
    Ok(())
}

/// Collective on `comm`: creates (or truncates) the HDF5 file `path` and sets `*out` to its
/// handle (NULL on failure).
///
/// h5par works on its own duplicate of `comm` (freed at close) and never frees `comm`.
/// `opts` NULL means the defaults (`h5par_options_init`). With `atomic_create` (the default)
/// the file is written under a temporary name in the same directory and appears at `path` only
/// when `h5par_file_close` succeeds. Every rank must pass the same path and options.
#[no_mangle]
pub unsafe extern "C" fn h5par_file_create(
    comm: MPI_Comm,
    path: *const c_char,
    opts: *const h5par_options,
    out: *mut *mut h5par_file,
) -> c_int {
    const F: &str = "h5par_file_create";
    // SAFETY: as documented.
    guard(F, || unsafe { create_or_open(comm, path, None, opts, out) })
}

/// Collective on `comm`: opens the existing HDF5 file `path` with `mode` `H5PAR_READONLY` or
/// `H5PAR_READWRITE`, and sets `*out` to its handle (NULL on failure). `opts` as for
/// `h5par_file_create` (`atomic_create` does not apply).
#[no_mangle]
pub unsafe extern "C" fn h5par_file_open(
    comm: MPI_Comm,
    path: *const c_char,
    mode: c_int,
    opts: *const h5par_options,
    out: *mut *mut h5par_file,
) -> c_int {
    const F: &str = "h5par_file_open";
    // SAFETY: as documented.
    guard(F, || unsafe {
        create_or_open(comm, path, Some(mode), opts, out)
    })
}

/// `h5par_file_create` with a Fortran communicator handle (converted with `MPI_Comm_f2c`);
/// used by the Fortran module.
#[no_mangle]
pub unsafe extern "C" fn h5par_file_create_f2c(
    comm: MPI_Fint,
    path: *const c_char,
    opts: *const h5par_options,
    out: *mut *mut h5par_file,
) -> c_int {
    const F: &str = "h5par_file_create";
    // SAFETY: as documented; MPI_Comm_f2c is only called once MPI is known to be running.
    guard(F, || unsafe {
        mpi_ready()?;
        let c = mpi_sys::RSMPI_Comm_f2c(comm);
        create_or_open(c, path, None, opts, out)
    })
}

/// `h5par_file_open` with a Fortran communicator handle (converted with `MPI_Comm_f2c`); used
/// by the Fortran module.
#[no_mangle]
pub unsafe extern "C" fn h5par_file_open_f2c(
    comm: MPI_Fint,
    path: *const c_char,
    mode: c_int,
    opts: *const h5par_options,
    out: *mut *mut h5par_file,
) -> c_int {
    const F: &str = "h5par_file_open";
    // SAFETY: as documented; MPI_Comm_f2c is only called once MPI is known to be running.
    guard(F, || unsafe {
        mpi_ready()?;
        let c = mpi_sys::RSMPI_Comm_f2c(comm);
        create_or_open(c, path, Some(mode), opts, out)
    })
}

/// Collective: closes the file and frees its handle, even when closing fails; using the handle
/// again is `H5PAR_ERR_HANDLE`. A file created atomically appears at its path now. Datasets of
/// the file still open are closed in HDF5; their handles stay valid until
/// `h5par_dataset_close`, but any other use of them is `H5PAR_ERR_HANDLE`. After
/// `MPI_Finalize` the handle is freed without closing the file (`H5PAR_ERR_MPI`).
#[no_mangle]
pub unsafe extern "C" fn h5par_file_close(file: *mut h5par_file) -> c_int {
    guard("h5par_file_close", || {
        let mut reg = registry();
        let entry = reg.remove_file(file_token(file))?;
        entry.open.set(false);
        if let Err(e) = mpi_ready() {
            // No MPI left to close with: leak the file rather than crash in MPI.
            std::mem::forget(entry);
            return Err(e);
        }
        entry.file.close()
    })
}

/// Collective: creates the group `path` (absolute, or relative to the root) and any missing
/// parents. A group that exists already is fine (the call is idempotent); another kind of
/// object at `path` is `H5PAR_ERR_EXISTS`.
#[no_mangle]
pub unsafe extern "C" fn h5par_group_create(file: *mut h5par_file, path: *const c_char) -> c_int {
    const F: &str = "h5par_group_create";
    guard(F, || {
        let reg = registry();
        let fe = reg.file(file_token(file))?;
        mpi_ready()?;
        // SAFETY: NUL-terminated (caller).
        let (local, path) = split(unsafe { text(path, "path") });
        agree(fe.file.comm(), &fe.file.path().display().to_string(), local)?;
        let path = path.unwrap_or_default();
        fe.file.require_group(path).map(|_| ())
    })
}

/// Local: the I/O report so far as JSON, from this rank's point of view: file system, layout
/// and why, MPI-IO hints asked for and in effect, dataset offsets and their alignment, and every
/// read and write with the I/O mode HDF5 really used (collective or independent, and why).
/// Copied into `buf` with its NUL; `*len` (when `len` is not NULL) is set to the size needed
/// including the NUL, even when `capacity` is too small: then `buf` is left as it is and the
/// status is `H5PAR_ERR_INVALID`. Ask for the size with `capacity` 0 and `buf` NULL.
#[no_mangle]
pub unsafe extern "C" fn h5par_file_report_json(
    file: *mut h5par_file,
    buf: *mut c_char,
    capacity: usize,
    len: *mut usize,
) -> c_int {
    guard("h5par_file_report_json", || {
        let reg = registry();
        let fe = reg.file(file_token(file))?;
        let json = fe.file.report_json()?;
        let what = format!("the report of {}", fe.file.path().display());
        // SAFETY: as documented (caller).
        unsafe { copy_out(&json, &what, buf, capacity, len) }
    })
}
