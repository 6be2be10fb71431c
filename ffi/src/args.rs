//! Checks of C arguments, and agreement on them across ranks before a collective call.

use std::cell::RefCell;
use std::ffi::{c_char, c_int, CStr};
use std::mem::ManuallyDrop;

use h5par::{Dtype, Error, Result, MAX_DIMS};
use mpi::raw::FromRaw;
use mpi::topology::SimpleCommunicator;
use mpi::traits::Communicator;

use crate::status::invalid;

/// An error unless MPI is initialized and not finalized.
pub(crate) fn mpi_ready() -> Result<()> {
    if h5par::comm::mpi_ready() {
        Ok(())
    } else {
        Err(Error::Mpi(
            "MPI is not initialized (call MPI_Init first) or is finalized already".into(),
        ))
    }
}

/// Collective on `comm`: every rank passes its own outcome of converting its C arguments of
/// `func` on `object` (the file's path, or `file:dataset`), with the converted arguments; all
/// get their own arguments back, or all fail (the failing rank with its error, the others with
/// `Remote`). The function and object are part of what is agreed, so a rank in
/// `h5par_dataset_write` is never agreed with one in `h5par_file_close`.
pub(crate) fn agreed<C: Communicator + ?Sized, T>(
    comm: &C,
    func: &str,
    object: &str,
    local: Result<T>,
) -> Result<T> {
    h5par::comm::agree_value(comm, &format!("{func} {object}"), local)
}

/// A communicator wrapper for the live intra-communicator `comm`, owned by someone else: it is
/// never freed by the wrapper (MPI_COMM_WORLD and MPI_COMM_SELF get their own wrappers).
///
/// # Safety
/// `comm` is a live intra-communicator that outlives the wrapper.
pub(crate) unsafe fn borrow_comm(comm: mpi_sys::MPI_Comm) -> ManuallyDrop<SimpleCommunicator> {
    // SAFETY: constants of the MPI library; `comm` as documented.
    unsafe {
        if comm == mpi_sys::RSMPI_COMM_WORLD {
            ManuallyDrop::new(SimpleCommunicator::world())
        } else if comm == mpi_sys::RSMPI_COMM_SELF {
            ManuallyDrop::new(SimpleCommunicator::self_comm())
        } else {
            ManuallyDrop::new(SimpleCommunicator::from_raw(comm))
        }
    }
}

thread_local! {
    static PENDING: RefCell<Option<Error>> = const { RefCell::new(None) };
}

/// Makes the next collective call of this thread fail on this rank with `e`, after taking
/// part in the call's agreement (see `h5par_fail_next`).
pub(crate) fn set_pending(e: Error) {
    let _ = PENDING.try_with(|p| *p.borrow_mut() = Some(e));
}

/// The failure set by `h5par_fail_next` for this call (cleared), `Ok` when none.
pub(crate) fn take_pending() -> Result<()> {
    match PENDING.try_with(|p| p.borrow_mut().take()) {
        Ok(Some(e)) => Err(e),
        _ => Ok(()),
    }
}

/// Whether MPI was initialized with `MPI_THREAD_MULTIPLE`.
fn thread_multiple() -> bool {
    let mut provided: c_int = 0;
    // SAFETY: MPI is initialized (checked by the caller).
    unsafe { mpi_sys::MPI_Query_thread(&mut provided) };
    // SAFETY: a constant of the MPI library.
    provided == unsafe { mpi_sys::RSMPI_THREAD_MULTIPLE }
}

/// The error of the collective call `func` on the handle `token` made while another thread is
/// inside h5par (`busy`): when MPI allows threads to call it concurrently, this rank takes
/// part in the call's agreement on the handle's communicator with this failure, so that every
/// rank fails alike instead of waiting for this one.
pub(crate) fn busy_collective(token: usize, func: &str, busy: Error) -> Error {
    if mpi_ready().is_err() || !thread_multiple() {
        return busy;
    }
    match crate::handles::comm_of(token) {
        Some(c) => {
            // SAFETY: the communicator of a live handle (a file's own duplicate, freed only
            // when the handle is).
            let comm = unsafe { borrow_comm(c.comm) };
            let agreed = if c.fused {
                // A map's communicator: the shape of its other agreements.
                h5par::comm::fused::agree(&*comm, &format!("{func} {}", c.name), Err(busy), None)
            } else {
                agreed::<_, ()>(&*comm, func, &c.name, Err(busy))
            };
            agreed
                .err()
                .unwrap_or_else(|| Error::Internal("a failure was agreed as a success".into()))
        }
        None => busy,
    }
}

/// The registry, locked for the collective call `func` on the handle `token`, and this rank's
/// failure set by `h5par_fail_next` for the call (`Ok` when none). When another thread is
/// inside h5par, the error, taken into the call's agreement (see [`busy_collective`]).
pub(crate) fn enter_collective(
    func: &'static str,
    token: usize,
) -> Result<(crate::handles::Held, Result<()>)> {
    let pending = take_pending();
    match crate::handles::enter(func) {
        Ok(reg) => Ok((reg, pending)),
        Err(busy) => Err(busy_collective(token, func, busy)),
    }
}

