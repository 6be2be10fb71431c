//! The controller (rank 0) and worker loops: thin MPI over [`super::sched`], [`super::wire`],
//! [`super::journal`] and [`super::summary`].

use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

use super::journal::{Journal, Replay};
use super::progress::Progress;
use super::sched::{Outcome, Scheduler};
use super::summary::{Records, Summary, Tally};
use super::wire::{self, Run, Work, TAG_RESULT, TAG_WORK};
use super::{TaskError, TaskResult};
use crate::error::{Error, Result};
use link::Link;

use super::link;

/// A worker sends what it finished at least this often, even inside a batch (so the journal,
/// the records and the progress hear of long batches).
const FLUSH_EVERY: Duration = Duration::from_millis(500);

/// Runs one attempt of `task`: its result bytes, or its message (an error or a panic).
pub(crate) fn attempt<F>(task: &mut F, t: u64) -> (bool, Vec<u8>)
where
    F: FnMut(u64) -> std::result::Result<Vec<u8>, TaskError>,
{
    match catch_unwind(AssertUnwindSafe(|| task(t))) {
        Ok(Ok(bytes)) => (true, bytes),
        Ok(Err(e)) => (false, e.to_string().into_bytes()),
        Err(p) => {
            let what = p
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic without a message".into());
            (false, format!("panicked: {what}").into_bytes())
        }
    }
}

/// What rank 0 holds for the farm.
pub(crate) struct Controller<'a, R> {
    pub sched: Scheduler,
    pub journal: Option<Journal>,
    pub records: Option<Records>,
    pub tally: Tally,
    pub progress: Progress,
    pub on_result: &'a mut R,
    pub size: i32,
    pub local: bool,
    pub t0: Instant,
    pub busy: f64,
    pub error: Option<Error>,
    pub scratch: Vec<u8>,
}

