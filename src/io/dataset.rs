//! [`Dataset`]: n-dimensional arrays of numbers in a file, read and written by hyperslabs.

use std::cell::RefCell;
use std::ffi::c_void;
use std::rc::Rc;

use hdf5_sys::h5::herr_t;
use hdf5_sys::h5d::{
    H5D_layout_t, H5Dcreate2, H5Dget_create_plist, H5Dget_space, H5Dget_type, H5Dopen2, H5Dread,
    H5Dset_extent, H5Dwrite,
};
use hdf5_sys::h5i::hid_t;
use hdf5_sys::h5p::{H5Pget_chunk, H5Pget_layout, H5Pget_nfilters, H5P_DEFAULT};
use mpi::traits::Communicator;
use ndarray::{ArrayBase, ArrayD, Data, DataMut, Dimension, IxDyn};

use crate::error::{Error, Result};
use crate::io::dtype::{Dtype, H5Type};
use crate::io::file::FileInner;
use crate::io::h5::{self, Handle, Kind, Quiet};
use crate::io::path;
use crate::io::plist;
use crate::io::report;
use crate::io::selection::{self, Selection, MAX_DIMS};
use crate::io::types::Datatype;
use crate::tune::report::CallReport;

/// How a read or write moves data: all ranks together, or each rank on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Xfer {
    /// Collective MPI-IO (the default): every rank calls, each with its own selection,
    /// possibly empty. Required for writing compressed datasets.
    #[default]
    Collective,
    /// Independent MPI-IO: a rank calls on its own, no other rank needs to.
    Independent,
}

/// How a dataset is stored, as given to [`DatasetBuilder`] or read from a file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Storage {
    /// Chunk shape, `None` for contiguous storage.
    pub chunk: Option<Vec<u64>>,
    /// Deflate (gzip) level 1-9 when compressed.
    pub deflate: Option<u8>,
    /// Whether any filter (compression or other) is applied; such datasets are written
    /// collectively only.
    pub filtered: bool,
    /// Maximum extent per dimension; `None` entries are unlimited.
    pub maxshape: Vec<Option<u64>>,
    /// Whether the shuffle filter runs before compression (bytes of the elements grouped by
    /// significance, which usually compresses better).
    pub shuffle: bool,
    /// The fill value (one element of the dataset's type, native byte order) when one was
    /// set; unwritten elements read as it (as 0 without one).
    pub fill: Option<Vec<u8>>,
}

/// Builds a new dataset; from [`File::new_dataset`](crate::File::new_dataset) or
/// [`Group::new_dataset`](crate::Group::new_dataset).
///
/// ```no_run
/// # let universe = mpi::initialize().unwrap();
/// # let file = h5par::File::create(&universe.world(), "b.h5")?;
/// let d = file
///     .new_dataset::<f32>()
///     .shape([1000, 3])
///     .chunk([100, 3])
///     .deflate(4)
///     .resizable(true)
///     .create("results/xyz")?;
/// # Ok::<(), h5par::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct DatasetBuilder {
    file: Rc<FileInner>,
    base: String,
    dtype: Datatype,
    shape: Vec<u64>,
    chunk: Option<Vec<u64>>,
    deflate: Option<u8>,
    maxshape: Option<Vec<Option<u64>>>,
    shuffle: bool,
    fill: Option<(Datatype, Vec<u8>)>,
    chunked: bool,
}

impl DatasetBuilder {
    pub(crate) fn new(file: Rc<FileInner>, base: &str, dtype: Datatype) -> DatasetBuilder {
        DatasetBuilder {
            file,
            base: base.to_string(),
            dtype,
            shape: Vec::new(),
            chunk: None,
            deflate: None,
            maxshape: None,
            shuffle: false,
            fill: None,
            chunked: false,
        }
    }

    /// Chunked storage (`true`) with the chunk shape h5par chooses, as it does for
    /// compression or an extendible extent (a [`chunk`](Self::chunk) shape given wins); every
    /// front end gets the same choice (C `h5par_create.chunked`, Python `chunks=True`).
    pub fn chunked(mut self, yes: bool) -> Self {
        self.chunked = yes;
        self
    }

    /// The shuffle filter before compression (chunked storage is required; a chunk shape is
    /// chosen when none is given).
    pub fn shuffle(mut self, yes: bool) -> Self {
        self.shuffle = yes;
        self
    }

    /// The fill value: what unwritten elements read as.
    pub fn fill_value<T: H5Type>(self, value: T) -> Self {
        // SAFETY: H5Type elements are plain values of `size_of::<T>()` bytes.
        let bytes = unsafe {
            std::slice::from_raw_parts(&value as *const T as *const u8, std::mem::size_of::<T>())
        };
        let mut b = self;
        b.fill = Some((T::DTYPE.into(), bytes.to_vec()));
        b
    }

    /// The fill value as the bytes of one element of type `dtype` (native byte order;
    /// converted to the dataset's type by HDF5), for any type (strings, compounds).
    pub fn fill_value_bytes(mut self, dtype: Datatype, bytes: &[u8]) -> Self {
        self.fill = Some((dtype, bytes.to_vec()));
        self
    }

    /// The extent (0 to 32 dimensions; no call or `[]` makes a scalar).
    pub fn shape(mut self, shape: impl AsRef<[u64]>) -> Self {
        self.shape = shape.as_ref().to_vec();
        self
    }

    /// Chunked storage with this chunk shape.
    pub fn chunk(mut self, chunk: impl AsRef<[u64]>) -> Self {
        self.chunk = Some(chunk.as_ref().to_vec());
        self
    }

    /// Deflate compression at `level` (1-9; 0 means none). Chunked storage is required; a
    /// chunk shape is chosen when none is given. Compressed datasets are written collectively.
    pub fn deflate(mut self, level: u8) -> Self {
        self.deflate = if level == 0 { None } else { Some(level) };
        self
    }

    /// Makes every dimension extendible without limit (`true`) or fixed (`false`).
    pub fn resizable(mut self, yes: bool) -> Self {
        self.maxshape = if yes {
            Some(vec![None; self.shape.len()])
        } else {
            None
        };
        self
    }

