//! [`File`]: an HDF5 file opened collectively by all ranks of a communicator.

use std::cell::{Cell, RefCell};
use std::ffi::CString;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use hdf5_sys::h5f::{
    H5Fclose, H5Fcreate, H5Fget_obj_count, H5Fget_obj_ids, H5Fopen, H5F_ACC_RDONLY, H5F_ACC_RDWR,
    H5F_ACC_TRUNC, H5F_OBJ_ALL, H5F_OBJ_ATTR, H5F_OBJ_DATASET, H5F_OBJ_DATATYPE, H5F_OBJ_GROUP,
    H5F_OBJ_LOCAL,
};
use hdf5_sys::h5i::hid_t;
use hdf5_sys::h5p::H5P_DEFAULT;
use mpi::topology::SimpleCommunicator;
use mpi::traits::Communicator;

use crate::comm;
use crate::error::{Error, Result};
use crate::io::h5::{self, Quiet};
use crate::io::plist;
use crate::io::report;
use crate::io::space::Reserve;
use crate::io::threads;
use crate::tune::{self, Report, TunePlan, TuneRequest};

/// How [`File::open`] opens a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Read only.
    ReadOnly,
    /// Read and write.
    ReadWrite,
}

/// Options of [`File::create_with`] and [`File::open_with`].
///
/// ```
/// let opts = h5par::FileOptions { atomic_create: false, ..Default::default() };
/// assert!(opts.hints.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileOptions {
    /// Create under a temporary name in the same directory and rename it to the path at a
    /// successful collective [`File::close`] (default `true`). A job killed mid-write then
    /// leaves either no file or the previous complete file at the path.
    pub atomic_create: bool,
    /// Extra MPI-IO hints, passed to `MPI_File_open` as they are (after h5par's own, so they
    /// win). `H5PAR_HINTS="key=value,..."` adds more.
    pub hints: Vec<(String, String)>,
    /// Tune for the file system (default `true`): striping hints on Lustre, large-block I/O on
    /// GPFS, data aligned to the stripe or block size, metadata aggregated and written
    /// collectively, fill values never written. `false` (or `H5PAR_TUNING=off`) gives plain
    /// HDF5 defaults with the MPI-IO driver.
    pub tuning: bool,
    /// Stripe count instead of the chosen one (`H5PAR_STRIPE_COUNT` overrides).
    pub stripe_count: Option<u32>,
    /// Stripe size in bytes instead of the chosen one (`H5PAR_STRIPE_SIZE` overrides).
    pub stripe_size: Option<u64>,
    /// Number of MPI-IO aggregators instead of the chosen one (`H5PAR_CB_NODES` overrides).
    pub cb_nodes: Option<u32>,
    /// Expected size of the file in bytes, which sets the stripe count on Lustre.
    pub expected_size: Option<u64>,
    /// Write the I/O report at close: `"-"` prints its summary to stderr, a path ending in
    /// `.json` gets the JSON, any other path the summary (`H5PAR_REPORT` overrides). Rank 0
    /// writes it, from its point of view.
    pub report: Option<String>,
    /// File-format bounds (low, high) instead of [`tune::DEFAULT_LIBVER`], as h5py's `libver`
    /// (`H5PAR_LIBVER="low,high"` overrides); [`tune::LibVer::parse_bounds`] reads h5py's names.
    pub libver: Option<(tune::LibVer, tune::LibVer)>,
}

impl Default for FileOptions {
    fn default() -> Self {
        FileOptions {
            atomic_create: true,
            hints: Vec::new(),
            tuning: true,
            stripe_count: None,
            stripe_size: None,
            cb_nodes: None,
            expected_size: None,
            report: None,
            libver: None,
        }
    }
}

impl FileOptions {
    /// The tuning request: these options, overridden by the `H5PAR_*` environment variables.
    pub fn tune_request(&self) -> Result<TuneRequest> {
        let env = tune::env_overrides(|k| std::env::var(k).ok())
            .map_err(|e| Error::Invalid(format!("environment: {e}")))?;
        let mut extra = self.hints.clone();
        extra.extend(env.hints);
        Ok(TuneRequest {
            enabled: env.tuning.unwrap_or(self.tuning),
            stripe_count: env.stripe_count.or(self.stripe_count),
            stripe_size: env.stripe_size.or(self.stripe_size),
            cb_nodes: env.cb_nodes.or(self.cb_nodes),
            expected_bytes: self.expected_size,
            extra_hints: extra,
            libver: env.libver.or(self.libver),
            mpi: tune::MpiFlavor::detect(),
        })
    }
}

