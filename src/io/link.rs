//! Navigation and links: what is at a path, the members of a group with their kinds, visiting
//! a tree of groups, and the collective changes of links (delete, move, soft and external
//! links, attribute deletion).
//!
//! The queries here are local: they read metadata only, open nothing collectively and never
//! enter an agreement, so any rank may make them alone. External links are reported, never
//! followed by a local query (following one opens another file, which parallel HDF5 does
//! collectively).

use std::ffi::{c_char, c_void, CStr, CString};
use std::rc::Rc;

use hdf5_sys::h5::{herr_t, hsize_t, H5_index_t, H5_iter_order_t};
use hdf5_sys::h5g::H5Gopen2;
use hdf5_sys::h5i::hid_t;
use hdf5_sys::h5l::{H5L_type_t, H5Lexists, H5Lget_val};
use hdf5_sys::h5p::H5P_DEFAULT;

use crate::error::{Error, Result};
use crate::io::file::{File, FileInner};
use crate::io::group::Group;
use crate::io::h5::{self, Handle, Kind, Quiet};
use crate::io::path;
use crate::io::plist::LocalAccess;

/// What a name in a group is. The discriminants are the C ABI's `H5PAR_KIND_*` codes (0 is
/// "nothing there").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(i32)]
pub enum ObjectKind {
    /// A group (hard link).
    Group = 1,
    /// A dataset (hard link).
    Dataset = 2,
    /// A soft link (a path in the same file), resolving or dangling.
    SoftLink = 3,
    /// An external link (a path in another file).
    ExternalLink = 4,
    /// Anything else: a named datatype, a user-defined link.
    Other = 5,
}

impl ObjectKind {
    /// The kind's name: `"group"`, `"dataset"`, `"soft link"`, `"external link"`, `"other"`.
    pub fn name(self) -> &'static str {
        match self {
            ObjectKind::Group => "group",
            ObjectKind::Dataset => "dataset",
            ObjectKind::SoftLink => "soft link",
            ObjectKind::ExternalLink => "external link",
            ObjectKind::Other => "other",
        }
    }
}

/// Where a soft or external link points.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LinkTarget {
    /// A soft link to a path in the same file.
    Soft(String),
    /// An external link to `path` in the file `file`.
    External {
        /// The target file, as stored in the link.
        file: String,
        /// The object path in the target file.
        path: String,
    },
}

// Every query below is local, so it uses only HDF5 calls that are not collective in any HDF5
// h5par builds on. HDF5 flags some metadata queries collective (1.10.8, 1.14 and 2.x alike:
// `H5Lget_info*`, `H5Lget_name_by_idx`, `H5Gget_objinfo` from 1.14, `H5Gget_comment`, ...):
// their uncached metadata is read by rank 0 and broadcast, so a rank alone hangs, or rank 0
// alone leaves broadcasts behind that a later collective call receives. Links are listed by
// one `H5Literate` pass, a link's type found by `H5Lget_val` (which fails for hard links) and
// the iteration, an object's kind by `H5Oget_info_by_name` (basic fields only); every path is
// walked with a [`LocalAccess`] list, which refuses to follow external links.
// `scripts/hdf5-collective-calls.sh` lists the collective-flagged calls of an HDF5 source tree.

#[cfg(not(hdf5_1_12))]
use hdf5_sys::{
    h5l::{H5L_info1_t as LinkInfo, H5Literate_by_name1 as literate_by_name},
    h5o::{H5O_info1_t as ObjectInfo, H5Oget_info_by_name2 as object_info_by_name},
};
#[cfg(hdf5_1_12)]
use hdf5_sys::{
    h5l::{H5L_info2_t as LinkInfo, H5Literate_by_name2 as literate_by_name},
    h5o::{H5O_info2_t as ObjectInfo, H5Oget_info_by_name3 as object_info_by_name},
};

/// One link of a group, as an iteration sees it.
struct Link {
    name: CString,
    ltype: H5L_type_t,
}

/// The type and value size of `info`.
///
/// # Safety
/// `info` is what HDF5 passed to an iteration callback.
unsafe fn link_of(info: *const LinkInfo) -> (H5L_type_t, usize) {
    // SAFETY: valid for the callback (caller); the union's `val_size` is the member of soft
    // and external links, and only read for them.
    unsafe {
        let mut info = *info;
        match info.type_ {
            H5L_type_t::H5L_TYPE_HARD => (info.type_, 0),
            t => (t, *info.u.val_size()),
        }
    }
}