    /// Maximum extent per dimension (`None` entries are unlimited).
    pub fn maxshape(mut self, maxshape: impl AsRef<[Option<u64>]>) -> Self {
        self.maxshape = Some(maxshape.as_ref().to_vec());
        self
    }

    /// Collective: creates the dataset at `name` (relative to the builder's group), creating
    /// missing parent groups. An existing object at that path is an error.
    pub fn create(self, name: &str) -> Result<Dataset> {
        let file = self.file.clone();
        let path = path::join(&self.base, name)?;
        let what = format!("create dataset {}", file.name(&path));
        let mut storage = Storage {
            chunk: self.chunk.clone(),
            deflate: self.deflate,
            filtered: self.deflate.is_some() || self.shuffle,
            shuffle: self.shuffle,
            fill: self.fill.as_ref().map(|(_, b)| b.clone()),
            maxshape: self
                .maxshape
                .clone()
                .map(|m| {
                    if m.len() != self.shape.len() && m.iter().all(|d| d.is_none()) {
                        vec![None; self.shape.len()]
                    } else {
                        m
                    }
                })
                .unwrap_or_else(|| self.shape.iter().map(|&d| Some(d)).collect()),
        };
        let _q = Quiet::new();
        let local = self.validate(&mut storage, &path);
        let args = format!(
            "dtype {}{sep}shape {:?}{sep}storage {:?}",
            self.dtype.spec(),
            self.shape,
            storage,
            sep = crate::comm::FIELD_SEP
        );
        file.agree(&what, local, Some(&args))?;
        let made = create_dataset(
            &file,
            &path,
            &self.dtype,
            &self.shape,
            &storage,
            self.fill.as_ref(),
            &what,
        );
        // Nothing is written when HDF5 does not pre-fill (see create_dataset): one agreement.
        let unfilled =
            storage.chunk.is_none() && self.fill.is_none() && self.shape.iter().all(|&d| d > 0);
        let handle = file.metadata_outcome(&what, made, unfilled)?;
        if storage.fill.is_some() {
            // As stored: converted to the dataset's type.
            // SAFETY: live dataset id.
            let dcpl = Handle::new(
                unsafe { H5Dget_create_plist(handle.id()) },
                Kind::Plist,
                &what,
            );
            storage.fill = dcpl.ok().and_then(|p| fill_value(p.id(), &self.dtype));
        }
        let d = Dataset {
            file,
            handle,
            path,
            dtype: self.dtype,
            dims: RefCell::new(self.shape),
            storage,
            allocated: std::cell::Cell::new(None),
        };
        d.file.record_dataset(&d.path, d.offset(), d.nbytes());
        Ok(d)
    }

    fn validate(&self, storage: &mut Storage, path: &str) -> Result<()> {
        let file = &self.file;
        let name = file.name(path);
        file.id()?;
        file.check_writable(path)?;
        let n = self.shape.len();
        let nbytes = self
            .shape
            .iter()
            .try_fold(self.dtype.size() as u64, |a, &d| a.checked_mul(d));
        if nbytes.is_none() {
            return Err(Error::Invalid(format!(
                "{name}: shape {:?} of {} holds more bytes than 2^64: its size overflows",
                self.shape, self.dtype
            )));
        }
        if let Datatype::Unsupported { description, .. } = &self.dtype {
            return Err(Error::Type(format!(
                "{name}: cannot create a dataset of {description}"
            )));
        }
        if let Some((t, fill)) = &self.fill {
            if fill.len() != t.size() {
                return Err(Error::Invalid(format!(
                    "{name}: the fill value has {} bytes, one element of {t} has {}",
                    fill.len(),
                    t.size()
                )));
            }
            self.dtype
                .check_convert(t, &format!("{name}: fill value"))?;
        }
        if n > MAX_DIMS {
            return Err(Error::Invalid(format!(
                "{name}: {n} dimensions, at most {MAX_DIMS} are supported"
            )));
        }
        if storage.maxshape.len() != n {
            return Err(Error::Invalid(format!(
                "{name}: maxshape {:?} has {} dimensions, shape {:?} has {n}",
                storage.maxshape,
                storage.maxshape.len(),
                self.shape
            )));
        }
        for (d, (&s, m)) in self.shape.iter().zip(&storage.maxshape).enumerate() {
            if let Some(m) = m {
                if *m < s {
                    return Err(Error::Invalid(format!(
                        "{name}: maxshape {:?} is below shape {:?} in dimension {d}",
                        storage.maxshape, self.shape
                    )));
                }
            }
        }
        if let Some(level) = storage.deflate {
            if level > 9 {
                return Err(Error::Invalid(format!(
                    "{name}: deflate level {level} (use 1 to 9, or 0 for none)"
                )));
            }
        }
        let extendible = storage
            .maxshape
            .iter()
            .zip(&self.shape)
            .any(|(m, &s)| *m != Some(s));
        if (extendible || storage.filtered || self.chunked) && storage.chunk.is_none() {
            if n == 0 {
                return Err(Error::Invalid(format!(
                    "{name}: a scalar dataset can be neither chunked, compressed nor extendible"
                )));
            }
            let target = match file.plan.alignment {
                Some((_, a)) if a > 1 => a,
                _ => 1 << 20,
            };
            storage.chunk = Some(default_chunk(&self.shape, self.dtype.size(), target));
        }
        if let Some(chunk) = &storage.chunk {
            if chunk.len() != n || chunk.contains(&0) || n == 0 {
                return Err(Error::Invalid(format!(
                    "{name}: chunk shape {chunk:?} must have {n} non-zero dimensions like shape {:?}",
                    self.shape
                )));
            }
            for (d, (&c, m)) in chunk.iter().zip(&storage.maxshape).enumerate() {
                if let Some(m) = m {
                    if c > *m && *m > 0 {
                        return Err(Error::Invalid(format!(
                            "{name}: chunk {chunk:?} is larger than the maximum extent {:?} in dimension {d}",
                            storage.maxshape
                        )));
                    }
                }
            }
        }
        if path::exists(file, path)? {
            return Err(Error::Exists(format!(
                "{name}: an object exists at this path"
            )));
        }
        Ok(())
    }
}

