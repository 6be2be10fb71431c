//! The tuning plan of one file: the layout chosen for it and the MPI-IO hints and HDF5
//! settings that follow from it. Pure: the `io` layer applies the plan.

use crate::tune::fs::{FsInfo, FsKind};
use crate::tune::layout::{choose_layout, Layout, LayoutRequest};
use crate::tune::mpi::MpiFlavor;

/// A version of the HDF5 file format, as `H5Pset_libver_bounds` takes it (h5py's `libver`).
///
/// The low bound is the oldest HDF5 whose format a file's objects must keep to where they can
/// (`Earliest`: what each feature needs and no newer, so HDF5 1.8 and 1.10 tools read what
/// does not need newer features); the high bound the newest format allowed. `Latest` is the
/// newest format of the HDF5 h5par runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LibVer {
    /// The oldest format that can store each object (`H5F_LIBVER_EARLIEST`).
    Earliest,
    /// HDF5 1.8 (`H5F_LIBVER_V18`).
    V18,
    /// HDF5 1.10 (`H5F_LIBVER_V110`).
    V110,
    /// HDF5 1.12 (`H5F_LIBVER_V112`).
    V112,
    /// HDF5 1.14 (`H5F_LIBVER_V114`).
    V114,
    /// HDF5 2.0 (`H5F_LIBVER_V200`).
    V200,
    /// The newest format of the HDF5 in use (`H5F_LIBVER_LATEST`).
    Latest,
}

/// The bounds h5par uses unless told otherwise: the oldest format each object allows, up to
/// the newest. Files stay readable by HDF5 1.10 tools (h5dump, h5py on Debian 12) whichever
/// HDF5 wrote them, and 2,000 small datasets are written faster than with (`Latest`,
/// `Latest`); see the README ("File format") for the measurements.
pub const DEFAULT_LIBVER: (LibVer, LibVer) = (LibVer::Earliest, LibVer::Latest);

impl LibVer {
    /// The name h5py uses: `earliest`, `v108`, `v110`, `v112`, `v114`, `v200`, `latest`.
    pub fn name(self) -> &'static str {
        match self {
            LibVer::Earliest => "earliest",
            LibVer::V18 => "v108",
            LibVer::V110 => "v110",
            LibVer::V112 => "v112",
            LibVer::V114 => "v114",
            LibVer::V200 => "v200",
            LibVer::Latest => "latest",
        }
    }

    /// The version for an h5py name (also `v18`, `1.8`, `1.10`, ... and any case).
    pub fn from_name(s: &str) -> Result<LibVer, String> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "earliest" => LibVer::Earliest,
            "v108" | "v18" | "1.8" => LibVer::V18,
            "v110" | "1.10" => LibVer::V110,
            "v112" | "1.12" => LibVer::V112,
            "v114" | "1.14" => LibVer::V114,
            "v200" | "2.0" => LibVer::V200,
            "latest" => LibVer::Latest,
            other => {
                return Err(format!(
                    "unknown file-format version \"{other}\" (earliest, v108, v110, v112, \
                     v114, v200 or latest)"
                ))
            }
        })
    }

    /// Bounds as h5py takes them: `"low,high"`, or one name meaning (name, `latest`), as
    /// h5py's `libver="v110"` does. The low bound may not be `latest` unless the high one is.
    pub fn parse_bounds(s: &str) -> Result<(LibVer, LibVer), String> {
        let (low, high) = match s.split_once(',') {
            Some((l, h)) => (LibVer::from_name(l)?, LibVer::from_name(h)?),
            None => (LibVer::from_name(s)?, LibVer::Latest),
        };
        if high == LibVer::Earliest {
            return Err(format!("libver \"{s}\": the high bound cannot be earliest"));
        }
        if low > high {
            return Err(format!(
                "libver \"{s}\": the low bound {} is newer than the high bound {}",
                low.name(),
                high.name()
            ));
        }
        Ok((low, high))
    }
}

