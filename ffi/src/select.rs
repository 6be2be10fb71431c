//! Reads and writes of any selection (strided hyperslabs, an index list on one axis) in any
//! element type (numbers, bool, complex, fixed-length strings, compounds), given by a type
//! spec.

use std::ffi::{c_char, c_int, c_void};

use h5par::{Datatype, Error, FrontCall, Result, Selection, Xfer};

use crate::args::{self, busy_collective, mpi_ready, take_pending, text, u64s};
use crate::handles::{dataset_token, enter, h5par_dataset, DatasetEntry};
use crate::status::invalid;

/// A selection of a dataset's elements (`h5par_dataset_read_sel`, `h5par_dataset_write_sel`):
/// per dimension `count` blocks of `block` elements whose starts are `stride` apart, from
/// `start`; then, when `index_axis` is 0 or more, that axis selects the `nindices` strictly
/// increasing `indices` instead (its start, stride, count and block are ignored). The buffer
/// holds, in C order, `count * block` elements per dimension (`nindices` on the index axis).
///
/// `d[::2]` of a 1-D dataset of 10: `ndims` 1, start {0}, stride {2}, count {5}, block NULL,
/// index_axis -1.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct h5par_selection {
    /// The number of dimensions: the dataset's.
    pub ndims: c_int,
    /// First index per dimension (`ndims` values).
    pub start: *const u64,
    /// Distance between block starts per dimension; NULL means 1.
    pub stride: *const u64,
    /// Number of blocks per dimension (`ndims` values); a 0 selects nothing.
    pub count: *const u64,
    /// Elements per block per dimension; NULL means 1.
    pub block: *const u64,
    /// The axis chosen by `indices`, or -1 for none.
    pub index_axis: c_int,
    /// The number of indices.
    pub nindices: usize,
    /// Strictly increasing indices on `index_axis` (NULL when `nindices` is 0).
    pub indices: *const u64,
}

/// The selection described by `sel` (NULL: the whole dataset of extent `dims`).
///
/// # Safety
/// `sel` is NULL or points to a selection whose arrays are as documented.
unsafe fn selection(sel: *const h5par_selection, dims: &[u64]) -> Result<Selection> {
    if sel.is_null() {
        return Ok(Selection::new(&vec![0; dims.len()], dims));
    }
    // SAFETY: non-NULL (checked) and readable (caller).
    let s = unsafe { *sel };
    let n = args::ndims(s.ndims)?;
    if n != dims.len() {
        return Err(Error::Shape(format!(
            "the selection has {n} dimensions, the dataset has {} {dims:?}",
            dims.len()
        )));
    }
    // SAFETY: arrays of `n` values, or NULL where documented (caller).
    let (start, count, stride, block) = unsafe {
        let opt = |p: *const u64, what: &str| -> Result<Vec<u64>> {
            if p.is_null() {
                Ok(Vec::new())
            } else {
                u64s(p, n, what)
            }
        };
        (
            u64s(s.start, n, "start")?,
            u64s(s.count, n, "count")?,
            opt(s.stride, "stride")?,
            opt(s.block, "block")?,
        )
    };
    let mut out = Selection::strided(&start, &stride, &count, &block);
    if s.index_axis >= 0 {
        // SAFETY: `nindices` values (caller).
        let ix = unsafe { u64s(s.indices, s.nindices, "indices") }?;
        out = out.with_index(s.index_axis as usize, &ix);
    } else if s.index_axis != -1 {
        return Err(invalid(format!(
            "index_axis {} is neither -1 (none) nor an axis",
            s.index_axis
        )));
    }
    Ok(out)
}

/// The memory type: the spec `mem_type`, or the stored type when NULL.
///
/// # Safety
/// `mem_type` is NULL or NUL-terminated.
pub(crate) unsafe fn mem_type(mem_type: *const c_char, stored: &Datatype) -> Result<Datatype> {
    if mem_type.is_null() {
        return Ok(stored.clone());
    }
    // SAFETY: NUL-terminated (caller).
    Datatype::parse(unsafe { text(mem_type, "mem_type") }?)
}

/// A checked transfer.
struct Checked {
    sel: Selection,
    mem: Datatype,
    xfer: Xfer,
    bytes: usize,
}