/// A chunk shape for `shape` of at most `target` bytes (the stripe size when tuned, else
/// 1 MiB): the last dimensions whole as far as they fit, the dimension that does not fit cut
/// to a power of two. When the whole dimensions hold a power-of-two number of bytes (as
/// powers of two usually do), the chunk is then a whole fraction of a power-of-two stripe.
fn default_chunk(shape: &[u64], elem: usize, target: u64) -> Vec<u64> {
    let mut chunk = vec![1u64; shape.len()];
    let mut room = (target / elem as u64).max(1);
    for d in (0..shape.len()).rev() {
        let want = shape[d].max(1);
        if want <= room {
            chunk[d] = want;
            room /= want;
        } else {
            chunk[d] = 1u64 << (63 - room.leading_zeros());
            break;
        }
    }
    chunk
}

#[cfg(test)]
mod tests {
    use super::default_chunk;

    #[test]
    fn chunks_fit_the_stripe() {
        const MIB: u64 = 1 << 20;
        // A large 1-D f64 dataset: 1 MiB chunks, exactly one stripe.
        assert_eq!(default_chunk(&[1 << 30], 8, MIB), vec![1 << 17]);
        // Whole rows of 1024 f32 and a power-of-two number of rows: 4 MiB chunks of a 4 MiB stripe.
        assert_eq!(
            default_chunk(&[100_000, 1024], 4, 4 * MIB),
            vec![1024, 1024]
        );
        // Rows of 3 f64 (24 bytes): a power of two of rows, at most the stripe.
        let c = default_chunk(&[10_000_000, 3], 8, MIB);
        assert_eq!(c, vec![32768, 3]);
        assert!(c[0] * 3 * 8 <= MIB);
        // Small datasets are one chunk.
        assert_eq!(default_chunk(&[10, 3], 8, MIB), vec![10, 3]);
        // Rows larger than the stripe: one row split in the last dimension.
        assert_eq!(default_chunk(&[4, 1 << 20], 8, MIB), vec![1, 1 << 17]);
    }
}

fn create_dataset(
    file: &FileInner,
    path: &str,
    dtype: &Datatype,
    shape: &[u64],
    storage: &Storage,
    fill: Option<&(Datatype, Vec<u8>)>,
    what: &str,
) -> Result<Handle> {
    let max = if storage
        .maxshape
        .iter()
        .zip(shape)
        .all(|(m, &s)| *m == Some(s))
    {
        None
    } else {
        Some(storage.maxshape.as_slice())
    };
    let space = selection::simple_space(shape, max, what)?;
    let early = file.plan.enabled && storage.chunk.is_none() && shape.iter().all(|&d| d > 0);
    let fill_type = fill.map(|(t, _)| t.hdf5()).transpose()?;
    let fill_value = fill
        .zip(fill_type.as_ref())
        .map(|((_, v), t)| (t.id(), v.as_slice()));
    let dcpl = plist::dataset_create(storage, fill_value, early, what)?;
    let lcpl = plist::link_create(what)?;
    let c = h5::cstring(path, "dataset path")?;
    let ftype = dtype.hdf5()?;
    // SAFETY: live ids and C string.
    let id = unsafe {
        H5Dcreate2(
            file.id()?,
            c.as_ptr(),
            ftype.id(),
            space.id(),
            lcpl.id(),
            dcpl.id(),
            H5P_DEFAULT,
        )
    };
    Handle::new(id, Kind::Dataset, what)
}

/// A front end's call of a collective operation on a dataset (the C border's
/// `h5par_dataset_read` on `run.h5:/x`): the agreement of the core's call is named after it,
/// so that its mismatch messages name the functions the user called ("rank 0 is in
/// h5par_dataset_write run.h5:/x, rank 1 is in h5par_file_close run.h5"), and the front end
/// makes no agreement of its own ([`Dataset::read_bytes_as`], [`Dataset::write_bytes_as`]).
#[derive(Debug, Clone, Copy)]
pub struct FrontCall<'a> {
    /// The front end's function, e.g. `h5par_dataset_read`.
    pub func: &'a str,
    /// The object as the front end names it in its other agreements, e.g. `run.h5:/x`.
    pub object: &'a str,
}

impl FrontCall<'_> {
    /// What the agreement is called: the function and the object.
    fn what(&self) -> String {
        format!("{} {}", self.func, self.object)
    }
}

/// A dataset of numbers in an open [`File`](crate::File).
///
/// Reads and writes take an offset and a count per dimension (a hyperslab) and are collective
/// unless [`Xfer::Independent`] is asked for. A rank with nothing to read or write passes a
/// zero count and still calls.
///
/// ```no_run
/// use ndarray::Array1;
/// let universe = mpi::initialize().unwrap();
/// let world = universe.world();
/// let (rank, size) = (world.rank() as u64, world.size() as u64);
/// let file = h5par::File::create(&world, "v.h5")?;
/// let d = file.new_dataset::<f64>().shape([4 * size]).create("v")?;
/// let mine = Array1::from_elem(4, rank as f64);
/// d.write_at(&[4 * rank], &mine)?; // collective
/// let back = d.read_at::<f64>(&[4 * rank], &[4])?;
/// assert_eq!(back.as_slice().unwrap(), mine.as_slice().unwrap());
/// file.close()?;
/// # use mpi::traits::*;
/// # Ok::<(), h5par::Error>(())
/// ```
#[derive(Debug)]
pub struct Dataset {
    file: Rc<FileInner>,
    handle: Handle,
    path: String,
    dtype: Datatype,
    dims: RefCell<Vec<u64>>,
    storage: Storage,
    /// Whether every chunk of a chunked dataset of a read-only file has storage (asked once,
    /// at the first collective read; see [`Dataset::read_collectively`]).
    allocated: std::cell::Cell<Option<bool>>,
}

impl Drop for Dataset {
    fn drop(&mut self) {
        if !self.file.is_open() {
            // The file's close closed this dataset already.
            let h = std::mem::replace(&mut self.handle, Handle::none());
            h.forget();
        }
    }
}

