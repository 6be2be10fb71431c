//! Navigation: group handles, members and their kinds, link targets (all local), and the
//! collective changes of links: delete, move, soft and external links, attribute deletion.

use std::ffi::{c_char, c_int};

use h5par::{LinkTarget, Object, ObjectKind, Result};

use crate::args::{agreed, copy_out, enter_collective, mpi_ready, text};
use crate::handles::{
    enter, file_token, group_token, h5par_dataset, h5par_file, h5par_group, DatasetEntry, Entry,
    FileEntry, GroupEntry,
};
use crate::status::{guard, invalid};

/// What is at a path (`*kind` of `h5par_object_kind`, `h5par_group_member`).
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum h5par_kind {
    /// Nothing (or a dangling soft link, when followed).
    H5PAR_KIND_NONE = 0,
    /// A group.
    H5PAR_KIND_GROUP = 1,
    /// A dataset.
    H5PAR_KIND_DATASET = 2,
    /// A soft link (a path in the same file).
    H5PAR_KIND_SOFT_LINK = 3,
    /// An external link (a path in another file).
    H5PAR_KIND_EXTERNAL_LINK = 4,
    /// Anything else (a named datatype, a user-defined link).
    H5PAR_KIND_OTHER = 5,
}

fn code(kind: Option<ObjectKind>) -> c_int {
    kind.map_or(0, |k| k as c_int)
}

/// Writes `v` to the out-pointer `p` called `what`.
///
/// # Safety
/// `p` is NULL or writable.
unsafe fn put<T>(p: *mut T, v: T, what: &str) -> Result<()> {
    if p.is_null() {
        return Err(invalid(format!("{what} is NULL")));
    }
    // SAFETY: non-NULL and writable (caller).
    unsafe { *p = v };
    Ok(())
}

/// Local: opens the existing group `path` (absolute, or relative to the root; `"/"` is the
/// root) and sets `*out` to its handle (NULL on failure). A soft link to a group is followed.
/// Opening a group reads metadata only: any rank may open and close groups alone, and the
/// handle takes part in no collective call. A missing path is `H5PAR_ERR_NOT_FOUND`, another
/// kind of object `H5PAR_ERR_TYPE`. Close it with `h5par_group_close`.
#[no_mangle]
pub unsafe extern "C" fn h5par_group_open(
    file: *mut h5par_file,
    path: *const c_char,
    out: *mut *mut h5par_group,
) -> c_int {
    const F: &str = "h5par_group_open";
    guard(F, || {
        if !out.is_null() {
            // SAFETY: non-NULL and writable (caller).
            unsafe { *out = std::ptr::null_mut() };
        }
        let mut reg = enter(F)?;
        let fe = reg.file(file_token(file))?;
        // SAFETY: NUL-terminated (caller).
        let path = unsafe { text(path, "path") }?;
        if out.is_null() {
            return Err(invalid("out is NULL"));
        }
        let group = fe.file.root().group_local(path)?;
        let entry = GroupEntry {
            group,
            listing: Vec::new(),
        };
        let token = reg.insert(Entry::Group(entry));
        // SAFETY: checked non-NULL, writable (caller).
        unsafe { *out = token as *mut h5par_group };
        Ok(())
    })
}

