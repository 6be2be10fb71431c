//! Attributes: small numeric values, arrays and strings attached to files, groups and
//! datasets. Writing is collective and every rank must pass the same value (checked).

use std::ffi::{c_char, c_void, CStr};
use std::rc::Rc;

use hdf5_sys::h5::{herr_t, H5_index_t, H5_iter_order_t, H5free_memory};
use hdf5_sys::h5a::{
    H5A_info_t, H5Acreate2, H5Adelete, H5Aexists, H5Aget_space, H5Aget_type, H5Aiterate2, H5Aopen,
    H5Aread, H5Awrite,
};
use hdf5_sys::h5i::hid_t;
use hdf5_sys::h5o::H5Oopen;
use hdf5_sys::h5p::H5P_DEFAULT;
use hdf5_sys::h5s::H5Sget_simple_extent_npoints;
use hdf5_sys::h5t::{
    H5T_class_t, H5T_cset_t, H5Tcopy, H5Tget_class, H5Tget_size, H5Tis_variable_str, H5Tset_cset,
    H5Tset_size, H5T_C_S1, H5T_VARIABLE,
};

use crate::comm::{hash_bytes, hash_text};
use crate::error::{Error, Result};
use crate::io::dtype::{Dtype, H5Type};
use crate::io::file::FileInner;
use crate::io::h5::{self, Handle, Kind, Quiet};
use crate::io::path;
use crate::io::selection;

/// An attribute's value, as stored: numbers of one type with a shape, or a UTF-8 string.
#[derive(Debug, Clone, PartialEq)]
pub enum AttrData {
    /// Numbers: `dims` empty for a scalar; `bytes` holds them in native byte order, C order.
    Numeric {
        /// The element type.
        dtype: Dtype,
        /// The shape (`[]` for a scalar).
        dims: Vec<u64>,
        /// The elements' bytes.
        bytes: Vec<u8>,
    },
    /// A string.
    Text(String),
}

impl AttrData {
    /// Numbers from a slice, 1-D (or a scalar when `scalar`).
    pub fn from_slice<T: H5Type>(values: &[T], scalar: bool) -> AttrData {
        // SAFETY: numeric elements are plain bytes.
        let bytes = unsafe {
            std::slice::from_raw_parts(values.as_ptr() as *const u8, std::mem::size_of_val(values))
        };
        AttrData::Numeric {
            dtype: T::DTYPE,
            dims: if scalar {
                vec![]
            } else {
                vec![values.len() as u64]
            },
            bytes: bytes.to_vec(),
        }
    }

    /// Number of elements (1 for a string).
    pub fn len(&self) -> usize {
        match self {
            AttrData::Numeric { dtype, bytes, .. } => bytes.len() / dtype.size(),
            AttrData::Text(_) => 1,
        }
    }

    /// Whether there are no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The numbers as `T` (they are stored as `T` when read with `T` requested).
    pub fn to_vec<T: H5Type>(&self) -> Option<Vec<T>> {
        match self {
            AttrData::Numeric { dtype, bytes, .. } if *dtype == T::DTYPE => {
                let n = bytes.len() / dtype.size();
                let mut v = vec![T::default(); n];
                // SAFETY: same element type and count.
                unsafe {
                    std::ptr::copy_nonoverlapping(
                        bytes.as_ptr(),
                        v.as_mut_ptr() as *mut u8,
                        bytes.len(),
                    )
                };
                Some(v)
            }
            _ => None,
        }
    }

    /// A short description for messages (type, shape, first values, hash of the rest).
    pub fn describe(&self) -> String {
        match self {
            AttrData::Text(s) if s.len() <= 64 => format!("string {s:?}"),
            AttrData::Text(s) => format!(
                "string {:?}... ({} bytes, hash {:016x})",
                s.chars().take(48).collect::<String>(),
                s.len(),
                hash_text(s)
            ),
            AttrData::Numeric { dtype, dims, bytes } => {
                let hash = hash_bytes(bytes);
                format!(
                    "{dtype} {dims:?} = {} (hash {hash:016x})",
                    preview(*dtype, bytes)
                )
            }
        }
    }
}