impl Dataset {
    /// Collective: opens the dataset at absolute `path`.
    pub(crate) fn open(file: &Rc<FileInner>, path: String) -> Result<Dataset> {
        let what = format!("open dataset {}", file.name(&path));
        let _q = Quiet::new();
        // Every rank opens: the metadata is read once, by rank 0, and broadcast (tuned).
        // Collective metadata reads only while the ranks' metadata caches are alike (HDF5
        // broadcasts from rank 0 what a rank misses in its cache: a rank that read the
        // metadata on its own would not take part in the broadcast); the agreement says
        // whether any rank did.
        let alike = file.agree_caches_alike(&what, file.id().map(|_| ()), Some(&path))?;
        let opened = (|| {
            let c = h5::cstring(&path, "dataset path")?;
            let coll = file.plan.enabled && alike;
            let dapl = plist::dataset_access(coll, &what)?;
            // SAFETY: live file id, C string and property list.
            let id = unsafe { H5Dopen2(file.id()?, c.as_ptr(), dapl.id()) };
            if id < 0 && !path::exists(file, &path)? {
                // The lookup is local; it runs only when the open failed (on every rank alike
                // when the path is missing, since every rank read the same metadata).
                return Err(Error::NotFound(format!(
                    "{}: no such dataset",
                    file.name(&path)
                )));
            }
            let handle = Handle::new(id, Kind::Dataset, format!("{what} (is it a dataset?)"))?;
            let name = file.name(&path);
            // SAFETY: live dataset id.
            let ftype = Handle::new(unsafe { H5Dget_type(handle.id()) }, Kind::Type, &name)?;
            let dtype = Datatype::from_hdf5(ftype.id())?;
            // SAFETY: live dataset id (owned by `handle`).
            let space = Handle::new(unsafe { H5Dget_space(handle.id()) }, Kind::Space, &name)?;
            let (dims, maxshape) = selection::extent(space.id(), &name)?;
            let storage = read_storage(handle.id(), &dtype, maxshape, &name)?;
            Ok(Dataset {
                file: file.clone(),
                handle,
                path: path.clone(),
                dtype,
                dims: RefCell::new(dims),
                storage,
                allocated: std::cell::Cell::new(None),
            })
        })();
        // An open changes nothing in the file: its outcome is agreed only where it failed.
        let d = crate::comm::deferred_outcome(&file.comm, &what, opened)?;
        file.record_dataset(&d.path, d.offset(), d.nbytes());
        Ok(d)
    }

    /// The absolute path of the dataset in its file.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The numeric element type stored in the file (`None` for strings, compounds and
    /// unsupported types: see [`Dataset::datatype`]).
    pub fn dtype(&self) -> Option<Dtype> {
        self.dtype.num()
    }

    /// The element type stored in the file, whatever it is.
    pub fn datatype(&self) -> &Datatype {
        &self.dtype
    }

    /// The current extent.
    pub fn shape(&self) -> Vec<u64> {
        self.dims.borrow().clone()
    }

    /// Number of dimensions.
    pub fn ndim(&self) -> usize {
        self.dims.borrow().len()
    }

    /// The byte offset of the dataset's data in the file (`None` for chunked or not yet
    /// allocated data). With tuning on, it is a multiple of the stripe or block size.
    pub fn offset(&self) -> Option<u64> {
        let _q = Quiet::new();
        // SAFETY: live dataset id.
        let off = unsafe { hdf5_sys::h5d::H5Dget_offset(self.handle.id()) };
        (off != hdf5_sys::h5::HADDR_UNDEF).then_some(off)
    }

    /// The size of the data in bytes (elements times element size).
    pub fn nbytes(&self) -> u64 {
        self.dims.borrow().iter().product::<u64>() * self.dtype.size() as u64
    }

    /// How the dataset is stored (chunking, compression, maximum extent).
    pub fn storage(&self) -> &Storage {
        &self.storage
    }

    /// Local: the fill value converted by HDF5 to one element of `mem` (native byte order),
    /// `None` when none was set. A type it cannot be converted to is an error naming both.
    pub fn fill_value_as(&self, mem: &Datatype) -> Result<Option<Vec<u8>>> {
        let name = self.name();
        self.file.id()?;
        if self.storage.fill.is_none() {
            return Ok(None);
        }
        self.dtype
            .check_convert(mem, &format!("{name}: fill value"))?;
        let _q = Quiet::new();
        // SAFETY: live dataset id.
        let dcpl = Handle::new(
            unsafe { H5Dget_create_plist(self.handle.id()) },
            Kind::Plist,
            &name,
        )?;
        fill_value(dcpl.id(), mem)
            .map(Some)
            .ok_or_else(|| Error::Type(format!("{name}: its fill value cannot be read as {mem}")))
    }

    fn name(&self) -> String {
        self.file.name(&self.path)
    }

    /// Collective by default: writes `data` at `offset` (its shape is the count).
    pub fn write_at<T: H5Type, S: Data<Elem = T>, D: Dimension>(
        &self,
        offset: &[u64],
        data: &ArrayBase<S, D>,
    ) -> Result<()> {
        self.write_at_with(offset, data, Xfer::Collective)
    }

    /// Writes `data` at `offset` with the transfer mode `xfer`.
    pub fn write_at_with<T: H5Type, S: Data<Elem = T>, D: Dimension>(
        &self,
        offset: &[u64],
        data: &ArrayBase<S, D>,
        xfer: Xfer,
    ) -> Result<()> {
        let count: Vec<u64> = data.shape().iter().map(|&n| n as u64).collect();
        let standard = data.as_standard_layout();
        let slice = standard.as_slice().unwrap_or(&[]);
        // SAFETY: numeric elements are plain bytes.
        let bytes = unsafe {
            std::slice::from_raw_parts(slice.as_ptr() as *const u8, std::mem::size_of_val(slice))
        };
        self.write_raw(&Selection::new(offset, &count), T::DTYPE, bytes, xfer)
    }

    /// Collective: writes the whole dataset from `data` (its shape must be the dataset's).
    pub fn write<T: H5Type, S: Data<Elem = T>, D: Dimension>(
        &self,
        data: &ArrayBase<S, D>,
    ) -> Result<()> {
        let zeros = vec![0u64; data.ndim()];
        self.write_at(&zeros, data)
    }

