//! Series `hdf5-default`: the HDF5 C API called directly through hdf5-sys, the way a C code
//! would with default properties: `H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL)` (so no
//! striping hints: the file gets the directory's default layout), a contiguous `H5Dcreate2`,
//! and `H5Dwrite`/`H5Dread` with a transfer list set to collective or independent.

use std::ffi::CString;
use std::path::Path;

use hdf5_sys::h5::{herr_t, hsize_t, H5open};
use hdf5_sys::h5d::{H5Dclose, H5Dcreate2, H5Dget_space, H5Dopen2, H5Dread, H5Dwrite};
use hdf5_sys::h5e::{H5Eset_auto2, H5E_DEFAULT};
use hdf5_sys::h5f::{H5Fclose, H5Fcreate, H5Fopen, H5F_ACC_RDONLY, H5F_ACC_TRUNC};
use hdf5_sys::h5i::hid_t;
use hdf5_sys::h5p::{
    H5FD_mpio_xfer_t, H5Pclose, H5Pcreate, H5Pset_dxpl_mpio, H5Pset_fapl_mpio,
    H5P_CLS_DATASET_XFER, H5P_CLS_FILE_ACCESS, H5P_DEFAULT,
};
use hdf5_sys::h5s::{
    H5S_seloper_t, H5Sclose, H5Screate_simple, H5Sget_simple_extent_dims, H5Sselect_hyperslab,
};
use hdf5_sys::h5t::H5T_NATIVE_DOUBLE;
use mpi::ffi::RSMPI_INFO_NULL;
use mpi::raw::AsRaw;

use super::{Ctx, Native, DATASET};
use crate::cli::Io;
use crate::comm::agree;

/// The `hdf5-default` series.
pub struct Hdf5Default;

/// An HDF5 identifier closed on drop with its close function.
struct Id {
    id: hid_t,
    close: unsafe extern "C" fn(hid_t) -> herr_t,
}

impl Id {
    /// Wraps `id`, or an error naming `what` if HDF5 returned a negative id.
    fn new(
        id: hid_t,
        close: unsafe extern "C" fn(hid_t) -> herr_t,
        what: &str,
    ) -> Result<Id, String> {
        if id < 0 {
            Err(format!("hdf5-default: {what} failed"))
        } else {
            Ok(Id { id, close })
        }
    }

    /// Closes now and reports the outcome.
    fn close(mut self, what: &str) -> Result<(), String> {
        let id = std::mem::replace(&mut self.id, -1);
        // SAFETY: id is an open identifier of the kind `close` closes.
        check(unsafe { (self.close)(id) }, what)
    }
}

impl Drop for Id {
    fn drop(&mut self) {
        if self.id >= 0 {
            // SAFETY: id is an open identifier of the kind `close` closes.
            unsafe { (self.close)(self.id) };
        }
    }
}

fn check(ret: herr_t, what: &str) -> Result<(), String> {
    if ret < 0 {
        Err(format!("hdf5-default: {what} failed"))
    } else {
        Ok(())
    }
}

/// `H5open` (so that the `H5P_CLS_*` ids are set) and no automatic error printing: errors are
/// reported once, by rank 0, through the benchmark's own messages.
fn init() {
    // SAFETY: no preconditions.
    unsafe {
        H5open();
        H5Eset_auto2(H5E_DEFAULT, None, std::ptr::null_mut());
    }
}

/// A file-access list with the MPI-IO driver on the benchmark's communicator and no hints.
fn fapl(ctx: &Ctx) -> Result<Id, String> {
    // SAFETY: the class id is valid after H5open.
    let fapl = Id::new(
        unsafe { H5Pcreate(*H5P_CLS_FILE_ACCESS) },
        H5Pclose,
        "H5Pcreate(fapl)",
    )?;
    // SAFETY: live list, communicator and the null info object.
    let r = unsafe { H5Pset_fapl_mpio(fapl.id, ctx.comm.as_raw(), RSMPI_INFO_NULL) };
    check(r, "H5Pset_fapl_mpio")?;
    Ok(fapl)
}

/// A transfer list for `io`.
fn dxpl(io: Io) -> Result<Id, String> {
    // SAFETY: the class id is valid after H5open.
    let dxpl = Id::new(
        unsafe { H5Pcreate(*H5P_CLS_DATASET_XFER) },
        H5Pclose,
        "H5Pcreate(dxpl)",
    )?;
    let mode = match io {
        Io::Coll => H5FD_mpio_xfer_t::H5FD_MPIO_COLLECTIVE,
        Io::Indep => H5FD_mpio_xfer_t::H5FD_MPIO_INDEPENDENT,
    };
    // SAFETY: live transfer list.
    let r = unsafe { H5Pset_dxpl_mpio(dxpl.id, mode) };
    check(r, "H5Pset_dxpl_mpio")?;
    Ok(dxpl)
}

