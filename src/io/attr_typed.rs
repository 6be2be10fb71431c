//! Attributes of any [`Datatype`] and shape: N-D arrays of numbers, bool, complex,
//! fixed-length strings and compounds, given as a type, a shape and bytes (the form the C
//! ABI, Fortran and Python pass).

use std::ffi::c_void;

use hdf5_sys::h5a::{
    H5Acreate2, H5Adelete, H5Aexists, H5Aget_space, H5Aget_type, H5Aopen, H5Aread, H5Awrite,
};
use hdf5_sys::h5p::H5P_DEFAULT;

use crate::comm::hash_bytes;
use crate::error::{Error, Result};
use crate::io::attribute::{check_name, open_object};
use crate::io::file::{File, FileInner};
use crate::io::h5::{self, Handle, Kind, Quiet};
use crate::io::path;
use crate::io::selection;
use crate::io::types::Datatype;

/// Collective: writes (or replaces) attribute `name` of the object at absolute `obj`: `dims`
/// elements of `dtype` from `bytes` (C order). Every rank must pass the same value (checked).
pub(crate) fn write(
    file: &FileInner,
    obj: &str,
    name: &str,
    dtype: &Datatype,
    dims: &[u64],
    bytes: &[u8],
) -> Result<()> {
    let what = format!("write attribute {name:?} of {}", file.name(obj));
    let _q = Quiet::new();
    let local = (|| {
        file.id()?;
        file.check_writable(obj)?;
        check_name(name, &what)?;
        if let Datatype::Unsupported { description, .. } = dtype {
            return Err(Error::Type(format!("{what}: cannot write {description}")));
        }
        let n = dims
            .iter()
            .try_fold(dtype.size() as u64, |a, &d| a.checked_mul(d));
        if n != Some(bytes.len() as u64) {
            return Err(Error::Shape(format!(
                "{what}: {} bytes given, shape {dims:?} of {dtype} needs {n:?}",
                bytes.len()
            )));
        }
        Ok(())
    })();
    let args = format!(
        "dtype {}{sep}shape {dims:?}{sep}value hash {:016x}",
        dtype.spec(),
        hash_bytes(bytes),
        sep = crate::comm::FIELD_SEP
    );
    file.agree(&what, local, Some(&args))?;
    let done = (|| {
        let o = open_object(file, obj)?;
        let cname = h5::cstring(name, "attribute name")?;
        let t = dtype.hdf5()?;
        let space = selection::simple_space(dims, None, &what)?;
        // SAFETY: live ids, C string; the buffer holds the elements of `space` of type `t`.
        unsafe {
            let e = H5Aexists(o.id(), cname.as_ptr());
            if e < 0 {
                return Err(h5::hdf5_error(&what));
            }
            if e > 0 {
                h5::check(H5Adelete(o.id(), cname.as_ptr()), &what)?;
            }
            let a = Handle::new(
                H5Acreate2(
                    o.id(),
                    cname.as_ptr(),
                    t.id(),
                    space.id(),
                    H5P_DEFAULT,
                    H5P_DEFAULT,
                ),
                Kind::Attr,
                &what,
            )?;
            h5::check(
                H5Awrite(a.id(), t.id(), bytes.as_ptr() as *const c_void),
                &what,
            )
        }
    })();
    crate::comm::agree_value(&file.comm, &what, done)
}

/// The open attribute `name` of `obj`, its stored type and its shape.
fn open(
    file: &FileInner,
    obj: &str,
    name: &str,
    what: &str,
) -> Result<(Handle, Datatype, Vec<u64>)> {
    file.note_local_metadata();
    check_name(name, what)?;
    let o = open_object(file, obj)?;
    let cname = h5::cstring(name, "attribute name")?;
    // SAFETY: live ids and C string; the handles close what they hold.
    unsafe {
        let e = H5Aexists(o.id(), cname.as_ptr());
        if e < 0 {
            return Err(h5::hdf5_error(what));
        }
        if e == 0 {
            return Err(Error::NotFound(format!(
                "{}: no attribute {name:?}",
                file.name(obj)
            )));
        }
        let a = Handle::new(
            H5Aopen(o.id(), cname.as_ptr(), H5P_DEFAULT),
            Kind::Attr,
            what,
        )?;
        let t = Handle::new(H5Aget_type(a.id()), Kind::Type, what)?;
        let s = Handle::new(H5Aget_space(a.id()), Kind::Space, what)?;
        let dtype = Datatype::from_hdf5(t.id())?;
        let (dims, _) = selection::extent(s.id(), what)?;
        Ok((a, dtype, dims))
    }
}

/// Local: the stored type and shape of attribute `name` of `obj`.
pub(crate) fn info(file: &FileInner, obj: &str, name: &str) -> Result<(Datatype, Vec<u64>)> {
    let what = format!("inspect attribute {name:?} of {}", file.name(obj));
    let _q = Quiet::new();
    open(file, obj, name, &what).map(|(_, t, d)| (t, d))
}

/// Local: reads attribute `name` of `obj` as elements of `mem` (the stored type when `None`):
/// the type read, the shape, and the bytes in C order.
pub(crate) fn read(
    file: &FileInner,
    obj: &str,
    name: &str,
    mem: Option<&Datatype>,
) -> Result<(Datatype, Vec<u64>, Vec<u8>)> {
    let what = format!("read attribute {name:?} of {}", file.name(obj));
    let _q = Quiet::new();
    let (a, stored, dims) = open(file, obj, name, &what)?;
    let mem = mem.cloned().unwrap_or_else(|| stored.clone());
    stored.check_convert(&mem, &what)?;
    let n = dims.iter().product::<u64>() as usize;
    let mut bytes = vec![0u8; n * mem.size()];
    let t = mem.hdf5()?;
    // SAFETY: live attribute; the buffer holds its elements of type `t`.
    let rc = unsafe { H5Aread(a.id(), t.id(), bytes.as_mut_ptr() as *mut c_void) };
    h5::check(rc, &what)?;
    Ok((mem, dims, bytes))
}

impl File {
    /// Collective: writes attribute `name` of the object at `object` from `bytes`: `dims`
    /// elements (C order; `[]` is a scalar) of any [`Datatype`] (strings, compounds, N-D).
    pub fn write_attr_typed(
        &self,
        object: &str,
        name: &str,
        dtype: &Datatype,
        dims: &[u64],
        bytes: &[u8],
    ) -> Result<()> {
        write(
            &self.inner,
            &path::join("/", object)?,
            name,
            dtype,
            dims,
            bytes,
        )
    }

    /// Local: the stored type and shape of attribute `name` of the object at `object`.
    pub fn attr_info(&self, object: &str, name: &str) -> Result<(Datatype, Vec<u64>)> {
        info(&self.inner, &path::join("/", object)?, name)
    }

    /// Local: reads attribute `name` of the object at `object` as elements of `mem` (its
    /// stored type when `None`): the type, shape and bytes (C order).
    pub fn read_attr_typed(
        &self,
        object: &str,
        name: &str,
        mem: Option<&Datatype>,
    ) -> Result<(Datatype, Vec<u64>, Vec<u8>)> {
        read(&self.inner, &path::join("/", object)?, name, mem)
    }
}
