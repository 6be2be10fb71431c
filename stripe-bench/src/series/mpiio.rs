//! Series `mpiio`: raw MPI-IO of the same bytes at the same offsets as the HDF5 series (the
//! rank's block at byte `8 * first`, no header): `MPI_File_write_at_all`/`read_at_all` for
//! collective I/O, `MPI_File_write_at`/`read_at` for independent I/O, the striping hints at
//! create. This is the ceiling the HDF5 series are compared with.

use std::ffi::{c_char, c_int, CString};
use std::path::Path;

use mpi::ffi::{
    MPI_Error_string, MPI_File, MPI_File_close, MPI_File_open, MPI_File_read_at,
    MPI_File_read_at_all, MPI_File_write_at, MPI_File_write_at_all, MPI_Info, MPI_Info_create,
    MPI_Info_free, MPI_Info_set, MPI_Offset, MPI_MODE_CREATE, MPI_MODE_RDONLY, MPI_MODE_WRONLY,
    MPI_SUCCESS, RSMPI_DOUBLE, RSMPI_INFO_NULL, RSMPI_STATUS_IGNORE,
};
use mpi::raw::AsRaw;

use super::{block, Ctx, Native};
use crate::cli::Io;
use crate::comm::agree;

/// Elements per MPI call (1 GiB of float64), well inside the `int` count of MPI-IO calls.
pub const CHUNK: u64 = 1 << 27;

/// The `mpiio` series.
pub struct MpiIo;

/// The text of an MPI error code.
fn mpi_error(code: c_int, what: &str) -> String {
    let mut buf = vec![0 as c_char; 512];
    let mut len: c_int = 0;
    // SAFETY: the buffer is larger than MPI_MAX_ERROR_STRING.
    let rc = unsafe { MPI_Error_string(code, buf.as_mut_ptr(), &mut len) };
    let text = if rc == MPI_SUCCESS as c_int {
        let bytes: Vec<u8> = buf[..len.clamp(0, 511) as usize]
            .iter()
            .map(|&c| c as u8)
            .collect();
        String::from_utf8_lossy(&bytes).into_owned()
    } else {
        format!("error code {code}")
    };
    format!("mpiio: {what}: {text}")
}

fn check(code: c_int, what: &str) -> Result<(), String> {
    if code == MPI_SUCCESS as c_int {
        Ok(())
    } else {
        Err(mpi_error(code, what))
    }
}

/// An `MPI_Info` holding hints, freed on drop.
struct Info(MPI_Info);

impl Info {
    fn new(hints: &[(String, String)]) -> Result<Info, String> {
        // SAFETY: reading the MPI_INFO_NULL constant.
        let mut info = Info(unsafe { RSMPI_INFO_NULL });
        if hints.is_empty() {
            return Ok(info);
        }
        // SAFETY: out-pointer to an MPI_Info.
        check(unsafe { MPI_Info_create(&mut info.0) }, "MPI_Info_create")?;
        for (k, v) in hints {
            let (k, v) = CString::new(k.as_str())
                .and_then(|k| Ok((k, CString::new(v.as_str())?)))
                .map_err(|_| format!("mpiio: hint {k}={v} contains a NUL"))?;
            // SAFETY: live info, NUL-terminated strings.
            let r = unsafe { MPI_Info_set(info.0, k.as_ptr(), v.as_ptr()) };
            check(r, "MPI_Info_set")?;
        }
        Ok(info)
    }
}

impl Drop for Info {
    fn drop(&mut self) {
        // SAFETY: freeing a handle this object created.
        unsafe {
            if self.0 != RSMPI_INFO_NULL {
                MPI_Info_free(&mut self.0);
            }
        }
    }
}

/// Collective: opens `path` with `amode`; an error on every rank if it failed on any.
fn open(
    ctx: &Ctx,
    path: &Path,
    amode: c_int,
    hints: &[(String, String)],
) -> Result<MPI_File, String> {
    let local = (|| {
        let c = path
            .to_str()
            .and_then(|s| CString::new(s).ok())
            .ok_or_else(|| format!("mpiio: unusable path {}", path.display()))?;
        let info = Info::new(hints)?;
        // SAFETY: MPI_File is a plain handle (a pointer or an int) for which zero is a valid
        // placeholder until MPI_File_open sets it.
        let mut fh: MPI_File = unsafe { std::mem::zeroed() };
        // SAFETY: live communicator and info, valid C string, out-pointer.
        let rc = unsafe { MPI_File_open(ctx.comm.as_raw(), c.as_ptr(), amode, info.0, &mut fh) };
        check(rc, &format!("MPI_File_open {}", path.display()))?;
        Ok(fh)
    })();
    match agree(ctx.comm, local.as_ref().map(|_| ()).map_err(Clone::clone)) {
        Ok(()) => local,
        Err(e) => {
            if let Ok(mut fh) = local {
                // SAFETY: an open file; every rank that opened it closes it.
                unsafe { MPI_File_close(&mut fh) };
            }
            Err(e)
        }
    }
}

