//! The registry of live handles.
//!
//! A handle given to C is not an address: it is a token, never reused, that names an entry of
//! this registry. A NULL, closed, freed or foreign handle is therefore found missing and
//! reported as `H5PAR_ERR_HANDLE`; it is never dereferenced, and a stale handle cannot reach an
//! object that happens to be allocated where an old one was.
//!
//! Every exported function that uses handles holds the registry's lock for its whole duration,
//! so h5par calls of one process run one at a time (HDF5's parallel builds are not
//! thread-safe either). The lock is taken with [`enter`], which never waits: a call made while
//! another thread of the process is inside h5par fails at once with a clear error, and a
//! collective call then still takes part in its agreement (on the communicator of the handle,
//! found in a side table that does not need the lock), so that the error is every rank's and
//! no rank waits for one that gave up. No thread ever waits for the lock while another holds
//! it across an MPI wait, so two threads per rank with their own files never deadlock: their
//! calls either run or fail on every rank with the error "another thread ... is inside h5par".

use std::collections::BTreeMap;
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

/// What C sees of a group: `h5par_group *` (opaque).
#[allow(non_camel_case_types)]
pub struct h5par_group {
    _private: [u8; 0],
}

/// An open group (a local handle: opened and closed by one rank alone).
pub(crate) struct GroupEntry {
    pub group: h5par::Group,
    /// The members listed by the last `h5par_group_nmembers` (with their kinds) or
    /// `h5par_group_nnames` (kinds `None`: looked up when asked for).
    pub listing: Vec<(String, Option<h5par::ObjectKind>)>,
}

/// An open file.
pub(crate) struct FileEntry {
    pub file: File,
}

/// An open dataset.
pub(crate) struct DatasetEntry {
    pub dataset: Dataset,
    /// `file:path`, for messages.
    pub name: String,
}

pub(crate) enum Entry {
    File(FileEntry),
    Dataset(DatasetEntry),
    Group(GroupEntry),
}