/// The UTF-8 text of a C string argument called `what`.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string that outlives `'a`.
pub(crate) unsafe fn text<'a>(p: *const c_char, what: &str) -> Result<&'a str> {
    if p.is_null() {
        return Err(invalid(format!("{what} is NULL")));
    }
    // SAFETY: non-NULL and NUL-terminated (caller).
    let c = unsafe { CStr::from_ptr(p) };
    c.to_str().map_err(|_| {
        invalid(format!(
            "{what} {:?} is not valid UTF-8",
            c.to_string_lossy()
        ))
    })
}

/// The element type of a dtype code.
pub(crate) fn dtype(code: c_int, what: &str) -> Result<Dtype> {
    Dtype::from_code(code).ok_or_else(|| {
        invalid(format!(
            "{what} {code} is not a dtype code (H5PAR_INT8 = 0 to H5PAR_COMPLEX128 = 12)"
        ))
    })
}

/// A number of dimensions, 0 to 32.
pub(crate) fn ndims(n: c_int) -> Result<usize> {
    match usize::try_from(n) {
        Ok(n) if n <= MAX_DIMS => Ok(n),
        _ => Err(invalid(format!(
            "ndims {n} is out of range (0 to {MAX_DIMS})"
        ))),
    }
}

/// `n` numbers from the C array `p` called `what` (which may be NULL when `n` is 0).
///
/// # Safety
/// `p` is NULL or points to at least `n` numbers.
pub(crate) unsafe fn u64s(p: *const u64, n: usize, what: &str) -> Result<Vec<u64>> {
    if n == 0 {
        return Ok(Vec::new());
    }
    if p.is_null() {
        return Err(invalid(format!("{what} is NULL ({n} values expected)")));
    }
    // SAFETY: `p` points to `n` numbers (caller).
    Ok(unsafe { std::slice::from_raw_parts(p, n) }.to_vec())
}

/// The number of bytes of `count` elements of `dtype` per dimension, if it fits in memory.
pub(crate) fn byte_len(count: &[u64], dtype: Dtype, what: &str) -> Result<usize> {
    count
        .iter()
        .try_fold(dtype.size() as u64, |a, &c| a.checked_mul(c))
        .filter(|&b| b <= isize::MAX as u64)
        .map(|b| b as usize)
        .ok_or_else(|| {
            Error::Shape(format!(
                "{what}: count {count:?} of {dtype} is more than memory can hold"
            ))
        })
}

/// Copies `s` and a NUL into `buf`; `*len` (when `len` is not NULL) is set to the size needed,
/// `strlen(s) + 1`, even when `capacity` is too small: then `buf` is left as it is and the
/// error is `H5PAR_ERR_INVALID`.
///
/// # Safety
/// `buf` is NULL or has room for `capacity` bytes; `len` is NULL or writable.
pub(crate) unsafe fn copy_out(
    s: &str,
    what: &str,
    buf: *mut c_char,
    capacity: usize,
    len: *mut usize,
) -> Result<()> {
    if buf.is_null() && capacity > 0 {
        return Err(invalid(format!("{what}: buf is NULL, capacity {capacity}")));
    }
    let need = s.len() + 1;
    if !len.is_null() {
        // SAFETY: writable (caller).
        unsafe { *len = need };
    }
    if need > capacity {
        return Err(invalid(format!(
            "{what}: needs {need} bytes with the NUL, capacity is {capacity}"
        )));
    }
    // SAFETY: room for `capacity` >= `need` bytes (caller).
    unsafe {
        std::ptr::copy_nonoverlapping(s.as_ptr(), buf as *mut u8, s.len());
        *buf.add(s.len()) = 0;
    }
    Ok(())
}

/// The transfer mode of the C code `xfer`: `H5PAR_COLLECTIVE` or `H5PAR_INDEPENDENT`, else an
/// error naming both.
pub(crate) fn xfer(code: c_int) -> Result<h5par::Xfer> {
    match code {
        crate::H5PAR_COLLECTIVE => Ok(h5par::Xfer::Collective),
        crate::H5PAR_INDEPENDENT => Ok(h5par::Xfer::Independent),
        x => Err(invalid(format!(
            "xfer {x} is neither H5PAR_COLLECTIVE (0) nor H5PAR_INDEPENDENT (1)"
        ))),
    }
}

/// The transfer mode the C code `xfer` asks for, for the core's agreement of the call: a bad
/// code counts as collective (the other ranks are most likely collective), and its error
/// ([`xfer`]) is in the call's checked arguments.
pub(crate) fn requested(code: c_int) -> h5par::Xfer {
    if code == crate::H5PAR_INDEPENDENT {
        h5par::Xfer::Independent
    } else {
        h5par::Xfer::Collective
    }
}
