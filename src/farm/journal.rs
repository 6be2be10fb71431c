//! The journal of a farm: one record per finished task (done, or failed for good), appended by
//! rank 0 and made durable by a background thread that writes and `fdatasync`s batches of
//! records, at most every [`SYNC_PAUSE`] after the previous sync (so well within a second of
//! the task's end, and never one sync per task).
//!
//! Layout (little-endian): a 32-byte header — magic `H5PARJN1`, task count `u64`, identity
//! hash `u64`, CRC-32 of those 24 bytes `u32`, 4 zero bytes — then records, each `len u32`,
//! `crc32(body) u32`, body: task `u64`, status `u8` (1 done, 2 failed), attempts `u16`, rank
//! `i32`, seconds `f64`, then the result bytes (done) or the message (failed).
//!
//! A record cut short at the end of the file (a job killed mid-append) is dropped and the file
//! truncated to the last whole record; a bad record anywhere else is an error, as is a journal
//! written for another task list (another count or identity).

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use super::wire::Reader;
use crate::error::{Error, Result};

const MAGIC: &[u8; 8] = b"H5PARJN1";
/// Bytes of the header.
pub const HEADER_LEN: usize = 32;
const BODY_FIXED: usize = 8 + 1 + 2 + 4 + 8;
/// The pause after a sync during which further records are gathered for the next one.
pub const SYNC_PAUSE: Duration = Duration::from_millis(200);

/// One finished task as journaled.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The task index.
    pub task: u64,
    /// Whether it was done (else it failed for good).
    pub ok: bool,
    /// Attempts made.
    pub attempts: u32,
    /// The rank that ran the last attempt.
    pub rank: i32,
    /// Seconds the last attempt took.
    pub seconds: f64,
    /// Result bytes (done) or message (failed).
    pub data: Vec<u8>,
}

/// The header of a journal for `ntasks` tasks of the list whose identity hash is `identity`.
pub fn header(ntasks: u64, identity: u64) -> [u8; HEADER_LEN] {
    let mut h = [0u8; HEADER_LEN];
    h[..8].copy_from_slice(MAGIC);
    h[8..16].copy_from_slice(&ntasks.to_le_bytes());
    h[16..24].copy_from_slice(&identity.to_le_bytes());
    let crc = crc32fast::hash(&h[..24]);
    h[24..28].copy_from_slice(&crc.to_le_bytes());
    h
}

/// Appends the encoding of one record to `out`.
pub fn encode(
    out: &mut Vec<u8>,
    task: u64,
    ok: bool,
    attempts: u32,
    rank: i32,
    seconds: f64,
    data: &[u8],
) {
    let start = out.len();
    out.extend_from_slice(&[0u8; 8]);
    out.extend_from_slice(&task.to_le_bytes());
    out.push(if ok { 1 } else { 2 });
    out.extend_from_slice(&(attempts.min(u16::MAX as u32) as u16).to_le_bytes());
    out.extend_from_slice(&rank.to_le_bytes());
    out.extend_from_slice(&seconds.to_le_bytes());
    out.extend_from_slice(data);
    let body_len = (out.len() - start - 8) as u32;
    let crc = crc32fast::hash(&out[start + 8..]);
    out[start..start + 4].copy_from_slice(&body_len.to_le_bytes());
    out[start + 4..start + 8].copy_from_slice(&crc.to_le_bytes());
}

/// What a journal file holds.
#[derive(Debug, Default)]
pub struct Replay {
    /// Whole records, in file order.
    pub records: Vec<Record>,
    /// Bytes of whole records and header (where appending goes on).
    pub valid_len: u64,
    /// Bytes of a cut-short last record (0 if none), dropped.
    pub torn: u64,
    /// Whether there was no header (an empty file, or one cut inside its header).
    pub fresh: bool,
}

