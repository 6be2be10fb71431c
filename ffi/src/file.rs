//! Files and groups: create, open, close, groups, and the I/O report.

use std::ffi::{c_char, c_int};

use h5par::{File, Mode, Result};
use mpi_sys::MPI_Comm;
use mpi_sys::RSMPI_Fint as MPI_Fint;

use crate::args::{agreed, busy_collective, copy_out, mpi_ready, take_pending, text};
use crate::handles::{enter, file_token, h5par_file, Entry, FileEntry};
use crate::options::{file_options, h5par_options};
use crate::status::{guard, invalid};

/// Checks that `comm` is an intracommunicator h5par can use (local).
///
/// # Safety
/// `comm` is a communicator handle of the MPI h5par was built with.
unsafe fn check_comm(comm: MPI_Comm) -> Result<()> {
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
    }
    Ok(())
}

/// Checks the caller's `comm` (local) and wraps it, not to be freed: the communicator that a
/// constructor's arguments are agreed on before the core duplicates it.
///
/// # Safety
/// `comm` is a communicator handle of the MPI h5par was built with, alive during the call.
pub(crate) unsafe fn caller_comm(
    comm: MPI_Comm,
) -> Result<std::mem::ManuallyDrop<mpi::topology::SimpleCommunicator>> {
    // SAFETY: as documented (caller).
    unsafe { check_comm(comm) }?;
    // SAFETY: a checked, live intracommunicator of the caller.
    Ok(unsafe { crate::args::borrow_comm(comm) })
}

/// The common part of creating and opening (`mode` is `None` for create).
///
/// # Safety
/// As for `h5par_file_create`.
unsafe fn create_or_open(
    func: &'static str,
    comm: MPI_Comm,
    path: *const c_char,
    mode: Option<c_int>,
    opts: *const h5par_options,
    out: *mut *mut h5par_file,
) -> Result<()> {
    let pending = take_pending();
    if !out.is_null() {
        // SAFETY: non-NULL and writable (caller).
        unsafe { *out = std::ptr::null_mut() };
    }
    // SAFETY: the caller's communicator.
    let caller = unsafe { caller_comm(comm) }?;
    let held = enter(func);
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
    let what = if path.is_null() {
        "file".to_string()
    } else {
        // SAFETY: NUL-terminated (caller).
        unsafe { std::ffi::CStr::from_ptr(path) }
            .to_string_lossy()
            .into_owned()
    };
    let local = pending.and(held).and_then(|reg| local.map(|a| (reg, a)));
    // The agreement is on the caller's communicator, before anything else is collective
    // (h5par's own duplicate is made by the core afterwards).
    let (mut reg, (path, options, mode)) = agreed(&*caller, func, &what, local)?;
    let file = match mode {
        None => File::create_with(&*caller, path, &options)?,
        Some(m) => File::open_with(&*caller, path, m, &options)?,
    };
    let token = reg.insert(Entry::File(FileEntry { file }));
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
    guard(F, || unsafe {
        create_or_open(F, comm, path, None, opts, out)
    })
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
        create_or_open(F, comm, path, Some(mode), opts, out)
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
        create_or_open(F, c, path, None, opts, out)
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
        create_or_open(F, c, path, Some(mode), opts, out)
    })
}

/// Collective: closes the file and frees its handle, even when closing fails; using the handle
/// again is `H5PAR_ERR_HANDLE`. A file created atomically appears at its path now. Datasets of
/// the file still open are closed in HDF5; their handles stay valid until
/// `h5par_dataset_close`, but any other use of them is `H5PAR_ERR_HANDLE`. After
/// `MPI_Finalize` the handle is freed without closing the file (`H5PAR_ERR_MPI`).
///
/// The close is agreed before anything is closed: when some rank is in another collective
/// call (or another thread of this process is inside h5par), every rank gets an error that
/// says which rank is in which call, nothing is closed and the handle stays valid
/// (`h5par_file_is_open` tells): close it again. A failure set with `h5par_fail_next` closes
/// the file on every rank without publishing it, and every rank gets that failure; after a
/// collective call on the file found the ranks in different calls, such a close returns at
/// once without closing (the others may never come), unless that call was this rank's last
/// collective call on the file (the ranks it met there come from the same error).
#[no_mangle]
pub unsafe extern "C" fn h5par_file_close(file: *mut h5par_file) -> c_int {
    const F: &str = "h5par_file_close";
    guard(F, || {
        let pending = take_pending();
        let token = file_token(file);
        let mut reg = match enter(F) {
            Ok(g) => g,
            Err(busy) => return Err(busy_collective(token, F, busy)),
        };
        let fe = reg.file(token)?;
        if let Err(e) = mpi_ready() {
            // No MPI left to close with: leak the file rather than crash in MPI.
            let entry = reg.remove_file(token)?;
            std::mem::forget(entry);
            return Err(e);
        }
        if pending.is_err() && h5par::comm::wait::diverged_earlier(fe.file.comm()).is_some() {
            // This rank failed after the ranks were found in different calls, and made
            // collective calls since: the core returns at once, without waiting for ranks that
            // may never come to close. Right after that mismatch (every rank it met there has
            // the same error), the close is agreed: when every rank closes, the agreement
            // also clears the mark, and the file is closed on every rank, not published.
            return fe.file.close_with(pending);
        }
        let name = fe.file.path().display().to_string();
        agreed(fe.file.comm(), F, &name, Ok(())).map_err(|e| still_open(e, &fe.file))?;
        let outcome = fe.file.close_with(pending);
        if !fe.file.is_open() {
            reg.remove_file(token)?;
        }
        outcome
    })
}

