//! Every HDF5 property list h5par builds: file access (MPI-IO driver, hints, alignment,
//! metadata cache, format bounds), dataset creation, link creation, dataset access and data
//! transfer. The layers above ask for a list by what it is for; no `H5Pset_*` call is made
//! elsewhere.

use hdf5_sys::h5i::hid_t;
use hdf5_sys::h5p::{
    H5FD_mpio_xfer_t, H5Pcreate, H5Pset_chunk, H5Pset_create_intermediate_group, H5Pset_deflate,
    H5Pset_dxpl_mpio, H5Pset_fapl_mpio, H5P_CLS_DATASET_CREATE, H5P_CLS_DATASET_XFER,
    H5P_CLS_FILE_ACCESS, H5P_CLS_LINK_CREATE,
};
use mpi::raw::AsRaw;
use mpi::topology::SimpleCommunicator;

use crate::error::{Error, Result};
use crate::io::dataset::Storage;
use crate::io::h5::{self, Handle, Kind};
use crate::io::mpi_info::Info;
use crate::tune::{LibVer, TunePlan};

/// A file-access property list with the MPI-IO driver on `comm` and the plan's hints and
/// HDF5 settings.
pub(crate) fn file_access(
    comm: &SimpleCommunicator,
    plan: &TunePlan,
    what: &str,
) -> Result<Handle> {
    use hdf5_sys::h5p::{H5Pset_alignment, H5Pset_coll_metadata_write, H5Pset_meta_block_size};
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
        }
        set_libver_bounds(fapl.id(), plan.libver, what)?;
    }
    let info = Info::from_hints(&plan.hints)?;
    // SAFETY: live property list, communicator and info (HDF5 duplicates both).
    let r = unsafe { H5Pset_fapl_mpio(fapl.id(), comm.as_raw(), info.raw()) };
    h5::check(r, format!("{what}: setting the MPI-IO driver"))?;
    Ok(fapl)
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

/// `H5Pset_libver_bounds` on `fapl`. The versions this HDF5 has come from hdf5-metno-sys's
/// version configuration (the `hdf5_*` cfgs of build.rs); a newer one is an error that says so.
fn set_libver_bounds(fapl: hid_t, (low, high): (LibVer, LibVer), what: &str) -> Result<()> {
    use hdf5_sys::h5f::{self, H5F_libver_t};
    let raw = |v: LibVer| -> Result<H5F_libver_t> {
        Ok(match v {
            LibVer::Earliest => h5f::H5F_LIBVER_EARLIEST,
            LibVer::V18 => h5f::H5F_LIBVER_V18,
            #[cfg(hdf5_1_10_2)]
            LibVer::V110 => h5f::H5F_LIBVER_V110,
            #[cfg(hdf5_1_12)]
            LibVer::V112 => h5f::H5F_LIBVER_V112,
            #[cfg(hdf5_1_14)]
            LibVer::V114 => h5f::H5F_LIBVER_V114,
            #[cfg(hdf5_2)]
            LibVer::V200 => h5f::H5F_LIBVER_V200,
            LibVer::Latest => h5f::H5F_LIBVER_LATEST,
            #[allow(unreachable_patterns)]
            newer => {
                return Err(Error::Invalid(format!(
                    "{what}: file format {} is newer than this HDF5 ({}) knows",
                    newer.name(),
                    h5::library_version()
                )))
            }
        })
    };
    let (l, h) = (raw(low)?, raw(high)?);
    // SAFETY: live file-access property list.
    h5::check(
        unsafe { hdf5_sys::h5p::H5Pset_libver_bounds(fapl, l, h) },
        format!(
            "{what}: file-format bounds ({}, {})",
            low.name(),
            high.name()
        ),
    )
}

/// An access property list of `class` (`H5P_CLS_DATASET_ACCESS`, ...) for one call that every
/// rank makes: with `collective`, HDF5 reads the metadata the call needs once, on rank 0, and
/// broadcasts it (`H5Pset_all_coll_metadata_ops`), instead of every rank reading it. Set per
/// call, never on the file: local queries (attribute reads, independent reads) stay local.
fn collective_access(class: hid_t, collective: bool, what: &str) -> Result<Handle> {
    use hdf5_sys::h5p::{H5Pcreate, H5Pset_all_coll_metadata_ops};
    // SAFETY: a class id valid after H5open (callers pass H5P_CLS_* after init).
    let plist = Handle::new(unsafe { H5Pcreate(class) }, Kind::Plist, what)?;
    if collective {
        // SAFETY: a live access property list (owned by `plist`).
        let r = unsafe { H5Pset_all_coll_metadata_ops(plist.id(), 1) };
        h5::check(r, format!("{what}: collective metadata reads"))?;
    }
    Ok(plist)
}

