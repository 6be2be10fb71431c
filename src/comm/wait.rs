//! Bounded waits: the agreement's allreduce is non-blocking and waited for with a watchdog, and
//! every communicator carries a sequence number of its agreements.
//!
//! - [`sequence`] numbers the agreements made on a communicator: a counter cached on the
//!   communicator as an MPI attribute (not copied by `MPI_Comm_dup`, freed with the
//!   communicator), so any communicator a caller passes has its own, starting at 1.
//! - [`allreduce_min`] starts `MPI_Iallreduce` and waits for it by testing: only testing for
//!   the first 200 µs, yielding until 10 ms, then sleeping (20 µs growing to 1 ms), so a rank
//!   that waits for a late one does not burn a core. On a node with more ranks than cores it
//!   yields from the second test on ([`WaitStrategy`], `H5PAR_WAIT`). Past the watchdog deadline ([`Watchdog`],
//!   `H5PAR_WATCHDOG` seconds, default [`DEFAULT_WATCHDOG_SECS`], 0 = off) it prints one message naming the call and how
//!   long it has waited; with `H5PAR_WATCHDOG_ABORT=1` it then calls `MPI_Abort`.

use std::ffi::{c_int, c_void};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use mpi::traits::Communicator;

use crate::error::{Error, Result};

/// The default watchdog deadline in seconds (`H5PAR_WATCHDOG` overrides, 0 turns it off).
pub const DEFAULT_WATCHDOG_SECS: f64 = 120.0;

/// What the watchdog does, from the environment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Watchdog {
    /// How long an agreement waits before the message; `None` is off.
    pub deadline: Option<Duration>,
    /// Whether to call `MPI_Abort` after the message.
    pub abort: bool,
}

impl Watchdog {
    /// The watchdog for the values of `H5PAR_WATCHDOG` and `H5PAR_WATCHDOG_ABORT` (pure; a
    /// value that is not a number of seconds gives the default, with the reason).
    pub fn from_env_values(secs: Option<&str>, abort: Option<&str>) -> (Watchdog, Option<String>) {
        let mut warning = None;
        let secs = match secs.map(str::trim).filter(|s| !s.is_empty()) {
            None => DEFAULT_WATCHDOG_SECS,
            Some(s) => match s.parse::<f64>() {
                Ok(v) if v >= 0.0 && v.is_finite() => v,
                _ => {
                    warning = Some(format!(
                        "H5PAR_WATCHDOG={s:?} is not a number of seconds (0 = off); using \
                         {DEFAULT_WATCHDOG_SECS}"
                    ));
                    DEFAULT_WATCHDOG_SECS
                }
            },
        };
        let abort = matches!(
            abort.map(|a| a.trim().to_ascii_lowercase()).as_deref(),
            Some("1" | "yes" | "true" | "on")
        );
        (
            Watchdog {
                deadline: (secs > 0.0).then(|| Duration::from_secs_f64(secs)),
                abort,
            },
            warning,
        )
    }

    /// The watchdog of this process (read from the environment once).
    pub fn get() -> Watchdog {
        static W: OnceLock<Watchdog> = OnceLock::new();
        *W.get_or_init(|| {
            let secs = std::env::var("H5PAR_WATCHDOG").ok();
            let abort = std::env::var("H5PAR_WATCHDOG_ABORT").ok();
            let (w, warning) = Watchdog::from_env_values(secs.as_deref(), abort.as_deref());
            if let Some(text) = warning {
                eprintln!("h5par: {text}");
            }
            w
        })
    }
}

/// The watchdog's message: which call waits, where, for how long, and what to do.
pub fn watchdog_message(rank: i32, size: i32, what: &str, seq: u64, waited: Duration) -> String {
    format!(
        "h5par watchdog: rank {rank} of {size} has waited {:.0} s in {what} (collective call \
         {seq} on this communicator): some rank has not entered this call (it is in another \
         call, still computing, stuck or dead). Every rank must make the same collective calls \
         in the same order. Still waiting; H5PAR_WATCHDOG_ABORT=1 aborts the job here, \
         H5PAR_WATCHDOG=seconds sets this deadline (0 = off)",
        waited.as_secs_f64()
    )
}

/// The agreements of one communicator: their sequence numbers and whether the last one found
/// the ranks in different calls. Kept on the communicator (see [`counter`]).
pub(crate) struct Counter {
    next: AtomicU64,
    /// The sequence number of the last agreement that found the ranks in different calls, 0
    /// when the last agreement since then succeeded.
    diverged: AtomicU64,
}