/// What one pass over a group's links is for: all of them, or the one called `name`.
enum Pass<'a> {
    All(Vec<Link>),
    One {
        name: &'a CStr,
        found: Option<(H5L_type_t, usize)>,
    },
}

unsafe extern "C" fn on_link(
    _group: hid_t,
    name: *const c_char,
    info: *const LinkInfo,
    data: *mut c_void,
) -> herr_t {
    // SAFETY: HDF5 passes a NUL-terminated name and a valid info; `data` is the `Pass` given
    // to `iterate`, alive for the whole iteration.
    unsafe {
        let name = CStr::from_ptr(name);
        match &mut *(data as *mut Pass) {
            Pass::All(out) => {
                out.push(Link {
                    name: name.to_owned(),
                    ltype: link_of(info).0,
                });
                0
            }
            Pass::One { name: want, found } if name == *want => {
                *found = Some(link_of(info));
                1
            }
            Pass::One { .. } => 0,
        }
    }
}

/// One pass over the links of the group `group` (a path from `loc`) in name order (`order`).
fn iterate(
    loc: hid_t,
    group: &CStr,
    order: H5_iter_order_t,
    pass: &mut Pass,
    acc: &LocalAccess,
) -> herr_t {
    let mut idx: hsize_t = 0;
    let data = pass as *mut Pass as *mut c_void;
    // SAFETY: live location, C string and access list; `on_link` only touches `pass`, which
    // outlives the call.
    unsafe {
        literate_by_name(
            loc,
            group.as_ptr(),
            H5_index_t::H5_INDEX_NAME,
            order,
            &mut idx,
            Some(on_link),
            data,
            acc.id(),
        )
    }
}

/// Local: the links of the group at the absolute path `abs`, in name order, in one pass.
fn links(file: &FileInner, abs: &str, acc: &LocalAccess, what: &str) -> Result<Vec<Link>> {
    let fid = file.id()?;
    let c = h5::cstring(abs, "group path")?;
    let mut pass = Pass::All(Vec::new());
    let r = iterate(fid, &c, H5_iter_order_t::H5_ITER_INC, &mut pass, acc);
    if let (true, Pass::All(out)) = (r >= 0, pass) {
        return Ok(out);
    }
    let stack = h5::error_stack();
    let _ = acc.refused();
    // Why: nothing there, not a group, or HDF5's own reason.
    match kind_at_with(file, abs, true, acc)? {
        None => Err(Error::NotFound(format!(
            "{}: no such group",
            file.name(abs)
        ))),
        Some(ObjectKind::Group) => Err(Error::Hdf5(format!("{what}: {stack}"))),
        Some(k) => Err(Error::Type(format!(
            "{}: a {}, not a group",
            file.name(abs),
            k.name()
        ))),
    }
}

/// The type and value size of the link `name` of the group `parent` (both from `loc`; the
/// link exists), looked up without any collective call. A hard link is found in one call; a
/// soft or external one by a pass over the parent's links.
fn link_type(
    loc: hid_t,
    parent: &str,
    name: &str,
    acc: &LocalAccess,
    what: &str,
) -> Result<(H5L_type_t, usize)> {
    let path = h5::cstring(&format!("{parent}/{name}"), "link path")?;
    // SAFETY: live location, C string and access list; NULL with size 0 reads nothing.
    let r = unsafe { H5Lget_val(loc, path.as_ptr(), std::ptr::null_mut(), 0, acc.id()) };
    if r < 0 {
        // Only hard links have no value.
        let _ = h5::error_stack();
        return Ok((H5L_type_t::H5L_TYPE_HARD, 0));
    }
    let (p, n) = (
        h5::cstring(parent, "group path")?,
        h5::cstring(name, "link name")?,
    );
    let mut pass = Pass::One {
        name: &n,
        found: None,
    };
    let r = iterate(loc, &p, H5_iter_order_t::H5_ITER_NATIVE, &mut pass, acc);
    h5::check(r, what)?;
    match pass {
        Pass::One { found: Some(f), .. } => Ok(f),
        _ => Err(Error::Internal(format!(
            "{what}: the link vanished while looked up"
        ))),
    }
}