/// What every object of one open file shares: the file id, the file's own communicator and
/// names for messages.
pub(crate) struct FileInner {
    id: Cell<hid_t>,
    /// h5par's own duplicate of the caller's communicator.
    pub(crate) comm: SimpleCommunicator,
    /// The path the user asked for.
    pub(crate) path: PathBuf,
    /// Where the file is written: the path, or the end of its chain of symbolic links.
    target: PathBuf,
    /// The temporary name the file is written under until close, when created atomically.
    tmp: Option<PathBuf>,
    pub(crate) writable: bool,
    /// Set (on every rank alike) when a collective write failed: the file's data is incomplete
    /// and HDF5's closing writes, which would fail too (on some ranks only, which would hang),
    /// go to a scratch file when the file is a temporary or its device failed
    /// ([`crate::io::scratch`]), else find the room its reserve kept.
    pub(crate) io_failed: RefCell<Option<String>>,
    /// Set when a close found the ranks in different calls: the file is left open, and
    /// dropping it only warns.
    abandoned: Cell<bool>,
    /// Room kept for HDF5's closing writes (rank 0 holds it; see [`Reserve`]).
    reserve: RefCell<Option<Reserve>>,
    /// The tuning applied to this file.
    pub(crate) plan: TunePlan,
    /// What happened so far.
    pub(crate) report: RefCell<Report>,
    /// Where to write the report at close.
    report_to: Option<String>,
    /// Set on this rank by anything that may have read metadata into HDF5's cache on some
    /// ranks only, or different metadata on different ranks (local queries, independent I/O,
    /// chunked I/O): the ranks' metadata caches may then differ, and collective metadata
    /// reads (which expect every rank to miss the cache alike) must no longer be used.
    pub(crate) cache_diverged: Cell<bool>,
    /// Set on every rank alike, by the agreement that found `cache_diverged` set on some
    /// rank: collective metadata reads are off for good, no need to ask again.
    caches_differ: Cell<bool>,
    /// This thread's claim on the process's HDF5 ([`crate::io::threads`]), given back when
    /// the file is closed in HDF5, or else when its last object is dropped.
    thread_claim: RefCell<Option<threads::Claim>>,
}

impl std::fmt::Debug for FileInner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileInner")
            .field("id", &self.id.get())
            .field("path", &self.path)
            .field("tmp", &self.tmp)
            .field("writable", &self.writable)
            .field("plan", &self.plan)
            .finish()
    }
}

impl FileInner {
    /// The file id, or an error if the file was closed.
    pub(crate) fn id(&self) -> Result<hid_t> {
        let id = self.id.get();
        if id < 0 {
            Err(Error::Handle(format!(
                "{}: the file is closed",
                self.path.display()
            )))
        } else {
            Ok(id)
        }
    }

    /// Whether the file is still open.
    pub(crate) fn is_open(&self) -> bool {
        self.id.get() >= 0
    }

    /// `"path:/object"`, for messages.
    pub(crate) fn name(&self, object: &str) -> String {
        format!("{}:{object}", self.path.display())
    }

    /// Notes that this rank may have read metadata the other ranks did not (see
    /// `cache_diverged`).
    pub(crate) fn note_local_metadata(&self) {
        self.cache_diverged.set(true);
    }

    /// Collective: [`FileInner::agree`], also telling whether collective metadata reads are
    /// safe for this call, that is whether no rank may have read metadata on its own since the
    /// file was opened (then the ranks' metadata caches are alike). Once unsafe, always unsafe
    /// (sticky on every rank, and then known without asking). The question rides in the
    /// agreement's allreduce ([`comm::agree_call_flag`]).
    pub(crate) fn agree_caches_alike(
        &self,
        what: &str,
        local: Result<()>,
        args: Option<&str>,
    ) -> Result<bool> {
        if self.caches_differ.get() {
            return self.agree(what, local, args).map(|()| false);
        }
        let a = comm::agree_call_flag(&self.comm, what, local, args, self.cache_diverged.get());
        a.result?;
        if a.flagged {
            self.cache_diverged.set(true);
            self.caches_differ.set(true);
        }
        Ok(!a.flagged)
    }

    /// Collective agreement on this file's communicator.
    pub(crate) fn agree(&self, what: &str, local: Result<()>, args: Option<&str>) -> Result<()> {
        comm::agree(&self.comm, what, local, args)
    }

    /// Collective: the outcome of a call that only changes HDF5's metadata in memory
    /// (creating a contiguous dataset or a group, writing an attribute): agreed like any
    /// outcome in an untuned file, taken as it is in a tuned one, where HDF5 makes it the same
    /// on every rank (see [Where a call skips a step](crate::comm#where-a-call-skips-a-step)):
    /// the metadata cache does not evict and nothing is pre-filled.
    pub(crate) fn metadata_outcome<T>(
        &self,
        what: &str,
        local: Result<T>,
        in_memory: bool,
    ) -> Result<T> {
        if in_memory && self.plan.enabled {
            comm::known_outcome(&self.comm, what, local)
        } else {
            comm::agree_value(&self.comm, what, local)
        }
    }

    /// An error unless the file was opened for writing.
    pub(crate) fn check_writable(&self, object: &str) -> Result<()> {
        if self.writable {
            Ok(())
        } else {
            Err(Error::Invalid(format!(
                "{}: the file is open read-only",
                self.name(object)
            )))
        }
    }

