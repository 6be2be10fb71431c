//! Datasets: create, open, info, hyperslab reads and writes, extent, close.

use std::ffi::{c_char, c_int, c_void};

use h5par::{Dtype, Error, FrontCall, Result, Selection, Xfer, MAX_DIMS};

use crate::args::{self, agreed, busy_collective, mpi_ready, take_pending, text, u64s};
use crate::handles::{
    dataset_token, enter, file_token, h5par_dataset, h5par_file, DatasetEntry, Entry,
};
use crate::status::{guard, invalid};

/// Registers `dataset` of the file with token `file` and writes its handle to `out`.
///
/// # Safety
/// `out` is non-NULL and writable.
pub(crate) unsafe fn register(
    reg: &mut crate::handles::Registry,
    file: usize,
    dataset: h5par::Dataset,
    out: *mut *mut h5par_dataset,
) -> Result<()> {
    let fe = reg.file(file)?;
    let name = format!("{}:{}", fe.file.path().display(), dataset.path());
    let entry = DatasetEntry { name, dataset };
    let token = reg.insert(Entry::Dataset(entry));
    // SAFETY: non-NULL and writable (caller).
    unsafe { *out = token as *mut h5par_dataset };
    Ok(())
}

/// Collective: creates the dataset `path` (creating missing parent groups) of element type
/// `dtype` and extent `dims[0..ndims]` (ndims 0 to 32; 0 is a scalar), and sets `*out` to its
/// handle (NULL on failure).
///
/// `chunk` NULL gives contiguous storage, allocated at creation, of fixed extent. A chunk shape
/// (`ndims` values) gives chunked storage that is extendible without limit in every dimension
/// with `h5par_dataset_extend`. `deflate_level` 1 to 9 compresses the chunks (a chunk shape is
/// chosen when `chunk` is NULL, and the extent is then fixed); compressed datasets can only be
/// written with `H5PAR_COLLECTIVE`. An existing object at `path` is `H5PAR_ERR_EXISTS`.
#[no_mangle]
pub unsafe extern "C" fn h5par_dataset_create(
    file: *mut h5par_file,
    path: *const c_char,
    dtype: c_int,
    ndims: c_int,
    dims: *const u64,
    chunk: *const u64,
    deflate_level: c_int,
    out: *mut *mut h5par_dataset,
) -> c_int {
    const F: &str = "h5par_dataset_create";
    guard(F, || {
        if !out.is_null() {
            // SAFETY: non-NULL and writable (caller).
            unsafe { *out = std::ptr::null_mut() };
        }
        let pending = take_pending();
        let token = file_token(file);
        let mut reg = match enter(F) {
            Ok(g) => g,
            Err(busy) => return Err(busy_collective(token, F, busy)),
        };
        let fe = reg.file(token)?;
        mpi_ready()?;
        // SAFETY: strings and arrays as documented (caller).
        let local = (|| unsafe {
            let path = text(path, "path")?;
            let dtype = args::dtype(dtype, "dtype")?;
            let n = args::ndims(ndims)?;
            let dims = u64s(dims, n, "dims")?;
            let chunk = if chunk.is_null() {
                None
            } else {
                Some(u64s(chunk, n, "chunk")?)
            };
            let level = u8::try_from(deflate_level)
                .ok()
                .filter(|l| *l <= 9)
                .ok_or_else(|| {
                    invalid(format!(
                        "deflate_level {deflate_level} is out of range (0 = none, 1 to 9)"
                    ))
                })?;
            if out.is_null() {
                return Err(invalid("out is NULL"));
            }
            Ok((path, dtype, dims, chunk, level))
        })();
        let name = fe.file.path().display().to_string();
        let (path, dtype, dims, chunk, level) =
            agreed(fe.file.comm(), F, &name, pending.and(local))?;
        let mut b = fe.file.new_dataset_of(dtype).shape(&dims).deflate(level);
        if let Some(c) = chunk {
            b = b.chunk(c).resizable(true);
        }
        let ds = b.create(path)?;
        // SAFETY: `out` checked non-NULL on every rank.
        unsafe { register(&mut reg, file_token(file), ds, out) }
    })
}

