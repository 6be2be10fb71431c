//! [`Group`]s, and the location methods that files, groups and datasets share.

use std::rc::Rc;

use hdf5_sys::h5g::H5Gcreate2;
use hdf5_sys::h5p::H5P_DEFAULT;

use crate::error::{Error, Result};
use crate::io::attribute::{self, AttrData, AttrValue, FromAttr};
use crate::io::dataset::{Dataset, DatasetBuilder};
use crate::io::dtype::{Dtype, H5Type};
use crate::io::file::{File, FileInner};
use crate::io::h5::{self, Handle, Kind, Quiet};
use crate::io::link::ObjectKind;
use crate::io::path;
use crate::io::plist;
use crate::io::types::Datatype;

/// A group (a folder of datasets and groups) in an open file. Paths given to its methods are
/// relative to it, or absolute when they start with `/`.
///
/// ```no_run
/// # let universe = mpi::initialize().unwrap();
/// # let file = h5par::File::create(&universe.world(), "g.h5")?;
/// let run = file.create_group("runs/42")?; // creates "runs" too
/// run.write_attr("seed", &42u64)?;
/// let temp = run.new_dataset::<f64>().shape([10]).create("temperature")?;
/// assert_eq!(file.group("runs")?.members()?, vec!["42".to_string()]);
/// # Ok::<(), h5par::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Group {
    file: Rc<FileInner>,
    path: String,
}

/// The kind of object at a path, a soft link followed (the local check of a collective call).
fn object_type(file: &FileInner, abs: &str) -> Result<Option<ObjectKind>> {
    crate::io::link::kind_in_step(file, abs, true)
}

impl Group {
    pub(crate) fn root(file: &Rc<FileInner>) -> Group {
        Group {
            file: file.clone(),
            path: "/".into(),
        }
    }

    pub(crate) fn at(file: &Rc<FileInner>, path: String) -> Group {
        Group {
            file: file.clone(),
            path,
        }
    }

    pub(crate) fn file_inner(&self) -> &Rc<FileInner> {
        &self.file
    }

    /// The absolute path of the group.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Collective: creates the group `name` and any missing parents. Creating a group that
    /// exists is an error ([`Group::require_group`] accepts it).
    pub fn create_group(&self, name: &str) -> Result<Group> {
        self.make_group(name, false)
    }

    /// Collective: opens the group `name`, creating it (and its parents) if missing.
    pub fn require_group(&self, name: &str) -> Result<Group> {
        self.make_group(name, true)
    }

    fn make_group(&self, name: &str, may_exist: bool) -> Result<Group> {
        let file = &self.file;
        let abs = path::join(&self.path, name)?;
        let what = format!("create group {}", file.name(&abs));
        let _q = Quiet::new();
        let local = (|| {
            file.check_writable(&abs)?;
            match object_type(file, &abs)? {
                None => Ok(false),
                Some(ObjectKind::Group) if may_exist => Ok(true),
                Some(ObjectKind::Group) => Err(Error::Exists(format!(
                    "{}: the group exists",
                    file.name(&abs)
                ))),
                Some(_) => Err(Error::Exists(format!(
                    "{}: an object that is not a group exists at this path",
                    file.name(&abs)
                ))),
            }
        })();
        let exists = match &local {
            Ok(e) => *e,
            Err(_) => false,
        };
        file.agree(
            &what,
            local.map(|_| ()),
            Some(&format!("{abs} {may_exist}")),
        )?;
        if !exists {
            let made = (|| {
                let lcpl = plist::link_create(&what)?;
                let c = h5::cstring(&abs, "group path")?;
                // SAFETY: live ids and C string.
                let id = unsafe {
                    H5Gcreate2(file.id()?, c.as_ptr(), lcpl.id(), H5P_DEFAULT, H5P_DEFAULT)
                };
                Handle::new(id, Kind::Group, &what).map(|_| ())
            })();
            file.metadata_outcome(&what, made, true)?;
        }
        Ok(Group {
            file: file.clone(),
            path: abs,
        })
    }

    /// Collective: opens the existing group `name`.
    pub fn group(&self, name: &str) -> Result<Group> {
        let file = &self.file;
        let abs = path::join(&self.path, name)?;
        let what = format!("open group {}", file.name(&abs));
        let _q = Quiet::new();
        let local = match object_type(file, &abs) {
            Ok(Some(ObjectKind::Group)) => Ok(()),
            Ok(Some(k)) => Err(Error::Type(format!(
                "{}: a {}, not a group",
                file.name(&abs),
                k.name()
            ))),
            Ok(None) => Err(Error::NotFound(format!(
                "{}: no such group",
                file.name(&abs)
            ))),
            Err(e) => Err(e),
        };
        file.agree(&what, local, Some(&abs))?;
        Ok(Group {
            file: file.clone(),
            path: abs,
        })
    }

    /// The names of the group's members (groups and datasets), sorted by name. Local: any
    /// rank may call it alone.
    pub fn members(&self) -> Result<Vec<String>> {
        crate::io::link::member_names(&self.file, &self.path)
    }

    /// Whether an object exists at `name` (local).
    pub fn contains(&self, name: &str) -> Result<bool> {
        let abs = path::join(&self.path, name)?;
        let _q = Quiet::new();
        self.file.note_local_metadata();
        path::exists(&self.file, &abs)
    }

    /// Starts building a dataset of `T` in this group; see [`DatasetBuilder`].
    pub fn new_dataset<T: H5Type>(&self) -> DatasetBuilder {
        DatasetBuilder::new(self.file.clone(), &self.path, T::DTYPE.into())
    }

