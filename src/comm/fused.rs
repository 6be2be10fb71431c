//! One allreduce that is both the agreement of a collective call and its small reduction.
//!
//! A dot product, a norm or a minimum with its place needs an allreduce of a few numbers, and
//! its agreement (see [`super::agree`]) needs one of four integers. [`agree_reduce`] carries
//! both in one buffer of [`WORDS`] 64-bit words (the agreement's four words, the operation's
//! code and length, and up to [`SLOTS`] values), reduced by one user-defined MPI operation
//! that takes the minimum of the agreement's words and combines the values (sum, maximum,
//! minimum, or maximum/minimum with its place). So a dot product costs one allreduce, and a
//! mismatch (a rank that skipped the call, repeated it or is in another one) is found by the
//! same words as in every agreement and reported in the same words.
//!
//! Every call on a communicator that carries such fused calls must use this shape (one
//! element of the same derived datatype, the same operation): [`agree`] is the agreement
//! without values, for the other collective calls on that communicator, so that any two calls
//! that meet in MPI have the same shape and a mismatch is an error, not undefined behaviour.
//! The vector layer ([`crate::vector`]) uses it for every call on a map's communicator.

use std::ffi::{c_int, c_void};
use std::sync::OnceLock;

use mpi::collective::SystemOperation;
use mpi::traits::*;

use super::wait;
use crate::error::{Error, Result};

/// How many values one fused allreduce carries (more go in a second allreduce, after the
/// agreement succeeded).
pub const SLOTS: usize = 8;
/// Words of the fused buffer: the agreement's four, the operation's code and the number of
/// values, then [`SLOTS`] values.
pub const WORDS: usize = 6 + SLOTS;

/// How the values of [`agree_reduce`] are combined across ranks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reduce {
    /// Sum (the same on every rank: the operation is commutative).
    Sum,
    /// Maximum (NaN if any rank has NaN).
    Max,
    /// Minimum (NaN if any rank has NaN).
    Min,
    /// Values in pairs `(value, place)`: the largest value and, among equal ones, the smallest
    /// place (a gid as `f64`, exact below 2^53).
    MaxLoc,
    /// Pairs `(value, place)`: the smallest value and, among equal ones, the smallest place.
    MinLoc,
}

impl Reduce {
    fn code(self) -> i64 {
        match self {
            Reduce::Sum => 1,
            Reduce::Max => 2,
            Reduce::Min => 3,
            Reduce::MaxLoc => 4,
            Reduce::MinLoc => 5,
        }
    }
}

fn nan_or(x: f64, y: f64, f: fn(f64, f64) -> f64) -> f64 {
    if x.is_nan() || y.is_nan() {
        f64::NAN
    } else {
        f(x, y)
    }
}

/// Combines buffer `a` into buffer `b` (pure; what the MPI operation does to each element):
/// the minimum of the agreement's words, and the values with the operation named in word 4,
/// when both buffers name the same operation and length (when they do not, the agreement's
/// words differ too and the values are not used).
pub(crate) fn combine(a: &[i64; WORDS], b: &mut [i64; WORDS]) {
    for j in 0..4 {
        b[j] = b[j].min(a[j]);
    }
    if a[4] != b[4] || a[5] != b[5] || !(0..=SLOTS as i64).contains(&a[5]) {
        // Different calls (the agreement words say so too): anything alike on every rank.
        for j in 4..WORDS {
            b[j] = b[j].min(a[j]);
        }
        return;
    }
    let n = a[5] as usize;
    let f = |w: i64| f64::from_bits(w as u64);
    let w = |x: f64| x.to_bits() as i64;
    let (va, vb) = (&a[6..6 + n], &mut b[6..6 + n]);
    match a[4] {
        1 => vb
            .iter_mut()
            .zip(va)
            .for_each(|(y, &x)| *y = w(f(*y) + f(x))),
        2 => vb
            .iter_mut()
            .zip(va)
            .for_each(|(y, &x)| *y = w(nan_or(f(*y), f(x), f64::max))),
        3 => vb
            .iter_mut()
            .zip(va)
            .for_each(|(y, &x)| *y = w(nan_or(f(*y), f(x), f64::min))),
        4 | 5 => {
            let max = a[4] == 4;
            for (y, x) in vb.chunks_exact_mut(2).zip(va.chunks_exact(2)) {
                let (xv, xp, yv, yp) = (f(x[0]), f(x[1]), f(y[0]), f(y[1]));
                let better = if max { xv > yv } else { xv < yv };
                if better || (xv == yv && xp < yp) {
                    y.copy_from_slice(x);
                }
            }
        }
        _ => {}
    }
}

