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
use hdf5_sys::h5p::{H5Pcreate, H5Pset_fapl_mpio, H5P_CLS_FILE_ACCESS, H5P_DEFAULT};
use mpi::topology::SimpleCommunicator;
use mpi::traits::{Communicator, Root};

use crate::comm;
use crate::error::{Error, Result};
use crate::io::h5::{self, Handle, Kind, Quiet};
use crate::io::mpi_info::Info;
use crate::io::report;
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
    /// The temporary name the file is written under until close, when created atomically.
    tmp: Option<PathBuf>,
    pub(crate) writable: bool,
    /// The tuning applied to this file.
    pub(crate) plan: TunePlan,
    /// What happened so far.
    pub(crate) report: RefCell<Report>,
    /// Where to write the report at close.
    report_to: Option<String>,
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

    /// Collective agreement on this file's communicator.
    pub(crate) fn agree(&self, what: &str, local: Result<()>, args: Option<&str>) -> Result<()> {
        comm::agree(&self.comm, what, local, args)
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

    /// Writes the report where asked (rank 0 only).
    fn write_report(&self) -> Result<()> {
        let Some(to) = &self.report_to else {
            return Ok(());
        };
        if self.comm.rank() != 0 {
            return Ok(());
        }
        let report = self.report.borrow();
        if to == "-" {
            eprint!("{}", report.summary());
            return Ok(());
        }
        let text = if to.ends_with(".json") {
            report.to_json()
        } else {
            report.summary()
        };
        std::fs::write(to, text).map_err(|e| {
            Error::Io(format!(
                "writing the I/O report of {} to {to}: {e}",
                self.path.display()
            ))
        })
    }

    /// Collective close; see [`File::close`].
    fn close(&self) -> Result<()> {
        let Ok(fid) = self.id() else {
            return Ok(());
        };
        let _q = Quiet::new();
        self.close_children(fid);
        let reported = self.write_report();
        // SAFETY: fid is open and owned by this file.
        let ret = unsafe { H5Fclose(fid) };
        self.id.set(-1);
        let what = format!("close {}", self.path.display());
        let closed = reported.and(h5::check(ret, &what));
        let outcome = self.agree(&what, closed, None);
        let rank = self.comm.rank();
        let Some(tmp) = &self.tmp else {
            return outcome;
        };
        if outcome.is_err() {
            if rank == 0 {
                let _ = std::fs::remove_file(tmp);
            }
            return outcome;
        }
        let published = if rank == 0 {
            publish(tmp, &self.path)
        } else {
            Ok(())
        };
        self.agree(&what, published, None)
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
        let comm = start(comm, path)?;
        let what = format!("create {}", path.display());
        let local = check_creatable(path).and_then(|()| make_plan(&comm, path, options));
        let (local, plan) = split(local);
        let args = format!(
            "path {:?}, atomic create {}, {}",
            path,
            options.atomic_create,
            plan.as_ref().map(brief).unwrap_or_default()
        );
        comm::agree(&comm, &what, local, Some(&args))?;
        let plan = plan.ok_or_else(|| Error::Internal("no tuning plan".into()))?;
        let tmp = if options.atomic_create {
            Some(temporary_name(&comm, path))
        } else {
            None
        };
        let target = tmp.as_deref().unwrap_or(path);
        let _q = Quiet::new();
        let made = (|| {
            let fapl = access_plist(&comm, &plan, &what)?;
            let c = path_cstring(target)?;
            // SAFETY: valid C string and property lists.
            let id = unsafe { H5Fcreate(c.as_ptr(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.id()) };
            h5::check_id(id, &what)
        })();
        let id = comm::agree_value(&comm, &what, made)?;
        let report = report::begin(id, path, target, &plan, comm.rank() as u32);
        let report_to = report_target(options);
        Ok(File {
            inner: Rc::new(FileInner {
                id: Cell::new(id),
                comm,
                path: path.to_path_buf(),
                tmp,
                writable: true,
                plan,
                report: RefCell::new(report),
                report_to,
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
        let comm = start(comm, path)?;
        let what = format!("open {}", path.display());
        let local = match std::fs::metadata(path) {
            Ok(m) if m.is_file() => Ok(()),
            Ok(_) => Err(Error::Invalid(format!("{} is not a file", path.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Err(Error::NotFound(format!("no file at {}", path.display())))
            }
            Err(e) => Err(Error::Io(format!("{}: {e}", path.display()))),
        };
        let (local, plan) = split(local.and_then(|()| make_plan(&comm, path, options)));
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
            let fapl = access_plist(&comm, &plan, &what)?;
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
        let report = report::begin(id, path, path, &plan, comm.rank() as u32);
        let report_to = report_target(options);
        Ok(File {
            inner: Rc::new(FileInner {
                id: Cell::new(id),
                comm,
                path: path.to_path_buf(),
                tmp: None,
                writable: mode == Mode::ReadWrite,
                plan,
                report: RefCell::new(report),
                report_to,
            }),
        })
    }

    /// Collective: closes the file and reports any error, on every rank.
    ///
    /// Objects of the file still open (datasets, groups) are closed first; using them later
    /// is an error. A file created atomically is renamed to its path now. Dropping a `File`
    /// closes it too, without reporting errors (and, while the thread panics, without any
    /// collective call: the temporary file is then left behind and the path untouched).
    pub fn close(self) -> Result<()> {
        self.inner.close()
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
        if std::thread::panicking() {
            // No collective call while unwinding: other ranks may not be closing.
            return;
        }
        let _ = self.inner.close();
    }
}

/// The number of HDF5 objects (files, groups, datasets, types, attributes) open in this
/// process across all files; 0 when everything h5par opened has been closed.
pub fn open_object_count() -> usize {
    h5::init();
    // SAFETY: H5F_OBJ_ALL as a file id asks about all files.
    unsafe { H5Fget_obj_count(H5F_OBJ_ALL as hid_t, H5F_OBJ_ALL).max(0) as usize }
}

/// Checks that MPI is running and duplicates the caller's communicator.
fn start<C: Communicator>(comm: &C, path: &Path) -> Result<SimpleCommunicator> {
    if !comm::mpi_ready() {
        return Err(Error::Mpi(format!(
            "{}: MPI is not initialized (call MPI_Init, or mpi::initialize(), first)",
            path.display()
        )));
    }
    h5::init();
    Ok(comm.duplicate())
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

/// `dir/.name.h5par-<nonce>.tmp`, the same on every rank (rank 0 chooses the nonce).
fn temporary_name(comm: &SimpleCommunicator, path: &Path) -> PathBuf {
    let mut nonce = [0u64; 1];
    if comm.rank() == 0 {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos() as u64)
            .unwrap_or(0);
        nonce[0] = ((std::process::id() as u64) << 32) ^ nanos;
    }
    comm.process_at_rank(0).broadcast_into(&mut nonce[..]);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".into());
    parent_dir(path).join(format!(".{name}.h5par-{:x}.tmp", nonce[0]))
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
        "tuning {} on {}, hints {:?}, alignment {:?}",
        if plan.enabled { "on" } else { "off" },
        plan.fs.kind,
        plan.hints,
        plan.alignment
    )
}

/// Separates a result into its error (if any) and its value (if any).
fn split<T>(r: Result<T>) -> (Result<()>, Option<T>) {
    match r {
        Ok(v) => (Ok(()), Some(v)),
        Err(e) => (Err(e), None),
    }
}

/// The tuning plan for `path`: the file system of its directory, the ranks and nodes of
/// `comm`, and the options with the environment's overrides.
fn make_plan(comm: &SimpleCommunicator, path: &Path, options: &FileOptions) -> Result<TunePlan> {
    let req = options.tune_request()?;
    let fs = tune::detect(&parent_dir(path))
        .map_err(|e| Error::Io(format!("{}: statfs: {e}", path.display())))?;
    let ranks = comm.size() as u32;
    let nodes = node_count(comm);
    let osts = if fs.kind == tune::FsKind::Lustre {
        tune::lustre::ost_count()
    } else {
        None
    };
    Ok(tune::plan(&req, fs, ranks, nodes, osts))
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

/// The metadata cache as "Tuning HDF5 for Lustre File Systems" advises: no evictions (so no
/// small metadata writes while data is written), flushed at close.
fn defer_metadata_flush(fapl: hdf5_sys::h5i::hid_t, what: &str) -> Result<()> {
    use hdf5_sys::h5ac::{H5AC_cache_config_t, H5AC__CURR_CACHE_CONFIG_VERSION};
    use hdf5_sys::h5c::{H5C_cache_decr_mode, H5C_cache_flash_incr_mode, H5C_cache_incr_mode};
    use hdf5_sys::h5p::{H5Pget_mdc_config, H5Pset_mdc_config};
    let mut cfg = H5AC_cache_config_t {
        version: H5AC__CURR_CACHE_CONFIG_VERSION,
        ..Default::default()
    };
    // SAFETY: live property list and a versioned config struct.
    unsafe {
        h5::check(H5Pget_mdc_config(fapl, &mut cfg), what)?;
        cfg.evictions_enabled = 0;
        cfg.incr_mode = H5C_cache_incr_mode::H5C_incr__off;
        cfg.flash_incr_mode = H5C_cache_flash_incr_mode::H5C_flash_incr__off;
        cfg.decr_mode = H5C_cache_decr_mode::H5C_decr__off;
        cfg.max_size = cfg.max_size.max(64 << 20);
        cfg.set_initial_size = 1;
        cfg.initial_size = (16 << 20usize).clamp(cfg.min_size, cfg.max_size);
        h5::check(
            H5Pset_mdc_config(fapl, &cfg),
            format!("{what}: metadata cache"),
        )
    }
}

/// A file-access property list with the MPI-IO driver on `comm` and the plan's hints and
/// HDF5 settings.
fn access_plist(comm: &SimpleCommunicator, plan: &TunePlan, what: &str) -> Result<Handle> {
    use hdf5_sys::h5p::{
        H5Pset_alignment, H5Pset_coll_metadata_write, H5Pset_libver_bounds, H5Pset_meta_block_size,
    };
    // SAFETY: the class id is valid after H5open.
    let fapl = Handle::new(
        unsafe { H5Pcreate(*H5P_CLS_FILE_ACCESS) },
        Kind::Plist,
        what,
    )?;
    // SAFETY: live property list.
    unsafe {
        if let Some((threshold, alignment)) = plan.alignment {
            h5::check(
                H5Pset_alignment(fapl.id(), threshold, alignment),
                format!("{what}: alignment {alignment}"),
            )?;
        }
        if let Some(size) = plan.meta_block_size {
            h5::check(H5Pset_meta_block_size(fapl.id(), size), what)?;
        }
        if plan.enabled {
            defer_metadata_flush(fapl.id(), what)?;
            h5::check(H5Pset_coll_metadata_write(fapl.id(), 1), what)?;
            h5::check(
                H5Pset_libver_bounds(
                    fapl.id(),
                    hdf5_sys::h5f::H5F_LIBVER_LATEST,
                    hdf5_sys::h5f::H5F_LIBVER_LATEST,
                ),
                what,
            )?;
        }
    }
    let info = Info::from_hints(&plan.hints)?;
    // SAFETY: live property list, communicator and info (HDF5 duplicates both).
    h5::check(
        unsafe { H5Pset_fapl_mpio(fapl.id(), comm.as_raw(), info.raw()) },
        format!("{what}: setting the MPI-IO driver"),
    )?;
    Ok(fapl)
}

use mpi::raw::AsRaw;