    /// Writes the elements of `sel` from `bytes`, elements of type `mem` in C order.
    pub fn write_raw(&self, sel: &Selection, mem: Dtype, bytes: &[u8], xfer: Xfer) -> Result<()> {
        self.write_bytes(sel, &mem.into(), bytes, xfer)
    }

    /// Writes the elements of `sel` from `bytes`, elements of type `mem` (any [`Datatype`]:
    /// strings, compounds) in C order.
    pub fn write_bytes(
        &self,
        sel: &Selection,
        mem: &Datatype,
        bytes: &[u8],
        xfer: Xfer,
    ) -> Result<()> {
        let what = format!("write {}", self.name());
        self.write_bytes_after(&what, sel, mem, bytes, xfer, Ok(()))
    }

    /// [`Dataset::write_bytes`] for a front end's call `call` (the C border's
    /// `h5par_dataset_write`, say), with its own check of its arguments `args` (the selection
    /// and memory type, or this rank's error converting them). Both are taken into the
    /// write's one agreement: the call's name is what the agreement and its mismatch messages
    /// name, and an error in `args` is the write's error on every rank, so the front end makes
    /// no agreement of its own. With `Xfer::Independent` an error in `args` is this rank's
    /// alone.
    pub fn write_bytes_as(
        &self,
        call: &FrontCall<'_>,
        xfer: Xfer,
        args: Result<(&Selection, &Datatype)>,
        bytes: &[u8],
    ) -> Result<()> {
        let what = call.what();
        match args {
            Ok((sel, mem)) => self.write_bytes_after(&what, sel, mem, bytes, xfer, Ok(())),
            Err(e) => {
                let none = Selection::new(&[], &[]);
                self.write_bytes_after(&what, &none, &self.dtype, &[], xfer, Err(e))
            }
        }
    }

    /// [`Dataset::write_bytes`], named `what`, after this rank's own earlier check `before`
    /// (agreed with the write's checks).
    fn write_bytes_after(
        &self,
        what: &str,
        sel: &Selection,
        mem: &Datatype,
        bytes: &[u8],
        xfer: Xfer,
        before: Result<()>,
    ) -> Result<()> {
        let _q = Quiet::new();
        let local = before
            .and_then(|()| self.file.check_writable(&self.path))
            .and_then(|()| self.check_transfer(sel, mem, bytes.len(), xfer, true));
        self.transfer(
            "write",
            what,
            sel,
            mem,
            xfer,
            local,
            |dset, mt, ms, fs, dx| {
                // SAFETY: the buffer holds the selected elements (checked above).
                unsafe { H5Dwrite(dset, mt, ms, fs, dx, bytes.as_ptr() as *const c_void) }
            },
        )
    }

    /// Collective by default: reads `count` elements at `offset` into a new array.
    pub fn read_at<T: H5Type>(&self, offset: &[u64], count: &[u64]) -> Result<ArrayD<T>> {
        self.read_at_with(offset, count, Xfer::Collective)
    }

    /// Reads `count` elements at `offset` with the transfer mode `xfer`.
    pub fn read_at_with<T: H5Type>(
        &self,
        offset: &[u64],
        count: &[u64],
        xfer: Xfer,
    ) -> Result<ArrayD<T>> {
        self.read_selection(&Selection::new(offset, count), xfer)
    }

    /// Reads the elements of `sel` (strided, blocks, an index list; see [`Selection`]) into
    /// a new array of [`Selection::shape`], with the transfer mode `xfer`.
    ///
    /// ```no_run
    /// # fn f(d: &h5par::Dataset) -> h5par::Result<()> {
    /// use h5par::{Selection, Xfer};
    /// let n = d.shape()[0];
    /// // d[::2] of a 1-D dataset, collectively.
    /// let even = d.read_selection::<f64>(&Selection::strided(&[0], &[2], &[n.div_ceil(2)], &[1]), Xfer::Collective)?;
    /// # Ok(()) }
    /// ```
    pub fn read_selection<T: H5Type>(&self, sel: &Selection, xfer: Xfer) -> Result<ArrayD<T>> {
        let count = sel.shape();
        let shape: Option<Vec<usize>> = count.iter().map(|&c| usize::try_from(c).ok()).collect();
        // Allocate only when the selection is valid, so a bad count is an error, not an OOM;
        // page aligned (io::buffer: the kernel's copy into it is never in the slow case).
        let ok = sel.check(&self.dims.borrow(), &self.name()).is_ok();
        let array = ok
            .then(|| shape.and_then(|s| super::buffer::page_aligned_array::<T>(&s)))
            .flatten();
        // A selection that is valid but cannot be held in memory is this rank's error, agreed
        // with the other ranks in the read (never an empty array).
        let fits = match (&array, ok) {
            (None, true) => Err(Error::Shape(format!(
                "read {}: the selection {count:?} of {} does not fit in memory",
                self.name(),
                T::DTYPE
            ))),
            _ => Ok(()),
        };
        let mut out = array.unwrap_or_else(|| ArrayD::<T>::default(IxDyn(&[0])));
        let slice = out.as_slice_mut().unwrap_or(&mut []);
        // SAFETY: numeric elements are plain bytes; the slice is the array's own storage.
        let bytes = unsafe {
            std::slice::from_raw_parts_mut(
                slice.as_mut_ptr() as *mut u8,
                std::mem::size_of_val(slice),
            )
        };
        self.read_raw_after(sel, &T::DTYPE.into(), bytes, xfer, fits)?;
        Ok(out)
    }

    /// Writes `data` (C order, [`Selection::shape`] elements) to the elements of `sel`, with
    /// the transfer mode `xfer`.
    pub fn write_selection<T: H5Type, S: Data<Elem = T>, D: Dimension>(
        &self,
        sel: &Selection,
        data: &ArrayBase<S, D>,
        xfer: Xfer,
    ) -> Result<()> {
        let standard = data.as_standard_layout();
        let slice = standard.as_slice().unwrap_or(&[]);
        // SAFETY: H5Type elements are plain bytes.
        let bytes = unsafe {
            std::slice::from_raw_parts(slice.as_ptr() as *const u8, std::mem::size_of_val(slice))
        };
        self.write_raw(sel, T::DTYPE, bytes, xfer)
    }

