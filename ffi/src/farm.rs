//! The C ABI of the task farm (`h5par_farm_*`): `h5par_farm_run` converts its arguments and
//! calls `h5par::farm::Farm::run`. No lock is held while the farm runs, so task callbacks may
//! call the rest of the API (an independent `h5par_dataset_write` of their rows).

use std::cell::{Cell, RefCell};
use std::ffi::{c_char, c_int, c_void, CStr, CString};

use h5par::farm::{Batch, Controller, Farm, ProgressMode, Summary, TaskError};
use h5par::Result;
use mpi_sys::MPI_Comm;
use mpi_sys::RSMPI_Fint as MPI_Fint;

use crate::args::{mpi_ready, text};
use crate::status::{guard, invalid, set_last_error, shielded};

/// What a task callback fills in: its result bytes or its failure message. Valid only during
/// the callback it was passed to (opaque; use `h5par_farm_task_result` and
/// `h5par_farm_task_message`).
#[allow(non_camel_case_types)]
pub struct h5par_farm_task {
    data: Vec<u8>,
    message: Option<String>,
}

thread_local! {
    static CURRENT: Cell<*mut h5par_farm_task> = const { Cell::new(std::ptr::null_mut()) };
    static LAST_SUMMARY: RefCell<CString> = RefCell::new(CString::default());
}

/// A task: runs task `task` (0-based) with the caller's `user_data`; returns 0 when it is
/// done, non-zero when it failed (the farm retries it, then records it as failed). It may set
/// its result with `h5par_farm_task_result` and its message with `h5par_farm_task_message`.
#[allow(non_camel_case_types)]
pub type h5par_farm_task_fn = Option<
    unsafe extern "C" fn(task: u64, user_data: *mut c_void, ctx: *mut h5par_farm_task) -> c_int,
>;

/// A result callback, called on rank 0 for each finished task: `ok` is 1 when done (`data`,
/// `len`: its result bytes) and 0 when it failed after its retries (`data`: its message,
/// not NUL-terminated); `replayed` is 1 for tasks finished by an earlier run (from the
/// journal). The bytes are valid during the call only. Non-zero stops the farm with an error
/// on every rank.
#[allow(non_camel_case_types)]
pub type h5par_farm_result_fn = Option<
    unsafe extern "C" fn(
        task: u64,
        ok: c_int,
        data: *const c_void,
        len: usize,
        replayed: c_int,
        user_data: *mut c_void,
    ) -> c_int,
>;

/// Options of `h5par_farm_run`; fill the defaults with `h5par_farm_options_init`.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct h5par_farm_options {
    /// Journal path (rank 0 writes it; finished tasks in it are skipped), or NULL.
    pub journal: *const c_char,
    /// The task list's identity (for example the bytes of the task file), `identity_len`
    /// bytes, or NULL: a journal of another identity or task count is refused.
    pub identity: *const c_void,
    /// Bytes at `identity`.
    pub identity_len: usize,
    /// Retries of a failed task (default 0), on another rank when there is one.
    pub retries: u32,
    /// Per-attempt records as CSV (rank 0), or NULL.
    pub records: *const c_char,
    /// 0 = automatic (a bar on a terminal, lines otherwise; default), 1 = bar, 2 = lines,
    /// 3 = none.
    pub progress: c_int,
    /// Batches in flight per worker (default 2).
    pub depth: u32,
    /// Tasks per message: 0 = adaptive (default), n = at most n (1 turns batching off).
    pub batch: u64,
    /// 0 = rank 0 controls and works (prefetch, default), 1 = rank 0 only controls.
    pub controller: c_int,
}

impl Default for h5par_farm_options {
    fn default() -> Self {
        h5par_farm_options {
            journal: std::ptr::null(),
            identity: std::ptr::null(),
            identity_len: 0,
            retries: 0,
            records: std::ptr::null(),
            progress: 0,
            depth: 2,
            batch: 0,
            controller: 0,
        }
    }
}

/// What a farm did (the same on every rank). `h5par_farm_summary_text` has it in words,
/// with every failed task and its message.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct h5par_farm_summary {
    /// Tasks in the farm.
    pub tasks: u64,
    /// Done in this run.
    pub done: u64,
    /// Failed for good in this run.
    pub failed: u64,
    /// Skipped (finished by an earlier run, from the journal).
    pub skipped: u64,
    /// Failed attempts that were retried.
    pub retried: u64,
    /// Ranks of the communicator.
    pub ranks: u32,
    /// Ranks that ran tasks.
    pub working_ranks: u32,
    /// Seconds of wall time.
    pub wall_seconds: f64,
    /// Seconds inside task functions, summed over the ranks.
    pub busy_seconds: f64,
    /// Finished tasks per second.
    pub tasks_per_second: f64,
    /// busy / (ranks x wall).
    pub efficiency: f64,
}

