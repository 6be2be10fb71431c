//! Collective agreement and cross-rank consistency checks.
//!
//! Every collective call in h5par follows the same pattern: each rank validates its own
//! arguments, then all ranks [`agree`] in one small allreduce on (a) whether any rank failed and
//! (b) whether every rank passed the same arguments (a 64-bit hash of their canonical text).
//! Only then is HDF5 entered, and the outcome is agreed again. A rank's bad argument therefore
//! becomes every rank's clear error that names the rank, instead of a deadlock.
//!
//! # Where a call skips a step
//!
//! The agreement before HDF5 is never skipped: it is what makes every rank enter the same
//! HDF5 call (an HDF5 collective entered by some ranks only would hang inside HDF5, where no
//! watchdog can help). The agreement on the outcome is skipped only where HDF5's outcome is
//! already the same on every rank, so that an error is still every rank's, from the same call
//! ([`known_outcome`]): creating a contiguous dataset, creating a group or writing an
//! attribute in a tuned file (`crate::io`: with tuning on, the metadata cache does not evict
//! and a contiguous dataset is never pre-filled, so these calls change HDF5's in-memory
//! metadata only, identically on every rank from the same agreed arguments, and write
//! nothing; what they read was read before the first agreement). Reads, writes, opens
//! (they read the file), chunked or untuned creates (HDF5 writes fill values), extents and
//! closes agree on their outcome. One case remains where HDF5 itself may fail on some ranks
//! only inside such a call: a metadata-cache sync point (HDF5 writes dirty metadata there,
//! every 256 KiB of it by default) on a full disk. An agreement on the outcome would not
//! help there (HDF5 then also waits in its own barrier for the failing ranks); when the ranks
//! do return, the next collective call finds them in different calls, an error on every rank.
//!
//! Opening a dataset and reading one agree on their outcome only on the ranks where HDF5
//! failed ([`deferred_outcome`]): a rank where it succeeded goes on, and its next agreement on
//! the same communicator is the one the failing ranks are waiting in. When every rank failed
//! (a missing dataset: the ranks read the same metadata), they agree together, and every rank
//! gets the error from the call itself, as before. When only some failed, those get the error
//! from the call, and the others from their next collective call on the file (whatever it is,
//! the close included), which then finds the ranks in different calls and names both: an
//! error on every rank, before anything more is written or published, and without a hang as
//! long as that next call is on the same file. Such calls change nothing in the file, so
//! nothing is lost by learning of the failure one call later; writes, creates with fill
//! values, extents and closes still agree on their outcome on every rank.

use std::hash::{Hash, Hasher};

use mpi::traits::{Communicator, CommunicatorCollectives, Root};

use crate::error::{Error, ErrorKind, Result};

pub mod fused;
pub mod wait;

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
/// What is agreed on is the operation and its object (`what`, for example `write out.h5:/x`,
/// which must therefore be the same text on every rank), the arguments (`args`) and the
/// communicator's sequence number of this agreement (a counter cached on the communicator as
/// an MPI attribute, see [`wait::sequence`]), so that a write is never agreed with a close or
/// with a different write.
///
/// Returns `Ok(())` on every rank when every rank succeeded and all of that agrees.
/// Otherwise returns an error on every rank:
/// - a rank that failed gets its own error, its message prefixed with `rank R of N: `;
/// - the other ranks get [`Error::Remote`] with the first failing rank, its kind and message;
/// - if no rank failed but the ranks are in different calls (a different operation or object,
///   or a different sequence number), every rank gets [`Error::Mismatch`] saying which rank is
///   in which call (`rank 0 is in write out.h5:/x (collective call 7 ...), rank 1 is in close
///   out.h5 ...`), and the communicator is marked as diverged ([`wait::diverged`]);
/// - if they are in the same call with different `args`, that is an error in this call, like
///   a failing rank's: every rank gets [`Error::Mismatch`] naming the fields of `args` (see
///   [`FIELD_SEP`]) that differ, rank 0's and a differing rank's (`rank 0 passed `new extent
///   [10]`, rank 1 passed `new extent [12]``), and the ranks stay in step (nothing is marked).
///
/// The allreduce is non-blocking and waited for with the watchdog ([`wait::Watchdog`]:
/// `H5PAR_WATCHDOG` seconds, `H5PAR_WATCHDOG_ABORT=1`), yielding and sleeping rather than
/// spinning. Costs one allreduce of four integers when all is well.
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
    agree_call(comm, what, local, args).result
}

