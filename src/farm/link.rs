//! Point-to-point messages of bytes on the farm's own communicator (a duplicate of the
//! caller's), through MPI's matched probe (`MPI_Mprobe`/`MPI_Improbe` + `MPI_Mrecv`) so that a
//! message of any size is received whole. Waiting is MPI's own blocking wait.

use std::ffi::c_int;

use mpi::ffi;
use mpi::traits::Communicator;

use crate::error::{Error, Result};

/// A received message.
pub struct Msg {
    /// The sender's rank.
    pub source: i32,
    /// The message's bytes.
    pub bytes: Vec<u8>,
}

/// The farm's messaging over a communicator it owns.
pub struct Link {
    comm: ffi::MPI_Comm,
    pending: Vec<(ffi::MPI_Request, Vec<u8>)>,
}

fn check(what: &str, code: c_int) -> Result<()> {
    if code == 0 {
        Ok(())
    } else {
        Err(Error::Mpi(format!(
            "task farm: {what} failed with MPI error {code}"
        )))
    }
}

impl Link {
    /// Messages over `comm` (which must outlive the link).
    pub fn new<C: Communicator + ?Sized>(comm: &C) -> Link {
        Link {
            comm: comm.as_raw(),
            pending: Vec::new(),
        }
    }

    /// Sends `bytes` to `dest` with `tag`, waiting until the buffer may be reused.
    pub fn send(&mut self, dest: i32, tag: i32, bytes: &[u8]) -> Result<()> {
        // SAFETY: a valid buffer of bytes.len() bytes on a valid communicator.
        let code = unsafe {
            ffi::MPI_Send(
                bytes.as_ptr().cast(),
                bytes.len() as c_int,
                ffi::RSMPI_UINT8_T,
                dest,
                tag,
                self.comm,
            )
        };
        check("MPI_Send", code)
    }

    /// Sends `bytes` without waiting; the buffer is kept until the send completes (see
    /// [`Link::reap`]).
    pub fn post(&mut self, dest: i32, tag: i32, bytes: Vec<u8>) -> Result<()> {
        // SAFETY: reading a constant handle value the MPI library exports.
        let mut req: ffi::MPI_Request = unsafe { ffi::RSMPI_REQUEST_NULL };
        // SAFETY: `req` is written by MPI_Isend; the buffer's heap storage stays where it is
        // (the Vec is moved into `pending`, not reallocated) until the request completes;
        // `self.comm` is the link's live communicator.
        let code = unsafe {
            ffi::MPI_Isend(
                bytes.as_ptr().cast(),
                bytes.len() as c_int,
                ffi::RSMPI_UINT8_T,
                dest,
                tag,
                self.comm,
                &mut req,
            )
        };
        check("MPI_Isend", code)?;
        self.pending.push((req, bytes));
        Ok(())
    }

    /// Frees the buffers of posted sends that completed (never waits).
    pub fn reap(&mut self) -> Result<()> {
        let mut err = Ok(());
        self.pending.retain_mut(|(req, _)| {
            let mut flag: c_int = 0;
            // SAFETY: a request returned by MPI_Isend and not yet completed.
            let code = unsafe { ffi::MPI_Test(req, &mut flag, ffi::RSMPI_STATUS_IGNORE) };
            if code != 0 {
                err = check("MPI_Test", code);
                return false;
            }
            flag == 0
        });
        err
    }

    /// Waits for every posted send.
    pub fn flush(&mut self) -> Result<()> {
        for (mut req, _buf) in self.pending.drain(..) {
            // SAFETY: as in `reap`.
            let code = unsafe { ffi::MPI_Wait(&mut req, ffi::RSMPI_STATUS_IGNORE) };
            check("MPI_Wait", code)?;
        }
        Ok(())
    }

    /// Waits for a message with `tag` from `source` (`None`: any rank).
    pub fn recv(&mut self, source: Option<i32>, tag: i32) -> Result<Msg> {
        self.probe(source, tag, true)
            .map(|m| m.expect("a blocking probe returns a message"))
    }

    /// A message with `tag` from `source` if one has arrived (never waits).
    pub fn try_recv(&mut self, source: Option<i32>, tag: i32) -> Result<Option<Msg>> {
        self.probe(source, tag, false)
    }

    fn probe(&mut self, source: Option<i32>, tag: i32, block: bool) -> Result<Option<Msg>> {
        // SAFETY: plain MPI calls on valid handles; the status and message are written by MPI
        // before they are read, and the receive buffer has the probed size.
        unsafe {
            let src = source.unwrap_or(ffi::RSMPI_ANY_SOURCE);
            let mut msg: ffi::MPI_Message = ffi::RSMPI_MESSAGE_NULL;
            let mut status: ffi::MPI_Status = std::mem::zeroed();
            if block {
                check(
                    "MPI_Mprobe",
                    ffi::MPI_Mprobe(src, tag, self.comm, &mut msg, &mut status),
                )?;
            } else {
                let mut flag: c_int = 0;
                check(
                    "MPI_Improbe",
                    ffi::MPI_Improbe(src, tag, self.comm, &mut flag, &mut msg, &mut status),
                )?;
                if flag == 0 {
                    return Ok(None);
                }
            }
            let mut count: c_int = 0;
            check(
                "MPI_Get_count",
                ffi::MPI_Get_count(&status, ffi::RSMPI_UINT8_T, &mut count),
            )?;
            let mut bytes = vec![0u8; count.max(0) as usize];
            check(
                "MPI_Mrecv",
                ffi::MPI_Mrecv(
                    bytes.as_mut_ptr().cast(),
                    count,
                    ffi::RSMPI_UINT8_T,
                    &mut msg,
                    ffi::RSMPI_STATUS_IGNORE,
                ),
            )?;
            Ok(Some(Msg {
                source: status.MPI_SOURCE,
                bytes,
            }))
        }
    }
}

impl Drop for Link {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}