/// Opens what `path` (absolute, or relative to the root) leads to, as h5py's `f[path]`: soft
/// links and external links are followed. `*kind` is set to `H5PAR_KIND_GROUP` or
/// `H5PAR_KIND_DATASET`, and `*group` or `*dataset` to the new handle (the other NULL); close
/// it with `h5par_group_close` or `h5par_dataset_close`. `*target_file` is set to the file an
/// external link led to (NULL when none was followed): the object lives in that file, which
/// stays open until closed with `h5par_file_close` (collective). All four pointers must be
/// non-NULL.
///
/// Local when `path` is a group of this file (any rank may open it alone, and the handle takes
/// part in no collective call); collective, with the same `path` on every rank, when it is a
/// dataset or leads through an external link, whose file is then opened on every rank: read
/// only when this file is, its name relative to this file's directory. Nothing at `path`, a
/// dangling soft link or a missing target file is `H5PAR_ERR_NOT_FOUND` (naming the link); a
/// named datatype is `H5PAR_ERR_TYPE`.
#[no_mangle]
pub unsafe extern "C" fn h5par_object_open(
    file: *mut h5par_file,
    path: *const c_char,
    kind: *mut c_int,
    group: *mut *mut h5par_group,
    dataset: *mut *mut h5par_dataset,
    target_file: *mut *mut h5par_file,
) -> c_int {
    const F: &str = "h5par_object_open";
    guard(F, || {
        // SAFETY: each NULL or writable (caller).
        unsafe {
            for p in [group as *mut *mut u8, dataset.cast(), target_file.cast()] {
                if !p.is_null() {
                    *p = std::ptr::null_mut();
                }
            }
        }
        let (mut reg, pending) = enter_collective(F, file_token(file))?;
        let fe = reg.file(file_token(file))?;
        // SAFETY: NUL-terminated (caller).
        let local = pending.and_then(|()| unsafe {
            let p = text(path, "path")?;
            if kind.is_null() || group.is_null() || dataset.is_null() || target_file.is_null() {
                return Err(invalid(
                    "kind, group, dataset and target_file must not be NULL",
                ));
            }
            Ok(p)
        });
        let p = match local {
            Ok(p) => p,
            Err(e) => {
                // The other ranks may be in the collective form of the call: this rank's
                // failure is theirs too.
                mpi_ready()?;
                let name = fe.file.path().display().to_string();
                return agreed(fe.file.comm(), F, &name, Err(e));
            }
        };
        let (object, other) = fe.file.root().open(p)?;
        let in_file = other
            .as_ref()
            .unwrap_or(&fe.file)
            .path()
            .display()
            .to_string();
        let k = object.kind();
        match object {
            Object::Group(g) => {
                let t = reg.insert(Entry::Group(GroupEntry {
                    group: g,
                    listing: Vec::new(),
                }));
                // SAFETY: checked non-NULL, writable (caller).
                unsafe { *group = t as *mut h5par_group };
            }
            Object::Dataset(d) => {
                let name = format!("{in_file}:{}", d.path());
                let t = reg.insert(Entry::Dataset(DatasetEntry { name, dataset: d }));
                // SAFETY: checked non-NULL, writable (caller).
                unsafe { *dataset = t as *mut h5par_dataset };
            }
        }
        if let Some(f) = other {
            let t = reg.insert(Entry::File(FileEntry { file: f }));
            // SAFETY: checked non-NULL, writable (caller).
            unsafe { *target_file = t as *mut h5par_file };
        }
        // SAFETY: checked non-NULL, writable (caller).
        unsafe { *kind = k as c_int };
        Ok(())
    })
}

/// Local: frees a group handle (also after its file was closed).
#[no_mangle]
pub unsafe extern "C" fn h5par_group_close(group: *mut h5par_group) -> c_int {
    const F: &str = "h5par_group_close";
    guard(F, || {
        let mut reg = enter(F)?;
        reg.remove_group(group_token(group)).map(|_| ())
    })
}

/// Local: the group's absolute, normalized path, copied into `buf` with its NUL (`*len` as for
/// `h5par_file_report_json`).
#[no_mangle]
pub unsafe extern "C" fn h5par_group_path(
    group: *mut h5par_group,
    buf: *mut c_char,
    capacity: usize,
    len: *mut usize,
) -> c_int {
    const F: &str = "h5par_group_path";
    guard(F, || {
        let mut reg = enter(F)?;
        let g = reg.group(group_token(group))?;
        // SAFETY: as documented (caller).
        unsafe { copy_out(g.group.path(), "the group path", buf, capacity, len) }
    })
}

/// Local: lists the group's members (sorted by name) and sets `*n` to their number. The list
/// is kept with the handle for `h5par_group_member` until the next `h5par_group_nmembers`.
#[no_mangle]
pub unsafe extern "C" fn h5par_group_nmembers(group: *mut h5par_group, n: *mut usize) -> c_int {
    const F: &str = "h5par_group_nmembers";
    guard(F, || {
        let mut reg = enter(F)?;
        let g = reg.group(group_token(group))?;
        g.listing = g
            .group
            .members_with_kinds()?
            .into_iter()
            .map(|(name, kind)| (name, Some(kind)))
            .collect();
        // SAFETY: NULL or writable (caller).
        unsafe { put(n, g.listing.len(), "n") }
    })
}