/// Collective: opens the existing dataset `path` and sets `*out` to its handle (NULL on
/// failure). A missing dataset is `H5PAR_ERR_NOT_FOUND`.
#[no_mangle]
pub unsafe extern "C" fn h5par_dataset_open(
    file: *mut h5par_file,
    path: *const c_char,
    out: *mut *mut h5par_dataset,
) -> c_int {
    const F: &str = "h5par_dataset_open";
    guard(F, || {
        if !out.is_null() {
            // SAFETY: non-NULL and writable (caller).
            unsafe { *out = std::ptr::null_mut() };
        }
        let pending = take_pending();
        let token = file_token(file);
        let mut reg = match enter(F) {
            Ok(g) => g,
            Err(busy) => return Err(busy_collective(token, F, busy)),
        };
        let fe = reg.file(token)?;
        mpi_ready()?;
        // SAFETY: NUL-terminated (caller).
        let local = (|| unsafe {
            let p = text(path, "path")?;
            if out.is_null() {
                return Err(invalid("out is NULL"));
            }
            Ok(p)
        })();
        let name = fe.file.path().display().to_string();
        let p = agreed(fe.file.comm(), F, &name, pending.and(local))?;
        let ds = fe.file.dataset(p)?;
        // SAFETY: `out` checked non-NULL on every rank.
        unsafe { register(&mut reg, file_token(file), ds, out) }
    })
}

/// Local: the element type stored in the file (`*dtype`, an `h5par_dtype` code; for strings,
/// compounds and unsupported types `H5PAR_STRING`, `H5PAR_COMPOUND`, `H5PAR_UNSUPPORTED`, with
/// the full type from `h5par_dataset_type`), the number of
/// dimensions (`*ndims`) and the current extent (`dims`, room for 32 values). Any of the three
/// may be NULL when not wanted.
#[no_mangle]
pub unsafe extern "C" fn h5par_dataset_info(
    dset: *const h5par_dataset,
    dtype: *mut c_int,
    ndims: *mut c_int,
    dims: *mut u64,
) -> c_int {
    const F: &str = "h5par_dataset_info";
    guard(F, || {
        let reg = enter(F)?;
        let de = reg.dataset(dataset_token(dset))?;
        if !de.dataset.is_open() {
            return Err(Error::Handle(format!(
                "{}: the file of this dataset is closed",
                de.name
            )));
        }
        let shape = de.dataset.shape();
        // SAFETY: NULL or writable with room for 32 values (caller); shape has at most 32.
        unsafe {
            if !dtype.is_null() {
                *dtype = crate::types::code(de.dataset.datatype());
            }
            if !ndims.is_null() {
                *ndims = shape.len() as c_int;
            }
            if !dims.is_null() {
                std::ptr::copy_nonoverlapping(shape.as_ptr(), dims, shape.len().min(MAX_DIMS));
            }
        }
        Ok(())
    })
}

/// A checked read or write: its selection, memory type, transfer mode and byte count.
struct Transfer {
    sel: Selection,
    mem: Dtype,
    xfer: Xfer,
    bytes: usize,
}