/// Fills `*opts` with the defaults (no journal, no retries, no records, automatic progress,
/// depth 2, adaptive batches, rank 0 works). Does nothing when `opts` is NULL.
#[no_mangle]
pub unsafe extern "C" fn h5par_farm_options_init(opts: *mut h5par_farm_options) {
    shielded("h5par_farm_options_init", (), || {
        if opts.is_null() {
            set_last_error("h5par_farm_options_init: invalid argument: opts is NULL");
            return;
        }
        // SAFETY: non-NULL and writable (caller).
        unsafe { opts.write(h5par_farm_options::default()) };
    })
}

fn current(ctx: *mut h5par_farm_task) -> Result<*mut h5par_farm_task> {
    let cur = CURRENT.with(|c| c.get());
    if ctx.is_null() || ctx != cur {
        return Err(h5par::Error::Handle(
            "ctx is not the task context of the running task callback".into(),
        ));
    }
    Ok(cur)
}

/// Sets the running task's result to the `len` bytes at `data` (copied). Only inside a task
/// callback, with the `ctx` it was given (else `H5PAR_ERR_HANDLE`).
#[no_mangle]
pub unsafe extern "C" fn h5par_farm_task_result(
    ctx: *mut h5par_farm_task,
    data: *const c_void,
    len: usize,
) -> c_int {
    guard("h5par_farm_task_result", || {
        let cur = current(ctx)?;
        if data.is_null() && len > 0 {
            return Err(invalid("data is NULL"));
        }
        let bytes = if len == 0 {
            &[][..]
        } else {
            // SAFETY: `len` readable bytes at `data` (caller).
            unsafe { std::slice::from_raw_parts(data.cast::<u8>(), len) }
        };
        // SAFETY: `cur` is the live context of the running callback on this thread.
        unsafe { (*cur).data = bytes.to_vec() };
        Ok(())
    })
}

/// Sets the running task's failure message (copied; NUL-terminated UTF-8, invalid bytes are
/// replaced). Only inside a task callback, with the `ctx` it was given.
#[no_mangle]
pub unsafe extern "C" fn h5par_farm_task_message(
    ctx: *mut h5par_farm_task,
    message: *const c_char,
) -> c_int {
    guard("h5par_farm_task_message", || {
        let cur = current(ctx)?;
        if message.is_null() {
            return Err(invalid("message is NULL"));
        }
        // SAFETY: NUL-terminated (caller).
        let m = unsafe { CStr::from_ptr(message) }
            .to_string_lossy()
            .into_owned();
        // SAFETY: as in h5par_farm_task_result.
        unsafe { (*cur).message = Some(m) };
        Ok(())
    })
}

/// The summary of this thread's last `h5par_farm_run` in words (every failed task with its
/// last message), or "" before any; valid until the next farm on this thread.
#[no_mangle]
pub extern "C" fn h5par_farm_summary_text() -> *const c_char {
    shielded("h5par_farm_summary_text", c"".as_ptr(), || {
        LAST_SUMMARY.with(|s| s.borrow().as_ptr())
    })
}

unsafe fn farm_of(o: &h5par_farm_options) -> Result<Farm> {
    let mut f = Farm::new().retries(o.retries);
    if !o.journal.is_null() {
        // SAFETY: NUL-terminated (caller).
        let p = unsafe { text(o.journal, "options.journal") }?;
        if o.identity.is_null() && o.identity_len > 0 {
            return Err(invalid(
                "options.identity is NULL but identity_len is not 0",
            ));
        }
        let id = if o.identity_len == 0 {
            &[][..]
        } else {
            // SAFETY: identity_len readable bytes (caller).
            unsafe { std::slice::from_raw_parts(o.identity.cast::<u8>(), o.identity_len) }
        };
        f = f.journal(p, id);
    }
    if !o.records.is_null() {
        // SAFETY: NUL-terminated (caller).
        f = f.records(unsafe { text(o.records, "options.records") }?);
    }
    f = f.progress(match o.progress {
        0 => ProgressMode::Auto,
        1 => ProgressMode::Bar,
        2 => ProgressMode::Lines,
        3 => ProgressMode::Off,
        p => return Err(invalid(format!("options.progress is {p}, expected 0 to 3"))),
    });
    if o.depth == 0 {
        return Err(invalid(
            "options.depth is 0 (did you call h5par_farm_options_init?)",
        ));
    }
    f = f.depth(o.depth).batch(match o.batch {
        0 => Batch::Adaptive,
        n => Batch::Fixed(n),
    });
    f = f.controller(match o.controller {
        0 => Controller::Prefetch,
        1 => Controller::Dedicated,
        c => {
            return Err(invalid(format!(
                "options.controller is {c}, expected 0 or 1"
            )))
        }
    });
    Ok(f)
}

fn c_summary(s: &Summary) -> h5par_farm_summary {
    h5par_farm_summary {
        tasks: s.tasks,
        done: s.done,
        failed: s.failed,
        skipped: s.skipped,
        retried: s.retried,
        ranks: s.ranks,
        working_ranks: s.working_ranks,
        wall_seconds: s.wall_seconds,
        busy_seconds: s.busy_seconds,
        tasks_per_second: s.tasks_per_second,
        efficiency: s.efficiency,
    }
}

