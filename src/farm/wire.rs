//! The messages between the controller (rank 0) and the workers, as little-endian bytes.
//!
//! Controller to worker (`TAG_WORK`): a batch of task runs, or the order to stop.
//! Worker to controller (`TAG_RESULT`): finished attempts (optionally closing a batch), or the
//! worker's goodbye with its totals. Pure encoding, no MPI: unit-tested here.

use crate::error::{Error, Result};

/// The tag of controller-to-worker messages.
pub const TAG_WORK: i32 = 0x4641;
/// The tag of worker-to-controller messages.
pub const TAG_RESULT: i32 = 0x4642;

/// A run of consecutive tasks, all at the same attempt number (1 for a first try).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Run {
    /// The first task of the run.
    pub start: u64,
    /// How many tasks (at least 1).
    pub len: u32,
    /// The attempt number of every task of the run (1 = first try).
    pub attempt: u16,
}

impl Run {
    /// The tasks of the run.
    pub fn tasks(&self) -> impl Iterator<Item = u64> {
        self.start..self.start + self.len as u64
    }
}

/// A controller-to-worker message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Work {
    /// Run these tasks, in order, then report them with the batch closed.
    Batch(Vec<Run>),
    /// Stop: report the totals and leave.
    Stop,
}

/// One finished attempt of a task.
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    /// The task index.
    pub task: u64,
    /// Whether the task succeeded.
    pub ok: bool,
    /// Seconds since the farm started on the rank that ran it.
    pub start: f64,
    /// Seconds since the farm started on the rank that ran it.
    pub end: f64,
    /// The result bytes (success) or the message (failure).
    pub data: Vec<u8>,
}

/// A worker-to-controller message.
#[derive(Debug, Clone, PartialEq)]
pub enum Report {
    /// Finished attempts; `batch_done` when they close the oldest batch the worker holds.
    Results {
        /// Whether the worker finished its oldest batch with these.
        batch_done: bool,
        /// The attempts.
        attempts: Vec<Attempt>,
    },
    /// The worker stopped: its busy seconds and the attempts it ran.
    Bye {
        /// Seconds spent inside the task function.
        busy: f64,
        /// Attempts run.
        attempts: u64,
    },
}

/// Appends the encoding of a batch or stop order to `out`.
pub fn encode_work(w: &Work, out: &mut Vec<u8>) {
    match w {
        Work::Stop => out.push(1),
        Work::Batch(runs) => {
            out.push(0);
            out.extend_from_slice(&(runs.len() as u32).to_le_bytes());
            for r in runs {
                out.extend_from_slice(&r.start.to_le_bytes());
                out.extend_from_slice(&r.len.to_le_bytes());
                out.extend_from_slice(&r.attempt.to_le_bytes());
            }
        }
    }
}

/// Decodes a controller-to-worker message.
pub fn decode_work(b: &[u8]) -> Result<Work> {
    let mut r = Reader::new(b);
    match r.u8()? {
        1 => Ok(Work::Stop),
        0 => {
            let n = r.u32()? as usize;
            let mut runs = Vec::with_capacity(n.min(1 << 16));
            for _ in 0..n {
                runs.push(Run {
                    start: r.u64()?,
                    len: r.u32()?,
                    attempt: r.u16()?,
                });
            }
            r.end()?;
            Ok(Work::Batch(runs))
        }
        k => Err(bad(format!("unknown work message kind {k}"))),
    }
}

/// Appends the header of a results message (`count` attempts follow, each by [`push_attempt`]).
pub fn begin_results(out: &mut Vec<u8>) {
    out.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
}