/// The kind of the object that `name` (a path from `loc`) leads to: `None` when a soft link
/// on the way dangles, `ExternalLink` when it leads to an external link (never followed).
fn object_kind(
    loc: hid_t,
    name: &CStr,
    acc: &LocalAccess,
    what: &str,
) -> Result<Option<ObjectKind>> {
    use hdf5_sys::h5o::{H5O_type_t, H5O_INFO_BASIC};
    // SAFETY: a plain C struct of numbers, for HDF5 to fill (all zeros is a valid value).
    let mut info: ObjectInfo = unsafe { std::mem::zeroed() };
    // SAFETY: live location, C string, out-struct and access list.
    let r = unsafe { object_info_by_name(loc, name.as_ptr(), &mut info, H5O_INFO_BASIC, acc.id()) };
    if r < 0 {
        let stack = h5::error_stack();
        if acc.refused() {
            return Ok(Some(ObjectKind::ExternalLink));
        }
        // A dangling soft link (the link is there), or an object HDF5 cannot read.
        // SAFETY: live location, C string and access list.
        let there = unsafe { H5Lexists(loc, name.as_ptr(), acc.id()) };
        let _ = h5::error_stack();
        return if there > 0 {
            Ok(None)
        } else {
            Err(Error::Hdf5(format!("{what}: {stack}")))
        };
    }
    Ok(Some(match info.type_ {
        H5O_type_t::H5O_TYPE_GROUP => ObjectKind::Group,
        H5O_type_t::H5O_TYPE_DATASET => ObjectKind::Dataset,
        _ => ObjectKind::Other,
    }))
}

/// The kind of a link of type `ltype`, `name` from `loc`: a soft or external link as such, a
/// hard link by its object.
fn kind_of_link(
    loc: hid_t,
    name: &CStr,
    ltype: H5L_type_t,
    acc: &LocalAccess,
    what: &str,
) -> Result<ObjectKind> {
    Ok(match ltype {
        H5L_type_t::H5L_TYPE_SOFT => ObjectKind::SoftLink,
        H5L_type_t::H5L_TYPE_EXTERNAL => ObjectKind::ExternalLink,
        H5L_type_t::H5L_TYPE_HARD => {
            object_kind(loc, name, acc, what)?.unwrap_or(ObjectKind::Other)
        }
        _ => ObjectKind::Other,
    })
}

/// Splits an absolute path into its parent group and last name (`None` for the root).
pub(crate) fn parent_and_name(abs: &str) -> Option<(&str, &str)> {
    let i = abs.rfind('/')?;
    let name = &abs[i + 1..];
    if name.is_empty() {
        return None;
    }
    Some((if i == 0 { "/" } else { &abs[..i] }, name))
}

/// Local: the kind of what is at the absolute path `abs`, following a soft link at its end
/// when `follow` (a dangling one is `None`), never an external one.
pub(crate) fn kind_at(file: &FileInner, abs: &str, follow: bool) -> Result<Option<ObjectKind>> {
    file.note_local_metadata();
    kind_in_step(file, abs, follow)
}

/// [`kind_at`] for the local check of a collective call, which every rank makes in the same
/// order (so the ranks' metadata caches stay alike: not noted as a local read).
pub(crate) fn kind_in_step(
    file: &FileInner,
    abs: &str,
    follow: bool,
) -> Result<Option<ObjectKind>> {
    let _q = Quiet::new();
    let acc = LocalAccess::new(&format!("inspecting {}", file.name(abs)))?;
    kind_at_with(file, abs, follow, &acc)
}

fn kind_at_with(
    file: &FileInner,
    abs: &str,
    follow: bool,
    acc: &LocalAccess,
) -> Result<Option<ObjectKind>> {
    let what = format!("inspecting {}", file.name(abs));
    let fid = file.id()?;
    let Some((parent, name)) = parent_and_name(abs) else {
        return Ok(Some(ObjectKind::Group));
    };
    if !path::exists_with(file, abs, acc)? {
        return Ok(None);
    }
    let c = h5::cstring(abs, "object path")?;
    let (ltype, _) = link_type(fid, parent, name, acc, &what)?;
    let kind = kind_of_link(fid, &c, ltype, acc, &what)?;
    if follow && kind == ObjectKind::SoftLink {
        return object_kind(fid, &c, acc, &what);
    }
    Ok(Some(kind))
}

