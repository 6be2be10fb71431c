//! Collective agreement and cross-rank consistency checks.
//!
//! Every collective call in h5par follows the same pattern: each rank validates its own
//! arguments, then all ranks [`agree`] in one small allreduce on (a) whether any rank failed and
//! (b) whether every rank passed the same arguments (a 64-bit hash of their canonical text).
//! Only then is HDF5 entered, and the outcome is agreed again. A rank's bad argument therefore
//! becomes every rank's clear error that names the rank, instead of a deadlock.

use std::hash::{Hash, Hasher};

use mpi::collective::SystemOperation;
use mpi::traits::{Communicator, CommunicatorCollectives, Root};

use crate::error::{Error, ErrorKind, Result};

/// A 64-bit hash of `text`, the same on every rank running the same build.
pub fn hash_text(text: &str) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

/// A 64-bit hash of `bytes`, the same on every rank running the same build.
pub fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    bytes.hash(&mut h);
    h.finish()
}

/// Whether MPI has been initialized (and not finalized) in this process.
pub fn mpi_ready() -> bool {
    let mut finalized = 0;
    // SAFETY: MPI_Finalized may be called at any time, even before MPI_Init.
    unsafe { mpi::ffi::MPI_Finalized(&mut finalized) };
    finalized == 0 && mpi::environment::is_initialized()
}

/// Collective: every rank of `comm` calls it with its own `local` outcome and, when the call's
/// arguments must be identical on all ranks, their canonical description `args`.
///
/// Returns `Ok(())` on every rank when every rank succeeded and all descriptions agree.
/// Otherwise returns an error on every rank:
/// - a rank that failed gets its own error, its message prefixed with `rank R of N: `;
/// - the other ranks get [`Error::Remote`] with the first failing rank, its kind and message;
/// - if no rank failed but the `args` differ, every rank gets [`Error::Mismatch`] naming the
///   ranks that differ from rank 0 and what they passed.
///
/// `what` names the operation and object (for example `create dataset "/x" in "out.h5"`).
///
/// Costs one allreduce of four integers when all is well.
///
/// ```no_run
/// use mpi::traits::*;
/// let universe = mpi::initialize().unwrap();
/// let world = universe.world();
/// let mine: h5par::Result<()> = if world.rank() == 1 {
///     Err(h5par::Error::Invalid("offset out of range".into()))
/// } else {
///     Ok(())
/// };
/// // Every rank returns an error that names rank 1.
/// let outcome = h5par::comm::agree(&world, "write \"/x\"", mine, Some("shape [4]"));
/// assert!(outcome.is_err() || world.size() < 2);
/// ```
pub fn agree<C: Communicator + ?Sized>(
    comm: &C,
    what: &str,
    local: Result<()>,
    args: Option<&str>,
) -> Result<()> {
    let rank = comm.rank() as i64;
    // Everything is a non-negative i64: some MPI libraries reduce 64-bit unsigned integers
    // as signed ones, which would turn u64::MAX into -1.
    let hash = args.map(|a| (hash_text(a) >> 1) as i64).unwrap_or(0);
    let failed = local.is_err();
    let send: [i64; 4] = [
        if failed { rank } else { i64::MAX },
        if failed { i64::MAX - rank } else { i64::MAX },
        hash,
        i64::MAX - hash,
    ];
    let mut recv = [0i64; 4];
    comm.all_reduce_into(&send[..], &mut recv[..], SystemOperation::min());
    if recv[0] != i64::MAX {
        let (first, last) = (recv[0] as i32, (i64::MAX - recv[1]) as i32);
        return Err(share_failure(comm, what, local, first, last));
    }
    let (min_hash, max_hash) = (recv[2], i64::MAX - recv[3]);
    if min_hash != max_hash {
        return Err(describe_mismatch(comm, what, hash, args.unwrap_or("")));
    }
    Ok(())
}

/// Collective: like [`agree`] without argument checking, returning the local value on success.
pub fn agree_value<C: Communicator + ?Sized, T>(
    comm: &C,
    what: &str,
    local: Result<T>,
) -> Result<T> {
    match local {
        Ok(v) => agree(comm, what, Ok(()), None).map(|()| v),
        Err(e) => {
            let e2 = agree(comm, what, Err(e), None);
            Err(e2.expect_err("a local failure is always a collective failure"))
        }
    }
}