unsafe extern "C" fn no_copy(
    _old: mpi::ffi::MPI_Comm,
    _key: c_int,
    _extra: *mut c_void,
    _val_in: *mut c_void,
    _val_out: *mut c_void,
    flag: *mut c_int,
) -> c_int {
    // SAFETY: MPI passes a valid flag pointer.
    unsafe { *flag = 0 };
    0
}

unsafe extern "C" fn free_counter(
    _comm: mpi::ffi::MPI_Comm,
    _key: c_int,
    val: *mut c_void,
    _extra: *mut c_void,
) -> c_int {
    // SAFETY: the attribute value is a Box<Counter> made by `counter`.
    drop(unsafe { Box::from_raw(val as *mut Counter) });
    0
}

fn keyval() -> Result<c_int> {
    static KEY: OnceLock<c_int> = OnceLock::new();
    if let Some(k) = KEY.get() {
        return Ok(*k);
    }
    let mut key: c_int = 0;
    // SAFETY: MPI is initialized (checked by callers); callbacks match MPI's signatures.
    let rc = unsafe {
        mpi::ffi::MPI_Comm_create_keyval(
            Some(no_copy),
            Some(free_counter),
            &mut key,
            std::ptr::null_mut(),
        )
    };
    if rc != 0 {
        return Err(Error::Mpi(format!(
            "MPI_Comm_create_keyval failed (code {rc})"
        )));
    }
    Ok(*KEY.get_or_init(|| key))
}

impl Counter {
    /// The next sequence number (1, 2, ...).
    pub(crate) fn next_seq(&self) -> u64 {
        self.next.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Notes the outcome of agreement `seq`: whether the ranks were in different calls
    /// (`diverged`) or all succeeded in the same call.
    pub(crate) fn note_outcome(&self, seq: u64, diverged: bool) {
        self.diverged
            .store(if diverged { seq.max(1) } else { 0 }, Ordering::Relaxed);
    }
}

/// The agreement counter of `comm`, made on first use. The reference is valid while the
/// communicator lives: callers use it within one call on the communicator.
pub(crate) fn counter<C: Communicator + ?Sized>(comm: &C) -> Result<&'static Counter> {
    let key = keyval()?;
    let raw = comm.as_raw();
    let mut ptr: *mut Counter = std::ptr::null_mut();
    let mut flag: c_int = 0;
    // SAFETY: live communicator; the attribute, when set, is a Box<Counter> of ours, which
    // lives until the communicator is freed (callers only use it while it is alive).
    unsafe {
        mpi::ffi::MPI_Comm_get_attr(
            raw,
            key,
            &mut ptr as *mut *mut Counter as *mut c_void,
            &mut flag,
        );
        if flag == 0 || ptr.is_null() {
            let fresh = Box::into_raw(Box::new(Counter {
                next: AtomicU64::new(0),
                diverged: AtomicU64::new(0),
            }));
            let rc = mpi::ffi::MPI_Comm_set_attr(raw, key, fresh as *mut c_void);
            if rc != 0 {
                drop(Box::from_raw(fresh));
                return Err(Error::Mpi(format!("MPI_Comm_set_attr failed (code {rc})")));
            }
            ptr = fresh;
        }
        Ok(&*ptr)
    }
}

/// The sequence number of the agreement on `comm` that last found the ranks in different
/// collective calls, unless an agreement succeeded since. Every rank saw that agreement, so
/// every rank answers alike: after it, a close that would only tidy up (at exit, or after an
/// exception) must not wait for ranks that are elsewhere.
pub fn diverged<C: Communicator + ?Sized>(comm: &C) -> Option<u64> {
    counter(comm)
        .ok()
        .map(|c| c.diverged.load(Ordering::Relaxed))
        .filter(|&s| s > 0)
}

/// [`diverged`], unless the agreement that found the ranks in different calls was this rank's
/// last agreement on `comm`: then this rank comes straight from the call that failed with that
/// mismatch, and so do the ranks it met there (every rank of an agreement gets its error). A
/// close that only tidies up after that failure (a Python with block's end, which every rank
/// reaches from that error) may then wait for them; after any later call it must not.
pub fn diverged_earlier<C: Communicator + ?Sized>(comm: &C) -> Option<u64> {
    let c = counter(comm).ok()?;
    let at = c.diverged.load(Ordering::Relaxed);
    (at > 0 && at != c.next.load(Ordering::Relaxed)).then_some(at)
}