/// Local: the names of the members of the group at `abs`, sorted by name (one pass over its
/// links; nothing is opened).
pub(crate) fn member_names(file: &FileInner, abs: &str) -> Result<Vec<String>> {
    file.note_local_metadata();
    let what = format!("list {}", file.name(abs));
    let _q = Quiet::new();
    let acc = LocalAccess::new(&what)?;
    Ok(links(file, abs, &acc, &what)?
        .into_iter()
        .map(|l| l.name.to_string_lossy().into_owned())
        .collect())
}

/// Local: the members of the group at `abs` with their kinds, sorted by name: one pass over
/// its links, then the object kind of each hard link.
pub(crate) fn members(file: &FileInner, abs: &str) -> Result<Vec<(String, ObjectKind)>> {
    file.note_local_metadata();
    let what = format!("list {}", file.name(abs));
    let _q = Quiet::new();
    let acc = LocalAccess::new(&what)?;
    let listed = links(file, abs, &acc, &what)?;
    let fid = file.id()?;
    let c = h5::cstring(abs, "group path")?;
    // SAFETY: live file id, C string and access list; the group is closed by the handle.
    let g = Handle::new(
        unsafe { H5Gopen2(fid, c.as_ptr(), acc.id()) },
        Kind::Group,
        &what,
    )?;
    listed
        .into_iter()
        .map(|l| {
            let kind = kind_of_link(g.id(), &l.name, l.ltype, &acc, &what)?;
            Ok((l.name.to_string_lossy().into_owned(), kind))
        })
        .collect()
}

/// How deep [`Group::visit`] descends before it reports a cycle of hard links.
const MAX_DEPTH: usize = 256;

fn visit_rec(
    file: &FileInner,
    abs: &str,
    rel: &str,
    depth: usize,
    f: &mut dyn FnMut(&str, ObjectKind) -> bool,
) -> Result<bool> {
    if depth > MAX_DEPTH {
        return Err(Error::Invalid(format!(
            "{}: groups nested more than {MAX_DEPTH} deep (a cycle of hard links?)",
            file.name(abs)
        )));
    }
    for (name, kind) in members(file, abs)? {
        let r = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        if !f(&r, kind) {
            return Ok(false);
        }
        if kind == ObjectKind::Group {
            let a = path::join(abs, &name)?;
            if !visit_rec(file, &a, &r, depth + 1, f)? {
                return Ok(false);
            }
        }
    }
    Ok(true)
}

/// Local: where the soft or external link at `abs` points.
pub(crate) fn target(file: &FileInner, abs: &str) -> Result<LinkTarget> {
    file.note_local_metadata();
    let name = file.name(abs);
    let what = format!("reading the link {name}");
    let _q = Quiet::new();
    let fid = file.id()?;
    let acc = LocalAccess::new(&what)?;
    let Some((parent, last)) = parent_and_name(abs) else {
        return Err(Error::NotFound(format!("{name}: no such link")));
    };
    if !path::exists_with(file, abs, &acc)? {
        return Err(Error::NotFound(format!("{name}: no such link")));
    }
    let c = h5::cstring(abs, "link path")?;
    let (kind, size) = link_type(fid, parent, last, &acc, &what)?;
    if kind != H5L_type_t::H5L_TYPE_SOFT && kind != H5L_type_t::H5L_TYPE_EXTERNAL {
        return Err(Error::Type(format!(
            "{name}: a hard link (an object), neither a soft nor an external link"
        )));
    }
    let mut buf = vec![0u8; size + 1];
    // SAFETY: live file id, C string, buffer of buf.len() bytes.
    let r = unsafe {
        H5Lget_val(
            fid,
            c.as_ptr(),
            buf.as_mut_ptr().cast(),
            buf.len(),
            acc.id(),
        )
    };
    h5::check(r, &what)?;
    let text = |b: &[u8]| {
        let end = b.iter().position(|&x| x == 0).unwrap_or(b.len());
        String::from_utf8_lossy(&b[..end]).into_owned()
    };
    if kind == H5L_type_t::H5L_TYPE_SOFT {
        return Ok(LinkTarget::Soft(text(&buf)));
    }
    let mut fname: *const c_char = std::ptr::null();
    let mut opath: *const c_char = std::ptr::null();
    let mut flags = 0u32;
    // SAFETY: `buf` holds the external link's value; the out-pointers point into it.
    let r = unsafe {
        hdf5_sys::h5l::H5Lunpack_elink_val(
            buf.as_ptr().cast(),
            buf.len(),
            &mut flags,
            &mut fname,
            &mut opath,
        )
    };
    h5::check(r, &what)?;
    // SAFETY: both point at NUL-terminated strings inside `buf`.
    let (f, p) = unsafe {
        (
            std::ffi::CStr::from_ptr(fname)
                .to_string_lossy()
                .into_owned(),
            std::ffi::CStr::from_ptr(opath)
                .to_string_lossy()
                .into_owned(),
        )
    };
    Ok(LinkTarget::External { file: f, path: p })
}