/// Parses the bytes of a journal for `ntasks` tasks of identity `identity`; `path` is for messages.
pub fn parse(bytes: &[u8], ntasks: u64, identity: u64, path: &Path) -> Result<Replay> {
    let p = path.display();
    if bytes.len() < HEADER_LEN {
        // Killed while writing the header: nothing was journaled yet.
        if MAGIC.starts_with(&bytes[..bytes.len().min(8)]) {
            return Ok(Replay {
                fresh: true,
                ..Default::default()
            });
        }
        return Err(Error::Invalid(format!(
            "{p}: not an h5par task-farm journal"
        )));
    }
    if &bytes[..8] != MAGIC {
        return Err(Error::Invalid(format!(
            "{p}: not an h5par task-farm journal"
        )));
    }
    let mut r = Reader::new(&bytes[8..HEADER_LEN]);
    let (n, id) = (r.u64()?, r.u64()?);
    if r.u32()? != crc32fast::hash(&bytes[..24]) {
        return Err(Error::Invalid(format!(
            "{p}: the journal's header is damaged"
        )));
    }
    if n != ntasks || id != identity {
        return Err(Error::Invalid(format!(
            "{p}: this journal belongs to another task list: it was written for {n} tasks with \
             identity {id:016x}, this farm has {ntasks} tasks with identity {identity:016x}; \
             remove the journal or choose another path to start afresh"
        )));
    }
    let mut out = Replay {
        valid_len: HEADER_LEN as u64,
        ..Default::default()
    };
    let mut pos = HEADER_LEN;
    while pos < bytes.len() {
        let left = bytes.len() - pos;
        let torn = || Replay {
            records: Vec::new(),
            valid_len: pos as u64,
            torn: left as u64,
            fresh: false,
        };
        if left < 8 {
            let t = torn();
            return Ok(Replay {
                records: out.records,
                ..t
            });
        }
        let len = u32::from_le_bytes(bytes[pos..pos + 4].try_into().unwrap_or_default()) as usize;
        let crc = u32::from_le_bytes(bytes[pos + 4..pos + 8].try_into().unwrap_or_default());
        if len > left - 8 {
            let t = torn();
            return Ok(Replay {
                records: out.records,
                ..t
            });
        }
        let body = &bytes[pos + 8..pos + 8 + len];
        if crc32fast::hash(body) != crc || len < BODY_FIXED {
            if pos + 8 + len == bytes.len() {
                let t = torn();
                return Ok(Replay {
                    records: out.records,
                    ..t
                });
            }
            return Err(Error::Invalid(format!(
                "{p}: journal record at byte {pos} is damaged (not at the end of the file, so \
                 not an interrupted append)"
            )));
        }
        let mut b = Reader::new(body);
        let task = b.u64()?;
        let status = b.u8()?;
        let attempts = b.u16()? as u32;
        let rank = b.i32()?;
        let seconds = b.f64()?;
        if task >= ntasks || !(1..=2).contains(&status) {
            return Err(Error::Invalid(format!(
                "{p}: journal record at byte {pos} names task {task} (of {ntasks}) with status {status}"
            )));
        }
        out.records.push(Record {
            task,
            ok: status == 1,
            attempts,
            rank,
            seconds,
            data: body[BODY_FIXED..].to_vec(),
        });
        pos += 8 + len;
        out.valid_len = pos as u64;
    }
    Ok(out)
}

struct Shared {
    buf: Vec<u8>,
    stop: bool,
    error: Option<String>,
}

/// An open journal: records are appended to memory and written and synced by a thread.
pub struct Journal {
    path: PathBuf,
    shared: Arc<(Mutex<Shared>, Condvar)>,
    thread: Option<JoinHandle<()>>,
    scratch: Vec<u8>,
}

