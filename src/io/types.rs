//! Every element type h5par knows, the one place that maps them to and from HDF5: numbers,
//! bool and complex ([`Dtype`]), fixed-length strings, compounds of such fields, and a
//! description of any other stored type (which can be opened and described, not read).
//!
//! A type is also written as a short text, its *spec*, which the C ABI, Fortran and Python
//! pass: `i1 i2 i4 i8 u1 u2 u4 u8 f4 f8` (numbers), `b1` (bool), `c8 c16` (complex), `S10`
//! (a fixed-length string of 10 bytes, ASCII; `S10/utf8` for UTF-8) and
//! `{x:f8@0,y:i4@8}16` (a compound of 16 bytes with fields `x` at byte 0 and `y` at byte 8,
//! the layout of the memory buffer, as numpy's structured dtypes give it).

use std::fmt;
use std::sync::OnceLock;

use hdf5_sys::h5i::hid_t;
use hdf5_sys::h5t::{
    H5T_class_t, H5T_cset_t, H5T_sign_t, H5T_str_t, H5Tcopy, H5Tcreate, H5Tenum_create,
    H5Tenum_insert, H5Tget_class, H5Tget_cset, H5Tget_member_name, H5Tget_member_offset,
    H5Tget_member_type, H5Tget_member_value, H5Tget_nmembers, H5Tget_sign, H5Tget_size,
    H5Tget_super, H5Tinsert, H5Tis_variable_str, H5Tset_cset, H5Tset_size, H5Tset_strpad, H5T_C_S1,
    H5T_NATIVE_DOUBLE, H5T_NATIVE_FLOAT, H5T_NATIVE_INT8,
};

use crate::error::{Error, Result};
use crate::io::dtype::Dtype;
use crate::io::h5::{self, Handle, Kind};

/// A field of a [`Datatype::Compound`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Field {
    /// The field's name.
    pub name: String,
    /// Its byte offset in an element.
    pub offset: usize,
    /// Its type (a number, bool, complex or fixed-length string).
    pub dtype: Datatype,
}

/// An element type: what a dataset or attribute stores, or what a buffer holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Datatype {
    /// A number, bool or complex.
    Num(Dtype),
    /// A fixed-length string of `len` bytes (padded with NULs, as numpy's `S` types).
    String {
        /// Bytes per string.
        len: usize,
        /// UTF-8 (`true`) or ASCII.
        utf8: bool,
    },
    /// A compound of named fields.
    Compound {
        /// The fields, in offset order.
        fields: Vec<Field>,
        /// Bytes per element.
        size: usize,
    },
    /// A stored type h5par does not read or write (variable-length data, opaque, references,
    /// arrays, bitfields, ...): a dataset of it opens and describes itself, but cannot be read.
    Unsupported {
        /// What it is, for messages (`"variable-length string"`, `"opaque (16 bytes)"`).
        description: String,
        /// Bytes per element as stored.
        size: usize,
    },
}

impl From<Dtype> for Datatype {
    fn from(d: Dtype) -> Datatype {
        Datatype::Num(d)
    }
}

/// The error for a request of variable-length data.
fn vlen_error(spec: &str) -> Error {
    Error::Type(format!(
        "type {spec:?}: variable-length data (strings or sequences) cannot be written by \
         parallel HDF5 (MPI-IO writes only fixed-size elements); use a fixed-length string \
         type such as \"S32\" (numpy dtype 'S32'), or write it from one process with serial \
         HDF5"
    ))
}

impl Datatype {
    /// Bytes per element.
    pub fn size(&self) -> usize {
        match self {
            Datatype::Num(d) => d.size(),
            Datatype::String { len, .. } => *len,
            Datatype::Compound { size, .. } => *size,
            Datatype::Unsupported { size, .. } => *size,
        }
    }

    /// The numeric type, when it is one.
    pub fn num(&self) -> Option<Dtype> {
        match self {
            Datatype::Num(d) => Some(*d),
            _ => None,
        }
    }