/// Collective: check locally, agree on the operation and its arguments, act, agree on the
/// outcome.
fn collective(
    file: &FileInner,
    what: &str,
    args: &str,
    check: impl FnOnce() -> Result<()>,
    act: impl FnOnce() -> Result<()>,
) -> Result<()> {
    let _q = Quiet::new();
    let local = file.id().and_then(|_| check());
    file.agree(what, local, Some(args))?;
    crate::comm::agree_value(&file.comm, what, act())
}

/// An error unless something is at `abs` (a link of any kind).
fn must_exist(file: &FileInner, abs: &str) -> Result<()> {
    if parent_and_name(abs).is_none() {
        return Err(Error::Invalid(format!(
            "{}: the root group cannot be deleted, moved or replaced",
            file.name(abs)
        )));
    }
    if !path::exists(file, abs)? {
        return Err(Error::NotFound(format!(
            "{}: nothing at this path",
            file.name(abs)
        )));
    }
    Ok(())
}

/// An error when something is at `abs`.
fn must_be_free(file: &FileInner, abs: &str) -> Result<()> {
    if parent_and_name(abs).is_none() || path::exists(file, abs)? {
        return Err(Error::Exists(format!(
            "{}: an object or link exists at this path",
            file.name(abs)
        )));
    }
    Ok(())
}

pub(crate) fn delete(file: &FileInner, abs: &str) -> Result<()> {
    let what = format!("delete {}", file.name(abs));
    collective(
        file,
        &what,
        abs,
        || {
            file.check_writable(abs)?;
            must_exist(file, abs)
        },
        || {
            let c = h5::cstring(abs, "object path")?;
            // SAFETY: live file id and C string.
            h5::check(
                unsafe { hdf5_sys::h5l::H5Ldelete(file.id()?, c.as_ptr(), H5P_DEFAULT) },
                &what,
            )
        },
    )
}

pub(crate) fn move_link(file: &FileInner, from: &str, to: &str) -> Result<()> {
    let what = format!("move {} to {to}", file.name(from));
    collective(
        file,
        &what,
        &format!("{from}\u{0}{to}"),
        || {
            file.check_writable(from)?;
            must_exist(file, from)?;
            if to == from || to.starts_with(&format!("{from}/")) {
                return Err(Error::Invalid(format!(
                    "{}: cannot be moved to {to} (into itself)",
                    file.name(from)
                )));
            }
            must_be_free(file, to)
        },
        || {
            let lcpl = crate::io::plist::link_create(&what)?;
            let (a, b) = (h5::cstring(from, "path")?, h5::cstring(to, "path")?);
            let fid = file.id()?;
            // SAFETY: live ids and C strings.
            h5::check(
                unsafe {
                    hdf5_sys::h5l::H5Lmove(fid, a.as_ptr(), fid, b.as_ptr(), lcpl.id(), H5P_DEFAULT)
                },
                &what,
            )
        },
    )
}

pub(crate) fn link(file: &FileInner, abs: &str, target: &LinkTarget) -> Result<()> {
    let what = format!("create link {}", file.name(abs));
    let args = format!("{abs}\u{0}{target:?}");
    collective(
        file,
        &what,
        &args,
        || {
            file.check_writable(abs)?;
            let bad = |s: &str| s.is_empty() || s.contains('\0');
            match target {
                LinkTarget::Soft(p) if bad(p) => Err(Error::Invalid(format!(
                    "{}: soft link target {p:?} is empty or holds a NUL",
                    file.name(abs)
                ))),
                LinkTarget::External { file: f, path: p } if bad(f) || bad(p) => {
                    Err(Error::Invalid(format!(
                        "{}: external link target {f:?}:{p:?} is empty or holds a NUL",
                        file.name(abs)
                    )))
                }
                _ => Ok(()),
            }?;
            must_be_free(file, abs)
        },
        || {
            let lcpl = crate::io::plist::link_create(&what)?;
            let c = h5::cstring(abs, "link path")?;
            let fid = file.id()?;
            let r = match target {
                LinkTarget::Soft(p) => {
                    let t = h5::cstring(p, "link target")?;
                    // SAFETY: live ids and C strings.
                    unsafe {
                        hdf5_sys::h5l::H5Lcreate_soft(
                            t.as_ptr(),
                            fid,
                            c.as_ptr(),
                            lcpl.id(),
                            H5P_DEFAULT,
                        )
                    }
                }
                LinkTarget::External { file: f, path: p } => {
                    let (tf, tp) = (h5::cstring(f, "link file")?, h5::cstring(p, "link target")?);
                    // SAFETY: live ids and C strings.
                    unsafe {
                        hdf5_sys::h5l::H5Lcreate_external(
                            tf.as_ptr(),
                            tp.as_ptr(),
                            fid,
                            c.as_ptr(),
                            lcpl.id(),
                            H5P_DEFAULT,
                        )
                    }
                }
            };
            h5::check(r, &what)
        },
    )
}