fn preview(dtype: Dtype, bytes: &[u8]) -> String {
    let n = bytes.len() / dtype.size();
    let show = n.min(6);
    let mut parts: Vec<String> = Vec::new();
    for i in 0..show {
        let b = &bytes[i * dtype.size()..(i + 1) * dtype.size()];
        let v = match dtype {
            Dtype::I8 => (b[0] as i8).to_string(),
            Dtype::U8 => b[0].to_string(),
            Dtype::I16 => i16::from_ne_bytes([b[0], b[1]]).to_string(),
            Dtype::U16 => u16::from_ne_bytes([b[0], b[1]]).to_string(),
            Dtype::I32 => i32::from_ne_bytes([b[0], b[1], b[2], b[3]]).to_string(),
            Dtype::U32 => u32::from_ne_bytes([b[0], b[1], b[2], b[3]]).to_string(),
            Dtype::F32 => f32::from_ne_bytes([b[0], b[1], b[2], b[3]]).to_string(),
            Dtype::I64 => i64::from_ne_bytes(b.try_into().unwrap_or([0; 8])).to_string(),
            Dtype::U64 => u64::from_ne_bytes(b.try_into().unwrap_or([0; 8])).to_string(),
            Dtype::F64 => f64::from_ne_bytes(b.try_into().unwrap_or([0; 8])).to_string(),
            Dtype::Bool => (b[0] != 0).to_string(),
            Dtype::C64 | Dtype::C128 => {
                let h = b.len() / 2;
                let part = |x: &[u8]| match x.len() {
                    4 => f32::from_ne_bytes(x.try_into().unwrap_or([0; 4])) as f64,
                    _ => f64::from_ne_bytes(x.try_into().unwrap_or([0; 8])),
                };
                format!("{}{:+}j", part(&b[..h]), part(&b[h..]))
            }
        };
        parts.push(v);
    }
    if n > show {
        parts.push("...".into());
    }
    format!("[{}]", parts.join(", "))
}

/// A value that can be written as an attribute: numbers, slices and vectors of numbers,
/// strings.
pub trait AttrValue {
    /// The value as stored.
    fn to_attr(&self) -> AttrData;
}

impl<T: H5Type> AttrValue for T {
    fn to_attr(&self) -> AttrData {
        AttrData::from_slice(std::slice::from_ref(self), true)
    }
}
impl<T: H5Type> AttrValue for [T] {
    fn to_attr(&self) -> AttrData {
        AttrData::from_slice(self, false)
    }
}
impl<T: H5Type, const N: usize> AttrValue for [T; N] {
    fn to_attr(&self) -> AttrData {
        AttrData::from_slice(self, false)
    }
}
impl<T: H5Type> AttrValue for Vec<T> {
    fn to_attr(&self) -> AttrData {
        AttrData::from_slice(self, false)
    }
}
impl AttrValue for str {
    fn to_attr(&self) -> AttrData {
        AttrData::Text(self.to_string())
    }
}
impl AttrValue for String {
    fn to_attr(&self) -> AttrData {
        AttrData::Text(self.clone())
    }
}
impl AttrValue for AttrData {
    fn to_attr(&self) -> AttrData {
        self.clone()
    }
}

/// A type an attribute can be read as: a number (from a one-element attribute), a vector of
/// numbers (HDF5 converts between numeric types), or a `String`.
pub trait FromAttr: Sized {
    /// The element type to read numbers as (`None` for strings).
    fn wanted() -> Option<Dtype>;
    /// Converts what was read; `name` names the attribute for messages.
    fn from_attr(data: AttrData, name: &str) -> Result<Self>;
}

impl<T: H5Type> FromAttr for T {
    fn wanted() -> Option<Dtype> {
        Some(T::DTYPE)
    }
    fn from_attr(data: AttrData, name: &str) -> Result<Self> {
        match data.to_vec::<T>() {
            Some(v) if v.len() == 1 => Ok(v[0]),
            Some(v) => Err(Error::Shape(format!(
                "{name}: holds {} values, not one (read it as a Vec)",
                v.len()
            ))),
            None => Err(Error::Type(format!("{name}: is a string, not a number"))),
        }
    }
}
impl<T: H5Type> FromAttr for Vec<T> {
    fn wanted() -> Option<Dtype> {
        Some(T::DTYPE)
    }
    fn from_attr(data: AttrData, name: &str) -> Result<Self> {
        data.to_vec::<T>()
            .ok_or_else(|| Error::Type(format!("{name}: is a string, not numbers")))
    }
}
impl FromAttr for String {
    fn wanted() -> Option<Dtype> {
        None
    }
    fn from_attr(data: AttrData, name: &str) -> Result<Self> {
        match data {
            AttrData::Text(s) => Ok(s),
            AttrData::Numeric { dtype, .. } => Err(Error::Type(format!(
                "{name}: holds numbers ({dtype}), not a string"
            ))),
        }
    }
}
impl FromAttr for AttrData {
    fn wanted() -> Option<Dtype> {
        None
    }
    fn from_attr(data: AttrData, _name: &str) -> Result<Self> {
        Ok(data)
    }
}