    /// The type's spec (see the module documentation); for an unsupported type, its
    /// description prefixed with `unsupported:`.
    pub fn spec(&self) -> String {
        match self {
            Datatype::Num(d) => d.name().to_string(),
            Datatype::String { len, utf8: false } => format!("S{len}"),
            Datatype::String { len, utf8: true } => format!("S{len}/utf8"),
            Datatype::Compound { fields, size } => {
                let f: Vec<String> = fields
                    .iter()
                    .map(|f| format!("{}:{}@{}", f.name, f.dtype.spec(), f.offset))
                    .collect();
                format!("{{{}}}{size}", f.join(","))
            }
            Datatype::Unsupported { description, .. } => format!("unsupported:{description}"),
        }
    }

    /// A description for people (the spec, or what an unsupported type is).
    pub fn describe(&self) -> String {
        match self {
            Datatype::Unsupported { description, size } => {
                format!("{description} ({size} bytes per element as stored)")
            }
            Datatype::String { len, utf8 } => format!(
                "fixed-length {} string of {len} bytes ({})",
                if *utf8 { "UTF-8" } else { "ASCII" },
                self.spec()
            ),
            other => other.spec(),
        }
    }

    /// Parses a spec (see the module documentation). Variable-length types (`O`, `vlen`,
    /// `str`) are an error that says why.
    pub fn parse(spec: &str) -> Result<Datatype> {
        let bad = |why: &str| Error::Type(format!("type {spec:?}: {why}"));
        let s = spec.trim();
        if matches!(
            s,
            "O" | "vlen" | "str" | "S" | "S0" | "U" | "vlen-str" | "vlen-bytes"
        ) {
            return Err(vlen_error(spec));
        }
        if let Some(d) = Dtype::ALL.iter().find(|d| d.name() == s) {
            return Ok(Datatype::Num(*d));
        }
        if let Some(rest) = s.strip_prefix('S') {
            let (n, utf8) = match rest.strip_suffix("/utf8") {
                Some(n) => (n, true),
                None => (rest, false),
            };
            let len: usize = n
                .parse()
                .map_err(|_| bad("not a fixed-length string S<bytes>"))?;
            if len == 0 {
                return Err(vlen_error(spec));
            }
            return Ok(Datatype::String { len, utf8 });
        }
        if let Some(rest) = s.strip_prefix('{') {
            let close = rest
                .rfind('}')
                .ok_or_else(|| bad("a compound needs {...}size"))?;
            let size: usize = rest[close + 1..]
                .parse()
                .map_err(|_| bad("a compound needs its size in bytes after }"))?;
            let mut fields = Vec::new();
            for part in rest[..close].split(',').filter(|p| !p.is_empty()) {
                let (name, t) = part
                    .split_once(':')
                    .ok_or_else(|| bad("a field is name:type@offset"))?;
                let (t, off) = t
                    .rsplit_once('@')
                    .ok_or_else(|| bad("a field is name:type@offset"))?;
                let offset: usize = off.parse().map_err(|_| bad("a field offset is bytes"))?;
                let dtype = Datatype::parse(t)?;
                if matches!(dtype, Datatype::Compound { .. }) {
                    return Err(bad("nested compounds are not supported"));
                }
                if name.is_empty() || fields.iter().any(|f: &Field| f.name == name) {
                    return Err(bad("field names must be non-empty and distinct"));
                }
                if offset.checked_add(dtype.size()).is_none_or(|e| e > size) {
                    return Err(bad(&format!(
                        "field {name} at {offset} does not fit in {size} bytes"
                    )));
                }
                fields.push(Field {
                    name: name.to_string(),
                    offset,
                    dtype,
                });
            }
            if fields.is_empty() {
                return Err(bad("a compound needs at least one field"));
            }
            fields.sort_by_key(|f| f.offset);
            for w in fields.windows(2) {
                if w[0].offset + w[0].dtype.size() > w[1].offset {
                    return Err(bad(&format!(
                        "fields {} and {} overlap",
                        w[0].name, w[1].name
                    )));
                }
            }
            return Ok(Datatype::Compound { fields, size });
        }
        Err(bad(&format!(
            "not a type (numbers {}, fixed strings S<n>, compounds {{name:type@offset,...}}size)",
            Dtype::ALL.map(|d| d.name()).join(" ")
        )))
    }