pub(crate) fn hard_link(file: &FileInner, abs: &str, target: &str) -> Result<()> {
    let what = format!("create hard link {} to {target}", file.name(abs));
    collective(
        file,
        &what,
        &format!("{abs}\u{0}{target}"),
        || {
            file.check_writable(abs)?;
            match kind_in_step(file, target, true)? {
                None => Err(Error::NotFound(format!(
                    "{}: no object to link to",
                    file.name(target)
                ))),
                Some(ObjectKind::ExternalLink) => Err(Error::Invalid(format!(
                    "{}: an external link; a hard link must point into the same file",
                    file.name(target)
                ))),
                Some(_) => Ok(()),
            }?;
            must_be_free(file, abs)
        },
        || {
            let lcpl = crate::io::plist::link_create(&what)?;
            let (c, t) = (
                h5::cstring(abs, "link path")?,
                h5::cstring(target, "link target")?,
            );
            let fid = file.id()?;
            // SAFETY: live ids and C strings.
            h5::check(
                unsafe {
                    hdf5_sys::h5l::H5Lcreate_hard(
                        fid,
                        t.as_ptr(),
                        fid,
                        c.as_ptr(),
                        lcpl.id(),
                        H5P_DEFAULT,
                    )
                },
                &what,
            )
        },
    )
}

pub(crate) fn delete_attr(file: &FileInner, abs: &str, name: &str) -> Result<()> {
    let what = format!("delete attribute {name:?} of {}", file.name(abs));
    collective(
        file,
        &what,
        &format!("{abs}\u{0}{name}"),
        || {
            file.check_writable(abs)?;
            if !attr_names(file, abs)?.iter().any(|n| n == name) {
                return Err(Error::NotFound(format!(
                    "{}: no attribute {name:?}",
                    file.name(abs)
                )));
            }
            Ok(())
        },
        || {
            let (o, a) = (
                h5::cstring(abs, "object path")?,
                h5::cstring(name, "attribute name")?,
            );
            // SAFETY: live file id and C strings.
            h5::check(
                unsafe {
                    hdf5_sys::h5a::H5Adelete_by_name(
                        file.id()?,
                        o.as_ptr(),
                        a.as_ptr(),
                        H5P_DEFAULT,
                    )
                },
                &what,
            )
        },
    )
}

fn attr_names(file: &FileInner, abs: &str) -> Result<Vec<String>> {
    crate::io::attribute::names(file, abs)
}

impl Group {
    fn inner(&self) -> &Rc<FileInner> {
        self.file_inner()
    }

    fn abs(&self, name: &str) -> Result<String> {
        path::join(self.path(), name)
    }

    /// Whether the group's file is still open.
    pub fn is_open(&self) -> bool {
        self.inner().is_open()
    }

    /// Local: what is at `name` (a soft or external link as such), `None` when nothing is.
    pub fn kind(&self, name: &str) -> Result<Option<ObjectKind>> {
        kind_at(self.inner(), &self.abs(name)?, false)
    }

    /// Local: what `name` leads to, following a soft link (a dangling one is `None`); an
    /// external link is reported as such, never followed.
    pub fn target_kind(&self, name: &str) -> Result<Option<ObjectKind>> {
        kind_at(self.inner(), &self.abs(name)?, true)
    }

    /// Local: the group's members with their kinds, sorted by name.
    pub fn members_with_kinds(&self) -> Result<Vec<(String, ObjectKind)>> {
        members(self.inner(), self.path())
    }

