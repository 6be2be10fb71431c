//! The task farm: the same serial function over task indices `0..N`, on 1 rank (an MPI
//! singleton), a laptop or hundreds of ranks, with dynamic scheduling, retries, a journal to
//! resume from, per-task records, progress, and results delivered to rank 0 or written into
//! one HDF5 file.
//!
//! Layers used: [`crate::comm`] (agreement before and after the farm) and [`crate::io`]
//! (results written into an h5par file, by the task functions); nothing above.
//!
//! # Model
//!
//! SPMD: every rank calls [`Farm::run`] (or [`Farm::map`]) with the same task count; a task is
//! an index, which the caller maps to its arguments (the i-th line of a list every rank
//! read). Rank 0 is the controller: it hands out batches of tasks by point-to-point messages
//! on the farm's own duplicate of the communicator, and receives the results as they
//! complete. A task returns bytes (or, with [`Farm::map`], a `serde` value), or an error: a
//! failed (or panicking) task is recorded with its message and retried up to
//! [`Farm::retries`] times, on another rank when there is one.
//!
//! # How rank 0 works too ([`Controller`])
//!
//! By default ([`Controller::Prefetch`]) rank 0 runs tasks itself, one at a time on the
//! calling thread (so a task may use MPI-IO and HDF5 at any MPI threading level), and answers
//! the other ranks between its tasks. Those never wait for it: every worker holds two batches
//! (one running, one waiting), and a batch holds about twice the longest task seen so far
//! (at least 2 ms), so the waiting batch lasts while rank 0 is inside a task. When a rank 0
//! task could starve the others anyway (tasks whose length varies wildly, hundreds of
//! workers), [`Controller::Dedicated`] keeps rank 0 to control only. `H5PAR_FARM_CONTROLLER=
//! prefetch|dedicated` overrides the option. The summary says which was used.
//!
//! Waiting is MPI's blocking wait (`MPI_Mprobe`); nothing sleeps and polls.
//!
//! # Results into one HDF5 file
//!
//! Create the file and its datasets collectively before the farm (one row or hyperslab per
//! task), close it, reopen it [`crate::Mode::ReadWrite`], and let each task write its own
//! rows with [`crate::Xfer::Independent`]: the metadata is final before the first task and
//! only raw data changes while tasks run, so the file stays readable by h5py and h5dump if the
//! job is killed. A task that returns after writing its rows is journaled after they were
//! written, so a resumed farm finds every journaled task's rows in the file. Open (do not
//! re-create) the file on a resumed run: `File::create` would replace it.
//!
//! ```no_run
//! use h5par::farm::Farm;
//! let universe = mpi::initialize().unwrap();
//! let world = universe.world();
//! // Squares of 0..1000 on rank 0, in task order; the tasks ran on every rank.
//! let out = Farm::new().retries(2).map(&world, 1000, |i| Ok(i * i))?;
//! if let Some(squares) = out.results {
//!     assert_eq!(squares[999].as_ref().unwrap(), &998_001u64);
//! }
//! println!("{}", out.summary);
//! # Ok::<(), h5par::Error>(())
//! ```

mod engine;
pub mod journal;
mod link;
mod progress;
pub mod sched;
pub mod summary;
pub mod wire;

use std::path::PathBuf;
use std::time::Instant;

use mpi::traits::Communicator;
use serde::de::DeserializeOwned;
use serde::Serialize;

pub use progress::ProgressMode;
pub use sched::{Batch, Policy};
pub use summary::{FailedTask, SlowTask, Summary};

use crate::comm::{agree, agree_value, hash_bytes};
use crate::error::{Error, Result};

/// The error a task returns: any error (`?` works), or a message (`Err("bad input".into())`).
pub type TaskError = Box<dyn std::error::Error + Send + Sync>;

/// A finished task, as the result callback on rank 0 sees it.
#[derive(Debug, Clone, Copy)]
pub struct TaskResult<'a> {
    /// The task index.
    pub task: u64,
    /// Whether it was done (else it failed after all its attempts).
    pub ok: bool,
    /// The result bytes when done, the message of the last attempt when failed.
    pub data: &'a [u8],
    /// The rank that ran the last attempt.
    pub rank: i32,
    /// Attempts made.
    pub attempts: u32,
    /// Seconds the last attempt took.
    pub seconds: f64,
    /// Whether it comes from the journal of an earlier run (not run again).
    pub replayed: bool,
}

/// How rank 0 takes part (see the [module documentation](self)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Controller {
    /// Rank 0 controls and runs tasks, one at a time, between messages; the workers hold
    /// batches sized to outlast rank 0's longest task (the default).
    #[default]
    Prefetch,
    /// Rank 0 only controls (on one rank it runs the tasks anyway).
    Dedicated,
}

