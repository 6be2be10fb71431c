//! The scheduling policy of the task farm, without MPI: which tasks go to which worker in what
//! batch sizes, how many batches a worker holds, retries on another rank, and when the farm is
//! finished. The controller calls it; the tests here drive it with simulated workers.
//!
//! Batch sizes adapt to measured durations: a batch holds about `target` seconds of work, where
//! `target` is at least [`Policy::min_batch_secs`] and, when the controller also runs tasks
//! itself (rank 0 works), twice the longest task seen so far, so that a worker's second batch
//! lasts while rank 0 is busy with a task of its own and cannot answer. A batch at most doubles
//! the worker's previous one (so nothing large is handed out before durations are known), and
//! never exceeds the unassigned work divided by twice the number of workers (guided
//! self-scheduling: the batches shrink towards the end, so the ranks finish together).

use std::collections::VecDeque;

use super::wire::Run;

const PENDING: u8 = 0;
const ASSIGNED: u8 = 1;
const DONE: u8 = 2;
const FAILED: u8 = 3;
const SKIPPED: u8 = 4;

/// How tasks are grouped into messages.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Batch {
    /// Batch sizes from measured durations (the default).
    Adaptive,
    /// At most this many tasks per message (1 turns batching off).
    Fixed(u64),
}

/// The tunable part of the policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// Batches a worker holds at once (at least 1; default 2: one running, one waiting).
    pub depth: u32,
    /// Batch sizing.
    pub batch: Batch,
    /// Retries of a failed task (so at most `retries + 1` attempts).
    pub retries: u32,
    /// The least work in a batch, in seconds (default 2 ms: message costs stay below 1%).
    pub min_batch_secs: f64,
    /// The most tasks in a batch.
    pub max_batch: u64,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            depth: 2,
            batch: Batch::Adaptive,
            retries: 0,
            min_batch_secs: 0.002,
            max_batch: 8192,
        }
    }
}

/// What became of an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The task is done (after this many attempts).
    Done(u32),
    /// The attempt failed and the task will be tried again.
    Retry(u32),
    /// The task failed for good (after this many attempts).
    Failed(u32),
    /// A report of a task that was not assigned to this worker (ignored).
    Stale,
}

#[derive(Debug, Clone, Default)]
struct Worker {
    active: bool,
    batches: u32,
    last_chunk: u64,
}

/// The controller's view of the farm.
#[derive(Debug)]
pub struct Scheduler {
    state: Vec<u8>,
    attempts: Vec<u8>,
    owner: Vec<u32>,
    next_fresh: u64,
    fresh_left: u64,
    retry: VecDeque<(u64, u32)>,
    unfinished: u64,
    workers: Vec<Worker>,
    active: usize,
    inline_local: bool,
    busy: f64,
    measured: u64,
    max_dur: f64,
    policy: Policy,
}

impl Scheduler {
    /// A farm of `ntasks` tasks over `workers` workers (worker `w` is rank `w`); `active[w]`
    /// says whether it runs tasks; `inline_local` when worker 0 runs on the controller's
    /// thread (the controller answers only between its own tasks).
    pub fn new(ntasks: u64, active: &[bool], inline_local: bool, policy: Policy) -> Scheduler {
        let n = ntasks as usize;
        let workers: Vec<Worker> = active
            .iter()
            .map(|&a| Worker {
                active: a,
                ..Default::default()
            })
            .collect();
        Scheduler {
            state: vec![PENDING; n],
            attempts: vec![0; n],
            owner: vec![u32::MAX; n],
            next_fresh: 0,
            fresh_left: ntasks,
            retry: VecDeque::new(),
            unfinished: ntasks,
            active: workers.iter().filter(|w| w.active).count(),
            workers,
            inline_local,
            busy: 0.0,
            measured: 0,
            max_dur: 0.0,
            policy,
        }
    }

    /// Marks `task` finished by an earlier run (from the journal). Returns false when it is out
    /// of range or already marked.
    pub fn skip(&mut self, task: u64) -> bool {
        match self.state.get_mut(task as usize) {
            Some(s) if *s == PENDING => {
                *s = SKIPPED;
                self.fresh_left -= 1;
                self.unfinished -= 1;
                true
            }
            _ => false,
        }
    }

    /// Tasks not finished yet (neither done nor failed for good nor skipped).
    pub fn unfinished(&self) -> u64 {
        self.unfinished
    }

