//! Small collective helpers: agree on an outcome, broadcast text, max-reduce a time, and wait
//! at a barrier without burning a core.

use std::time::Duration;

use mpi::collective::SystemOperation;
use mpi::topology::SimpleCommunicator;
use mpi::traits::{Communicator, CommunicatorCollectives, Root};

/// Collective: every rank passes its own outcome; every rank gets `Ok` if all succeeded, or
/// the same error (the message of the lowest failing rank, naming it) if any failed.
pub fn agree<T>(comm: &SimpleCommunicator, local: Result<T, String>) -> Result<T, String> {
    let size = comm.size();
    let mine = if local.is_err() { comm.rank() } else { size };
    let mut first = size;
    comm.all_reduce_into(&mine, &mut first, SystemOperation::min());
    if first == size {
        return local;
    }
    let msg = match &local {
        Err(e) => e.clone(),
        Ok(_) => String::new(),
    };
    let msg = broadcast_string(comm, first, &msg);
    Err(if size > 1 {
        format!("rank {first}: {msg}")
    } else {
        msg
    })
}

/// Collective: the string `s` of rank `root` on every rank.
pub fn broadcast_string(comm: &SimpleCommunicator, root: i32, s: &str) -> String {
    let p = comm.process_at_rank(root);
    let mut len = s.len() as u64;
    p.broadcast_into(&mut len);
    if len == 0 {
        // Nothing to send (and MPI_Bcast of an empty slice is refused by some MPIs).
        return String::new();
    }
    let mut buf = if comm.rank() == root {
        s.as_bytes().to_vec()
    } else {
        vec![0u8; len as usize]
    };
    p.broadcast_into(&mut buf[..]);
    String::from_utf8_lossy(&buf).into_owned()
}

/// Collective: the largest of every rank's `t`.
pub fn max_f64(comm: &SimpleCommunicator, t: f64) -> f64 {
    let mut m = 0.0f64;
    comm.all_reduce_into(&t, &mut m, SystemOperation::max());
    m
}

/// Collective: a barrier that a rank waits at with `MPI_Ibarrier` + `MPI_Test` and a short
/// sleep, so that ranks waiting for a long action of another rank (a child job) leave the
/// cores to it instead of spinning in `MPI_Barrier`.
pub fn sleepy_barrier(comm: &SimpleCommunicator) {
    let mut req = comm.immediate_barrier();
    loop {
        match req.test() {
            Ok(_) => return,
            Err(r) => {
                req = r;
                std::thread::sleep(Duration::from_millis(2));
            }
        }
    }
}

/// Collective: the sum of every rank's `x`.
pub fn sum_f64(comm: &SimpleCommunicator, x: f64) -> f64 {
    let mut m = 0.0f64;
    comm.all_reduce_into(&x, &mut m, SystemOperation::sum());
    m
}
