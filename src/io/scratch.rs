//! Closing a file whose data will not be kept, after a write failed on its device: HDF5's
//! closing writes are diverted to a scratch file.
//!
//! After a write failed with EIO (a failing device) or EDQUOT (a quota, where even truncating
//! the file fails), HDF5's closing writes (metadata cache, superblock, end of file) fail too,
//! on some ranks only; HDF5 then hangs (ranks in different collectives) or leaves the file open
//! and crashes in `H5F__close_cb` at `MPI_Finalize`. Closing writes that go to a scratch file
//! instead succeed on every rank, so `H5Fclose` completes normally and the caller is told the
//! original failure.

use std::path::{Path, PathBuf};

use hdf5_sys::h5i::hid_t;
use mpi::raw::AsRaw;
use mpi::topology::SimpleCommunicator;
use mpi::traits::Communicator;

use crate::comm;
use crate::error::{Error, Result};
use crate::io::mpi_info;

/// Where scratch files go: `/dev/shm` (memory, node-local), else the temporary directory.
fn scratch_dir() -> PathBuf {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    }
}

/// Collective on the file's ranks (`comm` is the file's communicator): makes the rest of the
/// open HDF5 file `fid`'s life, its closing writes included, go to a new scratch file instead
/// of the file itself. The `MPI_File` that HDF5's MPI-IO driver holds (its address comes from
/// `H5Fget_vfd_handle`) is replaced by one opened collectively, with the same hints, on a
/// scratch file in `/dev/shm`; the old one is closed. Returns the scratch file's path, which
/// every rank removes after `H5Fclose` (a rank that finds it gone ignores that). The data
/// written to the file before stays as it is (the caller removes a temporary, or says what a
/// file written in place keeps).
///
/// Each step is agreed: on an error (no handle, the scratch file cannot be opened) nothing is
/// changed on any rank and the error is returned on every rank. A scratch file opened on some
/// ranks only (the others failed) cannot be closed collectively and is left open there.
pub(crate) fn divert_closing_writes(
    comm: &SimpleCommunicator,
    fid: hid_t,
    what: &str,
) -> Result<PathBuf> {
    let what = format!("{what} (closing writes diverted to a scratch file)");
    let name = if comm.rank() == 0 {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        let me = crate::io::stale::this_process();
        scratch_dir()
            .join(crate::io::stale::temporary_file_name(
                "h5par-scratch",
                &me,
                nanos,
            ))
            .to_string_lossy()
            .into_owned()
    } else {
        String::new()
    };
    let path = PathBuf::from(comm::broadcast_text(comm, 0, &name));
    let slot = mpi_info::mpi_file_slot(fid)
        .ok_or_else(|| Error::Internal(format!("{what}: HDF5 gives no MPI file for this file")));
    let slot = comm::agree_value(comm, &what, slot)?;
    let c_path = std::ffi::CString::new(path.to_string_lossy().as_bytes())
        .map_err(|_| Error::Internal(format!("{what}: a NUL in {}", path.display())))?;
    // SAFETY: `slot` points to the live MPI_File of HDF5's driver for `fid` (see
    // `mpi_file_slot`), which stays valid until H5Fclose; nothing else uses it meanwhile
    // (h5par's calls on a file are serialized, and HDF5 reads the slot only inside its own
    // calls). The new handle is opened collectively on `comm`, the same group of ranks as
    // HDF5's own duplicate of it, so HDF5's later collective calls on it (writes, set_size,
    // close) match on every rank. The old handle is closed collectively once it is no longer
    // referenced; a failure to close it (the failing device) is ignored.
    unsafe {
        let old = *slot;
        let info = mpi_info::Info::from_hints(&mpi_info::file_hints(old))?;
        let mut new: mpi::ffi::MPI_File = std::mem::zeroed();
        let amode = (mpi::ffi::MPI_MODE_CREATE | mpi::ffi::MPI_MODE_RDWR) as i32;
        let rc =
            mpi::ffi::MPI_File_open(comm.as_raw(), c_path.as_ptr(), amode, info.raw(), &mut new);
        let opened = if rc == 0 {
            Ok(())
        } else {
            Err(Error::Io(format!(
                "{what}: MPI_File_open of {} failed (MPI error {rc})",
                path.display()
            )))
        };
        comm::agree(comm, &what, opened, None)?;
        *slot = new;
        let mut old = old;
        let _ = mpi::ffi::MPI_File_close(&mut old);
    }
    Ok(path)
}