    /// Starts building a dataset whose element type is chosen at run time.
    pub fn new_dataset_of(&self, dtype: Dtype) -> DatasetBuilder {
        DatasetBuilder::new(self.file.clone(), &self.path, dtype.into())
    }

    /// Starts building a dataset of any [`Datatype`] (fixed-length strings, compounds).
    pub fn new_dataset_typed(&self, dtype: Datatype) -> DatasetBuilder {
        DatasetBuilder::new(self.file.clone(), &self.path, dtype)
    }

    /// Collective: opens the dataset `name`.
    pub fn dataset(&self, name: &str) -> Result<Dataset> {
        Dataset::open(&self.file, path::join(&self.path, name)?)
    }

    /// Collective: writes attribute `name` on this group; every rank must pass the same value.
    pub fn write_attr<V: AttrValue + ?Sized>(&self, name: &str, value: &V) -> Result<()> {
        attribute::write(&self.file, &self.path, name, &value.to_attr())
    }

    /// Reads attribute `name` of this group (local).
    pub fn read_attr<V: FromAttr>(&self, name: &str) -> Result<V> {
        let data = attribute::read(&self.file, &self.path, name, V::wanted())?;
        V::from_attr(
            data,
            &format!("{}: attribute {name:?}", self.file.name(&self.path)),
        )
    }

    /// The names of this group's attributes (local).
    pub fn attr_names(&self) -> Result<Vec<String>> {
        attribute::names(&self.file, &self.path)
    }
}

impl File {
    /// The root group `/`.
    pub fn root(&self) -> Group {
        Group::root(&self.inner)
    }

    /// Collective: creates a group and its missing parents; see [`Group::create_group`].
    pub fn create_group(&self, path: &str) -> Result<Group> {
        self.root().create_group(path)
    }

    /// Collective: opens or creates a group; see [`Group::require_group`].
    pub fn require_group(&self, path: &str) -> Result<Group> {
        self.root().require_group(path)
    }

    /// Collective: opens an existing group.
    pub fn group(&self, path: &str) -> Result<Group> {
        self.root().group(path)
    }

    /// Starts building a dataset of `T`; see [`DatasetBuilder`].
    pub fn new_dataset<T: H5Type>(&self) -> DatasetBuilder {
        self.root().new_dataset::<T>()
    }

    /// Starts building a dataset whose element type is chosen at run time.
    pub fn new_dataset_of(&self, dtype: Dtype) -> DatasetBuilder {
        self.root().new_dataset_of(dtype)
    }

    /// Starts building a dataset of any [`Datatype`]; see [`Group::new_dataset_typed`].
    pub fn new_dataset_typed(&self, dtype: Datatype) -> DatasetBuilder {
        self.root().new_dataset_typed(dtype)
    }

    /// Collective: opens an existing dataset.
    pub fn dataset(&self, path: &str) -> Result<Dataset> {
        self.root().dataset(path)
    }

    /// Collective: writes attribute `name` of the object at `object` (`"/"` is the file).
    pub fn write_attr<V: AttrValue + ?Sized>(
        &self,
        object: &str,
        name: &str,
        value: &V,
    ) -> Result<()> {
        let abs = path::join("/", object)?;
        attribute::write(&self.inner, &abs, name, &value.to_attr())
    }

    /// Reads attribute `name` of the object at `object` (local).
    pub fn read_attr<V: FromAttr>(&self, object: &str, name: &str) -> Result<V> {
        let abs = path::join("/", object)?;
        let data = attribute::read(&self.inner, &abs, name, V::wanted())?;
        V::from_attr(
            data,
            &format!("{}: attribute {name:?}", self.inner.name(&abs)),
        )
    }

    /// Reads the numeric attribute `name` of the object at `object` (local), its values
    /// converted by HDF5 to `dtype` (a type chosen at run time, as the C border and the Python
    /// package do): [`AttrData::Numeric`] of `dtype`. A string attribute is
    /// [`Error::Type`](crate::Error::Type).
    pub fn read_attr_as(&self, object: &str, name: &str, dtype: Dtype) -> Result<AttrData> {
        let abs = path::join("/", object)?;
        match attribute::read(&self.inner, &abs, name, Some(dtype))? {
            AttrData::Text(_) => Err(Error::Type(format!(
                "{}: attribute {name:?} is a string, not numbers",
                self.inner.name(&abs)
            ))),
            numbers => Ok(numbers),
        }
    }

    /// The names of the attributes of the object at `object` (local).
    pub fn attr_names(&self, object: &str) -> Result<Vec<String>> {
        attribute::names(&self.inner, &path::join("/", object)?)
    }
}

impl Dataset {
    /// Collective: writes attribute `name` on this dataset; every rank must pass the same value.
    pub fn write_attr<V: AttrValue + ?Sized>(&self, name: &str, value: &V) -> Result<()> {
        attribute::write(self.file(), self.path(), name, &value.to_attr())
    }

    /// Reads attribute `name` of this dataset (local).
    pub fn read_attr<V: FromAttr>(&self, name: &str) -> Result<V> {
        let data = attribute::read(self.file(), self.path(), name, V::wanted())?;
        V::from_attr(
            data,
            &format!("{}: attribute {name:?}", self.file().name(self.path())),
        )
    }

    /// The names of this dataset's attributes (local).
    pub fn attr_names(&self) -> Result<Vec<String>> {
        attribute::names(self.file(), self.path())
    }
}