/// Checks the arguments of a read or write of `de` on this rank. `ndims` `None` means "the
/// dataset's rank".
///
/// # Safety
/// `offset` and `count` are NULL or hold `ndims` (or the dataset's rank) values.
unsafe fn check_transfer(
    de: &DatasetEntry,
    xfer: c_int,
    ndims: Option<c_int>,
    offset: *const u64,
    count: *const u64,
    mem_dtype: c_int,
    buf_is_null: bool,
) -> Result<Transfer> {
    let rank = de.dataset.ndim();
    let xfer = args::xfer(xfer)?;
    let n = if let Some(nd) = ndims {
        let n = args::ndims(nd)?;
        if n != rank {
            return Err(Error::Shape(format!(
                "{}: the selection has {n} dimensions, the dataset has {rank}",
                de.name
            )));
        }
        n
    } else {
        rank
    };
    let mem = args::dtype(mem_dtype, "mem_dtype")?;
    // SAFETY: `n` values each (caller).
    let (offset, count) = unsafe { (u64s(offset, n, "offset")?, u64s(count, n, "count")?) };
    let bytes = args::byte_len(&count, mem, &de.name)?;
    if buf_is_null && bytes > 0 {
        return Err(invalid(format!(
            "buf is NULL, but count {count:?} selects {} elements",
            bytes / mem.size()
        )));
    }
    Ok(Transfer {
        sel: Selection::new(&offset, &count),
        mem,
        xfer,
        bytes,
    })
}

/// The common part of reads and writes: the registry entered (a busy registry is the call's
/// error, taken into its agreement when collective), this rank's check of the arguments with
/// any pending failure, then `act` with the dataset, the call and its checked arguments (which
/// hands them to the core's one agreement; see `FrontCall`).
///
/// # Safety
/// As for `h5par_dataset_read_nd`.
#[allow(clippy::too_many_arguments)]
unsafe fn transfer(
    func: &'static str,
    dset: *mut h5par_dataset,
    xfer: c_int,
    ndims: Option<c_int>,
    offset: *const u64,
    count: *const u64,
    mem_dtype: c_int,
    buf_is_null: bool,
    act: impl FnOnce(&DatasetEntry, &FrontCall<'_>, Xfer, Result<Transfer>) -> Result<()>,
) -> Result<()> {
    let pending = take_pending();
    let token = dataset_token(dset);
    let reg = match enter(func) {
        Ok(g) => g,
        Err(busy) if xfer != crate::H5PAR_INDEPENDENT => {
            return Err(busy_collective(token, func, busy))
        }
        Err(busy) => return Err(busy),
    };
    let de = reg.dataset(token)?;
    mpi_ready()?;
    // SAFETY: arrays as documented (caller).
    let local = unsafe { check_transfer(de, xfer, ndims, offset, count, mem_dtype, buf_is_null) };
    let call = FrontCall {
        func,
        object: &de.name,
    };
    act(de, &call, args::requested(xfer), pending.and(local))
}

/// # Safety
/// As for `h5par_dataset_write_nd`.
unsafe fn write(
    dset: *mut h5par_dataset,
    xfer: c_int,
    ndims: Option<c_int>,
    offset: *const u64,
    count: *const u64,
    mem_dtype: c_int,
    buf: *const c_void,
) -> Result<()> {
    let act = |de: &DatasetEntry, call: &FrontCall<'_>, x, t: Result<Transfer>| match t {
        Ok(t) => {
            let bytes: &[u8] = if t.bytes == 0 {
                &[]
            } else {
                // SAFETY: `buf` holds the selected elements (caller); non-NULL and small
                // enough (checked).
                unsafe { std::slice::from_raw_parts(buf as *const u8, t.bytes) }
            };
            let mem = t.mem.into();
            de.dataset
                .write_bytes_as(call, t.xfer, Ok((&t.sel, &mem)), bytes)
        }
        Err(e) => de.dataset.write_bytes_as(call, x, Err(e), &[]),
    };
    // SAFETY: as documented (caller).
    unsafe {
        transfer(
            "h5par_dataset_write",
            dset,
            xfer,
            ndims,
            offset,
            count,
            mem_dtype,
            buf.is_null(),
            act,
        )
    }
}

