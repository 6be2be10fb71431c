//! Navigation and links: what is at a path, the members of a group with their kinds, visiting
//! a tree of groups, and the collective changes of links (delete, move, soft and external
//! links, attribute deletion).
//!
//! The queries here are local: they read metadata only, open nothing collectively and never
//! enter an agreement, so any rank may make them alone. External links are reported, never
//! followed by a local query (following one opens another file, which parallel HDF5 does
//! collectively).

use std::ffi::c_char;
use std::rc::Rc;

use hdf5_sys::h5::{H5_index_t, H5_iter_order_t};
use hdf5_sys::h5g::H5Gopen2;
use hdf5_sys::h5i::{hid_t, H5I_type_t, H5Iget_type};
use hdf5_sys::h5l::{H5L_type_t, H5Lget_name_by_idx, H5Lget_val};
use hdf5_sys::h5o::H5Oopen;
use hdf5_sys::h5p::H5P_DEFAULT;

use crate::error::{Error, Result};
use crate::io::file::{File, FileInner};
use crate::io::group::Group;
use crate::io::h5::{self, Handle, Kind, Quiet};
use crate::io::path;

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

/// The type of the link `name` in the group `loc` (the link must exist), and the size of its
/// value (for soft and external links).
fn link_info(loc: hid_t, name: &std::ffi::CStr, what: &str) -> Result<(H5L_type_t, usize)> {
    #[cfg(hdf5_1_12)]
    {
        let mut info = hdf5_sys::h5l::H5L_info2_t::default();
        // SAFETY: live location, C string, out-struct; `val_size` is the union's member for
        // soft and external links and only read for them.
        unsafe {
            let r = hdf5_sys::h5l::H5Lget_info2(loc, name.as_ptr(), &mut info, H5P_DEFAULT);
            h5::check(r, what)?;
            let size = match info.type_ {
                H5L_type_t::H5L_TYPE_HARD => 0,
                _ => *info.u.val_size(),
            };
            Ok((info.type_, size))
        }
    }
    #[cfg(not(hdf5_1_12))]
    {
        let mut info = hdf5_sys::h5l::H5L_info1_t::default();
        // SAFETY: live location, C string, out-struct; `val_size` reads the union's first
        // word, the value size for soft and external links.
        #[allow(deprecated)]
        unsafe {
            let r = hdf5_sys::h5l::H5Lget_info1(loc, name.as_ptr(), &mut info, H5P_DEFAULT);
            h5::check(r, what)?;
            Ok((info.type_, *info.u.val_size()))
        }
    }
}

/// The type of the link `name` in the group `loc` (the link must exist).
fn link_type(loc: hid_t, name: &std::ffi::CStr, what: &str) -> Result<H5L_type_t> {
    link_info(loc, name, what).map(|(t, _)| t)
}

/// The kind of the object a hard or soft link `name` of `loc` leads to (`None` when a soft
/// link dangles).
fn object_kind(loc: hid_t, name: &std::ffi::CStr, what: &str) -> Result<Option<ObjectKind>> {
    // SAFETY: live location and C string; the object is closed by the handle.
    let o = Handle::new(
        unsafe { H5Oopen(loc, name.as_ptr(), H5P_DEFAULT) },
        Kind::Object,
        what,
    );
    let Ok(o) = o else {
        let _ = h5::error_stack();
        return Ok(None);
    };
    // SAFETY: live id.
    Ok(Some(match unsafe { H5Iget_type(o.id()) } {
        H5I_type_t::H5I_GROUP => ObjectKind::Group,
        H5I_type_t::H5I_DATASET => ObjectKind::Dataset,
        _ => ObjectKind::Other,
    }))
}