/// The next sequence number of an agreement on `comm` (1, 2, ...). Local: every rank counts
/// its own agreements on the communicator, and collectives on one communicator match in
/// order, so the numbers are the same on all ranks unless something other than h5par's
/// agreements was interleaved on it.
pub fn sequence<C: Communicator + ?Sized>(comm: &C) -> Result<u64> {
    Ok(counter(comm)?.next_seq())
}

/// How long a wait tests and yields before it sleeps: the normal latency of an agreement,
/// even on a busy machine where a peer rank is descheduled for a few milliseconds. Sleeping
/// sooner would make every agreement wait for the end of a nap (and, since the non-blocking
/// allreduce progresses only in `MPI_Test`, make the peers wait too).
const SPIN: Duration = Duration::from_millis(10);
/// How long a wait only tests, without yielding, when every rank of the node has a core of
/// its own: longer than a small allreduce takes on a node (a few microseconds), short enough
/// not to matter as CPU time. Yielding at once would hand the core to any other runnable
/// process on every agreement, the common case of a busy node, and cost every agreement a
/// scheduler round trip.
const BUSY: Duration = Duration::from_micros(200);
/// The longest nap of a long wait (20 µs doubling up to this).
const MAX_NAP: Duration = Duration::from_millis(1);

/// How an agreement waits for the other ranks after its first test (`H5PAR_WAIT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitStrategy {
    /// Test without yielding for 200 µs, then yield until 10 ms, then sleep: for nodes where
    /// every rank has a core.
    Spin,
    /// Yield from the second test on, sleep after 10 ms: for nodes with more ranks than
    /// cores, where a rank that spins keeps the core from the very rank it waits for (each
    /// agreement would then cost a scheduler time slice).
    Yield,
}

impl WaitStrategy {
    /// The strategy for the value of `H5PAR_WAIT` (`spin`, `yield` or `auto`, the default),
    /// the number of ranks on this node `local_ranks` (from the launcher's environment) and
    /// the number of cores this process may run on (pure). `auto` yields when the node has
    /// more ranks than cores. Another value gives `auto`, with the reason.
    pub fn choose(
        value: Option<&str>,
        local_ranks: Option<usize>,
        cores: usize,
    ) -> (WaitStrategy, Option<String>) {
        let auto = match local_ranks {
            Some(n) if n > cores.max(1) => WaitStrategy::Yield,
            _ => WaitStrategy::Spin,
        };
        match value.map(|v| v.trim().to_ascii_lowercase()).as_deref() {
            None | Some("" | "auto") => (auto, None),
            Some("spin") => (WaitStrategy::Spin, None),
            Some("yield") => (WaitStrategy::Yield, None),
            Some(other) => (
                auto,
                Some(format!(
                    "H5PAR_WAIT={other:?} is not spin, yield or auto; using auto ({auto:?})"
                )),
            ),
        }
    }

    /// The strategy of this process (from the environment, once): the ranks on this node as
    /// OpenMPI (`OMPI_COMM_WORLD_LOCAL_SIZE`) or MPICH's Hydra (`MPI_LOCALNRANKS`) give them,
    /// against the cores of this process's affinity mask.
    pub fn get() -> WaitStrategy {
        static S: OnceLock<WaitStrategy> = OnceLock::new();
        *S.get_or_init(|| {
            let local = ["OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS"]
                .iter()
                .find_map(|k| std::env::var(k).ok()?.trim().parse::<usize>().ok());
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            let value = std::env::var("H5PAR_WAIT").ok();
            let (s, warning) = WaitStrategy::choose(value.as_deref(), local, cores);
            if let Some(text) = warning {
                eprintln!("h5par: {text}");
            }
            s
        })
    }
}

