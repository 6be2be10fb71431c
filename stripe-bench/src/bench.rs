//! The sweep: for each stripe count, repeat by repeat, every series in turn (so that drift of
//! the machine hits all series alike), each doing its writes and/or reads.
//!
//! With `--op read` each series' file is written once per stripe count (untimed) and read in
//! every repeat; with `write` or `both` every repeat writes a fresh file (and reads it back).
//! Files are removed after use, between stripe counts and on errors.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::cli::{Config, Io, Op, SeriesKind};
use crate::comm::agree;
use crate::pattern;
use crate::progress::Progress;
use crate::report::Record;
use crate::series::{self, h5py, Ctx};

/// What the sweep runs, as agreed by all ranks.
pub struct Plan<'a> {
    /// The configuration.
    pub cfg: &'a Config,
    /// Series in run order.
    pub series: &'a [SeriesKind],
    /// Directory of the benchmark files.
    pub dir: &'a Path,
    /// Distinguishes this run's files from other runs'.
    pub tag: &'a str,
    /// The h5py script (rank 0), when h5py runs.
    pub script: Option<PathBuf>,
}

impl Plan<'_> {
    /// The number of timed measurements.
    pub fn measurements(&self) -> u64 {
        (self.cfg.stripe_counts.len()
            * self.cfg.repeat as usize
            * self.series.len()
            * self.cfg.ops().len()
            * self.cfg.ios().len()) as u64
    }

    fn path(&self, kind: SeriesKind) -> PathBuf {
        series::file_path(self.dir, self.tag, kind)
    }

    fn read_only(&self) -> bool {
        self.cfg.ops() == [Op::Read]
    }
}

/// The striping hints of a stripe count (MPI-IO reserved hint names).
pub fn striping_hints(count: u32, size: u64) -> Vec<(String, String)> {
    vec![
        ("striping_factor".into(), count.to_string()),
        ("striping_unit".into(), size.to_string()),
    ]
}

/// Collective: runs the sweep; every rank returns the same records or the same error. Files
/// are removed in either case.
pub fn run(ctx: &mut Ctx, plan: &Plan, progress: &mut Progress) -> Result<Vec<Record>, String> {
    let out = sweep(ctx, plan, progress);
    if ctx.rank() == 0 {
        for &k in plan.series {
            let _ = std::fs::remove_file(plan.path(k));
        }
    }
    out
}

/// The time limit of one h5py child job: generous, so that only a hang trips it.
fn child_timeout(bytes: u64, transfers: usize) -> Duration {
    Duration::from_secs(120 + bytes.saturating_mul(transfers as u64) / 10_000_000)
}