impl Journal {
    /// Opens (or creates) the journal at `path` for `ntasks` tasks of identity `identity`,
    /// returning what it already holds. A cut-short last record is dropped from the file.
    pub fn open(path: &Path, ntasks: u64, identity: u64) -> Result<(Journal, Replay)> {
        let p = path.display();
        let ctx = |e: std::io::Error| Error::from(e).context(format!("journal {p}"));
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(ctx(e)),
        };
        let replay = parse(&bytes, ntasks, identity, path)?;
        let mut file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(path)
            .map_err(ctx)?;
        if replay.fresh {
            file.set_len(0).map_err(ctx)?;
            file.write_all(&header(ntasks, identity)).map_err(ctx)?;
            file.sync_all().map_err(ctx)?;
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                if let Ok(d) = File::open(dir) {
                    let _ = d.sync_all();
                }
            }
        } else if replay.torn > 0 {
            file.set_len(replay.valid_len).map_err(ctx)?;
            file.sync_all().map_err(ctx)?;
        }
        use std::io::Seek;
        file.seek(std::io::SeekFrom::End(0)).map_err(ctx)?;
        let shared = Arc::new((
            Mutex::new(Shared {
                buf: Vec::new(),
                stop: false,
                error: None,
            }),
            Condvar::new(),
        ));
        let s2 = Arc::clone(&shared);
        let name = path.display().to_string();
        let thread = std::thread::Builder::new()
            .name("h5par-journal".into())
            .spawn(move || sync_loop(file, &s2, &name))
            .map_err(|e| Error::Io(format!("journal {p}: cannot start its thread: {e}")))?;
        Ok((
            Journal {
                path: path.to_path_buf(),
                shared,
                thread: Some(thread),
                scratch: Vec::new(),
            },
            replay,
        ))
    }

    /// Appends a record (written and synced soon by the journal's thread). Fails when an
    /// earlier write or sync failed.
    pub fn append(
        &mut self,
        task: u64,
        ok: bool,
        attempts: u32,
        rank: i32,
        seconds: f64,
        data: &[u8],
    ) -> Result<()> {
        self.scratch.clear();
        encode(&mut self.scratch, task, ok, attempts, rank, seconds, data);
        let (m, cv) = &*self.shared;
        let mut s = m
            .lock()
            .map_err(|_| Error::Internal("journal lock poisoned".into()))?;
        if let Some(e) = &s.error {
            return Err(Error::Io(e.clone()));
        }
        let was_empty = s.buf.is_empty();
        s.buf.extend_from_slice(&self.scratch);
        if was_empty {
            cv.notify_all();
        }
        Ok(())
    }

    /// Writes and syncs what is left, stops the thread, and reports any failure.
    pub fn close(mut self) -> Result<()> {
        self.stop()
    }

    fn stop(&mut self) -> Result<()> {
        let (m, cv) = &*self.shared;
        if let Ok(mut s) = m.lock() {
            s.stop = true;
            cv.notify_all();
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        match m.lock() {
            Ok(s) => match &s.error {
                Some(e) => Err(Error::Io(e.clone())),
                None => Ok(()),
            },
            Err(_) => Err(Error::Internal(format!(
                "journal {}: lock poisoned",
                self.path.display()
            ))),
        }
    }
}

impl Drop for Journal {
    fn drop(&mut self) {
        let _ = self.stop();
    }
}