/// The property lists that are the same for every call of their kind (transfer, dataset
/// access, link creation), made once per thread and shared by its calls: creating and closing
/// a list in every call cost more than many of the calls (`H5P_close` alone was 42.9M
/// instructions in 500 dataset creates, writes and attribute writes; callgrind,
/// `metadata_bench`, 1 rank). Safe to share: h5par never changes a list after making it, and
/// what HDF5 writes into a transfer list (the I/O mode it used, why not collective) it resets
/// at every transfer with a list other than the default. Never closed, like [`LocalAccess`]'s
/// list: a thread's exit must not call into HDF5, which another thread may be using; HDF5 frees
/// them when it shuts down.
#[derive(Clone, Copy)]
enum Shared {
    TransferCollective,
    TransferIndependent,
    AccessCollective,
    Access,
    LinkCreate,
}

thread_local! {
    /// This thread's [`Shared`] lists, by kind.
    static SHARED: std::cell::Cell<[hid_t; 5]> = const { std::cell::Cell::new([-1; 5]) };
}

/// A property list of this thread shared by its calls (see [`Shared`]): its id (valid while
/// HDF5 is open; never closed by the caller).
#[derive(Debug, Clone, Copy)]
pub(crate) struct SharedList(hid_t);

impl SharedList {
    /// The list's id.
    pub(crate) fn id(&self) -> hid_t {
        self.0
    }
}

/// This thread's list of kind `which`, made with `make` at its first use.
fn shared(which: Shared, make: impl FnOnce() -> Result<Handle>) -> Result<SharedList> {
    SHARED.with(|lists| {
        let mut ids = lists.get();
        if ids[which as usize] < 0 {
            // Kept for good: the handle is never dropped, so the list is never closed.
            ids[which as usize] = std::mem::ManuallyDrop::new(make()?).id();
            lists.set(ids);
        }
        Ok(SharedList(ids[which as usize]))
    })
}

/// A dataset-access property list for a dataset open that every rank makes (collective
/// metadata reads when `collective`, see [`collective_access`]); shared (see [`Shared`]).
pub(crate) fn dataset_access(collective: bool, what: &str) -> Result<SharedList> {
    let which = if collective {
        Shared::AccessCollective
    } else {
        Shared::Access
    };
    shared(which, || {
        collective_access(*hdf5_sys::h5p::H5P_CLS_DATASET_ACCESS, collective, what)
    })
}

/// A dataset-creation property list for `storage` (chunk shape, shuffle, deflate) and the
/// fill value `fill` (an element of the HDF5 type given with it); with `early`, contiguous
/// data allocated at creation and never pre-filled (the writes fill it).
pub(crate) fn dataset_create(
    storage: &Storage,
    fill: Option<(hdf5_sys::h5i::hid_t, &[u8])>,
    early: bool,
    what: &str,
) -> Result<Handle> {
    // SAFETY: the class id is valid after H5open.
    let dcpl = Handle::new(
        unsafe { H5Pcreate(*H5P_CLS_DATASET_CREATE) },
        Kind::Plist,
        what,
    )?;
    // SAFETY: a live property list; the chunk has the dataset's rank.
    unsafe {
        if let Some(chunk) = &storage.chunk {
            h5::check(
                H5Pset_chunk(dcpl.id(), chunk.len() as i32, chunk.as_ptr()),
                format!("{what}: chunk {chunk:?}"),
            )?;
        }
        if storage.shuffle {
            h5::check(
                hdf5_sys::h5p::H5Pset_shuffle(dcpl.id()),
                format!("{what}: shuffle"),
            )?;
        }
        if let Some(level) = storage.deflate {
            h5::check(
                H5Pset_deflate(dcpl.id(), level as u32),
                format!("{what}: deflate (is zlib in this HDF5?)"),
            )?;
        }
        if let Some((t, value)) = fill {
            // The value holds one element of `t` (checked by the caller).
            h5::check(
                hdf5_sys::h5p::H5Pset_fill_value(dcpl.id(), t, value.as_ptr().cast()),
                format!("{what}: fill value"),
            )?;
        }
        if early && fill.is_none() {
            use hdf5_sys::h5d::{H5D_alloc_time_t, H5D_fill_time_t};
            use hdf5_sys::h5p::{H5Pset_alloc_time, H5Pset_fill_time};
            h5::check(
                H5Pset_alloc_time(dcpl.id(), H5D_alloc_time_t::H5D_ALLOC_TIME_EARLY),
                what,
            )?;
            h5::check(
                H5Pset_fill_time(dcpl.id(), H5D_fill_time_t::H5D_FILL_TIME_NEVER),
                what,
            )?;
        }
    }
    Ok(dcpl)
}