unsafe extern "C" fn combine_elements(
    invec: *mut c_void,
    inout: *mut c_void,
    len: *mut c_int,
    _dt: *mut mpi::ffi::MPI_Datatype,
) {
    // SAFETY: MPI passes `*len` elements of our datatype (WORDS contiguous i64) in each
    // buffer, which do not overlap.
    unsafe {
        let n = (*len).max(0) as usize;
        let a = std::slice::from_raw_parts(invec as *const [i64; WORDS], n);
        let b = std::slice::from_raw_parts_mut(inout as *mut [i64; WORDS], n);
        for (x, y) in a.iter().zip(b) {
            combine(x, y);
        }
    }
}

struct Handles {
    dtype: mpi::ffi::MPI_Datatype,
    op: mpi::ffi::MPI_Op,
}

// SAFETY: MPI datatype and operation handles are process-wide values, usable from any thread
// MPI allows; they are created once and never freed.
unsafe impl Send for Handles {}
// SAFETY: as above; they are only read after creation.
unsafe impl Sync for Handles {}

fn handles() -> Result<&'static Handles> {
    static H: OnceLock<std::result::Result<Handles, String>> = OnceLock::new();
    H.get_or_init(|| {
        use mpi::ffi;
        let mut dtype = std::mem::MaybeUninit::<ffi::MPI_Datatype>::uninit();
        let mut op = std::mem::MaybeUninit::<ffi::MPI_Op>::uninit();
        // SAFETY: MPI is initialized (the callers hold a communicator); the out-pointers are
        // valid and initialized by MPI when the calls succeed (checked).
        unsafe {
            let rc =
                ffi::MPI_Type_contiguous(WORDS as c_int, ffi::RSMPI_INT64_T, dtype.as_mut_ptr());
            if rc != 0 {
                return Err(format!("MPI_Type_contiguous failed (code {rc})"));
            }
            let rc = ffi::MPI_Type_commit(dtype.as_mut_ptr());
            if rc != 0 {
                return Err(format!("MPI_Type_commit failed (code {rc})"));
            }
            let rc = ffi::MPI_Op_create(Some(combine_elements), 1, op.as_mut_ptr());
            if rc != 0 {
                return Err(format!("MPI_Op_create failed (code {rc})"));
            }
            Ok(Handles {
                dtype: dtype.assume_init(),
                op: op.assume_init(),
            })
        }
    })
    .as_ref()
    .map_err(|e| Error::Mpi(e.clone()))
}

/// Collective: [`super::agree`] without values, in the shape of [`agree_reduce`] (for the
/// calls on a communicator that also carries fused reductions).
pub fn agree<C: Communicator + ?Sized>(
    comm: &C,
    what: &str,
    local: Result<()>,
    args: Option<&str>,
) -> Result<()> {
    agree_reduce(comm, what, local, args, Reduce::Sum, &mut [])
}

/// Collective: agrees like [`super::agree`] (same errors, same messages: a failed rank's own
/// error or [`Error::Remote`], [`Error::Mismatch`] for ranks in different calls) and, in the
/// same allreduce, combines `vals` across ranks with `op`. On success `vals` holds the
/// combined values on every rank; on error its contents are unspecified.
///
/// Up to [`SLOTS`] values travel with the agreement; more take a second allreduce after it.
/// The operation and the number of values are part of what is agreed.
pub fn agree_reduce<C: Communicator + ?Sized>(
    comm: &C,
    what: &str,
    mut local: Result<()>,
    args: Option<&str>,
    op: Reduce,
    vals: &mut [f64],
) -> Result<()> {
    let paired = matches!(op, Reduce::MaxLoc | Reduce::MinLoc);
    if local.is_ok() && paired && (vals.len() % 2 != 0 || vals.len() > SLOTS) {
        local = Err(Error::Internal(format!(
            "{what}: {} values for {op:?} (pairs, at most {SLOTS})",
            vals.len()
        )));
    }
    let n = vals.len().min(SLOTS);
    let described = format!("{} ({op:?} of {})", args.unwrap_or(""), vals.len());
    let args = Some(described.as_str());
    let h = match handles() {
        Ok(h) => h,
        Err(e) => return Err(e.context(what)),
    };
    let mut start = super::start_agreement(comm, what, local, args);
    let mut send = [0i64; WORDS];
    send[..4].copy_from_slice(&start.words);
    send[4] = op.code();
    send[5] = n as i64;
    for (w, &v) in send[6..6 + n].iter_mut().zip(&vals[..n]) {
        *w = v.to_bits() as i64;
    }
    let mut recv = [0i64; WORDS];
    allreduce(comm, h, &send, &mut recv, what, start.seq)?;
    let mut words = [0i64; 4];
    words.copy_from_slice(&recv[..4]);
    super::finish_agreement(comm, what, args, &mut start, &words).result?;
    for (v, &w) in vals[..n].iter_mut().zip(&recv[6..6 + n]) {
        *v = f64::from_bits(w as u64);
    }
    if vals.len() > n {
        let rest = vals[n..].to_vec();
        let sys = match op {
            Reduce::Sum => SystemOperation::sum(),
            Reduce::Max => SystemOperation::max(),
            _ => SystemOperation::min(),
        };
        comm.all_reduce_into(&rest[..], &mut vals[n..], sys);
    }
    Ok(())
}