    /// Closes every object of this file that is still open (their wrappers notice that the
    /// file is closed and do not close them again).
    fn close_children(&self, fid: hid_t) {
        let types =
            H5F_OBJ_DATASET | H5F_OBJ_GROUP | H5F_OBJ_DATATYPE | H5F_OBJ_ATTR | H5F_OBJ_LOCAL;
        // SAFETY: fid is open; the buffer has room for the count HDF5 reported.
        unsafe {
            let n = H5Fget_obj_count(fid, types);
            if n <= 0 {
                return;
            }
            let mut ids = vec![0 as hid_t; n as usize];
            let got = H5Fget_obj_ids(fid, types, ids.len(), ids.as_mut_ptr());
            for &id in ids.iter().take(got.max(0) as usize) {
                if hdf5_sys::h5i::H5Iget_type(id) == hdf5_sys::h5i::H5I_type_t::H5I_ATTR {
                    hdf5_sys::h5a::H5Aclose(id);
                } else {
                    hdf5_sys::h5o::H5Oclose(id);
                }
            }
        }
    }

    /// Notes a dataset created or opened, with its data offset, in the report.
    /// Datasets smaller than the alignment threshold are not judged.
    pub(crate) fn record_dataset(&self, path: &str, offset: Option<u64>, nbytes: u64) {
        let aligned = match (offset, self.plan.alignment) {
            (Some(o), Some((threshold, a))) if a > 1 && nbytes >= threshold => Some(o % a == 0),
            _ => None,
        };
        let mut report = self.report.borrow_mut();
        report.datasets.retain(|d| d.path != path);
        report.datasets.push(crate::tune::report::DatasetReport {
            path: path.to_string(),
            offset,
            aligned,
        });
    }

    /// Writes the report where asked (rank 0 only). A report that cannot be written is a
    /// warning on stderr: it never fails the close, deletes or withholds the data file.
    fn write_report(&self) {
        let Some(to) = &self.report_to else {
            return;
        };
        if self.comm.rank() != 0 {
            return;
        }
        let report = self.report.borrow();
        if to == "-" {
            eprint!("{}", report.summary());
            return;
        }
        let text = if to.ends_with(".json") {
            report.to_json()
        } else {
            report.summary()
        };
        if let Err(e) = std::fs::write(to, text) {
            eprintln!(
                "h5par: warning: the I/O report of {} could not be written to {to}: {e} (the \
                 data file is complete)",
                self.path.display()
            );
        }
    }

    /// Where this file's data is until it is published: the temporary, or the target.
    pub(crate) fn data_path(&self) -> &Path {
        self.tmp.as_deref().unwrap_or(&self.target)
    }

    /// Explains a failed write or close of this file (full disk, quota).
    pub(crate) fn explain(&self, e: Error) -> Error {
        crate::io::space::explain(e, self.data_path(), &self.path)
    }

    /// Collective, on every rank after an agreed failure of a collective write: `err` with the
    /// OS-level cause of the lowest rank that has one (`mine`, from `errno`: see
    /// [`crate::io::space::write_errno`]), or else of a test write by rank 0
    /// ([`crate::io::space::probe_write`]), when its message does not say it already,
    /// explained with the file system and path, the same on every rank (the text is sent with
    /// [`comm::broadcast_text`]). The rank whose error the agreement shows may not be one whose
    /// own write failed, or HDF5 and MPI-IO may have dropped the cause there.
    pub(crate) fn shared_cause(&self, err: Error, mine: Option<String>) -> Error {
        let me = if mine.is_some() {
            i64::from(self.comm.rank())
        } else {
            i64::MAX
        };
        let mut lowest = [i64::MAX];
        let what = format!("write to {} (its cause)", self.path.display());
        if comm::wait::allreduce_min(&self.comm, &[me], &mut lowest, &what, 0).is_err() {
            return err;
        }
        let text = if lowest[0] < i64::MAX {
            let root = lowest[0] as i32;
            let cause = comm::broadcast_text(&self.comm, root, mine.as_deref().unwrap_or(""));
            format!("{cause} on rank {root}")
        } else {
            // No rank has it (OpenMPI's OMPIO may clear errno after its failed write, and on
            // one rank report the failure only as a short count): rank 0 asks the file system.
            let probe = if self.comm.rank() == 0 {
                crate::io::space::probe_write(self.data_path())
                    .map(|e| e.to_string())
                    .unwrap_or_default()
            } else {
                String::new()
            };
            let cause = comm::broadcast_text(&self.comm, 0, &probe);
            if cause.is_empty() {
                return err;
            }
            format!("{cause}: a test write of 4 KiB beside the file fails too")
        };
        let with = crate::io::space::with_cause(err, Some(&text));
        // Explained as a local error would be, so that the file system and path are named on
        // every rank (a remote error is otherwise shown as its rank gave it); the error keeps
        // its kind (and, when remote, its rank).
        let head = crate::io::space::explanation(&with.message(), self.data_path(), &self.path);
        match head {
            Some(head) if !with.message().contains(" while writing ") => with.context(head),
            _ => with,
        }
    }