pub(crate) fn open_object(file: &FileInner, obj: &str) -> Result<Handle> {
    let fid = file.id()?;
    // Local: never through an external link (that would open another file collectively).
    let acc = crate::io::plist::LocalAccess::new(&file.name(obj))?;
    if !path::exists_with(file, obj, &acc)? {
        return Err(Error::NotFound(format!(
            "{}: no such object",
            file.name(obj)
        )));
    }
    let c = h5::cstring(obj, "object path")?;
    // SAFETY: live file id, C string and access list.
    let o = Handle::new(
        unsafe { H5Oopen(fid, c.as_ptr(), acc.id()) },
        Kind::Object,
        file.name(obj),
    );
    if o.is_err() && acc.refused() {
        return Err(path::through_external(
            file,
            obj,
            obj.trim_start_matches('/'),
        ));
    }
    o
}

pub(crate) fn check_name(name: &str, what: &str) -> Result<()> {
    if name.is_empty() {
        return Err(Error::Invalid(format!("{what}: empty attribute name")));
    }
    if name.contains('\0') {
        return Err(Error::Invalid(format!(
            "{what}: attribute name contains a NUL byte"
        )));
    }
    Ok(())
}

/// Collective: writes (or replaces) attribute `name` of the object at absolute `obj`.
pub(crate) fn write(file: &Rc<FileInner>, obj: &str, name: &str, data: &AttrData) -> Result<()> {
    let what = format!("write attribute {name:?} of {}", file.name(obj));
    let _q = Quiet::new();
    let local = (|| {
        file.check_writable(obj)?;
        check_name(name, &what)?;
        open_object(file, obj).map(|_| ())
    })();
    let args = format!("value {}", data.describe());
    file.agree(&what, local, Some(&args))?;
    // The object was opened (its header read) before the agreement: the write changes
    // metadata in memory only.
    let done = write_local(file, obj, name, data, &what);
    file.metadata_outcome(&what, done, true)
}

fn write_local(file: &FileInner, obj: &str, name: &str, data: &AttrData, what: &str) -> Result<()> {
    let o = open_object(file, obj)?;
    let cname = h5::cstring(name, "attribute name")?;
    // SAFETY: live ids, C strings, and buffers matching the type and space built here.
    unsafe {
        let e = H5Aexists(o.id(), cname.as_ptr());
        if e < 0 {
            return Err(h5::hdf5_error(what));
        }
        if e > 0 {
            h5::check(H5Adelete(o.id(), cname.as_ptr()), what)?;
        }
        match data {
            AttrData::Numeric { dtype, dims, bytes } => {
                let space = selection::simple_space(dims, None, what)?;
                let a = Handle::new(
                    H5Acreate2(
                        o.id(),
                        cname.as_ptr(),
                        dtype.native(),
                        space.id(),
                        H5P_DEFAULT,
                        H5P_DEFAULT,
                    ),
                    Kind::Attr,
                    what,
                )?;
                h5::check(
                    H5Awrite(a.id(), dtype.native(), bytes.as_ptr() as *const c_void),
                    what,
                )
            }
            AttrData::Text(s) => {
                let t = string_type(what)?;
                let space = selection::simple_space(&[], None, what)?;
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
                    what,
                )?;
                let c = h5::cstring(s, "attribute string")?;
                let p: *const c_char = c.as_ptr();
                h5::check(
                    H5Awrite(a.id(), t.id(), &p as *const *const c_char as *const c_void),
                    what,
                )
            }
        }
    }
}

/// A variable-length UTF-8 string type.
fn string_type(what: &str) -> Result<Handle> {
    // SAFETY: copying a library type, then setting its properties.
    unsafe {
        let t = Handle::new(H5Tcopy(*H5T_C_S1), Kind::Type, what)?;
        h5::check(H5Tset_size(t.id(), H5T_VARIABLE), what)?;
        h5::check(H5Tset_cset(t.id(), H5T_cset_t::H5T_CSET_UTF8), what)?;
        Ok(t)
    }
}

