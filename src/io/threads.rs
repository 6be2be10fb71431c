//! One thread of a process at a time: the HDF5 of parallel builds is not thread-safe, so the
//! files of a process are used by one thread at a time, and a thread that opens a file while
//! another thread of the process has files open gets an error at once, on every rank of the
//! call (the claim is part of the open's first agreement), instead of entering HDF5
//! alongside it. No thread ever waits for another, so two threads never deadlock: one of
//! them fails, and may retry once the other has closed its files.
//!
//! A thread claims the process when it creates or opens a [`crate::File`] and gives it back
//! when the last object of its last file is dropped. A caller that serializes every h5par
//! call itself (the C ABI does, with a lock that it never waits for) says so once with
//! [`serialized_by_caller`]: the claim then does nothing.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::thread::ThreadId;

use crate::error::{Error, Result};

/// The thread that has files open, how many, and the first one's path (for the message).
struct Owner {
    thread: ThreadId,
    name: String,
    files: usize,
    first: String,
}

static OWNER: Mutex<Option<Owner>> = Mutex::new(None);
static SERIALIZED: AtomicBool = AtomicBool::new(false);

/// Says that the caller serializes every h5par call of the process itself (for the C ABI):
/// from then on files are not claimed by a thread.
pub fn serialized_by_caller() {
    SERIALIZED.store(true, Ordering::Relaxed);
}

/// A thread's claim on the process for one open file, given back on drop.
#[derive(Debug)]
pub(crate) struct Claim {
    held: bool,
}

impl Drop for Claim {
    fn drop(&mut self) {
        if !self.held {
            return;
        }
        let mut owner = OWNER.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(o) = owner.as_mut() {
            o.files = o.files.saturating_sub(1);
            if o.files == 0 {
                *owner = None;
            }
        }
    }
}

/// The claim of the current thread for a file at `path`, or the error that another thread of
/// the process has files open (local; the caller agrees on it).
pub(crate) fn claim(path: &std::path::Path) -> Result<Claim> {
    if SERIALIZED.load(Ordering::Relaxed) {
        return Ok(Claim { held: false });
    }
    let me = std::thread::current();
    let mut owner = OWNER.lock().unwrap_or_else(|p| p.into_inner());
    match owner.as_mut() {
        Some(o) if o.thread != me.id() => Err(refused(&o.name, o.files, &o.first, path)),
        Some(o) => {
            o.files += 1;
            Ok(Claim { held: true })
        }
        None => {
            *owner = Some(Owner {
                thread: me.id(),
                name: me
                    .name()
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("{:?}", me.id())),
                files: 1,
                first: path.display().to_string(),
            });
            Ok(Claim { held: true })
        }
    }
}

/// The error of a thread refused because thread `other` has `files` files open.
fn refused(other: &str, files: usize, first: &str, path: &std::path::Path) -> Error {
    Error::Invalid(format!(
        "{}: another thread of this process ({other}) has {files} h5par file(s) open ({first}{}): \
         HDF5 is not thread-safe, so the files of a process are used by one thread at a time; \
         h5par refuses at once (on every rank) instead of waiting, so that threads never \
         deadlock: open files from one thread, or retry once the other thread has closed its \
         files",
        path.display(),
        if files > 1 { ", ..." } else { "" }
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusal_names_both_files_and_the_rule() {
        let e = refused("worker", 2, "/a.h5", std::path::Path::new("/b.h5")).to_string();
        assert!(
            e.contains("/b.h5: another thread of this process (worker)"),
            "{e}"
        );
        assert!(e.contains("2 h5par file(s) open (/a.h5, ...)"), "{e}");
        assert!(e.contains("one thread at a time"), "{e}");
    }

    #[test]
    fn a_second_thread_is_refused_until_the_first_gives_back() {
        let a = claim(std::path::Path::new("/a.h5")).expect("first claim");
        let again = claim(std::path::Path::new("/a2.h5")).expect("same thread again");
        let other = std::thread::spawn(|| claim(std::path::Path::new("/b.h5")).map(|_| ()))
            .join()
            .expect("thread");
        assert!(other.is_err(), "another thread is refused");
        drop(a);
        let other = std::thread::spawn(|| claim(std::path::Path::new("/b.h5")).map(|_| ()))
            .join()
            .expect("thread");
        assert!(other.is_err(), "still one file open");
        drop(again);
        let other = std::thread::spawn(|| claim(std::path::Path::new("/b.h5")).map(|_| ()))
            .join()
            .expect("thread");
        assert!(other.is_ok(), "given back: {other:?}");
    }
}