/// Local: lists the names of the group's members (sorted by name) in one pass over its
/// links, without looking at what they are (as h5py's `keys()`: faster than
/// `h5par_group_nmembers` for large groups), and sets `*n` to their number. The list is kept
/// for `h5par_group_member` as with `h5par_group_nmembers`; a kind asked for there is looked
/// up then.
#[no_mangle]
pub unsafe extern "C" fn h5par_group_nnames(group: *mut h5par_group, n: *mut usize) -> c_int {
    const F: &str = "h5par_group_nnames";
    guard(F, || {
        let mut reg = enter(F)?;
        let g = reg.group(group_token(group))?;
        g.listing = g.group.members()?.into_iter().map(|m| (m, None)).collect();
        // SAFETY: NULL or writable (caller).
        unsafe { put(n, g.listing.len(), "n") }
    })
}

/// Local: the names of all the group's members (sorted by name, links included) in one call
/// and one pass over its links, as h5py's `keys()`: copied into `buf` one after the other,
/// each followed by its NUL; `*n` (when not NULL) is set to their number and `*len` (as for
/// `h5par_file_report_json`) to the bytes needed, even when `capacity` is too small (then
/// the status is `H5PAR_ERR_INVALID` and `buf` is untouched; ask with `capacity` 0 and `buf`
/// NULL). An empty group needs 1 byte (`buf[0]` is NUL, `*n` 0).
#[no_mangle]
pub unsafe extern "C" fn h5par_group_names(
    group: *mut h5par_group,
    buf: *mut c_char,
    capacity: usize,
    len: *mut usize,
    n: *mut usize,
) -> c_int {
    const F: &str = "h5par_group_names";
    guard(F, || {
        let mut reg = enter(F)?;
        let g = reg.group(group_token(group))?;
        let names = g.group.members()?;
        if !n.is_null() {
            // SAFETY: non-NULL and writable (caller).
            unsafe { *n = names.len() };
        }
        let all = names.join("\0");
        // SAFETY: as documented (caller).
        unsafe { copy_out(&all, "the member names", buf, capacity, len) }
    })
}

/// Local: member `index` (0-based, below the count of the last `h5par_group_nmembers` or
/// `h5par_group_nnames`): its
/// name copied into `buf` with its NUL (`*len` as for `h5par_file_report_json`), and its kind
/// (an `h5par_kind`: soft and external links as such) in `*kind` when `kind` is not NULL.
#[no_mangle]
pub unsafe extern "C" fn h5par_group_member(
    group: *mut h5par_group,
    index: usize,
    buf: *mut c_char,
    capacity: usize,
    len: *mut usize,
    kind: *mut c_int,
) -> c_int {
    const F: &str = "h5par_group_member";
    guard(F, || {
        let mut reg = enter(F)?;
        let g = reg.group(group_token(group))?;
        let Some((name, k)) = g.listing.get_mut(index) else {
            return Err(invalid(format!(
                "index {index} is not below the {} members listed by the last \
                 h5par_group_nmembers or h5par_group_nnames of {}",
                g.listing.len(),
                g.group.path()
            )));
        };
        if !kind.is_null() {
            let found = match *k {
                Some(found) => found,
                None => {
                    let found = g.group.kind(name)?.ok_or_else(|| {
                        h5par::Error::NotFound(format!(
                            "{}: member {name:?} is gone since it was listed",
                            g.group.path()
                        ))
                    })?;
                    *k = Some(found);
                    found
                }
            };
            // SAFETY: non-NULL and writable (caller).
            unsafe { *kind = found as c_int };
        }
        // SAFETY: as documented (caller).
        unsafe { copy_out(name, "the member name", buf, capacity, len) }
    })
}

/// Local: sets `*kind` to what is at `path` (absolute, or relative to the root), an
/// `h5par_kind`: `H5PAR_KIND_NONE` when nothing is. With `follow` 0 a soft or external link is
/// reported as such; with `follow` 1 a soft link is followed (a dangling one is
/// `H5PAR_KIND_NONE`). External links are never followed by this local query (following one
/// opens another file, which parallel HDF5 does collectively).
#[no_mangle]
pub unsafe extern "C" fn h5par_object_kind(
    file: *mut h5par_file,
    path: *const c_char,
    follow: c_int,
    kind: *mut c_int,
) -> c_int {
    const F: &str = "h5par_object_kind";
    guard(F, || {
        let reg = enter(F)?;
        let fe = reg.file(file_token(file))?;
        // SAFETY: NUL-terminated (caller).
        let path = unsafe { text(path, "path") }?;
        if kind.is_null() {
            return Err(invalid("kind is NULL"));
        }
        let root = fe.file.root();
        let k = if follow != 0 {
            root.target_kind(path)?
        } else {
            root.kind(path)?
        };
        // SAFETY: non-NULL and writable (caller).
        unsafe { put(kind, code(k), "kind") }
    })
}