fn close(mut fh: MPI_File) -> Result<(), String> {
    // SAFETY: an open file handle.
    check(unsafe { MPI_File_close(&mut fh) }, "MPI_File_close")
}

/// The number of calls every rank makes in collective mode: the same on all ranks, enough for
/// the largest block.
fn rounds(ctx: &Ctx) -> u64 {
    let procs = ctx.procs() as u64;
    let largest = block(ctx.n, procs, procs - 1).map_or(ctx.count, |(_, c)| c.max(ctx.count));
    largest.div_ceil(CHUNK).max(1)
}

/// The (element offset into the block, element count) of call `k`; the count is 0 past the
/// end of this rank's block.
fn piece(count: u64, k: u64) -> (u64, u64) {
    let start = (k * CHUNK).min(count);
    (start, (count - start).min(CHUNK))
}

impl Native for MpiIo {
    fn write(&self, ctx: &Ctx, path: &Path, io: Io, data: &[f64]) -> Result<(), String> {
        let amode = (MPI_MODE_CREATE | MPI_MODE_WRONLY) as c_int;
        let fh = open(ctx, path, amode, &ctx.hints)?;
        let mut result = Ok(());
        for k in 0..rounds(ctx) {
            let (start, n) = piece(ctx.count, k);
            if io == Io::Indep && n == 0 {
                break;
            }
            let offset = ((ctx.first + start) * 8) as MPI_Offset;
            let buf = data[start as usize..].as_ptr().cast();
            // SAFETY: `data` holds `n` doubles from `start`; RSMPI_* are MPI's constants.
            let rc = unsafe {
                match io {
                    Io::Coll => MPI_File_write_at_all(
                        fh,
                        offset,
                        buf,
                        n as c_int,
                        RSMPI_DOUBLE,
                        RSMPI_STATUS_IGNORE,
                    ),
                    Io::Indep => MPI_File_write_at(
                        fh,
                        offset,
                        buf,
                        n as c_int,
                        RSMPI_DOUBLE,
                        RSMPI_STATUS_IGNORE,
                    ),
                }
            };
            if result.is_ok() {
                result = check(rc, "MPI_File_write_at");
            }
        }
        let closed = close(fh);
        result?;
        closed
    }

    fn read(&self, ctx: &Ctx, path: &Path, io: Io, out: &mut [f64]) -> Result<(), String> {
        let fh = open(ctx, path, MPI_MODE_RDONLY as c_int, &[])?;
        let mut result = Ok(());
        for k in 0..rounds(ctx) {
            let (start, n) = piece(ctx.count, k);
            if io == Io::Indep && n == 0 {
                break;
            }
            let offset = ((ctx.first + start) * 8) as MPI_Offset;
            let buf = out[start as usize..].as_mut_ptr().cast();
            // SAFETY: `out` has room for `n` doubles from `start`.
            let rc = unsafe {
                match io {
                    Io::Coll => MPI_File_read_at_all(
                        fh,
                        offset,
                        buf,
                        n as c_int,
                        RSMPI_DOUBLE,
                        RSMPI_STATUS_IGNORE,
                    ),
                    Io::Indep => MPI_File_read_at(
                        fh,
                        offset,
                        buf,
                        n as c_int,
                        RSMPI_DOUBLE,
                        RSMPI_STATUS_IGNORE,
                    ),
                }
            };
            if result.is_ok() {
                result = check(rc, "MPI_File_read_at");
            }
        }
        let closed = close(fh);
        result?;
        closed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_cover_a_block() {
        let count = 2 * CHUNK + 5;
        let mut next = 0;
        for k in 0..3 {
            let (s, n) = piece(count, k);
            assert_eq!(s, next);
            next = s + n;
        }
        assert_eq!(next, count);
        assert_eq!(piece(10, 0), (0, 10));
        assert_eq!(piece(10, 1), (10, 0));
    }
}