/// For a collective call whose outcome HDF5 already makes the same on every rank (see
/// [Where a call skips a step](self#where-a-call-skips-a-step)): no agreement; a local error
/// is prefixed with the call and this rank, as [`agree`] prefixes a failing rank's own.
pub fn known_outcome<C: Communicator + ?Sized, T>(
    comm: &C,
    what: &str,
    local: Result<T>,
) -> Result<T> {
    local.map_err(|e| {
        Error::new(
            e.kind(),
            format!(
                "{what}: rank {} of {}: {}",
                comm.rank(),
                comm.size(),
                e.message()
            ),
        )
    })
}

/// Collective on failure only, for a call that changes nothing in the file (a dataset open,
/// a read: see [Where a call skips a step](self#where-a-call-skips-a-step)): on a rank where
/// `local` succeeded, no agreement (the value is returned; the rank's next agreement on `comm`
/// meets any failing rank's); on a rank where it failed, the agreement on the outcome, with
/// every other failing rank, and with the next agreement of the ranks that succeeded.
pub fn deferred_outcome<C: Communicator + ?Sized, T>(
    comm: &C,
    what: &str,
    local: Result<T>,
) -> Result<T> {
    match local {
        Ok(v) => Ok(v),
        Err(e) => agree_value(comm, what, Err(e)),
    }
}

/// The outcome of [`agree_call`].
#[derive(Debug)]
pub struct Agreement {
    /// What [`agree`] returns.
    pub result: Result<()>,
    /// Whether every rank was in the same call (same operation, object and sequence number),
    /// whether or not some rank failed in it or the ranks passed different arguments to it
    /// (both are an error in this call, on every rank).
    pub same_call: bool,
    /// This agreement's sequence number on the communicator.
    pub seq: u64,
    /// Whether some rank raised the flag of [`agree_call_flag`] (known only when no rank
    /// failed and every rank was in the same call; `false` otherwise).
    pub flagged: bool,
}

/// Collective: [`agree`], also telling whether every rank was in the same call, so that a
/// caller can tell "a rank failed in this call" (every rank is here and can clean up together)
/// from "the ranks are in different calls" (nothing more can be done collectively).
pub fn agree_call<C: Communicator + ?Sized>(
    comm: &C,
    what: &str,
    local: Result<()>,
    args: Option<&str>,
) -> Agreement {
    agree_call_flag(comm, what, local, args, false)
}

/// Collective: [`agree_call`] that also carries one flag of this rank (`flag`) in the same
/// allreduce: [`Agreement::flagged`] says whether any rank raised it. Costs nothing more than
/// the agreement (the flag rides in the word of the first failing rank).
pub fn agree_call_flag<C: Communicator + ?Sized>(
    comm: &C,
    what: &str,
    local: Result<()>,
    args: Option<&str>,
    flag: bool,
) -> Agreement {
    let mut start = start_agreement_flag(comm, what, local, args, flag);
    let mut recv = [0i64; 4];
    if let Err(e) = wait::allreduce_min(comm, &start.words, &mut recv, what, start.seq) {
        return Agreement {
            result: Err(e),
            same_call: false,
            seq: start.seq,
            flagged: false,
        };
    }
    finish_agreement(comm, what, args, &mut start, &recv)
}

/// An agreement's words before the allreduce (see [`agree_call`]), for callers that carry them
/// in an allreduce of their own ([`fused`]).
pub(crate) struct Started {
    /// The four words to reduce with the minimum.
    pub words: [i64; 4],
    /// The sequence number of this agreement.
    pub seq: u64,
    local: Option<Result<()>>,
    counter: Option<&'static wait::Counter>,
}

/// The local half of an agreement: its sequence number and the four words every rank reduces
/// with the minimum (first failing rank, last failing rank, the call's hash twice).
pub(crate) fn start_agreement<C: Communicator + ?Sized>(
    comm: &C,
    what: &str,
    local: Result<()>,
    args: Option<&str>,
) -> Started {
    start_agreement_flag(comm, what, local, args, false)
}

/// The first word of a rank that did not fail: [`NO_FLAG`], or [`FLAG`] when it raises the
/// flag of [`agree_call_flag`]. Any failing rank's number is smaller than both, so the
/// minimum is the first failing rank when one failed, else says whether any rank raised it.
const NO_FLAG: i64 = i64::MAX;
/// See [`NO_FLAG`].
const FLAG: i64 = i64::MAX - 1;