#[allow(clippy::too_many_arguments)]
unsafe fn run(
    comm: MPI_Comm,
    ntasks: u64,
    task_fn: h5par_farm_task_fn,
    user_data: *mut c_void,
    options: *const h5par_farm_options,
    result_fn: h5par_farm_result_fn,
    result_user_data: *mut c_void,
    summary: *mut h5par_farm_summary,
) -> Result<()> {
    // Checked (local); the arguments are agreed on it before the core duplicates it.
    // SAFETY: the caller's communicator.
    let world = unsafe { crate::file::caller_comm(comm) }?;
    let local = (|| {
        let task_fn = task_fn.ok_or_else(|| invalid("task_fn is NULL"))?;
        let opts = if options.is_null() {
            h5par_farm_options::default()
        } else {
            // SAFETY: a valid options struct (caller).
            unsafe { *options }
        };
        // SAFETY: strings of the options as documented.
        Ok((task_fn, unsafe { farm_of(&opts) }?))
    })();
    let (task_fn, farm) = crate::args::agreed(&*world, "h5par_farm_run", "farm", local)?;
    let task = |i: u64| -> std::result::Result<Vec<u8>, TaskError> {
        let mut ctx = h5par_farm_task {
            data: Vec::new(),
            message: None,
        };
        let prev = CURRENT.with(|c| c.replace(&mut ctx));
        // SAFETY: the caller's callback with its own user data.
        let status = unsafe { task_fn(i, user_data, &mut ctx) };
        CURRENT.with(|c| c.set(prev));
        if status == 0 {
            Ok(ctx.data)
        } else {
            Err(ctx
                .message
                .unwrap_or_else(|| format!("task {i} returned status {status}"))
                .into())
        }
    };
    let on_result = |r: &h5par::farm::TaskResult| -> Result<()> {
        let Some(f) = result_fn else { return Ok(()) };
        // SAFETY: the caller's callback; the bytes live during the call.
        let s = unsafe {
            f(
                r.task,
                r.ok as c_int,
                r.data.as_ptr().cast(),
                r.data.len(),
                r.replayed as c_int,
                result_user_data,
            )
        };
        if s == 0 {
            Ok(())
        } else {
            Err(h5par::Error::Invalid(format!(
                "the result callback returned {s} for task {}",
                r.task
            )))
        }
    };
    let s = farm.run(&*world, ntasks, task, on_result)?;
    let text = CString::new(s.to_string().replace('\0', " ")).unwrap_or_default();
    LAST_SUMMARY.with(|l| *l.borrow_mut() = text);
    if !summary.is_null() {
        // SAFETY: writable (caller).
        unsafe { summary.write(c_summary(&s)) };
    }
    Ok(())
}

/// Collective on `comm`: runs `task_fn(i, user_data, ctx)` once for every task `i` in
/// `0..ntasks` across the ranks (rank 0 controls and, by default, works too), retrying failed
/// tasks as `options` says, and calls `result_fn` (may be NULL) on rank 0 for each finished
/// task in completion order. `options` NULL means the defaults. `*summary` (may be NULL) gets
/// the summary on every rank. Returns `H5PAR_OK` when the farm ran to its end, even when tasks
/// failed (see `summary->failed` and `h5par_farm_summary_text`); an error (a journal of another
/// task list, a different `ntasks` on some rank, a journal or records that cannot be written,
/// `result_fn` returning non-zero) is a status on every rank. Task callbacks run on the
/// calling thread and may call other h5par functions (independent writes of their rows).
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn h5par_farm_run(
    comm: MPI_Comm,
    ntasks: u64,
    task_fn: h5par_farm_task_fn,
    user_data: *mut c_void,
    options: *const h5par_farm_options,
    result_fn: h5par_farm_result_fn,
    result_user_data: *mut c_void,
    summary: *mut h5par_farm_summary,
) -> c_int {
    // SAFETY: as documented.
    guard("h5par_farm_run", || unsafe {
        run(
            comm,
            ntasks,
            task_fn,
            user_data,
            options,
            result_fn,
            result_user_data,
            summary,
        )
    })
}

/// `h5par_farm_run` with a Fortran communicator handle (converted with `MPI_Comm_f2c`); used
/// by the Fortran module.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn h5par_farm_run_f2c(
    comm: MPI_Fint,
    ntasks: u64,
    task_fn: h5par_farm_task_fn,
    user_data: *mut c_void,
    options: *const h5par_farm_options,
    result_fn: h5par_farm_result_fn,
    result_user_data: *mut c_void,
    summary: *mut h5par_farm_summary,
) -> c_int {
    // SAFETY: as documented; MPI_Comm_f2c only once MPI is known to be running.
    guard("h5par_farm_run", || unsafe {
        mpi_ready()?;
        let c = mpi_sys::RSMPI_Comm_f2c(comm);
        run(
            c,
            ntasks,
            task_fn,
            user_data,
            options,
            result_fn,
            result_user_data,
            summary,
        )
    })
}
