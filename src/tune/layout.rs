//! The layout chooser: stripe count, stripe size, aggregators and alignment for a shared file.
//!
//! [`choose_layout`] is a pure function of what is known (file system, expected size, ranks, nodes,
//! OSTs, user settings) and explains its choice in [`Layout::reason`].
//!
//! - **Lustre** follows NERSC's guidance for one shared file, by expected size: under 1 GiB keep
//!   the default of 1 stripe; 1-10 GiB: 8 stripes; 10-100 GiB: 24; 100 GiB and more: 72; size not
//!   known: 8. Stripes are 1 MiB. The count is capped at the number of OSTs (when known) and at the
//!   number of ranks (striping wider than the writers gains nothing). One collective-buffering
//!   aggregator per stripe, so that each aggregator talks to one OST, capped at the number of ranks.
//! - **GPFS** is not striped by the user: the stripe count is reported as 1, the stripe size and
//!   the alignment are the file-system block size, and there is one aggregator per node.
//! - **A local file system** (tmpfs, ext4, XFS, Btrfs) gets no striping and no alignment: the
//!   stripe count is 1, there is one aggregator per node, and HDF5 places the data where it
//!   would without tuning. Page-aligned data puts every read into, and write from, a buffer as
//!   malloc and numpy give it (16 bytes past a page) in the kernel copy's slow case of some
//!   CPUs ((destination - source) mod 4096 small: about 3x on AMD Zen 3, 5-8% more system
//!   time on the project's Intel Xeon test machine; `bench/copy_penalty.c` measures one), and
//!   there are no stripes to align to. A stripe size the user gives is still used as the alignment.
//! - **Any other file system** (NFS, unknown) gets no striping: the stripe count is 1, 1 MiB is
//!   used for alignment only, and there is one aggregator per node.
//!
//! A setting the user gave (`Some`, non-zero) always wins, and the reason says so. Zero settings
//! are treated as not given.

use super::fs::{FsInfo, FsKind};
use super::hints::format_size;

const MIB: u64 = 1 << 20;
const GIB: u64 = 1 << 30;

/// Stripe size used on Lustre, and for alignment where nothing better is known: 1 MiB.
pub const DEFAULT_STRIPE_SIZE: u64 = MIB;
/// Stripe count used on Lustre when the expected file size is not known.
pub const UNKNOWN_SIZE_STRIPE_COUNT: u32 = 8;

/// Everything the chooser needs to know about one shared file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LayoutRequest {
    /// The expected size of the file in bytes, if known.
    pub expected_bytes: Option<u64>,
    /// Number of MPI ranks writing the file (0 is taken as 1).
    pub ranks: u32,
    /// Number of nodes those ranks run on (taken within 1..=ranks).
    pub nodes: u32,
    /// The file system that will hold the file.
    pub fs: FsInfo,
    /// Number of Lustre OSTs, if known.
    pub ost_count: Option<u32>,
    /// The stripe count the user asked for.
    pub stripe_count: Option<u32>,
    /// The stripe size in bytes the user asked for.
    pub stripe_size: Option<u64>,
    /// The number of collective-buffering aggregators (`cb_nodes`) the user asked for.
    pub cb_nodes: Option<u32>,
}

/// The chosen layout, with the reason for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// Number of stripes (1 where the file system is not striped by the user).
    pub stripe_count: u32,
    /// Stripe size in bytes (the block size on GPFS).
    pub stripe_size: u64,
    /// Number of collective-buffering aggregators.
    pub cb_nodes: u32,
    /// Alignment in bytes for HDF5 data (`H5Pset_alignment`): the stripe size; 0 for none
    /// (a local file system without a stripe size from the user).
    pub alignment: u64,
    /// A short sentence for people: file system, size class, caps applied, who set what.
    pub reason: String,
}