/// A link-creation property list that creates missing parent groups; shared (see
/// [`Shared`]).
pub(crate) fn link_create(what: &str) -> Result<SharedList> {
    shared(Shared::LinkCreate, || {
        // SAFETY: the class id is valid after H5open.
        let lcpl = Handle::new(
            unsafe { H5Pcreate(*H5P_CLS_LINK_CREATE) },
            Kind::Plist,
            what,
        )?;
        // SAFETY: a live link-creation property list (owned by `lcpl`).
        let r = unsafe { H5Pset_create_intermediate_group(lcpl.id(), 1) };
        h5::check(r, what)?;
        Ok(lcpl)
    })
}

/// A data-transfer property list, collective or independent MPI-IO; shared (see [`Shared`]).
pub(crate) fn transfer(collective: bool, what: &str) -> Result<SharedList> {
    let (which, mode) = if collective {
        (
            Shared::TransferCollective,
            H5FD_mpio_xfer_t::H5FD_MPIO_COLLECTIVE,
        )
    } else {
        (
            Shared::TransferIndependent,
            H5FD_mpio_xfer_t::H5FD_MPIO_INDEPENDENT,
        )
    };
    shared(which, || {
        // SAFETY: the class id is valid after H5open.
        let dxpl = Handle::new(
            unsafe { H5Pcreate(*H5P_CLS_DATASET_XFER) },
            Kind::Plist,
            what,
        )?;
        // SAFETY: a live transfer property list.
        h5::check(unsafe { H5Pset_dxpl_mpio(dxpl.id(), mode) }, what)?;
        Ok(dxpl)
    })
}

/// The access property list of local queries (a group-access list, which HDF5 also takes
/// where a link-access list is asked for). Following an external link opens another file,
/// which parallel HDF5 does collectively on the file's communicator: a rank alone would hang.
/// This list refuses every external-link traversal before any file is opened, and remembers
/// that it did, so that the query can say why it failed.
pub(crate) struct LocalAccess {
    list: Handle,
    refused: Box<std::cell::Cell<bool>>,
}

extern "C" fn refuse_external_link(
    _parent_file: *const std::ffi::c_char,
    _parent_group: *const std::ffi::c_char,
    _child_file: *const std::ffi::c_char,
    _child_object: *const std::ffi::c_char,
    _flags: *mut std::ffi::c_uint,
    _fapl: hid_t,
    data: *mut std::ffi::c_void,
) -> hdf5_sys::h5::herr_t {
    // SAFETY: `data` is the `Cell` boxed in the `LocalAccess` that owns the list HDF5 calls
    // this through; the box lives as long as the list.
    unsafe { (*(data as *const std::cell::Cell<bool>)).set(true) };
    -1
}

thread_local! {
    /// This thread's [`LocalAccess`] list, made once: creating and closing a property list
    /// for every lookup cost more than the lookup (an attribute write was 1.6x slower). Never
    /// closed (`ManuallyDrop`): a thread's exit must not call into HDF5, which another thread
    /// of the process may be using; HDF5 frees the list when it shuts down.
    static LOCAL_ACCESS: std::cell::RefCell<Option<std::mem::ManuallyDrop<std::rc::Rc<LocalAccess>>>> =
        const { std::cell::RefCell::new(None) };
}

impl LocalAccess {
    /// This thread's list, made at its first use and reused (its refusal flag cleared).
    pub(crate) fn new(what: &str) -> Result<std::rc::Rc<LocalAccess>> {
        LOCAL_ACCESS.with(|slot| {
            let mut slot = slot.borrow_mut();
            if let Some(acc) = slot.as_ref() {
                acc.refused.set(false);
                return Ok(std::rc::Rc::clone(acc));
            }
            let acc = std::rc::Rc::new(LocalAccess::make(what)?);
            *slot = Some(std::mem::ManuallyDrop::new(std::rc::Rc::clone(&acc)));
            Ok(acc)
        })
    }

    /// A fresh list.
    fn make(what: &str) -> Result<LocalAccess> {
        use hdf5_sys::h5p::{H5Pset_elink_cb, H5P_CLS_GROUP_ACCESS};
        let refused = Box::new(std::cell::Cell::new(false));
        // SAFETY: the class id is valid after H5open (callers hold a file, so HDF5 is open).
        let list = Handle::new(
            unsafe { H5Pcreate(*H5P_CLS_GROUP_ACCESS) },
            Kind::Plist,
            what,
        )?;
        let data = &*refused as *const std::cell::Cell<bool> as *mut std::ffi::c_void;
        // SAFETY: a live access list; `data` outlives it (both are owned by the result).
        let r = unsafe { H5Pset_elink_cb(list.id(), Some(refuse_external_link), data) };
        h5::check(r, format!("{what}: local access list"))?;
        Ok(LocalAccess { list, refused })
    }

    /// The list's id, for any `lapl_id` or `gapl_id` argument.
    pub(crate) fn id(&self) -> hid_t {
        self.list.id()
    }

    /// Whether an external link was refused since the last call (and forgets it).
    pub(crate) fn refused(&self) -> bool {
        self.refused.replace(false)
    }
}