/// [`start_agreement`] with this rank's flag (see [`agree_call_flag`]).
fn start_agreement_flag<C: Communicator + ?Sized>(
    comm: &C,
    what: &str,
    local: Result<()>,
    args: Option<&str>,
    flag: bool,
) -> Started {
    let counter = wait::counter(comm);
    let (seq, local) = match &counter {
        Ok(c) => (c.next_seq(), local),
        Err(e) => (0, local.and(Err(e.clone()))),
    };
    let rank = comm.rank() as i64;
    // Everything is a non-negative i64: some MPI libraries reduce 64-bit unsigned integers
    // as signed ones, which would turn u64::MAX into -1.
    let call = call_hash(what, args);
    let full = (seq_hash(call, seq) >> 1) as i64;
    let failed = local.is_err();
    let words: [i64; 4] = [
        match (failed, flag) {
            (true, _) => rank,
            (false, true) => FLAG,
            (false, false) => NO_FLAG,
        },
        if failed { i64::MAX - rank } else { i64::MAX },
        full,
        i64::MAX - full,
    ];
    Started {
        words,
        seq,
        local: Some(local),
        counter: counter.ok(),
    }
}

/// Collective on the slow path only: the outcome of an agreement from the reduced words
/// `recv` (the minimum over the ranks of [`Started::words`]).
pub(crate) fn finish_agreement<C: Communicator + ?Sized>(
    comm: &C,
    what: &str,
    args: Option<&str>,
    start: &mut Started,
    recv: &[i64; 4],
) -> Agreement {
    let seq = start.seq;
    let local = start.local.take().unwrap_or(Ok(()));
    let alike = recv[2] == i64::MAX - recv[3];
    let any_failed = recv[0] < FLAG;
    if !any_failed && alike {
        if let Some(c) = start.counter {
            c.note_outcome(seq, false);
        }
        return Agreement {
            result: Ok(()),
            same_call: true,
            seq,
            flagged: recv[0] == FLAG,
        };
    }
    // Slow path: the ranks differ in the operation, its object, the sequence number or only
    // the arguments. Only the first three put them in different calls; different arguments
    // are an error in this call, on every rank, which every rank can then clean up from
    // together (a close, say).
    let calls = (!alike).then(|| describe_calls(comm, what, args, seq));
    let same_call = calls.as_ref().is_none_or(|c| c.same_call);
    if let (Some(c), false) = (start.counter, same_call) {
        c.note_outcome(seq, true);
    }
    let calls = calls.map(|c| c.message);
    let result = if any_failed {
        let (first, last) = (recv[0] as i32, (i64::MAX - recv[1]) as i32);
        let e = share_failure(comm, what, local, first, last);
        match calls {
            Some(c) => e.context_after(format!("; besides, {c}")),
            None => e,
        }
    } else {
        Error::Mismatch(calls.unwrap_or_default())
    };
    Agreement {
        result: Err(result),
        same_call,
        seq,
        flagged: false,
    }
}

/// The hash of a call's operation, object and arguments (without the sequence number),
/// hashed in place (no text is built: this runs on every collective call).
fn call_hash(what: &str, args: Option<&str>) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    h.write(what.as_bytes());
    h.write_u8(0);
    h.write(args.unwrap_or("").as_bytes());
    h.finish()
}

/// The hash of a call's operation and object only (the slow path's question: are the ranks in
/// the same call with different arguments?).
fn operation_hash(what: &str) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    h.write(what.as_bytes());
    h.finish()
}

/// The hash of a call (see [`call_hash`]) and its sequence number.
fn seq_hash(call: u64, seq: u64) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    h.write_u64(call);
    h.write_u64(seq);
    h.finish()
}

/// Collective: [`agree`] without argument checking, returning the local value on success.
pub fn agree_value<C: Communicator + ?Sized, T>(
    comm: &C,
    what: &str,
    local: Result<T>,
) -> Result<T> {
    agree_value_args(comm, what, local, None)
}