    /// Whether data of this (stored) type can be read into, or written from, a buffer of
    /// type `mem`; the error says why not.
    pub fn check_convert(&self, mem: &Datatype, what: &str) -> Result<()> {
        let ok = match (self, mem) {
            (Datatype::Unsupported { description, .. }, _) => {
                return Err(Error::Type(format!(
                    "{what}: the stored type is {description}, which h5par cannot read or write"
                )))
            }
            (_, Datatype::Unsupported { .. }) => false,
            (Datatype::Num(a), Datatype::Num(b)) => a.converts_to(*b),
            (Datatype::String { .. }, Datatype::String { .. }) => true,
            (Datatype::Compound { fields: a, .. }, Datatype::Compound { fields: b, .. }) => {
                b.iter().all(|fb| {
                    a.iter().any(|fa| {
                        fa.name == fb.name && fa.dtype.check_convert(&fb.dtype, what).is_ok()
                    })
                })
            }
            _ => false,
        };
        if ok {
            Ok(())
        } else {
            Err(Error::Type(format!(
                "{what}: the stored type {} does not convert to or from the buffer's type {}",
                self.spec(),
                mem.spec()
            )))
        }
    }

    /// The HDF5 memory type (native byte order; also used as the type of new datasets).
    pub(crate) fn hdf5(&self) -> Result<TypeId> {
        let what = format!("building the HDF5 type {}", self.spec());
        match self {
            Datatype::Num(d) => Ok(TypeId::Native(d.native())),
            Datatype::String { len, utf8 } => {
                // SAFETY: copying a library type, then setting its properties.
                unsafe {
                    let t = Handle::new(H5Tcopy(*H5T_C_S1), Kind::Type, &what)?;
                    h5::check(H5Tset_size(t.id(), *len), &what)?;
                    h5::check(H5Tset_strpad(t.id(), H5T_str_t::H5T_STR_NULLPAD), &what)?;
                    let cset = if *utf8 {
                        H5T_cset_t::H5T_CSET_UTF8
                    } else {
                        H5T_cset_t::H5T_CSET_ASCII
                    };
                    h5::check(H5Tset_cset(t.id(), cset), &what)?;
                    Ok(TypeId::Owned(t))
                }
            }
            Datatype::Compound { fields, size } => {
                // SAFETY: creating a compound type and inserting members of live types.
                unsafe {
                    let t = Handle::new(
                        H5Tcreate(H5T_class_t::H5T_COMPOUND, *size),
                        Kind::Type,
                        &what,
                    )?;
                    for f in fields {
                        let m = f.dtype.hdf5()?;
                        let name = h5::cstring(&f.name, "field name")?;
                        h5::check(H5Tinsert(t.id(), name.as_ptr(), f.offset, m.id()), &what)?;
                    }
                    Ok(TypeId::Owned(t))
                }
            }
            Datatype::Unsupported { description, .. } => Err(Error::Type(format!(
                "{description}: h5par cannot read or write this type"
            ))),
        }
    }

    /// The type of a stored HDF5 datatype (any byte order: HDF5 converts on reading).
    pub(crate) fn from_hdf5(t: hid_t) -> Result<Datatype> {
        // SAFETY: `t` is a live datatype id.
        let (class, size) = unsafe { (H5Tget_class(t), H5Tget_size(t)) };
        let unsupported = |d: &str| Datatype::Unsupported {
            description: d.to_string(),
            size,
        };
        Ok(match class {
            H5T_class_t::H5T_INTEGER => {
                // SAFETY: live datatype.
                let signed = unsafe { H5Tget_sign(t) } == H5T_sign_t::H5T_SGN_2;
                match (size, signed) {
                    (1, true) => Datatype::Num(Dtype::I8),
                    (2, true) => Datatype::Num(Dtype::I16),
                    (4, true) => Datatype::Num(Dtype::I32),
                    (8, true) => Datatype::Num(Dtype::I64),
                    (1, false) => Datatype::Num(Dtype::U8),
                    (2, false) => Datatype::Num(Dtype::U16),
                    (4, false) => Datatype::Num(Dtype::U32),
                    (8, false) => Datatype::Num(Dtype::U64),
                    _ => unsupported(&format!("{size}-byte integer")),
                }
            }
            H5T_class_t::H5T_FLOAT => match size {
                4 => Datatype::Num(Dtype::F32),
                8 => Datatype::Num(Dtype::F64),
                _ => unsupported(&format!("{size}-byte float")),
            },
            H5T_class_t::H5T_ENUM if is_bool(t) => Datatype::Num(Dtype::Bool),
            H5T_class_t::H5T_ENUM => unsupported("enum (other than h5py's bool)"),
            H5T_class_t::H5T_STRING => {
                // SAFETY: live datatype.
                let (var, cset) = unsafe { (H5Tis_variable_str(t), H5Tget_cset(t)) };
                if var > 0 {
                    unsupported("variable-length string")
                } else {
                    Datatype::String {
                        len: size,
                        utf8: cset == H5T_cset_t::H5T_CSET_UTF8,
                    }
                }
            }
            H5T_class_t::H5T_COMPOUND => compound(t, size)?,
            H5T_class_t::H5T_VLEN => unsupported("variable-length sequence"),
            H5T_class_t::H5T_OPAQUE => unsupported("opaque"),
            H5T_class_t::H5T_REFERENCE => unsupported("reference"),
            H5T_class_t::H5T_ARRAY => unsupported("array type"),
            H5T_class_t::H5T_BITFIELD => unsupported("bitfield"),
            H5T_class_t::H5T_TIME => unsupported("time"),
            other => unsupported(&format!("HDF5 type class {other:?}")),
        })
    }
}