    /// Collective: reads the whole dataset.
    pub fn read<T: H5Type>(&self) -> Result<ArrayD<T>> {
        let dims = self.shape();
        self.read_at(&vec![0; dims.len()], &dims)
    }

    /// Reads into `out` at `offset` (the count is `out`'s shape, which must have the dataset's
    /// number of dimensions), with the transfer mode `xfer`.
    pub fn read_into<T: H5Type, S: DataMut<Elem = T>, D: Dimension>(
        &self,
        offset: &[u64],
        out: &mut ArrayBase<S, D>,
        xfer: Xfer,
    ) -> Result<()> {
        let count: Vec<u64> = out.shape().iter().map(|&n| n as u64).collect();
        let sel = Selection::new(offset, &count);
        if let Some(slice) = out.as_slice_mut() {
            // SAFETY: numeric elements are plain bytes.
            let bytes = unsafe {
                std::slice::from_raw_parts_mut(
                    slice.as_mut_ptr() as *mut u8,
                    std::mem::size_of_val(slice),
                )
            };
            return self.read_raw(&sel, T::DTYPE, bytes, xfer);
        }
        let tmp = self.read_at_with::<T>(offset, &count, xfer)?;
        let t = tmp.into_dimensionality::<D>().map_err(|e| {
            Error::Shape(format!(
                "read {}: the data read, of shape {count:?}, does not fit the output array of \
                 shape {:?}: {e}",
                self.name(),
                out.shape()
            ))
        })?;
        out.assign(&t);
        Ok(())
    }

    /// Reads the elements of `sel` into `bytes`, as elements of type `mem` in C order.
    pub fn read_raw(
        &self,
        sel: &Selection,
        mem: Dtype,
        bytes: &mut [u8],
        xfer: Xfer,
    ) -> Result<()> {
        self.read_raw_after(sel, &mem.into(), bytes, xfer, Ok(()))
    }

    /// Reads the elements of `sel` into `bytes`, as elements of type `mem` (any
    /// [`Datatype`]) in C order. A dataset of an unsupported type is an error naming it.
    pub fn read_bytes(
        &self,
        sel: &Selection,
        mem: &Datatype,
        bytes: &mut [u8],
        xfer: Xfer,
    ) -> Result<()> {
        self.read_raw_after(sel, mem, bytes, xfer, Ok(()))
    }

    /// [`Dataset::read_bytes`] for a front end's call `call`, with its own check of its
    /// arguments `args` taken into the read's one agreement, as for
    /// [`Dataset::write_bytes_as`].
    pub fn read_bytes_as(
        &self,
        call: &FrontCall<'_>,
        xfer: Xfer,
        args: Result<(&Selection, &Datatype)>,
        bytes: &mut [u8],
    ) -> Result<()> {
        let what = call.what();
        match args {
            Ok((sel, mem)) => self.read_bytes_after(&what, sel, mem, bytes, xfer, Ok(())),
            Err(e) => {
                let none = Selection::new(&[], &[]);
                self.read_bytes_after(&what, &none, &self.dtype, &mut [], xfer, Err(e))
            }
        }
    }

    /// [`Dataset::read_bytes`] after this rank's own earlier check `before` (agreed with the
    /// read's checks: an error there is an error of the read on every rank).
    fn read_raw_after(
        &self,
        sel: &Selection,
        mem: &Datatype,
        bytes: &mut [u8],
        xfer: Xfer,
        before: Result<()>,
    ) -> Result<()> {
        let what = format!("read {}", self.name());
        self.read_bytes_after(&what, sel, mem, bytes, xfer, before)
    }

    /// [`Dataset::read_raw_after`], named `what`.
    fn read_bytes_after(
        &self,
        what: &str,
        sel: &Selection,
        mem: &Datatype,
        bytes: &mut [u8],
        xfer: Xfer,
        before: Result<()>,
    ) -> Result<()> {
        let _q = Quiet::new();
        let local = before.and_then(|()| self.check_transfer(sel, mem, bytes.len(), xfer, false));
        let ptr = bytes.as_mut_ptr();
        self.transfer(
            "read",
            what,
            sel,
            mem,
            xfer,
            local,
            |dset, mt, ms, fs, dx| {
                // SAFETY: the buffer has room for the selected elements (checked above).
                unsafe { H5Dread(dset, mt, ms, fs, dx, ptr as *mut c_void) }
            },
        )
    }

    fn check_transfer(
        &self,
        sel: &Selection,
        mem: &Datatype,
        nbytes: usize,
        xfer: Xfer,
        write: bool,
    ) -> Result<()> {
        self.file.id()?;
        let name = self.name();
        sel.check(&self.dims.borrow(), &name)?;
        self.dtype.check_convert(mem, &name)?;
        let n = sel.len().unwrap_or(u64::MAX);
        let need = n.saturating_mul(mem.size() as u64);
        if need != nbytes as u64 {
            return Err(Error::Shape(format!(
                "{name}: the buffer holds {nbytes} bytes, the selection {:?} of {mem} needs {need}",
                sel.count
            )));
        }
        if write && xfer == Xfer::Independent && self.storage.filtered {
            return Err(Error::Invalid(format!(
                "{name}: a compressed dataset can only be written collectively (parallel HDF5 \
                 compresses chunks in collective writes); use Xfer::Collective"
            )));
        }
        Ok(())
    }