/// The file space of `dset` with the rank's block selected, and the matching memory space.
fn spaces(ctx: &Ctx, dset: &Id) -> Result<(Id, Id), String> {
    // SAFETY: live dataset.
    let fspace = Id::new(unsafe { H5Dget_space(dset.id) }, H5Sclose, "H5Dget_space")?;
    let mut dims: [hsize_t; 1] = [0];
    // SAFETY: a 1-D space has one dimension to write.
    let rank =
        unsafe { H5Sget_simple_extent_dims(fspace.id, dims.as_mut_ptr(), std::ptr::null_mut()) };
    if rank != 1 || dims[0] != ctx.n {
        return Err(format!(
            "hdf5-default: the dataset has {rank} dimension(s) of {dims:?}, expected [{}]",
            ctx.n
        ));
    }
    let (start, count) = ([ctx.first as hsize_t], [ctx.count as hsize_t]);
    // SAFETY: live space and 1-element arrays for its one dimension.
    let r = unsafe {
        H5Sselect_hyperslab(
            fspace.id,
            H5S_seloper_t::H5S_SELECT_SET,
            start.as_ptr(),
            std::ptr::null(),
            count.as_ptr(),
            std::ptr::null(),
        )
    };
    check(r, "H5Sselect_hyperslab")?;
    // SAFETY: 1-element dims.
    let mspace = Id::new(
        unsafe { H5Screate_simple(1, count.as_ptr(), std::ptr::null()) },
        H5Sclose,
        "H5Screate_simple",
    )?;
    Ok((fspace, mspace))
}

fn cpath(path: &Path) -> Result<CString, String> {
    path.to_str()
        .and_then(|s| CString::new(s).ok())
        .ok_or_else(|| format!("hdf5-default: unusable path {}", path.display()))
}

impl Native for Hdf5Default {
    fn write(&self, ctx: &Ctx, path: &Path, io: Io, data: &[f64]) -> Result<(), String> {
        init();
        let c = cpath(path)?;
        let file = agree(
            ctx.comm,
            fapl(ctx).and_then(|fapl| {
                // SAFETY: valid C string and lists.
                let id = unsafe { H5Fcreate(c.as_ptr(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.id) };
                Id::new(id, H5Fclose, &format!("H5Fcreate {}", path.display()))
            }),
        )?;
        let name = CString::new(DATASET).map_err(|e| e.to_string())?;
        let dims = [ctx.n as hsize_t];
        let written = (|| {
            // SAFETY: 1-element dims.
            let space = Id::new(
                unsafe { H5Screate_simple(1, dims.as_ptr(), std::ptr::null()) },
                H5Sclose,
                "H5Screate_simple",
            )?;
            // SAFETY: live file and space; default lists give a contiguous dataset.
            let dset = Id::new(
                unsafe {
                    H5Dcreate2(
                        file.id,
                        name.as_ptr(),
                        *H5T_NATIVE_DOUBLE,
                        space.id,
                        H5P_DEFAULT,
                        H5P_DEFAULT,
                        H5P_DEFAULT,
                    )
                },
                hdf5_sys::h5d::H5Dclose,
                "H5Dcreate2",
            )?;
            let (fspace, mspace) = spaces(ctx, &dset)?;
            let dx = dxpl(io)?;
            // SAFETY: `data` holds the selected number of doubles.
            let r = unsafe {
                H5Dwrite(
                    dset.id,
                    *H5T_NATIVE_DOUBLE,
                    mspace.id,
                    fspace.id,
                    dx.id,
                    data.as_ptr().cast(),
                )
            };
            check(r, "H5Dwrite")?;
            dset.close("H5Dclose")
        })();
        let closed = file.close("H5Fclose");
        written?;
        closed
    }

    fn read(&self, ctx: &Ctx, path: &Path, io: Io, out: &mut [f64]) -> Result<(), String> {
        init();
        let c = cpath(path)?;
        let file = agree(
            ctx.comm,
            fapl(ctx).and_then(|fapl| {
                // SAFETY: valid C string and list.
                let id = unsafe { H5Fopen(c.as_ptr(), H5F_ACC_RDONLY, fapl.id) };
                Id::new(id, H5Fclose, &format!("H5Fopen {}", path.display()))
            }),
        )?;
        let name = CString::new(DATASET).map_err(|e| e.to_string())?;
        let read = (|| {
            // SAFETY: live file, valid name.
            let dset = Id::new(
                unsafe { H5Dopen2(file.id, name.as_ptr(), H5P_DEFAULT) },
                H5Dclose,
                "H5Dopen2",
            )?;
            let (fspace, mspace) = spaces(ctx, &dset)?;
            let dx = dxpl(io)?;
            // SAFETY: `out` has room for the selected number of doubles.
            let r = unsafe {
                H5Dread(
                    dset.id,
                    *H5T_NATIVE_DOUBLE,
                    mspace.id,
                    fspace.id,
                    dx.id,
                    out.as_mut_ptr().cast(),
                )
            };
            check(r, "H5Dread")?;
            dset.close("H5Dclose")
        })();
        let closed = file.close("H5Fclose");
        read?;
        closed
    }
}