/// Local: where the soft or external link `path` points. `buf` receives the target path (in
/// this file for a soft link, in the other file for an external one) and `file_buf` (when not
/// NULL) the external link's file name, `""` for a soft link; `*len` and `*file_len` as for
/// `h5par_file_report_json`. A hard link (an object) is `H5PAR_ERR_TYPE`.
#[no_mangle]
pub unsafe extern "C" fn h5par_link_target(
    file: *mut h5par_file,
    path: *const c_char,
    buf: *mut c_char,
    capacity: usize,
    len: *mut usize,
    file_buf: *mut c_char,
    file_capacity: usize,
    file_len: *mut usize,
) -> c_int {
    const F: &str = "h5par_link_target";
    guard(F, || {
        let reg = enter(F)?;
        let fe = reg.file(file_token(file))?;
        // SAFETY: NUL-terminated (caller).
        let path = unsafe { text(path, "path") }?;
        let (target, other) = match fe.file.root().link_target(path)? {
            LinkTarget::Soft(p) => (p, String::new()),
            LinkTarget::External { file, path } => (path, file),
        };
        // SAFETY: as documented (caller).
        unsafe {
            if !file_buf.is_null() || !file_len.is_null() {
                copy_out(&other, "the link's file", file_buf, file_capacity, file_len)?;
            }
            copy_out(&target, "the link target", buf, capacity, len)
        }
    })
}

/// The common part of the collective calls of this module on a file: arguments checked on
/// every rank and agreed on, then the core's call (which agrees on its own outcome).
fn collective<A>(
    func: &'static str,
    file: *mut h5par_file,
    args: impl FnOnce() -> Result<A>,
    act: impl FnOnce(&h5par::File, A) -> Result<()>,
) -> Result<()> {
    let (reg, pending) = enter_collective(func, file_token(file))?;
    let fe = reg.file(file_token(file))?;
    mpi_ready()?;
    let name = fe.file.path().display().to_string();
    let a = agreed(fe.file.comm(), func, &name, pending.and_then(|()| args()))?;
    act(&fe.file, a)
}

/// Collective: deletes the link `path` (a dataset, a group and everything in it, or a soft or
/// external link). Nothing at `path` is `H5PAR_ERR_NOT_FOUND`. HDF5 does not shrink the file.
#[no_mangle]
pub unsafe extern "C" fn h5par_object_delete(file: *mut h5par_file, path: *const c_char) -> c_int {
    const F: &str = "h5par_object_delete";
    guard(F, || {
        collective(
            F,
            file,
            // SAFETY: NUL-terminated (caller).
            || unsafe { text(path, "path") },
            |f, p| f.delete(p),
        )
    })
}

/// Collective: moves (renames) the link `from` to `to`, creating missing parent groups of
/// `to`. Nothing at `from` is `H5PAR_ERR_NOT_FOUND`, something at `to` `H5PAR_ERR_EXISTS`.
#[no_mangle]
pub unsafe extern "C" fn h5par_object_move(
    file: *mut h5par_file,
    from: *const c_char,
    to: *const c_char,
) -> c_int {
    const F: &str = "h5par_object_move";
    guard(F, || {
        collective(
            F,
            file,
            // SAFETY: NUL-terminated (caller).
            || unsafe { Ok((text(from, "from")?, text(to, "to")?)) },
            |f, (a, b)| f.move_link(a, b),
        )
    })
}

/// Collective: creates the soft link `path` to `target` (a path in this file, which need not
/// exist), creating missing parent groups. Something at `path` is `H5PAR_ERR_EXISTS`.
#[no_mangle]
pub unsafe extern "C" fn h5par_link_soft(
    file: *mut h5par_file,
    path: *const c_char,
    target: *const c_char,
) -> c_int {
    const F: &str = "h5par_link_soft";
    guard(F, || {
        collective(
            F,
            file,
            // SAFETY: NUL-terminated (caller).
            || unsafe { Ok((text(path, "path")?, text(target, "target")?)) },
            |f, (p, t)| f.root().soft_link(p, t),
        )
    })
}

