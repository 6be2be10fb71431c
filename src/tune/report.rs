//! The I/O report: what really happened to one file, from one rank's point of view — the file
//! system and layout chosen and why, the MPI-IO hints asked for next to those in effect, where
//! each dataset's data landed, and per read or write the bytes, seconds and the I/O mode HDF5
//! actually used (with the cause when it was not collective). Serializes to JSON; also has a
//! short human-readable summary.

use serde::{Deserialize, Serialize};

use crate::tune::hints::format_size;

/// The report of one file.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Report {
    /// The file's path.
    pub path: String,
    /// The rank this report was made on, and the number of ranks and nodes.
    pub rank: u32,
    /// Number of ranks of the file's communicator.
    pub ranks: u32,
    /// Number of nodes among them.
    pub nodes: u32,
    /// The file system (`lustre`, `gpfs`, `tmpfs`, `ext4`, ...).
    pub fs: String,
    /// The file system's block size in bytes.
    pub fs_block_size: u64,
    /// Whether h5par's tuning was on.
    pub tuning: bool,
    /// The layout chosen, when tuning was on.
    pub layout: Option<LayoutReport>,
    /// The Lustre layout read back from the file, on Lustre.
    pub layout_read_back: Option<LayoutReadBack>,
    /// MPI-IO hints: asked for, and in effect as the MPI library reports them.
    pub hints: Vec<HintReport>,
    /// The datasets created or opened, with their data offsets.
    pub datasets: Vec<DatasetReport>,
    /// The reads and writes, the first [`MAX_CALLS`] of them.
    pub calls: Vec<CallReport>,
    /// How many later reads and writes are not listed (so a long job's report stays small).
    #[serde(default)]
    pub calls_not_listed: u64,
}

/// The number of reads and writes a report lists.
pub const MAX_CALLS: usize = 10_000;

impl Report {
    /// Notes one read or write (listed while fewer than [`MAX_CALLS`] are, else counted).
    pub fn record_call(&mut self, call: CallReport) {
        if self.calls.len() < MAX_CALLS {
            self.calls.push(call);
        } else {
            self.calls_not_listed += 1;
        }
    }
}

/// The chosen layout and why.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LayoutReport {
    /// Stripe count.
    pub stripe_count: u32,
    /// Stripe size in bytes.
    pub stripe_size: u64,
    /// MPI-IO aggregators.
    pub cb_nodes: u32,
    /// Alignment of HDF5 data in bytes.
    pub alignment: u64,
    /// Why.
    pub reason: String,
}

/// A Lustre layout read from the file after it was created.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LayoutReadBack {
    /// Stripe count.
    pub stripe_count: u32,
    /// Stripe size in bytes.
    pub stripe_size: u64,
}

/// One MPI-IO hint.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HintReport {
    /// The key.
    pub key: String,
    /// The value h5par (or the user) asked for, if any.
    pub asked: Option<String>,
    /// The value the MPI library reports for the open file, if any.
    pub in_effect: Option<String>,
    /// Set when a hint asked for is missing or different: a possible misconfiguration.
    pub flag: Option<String>,
    /// Why h5par set it, for a hint it sets whatever the tuning (see
    /// [`crate::tune::plan::safety_hints`]).
    #[serde(default)]
    pub why: Option<String>,
}

/// One dataset.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DatasetReport {
    /// Its path in the file.
    pub path: String,
    /// The byte offset of its data (`None` when chunked or not allocated).
    pub offset: Option<u64>,
    /// Whether the offset is a multiple of the alignment asked for (`None` if none asked or
    /// no offset).
    pub aligned: Option<bool>,
}

/// One read or write call.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CallReport {
    /// `read` or `write`.
    pub op: String,
    /// The dataset's path.
    pub dataset: String,
    /// `collective` or `independent`, as asked.
    pub requested: String,
    /// What HDF5 actually did: `contiguous collective`, `chunk collective`, `chunk mixed`,
    /// `chunk independent` or `independent`.
    pub actual: String,
    /// Why the I/O was not collective, in words (`None` when it was).
    pub cause: Option<String>,
    /// Bytes this rank moved.
    pub bytes: u64,
    /// Seconds this rank spent in the call (HDF5 only, not the agreement).
    pub seconds: f64,
    /// This rank's bandwidth in GB/s (1e9 bytes per second).
    pub gbps: f64,
}

impl Report {
    /// The report as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }

    /// A report from its JSON.
    pub fn from_json(text: &str) -> Result<Report, String> {
        serde_json::from_str(text).map_err(|e| format!("not an h5par I/O report: {e}"))
    }