    /// Collective close; see [`File::close_with`].
    fn close_with(&self, local: Result<()>) -> Result<()> {
        let Ok(fid) = self.id() else {
            return local;
        };
        let what = format!("close {}", self.path.display());
        if let (Err(e), Some(at)) = (&local, comm::wait::diverged(&self.comm)) {
            // Closing after this rank's own failure, when the ranks were found in different
            // calls before: the others may never come to close; do not wait for them.
            self.abandoned.set(true);
            return Err(e.clone().context_after(format!(
                " ({} is not closed: the ranks were in different collective calls (call \
                 {at}); its data stays in {})",
                self.path.display(),
                self.data_path().display()
            )));
        }
        let pre = comm::agree_call(&self.comm, &what, local, None);
        if !pre.same_call {
            // The other ranks are elsewhere: nothing can be closed together.
            self.abandoned.set(true);
            let e = pre
                .result
                .err()
                .unwrap_or_else(|| Error::Internal(what.clone()));
            return Err(e.context_after(format!(
                " ({} is still open, its data in {}: close it on every rank)",
                self.path.display(),
                self.data_path().display()
            )));
        }
        self.abandoned.set(false);
        let _q = Quiet::new();
        let rank = self.comm.rank();
        let earlier = self.io_failed.borrow().clone().map(|m| {
            Err(Error::Io(format!(
                "{what}: an earlier collective write failed, so the file is incomplete: {m}"
            )))
        });
        let failed = pre.result.is_err() || earlier.is_some();
        // After a failed write whose data will not be kept (a temporary), or one that room
        // cannot help (a device error, a quota; written in place), HDF5's closing writes go
        // to a scratch file: they would fail too, on some ranks only, and HDF5 would hang or
        // crash at MPI_Finalize.
        let device_failed = earlier.is_some()
            && !self
                .io_failed
                .borrow()
                .as_deref()
                .is_some_and(|m| m.contains("no space left on device"));
        let scratch = if self.writable && ((failed && self.tmp.is_some()) || device_failed) {
            if rank == 0 {
                if let Some(r) = self.reserve.borrow_mut().take() {
                    r.release();
                }
            }
            crate::io::scratch::divert_closing_writes(&self.comm, fid, &what).ok()
        } else {
            None
        };
        let empty_tmp = failed && self.tmp.is_some() && scratch.is_none();
        if scratch.is_none() && (empty_tmp || (self.writable && self.tmp.is_none())) {
            // Room for HDF5's closing writes (metadata, end of file) on every rank, before any
            // rank starts them, even on a disk that filled up: rank 0 gives the reserve back
            // and, when the data will not be published, empties the temporary.
            if rank == 0 {
                if let Some(r) = self.reserve.borrow_mut().take() {
                    r.release();
                }
                if let (true, Some(tmp)) = (empty_tmp, &self.tmp) {
                    if let Ok(f) = std::fs::OpenOptions::new().write(true).open(tmp) {
                        let _ = f.set_len(0);
                    }
                }
            }
            let _ = self.agree(&format!("{what} (room made)"), Ok(()), None);
        }
        if failed && self.writable && scratch.is_none() {
            // HDF5's closing metadata writes are collective. ROMIO (MPICH) writes a
            // collective or a noncontiguous write as whole buffers spanning the holes
            // between the pieces (two-phase I/O, data sieving), which on a full disk fails
            // on the aggregating rank only, and HDF5 then hangs in its next collective on
            // the others. Written piece by piece, the closing writes fit in the room made.
            if let Some(fh) = crate::io::mpi_info::mpi_file_of(fid) {
                let piecewise = [
                    ("romio_cb_write".to_string(), "disable".to_string()),
                    ("romio_ds_write".to_string(), "disable".to_string()),
                ];
                let _ = crate::io::mpi_info::set_file_hints(fh, &piecewise);
            }
        }
        self.close_children(fid);
        // SAFETY: fid is open and owned by this file.
        let ret = unsafe { H5Fclose(fid) };
        self.id.set(-1);
        self.thread_claim.borrow_mut().take();
        let closed = h5::check(ret, &what).map_err(|e| self.explain(e));
        if let Some(scratch) = &scratch {
            // Every rank removes it: /dev/shm is per node.
            let _ = std::fs::remove_file(scratch);
        }
        if closed.is_ok() && !failed {
            // Before the agreements, so that the report exists when close returns anywhere.
            self.write_report();
        }
        let closed = comm::agree(&self.comm, &what, closed, None);
        let closing_failed = closed.is_err();
        let outcome = pre.result.and(closed).and(earlier.unwrap_or(Ok(())));
        let Some(tmp) = &self.tmp else {
            // Written in place: say what the file keeps.
            return outcome.map_err(|e| {
                let keeps = if scratch.is_some() {
                    "HDF5's closing writes were not made, because its device failed, so it \
                     may not be readable"
                        .to_string()
                } else if closing_failed {
                    "HDF5's closing writes failed, so it may not be readable".to_string()
                } else {
                    "its metadata was written: it keeps every object and the data of the \
                     writes that succeeded; the data of a failed write is incomplete"
                        .to_string()
                };
                e.context_after(format!(" ({} is closed; {keeps})", self.path.display()))
            });
        };
        if let Err(e) = outcome {
            if rank == 0 {
                let _ = std::fs::remove_file(tmp);
            }
            return Err(e.context_after(format!(
                " (nothing was written to {}; its temporary {} is removed)",
                self.path.display(),
                tmp.display()
            )));
        }
        let published = if rank == 0 {
            publish(tmp, &self.target)
        } else {
            Ok(())
        };
        self.agree(&what, published, None)
    }

