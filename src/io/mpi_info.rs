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