/// Collective, for files a program leaves open at its end (the Python package calls it at
/// interpreter exit): `h5par_file_close`, unless an earlier collective call on the file found
/// the ranks in different calls (and none succeeded since), when the other ranks may never
/// come to close: then nothing is closed, the handle stays valid, and the status is
/// `H5PAR_ERR_MISMATCH` with a message that names where the data is. No rank waits.
#[no_mangle]
pub unsafe extern "C" fn h5par_file_close_at_exit(file: *mut h5par_file) -> c_int {
    const F: &str = "h5par_file_close";
    guard(F, || {
        let token = file_token(file);
        let mut reg = enter(F)?;
        let fe = reg.file(token)?;
        mpi_ready()?;
        if h5par::comm::wait::diverged(fe.file.comm()).is_some() {
            return fe.file.close_at_exit();
        }
        let name = fe.file.path().display().to_string();
        agreed(fe.file.comm(), F, &name, Ok(())).map_err(|e| still_open(e, &fe.file))?;
        let outcome = fe.file.close_at_exit();
        if !fe.file.is_open() {
            reg.remove_file(token)?;
        }
        outcome
    })
}

/// A close that was not agreed: the file stays open; where its data is.
fn still_open(e: h5par::Error, file: &File) -> h5par::Error {
    e.context_after(format!(
        " ({} is still open, its data in {}: close it on every rank)",
        file.path().display(),
        file.data_path().display()
    ))
}

/// Local: 1 when `file` is an open file handle, 0 when it is not (closed, NULL or foreign).
/// After a failed `h5par_file_close` it tells whether the file is still open.
#[no_mangle]
pub unsafe extern "C" fn h5par_file_is_open(file: *const h5par_file) -> c_int {
    crate::status::shielded("h5par_file_is_open", 0, || {
        let token = file_token(file);
        match enter("h5par_file_is_open") {
            Ok(reg) => c_int::from(reg.file(token).is_ok()),
            Err(_) => c_int::from(crate::handles::comm_of(token).is_some()),
        }
    })
}

/// Collective: creates the group `path` (absolute, or relative to the root) and any missing
/// parents. A group that exists already is fine (the call is idempotent); another kind of
/// object at `path` is `H5PAR_ERR_EXISTS`.
#[no_mangle]
pub unsafe extern "C" fn h5par_group_create(file: *mut h5par_file, path: *const c_char) -> c_int {
    const F: &str = "h5par_group_create";
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
        let local = unsafe { text(path, "path") };
        let name = fe.file.path().display().to_string();
        let path = agreed(fe.file.comm(), F, &name, pending.and(local))?;
        fe.file.require_group(path).map(|_| ())
    })
}

/// Local: sets `*exists` to 1 when an object (group or dataset) exists at `path` (absolute, or
/// relative to the root), else 0. Any rank may call it alone.
#[no_mangle]
pub unsafe extern "C" fn h5par_object_exists(
    file: *const h5par_file,
    path: *const c_char,
    exists: *mut c_int,
) -> c_int {
    const F: &str = "h5par_object_exists";
    guard(F, || {
        let reg = enter(F)?;
        let fe = reg.file(file_token(file))?;
        // SAFETY: NUL-terminated (caller).
        let path = unsafe { text(path, "path") }?;
        if exists.is_null() {
            return Err(invalid("exists is NULL"));
        }
        let found = fe.file.root().contains(path)?;
        // SAFETY: non-NULL and writable (caller).
        unsafe { *exists = c_int::from(found) };
        Ok(())
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
    const F: &str = "h5par_file_report_json";
    guard(F, || {
        let reg = enter(F)?;
        let fe = reg.file(file_token(file))?;
        let json = fe.file.report_json()?;
        let what = format!("the report of {}", fe.file.path().display());
        // SAFETY: as documented (caller).
        unsafe { copy_out(&json, &what, buf, capacity, len) }
    })
}

/// Local: the path the file was created or opened at (as given, or as an external link named
/// it for a file `h5par_object_open` opened), copied into `buf` with its NUL (`*len` as for
/// `h5par_file_report_json`).
#[no_mangle]
pub unsafe extern "C" fn h5par_file_name(
    file: *mut h5par_file,
    buf: *mut c_char,
    capacity: usize,
    len: *mut usize,
) -> c_int {
    const F: &str = "h5par_file_name";
    guard(F, || {
        let reg = enter(F)?;
        let fe = reg.file(file_token(file))?;
        let name = fe.file.path().display().to_string();
        // SAFETY: as documented (caller).
        unsafe { copy_out(&name, "the file name", buf, capacity, len) }
    })
}
