//! Small collective helpers: agree on an outcome, broadcast text, max-reduce a time, and wait
//! at a barrier without burning a core.

use std::time::Duration;

use mpi::collective::SystemOperation;
use mpi::topology::SimpleCommunicator;
use mpi::traits::{Communicator, CommunicatorCollectives};

/// Collective: every rank passes its own outcome; every rank gets `Ok` if all succeeded, or
/// the same error (the message of the lowest failing rank, `rank R: ...`) if any failed. It is
/// the core's agreement ([`h5par::comm::agree_value`]: sequence-numbered, under the watchdog).
pub fn agree<T>(comm: &SimpleCommunicator, local: Result<T, String>) -> Result<T, String> {
    h5par::comm::agree_value(comm, WHAT, local.map_err(h5par::Error::Invalid))
        .map_err(|e| short_message(&e.message(), comm.size()))
}

/// What stripe-bench's agreements are called in the core's messages.
const WHAT: &str = "stripe-bench";

/// `rank R: message` from the core's `stripe-bench: rank R of N: message` (the message alone
/// with one rank).
fn short_message(core: &str, size: i32) -> String {
    let m = core.strip_prefix(WHAT).unwrap_or(core);
    let m = m.strip_prefix(": ").unwrap_or(m);
    let Some(rest) = m.strip_prefix("rank ") else {
        return m.to_string();
    };
    let Some((rank, tail)) = rest.split_once(&format!(" of {size}: ")) else {
        return m.to_string();
    };
    if size > 1 {
        format!("rank {rank}: {tail}")
    } else {
        tail.to_string()
    }
}

/// Collective: the string `s` of rank `root` on every rank (the core's
/// [`h5par::comm::broadcast_text`]).
pub fn broadcast_string(comm: &SimpleCommunicator, root: i32, s: &str) -> String {
    h5par::comm::broadcast_text(comm, root, s)
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

#[cfg(test)]
mod tests {
    use super::short_message;

    #[test]
    fn core_messages_become_short() {
        assert_eq!(
            short_message("stripe-bench: rank 1 of 4: disk full", 4),
            "rank 1: disk full"
        );
        assert_eq!(short_message("stripe-bench: rank 0 of 1: no", 1), "no");
        assert_eq!(short_message("something else", 2), "something else");
    }
}