    /// The warning for a file that is never closed: where its data is.
    pub(crate) fn unclosed_warning(&self) -> String {
        match &self.tmp {
            Some(tmp) => format!(
                "h5par: warning: rank {} of {}: {} was never closed: its data is in the \
                 temporary {}, not at {} (close files collectively on every rank)",
                self.comm.rank(),
                self.comm.size(),
                self.path.display(),
                tmp.display(),
                self.path.display()
            ),
            None => format!(
                "h5par: warning: rank {} of {}: {} was never closed; what HDF5 had not \
                 written yet is lost (close files collectively on every rank)",
                self.comm.rank(),
                self.comm.size(),
                self.path.display()
            ),
        }
    }
}

/// Renames `tmp` to `path` and makes the rename durable.
fn publish(tmp: &Path, path: &Path) -> Result<()> {
    std::fs::rename(tmp, path).map_err(|e| {
        Error::Io(format!(
            "renaming {} to {}: {e}",
            tmp.display(),
            path.display()
        ))
    })?;
    let dir = parent_dir(path);
    if let Ok(d) = std::fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// An HDF5 file opened collectively on a communicator with the MPI-IO driver.
///
/// Every method that changes the file's structure (groups, datasets, attributes, extents) and
/// every collective read or write is collective: all ranks of the communicator call it, with
/// the same arguments except for their own selections. Arguments are checked across ranks
/// before HDF5 is entered, so a mistake on one rank is an error on every rank, not a hang.
///
/// ```no_run
/// use h5par::File;
/// let universe = mpi::initialize().unwrap();
/// let world = universe.world();
/// let file = File::create(&world, "out.h5")?;
/// file.create_group("run/1")?;
/// file.close()?; // collective; the file appears at "out.h5" now
/// # Ok::<(), h5par::Error>(())
/// ```
#[derive(Debug)]
pub struct File {
    pub(crate) inner: Rc<FileInner>,
}

impl File {
    /// Collective: creates (or truncates) `path` with default options.
    pub fn create<C: Communicator, P: AsRef<Path>>(comm: &C, path: P) -> Result<File> {
        File::create_with(comm, path, &FileOptions::default())
    }

    /// Collective: creates (or truncates) `path` with `options`.
    ///
    /// With `options.atomic_create` (the default) the file is written under a temporary name
    /// in the same directory and appears at `path` only when [`File::close`] succeeds.
    pub fn create_with<C: Communicator, P: AsRef<Path>>(
        comm: &C,
        path: P,
        options: &FileOptions,
    ) -> Result<File> {
        let path = path.as_ref();
        let what = format!("create {}", path.display());
        let (comm, claim) = start(comm, path, &what)?;
        // Every rank resolves the link (a readlink or two); rank 0 checks the target's
        // directory and probes its file system for everyone.
        let resolved = resolve_links(path);
        let probe_at = resolved.as_deref().unwrap_or(path).to_path_buf();
        let (planned, plan) = split(make_plan(&comm, &probe_at, options, || {
            resolved.clone().and_then(|t| check_creatable(&t))
        }));
        let local = planned.and_then(|()| resolved.clone().map(|_| ()));
        let made_plan = match (resolved, plan) {
            (Ok(t), Some(p)) => Some((t, p)),
            _ => None,
        };
        let args = format!(
            "path {:?}, atomic create {}, {}",
            path,
            options.atomic_create,
            made_plan.as_ref().map(|p| brief(&p.1)).unwrap_or_default()
        );
        comm::agree(&comm, &what, local, Some(&args))?;
        let (target, plan) = made_plan.ok_or_else(|| Error::Internal("no tuning plan".into()))?;
        let tmp = if options.atomic_create {
            Some(temporary_name(&comm, &target))
        } else {
            None
        };
        let data_path = tmp.as_deref().unwrap_or(&target).to_path_buf();
        let _q = Quiet::new();
        let made = (|| {
            let fapl = plist::file_access(&comm, &plan, &what)?;
            let c = path_cstring(&data_path)?;
            // SAFETY: valid C string and property lists.
            let id = unsafe { H5Fcreate(c.as_ptr(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.id()) };
            h5::check_id(id, &what)
        })();
        let made = made.map_err(|e| crate::io::space::explain(e, &data_path, path));
        let id = comm::agree_value(&comm, &what, made)?;
        // A temporary is emptied to make room on a full disk; a file written in place keeps
        // a reserve instead.
        let reserve = if comm.rank() == 0 && tmp.is_none() {
            Reserve::make(&target)
        } else {
            None
        };
        let report = report::begin(&comm, id, path, &data_path, &plan);
        let report_to = report_target(options);
        Ok(File {
            inner: Rc::new(FileInner {
                id: Cell::new(id),
                comm,
                path: path.to_path_buf(),
                target,
                tmp,
                writable: true,
                io_failed: RefCell::new(None),
                abandoned: Cell::new(false),
                reserve: RefCell::new(reserve),
                plan,
                report: RefCell::new(report),
                report_to,
                cache_diverged: Cell::new(false),
                caches_differ: Cell::new(false),
                thread_claim: RefCell::new(Some(claim)),
            }),
        })
    }

    /// Collective: opens an existing file with default options.
    pub fn open<C: Communicator, P: AsRef<Path>>(comm: &C, path: P, mode: Mode) -> Result<File> {
        File::open_with(comm, path, mode, &FileOptions::default())
    }

    /// Collective: opens an existing file.
    pub fn open_with<C: Communicator, P: AsRef<Path>>(
        comm: &C,
        path: P,
        mode: Mode,
        options: &FileOptions,
    ) -> Result<File> {
        let path = path.as_ref();
        let what = format!("open {}", path.display());
        let (comm, claim) = start(comm, path, &what)?;
        let check = || match std::fs::metadata(path) {
            Ok(m) if m.is_file() => Ok(()),
            Ok(_) => Err(Error::Invalid(format!("{} is not a file", path.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Err(Error::NotFound(format!("no file at {}", path.display())))
            }
            Err(e) => Err(Error::Io(format!("{}: {e}", path.display()))),
        };
        let (local, plan) = split(make_plan(&comm, path, options, check));
        let args = format!(
            "path {:?}, mode {:?}, {}",
            path,
            mode,
            plan.as_ref().map(brief).unwrap_or_default()
        );
        comm::agree(&comm, &what, local, Some(&args))?;
        let plan = plan.ok_or_else(|| Error::Internal("no tuning plan".into()))?;
        let _q = Quiet::new();
        let opened = (|| {
            let fapl = plist::file_access(&comm, &plan, &what)?;
            let c = path_cstring(path)?;
            let flags = match mode {
                Mode::ReadOnly => H5F_ACC_RDONLY,
                Mode::ReadWrite => H5F_ACC_RDWR,
            };
            // SAFETY: valid C string and property list.
            let id = unsafe { H5Fopen(c.as_ptr(), flags, fapl.id()) };
            h5::check_id(id, format!("{what} (is it an HDF5 file?)"))
        })();
        let id = comm::agree_value(&comm, &what, opened)?;
        let reserve = if comm.rank() == 0 && mode == Mode::ReadWrite {
            Reserve::make(&resolve_links(path).unwrap_or_else(|_| path.to_path_buf()))
        } else {
            None
        };
        let report = report::begin(&comm, id, path, path, &plan);
        let report_to = report_target(options);
        Ok(File {
            inner: Rc::new(FileInner {
                id: Cell::new(id),
                comm,
                path: path.to_path_buf(),
                target: path.to_path_buf(),
                tmp: None,
                writable: mode == Mode::ReadWrite,
                io_failed: RefCell::new(None),
                abandoned: Cell::new(false),
                reserve: RefCell::new(reserve),
                plan,
                report: RefCell::new(report),
                report_to,
                cache_diverged: Cell::new(false),
                caches_differ: Cell::new(false),
                thread_claim: RefCell::new(Some(claim)),
            }),
        })
    }

    /// Collective: closes the file and reports any error, on every rank.
    ///
    /// Objects of the file still open (datasets, groups) are closed first; using them later
    /// is an error. A file created atomically is renamed to its path now. Dropping a `File`
    /// closes it too, without reporting errors (and, while the thread panics, without any
    /// collective call: the temporary file is then left behind and the path untouched).
    ///
    /// `close` agrees before it enters HDF5, like every collective call: when some rank is in
    /// another collective call, every rank gets an error saying which rank is in which call
    /// and nothing is closed. `close` takes `&self` so that the caller keeps the file then:
    /// [`File::is_open`] stays `true` and a later `close` on every rank closes it (dropping
    /// it instead only warns, naming where its data is). Once a close got past that
    /// agreement the file is closed on every rank, whatever its outcome: a failed close
    /// removes the temporary of an atomic create, a second `close` returns `Ok(())` and does
    /// nothing, and so does dropping the file.
    ///
    /// ```no_run
    /// # let universe = mpi::initialize().unwrap();
    /// # let world = universe.world();
    /// let file = h5par::File::create(&world, "out.h5")?;
    /// if let Err(e) = file.close() {
    ///     eprintln!("{e}");
    ///     if file.is_open() {
    ///         // The ranks were in different calls: once every rank is here, close again.
    ///         file.close()?;
    ///     }
    /// }
    /// # Ok::<(), h5par::Error>(())
    /// ```
    pub fn close(&self) -> Result<()> {
        self.inner.close_with(Ok(()))
    }

    /// Collective: closes the file like [`File::close`], with this rank's own outcome `local`
    /// (for example an exception the caller raised): when any rank passes an error, the file
    /// is closed on every rank but not published (its temporary is removed) and every rank
    /// returns the error. When the ranks are not all closing, nothing is closed and every rank
    /// gets the error (see [`File::close`]); [`File::is_open`] then stays `true`: close again.
    pub fn close_with(&self, local: Result<()>) -> Result<()> {
        self.inner.close_with(local)
    }

    /// Collective, for a file a program leaves open at its end: closes it like
    /// [`File::close`], unless an earlier collective call on the file found the ranks in
    /// different calls (and none succeeded since), when the other ranks may never come to
    /// close: then nothing is closed and the error names where the data is (no rank waits).
    pub fn close_at_exit(&self) -> Result<()> {
        if let Some(at) = comm::wait::diverged(&self.inner.comm) {
            self.inner.abandoned.set(true);
            return Err(Error::Mismatch(format!(
                "{} is not closed at exit: collective call {at} on it found the ranks in \
                 different calls; its data stays in {}",
                self.inner.path.display(),
                self.inner.data_path().display()
            )));
        }
        self.inner.close_with(Ok(()))
    }

    /// Whether the file is still open on this rank.
    pub fn is_open(&self) -> bool {
        self.inner.is_open()
    }

    /// Where the file's data is being written: the temporary of an atomic create, else the
    /// file itself (the end of its chain of symbolic links).
    pub fn data_path(&self) -> &Path {
        self.inner.data_path()
    }

    /// The path this file was created or opened at.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// This rank's rank in the file's communicator.
    pub fn rank(&self) -> i32 {
        self.inner.comm.rank()
    }

    /// The number of ranks of the file's communicator.
    pub fn size(&self) -> i32 {
        self.inner.comm.size()
    }

    /// h5par's own duplicate of the communicator the file was opened on.
    pub fn comm(&self) -> &SimpleCommunicator {
        &self.inner.comm
    }

    /// The tuning applied to this file: file system, layout and why, hints asked for.
    pub fn tuning(&self) -> &TunePlan {
        &self.inner.plan
    }

    /// The I/O report so far, from this rank's point of view: file system, layout and why,
    /// hints asked for and in effect, dataset offsets, and every read and write with the I/O
    /// mode HDF5 really used.
    pub fn report(&self) -> Report {
        self.inner.report.borrow().clone()
    }

    /// The I/O report so far as JSON.
    pub fn report_json(&self) -> Result<String> {
        self.inner.id()?;
        Ok(self.inner.report.borrow().to_json())
    }

    /// Whether the file was opened for writing.
    pub fn is_writable(&self) -> bool {
        self.inner.writable
    }

    /// The number of HDF5 objects of this file open in this process, the file itself
    /// included (0 once closed).
    pub fn open_object_count(&self) -> usize {
        match self.inner.id() {
            // SAFETY: fid is open.
            Ok(fid) => unsafe {
                H5Fget_obj_count(fid, H5F_OBJ_ALL | H5F_OBJ_LOCAL).max(0) as usize
            },
            Err(_) => 0,
        }
    }
}

impl Drop for File {
    fn drop(&mut self) {
        if !self.inner.is_open() {
            return;
        }
        if std::thread::panicking() || self.inner.abandoned.get() || !comm::mpi_ready() {
            // No collective call while unwinding (other ranks may not be closing), after a
            // close that found the ranks in different calls, or without MPI: say where the
            // data is instead.
            eprintln!("{}", self.inner.unclosed_warning());
            if let Some(r) = self.inner.reserve.borrow_mut().take() {
                r.release();
            }
            return;
        }
        let _ = self.inner.close_with(Ok(()));
    }
}

/// The number of HDF5 objects (files, groups, datasets, types, attributes) open in this
/// process across all files; 0 when everything h5par opened has been closed.
pub fn open_object_count() -> usize {
    h5::init();
    // SAFETY: H5F_OBJ_ALL as a file id asks about all files.
    unsafe { H5Fget_obj_count(H5F_OBJ_ALL as hid_t, H5F_OBJ_ALL).max(0) as usize }
}

/// Checks that MPI is running, claims the process's HDF5 for this thread
/// ([`crate::io::threads`]), agrees on the call `what` on the caller's communicator (so that
/// `MPI_Comm_dup`, a collective, is only entered when every rank is in this call), and
/// duplicates it.
fn start<C: Communicator>(
    comm: &C,
    path: &Path,
    what: &str,
) -> Result<(SimpleCommunicator, threads::Claim)> {
    if !comm::mpi_ready() {
        return Err(Error::Mpi(format!(
            "{}: MPI is not initialized (call MPI_Init, or mpi::initialize(), first)",
            path.display()
        )));
    }
    h5::init();
    // This thread's claim on the process's HDF5 is part of the agreement: a thread refused
    // on some rank is refused on every rank, before anything collective is entered.
    let claim = threads::claim(path);
    let local = claim.as_ref().map(|_| ()).map_err(Clone::clone);
    comm::agree(comm, what, local, None)?;
    Ok((comm.duplicate(), claim?))
}

fn check_creatable(path: &Path) -> Result<()> {
    if path.as_os_str().is_empty() {
        return Err(Error::Invalid("empty file path".into()));
    }
    if path.is_dir() {
        return Err(Error::Invalid(format!("{} is a directory", path.display())));
    }
    let dir = parent_dir(path);
    match std::fs::metadata(&dir) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(Error::Invalid(format!(
            "{} is not a directory",
            dir.display()
        ))),
        Err(e) => Err(Error::NotFound(format!(
            "directory {} of {}: {e}",
            dir.display(),
            path.display()
        ))),
    }
}

/// The temporary of `target` (see [`crate::io::stale`]): beside it, named after rank 0's host,
/// pid and start time and a nonce, the same on every rank. Rank 0 first removes the stale
/// temporaries of the same name, left by killed jobs whose creator is provably gone.
fn temporary_name(comm: &SimpleCommunicator, target: &Path) -> PathBuf {
    use crate::io::stale;
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".into());
    let dir = parent_dir(target);
    let mut text = Vec::new();
    if comm.rank() == 0 {
        if let Err(e) = stale::remove_stale_temporaries(&dir, Some(&name)) {
            eprintln!("h5par: warning: {e}");
        }
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        text = stale::temporary_file_name(&name, &stale::this_process(), nanos).into_bytes();
    }
    let text = comm::broadcast_bytes(comm, 0, text);
    dir.join(String::from_utf8_lossy(&text).into_owned())
}

/// The end of the chain of symbolic links at `path` (`path` itself when it is not a link or
/// does not exist), so that a file created at a link is written to the link's target.
fn resolve_links(path: &Path) -> Result<PathBuf> {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let link = std::fs::read_link(&p)
                    .map_err(|e| Error::Io(format!("reading the link {}: {e}", p.display())))?;
                p = if link.is_absolute() {
                    link
                } else {
                    parent_dir(&p).join(link)
                };
            }
            _ => return Ok(p),
        }
    }
    Err(Error::Invalid(format!(
        "{}: too many levels of symbolic links",
        path.display()
    )))
}

