//! The sweep: for each stripe count, repeat by repeat, every series in turn, in an order
//! rotated from repeat to repeat (so that drift of the machine and the phase after another
//! series' transfer hit all series alike), each doing its writes and/or reads. Before the
//! first measurement every series writes and reads once, untimed; the user buffers are
//! allocated once, placed as `--buffer-align` says and touched before anything is timed.
//!
//! With `--op read` each series' file is written once per stripe count (untimed) and read in
//! every repeat; with `write` or `both` every repeat writes a fresh file (and reads it back).
//! Files are removed after use, between stripe counts and on errors.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::cli::{Config, Io, Op, SeriesKind};
use crate::comm::agree;
use crate::method::{load1, rotated, AlignedBuf};
use crate::pattern;
use crate::progress::Progress;
use crate::report::{flag_outliers, Record};
use crate::series::{self, h5py, Ctx, Timed};

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

/// What a record needs besides its timing.
#[derive(Clone, Copy)]
struct Point<'a> {
    cfg: &'a Config,
    kind: SeriesKind,
    stripe_count: u32,
    rep: u32,
    position: u32,
    procs: u32,
    buffer_offset: u64,
}

impl Point<'_> {
    fn record(&self, op: Op, io: Io, t: Timed, load1: f64) -> Record {
        let mut r = Record::new(
            self.kind.name(),
            op.name(),
            io.name(),
            self.stripe_count,
            self.cfg.stripe_size,
            self.procs,
            self.cfg.size,
            self.rep,
            t.seconds,
        );
        r.position = self.position;
        r.buffer_align = self.cfg.buffer_align.name().into();
        r.buffer_offset = self.buffer_offset;
        r.user_s = t.user_s;
        r.sys_s = t.sys_s;
        r.load1 = load1;
        r
    }
}

/// The user buffers of a rank: the data written and the buffer read into, placed as
/// `--buffer-align` says and touched (zero-filled) before anything is timed.
struct Buffers {
    data: AlignedBuf,
    buf: AlignedBuf,
}

/// Collective: one untimed write and read of every native series (the first large write of a
/// process is slow, and the first open of each library sets itself up), files removed after.
fn warm_up(
    ctx: &mut Ctx,
    plan: &Plan,
    b: &mut Buffers,
    progress: &mut Progress,
) -> Result<(), String> {
    let io = plan.cfg.ios()[0];
    for &k in plan.series {
        let Some(s) = series::native(k) else {
            continue; // the h5py child job warms itself up (--warmup)
        };
        progress.doing(&format!("warm-up: {k}"));
        let path = plan.path(k);
        let seed = pattern::seed(0, 0, k as u32, 0);
        pattern::fill(b.data.as_mut_slice(), seed, ctx.first);
        series::remove(ctx.comm, &path);
        let done = agree(ctx.comm, s.write(ctx, &path, io, b.data.as_slice()))
            .and_then(|()| agree(ctx.comm, s.read(ctx, &path, io, b.buf.as_mut_slice())));
        series::remove(ctx.comm, &path);
        done.map_err(|e| format!("warm-up of {k}: {e}"))?;
    }
    Ok(())
}