    /// The common part of reads and writes: agree (collective), select, call, agree again.
    #[allow(clippy::too_many_arguments)]
    fn transfer(
        &self,
        op: &str,
        what: &str,
        sel: &Selection,
        mem: &Datatype,
        xfer: Xfer,
        local: Result<()>,
        call: impl FnOnce(hid_t, hid_t, hid_t, hid_t, hid_t) -> herr_t,
    ) -> Result<()> {
        let collective = xfer == Xfer::Collective;
        if !collective || self.storage.chunk.is_some() {
            // Independent I/O, and the chunk index lookups of chunked I/O, read metadata
            // that differs between ranks.
            self.file.note_local_metadata();
        }
        let args = format!("{} {:?}", self.path, xfer);
        if collective {
            self.file.agree(what, local, Some(&args))?;
        } else if let Err(e) = local {
            return Err(e.context(format!(
                "{what}: rank {} of {}",
                self.file.comm.rank(),
                self.file.comm.size()
            )));
        }
        // This rank's OS-level cause of a failed write, when HDF5 and MPI-IO dropped it.
        let cause_here: std::cell::RefCell<Option<String>> = std::cell::RefCell::new(None);
        let done = (|| {
            let name = self.name();
            // SAFETY: live dataset id.
            let fspace = Handle::new(
                unsafe { H5Dget_space(self.handle.id()) },
                Kind::Space,
                &name,
            )?;
            sel.select(&fspace, &name)?;
            let mspace = if self.dims.borrow().is_empty() {
                selection::simple_space(&[], None, &name)?
            } else {
                sel.memory_space(&name)?
            };
            // A read HDF5 cannot make collectively (a correctness matter) is told first; then
            // a small dataset, which h5par reads independently for speed.
            let unreadable = collective && op == "read" && !self.read_collectively();
            let small = if collective && op == "read" && !unreadable {
                self.small_for_collective_read()
            } else {
                None
            };
            let hdf5_collective = collective && !unreadable && small.is_none();
            let dxpl = plist::transfer(hdf5_collective, &name)?;
            let mtype = mem.hdf5()?;
            let started = std::time::Instant::now();
            crate::io::space::clear_errno();
            let r = call(
                self.handle.id(),
                mtype.id(),
                mspace.id(),
                fspace.id(),
                dxpl.id(),
            );
            // Read first, before any other call can change errno.
            let os_cause = crate::io::space::write_errno();
            let seconds = started.elapsed().as_secs_f64();
            h5::check(r, what).map_err(|e| {
                if op == "write" {
                    let cause = os_cause.map(|c| c.to_string());
                    *cause_here.borrow_mut() = cause.clone();
                    self.file
                        .explain(crate::io::space::with_cause(e, cause.as_deref()))
                } else {
                    e
                }
            })?;
            if op == "write" {
                crate::io::space::check_room(self.file.data_path(), &self.file.path)
                    .map_err(|e| e.context(what))?;
            }
            let (actual, mut cause) = report::actual_mode(dxpl.id());
            if unreadable {
                cause = Some(
                    "some chunks have no storage (a file written by serial HDF5), which HDF5 \
                     cannot read collectively: read independently"
                        .to_string(),
                );
            } else if let Some((bytes, limit)) = small {
                cause = Some(format!(
                    "the whole dataset ({}) fits in {} (one stripe, or 1 MiB without \
                     stripes): one request per rank either way, so h5par had HDF5 read it \
                     independently, still agreed by every rank (H5PAR_TUNING=off reads it \
                     collectively)",
                    crate::tune::hints::format_size(bytes),
                    crate::tune::hints::format_size(limit)
                ));
            }
            let bytes = sel.len().unwrap_or(0) * mem.size() as u64;
            self.file.report.borrow_mut().record_call(CallReport {
                op: op.to_string(),
                dataset: self.path.clone(),
                requested: if collective {
                    "collective"
                } else {
                    "independent"
                }
                .to_string(),
                actual,
                cause,
                bytes,
                seconds,
                gbps: if seconds > 0.0 {
                    bytes as f64 / seconds / 1e9
                } else {
                    0.0
                },
            });
            Ok(())
        })();
        let outcome = if collective && op == "read" {
            // A read changes nothing in the file: agreed only where it failed.
            crate::comm::deferred_outcome(&self.file.comm, what, done)
        } else if collective && op == "write" {
            crate::comm::agree_value(&self.file.comm, what, done)
                .map_err(|e| self.file.shared_cause(e, cause_here.take()))
        } else if collective {
            crate::comm::agree_value(&self.file.comm, what, done)
        } else {
            done
        };
        if let (Err(e), true) = (&outcome, collective && op == "write") {
            // Every rank knows (the outcome is agreed): the file's data is incomplete.
            let mut failed = self.file.io_failed.borrow_mut();
            if failed.is_none() {
                *failed = Some(e.message());
            }
        }
        outcome
    }

    /// `Some((dataset bytes, limit))` when the whole dataset is small enough to be read
    /// independently in HDF5 under a collective read ([`TunePlan::small_read_limit`]). The
    /// same on every rank: the extent and type are the dataset's, which every rank has alike.
    ///
    /// [`TunePlan::small_read_limit`]: crate::tune::TunePlan::small_read_limit
    fn small_for_collective_read(&self) -> Option<(u64, u64)> {
        let limit = self.file.plan.small_read_limit()?;
        let bytes = self
            .dims
            .borrow()
            .iter()
            .try_fold(self.dtype.size() as u64, |acc, &d| acc.checked_mul(d))?;
        (bytes <= limit).then_some((bytes, limit))
    }

    /// Whether HDF5 can read this dataset collectively: not when it is chunked, in a file
    /// opened read-only, and some of its chunks have no storage (a file written by serial
    /// HDF5, which allocates chunks as they are written). HDF5 1.10's collective chunked read
    /// takes such a chunk's undefined address as an offset and fails in `MPI_File_set_view`
    /// ("invalid datatype"; h5py's own collective read, `read_direct` under `collective`,
    /// fails alike). Such reads are made independently in HDF5 (still agreed by every rank),
    /// and read the missing chunks as the fill value. In a file opened for writing, parallel
    /// HDF5 allocates every chunk when the dataset is opened. The same on every rank (the same
    /// file, read-only); asked once per dataset handle.
    fn read_collectively(&self) -> bool {
        if self.storage.chunk.is_none() || self.file.writable {
            return true;
        }
        if let Some(a) = self.allocated.get() {
            return a;
        }
        use hdf5_sys::h5d::{H5D_space_status_t, H5Dget_space_status};
        let mut status = H5D_space_status_t::H5D_SPACE_STATUS_ERROR;
        // SAFETY: live dataset id; `status` is written by HDF5.
        let r = unsafe { H5Dget_space_status(self.handle.id(), &mut status) };
        let all = r >= 0 && status == H5D_space_status_t::H5D_SPACE_STATUS_ALLOCATED;
        if r < 0 {
            let _ = h5::error_stack();
        }
        self.allocated.set(Some(all));
        all
    }