impl fmt::Display for Datatype {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.spec())
    }
}

/// The name of member `i` of a compound or enum type.
fn member_name(t: hid_t, i: u32) -> String {
    // SAFETY: live type; the returned string is HDF5's, freed with H5free_memory.
    unsafe {
        let p = H5Tget_member_name(t, i);
        if p.is_null() {
            return String::new();
        }
        let s = std::ffi::CStr::from_ptr(p).to_string_lossy().into_owned();
        hdf5_sys::h5::H5free_memory(p.cast());
        s
    }
}

/// Whether an enum type is h5py's bool: an 8-bit integer enum `FALSE = 0, TRUE = 1`.
fn is_bool(t: hid_t) -> bool {
    // SAFETY: live enum type; values are read into an i8 (the base is checked to be 1 byte).
    unsafe {
        if H5Tget_size(t) != 1 || H5Tget_nmembers(t) != 2 {
            return false;
        }
        let base = H5Tget_super(t);
        if base < 0 {
            return false;
        }
        let _b = Handle::new(base, Kind::Type, "enum base");
        let mut seen = [false; 2];
        for i in 0..2u32 {
            let mut v: i8 = -1;
            if H5Tget_member_value(t, i, (&mut v as *mut i8).cast()) < 0 {
                return false;
            }
            match (member_name(t, i).as_str(), v) {
                ("FALSE", 0) => seen[0] = true,
                ("TRUE", 1) => seen[1] = true,
                _ => return false,
            }
        }
        seen == [true, true]
    }
}

/// A stored compound: complex (h5py's `r`, `i` of one float type) or fields.
fn compound(t: hid_t, size: usize) -> Result<Datatype> {
    // SAFETY: live compound type.
    let n = unsafe { H5Tget_nmembers(t) }.max(0) as u32;
    let mut fields = Vec::with_capacity(n as usize);
    for i in 0..n {
        // SAFETY: live compound type, member index in range; the member type is closed by
        // the handle.
        let (offset, mt) = unsafe {
            (
                H5Tget_member_offset(t, i),
                Handle::new(H5Tget_member_type(t, i), Kind::Type, "compound member")?,
            )
        };
        fields.push(Field {
            name: member_name(t, i),
            offset,
            dtype: Datatype::from_hdf5(mt.id())?,
        });
    }
    let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
    if names == ["r", "i"] && fields[0].dtype == fields[1].dtype {
        match fields[0].dtype {
            Datatype::Num(Dtype::F32) if size == 8 => return Ok(Datatype::Num(Dtype::C64)),
            Datatype::Num(Dtype::F64) if size == 16 => return Ok(Datatype::Num(Dtype::C128)),
            _ => {}
        }
    }
    let odd = |s: &str| s.is_empty() || s.contains([',', ':', '@', '{', '}']);
    if let Some(f) = fields.iter().find(|f| {
        matches!(
            f.dtype,
            Datatype::Unsupported { .. } | Datatype::Compound { .. }
        ) || odd(&f.name)
    }) {
        return Ok(Datatype::Unsupported {
            description: format!(
                "compound whose field {:?} is {}",
                f.name,
                match &f.dtype {
                    Datatype::Unsupported { description, .. } => description.clone(),
                    Datatype::Compound { .. } => "a nested compound".to_string(),
                    _ => "named with one of , : @ { }".to_string(),
                }
            ),
            size,
        });
    }
    fields.sort_by_key(|f| f.offset);
    Ok(Datatype::Compound { fields, size })
}