/// Collective: creates the hard link `path` to the existing group or dataset `target` (a path
/// in this file; a soft link is resolved), creating missing parent groups, as h5py's
/// `f[path] = obj`. Nothing at `target` is `H5PAR_ERR_NOT_FOUND`; something at `path` is
/// `H5PAR_ERR_EXISTS`.
#[no_mangle]
pub unsafe extern "C" fn h5par_link_hard(
    file: *mut h5par_file,
    path: *const c_char,
    target: *const c_char,
) -> c_int {
    const F: &str = "h5par_link_hard";
    guard(F, || {
        collective(
            F,
            file,
            // SAFETY: NUL-terminated (caller).
            || unsafe { Ok((text(path, "path")?, text(target, "target")?)) },
            |f, (p, t)| f.root().hard_link(p, t),
        )
    })
}

/// Collective: creates the external link `path` to the object `target_path` of the file
/// `target_file` (as HDF5 stores it: relative names are found relative to this file's
/// directory when followed). Something at `path` is `H5PAR_ERR_EXISTS`.
#[no_mangle]
pub unsafe extern "C" fn h5par_link_external(
    file: *mut h5par_file,
    path: *const c_char,
    target_file: *const c_char,
    target_path: *const c_char,
) -> c_int {
    const F: &str = "h5par_link_external";
    guard(F, || {
        collective(
            F,
            file,
            // SAFETY: NUL-terminated (caller).
            || unsafe {
                Ok((
                    text(path, "path")?,
                    text(target_file, "target_file")?,
                    text(target_path, "target_path")?,
                ))
            },
            |f, (p, tf, tp)| f.root().external_link(p, tf, tp),
        )
    })
}

/// Collective: deletes the attribute `name` of the object at `object` (`"/"` is the file's
/// root). A missing attribute is `H5PAR_ERR_NOT_FOUND`.
#[no_mangle]
pub unsafe extern "C" fn h5par_attr_delete(
    file: *mut h5par_file,
    object: *const c_char,
    name: *const c_char,
) -> c_int {
    const F: &str = "h5par_attr_delete";
    guard(F, || {
        collective(
            F,
            file,
            // SAFETY: NUL-terminated (caller).
            || unsafe { Ok((text(object, "object")?, text(name, "name")?)) },
            |f, (o, n)| f.delete_attr(o, n),
        )
    })
}

/// Local: sets `*n` to the number of attributes of the object at `object`.
#[no_mangle]
pub unsafe extern "C" fn h5par_attr_count(
    file: *mut h5par_file,
    object: *const c_char,
    n: *mut usize,
) -> c_int {
    const F: &str = "h5par_attr_count";
    guard(F, || {
        let reg = enter(F)?;
        let fe = reg.file(file_token(file))?;
        // SAFETY: NUL-terminated (caller).
        let object = unsafe { text(object, "object") }?;
        let names = fe.file.attr_names(object)?;
        // SAFETY: NULL or writable (caller).
        unsafe { put(n, names.len(), "n") }
    })
}

/// Local: the name of attribute `index` (0-based, in name order) of the object at `object`,
/// copied into `buf` with its NUL (`*len` as for `h5par_file_report_json`).
#[no_mangle]
pub unsafe extern "C" fn h5par_attr_name(
    file: *mut h5par_file,
    object: *const c_char,
    index: usize,
    buf: *mut c_char,
    capacity: usize,
    len: *mut usize,
) -> c_int {
    const F: &str = "h5par_attr_name";
    guard(F, || {
        let reg = enter(F)?;
        let fe = reg.file(file_token(file))?;
        // SAFETY: NUL-terminated (caller).
        let object = unsafe { text(object, "object") }?;
        let names = fe.file.attr_names(object)?;
        let Some(name) = names.get(index) else {
            return Err(invalid(format!(
                "index {index} is not below the {} attributes of {object}",
                names.len()
            )));
        };
        // SAFETY: as documented (caller).
        unsafe { copy_out(name, "the attribute name", buf, capacity, len) }
    })
}
