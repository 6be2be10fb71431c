//! Element types beyond the dtype codes (type specs: fixed-length strings, compounds, the
//! description of unsupported types), dataset creation with every option (maxshape, fill
//! value, shuffle) and its read-back, and attributes of any type and shape.

use std::ffi::{c_char, c_int, c_void};

use h5par::{Datatype, Error, Result};

use crate::args::{self, agreed, busy_collective, copy_out, mpi_ready, take_pending, text, u64s};
use crate::handles::{dataset_token, enter, file_token, h5par_dataset, h5par_file};
use crate::status::{guard, h5par_dtype, invalid};

/// The `h5par_dtype` code of a stored type.
pub(crate) fn code(t: &Datatype) -> c_int {
    match t {
        Datatype::Num(d) => *d as c_int,
        Datatype::String { .. } => h5par_dtype::H5PAR_STRING as c_int,
        Datatype::Compound { .. } => h5par_dtype::H5PAR_COMPOUND as c_int,
        Datatype::Unsupported { .. } => h5par_dtype::H5PAR_UNSUPPORTED as c_int,
    }
}

/// Local: the dataset's stored element type as a type spec, copied into `buf` with its NUL
/// (`*len` as for `h5par_file_report_json`), and the bytes per element in `*elem_size` (when
/// not NULL). Specs: `i1 i2 i4 i8 u1 u2 u4 u8 f4 f8` (numbers), `b1` (bool), `c8 c16`
/// (complex), `S10` (fixed-length ASCII string of 10 bytes, `S10/utf8` for UTF-8),
/// `{x:f8@0,y:i4@8}16` (a compound of 16 bytes with its fields' types and byte offsets); an
/// unsupported type is `unsupported:` and what it is (`unsupported:variable-length string`).
#[no_mangle]
pub unsafe extern "C" fn h5par_dataset_type(
    dset: *const h5par_dataset,
    buf: *mut c_char,
    capacity: usize,
    len: *mut usize,
    elem_size: *mut usize,
) -> c_int {
    const F: &str = "h5par_dataset_type";
    guard(F, || {
        let reg = enter(F)?;
        let de = reg.dataset(dataset_token(dset))?;
        let t = de.dataset.datatype();
        if !elem_size.is_null() {
            // SAFETY: non-NULL and writable (caller).
            unsafe { *elem_size = t.size() };
        }
        // SAFETY: as documented (caller).
        unsafe { copy_out(&t.spec(), "the type spec", buf, capacity, len) }
    })
}

/// How to create a dataset (`h5par_dataset_create_ex`); `h5par_create_init` sets the
/// defaults: contiguous, fixed extent, no compression, no fill value.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct h5par_create {
    /// Chunk shape (`ndims` values), or NULL: contiguous, unless compression, shuffle or a
    /// maxshape needs chunks, when h5par chooses the chunk shape (from the stripe size).
    pub chunk: *const u64,
    /// Maximum extent (`ndims` values, -1 for unlimited), or NULL for a fixed extent. A chunk
    /// shape alone does not make the dataset extendible.
    pub maxshape: *const i64,
    /// Deflate (gzip) level 1 to 9, 0 for none. Compressed datasets are written collectively.
    pub deflate: c_int,
    /// 1: the shuffle filter before compression.
    pub shuffle: c_int,
    /// One element of `fill_type` that unwritten elements read as, or NULL (they read as 0).
    pub fill: *const c_void,
    /// The type spec of `fill`, or NULL for the dataset's own type.
    pub fill_type: *const c_char,
    /// 1: chunked storage even without `chunk`: h5par chooses the chunk shape (as for
    /// compression; h5py's `chunks=True`). 0 (the default): as `chunk` and the options say.
    pub chunked: c_int,
}

/// Sets `*opts` to the defaults (see `h5par_create`). NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn h5par_create_init(opts: *mut h5par_create) {
    if opts.is_null() {
        return;
    }
    // SAFETY: non-NULL and writable (caller).
    unsafe {
        *opts = h5par_create {
            chunk: std::ptr::null(),
            maxshape: std::ptr::null(),
            deflate: 0,
            shuffle: 0,
            fill: std::ptr::null(),
            fill_type: std::ptr::null(),
            chunked: 0,
        }
    };
}

/// The checked arguments of a creation.
struct Create<'a> {
    path: &'a str,
    dtype: Datatype,
    dims: Vec<u64>,
    chunk: Option<Vec<u64>>,
    maxshape: Option<Vec<Option<u64>>>,
    deflate: u8,
    shuffle: bool,
    fill: Option<(Datatype, Vec<u8>)>,
    chunked: bool,
}