impl Controller {
    fn or_env(self) -> Result<Controller> {
        match std::env::var("H5PAR_FARM_CONTROLLER") {
            Err(_) => Ok(self),
            Ok(v) => match v.to_ascii_lowercase().as_str() {
                "prefetch" | "" => Ok(Controller::Prefetch),
                "dedicated" => Ok(Controller::Dedicated),
                other => Err(Error::Invalid(format!(
                    "H5PAR_FARM_CONTROLLER={other}: expected prefetch or dedicated"
                ))),
            },
        }
    }
}

/// The output of [`Farm::map`].
#[derive(Debug, Clone)]
pub struct Mapped<T> {
    /// On rank 0, each task's value (or the message of its last failed attempt), in task
    /// order; `None` on the other ranks.
    pub results: Option<Vec<std::result::Result<T, String>>>,
    /// The summary (the same on every rank).
    pub summary: Summary,
}

/// A task farm's options (builder style); [`Farm::run`] and [`Farm::map`] run it.
#[derive(Debug, Clone, Default)]
pub struct Farm {
    journal: Option<(PathBuf, u64)>,
    records: Option<PathBuf>,
    policy: Policy,
    progress: ProgressMode,
    controller: Controller,
}

/// The most retries of a task.
pub const MAX_RETRIES: u32 = 250;

impl Farm {
    /// A farm with the defaults: no journal, no retries, no records, progress on rank 0's
    /// stderr ([`ProgressMode::Auto`]), adaptive batches, two batches in flight per worker,
    /// [`Controller::Prefetch`].
    pub fn new() -> Farm {
        Farm::default()
    }

    /// Journal finished tasks to `path` (rank 0 writes it), and skip the tasks it already
    /// holds. `identity` identifies the task list (for example the task file's bytes): a
    /// journal of another list, or of another task count, is refused on every rank.
    pub fn journal(mut self, path: impl Into<PathBuf>, identity: &[u8]) -> Farm {
        self.journal = Some((path.into(), hash_bytes(identity)));
        self
    }

    /// Retry a failed task up to `n` times (default 0), on another rank where there is one.
    pub fn retries(mut self, n: u32) -> Farm {
        self.policy.retries = n;
        self
    }

    /// Write one CSV line per attempt to `path` (rank 0): `task,rank,start,end,attempts,
    /// status,message`.
    pub fn records(mut self, path: impl Into<PathBuf>) -> Farm {
        self.records = Some(path.into());
        self
    }

    /// How progress is shown on rank 0 (default [`ProgressMode::Auto`]).
    pub fn progress(mut self, mode: ProgressMode) -> Farm {
        self.progress = mode;
        self
    }

    /// Batches in flight per worker (default 2; at least 1).
    pub fn depth(mut self, batches: u32) -> Farm {
        self.policy.depth = batches.max(1);
        self
    }

    /// Batch sizing (default [`Batch::Adaptive`]; `Batch::Fixed(1)` sends one task per message).
    pub fn batch(mut self, batch: Batch) -> Farm {
        self.policy.batch = batch;
        self
    }

    /// How rank 0 takes part (default [`Controller::Prefetch`]).
    pub fn controller(mut self, c: Controller) -> Farm {
        self.controller = c;
        self
    }

    /// The whole scheduling policy at once.
    pub fn policy(mut self, p: Policy) -> Farm {
        self.policy = p;
        self
    }