    /// A short summary for people.
    pub fn summary(&self) -> String {
        let mut out = format!(
            "h5par I/O report for {} (rank {} of {}, {} node(s))\n  file system: {} (block {})\n",
            self.path,
            self.rank,
            self.ranks,
            self.nodes,
            self.fs,
            format_size(self.fs_block_size)
        );
        match &self.layout {
            Some(l) => out.push_str(&format!(
                "  tuning: on: {} stripe(s) of {}, {} aggregator(s), alignment {}\n  why: {}\n",
                l.stripe_count,
                format_size(l.stripe_size),
                l.cb_nodes,
                if l.alignment == 0 {
                    "none".to_owned()
                } else {
                    format_size(l.alignment)
                },
                l.reason
            )),
            None => out.push_str("  tuning: off (HDF5 defaults with the MPI-IO driver)\n"),
        }
        if let Some(b) = &self.layout_read_back {
            out.push_str(&format!(
                "  layout read back: {} stripe(s) of {}\n",
                b.stripe_count,
                format_size(b.stripe_size)
            ));
        }
        let flagged: Vec<&HintReport> = self.hints.iter().filter(|h| h.flag.is_some()).collect();
        let asked = self.hints.iter().filter(|h| h.asked.is_some()).count();
        out.push_str(&format!(
            "  hints: {asked} asked for, {} reported by MPI, {} flagged\n",
            self.hints.iter().filter(|h| h.in_effect.is_some()).count(),
            flagged.len()
        ));
        for h in flagged {
            out.push_str(&format!(
                "    ! {}: {}\n",
                h.key,
                h.flag.clone().unwrap_or_default()
            ));
        }
        for h in self.hints.iter().filter(|h| h.why.is_some()) {
            out.push_str(&format!(
                "    {}={} set by h5par: {}\n",
                h.key,
                h.asked.clone().unwrap_or_default(),
                h.why.clone().unwrap_or_default()
            ));
        }
        let unaligned: Vec<&DatasetReport> = self
            .datasets
            .iter()
            .filter(|d| d.aligned == Some(false))
            .collect();
        out.push_str(&format!(
            "  datasets: {} ({} not aligned)\n",
            self.datasets.len(),
            unaligned.len()
        ));
        if self.calls_not_listed > 0 {
            out.push_str(&format!(
                "  (the first {} reads and writes are listed; {} more are not)\n",
                self.calls.len(),
                self.calls_not_listed
            ));
        }
        for op in ["write", "read"] {
            let calls: Vec<&CallReport> = self.calls.iter().filter(|c| c.op == op).collect();
            if calls.is_empty() {
                continue;
            }
            let bytes: u64 = calls.iter().map(|c| c.bytes).sum();
            let secs: f64 = calls.iter().map(|c| c.seconds).sum();
            let not_coll = calls.iter().filter(|c| c.cause.is_some()).count();
            out.push_str(&format!(
                "  {op}s: {} call(s), {} in {:.3} s ({:.2} GB/s on this rank), {} not collective\n",
                calls.len(),
                format_size(bytes),
                secs,
                if secs > 0.0 {
                    bytes as f64 / secs / 1e9
                } else {
                    0.0
                },
                not_coll
            ));
            if let Some(c) = calls.iter().find(|c| c.cause.is_some()) {
                out.push_str(&format!(
                    "    e.g. {} {}: {} because {}\n",
                    op,
                    c.dataset,
                    c.actual,
                    c.cause.clone().unwrap_or_default()
                ));
            }
        }
        out
    }
}

/// Compares hints asked for with those the MPI library reports for the open file.
pub fn compare_hints(
    asked: &[(String, String)],
    in_effect: &[(String, String)],
) -> Vec<HintReport> {
    let mut out: Vec<HintReport> = Vec::new();
    for (k, v) in asked {
        let got = in_effect
            .iter()
            .find(|(ek, _)| ek == k)
            .map(|(_, ev)| ev.clone());
        let flag = match &got {
            None => Some(format!(
                "asked for {v}, but the MPI library does not report it"
            )),
            Some(g) if g != v => Some(format!("asked for {v}, the MPI library uses {g}")),
            _ => None,
        };
        out.push(HintReport {
            key: k.clone(),
            asked: Some(v.clone()),
            in_effect: got,
            flag,
            why: None,
        });
    }
    for (k, v) in in_effect {
        if !asked.iter().any(|(ak, _)| ak == k) {
            out.push(HintReport {
                key: k.clone(),
                asked: None,
                in_effect: Some(v.clone()),
                flag: None,
                why: None,
            });
        }
    }
    out
}