/// An HDF5 type id: one of the library's, or one h5par made (closed on drop).
pub(crate) enum TypeId {
    Native(hid_t),
    Owned(Handle),
}

impl TypeId {
    pub(crate) fn id(&self) -> hid_t {
        match self {
            TypeId::Native(id) => *id,
            TypeId::Owned(h) => h.id(),
        }
    }
}

/// h5py's bool type (made once per process, never closed).
pub(crate) fn bool_type() -> hid_t {
    static T: OnceLock<hid_t> = OnceLock::new();
    *T.get_or_init(|| {
        h5::init();
        // SAFETY: creating an enum over a library type and inserting two values of its size.
        unsafe {
            let t = H5Tenum_create(*H5T_NATIVE_INT8);
            for (name, v) in [(c"FALSE", 0i8), (c"TRUE", 1i8)] {
                H5Tenum_insert(t, name.as_ptr(), (&v as *const i8).cast());
            }
            t
        }
    })
}

/// h5py's complex types: compounds `r`, `i` of floats or doubles (made once per process).
pub(crate) fn complex_type(double: bool) -> hid_t {
    static T: [OnceLock<hid_t>; 2] = [OnceLock::new(), OnceLock::new()];
    *T[usize::from(double)].get_or_init(|| {
        h5::init();
        let (base, n) = if double {
            (*H5T_NATIVE_DOUBLE, 8)
        } else {
            (*H5T_NATIVE_FLOAT, 4)
        };
        // SAFETY: creating a compound of two members of a library type.
        unsafe {
            let t = H5Tcreate(H5T_class_t::H5T_COMPOUND, 2 * n);
            H5Tinsert(t, c"r".as_ptr(), 0, base);
            H5Tinsert(t, c"i".as_ptr(), n, base);
            t
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_round_trip() {
        for s in [
            "f8",
            "b1",
            "c16",
            "S10",
            "S3/utf8",
            "{x:f8@0,y:i4@8}16",
            "{a:u1@0,s:S4@1,z:c8@8}16",
        ] {
            assert_eq!(Datatype::parse(s).unwrap().spec(), s);
        }
        assert_eq!(
            Datatype::parse("{y:i4@8,x:f8@0}16").unwrap().spec(),
            "{x:f8@0,y:i4@8}16"
        );
        assert_eq!(Datatype::parse("S10").unwrap().size(), 10);
    }

    #[test]
    fn bad_specs_say_why() {
        let e = Datatype::parse("O").unwrap_err().to_string();
        assert!(e.contains("parallel HDF5"), "{e}");
        assert!(Datatype::parse("S0").is_err());
        assert!(Datatype::parse("{x:f8@0,y:f8@4}16")
            .unwrap_err()
            .to_string()
            .contains("overlap"));
        assert!(Datatype::parse("{x:f8@12}16").is_err());
        assert!(Datatype::parse("{x:{y:f8@0}8@0}8").is_err());
        assert!(Datatype::parse("f16").is_err());
        assert!(Datatype::parse("{x:f8@0,x:f8@8}16").is_err());
    }

    #[test]
    fn conversions() {
        let f = Datatype::Num(Dtype::F64);
        assert!(f.check_convert(&Datatype::Num(Dtype::I32), "x").is_ok());
        assert!(f.check_convert(&Datatype::Num(Dtype::Bool), "x").is_err());
        let s = Datatype::parse("S4").unwrap();
        assert!(s
            .check_convert(&Datatype::parse("S8").unwrap(), "x")
            .is_ok());
        assert!(s.check_convert(&f, "x").is_err());
        let c = Datatype::parse("{x:f8@0,y:i4@8}16").unwrap();
        assert!(c
            .check_convert(&Datatype::parse("{y:f8@0}8").unwrap(), "x")
            .is_ok());
        assert!(c
            .check_convert(&Datatype::parse("{z:f8@0}8").unwrap(), "x")
            .is_err());
        let u = Datatype::Unsupported {
            description: "opaque".into(),
            size: 4,
        };
        let e = u.check_convert(&f, "d").unwrap_err().to_string();
        assert!(e.contains("opaque"), "{e}");
    }
}