    /// Collective: runs `task(i)` once for every `i` in `0..ntasks` across the ranks of `comm`
    /// and calls `on_result` on rank 0 for each finished task (done or failed for good, and
    /// those the journal holds, flagged `replayed`), in completion order. Rank 0's memory does
    /// not grow with finished tasks. An error from `on_result`, the journal or the records
    /// stops the farm with that error on every rank. Returns the summary on every rank.
    pub fn run<C, F, R>(
        &self,
        comm: &C,
        ntasks: u64,
        mut task: F,
        mut on_result: R,
    ) -> Result<Summary>
    where
        C: Communicator + ?Sized,
        F: FnMut(u64) -> std::result::Result<Vec<u8>, TaskError>,
        R: FnMut(&TaskResult) -> Result<()>,
    {
        let dup = comm.duplicate();
        let (rank, size) = (dup.rank(), dup.size());
        let controller = self.controller.or_env();
        let mode = match controller {
            Ok(Controller::Dedicated) if size > 1 => Controller::Dedicated,
            _ => Controller::Prefetch,
        };
        let args = format!(
            "farm ntasks={ntasks} retries={} depth={} batch={:?} min_batch={} mode={mode:?} journal={} records={}",
            self.policy.retries,
            self.policy.depth,
            self.policy.batch,
            self.policy.min_batch_secs,
            self.journal.is_some(),
            self.records.is_some()
        );
        let check = || -> Result<()> {
            controller?;
            if self.policy.retries > MAX_RETRIES {
                return Err(Error::Invalid(format!(
                    "task farm: {} retries asked for, at most {MAX_RETRIES}",
                    self.policy.retries
                )));
            }
            if ntasks > (isize::MAX as u64) / 8 {
                return Err(Error::Invalid(format!(
                    "task farm: {ntasks} tasks are too many"
                )));
            }
            Ok(())
        };
        let checked = check();
        // Rank 0 opens the journal and the records.
        let opened = match (&checked, rank) {
            (Ok(()), 0) => {
                let j = match &self.journal {
                    Some((p, id)) => Some(journal::Journal::open(p, ntasks, *id)).transpose(),
                    None => Ok(None),
                };
                j.and_then(|j| {
                    let r = self
                        .records
                        .as_deref()
                        .map(summary::Records::create)
                        .transpose()?;
                    Ok((j, r))
                })
                .map(Some)
            }
            (Ok(()), _) => Ok(None),
            (Err(e), _) => Err(e.clone()),
        };
        let ok = opened.as_ref().map(|_| ()).map_err(Clone::clone);
        agree(&dup, "task farm: start", ok, Some(&args))?;
        let opened = opened?;

        let t0 = Instant::now();
        let mut link = link::Link::new(&dup);
        let local_works = mode == Controller::Prefetch;
        let working = if local_works { size } else { size - 1 } as u32;
        let mode_text = match mode {
            Controller::Prefetch if size == 1 => "serial: one rank runs every task",
            Controller::Prefetch => "prefetch: rank 0 controls and works",
            Controller::Dedicated => "dedicated: rank 0 only controls",
        };
        let local: Result<Option<Summary>> = if rank == 0 {
            let (journal, records) = opened.unwrap_or((None, None));
            let (journal, replay) = match journal {
                Some((j, r)) => (Some(j), Some(r)),
                None => (None, None),
            };
            let mut active = vec![true; size as usize];
            active[0] = local_works;
            let mut ctl = engine::Controller {
                sched: sched::Scheduler::new(ntasks, &active, local_works, self.policy.clone()),
                journal,
                records,
                tally: summary::Tally::default(),
                progress: progress::Progress::new(ProgressMode::Off, 0, 0),
                on_result: &mut on_result,
                size,
                local: local_works,
                t0,
                busy: 0.0,
                error: None,
                scratch: Vec::new(),
            };
            let replayed = match replay {
                Some(r) => ctl.replay(r),
                None => Ok(()),
            };
            let skipped = ntasks - ctl.sched.unfinished();
            ctl.progress = progress::Progress::new(self.progress, ntasks, skipped);
            if let Err(e) = replayed {
                ctl.error = Some(e);
            }
            ctl.run(&mut link, &mut task)
                .map(|()| Some(ctl.summary(ntasks, working, mode_text)))
        } else {
            engine::work(&mut link, &mut task, t0).map(|()| None)
        };
        drop(link);
        let summary = agree_value(&dup, "task farm: end", local)?;
        // Every rank gets rank 0's summary.
        let text = summary
            .map(|s| serde_json::to_vec(&s).unwrap_or_default())
            .unwrap_or_default();
        let text = crate::comm::broadcast_bytes(&dup, 0, text);
        serde_json::from_slice(&text)
            .map_err(|e| Error::Internal(format!("task farm: summary from rank 0: {e}")))
    }

    /// Collective: [`Farm::run`] of `f` with its values encoded as JSON, collected on rank 0
    /// in task order. A task's error is its failure (`Err(message)` in the results).
    pub fn map<C, T, F>(&self, comm: &C, ntasks: u64, mut f: F) -> Result<Mapped<T>>
    where
        C: Communicator + ?Sized,
        T: Serialize + DeserializeOwned,
        F: FnMut(u64) -> std::result::Result<T, TaskError>,
    {
        let root = comm.rank() == 0;
        let mut slots: Vec<Option<std::result::Result<T, String>>> = Vec::new();
        if root {
            slots.resize_with(ntasks as usize, || None);
        }
        let summary = self.run(
            comm,
            ntasks,
            |i| Ok(serde_json::to_vec(&f(i)?)?),
            |r| {
                let v = if r.ok {
                    Ok(serde_json::from_slice(r.data).map_err(|e| {
                        Error::Invalid(format!(
                            "task farm: the result of task {} does not decode: {e}",
                            r.task
                        ))
                    })?)
                } else {
                    Err(String::from_utf8_lossy(r.data).into_owned())
                };
                slots[r.task as usize] = Some(v);
                Ok(())
            },
        )?;
        let results = root.then(|| {
            slots
                .into_iter()
                .map(|s| s.unwrap_or_else(|| Err("no result (a bug in h5par)".into())))
                .collect()
        });
        Ok(Mapped { results, summary })
    }
}
