//! Opening whatever a name leads to: a group or a dataset, through soft links and external
//! links ([`Group::open`]).

use std::path::{Path, PathBuf};
use std::rc::Rc;

use crate::error::{Error, Result};
use crate::io::dataset::Dataset;
use crate::io::file::{File, FileInner, FileOptions, Mode};
use crate::io::group::Group;
use crate::io::link::{self, LinkTarget, ObjectKind};
use crate::io::path;

/// What [`Group::open`] opened: a group or a dataset.
#[derive(Debug)]
pub enum Object {
    /// A group.
    Group(Group),
    /// A dataset.
    Dataset(Dataset),
}

impl Object {
    /// The object's kind: [`ObjectKind::Group`] or [`ObjectKind::Dataset`].
    pub fn kind(&self) -> ObjectKind {
        match self {
            Object::Group(_) => ObjectKind::Group,
            Object::Dataset(_) => ObjectKind::Dataset,
        }
    }

    /// The object's absolute path in its own file (the target file, through an external link).
    pub fn path(&self) -> &str {
        match self {
            Object::Group(g) => g.path(),
            Object::Dataset(d) => d.path(),
        }
    }
}

/// How many soft and external links one [`Group::open`] follows before it reports a cycle
/// (HDF5's own default limit of link traversals is 16).
const MAX_LINKS: usize = 16;

/// Where the external link (or chain of soft links ending at one) at `abs` points: the file,
/// as stored in the link, and the object path in it.
fn external_target(file: &FileInner, abs: &str) -> Result<(String, String)> {
    let mut at = abs.to_string();
    for _ in 0..MAX_LINKS {
        match link::target(file, &at)? {
            LinkTarget::External { file: f, path: p } => return Ok((f, p)),
            LinkTarget::Soft(p) => {
                let parent = link::parent_and_name(&at).map_or("/", |(g, _)| g);
                at = path::join(parent, &p)?;
            }
        }
    }
    Err(Error::Invalid(format!(
        "{}: more than {MAX_LINKS} soft links in a row (a cycle?)",
        file.name(abs)
    )))
}

/// The target file of an external link stored as `stored`, found as HDF5 does: an absolute
/// name as it is, a relative one relative to the directory of the file holding the link.
fn target_path(parent: &Path, stored: &str) -> PathBuf {
    let stored = Path::new(stored);
    if stored.is_absolute() {
        return stored.to_path_buf();
    }
    match parent.parent() {
        Some(dir) => dir.join(stored),
        None => stored.to_path_buf(),
    }
}

/// The first link along the absolute path `abs`, before its last component, that is an
/// external link (or a soft link to one), split there: `("/a/ext", "sub/d")` for
/// `"/a/ext/sub/d"`. `None` when every link before the last leads to a group of this file or
/// the walk stops at something else (whose error the caller reports). Local; the same on
/// every rank, which all see the same metadata.
fn split_at_external(file: &FileInner, abs: &str) -> Result<Option<(String, String)>> {
    let parts: Vec<&str> = abs.split('/').filter(|p| !p.is_empty()).collect();
    for i in 1..parts.len() {
        let prefix = format!("/{}", parts[..i].join("/"));
        match link::kind_in_step(file, &prefix, true)? {
            Some(ObjectKind::Group) => {}
            Some(ObjectKind::ExternalLink) => {
                return Ok(Some((prefix, parts[i..].join("/"))));
            }
            _ => return Ok(None),
        }
    }
    Ok(None)
}

/// [`Group::open`] of the absolute path `abs` in `file`, `hops` external links followed so
/// far. A path through an external link continues in the link's file, component by component.
fn open_in(file: &Rc<FileInner>, abs: String, hops: usize) -> Result<(Object, Option<File>)> {
    let kind = match link::kind_in_step(file, &abs, true) {
        Ok(kind) => kind,
        // The local walk refuses external links along the path: find the first, follow it
        // and open the rest of the path in its file.
        Err(e) => match split_at_external(file, &abs)? {
            Some((at, rest)) => return open_external(file, at, &rest, hops),
            None => return Err(e),
        },
    };
    match kind {
        Some(ObjectKind::Group) => Ok((Object::Group(Group::at(file, abs)), None)),
        Some(ObjectKind::Dataset) => Ok((Object::Dataset(Dataset::open(file, abs)?), None)),
        Some(ObjectKind::ExternalLink) => open_external(file, abs, "", hops),
        Some(ObjectKind::SoftLink) | Some(ObjectKind::Other) => Err(Error::Type(format!(
            "{}: neither a group nor a dataset (a named datatype, or a user-defined link?): \
             h5par cannot open it",
            file.name(&abs)
        ))),
        None => match link::kind_in_step(file, &abs, false)? {
            Some(ObjectKind::SoftLink) => {
                let to = match link::target(file, &abs)? {
                    LinkTarget::Soft(p) => p,
                    LinkTarget::External { path, .. } => path,
                };
                Err(Error::NotFound(format!(
                    "{}: a dangling soft link (to {to})",
                    file.name(&abs)
                )))
            }
            _ => Err(Error::NotFound(format!(
                "{}: no group or dataset at this path",
                file.name(&abs)
            ))),
        },
    }
}