/// Reads attribute `name` of the object at absolute `obj` (on this rank alone). Numbers are
/// converted to `want` when given.
pub(crate) fn read(
    file: &FileInner,
    obj: &str,
    name: &str,
    want: Option<Dtype>,
) -> Result<AttrData> {
    let what = format!("read attribute {name:?} of {}", file.name(obj));
    let _q = Quiet::new();
    file.note_local_metadata();
    check_name(name, &what)?;
    let o = open_object(file, obj)?;
    let cname = h5::cstring(name, "attribute name")?;
    // SAFETY: live ids; buffers sized from the attribute's own type and space.
    unsafe {
        let e = H5Aexists(o.id(), cname.as_ptr());
        if e < 0 {
            return Err(h5::hdf5_error(&what));
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
            &what,
        )?;
        let t = Handle::new(H5Aget_type(a.id()), Kind::Type, &what)?;
        let space = Handle::new(H5Aget_space(a.id()), Kind::Space, &what)?;
        if H5Tget_class(t.id()) == H5T_class_t::H5T_STRING {
            return read_string(&a, &t, &space, &what).map(AttrData::Text);
        }
        let stored = Dtype::from_hdf5(t.id(), &what)?;
        let dtype = want.unwrap_or(stored);
        let (dims, _) = selection::extent(space.id(), &what)?;
        let n = H5Sget_simple_extent_npoints(space.id()).max(0) as usize;
        let mut bytes = vec![0u8; n * dtype.size()];
        h5::check(
            H5Aread(a.id(), dtype.native(), bytes.as_mut_ptr() as *mut c_void),
            &what,
        )?;
        Ok(AttrData::Numeric { dtype, dims, bytes })
    }
}

unsafe fn read_string(a: &Handle, t: &Handle, space: &Handle, what: &str) -> Result<String> {
    // SAFETY: the caller passes live attribute, type and space ids (the handles own them for
    // the whole call); every buffer below is sized from the attribute's own type and space.
    unsafe {
        let n = H5Sget_simple_extent_npoints(space.id());
        if n != 1 {
            return Err(Error::Shape(format!(
                "{what}: an array of {n} strings is not supported"
            )));
        }
        if H5Tis_variable_str(t.id()) > 0 {
            let mt = string_type(what)?;
            let mut p: *mut c_char = std::ptr::null_mut();
            h5::check(
                H5Aread(a.id(), mt.id(), &mut p as *mut *mut c_char as *mut c_void),
                what,
            )?;
            if p.is_null() {
                return Ok(String::new());
            }
            let s = CStr::from_ptr(p).to_string_lossy().into_owned();
            H5free_memory(p as *mut c_void);
            Ok(s)
        } else {
            let size = H5Tget_size(t.id());
            let mut buf = vec![0u8; size];
            h5::check(
                H5Aread(a.id(), t.id(), buf.as_mut_ptr() as *mut c_void),
                what,
            )?;
            let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
            Ok(String::from_utf8_lossy(&buf[..end]).trim_end().to_string())
        }
    }
}

unsafe extern "C" fn push_name(
    _loc: hid_t,
    name: *const c_char,
    _info: *const H5A_info_t,
    data: *mut c_void,
) -> herr_t {
    // SAFETY: HDF5 passes a NUL-terminated name; `data` is the Vec given to H5Aiterate2.
    unsafe {
        let out = &mut *(data as *mut Vec<String>);
        out.push(CStr::from_ptr(name).to_string_lossy().into_owned());
    }
    0
}

/// The names of the attributes of the object at absolute `obj`, in name order.
pub(crate) fn names(file: &FileInner, obj: &str) -> Result<Vec<String>> {
    file.note_local_metadata();
    let what = format!("list attributes of {}", file.name(obj));
    let _q = Quiet::new();
    let o = open_object(file, obj)?;
    let mut out: Vec<String> = Vec::new();
    let mut idx: u64 = 0;
    // SAFETY: live object; the callback only appends to `out`.
    let r = unsafe {
        H5Aiterate2(
            o.id(),
            H5_index_t::H5_INDEX_NAME,
            H5_iter_order_t::H5_ITER_INC,
            &mut idx,
            Some(push_name),
            &mut out as *mut Vec<String> as *mut c_void,
        )
    };
    h5::check(r, &what)?;
    Ok(out)
}