/// # Safety
/// As for `h5par_dataset_create_ex`.
unsafe fn create_args<'a>(
    path: *const c_char,
    type_spec: *const c_char,
    ndims: c_int,
    dims: *const u64,
    opts: *const h5par_create,
) -> Result<Create<'a>> {
    // SAFETY: as documented (caller).
    unsafe {
        let path = text(path, "path")?;
        let dtype = Datatype::parse(text(type_spec, "type_spec")?)?;
        let n = args::ndims(ndims)?;
        let dims = u64s(dims, n, "dims")?;
        let mut o = h5par_create {
            chunk: std::ptr::null(),
            maxshape: std::ptr::null(),
            deflate: 0,
            shuffle: 0,
            fill: std::ptr::null(),
            fill_type: std::ptr::null(),
            chunked: 0,
        };
        if !opts.is_null() {
            o = *opts;
        }
        let chunk = if o.chunk.is_null() {
            None
        } else {
            Some(u64s(o.chunk, n, "chunk")?)
        };
        let maxshape = if o.maxshape.is_null() {
            None
        } else {
            let m = std::slice::from_raw_parts(o.maxshape, n);
            let mut out = Vec::with_capacity(n);
            for &v in m {
                out.push(match v {
                    -1 => None,
                    v if v >= 0 => Some(v as u64),
                    v => {
                        return Err(invalid(format!(
                            "maxshape value {v} (use -1 for unlimited, or an extent)"
                        )))
                    }
                });
            }
            Some(out)
        };
        let deflate = u8::try_from(o.deflate)
            .ok()
            .filter(|l| *l <= 9)
            .ok_or_else(|| invalid(format!("deflate {} (0 = none, 1 to 9)", o.deflate)))?;
        let shuffle = match o.shuffle {
            0 => false,
            1 => true,
            s => return Err(invalid(format!("shuffle {s} is neither 0 nor 1"))),
        };
        let chunked = match o.chunked {
            0 => false,
            1 => true,
            c => return Err(invalid(format!("chunked {c} is neither 0 nor 1"))),
        };
        let fill = if o.fill.is_null() {
            None
        } else {
            let t = if o.fill_type.is_null() {
                dtype.clone()
            } else {
                Datatype::parse(text(o.fill_type, "fill_type")?)?
            };
            let b = std::slice::from_raw_parts(o.fill as *const u8, t.size()).to_vec();
            Some((t, b))
        };
        Ok(Create {
            path,
            dtype,
            dims,
            chunk,
            maxshape,
            deflate,
            shuffle,
            fill,
            chunked,
        })
    }
}

/// Collective: creates the dataset `path` (creating missing parent groups) of the element
/// type `type_spec` (see `h5par_dataset_type`; variable-length types are `H5PAR_ERR_TYPE`:
/// parallel HDF5 cannot write them) and extent `dims[0..ndims]`, with the options `opts`
/// (NULL: the defaults of `h5par_create_init`), and sets `*out` to its handle (NULL on
/// failure). Chunk shapes h5par chooses are the same as for every other front end. An
/// existing object at `path` is `H5PAR_ERR_EXISTS`.
#[no_mangle]
pub unsafe extern "C" fn h5par_dataset_create_ex(
    file: *mut h5par_file,
    path: *const c_char,
    type_spec: *const c_char,
    ndims: c_int,
    dims: *const u64,
    opts: *const h5par_create,
    out: *mut *mut h5par_dataset,
) -> c_int {
    const F: &str = "h5par_dataset_create_ex";
    guard(F, || {
        if !out.is_null() {
            // SAFETY: non-NULL and writable (caller).
            unsafe { *out = std::ptr::null_mut() };
        }
        let pending = take_pending();
        let token = file_token(file);
        let mut reg = match enter(F) {
            Ok(g) => g,
            Err(busy) => return Err(busy_collective(token, F, busy)),
        };
        let fe = reg.file(token)?;
        mpi_ready()?;
        // SAFETY: as documented (caller).
        let local = unsafe { create_args(path, type_spec, ndims, dims, opts) }.and_then(|c| {
            if out.is_null() {
                Err(invalid("out is NULL"))
            } else {
                Ok(c)
            }
        });
        let name = fe.file.path().display().to_string();
        let c = agreed(fe.file.comm(), F, &name, pending.and(local))?;
        let mut b = fe
            .file
            .new_dataset_typed(c.dtype)
            .shape(&c.dims)
            .deflate(c.deflate)
            .shuffle(c.shuffle)
            .chunked(c.chunked);
        if let Some(ch) = c.chunk {
            b = b.chunk(ch);
        }
        if let Some(m) = c.maxshape {
            b = b.maxshape(m);
        }
        if let Some((t, v)) = c.fill {
            b = b.fill_value_bytes(t, &v);
        }
        let ds = b.create(c.path)?;
        // SAFETY: `out` checked non-NULL on every rank.
        unsafe { crate::dataset::register(&mut reg, token, ds, out) }
    })
}