/// What the user asked for (options and `H5PAR_*` environment variables, merged).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TuneRequest {
    /// `false` gives plain HDF5 defaults with the MPI-IO driver (the benchmarks' baseline).
    pub enabled: bool,
    /// Stripe count to use instead of the chooser's.
    pub stripe_count: Option<u32>,
    /// Stripe size in bytes to use instead of the chooser's.
    pub stripe_size: Option<u64>,
    /// Number of aggregators (`cb_nodes`) to use instead of the chooser's.
    pub cb_nodes: Option<u32>,
    /// Expected size of the file in bytes, if known.
    pub expected_bytes: Option<u64>,
    /// Extra MPI-IO hints, passed through last (they win over h5par's).
    pub extra_hints: Vec<(String, String)>,
    /// File-format bounds instead of [`DEFAULT_LIBVER`].
    pub libver: Option<(LibVer, LibVer)>,
    /// The MPI-IO implementation, for its own hints.
    pub mpi: MpiFlavor,
}

/// The plan for one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TunePlan {
    /// Whether h5par's tuning is applied at all.
    pub enabled: bool,
    /// The file system holding the file.
    pub fs: FsInfo,
    /// The layout chosen (`None` when tuning is off).
    pub layout: Option<Layout>,
    /// The MPI-IO hints to pass to `MPI_File_open`, in order.
    pub hints: Vec<(String, String)>,
    /// `H5Pset_alignment` (threshold, alignment), if any.
    pub alignment: Option<(u64, u64)>,
    /// `H5Pset_meta_block_size`, if any.
    pub meta_block_size: Option<u64>,
    /// Number of ranks the plan was made for.
    pub ranks: u32,
    /// Number of nodes among them.
    pub nodes: u32,
    /// `H5Pset_libver_bounds` (low, high): the user's, else [`DEFAULT_LIBVER`] (which is also
    /// HDF5's own default, so tuning off changes nothing here).
    pub libver: (LibVer, LibVer),
    /// Hints h5par sets whatever the tuning, with why: (key, why). See [`safety_hints`].
    pub hint_notes: Vec<(String, String)>,
}

/// Objects at least this large (or the alignment, if smaller) are aligned.
pub const ALIGN_THRESHOLD: u64 = 64 << 10;

/// With tuning on, a dataset of at most this many bytes (or of the stripe size, if smaller)
/// is read independently in HDF5 even when the read is collective; see
/// [`TunePlan::small_read_limit`].
pub const SMALL_READ_LIMIT: u64 = 1 << 20;

impl TunePlan {
    /// The size in bytes up to which a whole dataset is read independently in HDF5 when the
    /// read is collective (`None`: never; tuning is off). The read is still agreed by every
    /// rank as any collective call; only HDF5's own collective machinery is skipped. A dataset
    /// that fits in one stripe (or in 1 MiB on a file system without stripes) is read in one
    /// request per rank either way, so collective buffering has nothing to aggregate, while
    /// HDF5's collective read adds collectives of its own (a file view set and reset, the
    /// two-phase exchange) to every read: that is most of the time of reading many small
    /// datasets, which is what reading metadata-like output looks like.
    pub fn small_read_limit(&self) -> Option<u64> {
        if !self.enabled {
            return None;
        }
        let stripe = self.layout.as_ref().map_or(0, |l| l.stripe_size);
        Some(if stripe > 0 {
            stripe.min(SMALL_READ_LIMIT)
        } else {
            SMALL_READ_LIMIT
        })
    }
}

