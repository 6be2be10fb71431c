//! What a farm did: per-attempt records (CSV) and the summary arithmetic, without MPI.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// How many of the slowest tasks the summary names.
pub const SLOWEST: usize = 5;
/// The longest failure message kept in the summary (characters; the records keep all).
pub const MESSAGE_MAX: usize = 2000;

/// A task in the summary's list of the slowest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlowTask {
    /// The task index.
    pub task: u64,
    /// The rank that ran it.
    pub rank: i32,
    /// Seconds its (last) attempt took.
    pub seconds: f64,
}

/// A task that failed after all its attempts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FailedTask {
    /// The task index.
    pub task: u64,
    /// Attempts made.
    pub attempts: u32,
    /// The message of the last attempt (cut at [`MESSAGE_MAX`] characters).
    pub message: String,
}

/// The summary of a farm, the same on every rank.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Summary {
    /// Tasks in the farm.
    pub tasks: u64,
    /// Tasks done in this run.
    pub done: u64,
    /// Tasks that failed for good in this run.
    pub failed: u64,
    /// Tasks skipped because the journal says an earlier run finished them.
    pub skipped: u64,
    /// Attempts that failed and were retried.
    pub retried: u64,
    /// Ranks of the communicator.
    pub ranks: u32,
    /// Ranks that ran tasks.
    pub working_ranks: u32,
    /// Seconds from the start of the farm to its end.
    pub wall_seconds: f64,
    /// Seconds spent inside task functions, summed over the ranks.
    pub busy_seconds: f64,
    /// Tasks finished (done or failed) per second of wall time.
    pub tasks_per_second: f64,
    /// Busy seconds / (ranks x wall seconds).
    pub efficiency: f64,
    /// The slowest tasks, slowest first.
    pub slowest: Vec<SlowTask>,
    /// Every task that failed for good, in task order.
    pub failures: Vec<FailedTask>,
    /// How rank 0 took part (for example `"prefetch: rank 0 controls and works"`).
    pub controller: String,
}

impl Summary {
    /// Whether every task is done (this run or an earlier one).
    pub fn all_done(&self) -> bool {
        self.failed == 0 && self.done + self.skipped == self.tasks
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "h5par farm: {} tasks: {} done, {} failed, {} skipped (journal), {} retried attempts",
            self.tasks, self.done, self.failed, self.skipped, self.retried
        )?;
        writeln!(
            f,
            "  {:.3} s wall on {} ranks ({} working; {}): {:.0} tasks/s, efficiency {:.3} \
             (busy {:.3} s)",
            self.wall_seconds,
            self.ranks,
            self.working_ranks,
            self.controller,
            self.tasks_per_second,
            self.efficiency,
            self.busy_seconds
        )?;
        if !self.slowest.is_empty() {
            let list: Vec<String> = self
                .slowest
                .iter()
                .map(|s| format!("{} ({:.3} s, rank {})", s.task, s.seconds, s.rank))
                .collect();
            writeln!(f, "  slowest: {}", list.join(", "))?;
        }
        for x in &self.failures {
            let first = x.message.lines().last().unwrap_or("");
            writeln!(
                f,
                "  failed: task {} after {} attempt(s): {first}",
                x.task, x.attempts
            )?;
        }
        Ok(())
    }
}

#[derive(PartialEq)]
struct ByTime(f64, u64, i32);
impl Eq for ByTime {}
impl PartialOrd for ByTime {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for ByTime {
    // Reversed, so that the heap's top is the fastest of the slowest kept.
    fn cmp(&self, o: &Self) -> Ordering {
        o.0.total_cmp(&self.0).then(o.1.cmp(&self.1))
    }
}

/// Gathers the summary as attempts finish, in constant memory apart from the failures.
#[derive(Default)]
pub struct Tally {
    slowest: BinaryHeap<ByTime>,
    failures: Vec<FailedTask>,
    done: u64,
    failed: u64,
    retried: u64,
    skipped: u64,
}

impl Tally {
    /// A task skipped from the journal.
    pub fn skipped(&mut self) {
        self.skipped += 1;
    }

    /// An attempt that will be retried.
    pub fn retried(&mut self) {
        self.retried += 1;
    }

    /// A task finished by this run.
    pub fn finished(
        &mut self,
        task: u64,
        rank: i32,
        ok: bool,
        attempts: u32,
        secs: f64,
        message: &[u8],
    ) {
        if ok {
            self.done += 1;
        } else {
            self.failed += 1;
            let text = String::from_utf8_lossy(message);
            self.failures.push(FailedTask {
                task,
                attempts,
                message: text.chars().take(MESSAGE_MAX).collect(),
            });
        }
        self.slowest.push(ByTime(secs, task, rank));
        if self.slowest.len() > SLOWEST {
            self.slowest.pop();
        }
    }