    /// Whether every task is finished.
    pub fn finished(&self) -> bool {
        self.unfinished == 0
    }

    /// The attempts made of `task` so far.
    pub fn attempts(&self, task: u64) -> u32 {
        self.attempts.get(task as usize).copied().unwrap_or(0) as u32
    }

    /// Batches worker `w` holds (sent and not closed).
    pub fn held(&self, w: usize) -> u32 {
        self.workers[w].batches
    }

    fn unassigned(&self) -> u64 {
        self.fresh_left + self.retry.len() as u64
    }

    /// Whether a retry last tried on `w` may go to `w` again (no other worker exists).
    fn may_retry_on(&self, last: u32, w: usize) -> bool {
        last as usize != w || self.active <= 1
    }

    fn has_work_for(&self, w: usize) -> bool {
        self.fresh_left > 0 || self.retry.iter().any(|&(_, l)| self.may_retry_on(l, w))
    }

    /// Whether worker `w` should be sent a batch now.
    pub fn wants(&self, w: usize) -> bool {
        let wk = &self.workers[w];
        wk.active && wk.batches < self.policy.depth.max(1) && self.has_work_for(w)
    }

    /// The seconds of work a batch should hold.
    pub fn target_secs(&self) -> f64 {
        let cover = if self.inline_local {
            2.0 * self.max_dur
        } else {
            0.0
        };
        self.policy.min_batch_secs.max(cover)
    }

    /// The mean measured duration of an attempt, if any was measured.
    pub fn mean_secs(&self) -> Option<f64> {
        (self.measured > 0).then(|| self.busy / self.measured as f64)
    }

    /// The number of tasks the next batch for `w` should hold.
    pub fn chunk(&self, w: usize) -> u64 {
        if self.inline_local && w == 0 {
            // The controller runs one task at a time and answers messages in between.
            return 1;
        }
        let c = match self.policy.batch {
            Batch::Fixed(n) => n.max(1),
            Batch::Adaptive => {
                let by_time = match self.mean_secs() {
                    None => 1,
                    Some(m) if m <= 0.0 => u64::MAX,
                    Some(m) => (self.target_secs() / m * (1.0 + 1e-9))
                        .floor()
                        .max(1.0)
                        .min(u64::MAX as f64) as u64,
                };
                let grown = self.workers[w].last_chunk.saturating_mul(2).max(1);
                by_time.min(grown).min(self.policy.max_batch.max(1))
            }
        };
        let tail = self.unassigned().div_ceil(2 * self.active.max(1) as u64);
        c.min(tail).max(1)
    }

    /// The next batch for worker `w` (counted as held until [`Scheduler::batch_done`]), or
    /// `None` when there is no work for it now.
    pub fn next_batch(&mut self, w: usize) -> Option<Vec<Run>> {
        if !self.has_work_for(w) {
            return None;
        }
        let want = self.chunk(w);
        let mut runs = Vec::new();
        let mut got = 0u64;
        // Retries first, each on a rank other than the one it failed on when there is one.
        let mut i = 0;
        while got < want && i < self.retry.len() {
            let (task, last) = self.retry[i];
            if self.may_retry_on(last, w) {
                self.retry.remove(i);
                self.assign(task, w);
                runs.push(Run {
                    start: task,
                    len: 1,
                    attempt: self.attempts[task as usize] as u16 + 1,
                });
                got += 1;
            } else {
                i += 1;
            }
        }
        // Then fresh tasks, in runs of consecutive indices.
        while got < want && self.fresh_left > 0 {
            let t = self.next_fresh;
            self.next_fresh += 1;
            if self.state[t as usize] != PENDING {
                continue;
            }
            self.assign(t, w);
            self.fresh_left -= 1;
            got += 1;
            match runs.last_mut() {
                Some(r) if r.attempt == 1 && r.start + r.len as u64 == t && r.len < u32::MAX => {
                    r.len += 1
                }
                _ => runs.push(Run {
                    start: t,
                    len: 1,
                    attempt: 1,
                }),
            }
        }
        if runs.is_empty() {
            return None;
        }
        self.workers[w].batches += 1;
        self.workers[w].last_chunk = got;
        Some(runs)
    }

    fn assign(&mut self, task: u64, w: usize) {
        self.state[task as usize] = ASSIGNED;
        self.owner[task as usize] = w as u32;
    }