fn sweep(ctx: &mut Ctx, plan: &Plan, progress: &mut Progress) -> Result<Vec<Record>, String> {
    let cfg = plan.cfg;
    let (ops, ios) = (cfg.ops(), cfg.ios());
    let count = ctx.count as usize;
    let mut b = Buffers {
        data: AlignedBuf::new(count, cfg.buffer_align),
        buf: AlignedBuf::new(count, cfg.buffer_align),
    };
    let buffer_offset = b.buf.page_offset() as u64;
    let mut records = Vec::new();
    let procs = ctx.procs() as u32;
    let mut warmed = false;

    for &sc in &cfg.stripe_counts {
        ctx.hints = striping_hints(sc, cfg.stripe_size);
        (ctx.stripe_count, ctx.stripe_size) = (sc, cfg.stripe_size);
        if !warmed {
            warm_up(ctx, plan, &mut b, progress)?;
            warmed = true;
        }
        // --op read: one file per series, written once (untimed) with this seed.
        let prep_seed = |k: SeriesKind| pattern::seed(sc, 0, k as u32, 0);
        if plan.read_only() {
            for &k in plan.series {
                let Some(s) = series::native(k) else {
                    continue; // the h5py child job prepares its own file
                };
                progress.doing(&format!("stripes {sc}: writing the {k} file to read"));
                pattern::fill(b.data.as_mut_slice(), prep_seed(k), ctx.first);
                let path = plan.path(k);
                series::remove(ctx.comm, &path);
                agree(ctx.comm, s.write(ctx, &path, Io::Coll, b.data.as_slice()))
                    .map_err(|e| format!("preparing the {k} file: {e}"))?;
                series::corrupt_after_write(ctx, &path)?;
            }
        }
        for rep in 1..=cfg.repeat {
            // The order of the series is rotated repeat by repeat (see method::rotated).
            for (pos, k) in rotated(plan.series, rep).into_iter().enumerate() {
                let path = plan.path(k);
                let point = Point {
                    cfg,
                    kind: k,
                    stripe_count: sc,
                    rep,
                    position: pos as u32 + 1,
                    procs,
                    buffer_offset,
                };
                let seed_of = |io: Io| {
                    if plan.read_only() {
                        prep_seed(k)
                    } else {
                        pattern::seed(sc, rep, k as u32, io as u32)
                    }
                };
                let mut record = |r: Record, progress: &mut Progress| {
                    progress.measured(&format!(
                        "stripes {sc} rep {rep}/{}: {k} {} {} {:.3} GB/s",
                        cfg.repeat, r.op, r.io, r.gbps
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
                            buffer_align: cfg.buffer_align,
                        };
                        let transfers = 2 * job.actions.len() + usize::from(prepare.is_some());
                        if !plan.read_only() {
                            series::remove(ctx.comm, &path);
                        }
                        let load1 = load1();
                        let timings = h5py::run(ctx, &job, child_timeout(cfg.size, transfers))?;
                        for t in timings {
                            let mut p = Point { ..point };
                            p.buffer_offset = t.buffer_offset;
                            let timed = Timed {
                                seconds: t.seconds,
                                user_s: t.user_s,
                                sys_s: t.sys_s,
                            };
                            record(p.record(t.op, t.io, timed, load1), progress);
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
                                let t = match op {
                                    Op::Write => {
                                        pattern::fill(b.data.as_mut_slice(), seed, ctx.first);
                                        series::remove(ctx.comm, &path);
                                        let load1 = load1();
                                        let data = b.data.as_slice();
                                        let t = series::timed(ctx.comm, || {
                                            s.write(ctx, &path, io, data)
                                        })
                                        .map_err(|e| {
                                            format!("{k} write {io} of {}: {e}", path.display())
                                        })?;
                                        series::corrupt_after_write(ctx, &path)?;
                                        (t, load1)
                                    }
                                    Op::Read => {
                                        if ctx.drop_cache {
                                            series::drop_cache(ctx.comm, &path)?;
                                        }
                                        b.buf.as_mut_slice().fill(f64::NAN);
                                        let load1 = load1();
                                        let out = b.buf.as_mut_slice();
                                        let t =
                                            series::timed(ctx.comm, || s.read(ctx, &path, io, out))
                                                .map_err(|e| {
                                                    format!(
                                                        "{k} read {io} of {}: {e}",
                                                        path.display()
                                                    )
                                                })?;
                                        let checked =
                                            pattern::check(b.buf.as_slice(), seed, ctx.first)
                                                .map_err(|m| m.to_string());
                                        agree(ctx.comm, checked).map_err(|e| {
                                            format!(
                                                "data check failed after the {k} {io} read of {}: {e}",
                                                path.display()
                                            )
                                        })?;
                                        (t, load1)
                                    }
                                };
                                record(point.record(op, io, t.0, t.1), progress);
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
    flag_outliers(&mut records);
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