/// Local: how the dataset is stored. `*chunked` 1 with the chunk shape in `chunk` (room for
/// 32 values) or 0 for contiguous; `maxshape` (room for 32 values) the maximum extent, -1 for
/// unlimited; `*deflate` the level (0 none); `*shuffle` 1 with the shuffle filter; `*has_fill`
/// 1 when a fill value was set, copied into `fill` (`fill_capacity` bytes, one element of the
/// stored type in native byte order, or NULL). Any pointer may be NULL when not wanted.
#[no_mangle]
pub unsafe extern "C" fn h5par_dataset_storage(
    dset: *const h5par_dataset,
    chunked: *mut c_int,
    chunk: *mut u64,
    maxshape: *mut i64,
    deflate: *mut c_int,
    shuffle: *mut c_int,
    has_fill: *mut c_int,
    fill: *mut c_void,
    fill_capacity: usize,
) -> c_int {
    const F: &str = "h5par_dataset_storage";
    guard(F, || {
        let reg = enter(F)?;
        let de = reg.dataset(dataset_token(dset))?;
        let s = de.dataset.storage();
        // SAFETY: NULL or writable with room as documented (caller); at most 32 dimensions.
        unsafe {
            if !chunked.is_null() {
                *chunked = c_int::from(s.chunk.is_some());
            }
            if let (false, Some(c)) = (chunk.is_null(), &s.chunk) {
                std::ptr::copy_nonoverlapping(c.as_ptr(), chunk, c.len().min(h5par::MAX_DIMS));
            }
            if !maxshape.is_null() {
                for (i, m) in s.maxshape.iter().take(h5par::MAX_DIMS).enumerate() {
                    *maxshape.add(i) = m.map_or(-1, |v| v as i64);
                }
            }
            if !deflate.is_null() {
                *deflate = c_int::from(s.deflate.unwrap_or(0));
            }
            if !shuffle.is_null() {
                *shuffle = c_int::from(s.shuffle);
            }
            if !has_fill.is_null() {
                *has_fill = c_int::from(s.fill.is_some());
            }
            if let (false, Some(f)) = (fill.is_null(), &s.fill) {
                if fill_capacity < f.len() {
                    return Err(invalid(format!(
                        "fill_capacity {fill_capacity}: the fill value has {} bytes",
                        f.len()
                    )));
                }
                std::ptr::copy_nonoverlapping(f.as_ptr(), fill as *mut u8, f.len());
            }
        }
        Ok(())
    })
}

/// Local: the fill value of the dataset as one element of the type spec `mem_type` (NULL: the
/// stored type), converted by HDF5, into `buf` (`nbytes` bytes, exactly one element), with
/// `*has_fill` 1; `*has_fill` 0 and `buf` untouched when no fill value was set (unwritten
/// elements read as 0). A type the stored one does not convert to is `H5PAR_ERR_TYPE`.
#[no_mangle]
pub unsafe extern "C" fn h5par_dataset_fill_value(
    dset: *const h5par_dataset,
    mem_type: *const c_char,
    buf: *mut c_void,
    nbytes: usize,
    has_fill: *mut c_int,
) -> c_int {
    const F: &str = "h5par_dataset_fill_value";
    guard(F, || {
        let reg = enter(F)?;
        let de = reg.dataset(dataset_token(dset))?;
        let mem = if mem_type.is_null() {
            de.dataset.datatype().clone()
        } else {
            // SAFETY: NUL-terminated (caller).
            Datatype::parse(unsafe { text(mem_type, "mem_type") }?)?
        };
        if mem.size() != nbytes {
            return Err(invalid(format!(
                "nbytes {nbytes}: one element of {mem} has {} bytes",
                mem.size()
            )));
        }
        if buf.is_null() || has_fill.is_null() {
            return Err(invalid("buf or has_fill is NULL"));
        }
        let fill = de.dataset.fill_value_as(&mem)?;
        // SAFETY: non-NULL and writable, `buf` with room for `nbytes` bytes (caller).
        unsafe {
            *has_fill = c_int::from(fill.is_some());
            if let Some(f) = fill {
                std::ptr::copy_nonoverlapping(f.as_ptr(), buf as *mut u8, f.len().min(nbytes));
            }
        }
        Ok(())
    })
}