    /// Records an attempt of `task` by worker `w` that took `secs` seconds.
    pub fn record(&mut self, w: usize, task: u64, ok: bool, secs: f64) -> Outcome {
        let t = task as usize;
        if t >= self.state.len() || self.state[t] != ASSIGNED || self.owner[t] != w as u32 {
            return Outcome::Stale;
        }
        if secs.is_finite() && secs >= 0.0 {
            self.busy += secs;
            self.measured += 1;
            self.max_dur = self.max_dur.max(secs);
        }
        self.attempts[t] = self.attempts[t].saturating_add(1);
        let n = self.attempts[t] as u32;
        if ok {
            self.state[t] = DONE;
            self.unfinished -= 1;
            Outcome::Done(n)
        } else if n <= self.policy.retries {
            self.state[t] = PENDING;
            self.retry.push_back((task, w as u32));
            Outcome::Retry(n)
        } else {
            self.state[t] = FAILED;
            self.unfinished -= 1;
            Outcome::Failed(n)
        }
    }

    /// Worker `w` finished its oldest batch.
    pub fn batch_done(&mut self, w: usize) {
        let b = &mut self.workers[w].batches;
        *b = b.saturating_sub(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn tasks_of(runs: &[Run]) -> Vec<(u64, u16)> {
        runs.iter()
            .flat_map(|r| r.tasks().map(move |t| (t, r.attempt)))
            .collect()
    }

    /// Simulates workers that finish their oldest batch in turn (chosen by `order`), failing the
    /// attempts that `fails` says; returns which worker ran each attempt of each task.
    fn simulate(
        ntasks: u64,
        workers: usize,
        policy: Policy,
        order: &[usize],
        fails: impl Fn(u64, u16) -> bool,
    ) -> (Scheduler, Vec<Vec<usize>>) {
        let active = vec![true; workers];
        let mut s = Scheduler::new(ntasks, &active, false, policy);
        let mut held: Vec<VecDeque<Vec<Run>>> = vec![VecDeque::new(); workers];
        let mut ran = vec![Vec::new(); ntasks as usize];
        let mut step = 0usize;
        let mut guard = 0u64;
        loop {
            for (w, h) in held.iter_mut().enumerate() {
                while s.wants(w) {
                    h.push_back(s.next_batch(w).expect("wants implies a batch"));
                }
            }
            if s.finished() {
                break;
            }
            guard += 1;
            assert!(guard < 10_000_000, "no progress");
            let busy: Vec<usize> = (0..workers).filter(|&w| !held[w].is_empty()).collect();
            assert!(
                !busy.is_empty(),
                "unfinished work but no worker holds any: a hang"
            );
            let w = busy[order.get(step % order.len().max(1)).copied().unwrap_or(0) % busy.len()];
            step += 1;
            let batch = held[w].pop_front().unwrap();
            for (t, a) in tasks_of(&batch) {
                ran[t as usize].push(w);
                let out = s.record(w, t, !fails(t, a), 0.001);
                assert_ne!(out, Outcome::Stale);
            }
            s.batch_done(w);
        }
        assert!(held.iter().all(|h| h.is_empty()));
        (s, ran)
    }

    proptest! {
        #[test]
        fn every_task_runs_once_without_failures(
            ntasks in 0u64..3000, workers in 1usize..6,
            order in prop::collection::vec(0usize..100, 1..20),
            fixed in prop::option::of(1u64..50)) {
            let policy = Policy {
                batch: fixed.map(Batch::Fixed).unwrap_or(Batch::Adaptive),
                ..Policy::default()
            };
            let (s, ran) = simulate(ntasks, workers, policy, &order, |_, _| false);
            prop_assert!(s.finished());
            for r in &ran {
                prop_assert_eq!(r.len(), 1);
            }
        }

        #[test]
        fn failures_are_retried_on_another_worker(
            ntasks in 1u64..500, workers in 1usize..5, retries in 0u32..4,
            order in prop::collection::vec(0usize..100, 1..20),
            bad in prop::collection::hash_set(0u64..500, 0..40)) {
            let policy = Policy { retries, ..Policy::default() };
            let (s, ran) = simulate(ntasks, workers, policy, &order, |t, _| bad.contains(&t));
            for t in 0..ntasks {
                let r = &ran[t as usize];
                if bad.contains(&t) {
                    prop_assert_eq!(r.len() as u32, retries + 1);
                    prop_assert_eq!(s.attempts(t), retries + 1);
                    if workers > 1 {
                        for pair in r.windows(2) {
                            prop_assert_ne!(pair[0], pair[1], "task {} retried on the same worker", t);
                        }
                    }
                } else {
                    prop_assert_eq!(r.len(), 1);
                }
            }
        }
    }

    #[test]
    fn skipped_tasks_are_not_handed_out() {
        let mut s = Scheduler::new(10, &[true], false, Policy::default());
        for t in [0, 3, 4, 9] {
            assert!(s.skip(t));
        }
        assert!(!s.skip(3) && !s.skip(10));
        assert_eq!(s.unfinished(), 6);
        let mut got = Vec::new();
        while !s.finished() {
            let b = s.next_batch(0).unwrap();
            for (t, _) in tasks_of(&b) {
                got.push(t);
                s.record(0, t, true, 0.0);
            }
            s.batch_done(0);
        }
        assert_eq!(got, vec![1, 2, 5, 6, 7, 8]);
    }

    #[test]
    fn batches_grow_for_short_tasks_and_shrink_at_the_end() {
        let mut s = Scheduler::new(1_000_000, &[true, true], false, Policy::default());
        let mut sizes = Vec::new();
        while !s.finished() {
            let b = s.next_batch(1).unwrap();
            let ts = tasks_of(&b);
            sizes.push(ts.len() as u64);
            for (t, _) in ts {
                s.record(1, t, true, 1e-7);
            }
            s.batch_done(1);
        }
        assert_eq!(&sizes[..4], &[1, 2, 4, 8]);
        assert_eq!(*sizes.iter().max().unwrap(), Policy::default().max_batch);
        assert_eq!(*sizes.last().unwrap(), 1, "{:?}", &sizes[sizes.len() - 5..]);
    }

    #[test]
    fn batches_hold_the_target_time_and_cover_the_controllers_longest_task() {
        let mut s = Scheduler::new(100_000, &[true, true], true, Policy::default());
        let w1 = |s: &mut Scheduler, secs: f64| {
            let b = s.next_batch(1).unwrap();
            for (t, _) in tasks_of(&b) {
                s.record(1, t, true, secs);
            }
            s.batch_done(1);
            tasks_of(&b).len() as u64
        };
        for _ in 0..12 {
            w1(&mut s, 0.001);
        }
        // 1 ms tasks, longest 1 ms: a batch covers 2 ms.
        assert_eq!(w1(&mut s, 0.001), 2);
        // One task 100x longer: batches now cover 200 ms of mean-length work.
        let b = s.next_batch(0).unwrap();
        s.record(0, b[0].start, true, 0.1);
        s.batch_done(0);
        let mean = s.mean_secs().unwrap();
        let n = (0.2 / mean).floor() as u64;
        let mut last = 0;
        for _ in 0..10 {
            last = w1(&mut s, 0.001);
        }
        assert!(last >= n.min(8192) / 2 && last > 2, "{last} vs {n}");
    }

    #[test]
    fn depth_limits_held_batches_and_inactive_workers_get_none() {
        let mut s = Scheduler::new(100, &[false, true], false, Policy::default());
        assert!(!s.wants(0));
        assert!(s.wants(1));
        s.next_batch(1).unwrap();
        s.next_batch(1).unwrap();
        assert!(!s.wants(1));
        assert_eq!(s.held(1), 2);
        s.batch_done(1);
        assert!(s.wants(1));
    }

    #[test]
    fn stale_reports_are_ignored() {
        let mut s = Scheduler::new(4, &[true, true], false, Policy::default());
        let b = s.next_batch(1).unwrap();
        assert_eq!(s.record(0, b[0].start, true, 0.0), Outcome::Stale);
        assert_eq!(s.record(1, 99, true, 0.0), Outcome::Stale);
        assert_eq!(s.record(1, b[0].start, true, 0.0), Outcome::Done(1));
        assert_eq!(s.record(1, b[0].start, true, 0.0), Outcome::Stale);
    }

    #[test]
    fn zero_tasks_are_finished_at_once() {
        let s = Scheduler::new(0, &[true, true], true, Policy::default());
        assert!(s.finished() && !s.wants(0) && !s.wants(1));
    }
}