/// The kind of the link `name` of `loc`: a soft or external link as such, a hard link by its
/// object.
fn kind_of_link(loc: hid_t, name: &std::ffi::CStr, what: &str) -> Result<ObjectKind> {
    Ok(match link_type(loc, name, what)? {
        H5L_type_t::H5L_TYPE_SOFT => ObjectKind::SoftLink,
        H5L_type_t::H5L_TYPE_EXTERNAL => ObjectKind::ExternalLink,
        H5L_type_t::H5L_TYPE_HARD => object_kind(loc, name, what)?.unwrap_or(ObjectKind::Other),
        _ => ObjectKind::Other,
    })
}

/// Splits an absolute path into its parent group and last name (`None` for the root).
fn parent_and_name(abs: &str) -> Option<(&str, &str)> {
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
    let what = format!("inspecting {}", file.name(abs));
    let _q = Quiet::new();
    let fid = file.id()?;
    if parent_and_name(abs).is_none() {
        return Ok(Some(ObjectKind::Group));
    }
    if !path::exists(fid, abs)? {
        return Ok(None);
    }
    let c = h5::cstring(abs, "object path")?;
    let kind = kind_of_link(fid, &c, &what)?;
    if follow && kind == ObjectKind::SoftLink {
        return object_kind(fid, &c, &what);
    }
    Ok(Some(kind))
}

/// Local: the members of the group at `abs` with their kinds, sorted by name.
pub(crate) fn members(file: &FileInner, abs: &str) -> Result<Vec<(String, ObjectKind)>> {
    file.note_local_metadata();
    let what = format!("list {}", file.name(abs));
    let _q = Quiet::new();
    let fid = file.id()?;
    let c = h5::cstring(abs, "group path")?;
    // SAFETY: live file id and C string; the group is closed by the handle.
    let g = Handle::new(
        unsafe { H5Gopen2(fid, c.as_ptr(), H5P_DEFAULT) },
        Kind::Group,
        format!("{what} (is it a group?)"),
    )?;
    let mut info = hdf5_sys::h5g::H5G_info_t::default();
    // SAFETY: live group id and out-struct.
    let rc = unsafe { hdf5_sys::h5g::H5Gget_info(g.id(), &mut info) };
    h5::check(rc, &what)?;
    let dot = h5::cstring(".", "group path")?;
    let mut out = Vec::with_capacity(info.nlinks as usize);
    for i in 0..info.nlinks {
        let get = |buf: *mut c_char, size: usize| {
            // SAFETY: live group id, C string; `buf` has `size` bytes (or is NULL with 0).
            unsafe {
                H5Lget_name_by_idx(
                    g.id(),
                    dot.as_ptr(),
                    H5_index_t::H5_INDEX_NAME,
                    H5_iter_order_t::H5_ITER_INC,
                    i,
                    buf,
                    size,
                    H5P_DEFAULT,
                )
            }
        };
        let len = get(std::ptr::null_mut(), 0);
        if len < 0 {
            return Err(h5::hdf5_error(&what));
        }
        let mut buf = vec![0u8; len as usize + 1];
        if get(buf.as_mut_ptr() as *mut c_char, buf.len()) < 0 {
            return Err(h5::hdf5_error(&what));
        }
        buf.truncate(len as usize);
        let cname = std::ffi::CString::new(buf.clone())
            .map_err(|_| Error::Internal(format!("{what}: a link name holds a NUL")))?;
        let kind = kind_of_link(g.id(), &cname, &what)?;
        out.push((String::from_utf8_lossy(&buf).into_owned(), kind));
    }
    Ok(out)
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
    if parent_and_name(abs).is_none() || !path::exists(fid, abs)? {
        return Err(Error::NotFound(format!("{name}: no such link")));
    }
    let c = h5::cstring(abs, "link path")?;
    let (kind, size) = link_info(fid, &c, &what)?;
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
            H5P_DEFAULT,
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
    if !path::exists(file.id()?, abs)? {
        return Err(Error::NotFound(format!(
            "{}: nothing at this path",
            file.name(abs)
        )));
    }
    Ok(())
}

/// An error when something is at `abs`.
fn must_be_free(file: &FileInner, abs: &str) -> Result<()> {
    if parent_and_name(abs).is_none() || path::exists(file.id()?, abs)? {
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