/// Collective: opens the file the external link at `abs` points to and, in it, the object
/// at the link's target path followed by `rest` (empty for the target itself).
fn open_external(
    file: &Rc<FileInner>,
    abs: String,
    rest: &str,
    hops: usize,
) -> Result<(Object, Option<File>)> {
    let full = if rest.is_empty() {
        abs.clone()
    } else {
        format!("{abs}/{rest}")
    };
    let what = format!("open {} through the external link {abs}", file.name(&full));
    let local = (|| {
        if hops >= MAX_LINKS {
            return Err(Error::Invalid(format!(
                "{}: more than {MAX_LINKS} external links followed (a cycle?), the last at {abs}",
                file.name(&full)
            )));
        }
        let (stored, inner) = external_target(file, &abs)?;
        Ok((target_path(&file.path, &stored), inner))
    })();
    let args = match &local {
        Ok((p, inner)) => format!("{full}: {abs} -> {}:{inner}", p.display()),
        Err(_) => full.clone(),
    };
    let agreed = local.as_ref().map(|_| ()).map_err(Error::clone);
    file.agree(&what, agreed, Some(&args))?;
    let (tpath, inner) = local?;
    let mode = if file.writable {
        Mode::ReadWrite
    } else {
        Mode::ReadOnly
    };
    let about = || {
        format!(
            "{} is an external link to {}:{inner}",
            file.name(&abs),
            tpath.display()
        )
    };
    let target = File::open_with(&file.comm, &tpath, mode, &FileOptions::default())
        .map_err(|e| e.context(format!("{}, whose file could not be opened", about())))?;
    let inner_abs = path::join(&path::join("/", &inner)?, rest)?;
    let (object, further) =
        open_in(&target.inner, inner_abs, hops + 1).map_err(|e| e.context(about()))?;
    // Through a chain of external links (in a row or along the path), the last file is the
    // one the object lives in; the files in between are closed (collectively: every rank
    // follows the same chain).
    match further {
        Some(last) => {
            target.close()?;
            Ok((object, Some(last)))
        }
        None => Ok((object, Some(target))),
    }
}

impl Group {
    /// Opens what `name` leads to, a group or a dataset, following soft links and external
    /// links, as h5py's `g[name]`. Returns the object and, when an external link was
    /// followed, the file it lives in: keep that [`File`] while the object is used, and close
    /// it (collectively) when done.
    ///
    /// Local when `name` is a group of this file; collective (every rank makes the call, with
    /// the same `name`) when it is a dataset or leads through an external link, whose file is
    /// opened on every rank of this file's communicator: read only when this file is, its name
    /// relative to this file's directory (HDF5's rule). A path through an external link
    /// (`"ext/sub/d"`, `ext` linking to a group of another file) continues in the link's file,
    /// through further external links too; the returned [`File`] is the last one, the files in
    /// between are closed. More than 16 external links followed is [`Error::Invalid`] (a
    /// cycle). A missing target file is [`Error::NotFound`] naming the link; nothing at `name`
    /// (or a dangling soft link) is [`Error::NotFound`], a named datatype [`Error::Type`].
    ///
    /// ```no_run
    /// # let universe = mpi::initialize().unwrap();
    /// # let file = h5par::File::open(&universe.world(), "run.h5", h5par::Mode::ReadOnly)?;
    /// match file.root().open("results")? {
    ///     (h5par::Object::Dataset(d), _other_file) => println!("{:?}", d.shape()),
    ///     (h5par::Object::Group(g), _other_file) => println!("{:?}", g.members()?),
    /// }
    /// # Ok::<(), h5par::Error>(())
    /// ```
    pub fn open(&self, name: &str) -> Result<(Object, Option<File>)> {
        let abs = path::join(self.path(), name)?;
        open_in(self.file_inner(), abs, 0)
    }
}

impl File {
    /// Opens what `path` leads to, following soft and external links; see [`Group::open`].
    pub fn open_object(&self, path: &str) -> Result<(Object, Option<File>)> {
        self.root().open(path)
    }
}

#[cfg(test)]
mod tests {
    use super::target_path;
    use std::path::Path;

    #[test]
    fn targets_relative_to_the_parent_directory() {
        assert_eq!(
            target_path(Path::new("/d/a.h5"), "b.h5"),
            Path::new("/d/b.h5")
        );
        assert_eq!(target_path(Path::new("a.h5"), "b.h5"), Path::new("b.h5"));
        assert_eq!(
            target_path(Path::new("/d/a.h5"), "/e/b.h5"),
            Path::new("/e/b.h5")
        );
    }
}