/// The fused allreduce, non-blocking and waited for with the watchdog (as
/// [`wait::allreduce_min`] waits for a plain agreement's).
fn allreduce<C: Communicator + ?Sized>(
    comm: &C,
    h: &Handles,
    send: &[i64; WORDS],
    recv: &mut [i64; WORDS],
    what: &str,
    seq: u64,
) -> Result<()> {
    use mpi::ffi;
    let mut req = std::mem::MaybeUninit::<ffi::MPI_Request>::uninit();
    // SAFETY: one element of our datatype in each buffer; both live until the request
    // completes (waited for below).
    let rc = unsafe {
        ffi::MPI_Iallreduce(
            send.as_ptr() as *const c_void,
            recv.as_mut_ptr() as *mut c_void,
            1,
            h.dtype,
            h.op,
            comm.as_raw(),
            req.as_mut_ptr(),
        )
    };
    if rc != 0 {
        return Err(Error::Mpi(format!(
            "{what}: MPI_Iallreduce failed (code {rc})"
        )));
    }
    // SAFETY: initialized by MPI_Iallreduce.
    let req = unsafe { req.assume_init() };
    wait::wait_request(comm, req, what, seq)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn buf(agree: [i64; 4], op: Reduce, vals: &[f64]) -> [i64; WORDS] {
        let mut b = [0i64; WORDS];
        b[..4].copy_from_slice(&agree);
        b[4] = op.code();
        b[5] = vals.len() as i64;
        for (w, v) in b[6..].iter_mut().zip(vals) {
            *w = v.to_bits() as i64;
        }
        b
    }

    fn vals(b: &[i64; WORDS]) -> Vec<f64> {
        b[6..6 + b[5] as usize]
            .iter()
            .map(|&w| f64::from_bits(w as u64))
            .collect()
    }

    /// Both orders give the same buffer (the operation is declared commutative).
    fn both(a: [i64; WORDS], b: [i64; WORDS]) -> [i64; WORDS] {
        let (mut ab, mut ba) = (b, a);
        combine(&a, &mut ab);
        combine(&b, &mut ba);
        assert_eq!(ab, ba);
        ab
    }

    #[test]
    fn values_combine_alike_in_both_orders() {
        let ok = [i64::MAX, i64::MAX, 7, i64::MAX - 7];
        let r = both(
            buf(ok, Reduce::Sum, &[1.5, -2.0]),
            buf(ok, Reduce::Sum, &[0.25, 3.0]),
        );
        assert_eq!(vals(&r), vec![1.75, 1.0]);
        assert_eq!(&r[..4], &ok);
        let r = both(
            buf(ok, Reduce::Max, &[1.0, -5.0]),
            buf(ok, Reduce::Max, &[2.0, -6.0]),
        );
        assert_eq!(vals(&r), vec![2.0, -5.0]);
        let r = both(
            buf(ok, Reduce::Min, &[1.0, f64::NAN]),
            buf(ok, Reduce::Min, &[2.0, 0.0]),
        );
        assert_eq!(vals(&r)[0], 1.0);
        assert!(vals(&r)[1].is_nan());
        let r = both(
            buf(ok, Reduce::MaxLoc, &[3.0, 9.0, 1.0, 4.0]),
            buf(ok, Reduce::MaxLoc, &[3.0, 2.0, 0.5, 1.0]),
        );
        assert_eq!(vals(&r), vec![3.0, 2.0, 1.0, 4.0]);
        let r = both(
            buf(ok, Reduce::MinLoc, &[3.0, 9.0]),
            buf(ok, Reduce::MinLoc, &[-1.0, 20.0]),
        );
        assert_eq!(vals(&r), vec![-1.0, 20.0]);
    }

    #[test]
    fn differing_calls_show_in_the_agreement_words() {
        let a = buf([i64::MAX, i64::MAX, 7, i64::MAX - 7], Reduce::Sum, &[1.0]);
        let b = buf([3, i64::MAX - 3, 9, i64::MAX - 9], Reduce::Max, &[1.0, 2.0]);
        let r = both(a, b);
        assert_eq!(r[0], 3, "the failing rank");
        assert_ne!(r[2], i64::MAX - r[3], "the calls differ");
    }
}