impl Entry {
    fn kind(&self) -> &'static str {
        match self {
            Entry::File(_) => "file",
            Entry::Dataset(_) => "dataset",
            Entry::Group(_) => "group",
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

/// Locks the registry, waiting for it (a panic stopped at the border while it was held does not
/// lock it out). Prefer [`enter`], which never waits.
#[allow(dead_code)] // for modules that have not moved to `enter` yet
pub(crate) fn registry() -> MutexGuard<'static, Registry> {
    h5par::io::threads::serialized_by_caller();
    REGISTRY
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The h5par function a thread is inside, for the error of another thread.
static INSIDE: Mutex<&'static str> = Mutex::new("");

/// The registry, locked for the call `func`, or at once the error that another thread is
/// inside h5par (see the module documentation).
pub(crate) fn enter(func: &'static str) -> Result<Held> {
    use std::sync::TryLockError;
    match REGISTRY.try_lock() {
        Ok(g) => Ok(Held::new(g, func)),
        Err(TryLockError::Poisoned(p)) => Ok(Held::new(p.into_inner(), func)),
        Err(TryLockError::WouldBlock) => {
            let other = *INSIDE.lock().unwrap_or_else(|p| p.into_inner());
            Err(Error::Invalid(format!(
                "another thread of this process is inside h5par ({other}): h5par makes one \
                 call at a time per process, and a call made while another thread is inside \
                 fails at once (collective calls on every rank) instead of waiting, so that \
                 threads never deadlock; make h5par calls from one thread at a time, or retry"
            )))
        }
    }
}

/// The locked registry of one call.
pub(crate) struct Held {
    guard: MutexGuard<'static, Registry>,
}

impl Held {
    fn new(guard: MutexGuard<'static, Registry>, func: &'static str) -> Held {
        // The registry's lock serializes the calls of the process: the core need not refuse
        // a second thread's files (`h5par::io::threads`).
        h5par::io::threads::serialized_by_caller();
        *INSIDE.lock().unwrap_or_else(|p| p.into_inner()) = func;
        Held { guard }
    }
}

impl std::ops::Deref for Held {
    type Target = Registry;
    fn deref(&self) -> &Registry {
        &self.guard
    }
}

impl std::ops::DerefMut for Held {
    fn deref_mut(&mut self) -> &mut Registry {
        &mut self.guard
    }
}

/// A communicator of a live handle and the handle's name, readable without the registry lock.
#[derive(Clone)]
pub(crate) struct CommOf {
    pub comm: mpi_sys::MPI_Comm,
    pub name: String,
    /// Whether the communicator carries fused agreements (a map's: `h5par::comm::fused`), so
    /// that an agreement on it must have their shape.
    pub fused: bool,
}

// SAFETY: an MPI communicator handle is a plain value that MPI (initialized with
// MPI_THREAD_MULTIPLE when it is used from several threads) lets any thread use.
unsafe impl Send for CommOf {}

static COMMS: Mutex<BTreeMap<usize, CommOf>> = Mutex::new(BTreeMap::new());

/// The communicator and name of the live handle `token` (without the registry lock).
pub(crate) fn comm_of(token: usize) -> Option<CommOf> {
    COMMS
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&token)
        .cloned()
}

/// Notes (`Some`) or forgets (`None`) the communicator of the live handle `token`, of this
/// registry or of another one (the vector layer's), for [`comm_of`].
pub(crate) fn set_comm_of(token: usize, comm: Option<CommOf>) {
    let mut comms = COMMS.lock().unwrap_or_else(|p| p.into_inner());
    match comm {
        Some(c) => comms.insert(token, c),
        None => comms.remove(&token),
    };
}

fn note_comm(token: usize, entry: Option<&Entry>) {
    use mpi::raw::AsRaw;
    match entry {
        Some(Entry::File(f)) => set_comm_of(
            token,
            Some(CommOf {
                comm: f.file.comm().as_raw(),
                name: f.file.path().display().to_string(),
                fused: false,
            }),
        ),
        Some(Entry::Dataset(d)) => set_comm_of(
            token,
            Some(CommOf {
                // The file's own communicator: it lives as long as the dataset, which
                // keeps the file's internals alive.
                comm: d.dataset.comm().as_raw(),
                name: d.name.clone(),
                fused: false,
            }),
        ),
        // A group handle is local: it takes part in no agreement.
        Some(Entry::Group(_)) => {}
        None => set_comm_of(token, None),
    }
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
        note_comm(token, Some(&entry));
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

    /// The open group of `token` (whose file is open).
    pub fn group(&mut self, token: usize) -> Result<&mut GroupEntry> {
        let closed = match self.live.get(&token) {
            Some(Entry::Group(g)) => (!g.group.is_open()).then(|| g.group.path().to_string()),
            other => return Err(not_a("group", token, other)),
        };
        if let Some(path) = closed {
            return Err(Error::Handle(format!(
                "{token:#x}: the file of group {path} is closed (close the group handle)"
            )));
        }
        match self.live.get_mut(&token) {
            Some(Entry::Group(g)) => Ok(g),
            _ => Err(Error::Internal("a group handle vanished".into())),
        }
    }

    /// Unregisters the group of `token` (whether or not its file is open).
    pub fn remove_group(&mut self, token: usize) -> Result<GroupEntry> {
        match self.live.get(&token) {
            Some(Entry::Group(_)) => {}
            other => return Err(not_a("group", token, other)),
        }
        match self.live.remove(&token) {
            Some(Entry::Group(g)) => Ok(g),
            other => Err(not_a("group", token, other.as_ref())),
        }
    }

    /// Unregisters the file of `token` and hands it over.
    pub fn remove_file(&mut self, token: usize) -> Result<FileEntry> {
        self.file(token)?;
        note_comm(token, None);
        match self.live.remove(&token) {
            Some(Entry::File(f)) => Ok(f),
            other => Err(not_a("file", token, other.as_ref())),
        }
    }

    /// Unregisters the dataset of `token` and hands it over.
    pub fn remove_dataset(&mut self, token: usize) -> Result<DatasetEntry> {
        self.dataset(token)?;
        note_comm(token, None);
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

/// The token of a C group handle.
pub(crate) fn group_token(p: *const h5par_group) -> usize {
    p as usize
}

/// The token of a C dataset handle.
pub(crate) fn dataset_token(p: *const h5par_dataset) -> usize {
    p as usize
}