/// Collective: element-wise minimum of `send` over `comm` into `recv`, waited for without
/// burning a core and with the watchdog (naming `what` and the call number `seq`).
pub fn allreduce_min<C: Communicator + ?Sized>(
    comm: &C,
    send: &[i64],
    recv: &mut [i64],
    what: &str,
    seq: u64,
) -> Result<()> {
    use mpi::ffi;
    let mut req = std::mem::MaybeUninit::<ffi::MPI_Request>::uninit();
    // SAFETY: buffers of `send.len()` i64 live until the request completes (waited for below).
    let rc = unsafe {
        ffi::MPI_Iallreduce(
            send.as_ptr() as *const c_void,
            recv.as_mut_ptr() as *mut c_void,
            send.len() as c_int,
            ffi::RSMPI_INT64_T,
            ffi::RSMPI_MIN,
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
    wait_request(comm, req, what, seq)
}

/// Waits for the request of a non-blocking collective started on `comm` (an agreement's
/// allreduce, plain or fused) with the wait strategy and the watchdog: the first test before
/// any clock, then spin, yield, and naps doubling to [`MAX_NAP`].
pub(crate) fn wait_request<C: Communicator + ?Sized>(
    comm: &C,
    mut req: mpi::ffi::MPI_Request,
    what: &str,
    seq: u64,
) -> Result<()> {
    use mpi::ffi;
    let test = |req: &mut ffi::MPI_Request| -> Result<bool> {
        let mut done: c_int = 0;
        // SAFETY: a live request (MPI sets it to MPI_REQUEST_NULL when it completes, and this
        // is not called again after that); the status is ignored.
        let rc = unsafe { ffi::MPI_Test(req, &mut done, ffi::RSMPI_STATUS_IGNORE) };
        if rc != 0 {
            return Err(Error::Mpi(format!("{what}: MPI_Test failed (code {rc})")));
        }
        Ok(done != 0)
    };
    // The common case, every rank already there: no clock, no settings read.
    if test(&mut req)? {
        return Ok(());
    }
    let busy = match WaitStrategy::get() {
        WaitStrategy::Spin => BUSY,
        WaitStrategy::Yield => Duration::ZERO,
    };
    let dog = Watchdog::get();
    let start = Instant::now();
    let mut warned = false;
    let mut nap = Duration::from_micros(20);
    loop {
        let waited = start.elapsed();
        if waited < busy {
            std::hint::spin_loop();
        } else if waited < SPIN {
            std::thread::yield_now();
        } else {
            std::thread::sleep(nap);
            nap = (nap * 2).min(MAX_NAP);
        }
        if test(&mut req)? {
            return Ok(());
        }
        if let Some(deadline) = dog.deadline {
            if !warned && waited >= deadline {
                warned = true;
                let text = watchdog_message(comm.rank(), comm.size(), what, seq, waited);
                eprintln!("{text}");
                if dog.abort {
                    eprintln!("h5par watchdog: H5PAR_WATCHDOG_ABORT=1: calling MPI_Abort");
                    // SAFETY: MPI is initialized; aborting the whole job is what was asked.
                    unsafe { ffi::MPI_Abort(ffi::RSMPI_COMM_WORLD, 3) };
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn watchdog_settings() {
        let (w, warn) = Watchdog::from_env_values(None, None);
        assert_eq!(w.deadline, Some(Duration::from_secs(120)));
        assert!(!w.abort && warn.is_none());
        let (w, _) = Watchdog::from_env_values(Some("0"), Some("1"));
        assert_eq!((w.deadline, w.abort), (None, true));
        let (w, _) = Watchdog::from_env_values(Some("2.5"), Some("0"));
        assert_eq!(
            (w.deadline, w.abort),
            (Some(Duration::from_millis(2500)), false)
        );
        let (w, warn) = Watchdog::from_env_values(Some("soon"), None);
        assert_eq!(w.deadline, Some(Duration::from_secs(120)));
        assert!(warn.unwrap().contains("\"soon\""));
    }

    #[test]
    fn wait_strategies() {
        use WaitStrategy::*;
        assert_eq!(WaitStrategy::choose(None, Some(2), 2), (Spin, None));
        assert_eq!(WaitStrategy::choose(None, Some(4), 2), (Yield, None));
        assert_eq!(WaitStrategy::choose(Some("auto"), None, 1), (Spin, None));
        assert_eq!(WaitStrategy::choose(Some("Spin"), Some(4), 2), (Spin, None));
        assert_eq!(
            WaitStrategy::choose(Some("yield"), Some(1), 8),
            (Yield, None)
        );
        let (s, warn) = WaitStrategy::choose(Some("fast"), Some(3), 2);
        assert_eq!(s, Yield);
        assert!(warn.unwrap().contains("\"fast\""));
    }

    #[test]
    fn watchdog_message_names_the_call() {
        let m = watchdog_message(1, 3, "close out.h5", 7, Duration::from_secs(5));
        assert!(m.contains("rank 1 of 3 has waited 5 s in close out.h5 (collective call 7"));
        assert!(m.contains("H5PAR_WATCHDOG_ABORT=1"));
    }
}