/// # Safety
/// As for `h5par_dataset_read_nd`.
unsafe fn read(
    dset: *mut h5par_dataset,
    xfer: c_int,
    ndims: Option<c_int>,
    offset: *const u64,
    count: *const u64,
    mem_dtype: c_int,
    buf: *mut c_void,
) -> Result<()> {
    let act = |de: &DatasetEntry, call: &FrontCall<'_>, x, t: Result<Transfer>| match t {
        Ok(t) => {
            let bytes: &mut [u8] = if t.bytes == 0 {
                &mut []
            } else {
                // SAFETY: `buf` has room for the selected elements (caller); non-NULL and
                // small enough (checked).
                unsafe { std::slice::from_raw_parts_mut(buf as *mut u8, t.bytes) }
            };
            let mem = t.mem.into();
            de.dataset
                .read_bytes_as(call, t.xfer, Ok((&t.sel, &mem)), bytes)
        }
        Err(e) => de.dataset.read_bytes_as(call, x, Err(e), &mut []),
    };
    // SAFETY: as documented (caller).
    unsafe {
        transfer(
            "h5par_dataset_read",
            dset,
            xfer,
            ndims,
            offset,
            count,
            mem_dtype,
            buf.is_null(),
            act,
        )
    }
}

/// Writes the block at `offset` of `count` elements per dimension (as many values as the
/// dataset has dimensions) from `buf`, which holds the product of `count` elements of type
/// `mem_dtype` in C order (converted to the stored type).
///
/// With `xfer` `H5PAR_COLLECTIVE` every rank calls, each with its own block; a rank with
/// nothing to write passes a zero count (and may pass NULL `buf`). A bad block on one rank is
/// `H5PAR_ERR_SHAPE` there and `H5PAR_ERR_REMOTE` on the others. With `H5PAR_INDEPENDENT` a
/// rank calls on its own (not for compressed datasets).
#[no_mangle]
pub unsafe extern "C" fn h5par_dataset_write(
    dset: *mut h5par_dataset,
    xfer: c_int,
    offset: *const u64,
    count: *const u64,
    mem_dtype: c_int,
    buf: *const c_void,
) -> c_int {
    const F: &str = "h5par_dataset_write";
    // SAFETY: as documented.
    guard(F, || unsafe {
        write(dset, xfer, None, offset, count, mem_dtype, buf)
    })
}

/// Reads the block at `offset` of `count` elements per dimension into `buf`, as the product of
/// `count` elements of type `mem_dtype` in C order (converted from the stored type). Collective
/// or independent as for `h5par_dataset_write`.
#[no_mangle]
pub unsafe extern "C" fn h5par_dataset_read(
    dset: *mut h5par_dataset,
    xfer: c_int,
    offset: *const u64,
    count: *const u64,
    mem_dtype: c_int,
    buf: *mut c_void,
) -> c_int {
    const F: &str = "h5par_dataset_read";
    // SAFETY: as documented.
    guard(F, || unsafe {
        read(dset, xfer, None, offset, count, mem_dtype, buf)
    })
}

/// `h5par_dataset_write` where `offset` and `count` hold `ndims` values, which must be the
/// dataset's number of dimensions (else `H5PAR_ERR_SHAPE`, agreed across ranks). Used by the
/// Fortran module.
#[no_mangle]
pub unsafe extern "C" fn h5par_dataset_write_nd(
    dset: *mut h5par_dataset,
    xfer: c_int,
    ndims: c_int,
    offset: *const u64,
    count: *const u64,
    mem_dtype: c_int,
    buf: *const c_void,
) -> c_int {
    const F: &str = "h5par_dataset_write";
    // SAFETY: as documented.
    guard(F, || unsafe {
        write(dset, xfer, Some(ndims), offset, count, mem_dtype, buf)
    })
}

/// `h5par_dataset_read` where `offset` and `count` hold `ndims` values, which must be the
/// dataset's number of dimensions (else `H5PAR_ERR_SHAPE`, agreed across ranks). Used by the
/// Fortran module.
#[no_mangle]
pub unsafe extern "C" fn h5par_dataset_read_nd(
    dset: *mut h5par_dataset,
    xfer: c_int,
    ndims: c_int,
    offset: *const u64,
    count: *const u64,
    mem_dtype: c_int,
    buf: *mut c_void,
) -> c_int {
    const F: &str = "h5par_dataset_read";
    // SAFETY: as documented.
    guard(F, || unsafe {
        read(dset, xfer, Some(ndims), offset, count, mem_dtype, buf)
    })
}