/// Collective: [`agree`] on a local outcome that carries a value (the checked arguments of a
/// call, say), also checking that every rank passed the same `args` (when given). Returns the
/// local value when every rank succeeded and agrees, else the agreed error on every rank; the
/// value is never lost on a rank that succeeded.
pub fn agree_value_args<C: Communicator + ?Sized, T>(
    comm: &C,
    what: &str,
    local: Result<T>,
    args: Option<&str>,
) -> Result<T> {
    match local {
        Ok(v) => agree(comm, what, Ok(()), args).map(|()| v),
        Err(e) => Err(agree(comm, what, Err(e), args)
            .err()
            .unwrap_or_else(|| Error::Internal(format!("{what}: a failure agreed as success")))),
    }
}

/// What to do when ranks are in different collective calls.
pub const ORDER_HINT: &str = "every rank must make the same collective calls in the same \
    order; for a write or read by some ranks only, call it on every rank and pass an empty \
    selection (count 0) on the others, or use independent I/O (Xfer::Independent in Rust, \
    H5PAR_INDEPENDENT in C, collective=False in Python)";

/// What [`describe_calls`] found.
struct Calls {
    /// Whether every rank is in the same operation on the same object as the same call of the
    /// communicator (then only the arguments differ).
    same_call: bool,
    /// Which rank is in which call, or which arguments differ.
    message: String,
}

/// Collective (slow path, after an agreement found differences): which rank is in which call,
/// or, when they are in the same call, which arguments differ.
fn describe_calls<C: Communicator + ?Sized>(
    comm: &C,
    what: &str,
    args: Option<&str>,
    seq: u64,
) -> Calls {
    let size = comm.size() as usize;
    let args = args.unwrap_or("");
    let full = (seq_hash(call_hash(what, Some(args)), seq) >> 1) as i64;
    let op = (operation_hash(what) >> 1) as i64;
    let mine = [full, op, seq as i64];
    let mut all = vec![0i64; 3 * size];
    comm.all_gather_into(&mine[..], &mut all[..]);
    let same_call = (0..size).all(|r| all[3 * r + 1] == all[1] && all[3 * r + 2] == all[2]);
    let differing: Vec<usize> = (0..size).filter(|&r| all[3 * r] != all[0]).collect();
    let d = differing.first().copied().unwrap_or(0);
    let what0 = broadcast_text(comm, 0, what);
    let args0 = broadcast_text(comm, 0, args);
    let what_d = broadcast_text(comm, d as i32, what);
    let args_d = broadcast_text(comm, d as i32, args);
    let message = if same_call {
        arguments_message((&what0, &args0, all[2] as u64), (d, &args_d), &differing)
    } else {
        calls_message(
            (&what0, &args0, all[2] as u64),
            (d, &what_d, &args_d, all[3 * d + 2] as u64),
            &differing,
        )
    };
    Calls { same_call, message }
}

/// The separator of the fields of a call's argument description (`args` of [`agree`]):
/// `"new extent [10]; chunks [4]"`. When the ranks pass different arguments, the error names
/// the fields that differ (see [`arguments_message`]).
pub const FIELD_SEP: &str = "; ";

/// The message for ranks in the same call with different arguments (pure): the fields of the
/// argument descriptions that differ (see [`FIELD_SEP`]), rank 0's and the first differing
/// rank's, or the descriptions around their first difference.
fn arguments_message(
    first: (&str, &str, u64),
    other: (usize, &str),
    differing: &[usize],
) -> String {
    let (what0, args0, seq) = first;
    let (d, args_d) = other;
    let (f0, fd): (Vec<&str>, Vec<&str>) = (
        args0.split(FIELD_SEP).collect(),
        args_d.split(FIELD_SEP).collect(),
    );
    let (a0, ad) = if f0.len() == fd.len() && f0.len() > 1 {
        let pick = |f: &[&str]| {
            f.iter()
                .zip(f0.iter().zip(&fd))
                .filter(|(_, (x, y))| x != y)
                .map(|(v, _)| *v)
                .collect::<Vec<_>>()
                .join(FIELD_SEP)
        };
        excerpts(&pick(&f0), &pick(&fd))
    } else {
        excerpts(args0, args_d)
    };
    let others = if differing.len() > 1 {
        format!(
            "{} passed other arguments (rank {d} passed {ad})",
            rank_list(differing)
        )
    } else {
        format!("rank {d} passed {ad}")
    };
    format!(
        "{what0}: the ranks are in the same collective call (call {seq} on this communicator) \
         with different arguments: rank 0 passed {a0}, {others}: every rank must pass the same \
         arguments to a collective call"
    )
}