/// The causes of `H5Pget_mpio_no_collective_cause` in words (`None` for 0: collective).
pub fn no_collective_cause(bits: u32) -> Option<String> {
    const CAUSES: [(u32, &str); 8] = [
        (0x01, "independent I/O was requested"),
        (
            0x02,
            "a datatype conversion was needed (memory and file types differ)",
        ),
        (0x04, "a data transform was set"),
        (
            0x08,
            "MPI derived types are disabled (HDF5_MPI_OPT_TYPES=0)",
        ),
        (0x10, "a dataspace is neither simple nor scalar"),
        (0x20, "the dataset is neither contiguous nor chunked"),
        (
            0x40,
            "filters are applied (parallel filtered writes need collective I/O)",
        ),
        (
            0x80,
            "an error occurred while checking whether collective I/O was possible",
        ),
    ];
    if bits == 0 {
        return None;
    }
    let words: Vec<&str> = CAUSES
        .iter()
        .filter(|(b, _)| bits & b != 0)
        .map(|(_, w)| *w)
        .collect();
    Some(if words.is_empty() {
        format!("cause code {bits:#x}")
    } else {
        words.join("; ")
    })
}

/// The name of an `H5D_mpio_actual_io_mode_t` value.
pub fn actual_mode_name(mode: i32) -> &'static str {
    match mode {
        0 => "independent",
        1 => "chunk independent",
        2 => "chunk collective",
        3 => "chunk mixed",
        4 => "contiguous collective",
        _ => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Report {
        Report {
            path: "/scratch/run.h5".into(),
            rank: 0,
            ranks: 480,
            nodes: 20,
            fs: "lustre".into(),
            fs_block_size: 1 << 20,
            tuning: true,
            layout: Some(LayoutReport {
                stripe_count: 72,
                stripe_size: 1 << 20,
                cb_nodes: 72,
                alignment: 1 << 20,
                reason: "lustre: over 100 GiB: 72 stripes".into(),
            }),
            layout_read_back: Some(LayoutReadBack {
                stripe_count: 72,
                stripe_size: 1 << 20,
            }),
            hints: compare_hints(
                &[
                    ("striping_factor".into(), "72".into()),
                    ("cb_nodes".into(), "72".into()),
                ],
                &[
                    ("striping_factor".into(), "72".into()),
                    ("cb_buffer_size".into(), "16777216".into()),
                ],
            ),
            datasets: vec![DatasetReport {
                path: "/x".into(),
                offset: Some(1 << 20),
                aligned: Some(true),
            }],
            calls: vec![CallReport {
                op: "write".into(),
                dataset: "/x".into(),
                requested: "collective".into(),
                actual: "independent".into(),
                cause: no_collective_cause(0x02),
                bytes: 1 << 30,
                seconds: 0.5,
                gbps: 2.147,
            }],
            calls_not_listed: 0,
        }
    }

    #[test]
    fn json_round_trip() {
        let r = sample();
        assert_eq!(Report::from_json(&r.to_json()).unwrap(), r);
        assert!(Report::from_json("{}").is_err());
    }

    #[test]
    fn long_jobs_keep_the_report_small() {
        let mut r = Report::default();
        let call = sample().calls[0].clone();
        for _ in 0..MAX_CALLS + 5 {
            r.record_call(call.clone());
        }
        assert_eq!((r.calls.len(), r.calls_not_listed), (MAX_CALLS, 5));
        assert!(r.summary().contains("5 more are not"), "{}", r.summary());
        assert_eq!(Report::from_json(&r.to_json()).unwrap(), r);
    }

    #[test]
    fn hints_are_compared() {
        let h = &sample().hints;
        assert_eq!(h[0].flag, None);
        assert!(h[1].flag.as_deref().unwrap().contains("does not report"));
        assert_eq!(h[2].asked, None);
        let diff = compare_hints(&[("a".into(), "1".into())], &[("a".into(), "2".into())]);
        assert!(diff[0].flag.as_deref().unwrap().contains("uses 2"));
    }

    #[test]
    fn causes_in_words() {
        assert_eq!(no_collective_cause(0), None);
        assert!(no_collective_cause(0x02)
            .unwrap()
            .contains("datatype conversion"));
        assert!(no_collective_cause(0x41).unwrap().contains("filters"));
        assert_eq!(actual_mode_name(4), "contiguous collective");
    }

    #[test]
    fn summary_mentions_flags_and_causes() {
        let s = sample().summary();
        assert!(s.contains("cb_nodes: asked for 72"), "{s}");
        assert!(s.contains("datatype conversion"), "{s}");
        assert!(s.contains("72 stripe(s) of 1 MiB"), "{s}");
    }
}
