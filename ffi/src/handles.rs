//! The registry of live handles.
//!
//! A handle given to C is not an address: it is a token, never reused, that names an entry of
//! this registry. A NULL, closed, freed or foreign handle is therefore found missing and
//! reported as `H5PAR_ERR_HANDLE`; it is never dereferenced, and a stale handle cannot reach an
//! object that happens to be allocated where an old one was.
//!
//! Every exported function that uses handles holds the registry's lock for its whole duration,
//! so h5par calls of one process run one at a time (HDF5's parallel builds are not
//! thread-safe either).

use std::cell::Cell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::{Mutex, MutexGuard};

use h5par::{Dataset, Error, File, Result};

/// What C sees of a file: `h5par_file *` (opaque).
#[allow(non_camel_case_types)]
pub struct h5par_file {
    _private: [u8; 0],
}

/// What C sees of a dataset: `h5par_dataset *` (opaque).
#[allow(non_camel_case_types)]
pub struct h5par_dataset {
    _private: [u8; 0],
}

/// An open file.
pub(crate) struct FileEntry {
    pub file: File,
    /// Cleared when the file is closed; shared with the file's datasets.
    pub open: Rc<Cell<bool>>,
}

/// An open dataset.
pub(crate) struct DatasetEntry {
    pub dataset: Dataset,
    /// Whether the dataset's file is still open.
    pub file_open: Rc<Cell<bool>>,
    /// The file's own communicator (raw). It lives as long as the dataset, which keeps the
    /// file's internals alive.
    pub comm: mpi_sys::MPI_Comm,
    /// `file:path`, for messages.
    pub name: String,
}

pub(crate) enum Entry {
    File(FileEntry),
    Dataset(DatasetEntry),
}

impl Entry {
    fn kind(&self) -> &'static str {
        match self {
            Entry::File(_) => "file",
            Entry::Dataset(_) => "dataset",
        }
    }
}

/// Tokens start here and grow by `STEP`; they never come back.
const FIRST_TOKEN: usize = 0x4835_0010;
const STEP: usize = 0x10;

pub(crate) struct Registry {
    next: usize,
    live: BTreeMap<usize, Entry>,
}

// SAFETY: the entries hold `Rc`s and HDF5 ids, which must not be used by two threads at once.
// They are only ever reached through the registry's mutex, and every use (and drop) of an
// entry happens while that lock is held, so no two threads touch them concurrently.
unsafe impl Send for Registry {}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    next: FIRST_TOKEN,
    live: BTreeMap::new(),
});

/// Locks the registry (a panic stopped at the border while it was held does not lock it out).
pub(crate) fn registry() -> MutexGuard<'static, Registry> {
    REGISTRY
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The error for `token`, which is not a live handle of `kind` (`found` is what it is).
fn not_a(kind: &str, token: usize, found: Option<&Entry>) -> Error {
    match found {
        _ if token == 0 => Error::Handle(format!("the {kind} handle is NULL")),
        Some(e) => Error::Handle(format!(
            "{token:#x} is an h5par_{} handle, not an h5par_{kind} handle",
            e.kind()
        )),
        None => Error::Handle(format!(
            "{token:#x} is not an open h5par_{kind} handle (closed already, or not from h5par)"
        )),
    }
}

impl Registry {
    /// Registers `entry` and returns its token.
    pub fn insert(&mut self, entry: Entry) -> usize {
        while self.next == 0 || self.live.contains_key(&self.next) {
            self.next = self.next.wrapping_add(STEP);
        }
        let token = self.next;
        self.next = self.next.wrapping_add(STEP);
        self.live.insert(token, entry);
        token
    }

    /// The open file of `token`.
    pub fn file(&self, token: usize) -> Result<&FileEntry> {
        match self.live.get(&token) {
            Some(Entry::File(f)) => Ok(f),
            other => Err(not_a("file", token, other)),
        }
    }

    /// The open dataset of `token`.
    pub fn dataset(&self, token: usize) -> Result<&DatasetEntry> {
        match self.live.get(&token) {
            Some(Entry::Dataset(d)) => Ok(d),
            other => Err(not_a("dataset", token, other)),
        }
    }

    /// Unregisters the file of `token` and hands it over.
    pub fn remove_file(&mut self, token: usize) -> Result<FileEntry> {
        self.file(token)?;
        match self.live.remove(&token) {
            Some(Entry::File(f)) => Ok(f),
            other => Err(not_a("file", token, other.as_ref())),
        }
    }

    /// Unregisters the dataset of `token` and hands it over.
    pub fn remove_dataset(&mut self, token: usize) -> Result<DatasetEntry> {
        self.dataset(token)?;
        match self.live.remove(&token) {
            Some(Entry::Dataset(d)) => Ok(d),
            other => Err(not_a("dataset", token, other.as_ref())),
        }
    }
}

/// The token of a C file handle.
pub(crate) fn file_token(p: *const h5par_file) -> usize {
    p as usize
}

/// The token of a C dataset handle.
pub(crate) fn dataset_token(p: *const h5par_dataset) -> usize {
    p as usize
}