/// Collective: writes (or replaces) attribute `name` of the object at `object` (`"/"` is the
/// root): `dims[0..ndims]` elements (C order; ndims 0 is a scalar) of the type spec
/// `type_spec` (numbers, bool, complex, fixed-length strings, compounds) from `buf` of
/// `nbytes` bytes. Every rank must pass the same value (checked).
#[no_mangle]
pub unsafe extern "C" fn h5par_attr_write_typed(
    file: *mut h5par_file,
    object: *const c_char,
    name: *const c_char,
    type_spec: *const c_char,
    ndims: c_int,
    dims: *const u64,
    buf: *const c_void,
    nbytes: usize,
) -> c_int {
    const F: &str = "h5par_attr_write_typed";
    guard(F, || {
        let pending = take_pending();
        let token = file_token(file);
        let reg = match enter(F) {
            Ok(g) => g,
            Err(busy) => return Err(busy_collective(token, F, busy)),
        };
        let fe = reg.file(token)?;
        mpi_ready()?;
        // SAFETY: as documented (caller).
        let local = (|| unsafe {
            let o = text(object, "object")?;
            let n = text(name, "name")?;
            let t = Datatype::parse(text(type_spec, "type_spec")?)?;
            let d = u64s(dims, args::ndims(ndims)?, "dims")?;
            if buf.is_null() && nbytes > 0 {
                return Err(invalid("buf is NULL"));
            }
            let b: &[u8] = if nbytes == 0 {
                &[]
            } else {
                std::slice::from_raw_parts(buf as *const u8, nbytes)
            };
            Ok((o, n, t, d, b))
        })();
        let fname = fe.file.path().display().to_string();
        let (o, n, t, d, b) = agreed(fe.file.comm(), F, &fname, pending.and(local))?;
        fe.file.write_attr_typed(o, n, &t, &d, b)
    })
}

/// Local: attribute `name` of the object at `object`: its type spec copied into `buf` (`*len`
/// as for `h5par_file_report_json`), its number of dimensions in `*ndims` and its extent in
/// `dims` (room for 32 values; either may be NULL). A variable-length string attribute (as
/// `h5par_attr_write_string` writes) is `unsupported:variable-length string` here: read it
/// with `h5par_attr_read_string`.
#[no_mangle]
pub unsafe extern "C" fn h5par_attr_type(
    file: *mut h5par_file,
    object: *const c_char,
    name: *const c_char,
    buf: *mut c_char,
    capacity: usize,
    len: *mut usize,
    ndims: *mut c_int,
    dims: *mut u64,
) -> c_int {
    const F: &str = "h5par_attr_type";
    guard(F, || {
        let reg = enter(F)?;
        let fe = reg.file(file_token(file))?;
        // SAFETY: as documented (caller).
        unsafe {
            let (t, d) = fe
                .file
                .attr_info(text(object, "object")?, text(name, "name")?)?;
            if !ndims.is_null() {
                *ndims = d.len() as c_int;
            }
            if !dims.is_null() {
                std::ptr::copy_nonoverlapping(d.as_ptr(), dims, d.len().min(h5par::MAX_DIMS));
            }
            copy_out(&t.spec(), "the type spec", buf, capacity, len)
        }
    })
}

/// Local: reads attribute `name` of the object at `object` into `buf` of `nbytes` bytes (its
/// elements in C order, as elements of the type spec `mem_type`; NULL: the stored type).
/// `nbytes` must be the number of elements times the element size (`H5PAR_ERR_SHAPE`
/// otherwise).
#[no_mangle]
pub unsafe extern "C" fn h5par_attr_read_typed(
    file: *mut h5par_file,
    object: *const c_char,
    name: *const c_char,
    mem_type: *const c_char,
    buf: *mut c_void,
    nbytes: usize,
) -> c_int {
    const F: &str = "h5par_attr_read_typed";
    guard(F, || {
        let reg = enter(F)?;
        let fe = reg.file(file_token(file))?;
        // SAFETY: as documented (caller).
        unsafe {
            let m = if mem_type.is_null() {
                None
            } else {
                Some(Datatype::parse(text(mem_type, "mem_type")?)?)
            };
            let (t, d, bytes) = fe.file.read_attr_typed(
                text(object, "object")?,
                text(name, "name")?,
                m.as_ref(),
            )?;
            if bytes.len() != nbytes {
                return Err(Error::Shape(format!(
                    "nbytes is {nbytes}, the attribute's {d:?} elements of {t} need {}",
                    bytes.len()
                )));
            }
            if nbytes > 0 {
                if buf.is_null() {
                    return Err(invalid("buf is NULL"));
                }
                std::ptr::copy_nonoverlapping(bytes.as_ptr(), buf as *mut u8, nbytes);
            }
            Ok(())
        }
    })
}