/// # Safety
/// `new_dims` is NULL or holds `ndims` values (the dataset's rank when `ndims` is `None`).
unsafe fn extend(
    func: &'static str,
    dset: *mut h5par_dataset,
    ndims: Option<c_int>,
    new_dims: *const u64,
) -> Result<()> {
    let pending = take_pending();
    let token = dataset_token(dset);
    let reg = match enter(func) {
        Ok(g) => g,
        Err(busy) => return Err(busy_collective(token, func, busy)),
    };
    let de = reg.dataset(token)?;
    mpi_ready()?;
    let rank = de.dataset.ndim();
    let local = (|| {
        if let Some(nd) = ndims {
            let n = args::ndims(nd)?;
            if n != rank {
                return Err(Error::Shape(format!(
                    "{}: new_dims has {n} values, the dataset has {rank} dimensions",
                    de.name
                )));
            }
        }
        // SAFETY: `rank` values (caller).
        unsafe { u64s(new_dims, rank, "new_dims") }
    })();
    let dims = agreed(de.dataset.comm(), func, &de.name, pending.and(local))?;
    de.dataset.set_extent(&dims)
}

/// Collective: changes the extent to `new_dims` (as many values as the dataset has
/// dimensions). Only datasets created with a chunk shape are extendible; new elements read as
/// 0 until written.
#[no_mangle]
pub unsafe extern "C" fn h5par_dataset_extend(
    dset: *mut h5par_dataset,
    new_dims: *const u64,
) -> c_int {
    const F: &str = "h5par_dataset_extend";
    // SAFETY: as documented.
    guard(F, || unsafe { extend(F, dset, None, new_dims) })
}

/// `h5par_dataset_extend` where `new_dims` holds `ndims` values, which must be the dataset's
/// number of dimensions (else `H5PAR_ERR_SHAPE`, agreed across ranks). Used by the Fortran
/// module.
#[no_mangle]
pub unsafe extern "C" fn h5par_dataset_extend_nd(
    dset: *mut h5par_dataset,
    ndims: c_int,
    new_dims: *const u64,
) -> c_int {
    const F: &str = "h5par_dataset_extend";
    // SAFETY: as documented.
    guard(F, || unsafe { extend(F, dset, Some(ndims), new_dims) })
}

/// Closes the dataset and frees its handle (also after its file was closed); using the handle
/// again is `H5PAR_ERR_HANDLE`. Every rank that opened the dataset should close it.
#[no_mangle]
pub unsafe extern "C" fn h5par_dataset_close(dset: *mut h5par_dataset) -> c_int {
    const F: &str = "h5par_dataset_close";
    guard(F, || {
        let mut reg = enter(F)?;
        let de = reg.remove_dataset(dataset_token(dset))?;
        if let Err(e) = mpi_ready() {
            // Dropping it could free MPI objects, which is not allowed any more.
            std::mem::forget(de);
            return Err(e);
        }
        drop(de);
        Ok(())
    })
}

/// Local: the dataset's absolute path in its file, copied into `buf` with its NUL (`*len` as
/// for `h5par_file_report_json`).
#[no_mangle]
pub unsafe extern "C" fn h5par_dataset_path(
    dset: *const h5par_dataset,
    buf: *mut c_char,
    capacity: usize,
    len: *mut usize,
) -> c_int {
    const F: &str = "h5par_dataset_path";
    guard(F, || {
        let reg = enter(F)?;
        let de = reg.dataset(dataset_token(dset))?;
        // SAFETY: as documented (caller).
        unsafe { args::copy_out(de.dataset.path(), "the dataset path", buf, capacity, len) }
    })
}