/// The plan for a file on `fs`, written by `ranks` ranks on `nodes` nodes.
pub fn plan(
    req: &TuneRequest,
    fs: FsInfo,
    ranks: u32,
    nodes: u32,
    ost_count: Option<u32>,
) -> TunePlan {
    if !req.enabled {
        let mut hints = Vec::new();
        let hint_notes = add_safety_hints(&mut hints, req);
        return TunePlan {
            enabled: false,
            fs,
            layout: None,
            hints,
            alignment: None,
            meta_block_size: None,
            ranks,
            nodes,
            libver: req.libver.unwrap_or(DEFAULT_LIBVER),
            hint_notes,
        };
    }
    let mut layout = choose_layout(&LayoutRequest {
        expected_bytes: req.expected_bytes,
        ranks,
        nodes,
        fs,
        ost_count,
        stripe_count: req.stripe_count,
        stripe_size: req.stripe_size,
        cb_nodes: req.cb_nodes,
    });
    let mut hints: Vec<(String, String)> = Vec::new();
    let mut set = |k: &str, v: String| hints.push((k.to_string(), v));
    match fs.kind {
        FsKind::Lustre => {
            set("striping_factor", layout.stripe_count.to_string());
            set("striping_unit", layout.stripe_size.to_string());
            set("cb_nodes", layout.cb_nodes.to_string());
            set("romio_lustre_co_ratio", "1".into());
            set("romio_cb_write", "enable".into());
            set("romio_cb_read", "enable".into());
            set("romio_ds_write", "disable".into());
            set("cb_buffer_size", layout.stripe_size.to_string());
        }
        FsKind::Gpfs => {
            set("IBM_largeblock_io", "true".into());
            set("cb_nodes", layout.cb_nodes.to_string());
            set("romio_cb_write", "enable".into());
            set("romio_ds_write", "disable".into());
            set("cb_buffer_size", layout.stripe_size.to_string());
        }
        _ => {
            // Not striped: the MPI library's defaults suit a local or NFS file system; only
            // what the user forces is passed, and on one node collective buffering is off.
            let one_node = if nodes == 1 && req.cb_nodes.is_none() {
                one_node_hints(fs.kind, req.mpi)
            } else {
                Vec::new()
            };
            if !one_node.is_empty() {
                layout.reason.push_str(
                    "; collective buffering off (one node, local file system: independent \
                     speed)",
                );
            }
            for (k, v) in one_node {
                set(k, v.into());
            }
            if let Some(n) = req.stripe_count {
                set("striping_factor", n.to_string());
            }
            if let Some(s) = req.stripe_size {
                set("striping_unit", s.to_string());
            }
            if let Some(n) = req.cb_nodes {
                set("cb_nodes", n.to_string());
            }
        }
    }
    let hint_notes = add_safety_hints(&mut hints, req);
    // A layout without alignment (a local file system): HDF5's own placement of data and
    // metadata, as with tuning off.
    let align = layout.alignment;
    TunePlan {
        enabled: true,
        fs,
        alignment: (align > 0).then(|| (ALIGN_THRESHOLD.min(align), align)),
        meta_block_size: (align > 0).then(|| align.min(1 << 20)),
        layout: Some(layout),
        hints,
        ranks,
        nodes,
        libver: req.libver.unwrap_or(DEFAULT_LIBVER),
        hint_notes,
    }
}

/// Hints that h5par sets for correctness, tuning on or off: (key, value, why).
///
/// - OpenMPI's OMPIO: `collective_buffering=true`. OpenMPI 4.1's collective-write components
///   `vulcan` (its default on a local or unknown file system with more than 2 ranks),
///   `dynamic` and `dynamic_gen2` end `write_all` with `return OMPI_SUCCESS` whatever their
///   aggregators' own writes returned (`fcoll_vulcan_file_write_all.c`: the `exit:` label), so
///   a collective write that failed on its device (EIO, ENOSPC, EDQUOT) returns success on
///   every rank and its data is silently lost. `collective_buffering` set to anything but
///   `false` makes OMPIO use its `individual` component (each rank writes its own pieces and
///   gets its own error; `common_ompio_file_view.c`, "enforcing using individual fcoll
///   component"). A user's own `collective_buffering` hint wins.
pub fn safety_hints(mpi: MpiFlavor) -> Vec<(&'static str, &'static str, &'static str)> {
    match mpi {
        MpiFlavor::OpenMpi => vec![(
            "collective_buffering",
            "true",
            "OMPIO's individual collective writes: its vulcan and dynamic components return \
             success on every rank even when an aggregator's write failed (OpenMPI 4.1), which \
             loses data silently",
        )],
        MpiFlavor::Mpich | MpiFlavor::Unknown => Vec::new(),
    }
}