    /// The summary: `busy` seconds over `ranks` ranks (`working` of them ran tasks) in `wall`.
    pub fn summary(
        &self,
        tasks: u64,
        ranks: u32,
        working: u32,
        wall: f64,
        busy: f64,
        controller: &str,
    ) -> Summary {
        let mut slowest: Vec<SlowTask> = self
            .slowest
            .iter()
            .map(|b| SlowTask {
                task: b.1,
                rank: b.2,
                seconds: b.0,
            })
            .collect();
        slowest.sort_by(|a, b| b.seconds.total_cmp(&a.seconds).then(a.task.cmp(&b.task)));
        let mut failures = self.failures.clone();
        failures.sort_by_key(|f| f.task);
        let finished = (self.done + self.failed) as f64;
        Summary {
            tasks,
            done: self.done,
            failed: self.failed,
            skipped: self.skipped,
            retried: self.retried,
            ranks,
            working_ranks: working,
            wall_seconds: wall,
            busy_seconds: busy,
            tasks_per_second: if wall > 0.0 { finished / wall } else { 0.0 },
            efficiency: if wall > 0.0 && ranks > 0 {
                busy / (ranks as f64 * wall)
            } else {
                0.0
            },
            slowest,
            failures,
            controller: controller.to_string(),
        }
    }
}

/// The per-attempt records: `task,rank,start,end,attempts,status,message`, one line per
/// attempt (status `done`, `failed` for a task failed for good, `retry` for a failed attempt
/// that was tried again); times in seconds since the farm started on the rank that ran it.
pub struct Records {
    path: PathBuf,
    out: std::io::BufWriter<std::fs::File>,
}

impl Records {
    /// Creates (or truncates) the CSV at `path` and writes its header line.
    pub fn create(path: &Path) -> Result<Records> {
        let ctx = |e: std::io::Error| Error::from(e).context(format!("records {}", path.display()));
        let f = std::fs::File::create(path).map_err(ctx)?;
        let mut out = std::io::BufWriter::new(f);
        out.write_all(b"task,rank,start,end,attempts,status,message\n")
            .map_err(ctx)?;
        Ok(Records {
            path: path.to_path_buf(),
            out,
        })
    }

    /// Writes one attempt.
    #[allow(clippy::too_many_arguments)]
    pub fn write(
        &mut self,
        task: u64,
        rank: i32,
        start: f64,
        end: f64,
        attempt: u32,
        status: &str,
        message: &[u8],
    ) -> Result<()> {
        let msg = csv_field(&String::from_utf8_lossy(message));
        writeln!(
            self.out,
            "{task},{rank},{start:.6},{end:.6},{attempt},{status},{msg}"
        )
        .map_err(|e| Error::from(e).context(format!("records {}", self.path.display())))
    }

    /// Flushes the file.
    pub fn finish(mut self) -> Result<()> {
        self.out
            .flush()
            .map_err(|e| Error::from(e).context(format!("records {}", self.path.display())))
    }
}

/// A CSV field: quoted (quotes doubled) when it holds a comma, quote or line break.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_arithmetic() {
        let mut t = Tally::default();
        for task in 0..20u64 {
            t.finished(
                task,
                (task % 2) as i32,
                task != 7,
                1,
                task as f64 * 0.1,
                b"bad input",
            );
        }
        t.retried();
        t.skipped();
        let s = t.summary(21, 2, 2, 10.0, 15.0, "prefetch");
        assert_eq!((s.done, s.failed, s.skipped, s.retried), (19, 1, 1, 1));
        assert!((s.efficiency - 0.75).abs() < 1e-12);
        assert!((s.tasks_per_second - 2.0).abs() < 1e-12);
        let slow: Vec<u64> = s.slowest.iter().map(|x| x.task).collect();
        assert_eq!(slow, vec![19, 18, 17, 16, 15]);
        assert_eq!(s.failures.len(), 1);
        assert_eq!(
            (s.failures[0].task, &s.failures[0].message[..]),
            (7, "bad input")
        );
        assert!(!s.all_done());
        let text = s.to_string();
        assert!(
            text.contains("failed: task 7") && text.contains("efficiency 0.750"),
            "{text}"
        );
        let back: Summary = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
        assert_eq!(back, s);
    }

    #[test]
    fn empty_farm_summary() {
        let s = Tally::default().summary(0, 3, 3, 0.0, 0.0, "x");
        assert!(s.all_done() && s.efficiency == 0.0 && s.tasks_per_second == 0.0);
    }

    #[test]
    fn csv_fields_are_quoted_when_needed() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\"\nbye"), "\"say \"\"hi\"\"\nbye\"");
    }
}