fn share_failure<C: Communicator + ?Sized>(
    comm: &C,
    what: &str,
    local: Result<()>,
    first: i32,
    last: i32,
) -> Error {
    let rank = comm.rank();
    let size = comm.size();
    let others = if last != first {
        format!(" (ranks {first} to {last} failed; the first is shown)")
    } else {
        String::new()
    };
    // The first failing rank broadcasts its kind and message.
    let mut header = [0u64; 2];
    let mut text: Vec<u8> = Vec::new();
    if rank == first {
        if let Err(e) = &local {
            text = e.message().into_bytes();
            header = [e.kind().code() as u64, text.len() as u64];
        }
    }
    let root = comm.process_at_rank(first);
    root.broadcast_into(&mut header[..]);
    text.resize(header[1] as usize, 0);
    root.broadcast_into(&mut text[..]);
    let message = String::from_utf8_lossy(&text).into_owned();
    let kind = ErrorKind::from_code(header[0] as i32).unwrap_or(ErrorKind::Internal);
    match local {
        Err(e) => Error::new(
            e.kind(),
            format!("{what}: rank {rank} of {size}: {}{others}", e.message()),
        ),
        Ok(()) => Error::Remote {
            rank: first,
            kind,
            message: format!("{what}: rank {first} of {size}: {message}{others}"),
        },
    }
}

fn describe_mismatch<C: Communicator + ?Sized>(
    comm: &C,
    what: &str,
    hash: i64,
    args: &str,
) -> Error {
    let size = comm.size() as usize;
    let mut all = vec![0i64; size];
    comm.all_gather_into(&hash, &mut all[..]);
    let differing: Vec<usize> = (0..size).filter(|&r| all[r] != all[0]).collect();
    let first_diff = differing.first().copied().unwrap_or(0) as i32;
    let (d0, d1) = excerpts(
        &broadcast_text(comm, 0, args),
        &broadcast_text(comm, first_diff, args),
    );
    let list = rank_list(&differing);
    Error::Mismatch(format!(
        "{what}: ranks passed different arguments to a collective call: rank 0 passed {d0}, \
         but {list} passed something else (rank {first_diff} passed {d1})"
    ))
}

fn broadcast_text<C: Communicator + ?Sized>(comm: &C, root: i32, text: &str) -> String {
    let mut len = [text.len() as u64];
    let r = comm.process_at_rank(root);
    r.broadcast_into(&mut len[..]);
    let mut buf = if comm.rank() == root {
        text.as_bytes().to_vec()
    } else {
        vec![0u8; len[0] as usize]
    };
    r.broadcast_into(&mut buf[..]);
    String::from_utf8_lossy(&buf).into_owned()
}

/// Two descriptions shortened around their first difference, so long ones stay readable.
fn excerpts(a: &str, b: &str) -> (String, String) {
    const CONTEXT: usize = 40;
    let (ca, cb): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if ca.len() <= 2 * CONTEXT && cb.len() <= 2 * CONTEXT {
        return (format!("`{a}`"), format!("`{b}`"));
    }
    let first = ca.iter().zip(&cb).take_while(|(x, y)| x == y).count();
    let start = first.saturating_sub(CONTEXT);
    let cut = |c: &[char]| {
        let end = (first + CONTEXT).min(c.len());
        let body: String = c[start.min(c.len())..end].iter().collect();
        format!(
            "`{}{body}{}`",
            if start > 0 { "..." } else { "" },
            if end < c.len() { "..." } else { "" }
        )
    };
    (cut(&ca), cut(&cb))
}

/// "rank 3", "ranks 1, 2, 5" or "ranks 1, 2, 3, ... (40 ranks)".
fn rank_list(ranks: &[usize]) -> String {
    match ranks {
        [one] => format!("rank {one}"),
        _ if ranks.len() <= 8 => format!(
            "ranks {}",
            ranks
                .iter()
                .map(|r| r.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        _ => format!(
            "ranks {}, ... ({} ranks)",
            ranks[..8]
                .iter()
                .map(|r| r.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            ranks.len()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_stable_and_discriminates() {
        assert_eq!(hash_text("shape [4, 4]"), hash_text("shape [4, 4]"));
        assert_ne!(hash_text("shape [4, 4]"), hash_text("shape [4, 5]"));
    }

    #[test]
    fn long_descriptions_are_cut_around_the_difference() {
        let a = format!("{}shape [10]{}", "x".repeat(100), "y".repeat(100));
        let b = format!("{}shape [11]{}", "x".repeat(100), "y".repeat(100));
        let (ea, eb) = excerpts(&a, &b);
        assert!(
            ea.contains("shape [10]") && eb.contains("shape [11]"),
            "{ea} {eb}"
        );
        assert!(ea.len() < 100 && ea.starts_with("`...") && ea.ends_with("...`"));
        assert_eq!(excerpts("a", "b"), ("`a`".to_string(), "`b`".to_string()));
    }

    #[test]
    fn rank_lists_read_well() {
        assert_eq!(rank_list(&[3]), "rank 3");
        assert_eq!(rank_list(&[1, 2, 5]), "ranks 1, 2, 5");
        let many: Vec<usize> = (1..41).collect();
        assert_eq!(
            rank_list(&many),
            "ranks 1, 2, 3, 4, 5, 6, 7, 8, ... (40 ranks)"
        );
    }
}