    /// Local: calls `f` with the path (relative to this group) and kind of every member, then
    /// of the members of every member group, depth first in name order, until `f` returns
    /// false. Soft and external links are reported and not followed.
    pub fn visit(&self, mut f: impl FnMut(&str, ObjectKind) -> bool) -> Result<()> {
        visit_rec(self.inner(), self.path(), "", 0, &mut f).map(|_| ())
    }

    /// Local: where the soft or external link `name` points.
    pub fn link_target(&self, name: &str) -> Result<LinkTarget> {
        target(self.inner(), &self.abs(name)?)
    }

    /// Collective: deletes the link `name` (a dataset, a group with everything in it, or a
    /// link). The file's space is not reclaimed (HDF5 never shrinks files).
    pub fn delete(&self, name: &str) -> Result<()> {
        delete(self.inner(), &self.abs(name)?)
    }

    /// Collective: moves (renames) `from` to `to` (both relative to this group or absolute),
    /// creating missing parents of `to`. Something already at `to` is an error.
    pub fn move_link(&self, from: &str, to: &str) -> Result<()> {
        move_link(self.inner(), &self.abs(from)?, &self.abs(to)?)
    }

    /// Collective: creates a soft link `name` to the path `target` of the same file (which
    /// need not exist).
    pub fn soft_link(&self, name: &str, target: &str) -> Result<()> {
        link(
            self.inner(),
            &self.abs(name)?,
            &LinkTarget::Soft(target.to_string()),
        )
    }

    /// Collective: creates an external link `name` to the object `path` of the file `file`.
    pub fn external_link(&self, name: &str, file: &str, path: &str) -> Result<()> {
        link(
            self.inner(),
            &self.abs(name)?,
            &LinkTarget::External {
                file: file.to_string(),
                path: path.to_string(),
            },
        )
    }

    /// Collective: creates the hard link `name` to the existing group or dataset `target`
    /// (relative to this group or absolute; a soft link is resolved), as h5py's
    /// `g[name] = obj`: the object then has both names, and lives until the last is deleted.
    pub fn hard_link(&self, name: &str, target: &str) -> Result<()> {
        hard_link(self.inner(), &self.abs(name)?, &self.abs(target)?)
    }

    /// Collective: deletes the attribute `name` of the object `object` (`"."` for this group).
    pub fn delete_attr(&self, object: &str, name: &str) -> Result<()> {
        delete_attr(self.inner(), &self.abs(object)?, name)
    }

    /// Local: opens the existing group `name` without any other rank (metadata reads need
    /// no agreement); [`Group::group`] is the collective form.
    pub fn group_local(&self, name: &str) -> Result<Group> {
        let abs = self.abs(name)?;
        match kind_at(self.inner(), &abs, true)? {
            Some(ObjectKind::Group) => Ok(Group::at(self.inner(), abs)),
            Some(k) => Err(Error::Type(format!(
                "{}: a {}, not a group",
                self.inner().name(&abs),
                k.name()
            ))),
            None => Err(Error::NotFound(format!(
                "{}: no such group",
                self.inner().name(&abs)
            ))),
        }
    }
}

impl File {
    /// Local: what is at `path`; see [`Group::kind`].
    pub fn kind(&self, path: &str) -> Result<Option<ObjectKind>> {
        self.root().kind(path)
    }

    /// Local: visits every member of the file; see [`Group::visit`].
    pub fn visit(&self, f: impl FnMut(&str, ObjectKind) -> bool) -> Result<()> {
        self.root().visit(f)
    }

    /// Collective: deletes the link at `path`; see [`Group::delete`].
    pub fn delete(&self, path: &str) -> Result<()> {
        self.root().delete(path)
    }

    /// Collective: moves `from` to `to`; see [`Group::move_link`].
    pub fn move_link(&self, from: &str, to: &str) -> Result<()> {
        self.root().move_link(from, to)
    }

    /// Collective: deletes the attribute `name` of the object at `object`.
    pub fn delete_attr(&self, object: &str, name: &str) -> Result<()> {
        self.root().delete_attr(object, name)
    }
}

#[cfg(test)]
mod tests {
    use super::parent_and_name;

    #[test]
    fn splits_paths() {
        assert_eq!(parent_and_name("/"), None);
        assert_eq!(parent_and_name("/a"), Some(("/", "a")));
        assert_eq!(parent_and_name("/a/b/c"), Some(("/a/b", "c")));
    }
}