/// Chooses the stripe count and size, the aggregators and the alignment for `req`.
pub fn choose_layout(req: &LayoutRequest) -> Layout {
    let ranks = req.ranks.max(1);
    let nodes = req.nodes.clamp(1, ranks);
    let user = UserSettings {
        stripe_count: req.stripe_count.filter(|&n| n > 0),
        stripe_size: req.stripe_size.filter(|&n| n > 0),
        cb_nodes: req.cb_nodes.filter(|&n| n > 0),
    };
    let mut parts = vec![format!(
        "{}: {}",
        req.fs.kind,
        size_phrase(req.expected_bytes)
    )];

    let (stripe_count, default_size, size_name) = match req.fs.kind {
        FsKind::Lustre => {
            let count = lustre_stripe_count(req, ranks, user.stripe_count);
            parts.push(count.1);
            (count.0, DEFAULT_STRIPE_SIZE, "stripe size")
        }
        FsKind::Gpfs => {
            parts.push(match user.stripe_count {
                Some(n) => format!("stripe count {n} set by the user (gpfs does not stripe by it)"),
                None => "no stripe count to set on gpfs".to_owned(),
            });
            let (size, name) = if req.fs.block_size > 0 {
                (req.fs.block_size, "alignment to the block size")
            } else {
                (DEFAULT_STRIPE_SIZE, "block size unknown, alignment")
            };
            (user.stripe_count.unwrap_or(1), size, name)
        }
        kind => {
            parts.push(match user.stripe_count {
                Some(n) => format!("stripe count {n} set by the user"),
                None => format!("no striping hints ({kind} is not striped)"),
            });
            (
                user.stripe_count.unwrap_or(1),
                DEFAULT_STRIPE_SIZE,
                "alignment",
            )
        }
    };

    let local = req.fs.kind.is_local();
    let stripe_size = match user.stripe_size {
        Some(size) => {
            parts.push(format!("stripe size {} set by the user", format_size(size)));
            size
        }
        None if local => {
            parts.push(
                "no alignment (nothing to align to; page-aligned data is the slow copy case \
                 of malloc'd buffers on some CPUs)"
                    .to_owned(),
            );
            default_size
        }
        None => {
            parts.push(format!("{size_name} {}", format_size(default_size)));
            default_size
        }
    };

    let cb_nodes = match user.cb_nodes {
        Some(n) => {
            parts.push(format!("{n} aggregators set by the user"));
            n
        }
        None if req.fs.kind == FsKind::Lustre => {
            let n = stripe_count.min(ranks);
            let capped = if n < stripe_count {
                format!(", capped at {}", n_of(ranks, "rank"))
            } else {
                String::new()
            };
            parts.push(format!("{}, one per stripe{capped}", n_of(n, "aggregator")));
            n
        }
        None => {
            parts.push(format!("{}, one per node", n_of(nodes, "aggregator")));
            nodes
        }
    };

    Layout {
        stripe_count,
        stripe_size,
        cb_nodes,
        alignment: if local && user.stripe_size.is_none() {
            0
        } else {
            stripe_size
        },
        reason: parts.join("; "),
    }
}

/// The user's non-zero settings.
struct UserSettings {
    stripe_count: Option<u32>,
    stripe_size: Option<u64>,
    cb_nodes: Option<u32>,
}

/// The Lustre stripe count and the phrase that explains it.
fn lustre_stripe_count(req: &LayoutRequest, ranks: u32, user: Option<u32>) -> (u32, String) {
    if let Some(n) = user {
        return (n, format!("stripe count {n} set by the user"));
    }
    let (wanted, class) = match req.expected_bytes {
        None => (UNKNOWN_SIZE_STRIPE_COUNT, "unknown-size default"),
        Some(b) if b < GIB => (1, "under 1 GiB, keep the default"),
        Some(b) if b < 10 * GIB => (8, "1-10 GiB class"),
        Some(b) if b < 100 * GIB => (24, "10-100 GiB class"),
        Some(_) => (72, "100 GiB and more class"),
    };
    let mut count = wanted;
    let mut caps = String::new();
    if let Some(osts) = req.ost_count.filter(|&n| n > 0) {
        if count > osts {
            count = osts;
            caps.push_str(&format!(", capped at {}", n_of(osts, "OST")));
        }
    }
    if count > ranks {
        count = ranks;
        caps.push_str(&format!(", capped at {}", n_of(ranks, "rank")));
    }
    let count = count.max(1);
    (count, format!("{class}: {}{caps}", n_of(wanted, "stripe")))
}