/// Appends one attempt to a results message begun by [`begin_results`].
pub fn push_attempt(out: &mut Vec<u8>, task: u64, ok: bool, start: f64, end: f64, data: &[u8]) {
    out.extend_from_slice(&task.to_le_bytes());
    out.push(ok as u8);
    out.extend_from_slice(&start.to_le_bytes());
    out.extend_from_slice(&end.to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out.extend_from_slice(data);
}

/// Finishes a results message: sets the batch flag and the attempt count.
pub fn finish_results(out: &mut [u8], batch_done: bool, count: u32) {
    out[1] = batch_done as u8;
    out[2..6].copy_from_slice(&count.to_le_bytes());
}

/// Encodes a goodbye.
pub fn encode_bye(busy: f64, attempts: u64) -> Vec<u8> {
    let mut out = vec![1];
    out.extend_from_slice(&busy.to_le_bytes());
    out.extend_from_slice(&attempts.to_le_bytes());
    out
}

/// Decodes a worker-to-controller message, calling `each` for every attempt of a results
/// message (without collecting them). Returns the batch flag, or the goodbye's totals.
pub fn decode_report(
    b: &[u8],
    mut each: impl FnMut(u64, bool, f64, f64, &[u8]),
) -> Result<std::result::Result<bool, (f64, u64)>> {
    let mut r = Reader::new(b);
    match r.u8()? {
        0 => {
            let batch_done = r.u8()? != 0;
            let n = r.u32()?;
            for _ in 0..n {
                let task = r.u64()?;
                let ok = r.u8()? != 0;
                let start = r.f64()?;
                let end = r.f64()?;
                let len = r.u32()? as usize;
                let data = r.take(len)?;
                each(task, ok, start, end, data);
            }
            r.end()?;
            Ok(Ok(batch_done))
        }
        1 => {
            let busy = r.f64()?;
            let attempts = r.u64()?;
            r.end()?;
            Ok(Err((busy, attempts)))
        }
        k => Err(bad(format!("unknown report message kind {k}"))),
    }
}

/// Decodes a worker-to-controller message into a [`Report`] (for tests and tools).
pub fn decode_report_owned(b: &[u8]) -> Result<Report> {
    let mut attempts = Vec::new();
    let out = decode_report(b, |task, ok, start, end, data| {
        attempts.push(Attempt {
            task,
            ok,
            start,
            end,
            data: data.to_vec(),
        })
    })?;
    Ok(match out {
        Ok(batch_done) => Report::Results {
            batch_done,
            attempts,
        },
        Err((busy, attempts)) => Report::Bye { busy, attempts },
    })
}

fn bad(what: String) -> Error {
    Error::Internal(format!("task farm: malformed message: {what}"))
}

/// A cursor over little-endian bytes that fails instead of reading past the end.
pub(crate) struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(b: &'a [u8]) -> Self {
        Reader { b, pos: 0 }
    }
    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.b.len() - self.pos < n {
            return Err(bad(format!(
                "{n} bytes wanted at offset {} of {}",
                self.pos,
                self.b.len()
            )));
        }
        let s = &self.b[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    fn arr<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }
    pub(crate) fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }
    pub(crate) fn u16(&mut self) -> Result<u16> {
        Ok(u16::from_le_bytes(self.arr()?))
    }
    pub(crate) fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.arr()?))
    }
    pub(crate) fn i32(&mut self) -> Result<i32> {
        Ok(i32::from_le_bytes(self.arr()?))
    }
    pub(crate) fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(self.arr()?))
    }
    pub(crate) fn f64(&mut self) -> Result<f64> {
        Ok(f64::from_le_bytes(self.arr()?))
    }
    pub(crate) fn end(&self) -> Result<()> {
        if self.pos == self.b.len() {
            Ok(())
        } else {
            Err(bad(format!("{} bytes left over", self.b.len() - self.pos)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn work_round_trips() {
        let w = Work::Batch(vec![
            Run {
                start: 5,
                len: 1000,
                attempt: 1,
            },
            Run {
                start: 2,
                len: 1,
                attempt: 3,
            },
        ]);
        let mut b = Vec::new();
        encode_work(&w, &mut b);
        assert_eq!(decode_work(&b).unwrap(), w);
        let mut s = Vec::new();
        encode_work(&Work::Stop, &mut s);
        assert_eq!(decode_work(&s).unwrap(), Work::Stop);
        assert!(decode_work(&b[..b.len() - 1]).is_err());
        assert!(decode_work(&[7]).is_err());
    }

    proptest! {
        #[test]
        fn results_round_trip(items in prop::collection::vec(
            (any::<u64>(), any::<bool>(), 0.0f64..1e6, prop::collection::vec(any::<u8>(), 0..40)), 0..50),
            done in any::<bool>()) {
            let mut b = Vec::new();
            begin_results(&mut b);
            for (t, ok, s, d) in &items {
                push_attempt(&mut b, *t, *ok, *s, s + 1.0, d);
            }
            finish_results(&mut b, done, items.len() as u32);
            match decode_report_owned(&b).unwrap() {
                Report::Results { batch_done, attempts } => {
                    prop_assert_eq!(batch_done, done);
                    prop_assert_eq!(attempts.len(), items.len());
                    for (a, (t, ok, s, d)) in attempts.iter().zip(&items) {
                        prop_assert_eq!((a.task, a.ok, a.start, a.end, &a.data), (*t, *ok, *s, s + 1.0, d));
                    }
                }
                other => prop_assert!(false, "{:?}", other),
            }
            // Any truncation is an error, never a panic.
            for cut in 0..b.len() {
                let r = decode_report(&b[..cut], |_, _, _, _, _| ());
                prop_assert!(r.is_err(), "cut at {}", cut);
            }
        }
    }

    #[test]
    fn bye_round_trips() {
        let b = encode_bye(2.5, 42);
        assert_eq!(
            decode_report_owned(&b).unwrap(),
            Report::Bye {
                busy: 2.5,
                attempts: 42
            }
        );
    }
}