fn sweep(ctx: &mut Ctx, plan: &Plan, progress: &mut Progress) -> Result<Vec<Record>, String> {
    let cfg = plan.cfg;
    let (ops, ios) = (cfg.ops(), cfg.ios());
    let count = ctx.count as usize;
    let mut data = vec![0.0f64; count];
    let mut buf = vec![0.0f64; count];
    let mut records = Vec::new();
    let procs = ctx.procs() as u32;

    for &sc in &cfg.stripe_counts {
        ctx.hints = striping_hints(sc, cfg.stripe_size);
        (ctx.stripe_count, ctx.stripe_size) = (sc, cfg.stripe_size);
        // --op read: one file per series, written once (untimed) with this seed.
        let prep_seed = |k: SeriesKind| pattern::seed(sc, 0, k as u32, 0);
        if plan.read_only() {
            for &k in plan.series {
                let Some(s) = series::native(k) else {
                    continue; // the h5py child job prepares its own file
                };
                progress.doing(&format!("stripes {sc}: writing the {k} file to read"));
                pattern::fill(&mut data, prep_seed(k), ctx.first);
                let path = plan.path(k);
                series::remove(ctx.comm, &path);
                agree(ctx.comm, s.write(ctx, &path, Io::Coll, &data))
                    .map_err(|e| format!("preparing the {k} file: {e}"))?;
                series::corrupt_after_write(ctx, &path)?;
            }
        }
        for rep in 1..=cfg.repeat {
            for &k in plan.series {
                let path = plan.path(k);
                let seed_of = |io: Io| {
                    if plan.read_only() {
                        prep_seed(k)
                    } else {
                        pattern::seed(sc, rep, k as u32, io as u32)
                    }
                };
                let mut record = |op: Op, io: Io, seconds: f64, progress: &mut Progress| {
                    let r = Record {
                        series: k.name().into(),
                        op: op.name().into(),
                        io: io.name().into(),
                        stripe_count: sc,
                        stripe_size: cfg.stripe_size,
                        procs,
                        bytes: cfg.size,
                        rep,
                        seconds,
                        gbps: Record::gbps_of(cfg.size, seconds),
                    };
                    progress.measured(&format!(
                        "stripes {sc} rep {rep}/{}: {k} {op} {io} {:.3} GB/s",
                        cfg.repeat, r.gbps
                    ));
                    records.push(r);
                };
                match series::native(k) {
                    None => {
                        progress.doing(&format!("stripes {sc} rep {rep}: h5py child job"));
                        let actions: Vec<h5py::Action> = ios
                            .iter()
                            .flat_map(|&io| {
                                ops.iter().map(move |&op| h5py::Action {
                                    op,
                                    io,
                                    seed: seed_of(io),
                                })
                            })
                            .collect();
                        let prepare = (plan.read_only() && rep == 1).then(|| prep_seed(k));
                        let job = h5py::Job {
                            script: plan.script.clone().unwrap_or_default(),
                            path: path.clone(),
                            prepare,
                            actions,
                            corrupt_after_write: ctx.corrupt_after_write,
                        };
                        let transfers = job.actions.len() + usize::from(prepare.is_some());
                        if !plan.read_only() {
                            series::remove(ctx.comm, &path);
                        }
                        let timings = h5py::run(ctx, &job, child_timeout(cfg.size, transfers))?;
                        for t in timings {
                            record(t.op, t.io, t.seconds, progress);
                        }
                        if !plan.read_only() {
                            series::remove(ctx.comm, &path);
                        }
                    }
                    Some(s) => {
                        for &io in &ios {
                            let seed = seed_of(io);
                            for &op in &ops {
                                progress.doing(&format!("stripes {sc} rep {rep}: {k} {op} {io}"));
                                let seconds = match op {
                                    Op::Write => {
                                        pattern::fill(&mut data, seed, ctx.first);
                                        series::remove(ctx.comm, &path);
                                        let t = series::timed(ctx.comm, || {
                                            s.write(ctx, &path, io, &data)
                                        })
                                        .map_err(|e| {
                                            format!("{k} write {io} of {}: {e}", path.display())
                                        })?;
                                        series::corrupt_after_write(ctx, &path)?;
                                        t
                                    }
                                    Op::Read => {
                                        if ctx.drop_cache {
                                            series::drop_cache(ctx.comm, &path)?;
                                        }
                                        buf.fill(f64::NAN);
                                        let t = series::timed(ctx.comm, || {
                                            s.read(ctx, &path, io, &mut buf)
                                        })
                                        .map_err(|e| {
                                            format!("{k} read {io} of {}: {e}", path.display())
                                        })?;
                                        let checked = pattern::check(&buf, seed, ctx.first)
                                            .map_err(|m| m.to_string());
                                        agree(ctx.comm, checked).map_err(|e| {
                                            format!(
                                                "data check failed after the {k} {io} read of {}: {e}",
                                                path.display()
                                            )
                                        })?;
                                        t
                                    }
                                };
                                record(op, io, seconds, progress);
                            }
                            if !plan.read_only() {
                                series::remove(ctx.comm, &path);
                            }
                        }
                    }
                }
            }
        }
        for &k in plan.series {
            series::remove(ctx.comm, &plan.path(k));
        }
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints() {
        assert_eq!(
            striping_hints(4, 1 << 20),
            vec![
                ("striping_factor".to_string(), "4".to_string()),
                ("striping_unit".to_string(), "1048576".to_string())
            ]
        );
        assert!(child_timeout(2 << 30, 2) > Duration::from_secs(400));
    }
}