    /// Collective: changes the extent to `new_dims` (within the maximum extent). Elements
    /// beyond the old extent read as the fill value (0) until written.
    pub fn set_extent(&self, new_dims: &[u64]) -> Result<()> {
        let name = self.name();
        let what = format!("set extent of {name}");
        let _q = Quiet::new();
        let local = (|| {
            self.file.id()?;
            self.file.check_writable(&self.path)?;
            let dims = self.dims.borrow();
            if new_dims.len() != dims.len() {
                return Err(Error::Shape(format!(
                    "{name}: new extent {new_dims:?} has {} dimensions, the dataset has {}",
                    new_dims.len(),
                    dims.len()
                )));
            }
            if self.storage.chunk.is_none() {
                return Err(Error::Invalid(format!(
                    "{name}: the dataset is contiguous and cannot change extent (create it \
                     resizable, or chunked with a larger maxshape)"
                )));
            }
            for (d, (&n, m)) in new_dims.iter().zip(&self.storage.maxshape).enumerate() {
                if let Some(m) = m {
                    if n > *m {
                        return Err(Error::Shape(format!(
                            "{name}: new extent {new_dims:?} exceeds the maximum extent {:?} in dimension {d}",
                            self.storage.maxshape
                        )));
                    }
                }
            }
            Ok(())
        })();
        self.file
            .agree(&what, local, Some(&format!("new extent {new_dims:?}")))?;
        // SAFETY: live dataset; new_dims has its rank.
        let r = unsafe { H5Dset_extent(self.handle.id(), new_dims.as_ptr()) };
        crate::comm::agree_value(&self.file.comm, &what, h5::check(r, &what))?;
        *self.dims.borrow_mut() = new_dims.to_vec();
        Ok(())
    }

    pub(crate) fn file(&self) -> &Rc<FileInner> {
        &self.file
    }

    /// The communicator of the dataset's file (h5par's own duplicate): every collective call
    /// on the dataset is collective on it.
    pub fn comm(&self) -> &mpi::topology::SimpleCommunicator {
        &self.file.comm
    }

    /// Whether the dataset's file is still open (after the file's close every use of the
    /// dataset but dropping it is an error).
    pub fn is_open(&self) -> bool {
        self.file.is_open()
    }
}

fn read_storage(
    dset: hid_t,
    dtype: &Datatype,
    maxshape: Vec<Option<u64>>,
    name: &str,
) -> Result<Storage> {
    // SAFETY: live dataset id.
    let dcpl = Handle::new(unsafe { H5Dget_create_plist(dset) }, Kind::Plist, name)?;
    // SAFETY: live property list; buffer of MAX_DIMS.
    unsafe {
        let chunk = if H5Pget_layout(dcpl.id()) == H5D_layout_t::H5D_CHUNKED {
            let mut c = vec![0u64; MAX_DIMS];
            let n = H5Pget_chunk(dcpl.id(), MAX_DIMS as i32, c.as_mut_ptr());
            c.truncate(n.max(0) as usize);
            Some(c)
        } else {
            None
        };
        let (deflate, shuffle) = filters(dcpl.id());
        let fill = fill_value(dcpl.id(), dtype);
        Ok(Storage {
            chunk,
            deflate,
            filtered: H5Pget_nfilters(dcpl.id()) > 0,
            maxshape,
            shuffle,
            fill,
        })
    }
}

/// The user-defined fill value of a dataset-creation property list, as one element of
/// `dtype` (`None` when the fill value is the library default, or the type unsupported).
fn fill_value(dcpl: hid_t, dtype: &Datatype) -> Option<Vec<u8>> {
    use hdf5_sys::h5d::H5D_fill_value_t;
    let t = dtype.hdf5().ok()?;
    let mut status = H5D_fill_value_t::H5D_FILL_VALUE_UNDEFINED;
    let mut buf = vec![0u8; dtype.size()];
    // SAFETY: live property list; the buffer holds one element of the memory type `t`.
    unsafe {
        if hdf5_sys::h5p::H5Pfill_value_defined(dcpl, &mut status) < 0
            || status != H5D_fill_value_t::H5D_FILL_VALUE_USER_DEFINED
            || hdf5_sys::h5p::H5Pget_fill_value(dcpl, t.id(), buf.as_mut_ptr() as *mut c_void) < 0
        {
            let _ = h5::error_stack();
            return None;
        }
    }
    Some(buf)
}

/// The deflate level of a dataset-creation property list, if it has that filter, and whether
/// it has the shuffle filter.
fn filters(dcpl: hid_t) -> (Option<u8>, bool) {
    use hdf5_sys::h5p::H5Pget_filter2;
    use hdf5_sys::h5z::{H5Z_FILTER_DEFLATE, H5Z_FILTER_SHUFFLE};
    let mut deflate = None;
    let mut shuffle = false;
    // SAFETY: live property list; out-buffers sized as passed.
    unsafe {
        let n = H5Pget_nfilters(dcpl);
        for i in 0..n.max(0) {
            let mut flags = 0u32;
            let mut nelmts: usize = 4;
            let mut values = [0u32; 4];
            let mut namebuf = [0 as std::ffi::c_char; 64];
            let mut config = 0u32;
            let f = H5Pget_filter2(
                dcpl,
                i as u32,
                &mut flags,
                &mut nelmts,
                values.as_mut_ptr(),
                namebuf.len(),
                namebuf.as_mut_ptr(),
                &mut config,
            );
            if f == H5Z_FILTER_DEFLATE {
                deflate = Some(if nelmts > 0 { values[0] as u8 } else { 6 });
            }
            if f == H5Z_FILTER_SHUFFLE {
                shuffle = true;
            }
        }
    }
    (deflate, shuffle)
}