fn size_phrase(expected: Option<u64>) -> String {
    match expected {
        Some(bytes) => format!("expected size {}", format_size(bytes)),
        None => "expected size not known".to_owned(),
    }
}

/// `n` and a noun, in the plural unless `n` is 1: "1 stripe", "8 stripes".
fn n_of(n: u32, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MB: u64 = 1_000_000;
    const TB: u64 = 1 << 40;

    fn fs(kind: FsKind, block_size: u64) -> FsInfo {
        FsInfo { kind, block_size }
    }

    fn lustre() -> FsInfo {
        fs(FsKind::Lustre, 4096)
    }

    fn req(
        fs: FsInfo,
        bytes: Option<u64>,
        ranks: u32,
        nodes: u32,
        osts: Option<u32>,
    ) -> LayoutRequest {
        LayoutRequest {
            expected_bytes: bytes,
            ranks,
            nodes,
            fs,
            ost_count: osts,
            stripe_count: None,
            stripe_size: None,
            cb_nodes: None,
        }
    }

    struct Case {
        name: &'static str,
        req: LayoutRequest,
        /// stripe_count, stripe_size, cb_nodes, alignment
        want: (u32, u64, u32, u64),
        /// Phrases the reason must contain.
        says: &'static [&'static str],
    }

    fn cases() -> Vec<Case> {
        let user =
            |mut r: LayoutRequest, count: Option<u32>, size: Option<u64>, cb: Option<u32>| {
                r.stripe_count = count;
                r.stripe_size = size;
                r.cb_nodes = cb;
                r
            };
        vec![
            Case {
                name: "100 MB on lustre keeps the default",
                req: req(lustre(), Some(100 * MB), 64, 2, Some(248)),
                want: (1, MIB, 1, MIB),
                says: &[
                    "lustre",
                    "95.4 MiB",
                    "under 1 GiB, keep the default",
                    "1 aggregator, one per stripe",
                ],
            },
            Case {
                name: "just under 1 GiB",
                req: req(lustre(), Some(GIB - 1), 64, 2, Some(248)),
                want: (1, MIB, 1, MIB),
                says: &["default"],
            },
            Case {
                name: "exactly 1 GiB is the 1-10 class",
                req: req(lustre(), Some(GIB), 64, 2, Some(248)),
                want: (8, MIB, 8, MIB),
                says: &["1-10 GiB class: 8 stripes", "8 aggregators, one per stripe"],
            },
            Case {
                name: "5 GiB on 128 ranks",
                req: req(lustre(), Some(5 * GIB), 128, 4, Some(248)),
                want: (8, MIB, 8, MIB),
                says: &["expected size 5 GiB", "8 stripes"],
            },
            Case {
                name: "50 GiB on 512 ranks",
                req: req(lustre(), Some(50 * GIB), 512, 16, Some(248)),
                want: (24, MIB, 24, MIB),
                says: &["10-100 GiB class: 24 stripes", "stripe size 1 MiB"],
            },
            Case {
                name: "1 TB on 4096 ranks",
                req: req(lustre(), Some(TB), 4096, 128, Some(248)),
                want: (72, MIB, 72, MIB),
                says: &["1 TiB", "100 GiB and more class: 72 stripes"],
            },
            Case {
                name: "100 GiB exactly is the top class",
                req: req(lustre(), Some(100 * GIB), 1024, 32, None),
                want: (72, MIB, 72, MIB),
                says: &["72 stripes"],
            },
            Case {
                name: "1 TB capped at 8 OSTs",
                req: req(lustre(), Some(TB), 4096, 128, Some(8)),
                want: (8, MIB, 8, MIB),
                says: &["72 stripes, capped at 8 OSTs"],
            },
            Case {
                name: "50 GiB capped at 4 ranks",
                req: req(lustre(), Some(50 * GIB), 4, 1, Some(248)),
                want: (4, MIB, 4, MIB),
                says: &["24 stripes, capped at 4 ranks", "4 aggregators"],
            },
            Case {
                name: "1 TB capped by OSTs then by ranks",
                req: req(lustre(), Some(TB), 16, 1, Some(32)),
                want: (16, MIB, 16, MIB),
                says: &["capped at 32 OSTs, capped at 16 ranks"],
            },
            Case {
                name: "5 GiB on one rank",
                req: req(lustre(), Some(5 * GIB), 1, 1, Some(248)),
                want: (1, MIB, 1, MIB),
                says: &["capped at 1 rank"],
            },
            Case {
                name: "zero ranks is taken as one",
                req: req(lustre(), Some(5 * GIB), 0, 0, None),
                want: (1, MIB, 1, MIB),
                says: &[],
            },
            Case {
                name: "unknown size on lustre",
                req: req(lustre(), None, 256, 8, Some(248)),
                want: (8, MIB, 8, MIB),
                says: &["expected size not known", "unknown-size default: 8 stripes"],
            },
            Case {
                name: "unknown size, OST count unknown, 2 ranks",
                req: req(lustre(), None, 2, 1, None),
                want: (2, MIB, 2, MIB),
                says: &["capped at 2 ranks"],
            },
            Case {
                name: "zero OST count is ignored",
                req: req(lustre(), Some(TB), 4096, 128, Some(0)),
                want: (72, MIB, 72, MIB),
                says: &[],
            },
            Case {
                name: "user stripe count wins over size class and caps",
                req: user(
                    req(lustre(), Some(100 * MB), 4, 1, Some(8)),
                    Some(16),
                    None,
                    None,
                ),
                want: (16, MIB, 4, MIB),
                says: &[
                    "stripe count 16 set by the user",
                    "4 aggregators, one per stripe, capped at 4 ranks",
                ],
            },
            Case {
                name: "user stripe size and aggregators win",
                req: user(
                    req(lustre(), Some(50 * GIB), 512, 16, Some(248)),
                    None,
                    Some(4 * MIB),
                    Some(12),
                ),
                want: (24, 4 * MIB, 12, 4 * MIB),
                says: &[
                    "stripe size 4 MiB set by the user",
                    "12 aggregators set by the user",
                ],
            },
            Case {
                name: "zero user settings are ignored",
                req: user(
                    req(lustre(), Some(5 * GIB), 64, 2, Some(248)),
                    Some(0),
                    Some(0),
                    Some(0),
                ),
                want: (8, MIB, 8, MIB),
                says: &[],
            },
            Case {
                name: "gpfs aligns to its 16 MiB block, one aggregator per node",
                req: req(fs(FsKind::Gpfs, 16 * MIB), Some(TB), 4096, 128, None),
                want: (1, 16 * MIB, 128, 16 * MIB),
                says: &[
                    "gpfs",
                    "no stripe count",
                    "alignment to the block size 16 MiB",
                    "128 aggregators, one per node",
                ],
            },
            Case {
                name: "gpfs with unknown block size",
                req: req(fs(FsKind::Gpfs, 0), Some(5 * GIB), 8, 2, None),
                want: (1, MIB, 2, MIB),
                says: &["block size unknown"],
            },
            Case {
                name: "gpfs user overrides",
                req: user(
                    req(fs(FsKind::Gpfs, 8 * MIB), None, 64, 4, None),
                    Some(4),
                    Some(2 * MIB),
                    Some(8),
                ),
                want: (4, 2 * MIB, 8, 2 * MIB),
                says: &[
                    "set by the user (gpfs does not stripe by it)",
                    "stripe size 2 MiB set by the user",
                ],
            },
            Case {
                name: "tmpfs: no striping, no alignment, one aggregator per node",
                req: req(fs(FsKind::Tmpfs, 4096), Some(2 * GIB), 2, 1, None),
                want: (1, MIB, 1, 0),
                says: &[
                    "tmpfs",
                    "no striping hints (tmpfs is not striped)",
                    "no alignment",
                    "1 aggregator, one per node",
                ],
            },
            Case {
                name: "ext4 on several nodes (nodes capped at ranks)",
                req: req(fs(FsKind::Ext4, 4096), Some(TB), 4, 8, None),
                want: (1, MIB, 4, 0),
                says: &["ext4", "4 aggregators, one per node"],
            },
            Case {
                name: "nfs",
                req: req(fs(FsKind::Nfs, 1 << 20), Some(50 * GIB), 64, 4, None),
                want: (1, MIB, 4, MIB),
                says: &["nfs"],
            },
            Case {
                name: "unknown file system",
                req: req(fs(FsKind::Other(0x1234), 4096), None, 8, 2, None),
                want: (1, MIB, 2, MIB),
                says: &["other(0x1234)", "expected size not known"],
            },
            Case {
                name: "user settings on xfs",
                req: user(
                    req(fs(FsKind::Xfs, 4096), None, 8, 2, None),
                    Some(2),
                    Some(8 * MIB),
                    None,
                ),
                want: (2, 8 * MIB, 2, 8 * MIB),
                says: &[
                    "stripe count 2 set by the user",
                    "stripe size 8 MiB set by the user",
                ],
            },
        ]
    }

    #[test]
    fn layout_table() {
        for case in cases() {
            let got = choose_layout(&case.req);
            assert_eq!(
                (
                    got.stripe_count,
                    got.stripe_size,
                    got.cb_nodes,
                    got.alignment
                ),
                case.want,
                "{}: {}",
                case.name,
                got.reason
            );
            for phrase in case.says {
                assert!(
                    got.reason.contains(phrase),
                    "{}: {:?} not in {:?}",
                    case.name,
                    phrase,
                    got.reason
                );
            }
        }
    }

    #[test]
    fn reason_reads_as_one_sentence() {
        let got = choose_layout(&req(lustre(), Some(50 * GIB), 4, 1, Some(248)));
        assert_eq!(
            got.reason,
            "lustre: expected size 50 GiB; 10-100 GiB class: 24 stripes, capped at 4 ranks; \
             stripe size 1 MiB; 4 aggregators, one per stripe"
        );
    }

    #[test]
    fn invariants_over_a_grid() {
        let sizes = [None, Some(100 * MB), Some(GIB), Some(20 * GIB), Some(TB)];
        let osts = [None, Some(8), Some(96), Some(248)];
        for kind in [FsKind::Lustre, FsKind::Gpfs, FsKind::Tmpfs, FsKind::Ext4] {
            for bytes in sizes {
                for ranks in [1, 2, 7, 64, 4096] {
                    for ost in osts {
                        let r = req(fs(kind, 16 * MIB), bytes, ranks, ranks.div_ceil(32), ost);
                        let l = choose_layout(&r);
                        assert!(l.stripe_count >= 1 && l.stripe_count <= ranks, "{l:?}");
                        assert!(l.cb_nodes >= 1 && l.cb_nodes <= ranks, "{l:?}");
                        if kind.is_local() {
                            assert_eq!(l.alignment, 0, "{l:?}");
                        } else {
                            assert_eq!(l.alignment, l.stripe_size);
                        }
                        if let (FsKind::Lustre, Some(o)) = (kind, ost) {
                            assert!(l.stripe_count <= o, "{l:?}");
                        }
                        assert!(l.reason.starts_with(&kind.to_string()), "{}", l.reason);
                    }
                }
            }
        }
    }
}