fn sync_loop(mut file: File, shared: &(Mutex<Shared>, Condvar), name: &str) {
    let (m, cv) = shared;
    loop {
        let (chunk, stopping) = {
            let Ok(mut s) = m.lock() else { return };
            while s.buf.is_empty() && !s.stop {
                s = match cv.wait(s) {
                    Ok(s) => s,
                    Err(_) => return,
                };
            }
            (std::mem::take(&mut s.buf), s.stop)
        };
        if !chunk.is_empty() {
            let res = file.write_all(&chunk).and_then(|()| file.sync_data());
            if let Err(e) = res {
                if let Ok(mut s) = m.lock() {
                    s.error = Some(format!("journal {name}: {e}"));
                }
                return;
            }
        }
        if stopping {
            let Ok(s) = m.lock() else { return };
            if s.buf.is_empty() {
                return;
            }
            continue;
        }
        // Gather the records of the next SYNC_PAUSE into one write and one sync (woken early
        // only to stop).
        let Ok(s) = m.lock() else { return };
        let _ = cv.wait_timeout_while(s, SYNC_PAUSE, |s| !s.stop);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path_in(dir: &tempfile::TempDir) -> PathBuf {
        dir.path().join("j.journal")
    }

    #[test]
    fn records_survive_a_reopen_and_a_torn_tail_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let p = path_in(&dir);
        let (mut j, r) = Journal::open(&p, 10, 7).unwrap();
        assert!(r.fresh && r.records.is_empty());
        j.append(3, true, 1, 0, 0.5, b"three").unwrap();
        j.append(5, false, 2, 1, 0.25, b"boom").unwrap();
        j.close().unwrap();
        // A half-written third record.
        let mut extra = Vec::new();
        encode(&mut extra, 7, true, 1, 0, 0.1, b"seven");
        let mut f = OpenOptions::new().append(true).open(&p).unwrap();
        f.write_all(&extra[..extra.len() - 3]).unwrap();
        drop(f);
        let (j, r) = Journal::open(&p, 10, 7).unwrap();
        assert_eq!(r.records.len(), 2);
        assert_eq!(r.torn as usize, extra.len() - 3);
        assert_eq!(
            (r.records[0].task, r.records[0].ok, &r.records[0].data[..]),
            (3, true, &b"three"[..])
        );
        assert_eq!((r.records[1].task, r.records[1].attempts), (5, 2));
        j.close().unwrap();
        assert_eq!(std::fs::metadata(&p).unwrap().len(), r.valid_len);
    }

    #[test]
    fn every_cut_of_the_last_record_is_tolerated() {
        let mut b = header(4, 1).to_vec();
        encode(&mut b, 0, true, 1, 0, 0.0, b"a");
        let whole = b.len();
        encode(&mut b, 1, true, 1, 0, 0.0, b"bcdef");
        for cut in whole..b.len() {
            let r = parse(&b[..cut], 4, 1, Path::new("j")).unwrap();
            assert_eq!(r.records.len(), 1, "cut at {cut}");
            assert_eq!(r.valid_len as usize, whole);
        }
        assert_eq!(parse(&b, 4, 1, Path::new("j")).unwrap().records.len(), 2);
        for cut in 0..HEADER_LEN {
            assert!(parse(&b[..cut], 4, 1, Path::new("j")).unwrap().fresh);
        }
    }

    #[test]
    fn damage_before_the_end_and_foreign_files_are_errors() {
        let mut b = header(4, 1).to_vec();
        encode(&mut b, 0, true, 1, 0, 0.0, b"a");
        encode(&mut b, 1, true, 1, 0, 0.0, b"b");
        let mut bad = b.clone();
        bad[HEADER_LEN + 10] ^= 0xff;
        let e = parse(&bad, 4, 1, Path::new("j")).unwrap_err();
        assert!(e.to_string().contains("damaged"), "{e}");
        let e = parse(&b, 5, 1, Path::new("j")).unwrap_err();
        assert!(e.to_string().contains("another task list"), "{e}");
        let e = parse(&b, 4, 2, Path::new("j")).unwrap_err();
        assert!(e.to_string().contains("another task list"), "{e}");
        let e = parse(
            b"#!/bin/sh\necho hello, this is not a journal\n",
            4,
            1,
            Path::new("j"),
        )
        .unwrap_err();
        assert!(e.to_string().contains("not an h5par"), "{e}");
    }

    #[test]
    fn replay_of_100000_records_is_fast() {
        let mut b = header(100_000, 9).to_vec();
        for t in 0..100_000 {
            encode(&mut b, t, true, 1, 1, 0.001, &t.to_le_bytes());
        }
        let r = parse(&b, 100_000, 9, Path::new("j")).unwrap();
        assert_eq!(r.records.len(), 100_000);
        assert_eq!(r.records[99_999].data, 99_999u64.to_le_bytes());
    }
}