/// The common part of `h5par_dataset_read_sel` and `_write_sel`: checks on this rank,
/// agreement when collective, then `act` with the dataset and the checked arguments.
///
/// # Safety
/// As for `h5par_dataset_read_sel`.
#[allow(clippy::too_many_arguments)]
unsafe fn transfer(
    func: &'static str,
    dset: *mut h5par_dataset,
    xfer: c_int,
    sel: *const h5par_selection,
    mem: *const c_char,
    buf_is_null: bool,
    nbytes: usize,
    act: impl FnOnce(&DatasetEntry, &FrontCall<'_>, Xfer, Result<Checked>) -> Result<()>,
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
    // SAFETY: as documented (caller).
    let local = (|| unsafe {
        let x = args::xfer(xfer)?;
        let s = selection(sel, &de.dataset.shape())?;
        s.check(&de.dataset.shape(), &de.name)?;
        let m = mem_type(mem, de.dataset.datatype())?;
        let need = s
            .len()
            .and_then(|n| n.checked_mul(m.size() as u64))
            .filter(|&b| b <= isize::MAX as u64)
            .ok_or_else(|| Error::Shape(format!("{}: the selection is too large", de.name)))?
            as usize;
        if need != nbytes {
            return Err(Error::Shape(format!(
                "{}: nbytes is {nbytes}, the selection {:?} of {} needs {need}",
                de.name,
                s.shape(),
                m.spec()
            )));
        }
        if buf_is_null && need > 0 {
            return Err(invalid("buf is NULL"));
        }
        Ok(Checked {
            sel: s,
            mem: m,
            xfer: x,
            bytes: need,
        })
    })();
    let call = FrontCall {
        func,
        object: &de.name,
    };
    // Agreed in the core's call, with the transfer (see `FrontCall`).
    act(de, &call, args::requested(xfer), pending.and(local))
}

/// Reads the elements of `sel` (NULL: the whole dataset) into `buf` of `nbytes` bytes, as
/// elements of the type spec `mem_type` (NULL: the stored type; "f8", "b1", "c16", "S10",
/// "{x:f8@0,y:i4@8}16", see `h5par_dataset_type`) in C order. `nbytes` must be the number of
/// selected elements times the element size. Collective or independent (`xfer`) as for
/// `h5par_dataset_read`: a rank with nothing to read passes a selection with a zero count
/// and still calls. A dataset of an unsupported type is `H5PAR_ERR_TYPE` naming the type.
#[no_mangle]
pub unsafe extern "C" fn h5par_dataset_read_sel(
    dset: *mut h5par_dataset,
    xfer: c_int,
    sel: *const h5par_selection,
    mem_type: *const c_char,
    buf: *mut c_void,
    nbytes: usize,
) -> c_int {
    const F: &str = "h5par_dataset_read_sel";
    crate::status::guard(F, || {
        // SAFETY: as documented.
        unsafe {
            transfer(
                F,
                dset,
                xfer,
                sel,
                mem_type,
                buf.is_null(),
                nbytes,
                |de, call, x, t| match t {
                    Ok(t) => {
                        let bytes: &mut [u8] = if t.bytes == 0 {
                            &mut []
                        } else {
                            // SAFETY: `buf` has room for `nbytes` bytes (caller), checked
                            // non-NULL.
                            std::slice::from_raw_parts_mut(buf as *mut u8, t.bytes)
                        };
                        de.dataset
                            .read_bytes_as(call, t.xfer, Ok((&t.sel, &t.mem)), bytes)
                    }
                    Err(e) => de.dataset.read_bytes_as(call, x, Err(e), &mut []),
                },
            )
        }
    })
}

/// Writes the elements of `sel` (NULL: the whole dataset) from `buf` of `nbytes` bytes, which
/// holds them in C order as elements of the type spec `mem_type` (NULL: the stored type).
/// Collective or independent as for `h5par_dataset_write`.
#[no_mangle]
pub unsafe extern "C" fn h5par_dataset_write_sel(
    dset: *mut h5par_dataset,
    xfer: c_int,
    sel: *const h5par_selection,
    mem_type: *const c_char,
    buf: *const c_void,
    nbytes: usize,
) -> c_int {
    const F: &str = "h5par_dataset_write_sel";
    crate::status::guard(F, || {
        // SAFETY: as documented.
        unsafe {
            transfer(
                F,
                dset,
                xfer,
                sel,
                mem_type,
                buf.is_null(),
                nbytes,
                |de, call, x, t| match t {
                    Ok(t) => {
                        let bytes: &[u8] = if t.bytes == 0 {
                            &[]
                        } else {
                            // SAFETY: `buf` holds `nbytes` bytes (caller), checked non-NULL.
                            std::slice::from_raw_parts(buf as *const u8, t.bytes)
                        };
                        de.dataset
                            .write_bytes_as(call, t.xfer, Ok((&t.sel, &t.mem)), bytes)
                    }
                    Err(e) => de.dataset.write_bytes_as(call, x, Err(e), &[]),
                },
            )
        }
    })
}