/// The message for ranks in different calls (pure): rank 0's call and the first differing
/// rank's, with the list of all differing ranks.
fn calls_message(
    first: (&str, &str, u64),
    other: (usize, &str, &str, u64),
    differing: &[usize],
) -> String {
    let (what0, _, seq0) = first;
    let (d, what_d, _, seq_d) = other;
    let list = rank_list(differing);
    let who = if differing.len() > 1 {
        format!("{list} are in other calls (rank {d} is in {what_d}, call {seq_d})")
    } else {
        format!("{list} is in {what_d} (call {seq_d})")
    };
    if what0 != what_d {
        format!(
            "rank 0 is in {what0} (collective call {seq0} on this communicator), {who}: \
             {ORDER_HINT}"
        )
    } else {
        format!(
            "rank 0 is in {what0} as collective call {seq0} on this communicator, {list} as \
             call {seq_d}: the ranks made different numbers of collective calls before; \
             {ORDER_HINT}"
        )
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
    // One byte more (see broadcast_text: an empty buffer would be MPI_IN_PLACE).
    text.resize(header[1] as usize + 1, 0);
    root.broadcast_into(&mut text[..]);
    text.pop();
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

/// Collective: the text `text` of rank `root` on every rank (two broadcasts; lossy UTF-8).
pub fn broadcast_text<C: Communicator + ?Sized>(comm: &C, root: i32, text: &str) -> String {
    let bytes = broadcast_bytes(comm, root, text.as_bytes().to_vec());
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Collective: the bytes `bytes` of rank `root` on every rank (what the other ranks pass is
/// ignored). Two broadcasts: the length, then the bytes.
pub fn broadcast_bytes<C: Communicator + ?Sized>(comm: &C, root: i32, bytes: Vec<u8>) -> Vec<u8> {
    let r = comm.process_at_rank(root);
    let mut buf = bytes;
    let mut len = [buf.len() as u64];
    r.broadcast_into(&mut len[..]);
    // One byte more than the data: an empty Vec's dangling address (0x1) is OpenMPI's
    // MPI_IN_PLACE, which MPI_Bcast rejects.
    buf.resize(len[0] as usize + 1, 0);
    r.broadcast_into(&mut buf[..]);
    buf.pop();
    buf
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
    fn calls_messages_say_who_is_where() {
        let m = calls_message(
            ("write out.h5:/x", "a", 7),
            (1, "close out.h5", "", 7),
            &[1],
        );
        assert!(
            m.starts_with(
                "rank 0 is in write out.h5:/x (collective call 7 on this communicator), rank 1 \
                 is in close out.h5 (call 7): every rank must make the same collective calls"
            ),
            "{m}"
        );
        assert!(
            m.contains("count 0") && m.contains("collective=False"),
            "{m}"
        );
        let m = calls_message(("write f:/x", "a", 7), (2, "close f", "", 7), &[1, 2]);
        assert!(
            m.contains("ranks 1, 2 are in other calls (rank 2 is in close f"),
            "{m}"
        );
        let m = calls_message(("write f:/x", "a", 3), (1, "write f:/x", "a", 5), &[1]);
        assert!(m.contains("different numbers of collective calls"), "{m}");
    }

    #[test]
    fn different_arguments_name_the_fields_that_differ() {
        let m = arguments_message(
            ("set extent of f:/x", "/x; new extent [10]", 3),
            (1, "/x; new extent [12]"),
            &[1],
        );
        assert!(
            m.starts_with(
                "set extent of f:/x: the ranks are in the same collective call (call 3 on this \
                 communicator) with different arguments: rank 0 passed `new extent [10]`, rank \
                 1 passed `new extent [12]`: every rank must pass the same arguments"
            ),
            "{m}"
        );
        let m = arguments_message(
            ("write f:/x", "dtype f8; shape [4]; chunks none", 3),
            (2, "dtype i4; shape [4]; chunks [2]"),
            &[1, 2],
        );
        assert!(
            m.contains(
                "rank 0 passed `dtype f8; chunks none`, ranks 1, 2 passed other \
                 arguments (rank 2 passed `dtype i4; chunks [2]`)"
            ),
            "{m}"
        );
        // Descriptions without fields: shown whole.
        let m = arguments_message(("write f:/x", "shape [4]", 3), (1, "shape [5]"), &[1]);
        assert!(
            m.contains("`shape [4]`") && m.contains("`shape [5]`"),
            "{m}"
        );
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