fn path_cstring(path: &Path) -> Result<CString> {
    let s = path
        .to_str()
        .ok_or_else(|| Error::Invalid(format!("path {} is not UTF-8", path.display())))?;
    h5::cstring(s, "path")
}

/// Where the report goes at close: `H5PAR_REPORT`, else the options.
fn report_target(options: &FileOptions) -> Option<String> {
    std::env::var("H5PAR_REPORT")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .or_else(|| options.report.clone())
}

/// The parts of a plan that must agree across ranks, in a few words.
fn brief(plan: &TunePlan) -> String {
    format!(
        "tuning {} on {}, hints {:?}, alignment {:?}, libver {:?}",
        if plan.enabled { "on" } else { "off" },
        plan.fs.kind,
        plan.hints,
        plan.alignment,
        plan.libver
    )
}

/// Separates a result into its error (if any) and its value (if any).
fn split<T>(r: Result<T>) -> (Result<()>, Option<T>) {
    match r {
        Ok(v) => (Ok(()), Some(v)),
        Err(e) => (Err(e), None),
    }
}

/// Collective: the tuning plan for `path`: `check` and the file system of its directory (asked
/// by rank 0 alone, see `tune::shared`), the ranks and nodes of `comm`, and the options with
/// the environment's overrides.
fn make_plan(
    comm: &SimpleCommunicator,
    path: &Path,
    options: &FileOptions,
    check: impl FnOnce() -> Result<()>,
) -> Result<TunePlan> {
    let probe = tune::shared::on_rank0(comm, || {
        check().and_then(|()| tune::shared::probe(&parent_dir(path), path))
    });
    let nodes = node_count(comm);
    let (probe, req) = (probe?, options.tune_request()?);
    let ranks = comm.size() as u32;
    Ok(tune::plan(&req, probe.fs, ranks, nodes, probe.ost_count))
}

/// The number of nodes (shared-memory domains) among the ranks of `comm`. Collective.
fn node_count(comm: &SimpleCommunicator) -> u32 {
    use mpi::collective::SystemOperation;
    use mpi::traits::CommunicatorCollectives;
    let local = comm.split_shared(comm.rank());
    let leader: i32 = i32::from(local.rank() == 0);
    let mut nodes = 0i32;
    comm.all_reduce_into(&leader, &mut nodes, SystemOperation::sum());
    nodes.max(1) as u32
}