/// Adds the [`safety_hints`] of `req.mpi` (unless set already) and then the user's hints to
/// `hints` (a user's hint replaces one of h5par's); returns the notes of the safety hints kept.
fn add_safety_hints(hints: &mut Vec<(String, String)>, req: &TuneRequest) -> Vec<(String, String)> {
    let mut notes = Vec::new();
    for (k, v, why) in safety_hints(req.mpi) {
        if !hints.iter().any(|(hk, _)| hk == k) {
            hints.push((k.to_string(), v.to_string()));
        }
        notes.push((k.to_string(), why.to_string()));
    }
    for (k, v) in &req.extra_hints {
        hints.retain(|(hk, _)| hk != k);
        hints.push((k.clone(), v.clone()));
        notes.retain(|(nk, _)| nk != k);
    }
    notes
}

/// The hints that make collective I/O run at the speed of independent I/O when every rank is
/// on one node and the file system is local (tmpfs, ext4, XFS, Btrfs): there, collective
/// buffering only adds a copy through the aggregators (and OMPIO's default `vulcan` component
/// reads at a fraction of the independent speed: see `bench/coll_one_node.c`).
///
/// - OpenMPI's OMPIO: `collective_buffering` set to anything but `false` makes OMPIO (4.1)
///   choose its `individual` fcoll component ("enforcing using individual fcoll component" in
///   its info parsing), the same as `OMPI_MCA_fcoll=individual` for this file only.
/// - ROMIO (MPICH and its derivatives): `romio_cb_read` and `romio_cb_write` `disable`. (Its
///   `automatic` default already reads non-interleaved blocks independently; for interleaved
///   pieces it aggregates, which on one node measured about half the independent speed.)
///
/// NFS and unknown file systems keep the MPI library's defaults.
pub fn one_node_hints(kind: FsKind, mpi: MpiFlavor) -> Vec<(&'static str, &'static str)> {
    match mpi {
        _ if !kind.is_local() => Vec::new(),
        MpiFlavor::OpenMpi => vec![("collective_buffering", "true")],
        MpiFlavor::Mpich => vec![("romio_cb_read", "disable"), ("romio_cb_write", "disable")],
        MpiFlavor::Unknown => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fs(kind: FsKind) -> FsInfo {
        FsInfo {
            kind,
            block_size: 16 << 20,
        }
    }

    fn req() -> TuneRequest {
        TuneRequest {
            enabled: true,
            ..Default::default()
        }
    }

    #[test]
    fn lustre_gets_striping_hints() {
        let r = TuneRequest {
            expected_bytes: Some(50 << 30),
            ..req()
        };
        let p = plan(&r, fs(FsKind::Lustre), 480, 20, Some(156));
        let get = |k: &str| {
            p.hints
                .iter()
                .find(|(hk, _)| hk == k)
                .map(|(_, v)| v.clone())
        };
        assert_eq!(get("striping_factor").as_deref(), Some("24"));
        assert_eq!(get("striping_unit").as_deref(), Some("1048576"));
        assert_eq!(get("cb_nodes").as_deref(), Some("24"));
        assert_eq!(p.alignment, Some((64 << 10, 1 << 20)));
    }

    #[test]
    fn small_read_limit_is_a_stripe_at_most_and_none_untuned() {
        // Lustre's 1 MiB stripes, GPFS's 16 MiB blocks (capped), a local file system, a
        // user's small stripe, tuning off.
        let lustre = plan(&req(), fs(FsKind::Lustre), 8, 2, Some(4));
        assert_eq!(lustre.small_read_limit(), Some(1 << 20));
        let gpfs = plan(&req(), fs(FsKind::Gpfs), 64, 4, None);
        assert_eq!(gpfs.small_read_limit(), Some(SMALL_READ_LIMIT));
        let local = plan(&req(), fs(FsKind::Tmpfs), 2, 1, None);
        assert_eq!(local.small_read_limit(), Some(SMALL_READ_LIMIT));
        let small = TuneRequest {
            stripe_size: Some(64 << 10),
            ..req()
        };
        let p = plan(&small, fs(FsKind::Lustre), 8, 2, Some(4));
        assert_eq!(p.small_read_limit(), Some(64 << 10));
        let off = TuneRequest::default();
        assert_eq!(
            plan(&off, fs(FsKind::Lustre), 8, 2, Some(4)).small_read_limit(),
            None
        );
    }

    #[test]
    fn gpfs_aligns_to_blocks() {
        let p = plan(&req(), fs(FsKind::Gpfs), 64, 4, None);
        assert!(p
            .hints
            .contains(&("IBM_largeblock_io".into(), "true".into())));
        assert_eq!(p.alignment, Some((64 << 10, 16 << 20)));
        assert_eq!(p.meta_block_size, Some(1 << 20));
    }

    #[test]
    fn local_fs_passes_only_what_is_forced() {
        let p = plan(&req(), fs(FsKind::Tmpfs), 2, 1, None);
        assert!(p.hints.is_empty());
        // No alignment and HDF5's own metadata blocks: data where HDF5 puts it.
        assert_eq!((p.alignment, p.meta_block_size), (None, None));
        let forced = TuneRequest {
            stripe_size: Some(1 << 20),
            extra_hints: vec![("cb_nodes".into(), "2".into())],
            ..req()
        };
        let p = plan(&forced, fs(FsKind::Ext4), 2, 1, None);
        assert_eq!(
            p.hints,
            vec![
                ("striping_unit".to_string(), "1048576".to_string()),
                ("cb_nodes".to_string(), "2".to_string())
            ]
        );
        assert_eq!(p.alignment, Some((64 << 10, 1 << 20)));
        assert_eq!(p.meta_block_size, Some(1 << 20));
    }

    #[test]
    fn one_node_on_a_local_fs_turns_collective_buffering_off() {
        let on = |mpi| TuneRequest { mpi, ..req() };
        let p = plan(&on(MpiFlavor::OpenMpi), fs(FsKind::Tmpfs), 4, 1, None);
        assert_eq!(
            p.hints,
            vec![("collective_buffering".to_string(), "true".to_string())]
        );
        let reason = &p.layout.as_ref().unwrap().reason;
        assert!(
            reason.ends_with(
                "collective buffering off (one node, local file system: independent speed)"
            ),
            "{reason}"
        );
        let p = plan(&on(MpiFlavor::Mpich), fs(FsKind::Ext4), 4, 1, None);
        assert_eq!(
            p.hints,
            vec![
                ("romio_cb_read".to_string(), "disable".to_string()),
                ("romio_cb_write".to_string(), "disable".to_string())
            ]
        );
        // Two nodes, NFS, an unknown MPI or aggregators set by the user: untouched (but for
        // OpenMPI's safety hint).
        assert!(plan(&on(MpiFlavor::Mpich), fs(FsKind::Ext4), 4, 2, None)
            .hints
            .is_empty());
        let safety = vec![("collective_buffering".to_string(), "true".to_string())];
        assert_eq!(
            plan(&on(MpiFlavor::OpenMpi), fs(FsKind::Nfs), 4, 1, None).hints,
            safety
        );
        assert!(plan(&on(MpiFlavor::Unknown), fs(FsKind::Xfs), 4, 1, None)
            .hints
            .is_empty());
        let user = TuneRequest {
            cb_nodes: Some(1),
            ..on(MpiFlavor::OpenMpi)
        };
        let p = plan(&user, fs(FsKind::Tmpfs), 4, 1, None);
        assert_eq!(
            p.hints,
            vec![
                ("cb_nodes".to_string(), "1".to_string()),
                ("collective_buffering".to_string(), "true".to_string())
            ]
        );
        // A hint of the user's wins.
        let mine = TuneRequest {
            extra_hints: vec![("romio_cb_read".into(), "enable".into())],
            ..on(MpiFlavor::Mpich)
        };
        let p = plan(&mine, fs(FsKind::Tmpfs), 4, 1, None);
        assert_eq!(
            p.hints,
            vec![
                ("romio_cb_write".to_string(), "disable".to_string()),
                ("romio_cb_read".to_string(), "enable".to_string())
            ]
        );
    }

    #[test]
    fn openmpi_always_gets_individual_collective_writes() {
        let on = |mpi| TuneRequest { mpi, ..req() };
        for kind in [FsKind::Lustre, FsKind::Gpfs, FsKind::Nfs, FsKind::Tmpfs] {
            for nodes in [1, 4] {
                let p = plan(&on(MpiFlavor::OpenMpi), fs(kind), 8, nodes, Some(8));
                let set: Vec<_> = p
                    .hints
                    .iter()
                    .filter(|(k, _)| k == "collective_buffering")
                    .collect();
                assert_eq!(set.len(), 1, "{kind:?} {nodes}: {:?}", p.hints);
                assert_eq!(set[0].1, "true");
                assert_eq!(p.hint_notes.len(), 1);
                assert!(p.hint_notes[0].1.contains("vulcan"), "{:?}", p.hint_notes);
            }
        }
        // Tuning off too: it is not tuning.
        let off = TuneRequest {
            enabled: false,
            mpi: MpiFlavor::OpenMpi,
            ..Default::default()
        };
        let p = plan(&off, fs(FsKind::Tmpfs), 3, 1, None);
        assert_eq!(
            p.hints,
            vec![("collective_buffering".to_string(), "true".to_string())]
        );
        // The user's value wins, and then h5par's note is gone.
        let mine = TuneRequest {
            extra_hints: vec![("collective_buffering".into(), "false".into())],
            ..on(MpiFlavor::OpenMpi)
        };
        let p = plan(&mine, fs(FsKind::Nfs), 3, 1, None);
        assert_eq!(
            p.hints,
            vec![("collective_buffering".to_string(), "false".to_string())]
        );
        assert!(p.hint_notes.is_empty());
        // Nothing for ROMIO.
        assert!(plan(&on(MpiFlavor::Mpich), fs(FsKind::Nfs), 3, 1, None)
            .hint_notes
            .is_empty());
    }

    #[test]
    fn off_means_hdf5_defaults() {
        let r = TuneRequest {
            enabled: false,
            extra_hints: vec![("a".into(), "b".into())],
            ..Default::default()
        };
        let p = plan(&r, fs(FsKind::Lustre), 8, 1, None);
        assert_eq!(p.layout, None);
        assert_eq!(p.alignment, None);
        assert_eq!(p.hints, vec![("a".to_string(), "b".to_string())]);
    }

    #[test]
    fn libver_names_and_bounds() {
        use LibVer::*;
        for v in [Earliest, V18, V110, V112, V114, V200, Latest] {
            assert_eq!(LibVer::from_name(v.name()), Ok(v));
        }
        assert_eq!(LibVer::parse_bounds("latest"), Ok((Latest, Latest)));
        assert_eq!(LibVer::parse_bounds("v110"), Ok((V110, Latest)));
        assert_eq!(
            LibVer::parse_bounds(" Earliest , v110 "),
            Ok((Earliest, V110))
        );
        assert_eq!(LibVer::parse_bounds("1.8,1.10"), Ok((V18, V110)));
        assert!(LibVer::parse_bounds("latest,v110").is_err());
        assert!(LibVer::parse_bounds("v110,earliest").is_err());
        let e = LibVer::parse_bounds("v109").unwrap_err();
        assert!(e.contains("v109") && e.contains("v110"), "{e}");
        assert!(LibVer::parse_bounds("").is_err());
        // The default, with tuning on or off, unless asked otherwise.
        let p = plan(&req(), fs(FsKind::Ext4), 2, 1, None);
        assert_eq!(p.libver, DEFAULT_LIBVER);
        let asked = TuneRequest {
            libver: Some((Latest, Latest)),
            ..Default::default()
        };
        assert_eq!(
            plan(&asked, fs(FsKind::Ext4), 2, 1, None).libver,
            (Latest, Latest)
        );
    }

    #[test]
    fn user_hints_win() {
        let r = TuneRequest {
            extra_hints: vec![("romio_cb_write".into(), "disable".into())],
            ..req()
        };
        let p = plan(&r, fs(FsKind::Lustre), 8, 1, Some(8));
        let v: Vec<_> = p
            .hints
            .iter()
            .filter(|(k, _)| k == "romio_cb_write")
            .collect();
        assert_eq!(
            v,
            vec![&("romio_cb_write".to_string(), "disable".to_string())]
        );
    }
}
