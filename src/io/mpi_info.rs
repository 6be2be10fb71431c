//! An owned `MPI_Info` built from MPI-IO hints.

use std::ffi::CString;

use mpi::ffi::{MPI_Info, MPI_Info_create, MPI_Info_free, MPI_Info_set, RSMPI_INFO_NULL};

use crate::error::{Error, Result};

/// An `MPI_Info` object, freed on drop (`MPI_INFO_NULL` when there are no hints).
#[derive(Debug)]
pub(crate) struct Info(MPI_Info);

impl Info {
    /// An info object holding `hints` (key, value) in order.
    pub(crate) fn from_hints(hints: &[(String, String)]) -> Result<Info> {
        // SAFETY: reading the MPI_INFO_NULL constant.
        let mut info = Info(unsafe { RSMPI_INFO_NULL });
        if hints.is_empty() {
            return Ok(info);
        }
        // SAFETY: out-pointer to an MPI_Info.
        unsafe { MPI_Info_create(&mut info.0) };
        for (k, v) in hints {
            let key = CString::new(k.as_str())
                .map_err(|_| Error::Invalid(format!("MPI-IO hint key {k:?} contains a NUL")))?;
            let val = CString::new(v.as_str())
                .map_err(|_| Error::Invalid(format!("MPI-IO hint {k}={v:?} contains a NUL")))?;
            // SAFETY: live info and NUL-terminated strings.
            unsafe { MPI_Info_set(info.0, key.as_ptr(), val.as_ptr()) };
        }
        Ok(info)
    }

    /// The raw handle.
    pub(crate) fn raw(&self) -> MPI_Info {
        self.0
    }
}

impl Drop for Info {
    fn drop(&mut self) {
        // SAFETY: comparing with and freeing a handle this object created.
        unsafe {
            if self.0 != RSMPI_INFO_NULL {
                MPI_Info_free(&mut self.0);
            }
        }
    }
}

/// The (key, value) pairs of an info object.
pub(crate) fn entries(info: MPI_Info) -> Vec<(String, String)> {
    use mpi::ffi::{MPI_Info_get, MPI_Info_get_nkeys, MPI_Info_get_nthkey, MPI_Info_get_valuelen};
    use std::ffi::{c_char, c_int, CStr};
    let mut out = Vec::new();
    // SAFETY: live info object; buffers sized by MPI's own limits and value lengths.
    unsafe {
        let mut n: c_int = 0;
        MPI_Info_get_nkeys(info, &mut n);
        for i in 0..n {
            let mut key = [0 as c_char; 256];
            MPI_Info_get_nthkey(info, i, key.as_mut_ptr());
            let mut len: c_int = 0;
            let mut flag: c_int = 0;
            MPI_Info_get_valuelen(info, key.as_ptr(), &mut len, &mut flag);
            if flag == 0 {
                continue;
            }
            let mut val = vec![0 as c_char; len.max(0) as usize + 1];
            #[allow(deprecated)]
            MPI_Info_get(info, key.as_ptr(), len, val.as_mut_ptr(), &mut flag);
            out.push((
                CStr::from_ptr(key.as_ptr()).to_string_lossy().into_owned(),
                CStr::from_ptr(val.as_ptr()).to_string_lossy().into_owned(),
            ));
        }
    }
    out
}

/// The hints the MPI library reports for an open MPI file (`MPI_File_get_info`).
pub(crate) fn file_hints(fh: mpi::ffi::MPI_File) -> Vec<(String, String)> {
    // SAFETY: reading a constant handle value the MPI library exports.
    let null = unsafe { RSMPI_INFO_NULL };
    let mut info = Info(null);
    // SAFETY: a live MPI file handle; the returned info is freed by `Info`'s drop.
    unsafe { mpi::ffi::MPI_File_get_info(fh, &mut info.0) };
    if info.0 == null {
        return Vec::new();
    }
    entries(info.0)
}

/// The MPI file under the open HDF5 file `fid` (MPI-IO driver), if HDF5 gives it.
pub(crate) fn mpi_file_of(fid: hdf5_sys::h5i::hid_t) -> Option<mpi::ffi::MPI_File> {
    // SAFETY: a slot returned by `mpi_file_slot` holds the driver's live MPI_File.
    mpi_file_slot(fid).map(|slot| unsafe { *slot })
}

/// Where the MPI-IO driver of the open HDF5 file `fid` keeps its `MPI_File`: the address
/// `H5Fget_vfd_handle` returns, which for the MPI-IO driver points to the `MPI_File` field of
/// the driver's own file struct (`*file_handle = &file->f` in every HDF5 since 1.8), valid
/// until the file is closed in HDF5. `None` when HDF5 gives nothing.
pub(crate) fn mpi_file_slot(fid: hdf5_sys::h5i::hid_t) -> Option<*mut mpi::ffi::MPI_File> {
    use crate::io::h5::{Handle, Kind};
    use hdf5_sys::h5f::{H5Fget_access_plist, H5Fget_vfd_handle};
    // SAFETY: a live file id of h5par's, which opens every file with the MPI-IO driver
    // (`plist::file_access`).
    unsafe {
        let fapl = Handle::new(H5Fget_access_plist(fid), Kind::Plist, "file access list").ok()?;
        let mut handle: *mut std::ffi::c_void = std::ptr::null_mut();
        if H5Fget_vfd_handle(fid, fapl.id(), &mut handle) < 0 || handle.is_null() {
            return None;
        }
        Some(handle as *mut mpi::ffi::MPI_File)
    }
}

/// Collective on the file's ranks: sets `hints` on the open MPI file `fh`
/// (`MPI_File_set_info`; an MPI library ignores the hints it does not know).
pub(crate) fn set_file_hints(fh: mpi::ffi::MPI_File, hints: &[(String, String)]) -> Result<()> {
    let info = Info::from_hints(hints)?;
    // SAFETY: a live MPI file handle and info object.
    unsafe { mpi::ffi::MPI_File_set_info(fh, info.raw()) };
    Ok(())
}