impl<R> Controller<'_, R>
where
    R: FnMut(&TaskResult) -> Result<()>,
{
    /// Marks what the journal holds as finished and hands it to the result callback.
    pub fn replay(&mut self, replay: Replay) -> Result<()> {
        for r in replay.records {
            if self.sched.skip(r.task) {
                self.tally.skipped();
                self.deliver(&TaskResult {
                    task: r.task,
                    ok: r.ok,
                    data: &r.data,
                    rank: r.rank,
                    attempts: r.attempts,
                    seconds: r.seconds,
                    replayed: true,
                })?;
            }
        }
        Ok(())
    }

    fn deliver(&mut self, r: &TaskResult) -> Result<()> {
        match catch_unwind(AssertUnwindSafe(|| (self.on_result)(r))) {
            Ok(res) => {
                res.map_err(|e| e.context(format!("the result callback of task {}", r.task)))
            }
            Err(_) => Err(Error::Invalid(format!(
                "the result callback panicked on task {}",
                r.task
            ))),
        }
    }

    /// One finished attempt of `task` by rank `w`.
    fn attempt_done(
        &mut self,
        w: i32,
        task: u64,
        ok: bool,
        start: f64,
        end: f64,
        data: &[u8],
    ) -> Result<()> {
        let secs = end - start;
        match self.sched.record(w as usize, task, ok, secs) {
            Outcome::Stale => Ok(()),
            Outcome::Retry(n) => {
                self.tally.retried();
                if let Some(r) = &mut self.records {
                    r.write(task, w, start, end, n, "retry", data)?;
                }
                Ok(())
            }
            Outcome::Done(n) | Outcome::Failed(n) => {
                if let Some(j) = &mut self.journal {
                    j.append(task, ok, n, w, secs, data)?;
                }
                if let Some(r) = &mut self.records {
                    r.write(
                        task,
                        w,
                        start,
                        end,
                        n,
                        if ok { "done" } else { "failed" },
                        if ok { b"" } else { data },
                    )?;
                }
                self.tally.finished(task, w, ok, n, secs, data);
                self.progress.finished(ok);
                self.deliver(&TaskResult {
                    task,
                    ok,
                    data,
                    rank: w,
                    attempts: n,
                    seconds: secs,
                    replayed: false,
                })
            }
        }
    }

    fn handle(&mut self, link: &mut Link, m: link::Msg) -> Result<bool> {
        let w = m.source;
        let mut err = Ok(());
        let out = wire::decode_report(&m.bytes, |task, ok, start, end, data| {
            if err.is_ok() && self.error.is_none() {
                err = self.attempt_done(w, task, ok, start, end, data);
            }
        })?;
        err?;
        match out {
            Ok(batch_done) => {
                if batch_done {
                    self.sched.batch_done(w as usize);
                }
                self.refill(link)?;
                Ok(false)
            }
            Err((busy, _attempts)) => {
                self.busy += busy;
                Ok(true)
            }
        }
    }

    fn refill(&mut self, link: &mut Link) -> Result<()> {
        if self.error.is_some() {
            return Ok(());
        }
        for w in 1..self.size {
            while self.sched.wants(w as usize) {
                let Some(runs) = self.sched.next_batch(w as usize) else {
                    break;
                };
                self.scratch.clear();
                wire::encode_work(&Work::Batch(runs), &mut self.scratch);
                link.send(w, TAG_WORK, &self.scratch)?;
            }
        }
        Ok(())
    }

    fn run_local<F>(&mut self, task: &mut F, runs: Vec<Run>) -> Result<()>
    where
        F: FnMut(u64) -> std::result::Result<Vec<u8>, TaskError>,
    {
        for run in runs {
            for t in run.tasks() {
                let s = self.t0.elapsed().as_secs_f64();
                let (ok, data) = attempt(task, t);
                let e = self.t0.elapsed().as_secs_f64();
                self.busy += e - s;
                self.attempt_done(0, t, ok, s, e, &data)?;
            }
        }
        self.sched.batch_done(0);
        Ok(())
    }

    /// The controller's loop: hands out batches, runs its own tasks between messages when it
    /// works, and stops every worker at the end (or at the first error).
    pub fn run<F>(&mut self, link: &mut Link, task: &mut F) -> Result<()>
    where
        F: FnMut(u64) -> std::result::Result<Vec<u8>, TaskError>,
    {
        let r = self.main_loop(link, task);
        if let Err(e) = r {
            self.error.get_or_insert(e);
        }
        // Stop every worker and wait for its goodbye (results still arriving are recorded
        // when all is well, dropped after an error).
        let mut stop = Vec::new();
        wire::encode_work(&Work::Stop, &mut stop);
        let mut left = 0;
        for w in 1..self.size {
            link.send(w, TAG_WORK, &stop)?;
            left += 1;
        }
        while left > 0 {
            let m = link.recv(None, TAG_RESULT)?;
            match self.handle(link, m) {
                Ok(true) => left -= 1,
                Ok(false) => {}
                Err(e) => {
                    self.error.get_or_insert(e);
                }
            }
        }
        self.progress.end();
        let mut res = Ok(());
        if let Some(j) = self.journal.take() {
            res = j.close();
        }
        if let Some(r) = self.records.take() {
            res = res.and(r.finish());
        }
        match self.error.take() {
            Some(e) => Err(e),
            None => res,
        }
    }

    fn main_loop<F>(&mut self, link: &mut Link, task: &mut F) -> Result<()>
    where
        F: FnMut(u64) -> std::result::Result<Vec<u8>, TaskError>,
    {
        self.refill(link)?;
        loop {
            while let Some(m) = link.try_recv(None, TAG_RESULT)? {
                self.handle(link, m)?;
            }
            if self.sched.finished() {
                return Ok(());
            }
            if self.local {
                if let Some(runs) = self.sched.next_batch(0) {
                    self.run_local(task, runs)?;
                    self.refill(link)?;
                    continue;
                }
            }
            let m = link.recv(None, TAG_RESULT)?;
            self.handle(link, m)?;
        }
    }

    /// The summary of this run.
    pub fn summary(&self, tasks: u64, working: u32, controller: &str) -> Summary {
        let wall = self.t0.elapsed().as_secs_f64();
        self.tally.summary(
            tasks,
            self.size as u32,
            working,
            wall,
            self.busy,
            controller,
        )
    }
}

/// A worker's loop (ranks other than 0): run batches in order, report each, until told to stop.
pub(crate) fn work<F>(link: &mut Link, task: &mut F, t0: Instant) -> Result<()>
where
    F: FnMut(u64) -> std::result::Result<Vec<u8>, TaskError>,
{
    let mut queue: VecDeque<Vec<Run>> = VecDeque::new();
    let (mut busy, mut attempts) = (0.0f64, 0u64);
    loop {
        if queue.is_empty() {
            let m = link.recv(Some(0), TAG_WORK)?;
            match wire::decode_work(&m.bytes)? {
                Work::Batch(b) => queue.push_back(b),
                Work::Stop => break,
            }
        }
        let Some(batch) = queue.pop_front() else {
            continue;
        };
        let mut out = Vec::with_capacity(64);
        wire::begin_results(&mut out);
        let mut count = 0u32;
        let mut last = Instant::now();
        for run in batch {
            for t in run.tasks() {
                let s = t0.elapsed().as_secs_f64();
                let (ok, data) = attempt(task, t);
                let e = t0.elapsed().as_secs_f64();
                busy += e - s;
                attempts += 1;
                wire::push_attempt(&mut out, t, ok, s, e, &data);
                count += 1;
                if last.elapsed() >= FLUSH_EVERY {
                    wire::finish_results(&mut out, false, count);
                    link.post(0, TAG_RESULT, std::mem::take(&mut out))?;
                    wire::begin_results(&mut out);
                    count = 0;
                    last = Instant::now();
                }
            }
        }
        wire::finish_results(&mut out, true, count);
        link.post(0, TAG_RESULT, out)?;
        link.reap()?;
    }
    link.send(0, TAG_RESULT, &wire::encode_bye(busy, attempts))?;
    link.flush()
}
